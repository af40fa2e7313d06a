//! Events, past tense, logged as `Program data: <base64>` on SBF and on the host.

use anchor_lang::prelude::*;

/// Logs an event as `Program data: <base64>` on SBF and on the host.
///
/// anchor-lang 1.2.2's `emit!` is a no-op when compiled for the host (its `sol_log_data` is a
/// `black_box` there), and the local validator runs this program natively. On the host we go
/// through `solana_sysvar::program_stubs`, which the validator routes into the transaction logs.
pub fn emit_event<E: anchor_lang::Event>(event: &E) {
    let data = event.data();
    #[cfg(target_os = "solana")]
    anchor_lang::solana_program::log::sol_log_data(&[&data]);
    #[cfg(not(target_os = "solana"))]
    solana_sysvar::program_stubs::sol_log_data(&[&data]);
}

#[event]
pub struct PoolCreated {
    pub pool: Pubkey,
    pub mint_a: Pubkey,
    pub mint_b: Pubkey,
    pub vault_a: Pubkey,
    pub vault_b: Pubkey,
    pub fee_bps: u16,
}

#[event]
pub struct LiquidityAdded {
    pub pool: Pubkey,
    pub provider: Pubkey,
    pub amount_a: u64,
    pub amount_b: u64,
    /// Vault balances after the deposit.
    pub reserve_a: u64,
    pub reserve_b: u64,
}

#[event]
pub struct Swapped {
    pub pool: Pubkey,
    pub user: Pubkey,
    pub input_mint: Pubkey,
    pub output_mint: Pubkey,
    pub amount_in: u64,
    pub fee_amount: u64,
    pub amount_out: u64,
    /// Reserves of the input and output side after the swap.
    pub reserve_in: u64,
    pub reserve_out: u64,
}
