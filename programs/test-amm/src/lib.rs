//! # TEST INFRASTRUCTURE ONLY
//!
//! A minimal constant-product AMM that stands in for the DEXes Jupiter routes through, so the
//! buyback crank can be exercised end to end on localnet: `app/jupiter-local` answers Jupiter's
//! Swap API v6 with quotes and swap instructions for these pools. It has no LP shares, no
//! withdrawals and no admin; it must never be deployed to devnet or mainnet.
//!
//! One pool per ordered mint pair (PDA `["pool", mint_a, mint_b]`), two vaults owned by the pool
//! PDA (`["vault", pool, mint]`). Either mint may be SPL Token or Token-2022 (without fee or hook
//! extensions). Swaps are exact-in, `x * y = k`, with a fee fixed at creation that stays in the
//! pool; the math is in [`math::quote_exact_in`].

use anchor_lang::prelude::*;

pub mod constants;
pub mod errors;
pub mod events;
pub mod instructions;
pub mod math;
pub mod mint_policy;
pub mod state;

use instructions::*;

declare_id!("7ry4sDTtg6jjwP2ZcgcWfzFafP4Le9sDKxEp8zHNJwcN");

#[program]
pub mod test_amm {
    use super::*;

    /// Creates the pool PDA for (mint_a, mint_b) and its two vaults. Caller: anyone (pays rent).
    /// Params: `fee_bps`, the swap fee (at most 1_000). Errors: `SameMint`, `FeeTooHigh`,
    /// `UnsupportedMintExtension`; a second call for the same ordered pair fails (account exists).
    pub fn create_pool(ctx: Context<CreatePool>, fee_bps: u16) -> Result<()> {
        instructions::create_pool::handler(ctx, fee_bps)
    }

    /// Deposits `amount_a` of mint_a and `amount_b` of mint_b into the vaults. Caller: anyone
    /// holding both tokens; there are no LP shares and the deposit cannot be withdrawn.
    /// Errors: `ZeroAmount`, `WrongMint` / `WrongVault` / `WrongTokenProgram`.
    pub fn add_liquidity(ctx: Context<AddLiquidity>, amount_a: u64, amount_b: u64) -> Result<()> {
        instructions::add_liquidity::handler(ctx, amount_a, amount_b)
    }

    /// Swaps exactly `amount_in` of the input mint for at least `minimum_amount_out` of the
    /// other mint. Caller: the owner of `user_source`. Errors: `ZeroAmount`, `EmptyPool`,
    /// `ZeroAmountOut`, `SlippageExceeded`, `WrongMint`, `WrongVault`, `WrongTokenProgram`.
    pub fn swap(ctx: Context<Swap>, amount_in: u64, minimum_amount_out: u64) -> Result<()> {
        instructions::swap::handler(ctx, amount_in, minimum_amount_out)
    }
}
