use anchor_lang::prelude::*;

use crate::{
    constants::{POSITION_SEED, TREASURY_SEED},
    errors::TreasuryError,
    events::{emit_event, PositionClosed},
    state::{StakePosition, TreasuryConfig},
};

#[derive(Accounts)]
pub struct ClosePosition<'info> {
    /// Receives the rent.
    #[account(mut)]
    pub owner: Signer<'info>,

    #[account(seeds = [TREASURY_SEED], bump = config.bump)]
    pub config: Box<Account<'info, TreasuryConfig>>,

    #[account(
        mut,
        close = owner,
        seeds = [POSITION_SEED, owner.key().as_ref()],
        bump = position.bump,
        has_one = owner @ TreasuryError::PositionOwnerMismatch,
        constraint = position.is_empty() @ TreasuryError::PositionNotEmpty,
    )]
    pub position: Box<Account<'info, StakePosition>>,
}

/// With nothing staked the position earns nothing, so an empty position has nothing left to
/// settle.
pub fn handler(ctx: Context<ClosePosition>) -> Result<()> {
    emit_event(&PositionClosed {
        owner: ctx.accounts.owner.key(),
        position: ctx.accounts.position.key(),
        staker_count: ctx.accounts.config.staker_count,
        unix_timestamp: Clock::get()?.unix_timestamp,
    });
    Ok(())
}
