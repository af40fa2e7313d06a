//! Hosted programs presented as mainnet programs deployed with the BPF Upgradeable Loader: the
//! program account (owned by the loader, executable) names its ProgramData account, at the
//! loader's PDA `[program_id]`, whose header names the upgrade authority. Programs read these
//! accounts (Anchor's `program.programdata_address()` and `Account<ProgramData>` checks) and so
//! do RPC clients (`solana program show`).

use litesvm::LiteSVM;
use solana_account::{Account, AccountSharedData};
use solana_address::Address;
use solana_clock::Clock;
use solana_loader_v3_interface::state::UpgradeableLoaderState;
use solana_sdk_ids::bpf_loader_upgradeable;

use crate::native::{add_native_program, NativeEntry};

/// The ProgramData account of `program_id`.
pub fn programdata_address(program_id: &Address) -> Address {
    Address::find_program_address(&[program_id.as_ref()], &bpf_loader_upgradeable::id()).0
}

fn serialize(state: &UpgradeableLoaderState) -> Vec<u8> {
    bincode::serialize(state).expect("an UpgradeableLoaderState always serialises")
}

/// Writes the program and ProgramData accounts as the loader leaves them once `authority` has
/// deployed `elf` at the current slot. They are written without LiteSVM's checks, which would
/// load the program from the account into the cache again: the cache entry is the caller's
/// (a builtin for a native program, whose ProgramData holds no ELF).
fn write_program_accounts(svm: &mut LiteSVM, program_id: Address, elf: &[u8], authority: Address) {
    let programdata = programdata_address(&program_id);
    let slot = svm.get_sysvar::<Clock>().slot;
    let mut programdata_account_data = serialize(&UpgradeableLoaderState::ProgramData {
        slot,
        upgrade_authority_address: Some(authority),
    });
    programdata_account_data.extend_from_slice(elf);
    let program_account_data = serialize(&UpgradeableLoaderState::Program {
        programdata_address: programdata,
    });
    for (address, data, executable) in [
        (programdata, programdata_account_data, false),
        (program_id, program_account_data, true),
    ] {
        let account = Account {
            lamports: svm.minimum_balance_for_rent_exemption(data.len()),
            data,
            owner: bpf_loader_upgradeable::id(),
            executable,
            rent_epoch: u64::MAX,
        };
        svm.set_account_no_checks(address, AccountSharedData::from(account));
    }
}

/// Hosts a native program behind upgradeable-loader accounts. Its ProgramData is the 45-byte
/// header alone: there is no ELF. LiteSVM loads a program from its ProgramData only when the
/// program account is written through its checked paths (`set_account`, or a transaction
/// writing it back), and the chain refuses both for native programs (see
/// `Chain::set_data_account`, and the writable-account check before `Chain::process` and
/// `Chain::simulate`).
pub fn deploy_native(
    svm: &mut LiteSVM,
    program_id: Address,
    entry: NativeEntry,
    authority: Address,
) {
    add_native_program(svm, program_id, entry);
    write_program_accounts(svm, program_id, &[], authority);
}

/// Deploys an SBF program with the upgradeable loader: LiteSVM verifies and caches it, then the
/// ProgramData it wrote (with no authority) is rewritten to name `authority`.
pub fn deploy_sbf(
    svm: &mut LiteSVM,
    program_id: Address,
    elf: &[u8],
    authority: Address,
) -> Result<(), litesvm::error::LiteSVMError> {
    svm.add_program(program_id, elf)?;
    write_program_accounts(svm, program_id, elf, authority);
    Ok(())
}
