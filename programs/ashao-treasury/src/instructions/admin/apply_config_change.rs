use anchor_lang::prelude::*;

use crate::{
    constants::TREASURY_SEED,
    events::{emit_event, ConfigChangeApplied, ConfigUpdated},
    state::TreasuryConfig,
};

#[derive(Accounts)]
pub struct ApplyConfigChange<'info> {
    /// Anyone: once the timelock has passed, the queued change is no longer anyone's choice.
    pub caller: Signer<'info>,

    #[account(mut, seeds = [TREASURY_SEED], bump = config.bump)]
    pub config: Box<Account<'info, TreasuryConfig>>,
}

pub fn handler(ctx: Context<ApplyConfigChange>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let config = &mut ctx.accounts.config;
    let eta = config.queued_change_eta;
    let change = config.apply_queued_change(now)?;
    config.invariant()?;
    emit_event(&ConfigChangeApplied {
        applied_by: ctx.accounts.caller.key(),
        change,
        eta,
        unix_timestamp: now,
    });
    emit_event(&ConfigUpdated::of(config, now));
    Ok(())
}
