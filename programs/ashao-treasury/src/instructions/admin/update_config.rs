use anchor_lang::prelude::*;

use crate::{
    constants::TREASURY_SEED,
    errors::TreasuryError,
    events::{emit_event, ConfigUpdated},
    state::{ConfigChange, TreasuryConfig},
};

#[derive(Accounts)]
pub struct UpdateConfig<'info> {
    pub authority: Signer<'info>,

    #[account(
        mut,
        seeds = [TREASURY_SEED],
        bump = config.bump,
        has_one = authority @ TreasuryError::Unauthorized,
    )]
    pub config: Box<Account<'info, TreasuryConfig>>,
}

/// Applies a change that only reduces risk; anything else must be queued.
pub fn handler(ctx: Context<UpdateConfig>, change: ConfigChange) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let config = &mut ctx.accounts.config;
    config.update_now(&change, now)?;
    config.invariant()?;
    emit_event(&ConfigUpdated::of(config, now));
    Ok(())
}
