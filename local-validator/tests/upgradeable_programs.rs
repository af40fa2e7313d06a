//! Hosted programs look like mainnet programs deployed with the BPF Upgradeable Loader, and still
//! run: a native program passes Anchor's upgrade-authority check (`Program::programdata_address`
//! and `Account<ProgramData>`) at the top level and through CPI, the real loader still serves
//! its management instructions, and a `.so` (the SPL Memo program LiteSVM ships) is deployed with
//! the same authority and runs as SBF.

use anchor_lang::prelude::{Account, AccountInfo, Program, ProgramData};
use anchor_lang::solana_program::program::invoke;
use anchor_lang::Key;
use ashao_local_validator::chain::{Chain, Execution, ProgramSpec};
use ashao_local_validator::native::{Address, ProgramError, ProgramResult};
use ashao_local_validator::native_entry;
use ashao_local_validator::upgradeable::programdata_address;
use solana_instruction::{AccountMeta, Instruction};
use solana_instruction_error::InstructionError;
use solana_keypair::Keypair;
use solana_loader_v3_interface::instruction::UpgradeableLoaderInstruction;
use solana_loader_v3_interface::state::UpgradeableLoaderState;
use solana_message::{Message, VersionedMessage};
use solana_sdk_ids::bpf_loader_upgradeable;
use solana_signer::Signer;
use solana_transaction::versioned::VersionedTransaction;
use solana_transaction_error::TransactionError;

const CHECKER_ID: Address = solana_address::address!("Upgrade1Check111111111111111111111111111111");
const PROXY_ID: Address = solana_address::address!("Upgrade1Proxy111111111111111111111111111111");
const MEMO_COPY_ID: Address =
    solana_address::address!("Upgrade1Memo1111111111111111111111111111111");
/// The SPL Memo program LiteSVM deploys at genesis (BPF Loader 2: its account data is the ELF).
const SPL_MEMO_ID: Address =
    solana_address::address!("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr");

const WRONG_PROGRAMDATA: u32 = 1;
const WRONG_AUTHORITY: u32 = 2;

struct Checker;

impl anchor_lang::Id for Checker {
    fn id() -> Address {
        CHECKER_ID
    }
}

/// Anchor's documented upgrade-authority check, as `initialize` will do it:
/// `[program, program_data, authority]`.
fn check_upgrade_authority<'info>(
    _program_id: &Address,
    accounts: &'info [AccountInfo<'info>],
    _data: &[u8],
) -> anchor_lang::Result<()> {
    let [program, program_data, authority] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys.into());
    };
    let program = Program::<Checker>::try_from(program)?;
    let program_data = Account::<ProgramData>::try_from(program_data)?;
    if program.programdata_address()? != Some(program_data.key()) {
        return Err(ProgramError::Custom(WRONG_PROGRAMDATA).into());
    }
    if program_data.upgrade_authority_address != Some(authority.key()) || !authority.is_signer {
        return Err(ProgramError::Custom(WRONG_AUTHORITY).into());
    }
    Ok(())
}

/// Runs the check through CPI: `[checker, program, program_data, authority]`.
fn proxy(_program_id: &Address, accounts: &[AccountInfo], _data: &[u8]) -> ProgramResult {
    let [checker, program, program_data, authority] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    let instruction = Instruction {
        program_id: *checker.key,
        accounts: vec![
            AccountMeta::new_readonly(*program.key, false),
            AccountMeta::new_readonly(*program_data.key, false),
            AccountMeta::new_readonly(*authority.key, true),
        ],
        data: Vec::new(),
    };
    invoke(
        &instruction,
        &[
            program.clone(),
            program_data.clone(),
            authority.clone(),
            checker.clone(),
        ],
    )
}

/// The memo copy is loaded from its `.so`; this entry is never registered.
fn loaded_from_so(_program_id: &Address, _accounts: &[AccountInfo], _data: &[u8]) -> ProgramResult {
    unreachable!("memo_copy runs from memo_copy.so")
}

fn send(chain: &mut Chain, payer: &Keypair, signers: &[&Keypair], ix: Instruction) -> Execution {
    let message =
        Message::new_with_blockhash(&[ix], Some(&payer.pubkey()), &chain.latest_blockhash());
    let mut all: Vec<&Keypair> = vec![payer];
    all.extend(signers);
    let tx = VersionedTransaction::try_new(VersionedMessage::Legacy(message), &all).unwrap();
    chain.process(tx).expect("transaction landed")
}

fn check_ix(authority: &Address) -> Instruction {
    Instruction {
        program_id: CHECKER_ID,
        accounts: vec![
            AccountMeta::new_readonly(CHECKER_ID, false),
            AccountMeta::new_readonly(programdata_address(&CHECKER_ID), false),
            AccountMeta::new_readonly(*authority, true),
        ],
        data: Vec::new(),
    }
}

fn loader_state(chain: &Chain, address: &Address, len: usize) -> UpgradeableLoaderState {
    let account = chain.get_account(address).expect("account");
    assert_eq!(account.owner, bpf_loader_upgradeable::id());
    bincode::deserialize(&account.data[..len]).expect("upgradeable loader state")
}

#[test]
fn hosted_programs_are_upgradeable_and_run() {
    let deploy_dir = std::env::temp_dir().join(format!("ashao-upgradeable-{}", std::process::id()));
    std::fs::create_dir_all(&deploy_dir).unwrap();
    // A real SBF program from a registry package: LiteSVM's copy of SPL Memo 4.0.0.
    let memo_elf = litesvm::LiteSVM::new()
        .get_account(&SPL_MEMO_ID)
        .expect("LiteSVM's SPL Memo")
        .data;
    std::fs::write(deploy_dir.join("memo_copy.so"), &memo_elf).unwrap();

    let authority = Keypair::new();
    let specs = [
        ProgramSpec {
            name: "checker",
            id: CHECKER_ID,
            entry: native_entry!(check_upgrade_authority),
        },
        ProgramSpec {
            name: "proxy",
            id: PROXY_ID,
            entry: proxy,
        },
        ProgramSpec {
            name: "memo_copy",
            id: MEMO_COPY_ID,
            entry: loaded_from_so,
        },
    ];
    let mut chain = Chain::new(1000, &deploy_dir, &specs, authority.pubkey()).expect("chain");
    std::fs::remove_dir_all(&deploy_dir).unwrap();
    let kinds: Vec<_> = chain.programs.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, ["native", "native", "sbf"]);
    let payer = Keypair::new();
    chain.airdrop(&payer.pubkey(), 10_000_000_000).unwrap();
    chain.airdrop(&authority.pubkey(), 1_000_000_000).unwrap();

    // The accounts, as the upgradeable loader leaves them.
    for (program_id, elf) in [
        (CHECKER_ID, &[][..]),
        (PROXY_ID, &[][..]),
        (MEMO_COPY_ID, &memo_elf[..]),
    ] {
        let program = chain.get_account(&program_id).unwrap();
        assert!(program.executable);
        assert_eq!(
            program.data.len(),
            UpgradeableLoaderState::size_of_program()
        );
        let programdata = programdata_address(&program_id);
        assert_eq!(
            loader_state(&chain, &program_id, program.data.len()),
            UpgradeableLoaderState::Program {
                programdata_address: programdata
            }
        );
        let header = UpgradeableLoaderState::size_of_programdata_metadata();
        let UpgradeableLoaderState::ProgramData {
            upgrade_authority_address,
            ..
        } = loader_state(&chain, &programdata, header)
        else {
            panic!("{programdata} is not ProgramData");
        };
        assert_eq!(upgrade_authority_address, Some(authority.pubkey()));
        let account = chain.get_account(&programdata).unwrap();
        assert!(!account.executable);
        assert_eq!(&account.data[header..], elf);
    }

    // The native program runs, and sees what Anchor's check needs.
    let top_level = send(
        &mut chain,
        &payer,
        &[&authority],
        check_ix(&authority.pubkey()),
    );
    assert_eq!(top_level.result, Ok(()), "{:#?}", top_level.logs);
    assert_eq!(
        top_level.logs[0],
        format!("Program {CHECKER_ID} invoke [1]")
    );

    let stranger = Keypair::new();
    let refused = send(
        &mut chain,
        &payer,
        &[&stranger],
        check_ix(&stranger.pubkey()),
    );
    assert_eq!(
        refused.result,
        Err(TransactionError::InstructionError(
            0,
            InstructionError::Custom(WRONG_AUTHORITY)
        ))
    );

    // Native to native through CPI.
    let through_cpi = Instruction {
        program_id: PROXY_ID,
        accounts: [
            vec![AccountMeta::new_readonly(CHECKER_ID, false)],
            check_ix(&authority.pubkey()).accounts,
        ]
        .concat(),
        data: Vec::new(),
    };
    let cpi = send(&mut chain, &payer, &[&authority], through_cpi);
    assert_eq!(cpi.result, Ok(()), "{:#?}", cpi.logs);
    assert!(cpi
        .logs
        .contains(&format!("Program {CHECKER_ID} invoke [2]")));

    // The SBF program runs through the real loader.
    let memo = send(
        &mut chain,
        &payer,
        &[],
        Instruction {
            program_id: MEMO_COPY_ID,
            accounts: Vec::new(),
            data: b"hello".to_vec(),
        },
    );
    assert_eq!(memo.result, Ok(()), "{:#?}", memo.logs);
    assert!(memo.logs.contains(&"Program log: hello".to_string()));
    // Metered, as SBF is (a native instruction costs a fixed 1000 units).
    assert!(memo.units_consumed > 0 && memo.units_consumed != 1000);

    // A native program's account cannot be loaded writable (LiteSVM would reload it), even
    // where the program is not invoked (where it is, the runtime demotes it to read-only).
    let mut writes_program =
        solana_system_interface::instruction::transfer(&payer.pubkey(), &authority.pubkey(), 1);
    writes_program
        .accounts
        .push(AccountMeta::new(CHECKER_ID, false));
    let message = Message::new_with_blockhash(
        &[writes_program],
        Some(&payer.pubkey()),
        &chain.latest_blockhash(),
    );
    let tx = VersionedTransaction::try_new(VersionedMessage::Legacy(message), &[&payer]).unwrap();
    assert_eq!(
        chain.process(tx).err(),
        Some(TransactionError::InvalidWritableAccount)
    );

    // The loader's own instructions still reach the real loader: the authority hands the
    // checker to a new authority, after which the old one no longer passes.
    let successor = Keypair::new();
    let set_authority = Instruction {
        program_id: bpf_loader_upgradeable::id(),
        accounts: vec![
            AccountMeta::new(programdata_address(&CHECKER_ID), false),
            AccountMeta::new_readonly(authority.pubkey(), true),
            AccountMeta::new_readonly(successor.pubkey(), false),
        ],
        data: bincode::serialize(&UpgradeableLoaderInstruction::SetAuthority).unwrap(),
    };
    let handed_over = send(&mut chain, &payer, &[&authority], set_authority);
    assert_eq!(handed_over.result, Ok(()), "{:#?}", handed_over.logs);
    // A new blockhash, so the same check is a new transaction.
    chain.advance_slots(1);
    let by_old_authority = send(
        &mut chain,
        &payer,
        &[&authority],
        check_ix(&authority.pubkey()),
    );
    assert_eq!(
        by_old_authority.result,
        Err(TransactionError::InstructionError(
            0,
            InstructionError::Custom(WRONG_AUTHORITY)
        ))
    );
    let by_successor = send(
        &mut chain,
        &payer,
        &[&successor],
        check_ix(&successor.pubkey()),
    );
    assert_eq!(by_successor.result, Ok(()), "{:#?}", by_successor.logs);
}
