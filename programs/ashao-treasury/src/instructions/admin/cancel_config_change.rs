use anchor_lang::prelude::*;

use crate::{
    constants::TREASURY_SEED,
    errors::TreasuryError,
    events::{emit_event, ConfigChangeCancelled},
    state::TreasuryConfig,
};

#[derive(Accounts)]
pub struct CancelConfigChange<'info> {
    pub authority: Signer<'info>,

    #[account(
        mut,
        seeds = [TREASURY_SEED],
        bump = config.bump,
        has_one = authority @ TreasuryError::Unauthorized,
    )]
    pub config: Box<Account<'info, TreasuryConfig>>,
}

pub fn handler(ctx: Context<CancelConfigChange>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let config = &mut ctx.accounts.config;
    let dropped = config.cancel_queued_change(now)?;
    config.invariant()?;
    emit_event(&ConfigChangeCancelled::of(config.authority, dropped, now));
    Ok(())
}
