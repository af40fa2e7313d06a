use anchor_lang::prelude::*;

use crate::{
    constants::TREASURY_SEED,
    errors::TreasuryError,
    events::{emit_event, ConfigChangeCancelled, ConfigUpdated},
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

/// Applies a change that only reduces risk; anything else must be queued. A queued change that
/// sets a field this one changes is dropped, so it can never undo this one.
pub fn handler(ctx: Context<UpdateConfig>, change: ConfigChange) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let config = &mut ctx.accounts.config;
    let superseded = config.update_now(&change, now)?;
    config.invariant()?;
    emit_event(&ConfigUpdated::of(config, now));
    if let Some(dropped) = superseded {
        emit_event(&ConfigChangeCancelled::of(config.authority, dropped, now));
    }
    Ok(())
}
