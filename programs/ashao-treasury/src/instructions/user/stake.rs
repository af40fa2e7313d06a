use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::{
    constants::{POSITION_SEED, TREASURY_SEED},
    errors::TreasuryError,
    events::{emit_event, Staked},
    instructions::token::transfer,
    state::{StakePosition, TreasuryConfig},
};

/// The position is created on the first stake (`init_if_needed`): a wallet stakes in one
/// signature, with no separate "open" step. This is safe here because the position is a PDA of
/// the owner's key (nobody can create it for another owner with other contents), Anchor checks
/// the discriminator and program ownership of an existing one, and the handler fills `owner` and
/// `bump` only when the account is fresh. A closed position is simply created again.
#[derive(Accounts)]
pub struct Stake<'info> {
    #[account(mut)]
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
        init_if_needed,
        payer = owner,
        space = 8 + StakePosition::INIT_SPACE,
        seeds = [POSITION_SEED, owner.key().as_ref()],
        bump,
    )]
    pub position: Box<Account<'info, StakePosition>>,

    #[account(mint::token_program = token_program)]
    pub ashao_mint: Box<InterfaceAccount<'info, Mint>>,

    /// The owner's $ASHAO account the stake comes from.
    #[account(
        mut,
        token::mint = ashao_mint,
        token::authority = owner,
        token::token_program = token_program,
    )]
    pub owner_ashao: Box<InterfaceAccount<'info, TokenAccount>>,

    #[account(mut)]
    pub stake_vault: Box<InterfaceAccount<'info, TokenAccount>>,

    #[account(address = config.ashao_token_program)]
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

impl Stake<'_> {
    pub fn validate(&self, amount: u64) -> Result<()> {
        require!(!self.config.paused, TreasuryError::Paused);
        require!(amount > 0, TreasuryError::ZeroAmount);
        require!(
            amount <= self.owner_ashao.amount,
            TreasuryError::InsufficientBalance
        );
        Ok(())
    }
}

#[access_control(ctx.accounts.validate(amount))]
pub fn handler(ctx: Context<Stake>, amount: u64) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &mut *ctx.accounts;
    let config = &mut a.config;
    let position = &mut a.position;
    if position.owner == Pubkey::default() {
        position.owner = a.owner.key();
        position.bump = ctx.bumps.position;
        position.reward_checkpoint = config.acc_reward_per_share;
    }
    require_keys_eq!(
        position.owner,
        a.owner.key(),
        TreasuryError::PositionOwnerMismatch
    );

    config.stake(position, amount, now)?;

    transfer(
        &a.token_program.to_account_info(),
        &a.owner_ashao.to_account_info(),
        &a.ashao_mint.to_account_info(),
        &a.stake_vault.to_account_info(),
        &a.owner.to_account_info(),
        amount,
        a.ashao_mint.decimals,
        None,
    )?;

    let config = &a.config;
    let position = &a.position;
    position.invariant(config.acc_reward_per_share)?;
    config.invariant()?;
    emit_event(&Staked {
        owner: position.owner,
        amount,
        position_staked: position.staked,
        position_unstaking: position.unstaking,
        position_rewards_owed: position.owed_rewards,
        position_boost_warmup_amount: position.boost_warmup_amount,
        position_boost_warmup_ends_at: position.boost_warmup_ends_at,
        total_staked: config.total_staked,
        total_unstaking: config.total_unstaking,
        staker_count: config.staker_count,
        acc_reward_per_share: config.acc_reward_per_share,
        unix_timestamp: now,
    });
    Ok(())
}
