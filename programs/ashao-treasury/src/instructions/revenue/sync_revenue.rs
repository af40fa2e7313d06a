use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};

use crate::{
    constants::TREASURY_SEED,
    errors::TreasuryError,
    events::{emit_event, RevenueDeposited, RevenueSource},
    instructions::token::transfer,
    state::{Rebalance, SyncOutcome, TreasuryConfig},
};

#[derive(Accounts)]
pub struct SyncRevenue<'info> {
    /// Anyone; recorded as the payer in the event.
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

    #[account(mut)]
    pub buyback_vault: Box<Account<'info, TokenAccount>>,

    #[account(mut)]
    pub rewards_vault: Box<Account<'info, TokenAccount>>,

    pub token_program: Program<'info, Token>,
}

impl SyncRevenue<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(!self.config.paused, TreasuryError::Paused);
        Ok(())
    }
}

#[access_control(ctx.accounts.validate())]
pub fn handler(ctx: Context<SyncRevenue>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &mut *ctx.accounts;
    let SyncOutcome {
        amount,
        to_buyback,
        to_stakers,
        rebalance,
    } = a
        .config
        .sync(a.buyback_vault.amount, a.rewards_vault.amount, now)?;

    // Rebalance so each vault holds what it should.
    let token_program = a.token_program.to_account_info();
    let mint = a.usdc_mint.to_account_info();
    let decimals = a.usdc_mint.decimals;
    let config_info = a.config.to_account_info();
    let bump = Some(a.config.bump);
    let buyback_vault = a.buyback_vault.to_account_info();
    let rewards_vault = a.rewards_vault.to_account_info();
    let (from, to, moved) = match rebalance {
        Rebalance::BuybackToRewards(moved) => (&buyback_vault, &rewards_vault, moved),
        Rebalance::RewardsToBuyback(moved) => (&rewards_vault, &buyback_vault, moved),
    };
    transfer(
        &token_program,
        from,
        &mint,
        to,
        &config_info,
        moved,
        decimals,
        bump,
    )?;

    a.buyback_vault.reload()?;
    a.rewards_vault.reload()?;
    let config = &a.config;
    require!(
        a.buyback_vault.amount == config.buyback_bucket
            && a.rewards_vault.amount == config.rewards_vault_expected()?,
        TreasuryError::InvariantViolated
    );
    config.invariant()?;
    emit_event(&RevenueDeposited {
        source: RevenueSource::Sync,
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
