//! The chain behaves as agave where wallets and programs can tell: SlotHashes and
//! RecentBlockhashes follow the slots (a lookup table created with `recentSlot` = the current
//! slot works), durable-nonce transactions validate and advance the nonce, fees are quoted with
//! priority fees, `localnet_advanceClock`'s work is bounded, and the ledger keeps memos and
//! cost units.

use std::time::{Duration, Instant};

use ashao_local_validator::chain::{Chain, ClockAdvanceTooLarge, MAX_CLOCK_ADVANCE_SECS};
use ashao_local_validator::owner_index::HEAD;
use ashao_local_validator::rpc::filters_match;
use solana_account::Account;
use solana_address::Address;
use solana_hash::Hash;
use solana_instruction::{AccountMeta, Instruction};
use solana_keypair::Keypair;
use solana_message::{Message, VersionedMessage};
use solana_nonce::state::{DurableNonce, State as NonceState};
use solana_nonce::versions::Versions as NonceVersions;
use solana_rpc_client_api::filter::{Memcmp, RpcFilterType};
use solana_signer::Signer;
use solana_slot_hashes::SlotHashes;
use solana_transaction::versioned::VersionedTransaction;
use solana_transaction_error::TransactionError;

const ALT_PROGRAM: Address =
    solana_address::address!("AddressLookupTab1e1111111111111111111111111");
const MEMO_PROGRAM: Address =
    solana_address::address!("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr");
const LAMPORTS_PER_SOL: u64 = 1_000_000_000;

fn new_chain() -> Chain {
    Chain::new(400, "/nonexistent".as_ref(), &[], Address::new_unique()).expect("chain")
}

fn funded(chain: &mut Chain, lamports: u64) -> Keypair {
    let keypair = Keypair::new();
    chain.airdrop(&keypair.pubkey(), lamports).expect("airdrop");
    keypair
}

fn transaction(
    blockhash: Hash,
    payer: &Keypair,
    signers: &[&Keypair],
    ixs: &[Instruction],
) -> VersionedTransaction {
    let message = Message::new_with_blockhash(ixs, Some(&payer.pubkey()), &blockhash);
    let mut all = vec![payer];
    all.extend(signers);
    VersionedTransaction::try_new(VersionedMessage::Legacy(message), &all).expect("signed")
}

/// `CreateLookupTable { recent_slot, bump_seed }` as the Address Lookup Table program decodes
/// it, and the table's address.
fn create_lookup_table(
    authority: &Address,
    payer: &Address,
    recent_slot: u64,
) -> (Instruction, Address) {
    let (table, bump) = Address::find_program_address(
        &[authority.as_ref(), &recent_slot.to_le_bytes()],
        &ALT_PROGRAM,
    );
    let mut data = 0u32.to_le_bytes().to_vec();
    data.extend_from_slice(&recent_slot.to_le_bytes());
    data.push(bump);
    let ix = Instruction {
        program_id: ALT_PROGRAM,
        accounts: vec![
            AccountMeta::new(table, false),
            AccountMeta::new_readonly(*authority, false),
            AccountMeta::new(*payer, true),
            AccountMeta::new_readonly(solana_sdk_ids::system_program::ID, false),
        ],
        data,
    };
    (ix, table)
}

#[test]
// RecentBlockhashes is deprecated, yet programs still read it.
#[allow(deprecated)]
fn slot_hashes_and_recent_blockhashes_follow_the_slots() {
    let mut chain = new_chain();
    let mut produced = vec![(chain.slot, chain.latest_blockhash())];
    for n in [1, 5, 1] {
        chain.advance_slots(n);
        produced.push((chain.slot, chain.latest_blockhash()));
    }
    produced.reverse();
    let slot_hashes: SlotHashes = chain.svm().get_sysvar();
    // Newest first, one entry per produced block (skipped slots have none), the open block too.
    assert_eq!(&slot_hashes.slot_hashes()[..4], produced.as_slice());

    let recent: runtime_sysvar::recent_blockhashes::RecentBlockhashes = chain.svm().get_sysvar();
    assert_eq!(recent[0].blockhash, chain.latest_blockhash());
    assert_eq!(recent[0].fee_calculator.lamports_per_signature, 5000);
    assert!(chain.is_blockhash_valid(&recent[recent.len() - 1].blockhash));
    assert!(recent.len() >= 8);

    // The standard lookup-table recipe: `recentSlot` is the slot `getSlot` answers now.
    let payer = funded(&mut chain, LAMPORTS_PER_SOL);
    let (ix, table) = create_lookup_table(&payer.pubkey(), &payer.pubkey(), chain.slot);
    let exec = chain
        .process(transaction(chain.latest_blockhash(), &payer, &[], &[ix]))
        .expect("landed");
    assert_eq!(exec.result, Ok(()), "{:?}", exec.logs);
    assert_eq!(chain.get_account(&table).expect("table").owner, ALT_PROGRAM);

    // A slot that was never produced is refused, as on agave.
    let (ix, _) = create_lookup_table(&payer.pubkey(), &payer.pubkey(), chain.slot - 2);
    let exec = chain
        .process(transaction(chain.latest_blockhash(), &payer, &[], &[ix]))
        .expect("landed");
    assert!(exec.result.is_err());
    assert!(
        exec.logs.iter().any(|l| l.contains("is not a recent slot")),
        "{:?}",
        exec.logs
    );
}

#[test]
fn advancing_the_clock_is_bounded_work_with_a_named_limit() {
    let mut chain = new_chain();
    let old_blockhash = chain.latest_blockhash();
    let (slot, time) = (chain.slot, chain.unix_timestamp());
    let started = Instant::now();
    chain
        .advance_clock(MAX_CLOCK_ADVANCE_SECS)
        .expect("a century is allowed");
    // A slot loop over a century of 400 ms slots (7.9 billion) would take minutes.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        chain.slot - slot,
        MAX_CLOCK_ADVANCE_SECS as u64 * 1000 / 400
    );
    assert!(chain.unix_timestamp() - time >= MAX_CLOCK_ADVANCE_SECS);
    assert!(!chain.is_blockhash_valid(&old_blockhash));
    // The blockhashes of the last 151 slots moved over are valid, and transactions land.
    #[allow(deprecated)]
    let recent: runtime_sysvar::recent_blockhashes::RecentBlockhashes = chain.svm().get_sysvar();
    assert_eq!(recent.len(), 150);
    #[allow(deprecated)]
    let oldest_recent = recent[149].blockhash;
    assert!(chain.is_blockhash_valid(&oldest_recent));
    let payer = funded(&mut chain, LAMPORTS_PER_SOL);
    assert_eq!(
        chain.get_account(&payer.pubkey()).map(|a| a.lamports),
        Some(LAMPORTS_PER_SOL)
    );
    let clock: solana_clock::Clock = chain.svm().get_sysvar();
    assert_eq!(clock.slot, chain.slot);

    assert_eq!(
        chain.advance_clock(MAX_CLOCK_ADVANCE_SECS + 1),
        Err(ClockAdvanceTooLarge {
            seconds: MAX_CLOCK_ADVANCE_SECS + 1
        })
    );
}

fn stored_nonce(chain: &Chain, nonce: &Address) -> Hash {
    let account = chain.get_account(nonce).expect("nonce account");
    let versions: NonceVersions = bincode::deserialize(&account.data).expect("nonce state");
    match versions.state() {
        NonceState::Initialized(data) => data.blockhash(),
        NonceState::Uninitialized => panic!("nonce not initialised"),
    }
}

#[test]
fn durable_nonce_transactions_validate_and_advance() {
    let mut chain = new_chain();
    let payer = funded(&mut chain, 10 * LAMPORTS_PER_SOL);
    let authority = Keypair::new();
    let nonce = Keypair::new();
    let create = solana_system_interface::instruction::create_nonce_account(
        &payer.pubkey(),
        &nonce.pubkey(),
        &authority.pubkey(),
        LAMPORTS_PER_SOL,
    );
    let exec = chain
        .process(transaction(
            chain.latest_blockhash(),
            &payer,
            &[&nonce],
            &create,
        ))
        .expect("landed");
    assert_eq!(exec.result, Ok(()), "{:?}", exec.logs);
    // Signed offline, long before it is sent: every recent blockhash has expired since.
    let value = stored_nonce(&chain, &nonce.pubkey());
    chain.advance_slots(300);
    assert!(!chain.is_blockhash_valid(&value));
    let recipient = Address::new_unique();
    let pay = |lamports: u64| {
        [
            solana_system_interface::instruction::advance_nonce_account(
                &nonce.pubkey(),
                &authority.pubkey(),
            ),
            solana_system_interface::instruction::transfer(&payer.pubkey(), &recipient, lamports),
        ]
    };
    let signed = transaction(value, &payer, &[&authority], &pay(1_000_000));

    // Quoted like any transaction, then accepted and the nonce advanced to this block's.
    let quote = chain
        .fee_for_message(signed.message.clone())
        .expect("valid message");
    assert_eq!(quote, Some(10_000));
    let exec = chain
        .process(signed.clone())
        .expect("a durable-nonce transaction lands");
    assert_eq!(exec.result, Ok(()), "{:?}", exec.logs);
    assert_eq!(exec.fee, 10_000);
    assert_eq!(
        chain.get_account(&recipient).map(|a| a.lamports),
        Some(1_000_000)
    );
    let advanced = stored_nonce(&chain, &nonce.pubkey());
    assert_eq!(
        advanced,
        *DurableNonce::from_blockhash(&chain.latest_blockhash()).as_hash()
    );

    // The old nonce is spent: another transaction signed with it is refused.
    let again = transaction(value, &payer, &[&authority], &pay(2_000_000));
    assert_eq!(
        chain.process(again).err(),
        Some(TransactionError::BlockhashNotFound)
    );
    // The new nonce cannot be used in the block that advanced it (it could not advance).
    let same_block = transaction(advanced, &payer, &[&authority], &pay(3_000_000));
    assert_eq!(
        chain.process(same_block).err(),
        Some(TransactionError::BlockhashNotFound)
    );
    // Without the nonce authority's signature it is not a durable-nonce transaction.
    chain.advance_slots(1);
    let stranger = Keypair::new();
    let unsigned = transaction(
        advanced,
        &payer,
        &[&stranger],
        &[
            solana_system_interface::instruction::advance_nonce_account(
                &nonce.pubkey(),
                &stranger.pubkey(),
            ),
            solana_system_interface::instruction::transfer(&payer.pubkey(), &recipient, 1),
        ],
    );
    assert_eq!(
        chain.process(unsigned).err(),
        Some(TransactionError::BlockhashNotFound)
    );

    // A durable-nonce transaction that fails still advances the nonce (and pays its fee), so
    // it can never be replayed.
    let failing = transaction(
        advanced,
        &payer,
        &[&authority],
        &pay(1_000 * LAMPORTS_PER_SOL),
    );
    let exec = chain.process(failing).expect("recorded as failed");
    assert!(exec.result.is_err());
    assert_eq!(
        stored_nonce(&chain, &nonce.pubkey()),
        *DurableNonce::from_blockhash(&chain.latest_blockhash()).as_hash()
    );
}

fn compute_budget(kind: u8, value: &[u8]) -> Instruction {
    let mut data = vec![kind];
    data.extend_from_slice(value);
    Instruction {
        program_id: solana_sdk_ids::compute_budget::ID,
        accounts: Vec::new(),
        data,
    }
}

#[test]
fn fees_are_quoted_with_priority_fees_and_the_ledger_keeps_memos_and_costs() {
    let mut chain = new_chain();
    let payer = funded(&mut chain, 10 * LAMPORTS_PER_SOL);
    let memo = Instruction {
        program_id: MEMO_PROGRAM,
        accounts: Vec::new(),
        data: b"thanks for lunch".to_vec(),
    };
    let ixs = [
        compute_budget(2, &200_000u32.to_le_bytes()),
        compute_budget(3, &1_000_000u64.to_le_bytes()),
        solana_system_interface::instruction::transfer(
            &payer.pubkey(),
            &Address::new_unique(),
            5_000_000,
        ),
        memo,
    ];
    let tx = transaction(chain.latest_blockhash(), &payer, &[], &ixs);
    // 5000 for the signature plus 200,000 CU at 1 lamport each.
    let quote = chain
        .fee_for_message(tx.message.clone())
        .expect("valid message");
    assert_eq!(quote, Some(205_000));
    let exec = chain.process(tx).expect("landed");
    assert_eq!(exec.result, Ok(()), "{:?}", exec.logs);
    assert_eq!(exec.fee, 205_000);

    let record = chain.get_record(&exec.signature).expect("recorded");
    assert_eq!(record.memo.as_deref(), Some("[16] thanks for lunch"));
    let cost = record.meta.cost_units.expect("cost units");
    // A signature (720), two write locks (600), the instruction data and the units consumed.
    assert!(cost > 720 + 600 + exec.units_consumed, "{cost}");

    // A blockhash the chain never produced: no quote, as agave answers null.
    let stale = transaction(Hash::new_from_array([7; 32]), &payer, &[], &ixs[2..3]);
    assert_eq!(
        chain.fee_for_message(stale.message).expect("valid message"),
        None
    );
}

/// Accounts with their addresses, in address order.
type Owned = Vec<(Address, Account)>;

/// What `owner` owns that `filters` match as a scan of every account the runtime holds finds it
/// (the index's oracle), and as the chain's owner index answers (a range of it when the filters
/// pin the data's first bytes), both in address order.
fn owned_both_ways(chain: &Chain, owner: &Address, filters: &[RpcFilterType]) -> (Owned, Owned) {
    let mut scanned: Owned = chain
        .svm()
        .get_program_accounts(owner)
        .into_iter()
        .filter(|(_, a)| a.lamports > 0 && filters_match(filters, a))
        .collect();
    scanned.sort_by_key(|(address, _)| *address);
    let indexed = chain
        .program_accounts(owner, filters)
        .map(|found| {
            let account = Account::from(found.account().expect("held by the runtime").clone());
            // The entry's copy of the data's length and first bytes is the account's.
            assert_eq!(found.entry.data_len(), account.data.len());
            let head = &account.data[..account.data.len().min(HEAD)];
            assert_eq!(found.entry.bytes_at(0, head), Some(true));
            (*found.address, account)
        })
        .filter(|(_, account)| filters_match(filters, account))
        .collect();
    (scanned, indexed)
}

/// A discriminator for the stake-position-like accounts of the prefix checks.
const DISC: [u8; 8] = [0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07, 0x18];

/// A stake-position-like account's data, 48 bytes: [`DISC`], then 40 bytes counting up from
/// `owner_byte` (its owner's first byte at offset 8).
fn position_data(owner_byte: u8) -> Vec<u8> {
    let mut data = DISC.to_vec();
    data.extend((0..40).map(|i| owner_byte.wrapping_add(i)));
    data
}

fn memcmp(offset: usize, bytes: &[u8]) -> RpcFilterType {
    RpcFilterType::Memcmp(Memcmp::new_raw_bytes(offset, bytes.to_vec()))
}

/// The addresses `owner`'s accounts that `filters` match, asserting first that the owner index
/// finds what a scan of every account finds for them.
fn matched(chain: &Chain, owner: &Address, filters: &[RpcFilterType]) -> Vec<Address> {
    let (scanned, indexed) = owned_both_ways(chain, owner, filters);
    assert_eq!(indexed, scanned, "filters {filters:?}");
    indexed.into_iter().map(|(address, _)| address).collect()
}

/// Every shape of memcmp filters against a scan, for accounts of [`position_data`] with owner
/// bytes 1 and 2: pinning 0, 1, 8, 9 (adjacent, overlapping, as the API's owner-byte shards)
/// and 40 bytes from offset 0, with a gap, past the 40 bytes the index keeps, and conflicting.
fn check_prefixes(chain: &Chain, owner: &Address) {
    let whole = position_data(1);
    let shard = |byte: u8| {
        vec![
            memcmp(0, &DISC),
            RpcFilterType::DataSize(48),
            memcmp(8, &[byte]),
        ]
    };
    let cases = [
        vec![],
        vec![RpcFilterType::DataSize(48)],
        vec![memcmp(1, &DISC[1..])],
        vec![memcmp(0, &DISC[..1])],
        vec![memcmp(0, &DISC)],
        vec![memcmp(0, &DISC[..5])],
        vec![memcmp(0, &[&DISC[..5], &[0u8; 3][..]].concat())],
        vec![memcmp(0, &DISC[..4]), memcmp(4, &DISC[4..])],
        vec![memcmp(0, &DISC[..6]), memcmp(4, &whole[4..9])],
        vec![memcmp(0, &DISC[..4]), memcmp(5, &whole[5..12])],
        shard(1),
        shard(2),
        vec![memcmp(0, &whole[..40])],
        vec![memcmp(0, &whole)],
        vec![memcmp(0, &DISC), memcmp(40, &whole[40..44])],
        vec![memcmp(0, &whole[..40]), memcmp(39, &[whole[39], 0])],
    ];
    for filters in &cases {
        matched(chain, owner, filters);
    }
    // Filters that want different bytes at one offset: nothing, not a walk.
    let conflicting = [
        vec![memcmp(0, &DISC), memcmp(7, &[DISC[7] ^ 1])],
        vec![memcmp(8, &[1]), memcmp(8, &[2])],
    ];
    for filters in &conflicting {
        assert!(matched(chain, owner, filters).is_empty());
        assert_eq!(chain.program_accounts(owner, filters).count(), 0);
    }
}

#[test]
fn the_owner_index_holds_what_a_scan_of_every_account_finds_after_every_kind_of_write() {
    let mut chain = new_chain();
    let program = Address::new_unique();
    let other = Address::new_unique();
    let payer = funded(&mut chain, 10 * LAMPORTS_PER_SOL);
    let data_account = |owner: Address, byte: u8| Account {
        lamports: 2_000_000,
        data: vec![byte; 40],
        owner,
        executable: false,
        rent_epoch: 0,
    };
    // Seeded (`localnet_setAccounts`).
    let seeded: Vec<Address> = (0..6).map(|_| Address::new_unique()).collect();
    chain
        .set_data_accounts(
            seeded
                .iter()
                .enumerate()
                .map(|(i, a)| (*a, data_account(program, i as u8)))
                .collect(),
        )
        .expect("seeded");
    // Created by a transaction with the program as owner, and assigned to it by one.
    let created = Keypair::new();
    let assigned = funded(&mut chain, LAMPORTS_PER_SOL);
    let create = solana_system_interface::instruction::create_account(
        &payer.pubkey(),
        &created.pubkey(),
        3_000_000,
        16,
        &program,
    );
    let assign = solana_system_interface::instruction::assign(&assigned.pubkey(), &program);
    let tx = transaction(
        chain.latest_blockhash(),
        &payer,
        &[&created, &assigned],
        &[create, assign],
    );
    chain
        .process(tx)
        .expect("processed")
        .result
        .expect("created and assigned");
    // Credited by an airdrop, rewritten in place, moved to another owner, closed.
    chain.airdrop(&seeded[0], 5).expect("airdrop");
    chain
        .set_data_account(seeded[1], data_account(program, 99))
        .expect("rewritten");
    chain
        .set_data_account(seeded[2], data_account(other, 2))
        .expect("moved");
    let closed = Account {
        lamports: 0,
        ..data_account(program, 3)
    };
    chain.set_data_account(seeded[3], closed).expect("closed");
    // A wallet emptied by a transfer closes; the sysvars move with the slots.
    let emptied = funded(&mut chain, LAMPORTS_PER_SOL);
    let drain = solana_system_interface::instruction::transfer(
        &emptied.pubkey(),
        &payer.pubkey(),
        LAMPORTS_PER_SOL - 5_000,
    );
    let tx = transaction(chain.latest_blockhash(), &emptied, &[], &[drain]);
    chain
        .process(tx)
        .expect("processed")
        .result
        .expect("drained");
    chain.advance_slots(3);

    let (scanned, indexed) = owned_both_ways(&chain, &program, &[]);
    assert_eq!(indexed, scanned);
    let held: Vec<Address> = indexed.iter().map(|(a, _)| *a).collect();
    let mut expected = vec![
        seeded[0],
        seeded[1],
        seeded[4],
        seeded[5],
        created.pubkey(),
        assigned.pubkey(),
    ];
    expected.sort();
    assert_eq!(held, expected);
    assert_eq!(
        indexed[held.binary_search(&seeded[0]).unwrap()].1.lamports,
        2_000_005
    );
    assert_eq!(
        indexed[held.binary_search(&seeded[1]).unwrap()].1.data,
        vec![99; 40]
    );
    for owner in [
        other,
        solana_sdk_ids::system_program::ID,
        solana_sdk_ids::sysvar::ID,
    ] {
        let (scanned, indexed) = owned_both_ways(&chain, &owner, &[]);
        assert!(!indexed.is_empty());
        assert_eq!(indexed, scanned, "owner {owner}");
    }
    assert!(chain
        .program_accounts(&solana_sdk_ids::system_program::ID, &[])
        .all(|found| *found.address != emptied.pubkey()));

    // Stake-position-like accounts, read by their first bytes (a range of the index): owner
    // bytes 1, 1, 2 and 3, one whose data is the discriminator's first 5 bytes (its entry
    // zero-padded), one with another discriminator.
    let positions: Vec<Address> = (0..6).map(|_| Address::new_unique()).collect();
    let with_data = |data: Vec<u8>| Account {
        data,
        ..data_account(program, 0)
    };
    let mut other_disc = position_data(1);
    other_disc[0] ^= 1;
    chain
        .set_data_accounts(vec![
            (positions[0], with_data(position_data(1))),
            (positions[1], with_data(position_data(1))),
            (positions[2], with_data(position_data(2))),
            (positions[3], with_data(position_data(3))),
            (positions[4], with_data(DISC[..5].to_vec())),
            (positions[5], with_data(other_disc)),
        ])
        .expect("seeded");
    check_prefixes(&chain, &program);
    let sorted = |mut addresses: Vec<Address>| {
        addresses.sort();
        addresses
    };
    let shard = |byte: u8| [memcmp(0, &DISC), memcmp(8, &[byte])];
    assert_eq!(
        matched(&chain, &program, &shard(1)),
        sorted(positions[..2].to_vec())
    );
    assert_eq!(
        matched(&chain, &program, &[memcmp(0, &DISC[..5])]),
        sorted(positions[..5].to_vec())
    );
    // A data change moves a position to another owner byte's range; another moves to another
    // program; one closes.
    chain
        .set_data_account(positions[0], with_data(position_data(2)))
        .expect("rewritten");
    chain
        .set_data_account(
            positions[1],
            Account {
                owner: other,
                ..with_data(position_data(1))
            },
        )
        .expect("moved");
    let closed = Account {
        lamports: 0,
        ..with_data(position_data(3))
    };
    chain
        .set_data_account(positions[3], closed)
        .expect("closed");
    check_prefixes(&chain, &program);
    check_prefixes(&chain, &other);
    assert!(matched(&chain, &program, &shard(1)).is_empty());
    assert_eq!(
        matched(&chain, &program, &shard(2)),
        sorted(vec![positions[0], positions[2]])
    );
    assert!(matched(&chain, &program, &shard(3)).is_empty());
    assert_eq!(matched(&chain, &other, &shard(1)), vec![positions[1]]);
}
