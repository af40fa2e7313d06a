use anchor_lang::prelude::*;
use anchor_spl::{
    token::{Mint, Token, TokenAccount},
    token_interface::{self, Burn, TokenInterface},
};

use crate::{
    constants::TREASURY_SEED,
    events::{emit_event, BuybackExecuted},
    instructions::{
        buyback::introspection::{check_before_finish, BuybackKeys, TransactionInstructions},
        token::transfer,
    },
    math::{buyback::effective_price, price::usdc_per_ashao},
    state::{BuybackBalances, TreasuryConfig},
};

/// The second half of a buyback. The first seven accounts are in `begin_buyback`'s order.
#[derive(Accounts)]
pub struct FinishBuyback<'info> {
    pub crank: Signer<'info>,

    #[account(
        mut,
        seeds = [TREASURY_SEED],
        bump = config.bump,
        has_one = usdc_mint,
        has_one = ashao_mint,
        has_one = buyback_vault,
        has_one = ashao_token_program,
    )]
    pub config: Box<Account<'info, TreasuryConfig>>,

    #[account(mut)]
    pub buyback_vault: Box<Account<'info, TokenAccount>>,

    pub usdc_mint: Box<Account<'info, Mint>>,

    #[account(mut)]
    pub ashao_mint: Box<InterfaceAccount<'info, token_interface::Mint>>,

    #[account(mut, token::mint = usdc_mint, token::authority = crank)]
    pub crank_usdc: Box<Account<'info, TokenAccount>>,

    #[account(mut, token::mint = ashao_mint, token::authority = crank)]
    pub crank_ashao: Box<InterfaceAccount<'info, token_interface::TokenAccount>>,

    pub token_program: Program<'info, Token>,

    pub ashao_token_program: Interface<'info, TokenInterface>,

    /// CHECK: the instructions sysvar, by address.
    #[account(address = solana_instructions_sysvar::ID)]
    pub instructions_sysvar: UncheckedAccount<'info>,

    /// CHECK: the oracle's price account; its owner, layout, feed, verification, age and
    /// confidence are checked against the config's price guard in the handler.
    pub price_update: UncheckedAccount<'info>,
}

impl FinishBuyback<'_> {
    /// Top level, and closing the `begin_buyback` just before it in this transaction.
    pub fn validate_transaction(&self) -> Result<()> {
        let instructions = TransactionInstructions::top_level(&self.instructions_sysvar)?;
        let keys = BuybackKeys::new(
            &self.crank.to_account_info(),
            &self.config.to_account_info(),
            &self.crank_usdc.to_account_info(),
            &self.crank_ashao.to_account_info(),
        );
        check_before_finish(instructions.preceding(), &keys)
    }
}

#[access_control(ctx.accounts.validate_transaction())]
pub fn handler(ctx: Context<FinishBuyback>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &mut *ctx.accounts;
    let oracle = a.config.price_guard.read(&a.price_update, now)?;
    let (outcome, oracle_min_ashao_out) = a.config.finish_buyback(
        a.crank.key(),
        BuybackBalances {
            crank_usdc: a.crank_usdc.amount,
            crank_ashao: a.crank_ashao.amount,
            usdc_decimals: a.usdc_mint.decimals,
            ashao_decimals: a.ashao_mint.decimals,
        },
        &oracle,
        now,
    )?;

    token_interface::burn(
        CpiContext::new(
            a.ashao_token_program.key(),
            Burn {
                mint: a.ashao_mint.to_account_info(),
                from: a.crank_ashao.to_account_info(),
                authority: a.crank.to_account_info(),
            },
        ),
        outcome.ashao_received,
    )?;
    transfer(
        &a.token_program.to_account_info(),
        &a.crank_usdc.to_account_info(),
        &a.usdc_mint.to_account_info(),
        &a.buyback_vault.to_account_info(),
        &a.crank.to_account_info(),
        outcome.usdc_returned,
        a.usdc_mint.decimals,
        None,
    )?;

    let config = &a.config;
    config.invariant()?;
    emit_event(&BuybackExecuted {
        crank: a.crank.key(),
        usdc_spent: outcome.usdc_spent,
        usdc_returned: outcome.usdc_returned,
        ashao_burned: outcome.ashao_received,
        price_usdc_per_ashao: effective_price(
            outcome.usdc_spent,
            outcome.ashao_received,
            a.ashao_mint.decimals,
        )?,
        oracle_price: oracle.price,
        oracle_confidence: oracle.conf,
        oracle_exponent: oracle.exponent,
        oracle_publish_time: oracle.publish_time,
        oracle_price_usdc_per_ashao: usdc_per_ashao(
            oracle.price,
            oracle.exponent,
            a.usdc_mint.decimals,
        )?,
        oracle_min_ashao_out,
        buyback_bucket: config.buyback_bucket,
        total_buyback_usdc_spent: config.total_buyback_usdc_spent,
        total_ashao_burned: config.total_ashao_burned,
        buyback_count: config.buyback_count,
        unix_timestamp: now,
    });
    Ok(())
}
