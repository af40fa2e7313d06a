//! The native-program glue, end to end on LiteSVM: a test-only host-compiled program does a
//! PDA-signed SPL Token transfer through CPI, reads the Clock, emits `sol_log_data`, logs with
//! `msg!` and fails with a custom code on request.
//!
//! Runs without the libtest harness: libtest captures `println!` per thread, which would hide
//! `msg!` output from the validator's stdout capture.

use std::path::Path;

use anchor_lang::prelude::{msg, Clock, SolanaSysvar};
use anchor_lang::solana_program::program::invoke_signed;
use ashao_local_validator::chain::{Chain, ProgramSpec, SPL_TOKEN_ID};
use ashao_local_validator::native::{AccountInfo, Address, ProgramError, ProgramResult};
use solana_account::Account;
use solana_instruction::{AccountMeta, Instruction};
use solana_keypair::Keypair;
use solana_message::{Message, VersionedMessage};
use solana_signer::Signer;
use solana_transaction::versioned::VersionedTransaction;
use solana_transaction_error::TransactionError;

const PROGRAM_ID: Address = solana_address::address!("G1ue111111111111111111111111111111111111111");
const FAIL_CODE: u32 = 6001;

fn glue_program(program_id: &Address, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let [authority, source, destination, token_program] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    let amount = u64::from_le_bytes(
        data[..8]
            .try_into()
            .map_err(|_| ProgramError::InvalidInstructionData)?,
    );
    let fail = data.get(8) == Some(&1);
    if data.get(8) == Some(&2) {
        // Far more output than the capture pipe holds between two drains.
        let line = "x".repeat(1023);
        for _ in 0..4096 {
            msg!("{}", line);
        }
        return Ok(());
    }
    msg!("glue: transferring {}", amount);
    let clock = Clock::get()?;
    solana_sysvar::program_stubs::sol_log_data(&[b"clock", &clock.slot.to_le_bytes()]);
    let (pda, bump) = Address::find_program_address(&[b"auth"], program_id);
    assert_eq!(&pda, authority.key);
    let mut ix_data = vec![3u8];
    ix_data.extend_from_slice(&amount.to_le_bytes());
    let ix = Instruction {
        program_id: *token_program.key,
        accounts: vec![
            AccountMeta::new(*source.key, false),
            AccountMeta::new(*destination.key, false),
            AccountMeta::new_readonly(*authority.key, true),
        ],
        data: ix_data,
    };
    invoke_signed(
        &ix,
        &[
            source.clone(),
            destination.clone(),
            authority.clone(),
            token_program.clone(),
        ],
        &[&[b"auth", &[bump]]],
    )?;
    msg!("glue: after cpi, slot {}", clock.slot);
    if fail {
        msg!("glue: failing on purpose");
        return Err(ProgramError::Custom(FAIL_CODE));
    }
    Ok(())
}

fn glue_entry(program_id: &Address, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    glue_program(program_id, accounts, data)
}

fn mint_data(decimals: u8, supply: u64) -> Vec<u8> {
    let mut d = vec![0u8; 82];
    d[36..44].copy_from_slice(&supply.to_le_bytes());
    d[44] = decimals;
    d[45] = 1; // initialized
    d
}

fn token_account_data(mint: &Address, owner: &Address, amount: u64) -> Vec<u8> {
    let mut d = vec![0u8; 165];
    d[..32].copy_from_slice(mint.as_ref());
    d[32..64].copy_from_slice(owner.as_ref());
    d[64..72].copy_from_slice(&amount.to_le_bytes());
    d[108] = 1; // initialized
    d
}

fn amount_of(chain: &Chain, account: &Address) -> u64 {
    let data = chain.get_account(account).expect("token account").data;
    u64::from_le_bytes(data[64..72].try_into().unwrap())
}

fn check(name: &str, ok: bool, failures: &mut Vec<String>) {
    if ok {
        eprintln!("ok: {name}");
    } else {
        eprintln!("FAILED: {name}");
        failures.push(name.to_string());
    }
}

fn main() {
    let started = std::time::Instant::now();
    let specs = [ProgramSpec {
        name: "glue_test_program",
        id: PROGRAM_ID,
        entry: glue_entry,
    }];
    let mut chain = Chain::new(
        400,
        Path::new("/nonexistent"),
        &specs,
        Address::new_unique(),
    )
    .expect("chain");
    let payer = Keypair::new();
    chain
        .airdrop(&payer.pubkey(), 10_000_000_000)
        .expect("airdrop");

    let (authority, _) = Address::find_program_address(&[b"auth"], &PROGRAM_ID);
    let mint = Address::new_unique();
    let source = Address::new_unique();
    let destination = Address::new_unique();
    let rent = chain.svm().minimum_balance_for_rent_exemption(165);
    let put = |chain: &mut Chain, key: Address, data: Vec<u8>| {
        chain
            .set_data_account(
                key,
                Account {
                    lamports: rent * 2,
                    data,
                    owner: SPL_TOKEN_ID,
                    executable: false,
                    rent_epoch: 0,
                },
            )
            .unwrap();
    };
    put(&mut chain, mint, mint_data(6, 1_000_000));
    put(
        &mut chain,
        source,
        token_account_data(&mint, &authority, 1_000_000),
    );
    put(
        &mut chain,
        destination,
        token_account_data(&mint, &payer.pubkey(), 0),
    );

    let send = |chain: &mut Chain, amount: u64, mode: u8| {
        let mut data = amount.to_le_bytes().to_vec();
        data.push(mode);
        let ix = Instruction {
            program_id: PROGRAM_ID,
            accounts: vec![
                AccountMeta::new_readonly(authority, false),
                AccountMeta::new(source, false),
                AccountMeta::new(destination, false),
                AccountMeta::new_readonly(SPL_TOKEN_ID, false),
            ],
            data,
        };
        let message =
            Message::new_with_blockhash(&[ix], Some(&payer.pubkey()), &chain.latest_blockhash());
        let tx =
            VersionedTransaction::try_new(VersionedMessage::Legacy(message), &[&payer]).unwrap();
        chain.process(tx).expect("transaction landed")
    };

    let mut failures = Vec::new();

    let ok = send(&mut chain, 250, 0);
    eprintln!("{}", ok.logs.join("\n"));
    check(
        "successful transfer succeeds",
        ok.result.is_ok(),
        &mut failures,
    );
    check(
        "tokens moved",
        amount_of(&chain, &source) == 999_750 && amount_of(&chain, &destination) == 250,
        &mut failures,
    );
    check(
        "invoke line",
        ok.logs
            .first()
            .is_some_and(|l| l == &format!("Program {PROGRAM_ID} invoke [1]")),
        &mut failures,
    );
    check(
        "msg! captured as Program log",
        ok.logs
            .iter()
            .any(|l| l == "Program log: glue: transferring 250"),
        &mut failures,
    );
    check(
        "sol_log_data as Program data",
        ok.logs
            .iter()
            .any(|l| l.starts_with("Program data: Y2xvY2s= ")),
        &mut failures,
    );
    check(
        "CPI into SPL Token at depth 2",
        ok.logs
            .iter()
            .any(|l| l == &format!("Program {SPL_TOKEN_ID} invoke [2]")),
        &mut failures,
    );
    let pos = |needle: &str| ok.logs.iter().position(|l| l.contains(needle));
    check(
        "log order: msg, data, cpi, msg, success",
        matches!(
            (pos("transferring"), pos("Program data:"), pos("invoke [2]"), pos("after cpi"), pos(&format!("{PROGRAM_ID} success"))),
            (Some(a), Some(b), Some(c), Some(d), Some(e)) if a < b && b < c && c < d && d < e
        ),
        &mut failures,
    );
    check(
        "inner instruction recorded",
        ok.inner_instructions
            .iter()
            .map(|i| i.instructions.len())
            .sum::<usize>()
            == 1,
        &mut failures,
    );
    check(
        "token balances recorded",
        ok.post_token_balances.len() == 2,
        &mut failures,
    );

    let failed = send(&mut chain, 100, 1);
    eprintln!("{}", failed.logs.join("\n"));
    check(
        "custom error code",
        failed.result
            == Err(TransactionError::InstructionError(
                0,
                solana_instruction_error::InstructionError::Custom(FAIL_CODE),
            )),
        &mut failures,
    );
    check(
        "no partial state on failure",
        amount_of(&chain, &source) == 999_750 && amount_of(&chain, &destination) == 250,
        &mut failures,
    );
    check(
        "failure logged",
        failed
            .logs
            .iter()
            .any(|l| l == &format!("Program {PROGRAM_ID} failed: custom program error: 0x1771")),
        &mut failures,
    );
    check(
        "logs before failure kept",
        failed
            .logs
            .iter()
            .any(|l| l == "Program log: glue: failing on purpose"),
        &mut failures,
    );
    check(
        "failed transaction recorded",
        chain
            .get_record(&failed.signature)
            .is_some_and(|r| r.meta.status.is_err()),
        &mut failures,
    );

    // Too large a transfer: the CPI fails, the token program's error is the instruction's.
    let cpi_fail = send(&mut chain, 10_000_000, 0);
    check(
        "failed CPI error propagates",
        cpi_fail.result
            == Err(TransactionError::InstructionError(
                0,
                solana_instruction_error::InstructionError::Custom(1),
            )),
        &mut failures,
    );

    // A flood of output fails that instruction (no hang); the next one is captured as usual.
    let flood = send(&mut chain, 1, 2);
    check(
        "output flood fails the instruction instead of hanging",
        flood.result.is_err()
            && flood
                .logs
                .iter()
                .any(|l| l.contains("failed printing to stdout")),
        &mut failures,
    );
    let after = send(&mut chain, 1, 0);
    check(
        "capture works after a flood",
        after.result.is_ok()
            && after
                .logs
                .iter()
                .any(|l| l == "Program log: glue: transferring 1"),
        &mut failures,
    );

    let elapsed = started.elapsed();
    let total = 17;
    eprintln!("native glue checks took {} ms", elapsed.as_millis());
    println!(
        "{} passed, {} failed",
        total - failures.len(),
        failures.len()
    );
    if !failures.is_empty() {
        std::process::exit(1);
    }
}
