//! TEST INFRASTRUCTURE ONLY. Forwards its instruction data, unchanged, to the program given as
//! its first account, with the remaining accounts (signer and writable flags kept), through a
//! CPI. The treasury's buyback tests use it to call `begin_buyback` from inside another program.

use anchor_lang::{
    prelude::*,
    solana_program::{
        instruction::{AccountMeta, Instruction},
        program::invoke,
    },
};

declare_id!("GEKKSQoD85mdqSLpRbhLZHYfW3Ct3godEM8vdxo5j2Pt");

#[cfg(not(feature = "no-entrypoint"))]
anchor_lang::solana_program::entrypoint!(entry);

/// `accounts[0]`: the program to call; `accounts[1..]`: its accounts; `data`: its data.
pub fn entry<'info>(
    _program_id: &Pubkey,
    accounts: &'info [AccountInfo<'info>],
    data: &[u8],
) -> std::result::Result<(), ProgramError> {
    let (target, forwarded) = accounts
        .split_first()
        .ok_or(ProgramError::NotEnoughAccountKeys)?;
    let instruction = Instruction {
        program_id: *target.key,
        accounts: forwarded
            .iter()
            .map(|account| AccountMeta {
                pubkey: *account.key,
                is_signer: account.is_signer,
                is_writable: account.is_writable,
            })
            .collect(),
        data: data.to_vec(),
    };
    invoke(&instruction, accounts)
}
