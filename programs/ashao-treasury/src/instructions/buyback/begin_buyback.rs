use anchor_lang::prelude::*;
use anchor_spl::{
    token::{Mint, Token, TokenAccount},
    token_interface,
};

use crate::{
    constants::TREASURY_SEED,
    instructions::{
        buyback::introspection::{
            check_after_begin, BetweenPolicy, BuybackKeys, TransactionInstructions,
        },
        token::transfer,
    },
    state::TreasuryConfig,
};

/// The first half of a buyback. The first seven accounts are listed in the same order by
/// `finish_buyback` (see `BUYBACK_*_ACCOUNT_INDEX`).
#[derive(Accounts)]
pub struct BeginBuyback<'info> {
    /// A crank operator on the allow-list; receives the USDC for the swap in `crank_usdc`.
    pub crank: Signer<'info>,

    #[account(
        mut,
        seeds = [TREASURY_SEED],
        bump = config.bump,
        has_one = usdc_mint,
        has_one = ashao_mint,
        has_one = buyback_vault,
    )]
    pub config: Box<Account<'info, TreasuryConfig>>,

    #[account(mut)]
    pub buyback_vault: Box<Account<'info, TokenAccount>>,

    pub usdc_mint: Box<Account<'info, Mint>>,

    pub ashao_mint: Box<InterfaceAccount<'info, token_interface::Mint>>,

    #[account(mut, token::mint = usdc_mint, token::authority = crank)]
    pub crank_usdc: Box<Account<'info, TokenAccount>>,

    #[account(token::mint = ashao_mint, token::authority = crank)]
    pub crank_ashao: Box<InterfaceAccount<'info, token_interface::TokenAccount>>,

    pub token_program: Program<'info, Token>,

    /// CHECK: the instructions sysvar, by address.
    #[account(address = solana_instructions_sysvar::ID)]
    pub instructions_sysvar: UncheckedAccount<'info>,
}

impl BeginBuyback<'_> {
    /// The transaction must run this at the top level and close it with a matching
    /// `finish_buyback`, with only allow-listed, treasury-blind instructions in between.
    pub fn validate_transaction(&self) -> Result<()> {
        let instructions = TransactionInstructions::top_level(&self.instructions_sysvar)?;
        let keys = BuybackKeys::new(
            &self.crank.to_account_info(),
            &self.config.to_account_info(),
            &self.crank_usdc.to_account_info(),
            &self.crank_ashao.to_account_info(),
        );
        let treasury_accounts = [
            self.config.key(),
            self.config.buyback_vault,
            self.config.rewards_vault,
            self.config.stake_vault,
        ];
        let policy = BetweenPolicy {
            swap_program: self.config.swap_program,
            treasury_accounts: &treasury_accounts,
        };
        check_after_begin(instructions.following(), &keys, &policy)
    }
}

#[access_control(ctx.accounts.validate_transaction())]
pub fn handler(ctx: Context<BeginBuyback>, usdc_amount: u64, min_ashao_out: u64) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let a = &mut *ctx.accounts;
    a.config.begin_buyback(
        a.crank.key(),
        usdc_amount,
        min_ashao_out,
        a.crank_usdc.amount,
        a.crank_ashao.amount,
        now,
    )?;
    transfer(
        &a.token_program.to_account_info(),
        &a.buyback_vault.to_account_info(),
        &a.usdc_mint.to_account_info(),
        &a.crank_usdc.to_account_info(),
        &a.config.to_account_info(),
        usdc_amount,
        a.usdc_mint.decimals,
        Some(a.config.bump),
    )?;
    // The books change in finish_buyback; until then the config is mid-buyback by design, so its
    // invariant (which does not involve the snapshot) still holds.
    a.config.invariant()?;
    Ok(())
}
