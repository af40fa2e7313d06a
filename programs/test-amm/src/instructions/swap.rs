use anchor_lang::prelude::*;
use anchor_spl::token_interface::{
    transfer_checked, Mint, TokenAccount, TokenInterface, TransferChecked,
};

use crate::{
    constants::POOL_SEED,
    errors::AmmError,
    events::{emit_event, Swapped},
    math::quote_exact_in,
    state::Pool,
};

/// The accounts of a swap, in the order the local Jupiter server lists them.
#[derive(Accounts)]
pub struct Swap<'info> {
    /// The user: owner (or delegate) of `user_source`.
    pub user: Signer<'info>,

    #[account(seeds = [POOL_SEED, pool.mint_a.as_ref(), pool.mint_b.as_ref()], bump = pool.bump)]
    pub pool: Box<Account<'info, Pool>>,

    #[account(mint::token_program = input_token_program)]
    pub input_mint: Box<InterfaceAccount<'info, Mint>>,
    #[account(mint::token_program = output_token_program)]
    pub output_mint: Box<InterfaceAccount<'info, Mint>>,

    #[account(
        mut,
        token::mint = input_mint,
        token::token_program = input_token_program,
    )]
    pub user_source: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(
        mut,
        token::mint = output_mint,
        token::token_program = output_token_program,
    )]
    pub user_destination: Box<InterfaceAccount<'info, TokenAccount>>,

    /// The pool's vault of the input mint.
    #[account(mut)]
    pub pool_source_vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The pool's vault of the output mint.
    #[account(mut)]
    pub pool_destination_vault: Box<InterfaceAccount<'info, TokenAccount>>,

    pub input_token_program: Interface<'info, TokenInterface>,
    pub output_token_program: Interface<'info, TokenInterface>,
}

impl Swap<'_> {
    fn validate(&self, amount_in: u64) -> Result<()> {
        require!(amount_in > 0, AmmError::ZeroAmount);
        let (input, output) = self
            .pool
            .sides(&self.input_mint.key(), &self.output_mint.key())?;
        require_keys_eq!(
            self.pool_source_vault.key(),
            input.vault,
            AmmError::WrongVault
        );
        require_keys_eq!(
            self.pool_destination_vault.key(),
            output.vault,
            AmmError::WrongVault
        );
        require_keys_eq!(
            self.input_token_program.key(),
            input.token_program,
            AmmError::WrongTokenProgram
        );
        require_keys_eq!(
            self.output_token_program.key(),
            output.token_program,
            AmmError::WrongTokenProgram
        );
        Ok(())
    }
}

#[access_control(ctx.accounts.validate(amount_in))]
pub fn handler(ctx: Context<Swap>, amount_in: u64, minimum_amount_out: u64) -> Result<()> {
    let a = &ctx.accounts;
    let quote = quote_exact_in(
        a.pool_source_vault.amount,
        a.pool_destination_vault.amount,
        amount_in,
        a.pool.fee_bps,
    )?;
    require_gte!(
        quote.amount_out,
        minimum_amount_out,
        AmmError::SlippageExceeded
    );

    transfer_checked(
        CpiContext::new(
            a.input_token_program.key(),
            TransferChecked {
                from: a.user_source.to_account_info(),
                mint: a.input_mint.to_account_info(),
                to: a.pool_source_vault.to_account_info(),
                authority: a.user.to_account_info(),
            },
        ),
        amount_in,
        a.input_mint.decimals,
    )?;

    let mint_a = a.pool.mint_a;
    let mint_b = a.pool.mint_b;
    let bump = [a.pool.bump];
    let signer_seeds: &[&[&[u8]]] = &[&[POOL_SEED, mint_a.as_ref(), mint_b.as_ref(), &bump]];
    transfer_checked(
        CpiContext::new_with_signer(
            a.output_token_program.key(),
            TransferChecked {
                from: a.pool_destination_vault.to_account_info(),
                mint: a.output_mint.to_account_info(),
                to: a.user_destination.to_account_info(),
                authority: a.pool.to_account_info(),
            },
            signer_seeds,
        ),
        quote.amount_out,
        a.output_mint.decimals,
    )?;

    ctx.accounts.pool_source_vault.reload()?;
    ctx.accounts.pool_destination_vault.reload()?;
    let a = &ctx.accounts;
    a.pool.invariant()?;
    emit_event(&Swapped {
        pool: a.pool.key(),
        user: a.user.key(),
        input_mint: a.input_mint.key(),
        output_mint: a.output_mint.key(),
        amount_in,
        fee_amount: quote.fee_amount,
        amount_out: quote.amount_out,
        reserve_in: a.pool_source_vault.amount,
        reserve_out: a.pool_destination_vault.amount,
    });
    Ok(())
}
