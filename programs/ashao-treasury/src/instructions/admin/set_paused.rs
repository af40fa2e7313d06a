use anchor_lang::prelude::*;

use crate::{
    constants::TREASURY_SEED,
    errors::TreasuryError,
    events::{emit_event, PauseSet},
    state::TreasuryConfig,
};

#[derive(Accounts)]
pub struct SetPaused<'info> {
    pub authority: Signer<'info>,

    #[account(
        mut,
        seeds = [TREASURY_SEED],
        bump = config.bump,
        has_one = authority @ TreasuryError::Unauthorized,
    )]
    pub config: Box<Account<'info, TreasuryConfig>>,
}

/// Idempotent: setting the current value succeeds and logs the event again.
pub fn handler(ctx: Context<SetPaused>, paused: bool) -> Result<()> {
    let config = &mut ctx.accounts.config;
    config.paused = paused;
    config.invariant()?;
    emit_event(&PauseSet {
        authority: config.authority,
        paused,
        unix_timestamp: Clock::get()?.unix_timestamp,
    });
    Ok(())
}
