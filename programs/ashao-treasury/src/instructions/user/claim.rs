use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::{
    constants::{POSITION_SEED, TREASURY_SEED},
    errors::TreasuryError,
    events::{emit_event, RewardsClaimed},
    instructions::token::transfer,
    state::{StakePosition, TreasuryConfig},
};

#[derive(Accounts)]
pub struct Claim<'info> {
    pub owner: Signer<'info>,

    #[account(
        mut,
        seeds = [TREASURY_SEED],
        bump = config.bump,
        has_one = usdc_mint,
        has_one = rewards_vault,
    )]
    pub config: Box<Account<'info, TreasuryConfig>>,

    #[account(
        mut,
        seeds = [POSITION_SEED, owner.key().as_ref()],
        bump = position.bump,
        has_one = owner @ TreasuryError::PositionOwnerMismatch,
    )]
    pub position: Box<Account<'info, StakePosition>>,

    pub usdc_mint: Box<Account<'info, Mint>>,

    /// Where the USDC goes (any USDC account; the owner signs).
    #[account(
        mut,
        token::mint = usdc_mint,
        constraint = destination.key() != rewards_vault.key()
            && destination.key() != config.buyback_vault @ TreasuryError::InvalidDestination,
    )]
    pub destination: Box<Account<'info, TokenAccount>>,

    #[account(mut)]
    pub rewards_vault: Box<Account<'info, TokenAccount>>,

    pub token_program: Program<'info, Token>,
}

/// Allowed while paused.
pub fn handler(ctx: Context<Claim>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &mut *ctx.accounts;
    let amount = a.config.claim(&mut a.position, now)?;

    transfer(
        &a.token_program.to_account_info(),
        &a.rewards_vault.to_account_info(),
        &a.usdc_mint.to_account_info(),
        &a.destination.to_account_info(),
        &a.config.to_account_info(),
        amount,
        a.usdc_mint.decimals,
        Some(a.config.bump),
    )?;

    let config = &a.config;
    let position = &a.position;
    position.invariant(config.acc_reward_per_share)?;
    config.invariant()?;
    emit_event(&RewardsClaimed {
        owner: position.owner,
        amount,
        position_staked: position.staked,
        position_total_claimed: position.total_claimed,
        total_rewards_released: config.total_rewards_released,
        total_rewards_claimed: config.total_rewards_claimed,
        stream_remaining: config.stream_remaining,
        total_staked: config.total_staked,
        acc_reward_per_share: config.acc_reward_per_share,
        unix_timestamp: now,
    });
    Ok(())
}
