use anchor_lang::prelude::*;

use crate::{
    constants::TREASURY_SEED,
    errors::TreasuryError,
    events::{emit_event, ConfigChangeCancelled, ConfigChangeQueued},
    state::{ConfigChange, TreasuryConfig},
};

#[derive(Accounts)]
pub struct QueueConfigChange<'info> {
    pub authority: Signer<'info>,

    #[account(
        mut,
        seeds = [TREASURY_SEED],
        bump = config.bump,
        has_one = authority @ TreasuryError::Unauthorized,
    )]
    pub config: Box<Account<'info, TreasuryConfig>>,
}

pub fn handler(ctx: Context<QueueConfigChange>, change: ConfigChange) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let config = &mut ctx.accounts.config;
    let (eta, replaced) = config.queue_change(change, now)?;
    config.invariant()?;
    if let Some(expired) = replaced {
        emit_event(&ConfigChangeCancelled::of(config.authority, expired, now));
    }
    emit_event(&ConfigChangeQueued {
        authority: config.authority,
        change: config.queued_change.clone(),
        eta,
        unix_timestamp: now,
    });
    Ok(())
}
