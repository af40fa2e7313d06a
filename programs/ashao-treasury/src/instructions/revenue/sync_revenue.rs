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

/// USDC in a vault beyond what the treasury accounts for there.
fn excess(balance: u64, expected: u64) -> Result<u64> {
    Ok(balance
        .checked_sub(expected)
        .ok_or(TreasuryError::VaultShortfall)?)
}

#[access_control(ctx.accounts.validate())]
pub fn handler(ctx: Context<SyncRevenue>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &mut *ctx.accounts;
    // Accrual moves value from the stream to "released", both inside the rewards vault, so the
    // expected balances do not depend on it.
    let buyback_excess = excess(a.buyback_vault.amount, a.config.buyback_bucket)?;
    let rewards_excess = excess(a.rewards_vault.amount, a.config.rewards_vault_expected()?)?;
    let amount = buyback_excess
        .checked_add(rewards_excess)
        .ok_or(TreasuryError::MathOverflow)?;
    require!(amount > 0, TreasuryError::NothingToSync);

    let (to_buyback, to_stakers) = a.config.add_revenue(amount, now)?;

    // Rebalance so each vault holds what it should.
    let token_program = a.token_program.to_account_info();
    let mint = a.usdc_mint.to_account_info();
    let decimals = a.usdc_mint.decimals;
    let config_info = a.config.to_account_info();
    let bump = Some(a.config.bump);
    let buyback_vault = a.buyback_vault.to_account_info();
    let rewards_vault = a.rewards_vault.to_account_info();
    if buyback_excess > to_buyback {
        let moved = buyback_excess
            .checked_sub(to_buyback)
            .ok_or(TreasuryError::MathOverflow)?;
        transfer(
            &token_program,
            &buyback_vault,
            &mint,
            &rewards_vault,
            &config_info,
            moved,
            decimals,
            bump,
        )?;
    } else {
        let moved = to_buyback
            .checked_sub(buyback_excess)
            .ok_or(TreasuryError::MathOverflow)?;
        transfer(
            &token_program,
            &rewards_vault,
            &mint,
            &buyback_vault,
            &config_info,
            moved,
            decimals,
            bump,
        )?;
    }

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
