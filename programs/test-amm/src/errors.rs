//! Every rejection is a named error with a message a person can act on.

use anchor_lang::prelude::*;

#[error_code]
#[derive(PartialEq, Eq)]
pub enum AmmError {
    #[msg("A pool needs two different mints")]
    SameMint,
    #[msg("fee_bps exceeds the 1_000 bps (10%) maximum")]
    FeeTooHigh,
    #[msg("Token-2022 mint carries an extension the test AMM does not support (fees, hooks, ...)")]
    UnsupportedMintExtension,
    #[msg("Amount must be greater than zero")]
    ZeroAmount,
    #[msg("The pool holds no liquidity on one side; add liquidity first")]
    EmptyPool,
    #[msg("The swap would return zero tokens; swap a larger amount")]
    ZeroAmountOut,
    #[msg("Slippage exceeded: the swap returns less than minimum_amount_out")]
    SlippageExceeded,
    #[msg("Mint is not one of the pool's two mints, or input and output are the same mint")]
    WrongMint,
    #[msg("Vault is not the pool's vault for that mint")]
    WrongVault,
    #[msg("Token program does not own the given mint")]
    WrongTokenProgram,
    #[msg("Arithmetic overflow in the swap math")]
    MathOverflow,
}
