use anchor_lang::prelude::*;
use anchor_spl::token_interface::{
    transfer_checked, Mint, TokenAccount, TokenInterface, TransferChecked,
};

use crate::{
    constants::POOL_SEED,
    errors::AmmError,
    events::{emit_event, LiquidityAdded},
    state::Pool,
};

#[derive(Accounts)]
pub struct AddLiquidity<'info> {
    pub provider: Signer<'info>,

    #[account(
        seeds = [POOL_SEED, pool.mint_a.as_ref(), pool.mint_b.as_ref()],
        bump = pool.bump,
        has_one = mint_a @ AmmError::WrongMint,
        has_one = mint_b @ AmmError::WrongMint,
        has_one = vault_a @ AmmError::WrongVault,
        has_one = vault_b @ AmmError::WrongVault,
        has_one = token_program_a @ AmmError::WrongTokenProgram,
        has_one = token_program_b @ AmmError::WrongTokenProgram,
    )]
    pub pool: Box<Account<'info, Pool>>,

    pub mint_a: Box<InterfaceAccount<'info, Mint>>,
    pub mint_b: Box<InterfaceAccount<'info, Mint>>,

    #[account(mut)]
    pub vault_a: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut)]
    pub vault_b: Box<InterfaceAccount<'info, TokenAccount>>,

    /// The provider's token accounts; the token program checks mint and authority.
    #[account(mut, token::mint = mint_a, token::token_program = token_program_a)]
    pub provider_a: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut, token::mint = mint_b, token::token_program = token_program_b)]
    pub provider_b: Box<InterfaceAccount<'info, TokenAccount>>,

    pub token_program_a: Interface<'info, TokenInterface>,
    pub token_program_b: Interface<'info, TokenInterface>,
}

impl AddLiquidity<'_> {
    fn validate(&self, amount_a: u64, amount_b: u64) -> Result<()> {
        require!(amount_a > 0 && amount_b > 0, AmmError::ZeroAmount);
        Ok(())
    }
}

#[access_control(ctx.accounts.validate(amount_a, amount_b))]
pub fn handler(ctx: Context<AddLiquidity>, amount_a: u64, amount_b: u64) -> Result<()> {
    let a = &ctx.accounts;
    for (amount, from, mint, to, program) in [
        (
            amount_a,
            &a.provider_a,
            &a.mint_a,
            &a.vault_a,
            &a.token_program_a,
        ),
        (
            amount_b,
            &a.provider_b,
            &a.mint_b,
            &a.vault_b,
            &a.token_program_b,
        ),
    ] {
        transfer_checked(
            CpiContext::new(
                program.key(),
                TransferChecked {
                    from: from.to_account_info(),
                    mint: mint.to_account_info(),
                    to: to.to_account_info(),
                    authority: a.provider.to_account_info(),
                },
            ),
            amount,
            mint.decimals,
        )?;
    }
    ctx.accounts.vault_a.reload()?;
    ctx.accounts.vault_b.reload()?;
    let a = &ctx.accounts;
    a.pool.invariant()?;
    emit_event(&LiquidityAdded {
        pool: a.pool.key(),
        provider: a.provider.key(),
        amount_a,
        amount_b,
        reserve_a: a.vault_a.amount,
        reserve_b: a.vault_b.amount,
    });
    Ok(())
}
