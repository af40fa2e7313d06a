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
    let revenue = RevenueTransfer {
        token_program: a.token_program.to_account_info(),
        source: a.source.to_account_info(),
        mint: a.usdc_mint.to_account_info(),
        payer: a.payer.to_account_info(),
        buyback_vault: a.buyback_vault.to_account_info(),
        rewards_vault: a.rewards_vault.to_account_info(),
        decimals: a.usdc_mint.decimals,
    };
    pay_revenue(&mut a.config, &revenue, amount, RevenueSource::Deposit, now)
}

/// Where revenue comes from and goes: `source`, signed by `payer`, into the two USDC vaults.
pub struct RevenueTransfer<'info> {
    pub token_program: AccountInfo<'info>,
    pub source: AccountInfo<'info>,
    pub mint: AccountInfo<'info>,
    pub payer: AccountInfo<'info>,
    pub buyback_vault: AccountInfo<'info>,
    pub rewards_vault: AccountInfo<'info>,
    pub decimals: u8,
}

/// The revenue path of `deposit_revenue` and `settle_usage`: books `amount` (split 50/50, the
/// odd unit to buyback), moves each half from the payer's account into its vault, checks the
/// config's invariant and emits `RevenueDeposited` from `source`.
pub fn pay_revenue(
    config: &mut TreasuryConfig,
    accounts: &RevenueTransfer<'_>,
    amount: u64,
    source: RevenueSource,
    now: i64,
) -> Result<()> {
    let (to_buyback, to_stakers) = config.add_revenue(amount, now)?;
    for (vault, part) in [
        (&accounts.buyback_vault, to_buyback),
        (&accounts.rewards_vault, to_stakers),
    ] {
        transfer(
            &accounts.token_program,
            &accounts.source,
            &accounts.mint,
            vault,
            &accounts.payer,
            part,
            accounts.decimals,
            None,
        )?;
    }
    config.invariant()?;
    emit_event(&RevenueDeposited {
        source,
        payer: accounts.payer.key(),
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
