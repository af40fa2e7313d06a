use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::{
    constants::TREASURY_SEED,
    errors::TreasuryError,
    events::{emit_event, RevenueDeposited, RevenueSource},
    instructions::token::transfer,
    state::TreasuryConfig,
};

#[derive(Accounts)]
pub struct DepositRevenue<'info> {
    /// Owner of `source`; anyone may pay revenue in.
    pub payer: Signer<'info>,

    #[account(
        mut,
        seeds = [TREASURY_SEED],
        bump = config.bump,
        has_one = usdc_mint,
        has_one = buyback_vault,
        has_one = rewards_vault,
    )]
    pub config: Box<Account<'info, TreasuryConfig>>,

    pub usdc_mint: Box<Account<'info, Mint>>,

    #[account(mut, token::mint = usdc_mint, token::authority = payer)]
    pub source: Box<Account<'info, TokenAccount>>,

    #[account(mut)]
    pub buyback_vault: Box<Account<'info, TokenAccount>>,

    #[account(mut)]
    pub rewards_vault: Box<Account<'info, TokenAccount>>,

    pub token_program: Program<'info, Token>,
}

impl DepositRevenue<'_> {
    pub fn validate(&self, amount: u64) -> Result<()> {
        require!(!self.config.paused, TreasuryError::Paused);
        require!(amount > 0, TreasuryError::ZeroAmount);
        require!(
            amount <= self.source.amount,
            TreasuryError::InsufficientBalance
        );
        Ok(())
    }
}

#[access_control(ctx.accounts.validate(amount))]
pub fn handler(ctx: Context<DepositRevenue>, amount: u64) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &mut *ctx.accounts;
    let (to_buyback, to_stakers) = a.config.add_revenue(amount, now)?;

    let token_program = a.token_program.to_account_info();
    let source = a.source.to_account_info();
    let mint = a.usdc_mint.to_account_info();
    let payer = a.payer.to_account_info();
    let decimals = a.usdc_mint.decimals;
    let buyback_vault = a.buyback_vault.to_account_info();
    let rewards_vault = a.rewards_vault.to_account_info();
    transfer(
        &token_program,
        &source,
        &mint,
        &buyback_vault,
        &payer,
        to_buyback,
        decimals,
        None,
    )?;
    transfer(
        &token_program,
        &source,
        &mint,
        &rewards_vault,
        &payer,
        to_stakers,
        decimals,
        None,
    )?;

    let config = &a.config;
    config.invariant()?;
    emit_event(&RevenueDeposited {
        source: RevenueSource::Deposit,
        payer: a.payer.key(),
        amount,
        to_buyback,
        to_stakers,
        total_revenue: config.total_revenue,
        buyback_bucket: config.buyback_bucket,
        stream_remaining: config.stream_remaining,
        stream_end_ts: config.stream_end_ts,
        total_rewards_released: config.total_rewards_released,
        total_staked: config.total_staked,
        unix_timestamp: now,
    });
    Ok(())
}
