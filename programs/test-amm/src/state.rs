//! The pool account.

use anchor_lang::prelude::*;

use crate::{constants::MAX_FEE_BPS, errors::AmmError};

/// A constant-product pool for one (mint_a, mint_b) pair. Reserves are the vault balances; there
/// are no LP shares (liquidity is test fixture money and is never withdrawn).
#[account]
#[derive(InitSpace, Debug)]
pub struct Pool {
    pub mint_a: Pubkey,
    pub mint_b: Pubkey,
    pub vault_a: Pubkey,
    pub vault_b: Pubkey,
    pub token_program_a: Pubkey,
    pub token_program_b: Pubkey,
    /// Swap fee in basis points of the input amount, fixed at creation; it stays in the pool.
    pub fee_bps: u16,
    pub bump: u8,
}

/// One side of a swap as the pool sees it.
pub struct Side {
    pub vault: Pubkey,
    pub token_program: Pubkey,
}

impl Pool {
    pub fn invariant(&self) -> Result<()> {
        require_keys_neq!(self.mint_a, self.mint_b, AmmError::SameMint);
        require_gte!(MAX_FEE_BPS, self.fee_bps, AmmError::FeeTooHigh);
        Ok(())
    }

    /// The (input, output) sides for a swap from `input_mint` to `output_mint`.
    pub fn sides(&self, input_mint: &Pubkey, output_mint: &Pubkey) -> Result<(Side, Side)> {
        let a = Side {
            vault: self.vault_a,
            token_program: self.token_program_a,
        };
        let b = Side {
            vault: self.vault_b,
            token_program: self.token_program_b,
        };
        if *input_mint == self.mint_a && *output_mint == self.mint_b {
            Ok((a, b))
        } else if *input_mint == self.mint_b && *output_mint == self.mint_a {
            Ok((b, a))
        } else {
            err!(AmmError::WrongMint)
        }
    }
}
