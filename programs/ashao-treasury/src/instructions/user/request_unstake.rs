use anchor_lang::prelude::*;

use crate::{
    constants::{POSITION_SEED, TREASURY_SEED},
    errors::TreasuryError,
    events::{emit_event, UnstakeRequested},
    state::{StakePosition, TreasuryConfig},
};

#[derive(Accounts)]
pub struct RequestUnstake<'info> {
    pub owner: Signer<'info>,

    #[account(mut, seeds = [TREASURY_SEED], bump = config.bump)]
    pub config: Box<Account<'info, TreasuryConfig>>,

    #[account(
        mut,
        seeds = [POSITION_SEED, owner.key().as_ref()],
        bump = position.bump,
        has_one = owner @ TreasuryError::PositionOwnerMismatch,
    )]
    pub position: Box<Account<'info, StakePosition>>,
}

/// Allowed while paused. Each request gets its own ticket and cooldown; an earlier request
/// matures when it would have, whatever comes after it. `TreasuryConfig::request_unstake`
/// refuses a zero amount and more than is staked before it changes anything.
pub fn handler(ctx: Context<RequestUnstake>, amount: u64) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let config = &mut ctx.accounts.config;
    let position = &mut ctx.accounts.position;

    let available_at = config.request_unstake(position, amount, now)?;

    position.invariant(config.acc_reward_per_share)?;
    config.invariant()?;
    emit_event(&UnstakeRequested {
        owner: position.owner,
        amount,
        position_staked: position.staked,
        position_unstaking: position.unstaking,
        position_rewards_owed: position.owed_rewards,
        position_boost_warmup_amount: position.boost_warmup_amount,
        position_boost_warmup_ends_at: position.boost_warmup_ends_at,
        available_at,
        position_tickets: position.active_tickets().to_vec(),
        total_staked: config.total_staked,
        total_unstaking: config.total_unstaking,
        staker_count: config.staker_count,
        acc_reward_per_share: config.acc_reward_per_share,
        unix_timestamp: now,
    });
    Ok(())
}
