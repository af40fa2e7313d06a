use anchor_lang::prelude::*;
use anchor_spl::{
    token_2022::ID as TOKEN_2022_ID,
    token_interface::{Mint, TokenAccount, TokenInterface},
};

use crate::{
    constants::{MAX_FEE_BPS, POOL_SEED, VAULT_SEED},
    errors::AmmError,
    events::{emit_event, PoolCreated},
    mint_policy::check_token_2022_mint,
    state::Pool,
};

#[derive(Accounts)]
pub struct CreatePool<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,

    #[account(
        init,
        payer = payer,
        space = 8 + Pool::INIT_SPACE,
        seeds = [POOL_SEED, mint_a.key().as_ref(), mint_b.key().as_ref()],
        bump,
    )]
    pub pool: Box<Account<'info, Pool>>,

    #[account(mint::token_program = token_program_a)]
    pub mint_a: Box<InterfaceAccount<'info, Mint>>,

    #[account(mint::token_program = token_program_b)]
    pub mint_b: Box<InterfaceAccount<'info, Mint>>,

    #[account(
        init,
        payer = payer,
        seeds = [VAULT_SEED, pool.key().as_ref(), mint_a.key().as_ref()],
        bump,
        token::mint = mint_a,
        token::authority = pool,
        token::token_program = token_program_a,
    )]
    pub vault_a: Box<InterfaceAccount<'info, TokenAccount>>,

    #[account(
        init,
        payer = payer,
        seeds = [VAULT_SEED, pool.key().as_ref(), mint_b.key().as_ref()],
        bump,
        token::mint = mint_b,
        token::authority = pool,
        token::token_program = token_program_b,
    )]
    pub vault_b: Box<InterfaceAccount<'info, TokenAccount>>,

    pub token_program_a: Interface<'info, TokenInterface>,
    pub token_program_b: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

impl CreatePool<'_> {
    fn validate(&self, fee_bps: u16) -> Result<()> {
        require_keys_neq!(self.mint_a.key(), self.mint_b.key(), AmmError::SameMint);
        require_gte!(MAX_FEE_BPS, fee_bps, AmmError::FeeTooHigh);
        for (mint, program) in [
            (&self.mint_a, &self.token_program_a),
            (&self.mint_b, &self.token_program_b),
        ] {
            if program.key() == TOKEN_2022_ID {
                check_token_2022_mint(&mint.to_account_info().try_borrow_data()?)?;
            }
        }
        Ok(())
    }
}

#[access_control(ctx.accounts.validate(fee_bps))]
pub fn handler(ctx: Context<CreatePool>, fee_bps: u16) -> Result<()> {
    let accounts = &ctx.accounts;
    let pool = Pool {
        mint_a: accounts.mint_a.key(),
        mint_b: accounts.mint_b.key(),
        vault_a: accounts.vault_a.key(),
        vault_b: accounts.vault_b.key(),
        token_program_a: accounts.token_program_a.key(),
        token_program_b: accounts.token_program_b.key(),
        fee_bps,
        bump: ctx.bumps.pool,
    };
    pool.invariant()?;
    emit_event(&PoolCreated {
        pool: accounts.pool.key(),
        mint_a: pool.mint_a,
        mint_b: pool.mint_b,
        vault_a: pool.vault_a,
        vault_b: pool.vault_b,
        fee_bps,
    });
    ctx.accounts.pool.set_inner(pool);
    Ok(())
}
