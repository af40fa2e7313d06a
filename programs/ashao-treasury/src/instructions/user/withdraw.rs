use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::{
    constants::{POSITION_SEED, TREASURY_SEED},
    errors::TreasuryError,
    events::{emit_event, Withdrawn},
    instructions::token::transfer,
    state::{StakePosition, TreasuryConfig},
};

#[derive(Accounts)]
pub struct Withdraw<'info> {
    pub owner: Signer<'info>,

    #[account(
        mut,
        seeds = [TREASURY_SEED],
        bump = config.bump,
        has_one = ashao_mint,
        has_one = stake_vault,
    )]
    pub config: Box<Account<'info, TreasuryConfig>>,

    #[account(
        mut,
        seeds = [POSITION_SEED, owner.key().as_ref()],
        bump = position.bump,
        has_one = owner @ TreasuryError::PositionOwnerMismatch,
    )]
    pub position: Box<Account<'info, StakePosition>>,

    #[account(mint::token_program = token_program)]
    pub ashao_mint: Box<InterfaceAccount<'info, Mint>>,

    /// Where the principal goes (any $ASHAO account; the owner signs).
    #[account(
        mut,
        token::mint = ashao_mint,
        token::token_program = token_program,
        constraint = destination.key() != stake_vault.key() @ TreasuryError::InvalidDestination,
    )]
    pub destination: Box<InterfaceAccount<'info, TokenAccount>>,

    #[account(mut)]
    pub stake_vault: Box<InterfaceAccount<'info, TokenAccount>>,

    #[account(address = config.ashao_token_program)]
    pub token_program: Interface<'info, TokenInterface>,
}

/// Allowed while paused. Takes every ticket whose cooldown has passed; the rest keep cooling.
/// `TreasuryConfig::withdraw` refuses a position with nothing unstaking or nothing matured
/// before it changes anything.
pub fn handler(ctx: Context<Withdraw>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &mut *ctx.accounts;
    let amount = a.config.withdraw(&mut a.position, now)?;

    transfer(
        &a.token_program.to_account_info(),
        &a.stake_vault.to_account_info(),
        &a.ashao_mint.to_account_info(),
        &a.destination.to_account_info(),
        &a.config.to_account_info(),
        amount,
        a.ashao_mint.decimals,
        Some(a.config.bump),
    )?;

    let config = &a.config;
    let position = &a.position;
    position.invariant(config.acc_reward_per_share)?;
    config.invariant()?;
    emit_event(&Withdrawn {
        owner: position.owner,
        amount,
        position_staked: position.staked,
        position_unstaking: position.unstaking,
        position_tickets: position.active_tickets().to_vec(),
        total_staked: config.total_staked,
        total_unstaking: config.total_unstaking,
        unix_timestamp: now,
    });
    Ok(())
}
