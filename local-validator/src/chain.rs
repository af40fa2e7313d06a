//! Chain state around LiteSVM: slots, blockhashes, the clock, the ledger of processed
//! transactions and the events PubSub listens to.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::path::Path;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use agave_feature_set::FeatureSet;
use litesvm::types::{FailedTransactionMetadata, TransactionMetadata};
use litesvm::LiteSVM;
#[allow(deprecated)]
use runtime_sysvar::recent_blockhashes::{IterItem, RecentBlockhashes};
use solana_account::{Account, AccountSharedData, ReadableAccount};
use solana_address::Address;
use solana_clock::Clock;
use solana_epoch_schedule::EpochSchedule;
use solana_hash::Hash;
use solana_instruction::{AccountMeta, Instruction};
use solana_keypair::Keypair;
use solana_message::v0::LoadedAddresses;
use solana_message::{Message, SanitizedMessage, VersionedMessage};
use solana_nonce::state::{Data as NonceData, DurableNonce, State as NonceState};
use solana_nonce::versions::Versions as NonceVersions;
use solana_rpc_client_api::filter::RpcFilterType;
use solana_signature::Signature;
use solana_signer::Signer;
use solana_slot_hashes::SlotHashes;
use solana_transaction::sanitized::{MessageHash, SanitizedTransaction};
use solana_transaction::versioned::VersionedTransaction;
use solana_transaction_error::TransactionError;
use solana_transaction_status::extract_memos::extract_and_fmt_memos;
use solana_transaction_status::{InnerInstruction, InnerInstructions};
use spl_token_2022_interface::extension::StateWithExtensions;
use spl_token_2022_interface::state::{Account as TokenAccount, Mint};
use tokio::sync::broadcast;

use crate::ledger::{Entry, Ledger, NewEntry, StoredMeta};
pub use crate::ledger::{TokenBalance, TxRecord};
use crate::native::NativeEntry;
use crate::owner_index::{pinned_prefix, Indexed, OwnerIndex};
use crate::upgradeable::{deploy_native, deploy_sbf};

/// Blockhashes stay valid for this many blocks, as on a real cluster.
pub const MAX_PROCESSING_AGE: u64 = 150;
/// Fee per signature, as on mainnet.
pub const LAMPORTS_PER_SIGNATURE: u64 = 5000;
/// The most `localnet_advanceClock` moves the clock in one call: a century. Far beyond any
/// schedule a test or a demo plays out, and small enough that slots, block heights and
/// timestamps stay far from overflowing whatever the slot length.
pub const MAX_CLOCK_ADVANCE_SECS: i64 = 100 * 31_557_600;
/// Entries the SlotHashes sysvar holds (`solana_slot_hashes::MAX_ENTRIES`).
const MAX_SLOT_HASHES: usize = solana_slot_hashes::MAX_ENTRIES;
/// Slots per performance sample: one minute of slots at the configured slot length, as agave
/// samples once a minute.
pub const PERF_SAMPLE_SECS: u64 = 60;
/// SPL Token and Token-2022 program ids.
pub const SPL_TOKEN_ID: Address =
    solana_address::address!("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");
pub const SPL_TOKEN_2022_ID: Address =
    solana_address::address!("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb");

/// A program hosted natively unless `<deploy-dir>/<name>.so` exists.
pub struct ProgramSpec {
    pub name: &'static str,
    pub id: Address,
    pub entry: NativeEntry,
}

/// How a program was loaded.
#[derive(Clone, Debug)]
pub struct LoadedProgram {
    pub name: String,
    pub id: Address,
    /// [`NATIVE`] or [`SBF`].
    pub kind: &'static str,
}

/// A program compiled for the host, run by the native glue.
pub const NATIVE: &str = "native";
/// A program loaded from `<deploy-dir>/<name>.so`.
pub const SBF: &str = "sbf";

/// Program loaders: what they own is programs and ProgramData.
const LOADERS: [Address; 5] = [
    solana_sdk_ids::native_loader::ID,
    solana_sdk_ids::bpf_loader::ID,
    solana_sdk_ids::bpf_loader_deprecated::ID,
    solana_sdk_ids::bpf_loader_upgradeable::ID,
    solana_sdk_ids::loader_v4::ID,
];

/// The sysvar program (owner of the sysvar accounts) and every sysvar, stored or not.
const SYSVARS: [Address; 13] = [
    solana_sdk_ids::sysvar::ID,
    solana_sdk_ids::sysvar::clock::ID,
    solana_sdk_ids::sysvar::epoch_rewards::ID,
    solana_sdk_ids::sysvar::epoch_schedule::ID,
    solana_sdk_ids::sysvar::fees::ID,
    solana_sdk_ids::sysvar::instructions::ID,
    solana_sdk_ids::sysvar::last_restart_slot::ID,
    solana_sdk_ids::sysvar::recent_blockhashes::ID,
    solana_sdk_ids::sysvar::rent::ID,
    solana_sdk_ids::sysvar::rewards::ID,
    solana_sdk_ids::sysvar::slot_hashes::ID,
    solana_sdk_ids::sysvar::slot_history::ID,
    solana_sdk_ids::sysvar::stake_history::ID,
];

/// Result of executing a transaction against the current state.
#[derive(Clone, Debug)]
pub struct Execution {
    pub signature: Signature,
    pub result: Result<(), TransactionError>,
    pub logs: Vec<String>,
    pub units_consumed: u64,
    pub fee: u64,
    pub return_data: Option<solana_transaction_context::transaction::TransactionReturnData>,
    pub inner_instructions: Vec<InnerInstructions>,
    pub account_keys: Vec<Address>,
    pub loaded_addresses: LoadedAddresses,
    pub pre_balances: Vec<u64>,
    pub post_balances: Vec<u64>,
    pub pre_token_balances: Vec<TokenBalance>,
    pub post_token_balances: Vec<TokenBalance>,
    /// Accounts after execution (simulation only; empty when it failed).
    pub post_accounts: HashMap<Address, Account>,
    pub loaded_accounts_data_size: u32,
}

/// A transaction that made it into a block, for PubSub.
#[derive(Debug)]
pub struct TxEvent {
    pub signature: Signature,
    pub slot: u64,
    pub err: Option<TransactionError>,
    pub logs: Vec<String>,
    pub account_keys: Vec<Address>,
    pub written: Vec<(Address, Account)>,
}

#[derive(Clone, Debug)]
pub enum Event {
    Slot {
        slot: u64,
        parent: u64,
        root: u64,
    },
    Transaction(Arc<TxEvent>),
    /// A transaction accepted by `sendTransaction`, before it is processed (for
    /// `signatureSubscribe`'s `enableReceivedNotification`).
    Received {
        signature: Signature,
        slot: u64,
    },
    /// An account written outside any transaction (`localnet_setAccount`).
    AccountSet {
        slot: u64,
        written: Arc<(Address, Account)>,
    },
}

impl Event {
    /// The slot and the accounts an event wrote, for account and program subscriptions.
    pub fn written_accounts(&self) -> Option<(u64, &[(Address, Account)])> {
        match self {
            Event::Slot { .. } | Event::Received { .. } => None,
            Event::Transaction(tx) => Some((tx.slot, &tx.written)),
            Event::AccountSet { slot, written } => {
                Some((*slot, std::slice::from_ref(written.as_ref())))
            }
        }
    }
}

/// A block (a ticked slot).
#[derive(Clone, Debug)]
pub struct Block {
    pub slot: u64,
    pub parent_slot: u64,
    pub blockhash: Hash,
    pub previous_blockhash: Hash,
    pub block_height: u64,
    pub block_time: i64,
    /// The block's transactions: the ledger's, from this position on (they land in order).
    pub first_transaction: u32,
    pub transaction_count: u32,
}

impl Block {
    /// The ledger positions of the block's transactions.
    pub fn transactions(&self) -> std::ops::Range<u32> {
        self.first_transaction..self.first_transaction + self.transaction_count
    }
}

/// `localnet_advanceClock` asked for more than [`MAX_CLOCK_ADVANCE_SECS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockAdvanceTooLarge {
    pub seconds: i64,
}

/// One performance sample (a window of [`PERF_SAMPLE_SECS`] of slots), as
/// `getRecentPerformanceSamples` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PerfSample {
    /// The last slot of the window.
    pub slot: u64,
    pub num_transactions: u64,
    pub num_slots: u64,
}

/// Why a transaction was not even executed.
#[derive(Debug)]
pub enum Rejection {
    Sanitize(TransactionError),
    SignatureFailure,
}

/// One of a program's accounts as a read of the owner index walks it: its address, its entry
/// (its data's length and first bytes, for filters) and the runtime's account when asked for.
pub struct ProgramAccount<'a> {
    pub address: &'a Address,
    pub entry: &'a Indexed,
    program: &'a Address,
    svm: &'a LiteSVM,
}

impl<'a> ProgramAccount<'a> {
    /// The account as the runtime holds it (`None` were the index ever out of step with it).
    pub fn account(&self) -> Option<&'a AccountSharedData> {
        self.svm
            .accounts_db()
            .get_account_ref(self.address)
            .filter(|a| a.owner() == self.program && a.lamports() > 0)
    }
}

pub struct Chain {
    /// The runtime. Read through [`Chain::svm`]; every write goes through `Chain`, which keeps
    /// [`Chain::owner_index`] in step with it.
    svm: LiteSVM,
    /// The accounts by owner program (`getProgramAccounts`).
    owner_index: OwnerIndex,
    pub slot: u64,
    pub first_slot: u64,
    pub block_height: u64,
    pub slot_ms: u64,
    pub time_offset: i64,
    pub genesis_hash: Hash,
    pub identity: Address,
    pub programs: Vec<LoadedProgram>,
    /// The upgrade authority every hosted program's ProgramData names.
    pub upgrade_authority: Address,
    /// The runtime's feature set (fees and compute budgets depend on it).
    pub feature_set: FeatureSet,
    /// Whether `localnet_setAccounts` may write the hosted programs' data accounts (off unless
    /// the validator is started with `--allow-program-state-writes`).
    pub allow_program_state_writes: bool,
    /// `(slot, blockhash)` of the produced blocks, newest first, as the SlotHashes sysvar holds
    /// them.
    slot_hashes: VecDeque<(u64, Hash)>,
    /// Recent blockhashes with the block height they were produced at, newest last.
    blockhashes: VecDeque<(Hash, u64)>,
    blockhash_heights: HashMap<Hash, u64>,
    ledger: Ledger,
    blocks: BTreeMap<u64, Block>,
    airdrop_nonce: u32,
    events: broadcast::Sender<Event>,
}

fn wall_clock() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn next_hash(previous: &Hash, slot: u64) -> Hash {
    solana_sha256_hasher::hashv(&[previous.as_ref(), &slot.to_le_bytes()])
}

/// The wrapped-SOL mints of SPL Token and Token-2022, present from genesis as on a real cluster
/// (needed to wrap SOL: `InitializeAccount` reads the mint).
fn install_native_mints(svm: &mut LiteSVM) {
    const MINT_LEN: usize = 82;
    let mut data = vec![0u8; MINT_LEN];
    data[44] = 9; // decimals (no mint authority, zero supply, no freeze authority)
    data[45] = 1; // is_initialized
    let lamports = svm.minimum_balance_for_rent_exemption(MINT_LEN);
    for (mint, owner) in [
        (
            solana_address::address!("So11111111111111111111111111111111111111112"),
            SPL_TOKEN_ID,
        ),
        (
            solana_address::address!("9pan9bMn5HatX4EJdBwg9VgCa7Uz5HL8N1m5D3NdXejP"),
            SPL_TOKEN_2022_ID,
        ),
    ] {
        let account = Account {
            lamports,
            data: data.clone(),
            owner,
            executable: false,
            rent_epoch: 0,
        };
        if let Err(e) = svm.set_account(mint, account) {
            tracing::warn!("native mint {mint}: {e:?}");
        }
    }
}

impl Chain {
    /// A fresh chain with the default SPL programs and the given programs, deployed with the
    /// upgradeable loader by `upgrade_authority`.
    pub fn new(
        slot_ms: u64,
        deploy_dir: &Path,
        programs: &[ProgramSpec],
        upgrade_authority: Address,
    ) -> anyhow::Result<Self> {
        let mut features = LiteSVM::mainnet_feature_set();
        // Prefer the real SPL Token program over p-token.
        features.deactivate(&agave_feature_set::replace_spl_token_with_p_token::id());
        let mut svm = LiteSVM::default()
            .with_feature_set(features.clone())
            .with_builtins()
            .with_lamports(1_000_000_000u64.saturating_mul(1_000_000_000))
            .with_sysvars()
            .with_feature_accounts()
            .with_default_programs()
            // Signatures are verified once, by the RPC before `process` (`verify_signatures`),
            // not again by the runtime.
            .with_sigverify(false)
            .with_blockhash_check(false)
            // The ledger here is the history (LiteSVM's would keep every transaction's logs a
            // second time, and shifts its whole map once full).
            .with_transaction_history(0);

        let mut loaded = Vec::new();
        for spec in programs {
            let so = deploy_dir.join(format!("{}.so", spec.name));
            if so.is_file() {
                let elf = std::fs::read(&so)
                    .map_err(|e| anyhow::anyhow!("reading {}: {e}", so.display()))?;
                deploy_sbf(&mut svm, spec.id, &elf, upgrade_authority)
                    .map_err(|e| anyhow::anyhow!("loading {}: {e:?}", so.display()))?;
                loaded.push(LoadedProgram {
                    name: spec.name.to_string(),
                    id: spec.id,
                    kind: SBF,
                });
            } else {
                deploy_native(&mut svm, spec.id, spec.entry, upgrade_authority);
                loaded.push(LoadedProgram {
                    name: spec.name.to_string(),
                    id: spec.id,
                    kind: NATIVE,
                });
            }
        }

        install_native_mints(&mut svm);

        let clock: Clock = svm.get_sysvar();
        let slot = clock.slot;
        let genesis_hash = solana_sha256_hasher::hashv(&[b"ashao-validator genesis"]);
        let (events, _) = broadcast::channel(8192);
        let identity = Keypair::new().pubkey();
        let mut chain = Self {
            svm,
            owner_index: OwnerIndex::default(),
            slot,
            first_slot: slot,
            block_height: 0,
            slot_ms: slot_ms.max(1),
            time_offset: 0,
            genesis_hash,
            identity,
            programs: loaded,
            upgrade_authority,
            feature_set: features,
            allow_program_state_writes: false,
            slot_hashes: VecDeque::new(),
            blockhashes: VecDeque::new(),
            blockhash_heights: HashMap::new(),
            ledger: Ledger::default(),
            blocks: BTreeMap::new(),
            airdrop_nonce: 0,
            events,
        };
        chain.push_blockhash(genesis_hash);
        chain.open_block(slot, slot, Hash::default());
        chain.sync_sysvars();
        chain.owner_index = OwnerIndex::build(chain.svm.accounts_db().inner.iter());
        Ok(chain)
    }

    /// The runtime alone, for a harness that runs transactions itself and serves no RPC (the
    /// fuzzer): the owner index is dropped with the rest of the chain, so nothing is left to
    /// fall out of step with the runtime's writes.
    pub fn into_svm(self) -> LiteSVM {
        self.svm
    }

    /// The runtime, to read. Its accounts are written through `Chain` only.
    pub fn svm(&self) -> &LiteSVM {
        &self.svm
    }

    /// The accounts `program` owns with lamports that `filters` may match, in address order
    /// (agave's program-id index): those whose data begins with the bytes the memcmp filters pin
    /// from offset 0 (a range of the index, not a walk of the program's accounts), none when the
    /// filters want different bytes at one offset. The caller applies the filters.
    pub fn program_accounts<'a>(
        &'a self,
        program: &'a Address,
        filters: &[RpcFilterType],
    ) -> impl Iterator<Item = ProgramAccount<'a>> {
        let memcmps = filters.iter().filter_map(|f| match f {
            RpcFilterType::Memcmp(m) => m.raw_bytes_as_ref().map(|bytes| (m.offset(), bytes)),
            _ => None,
        });
        let svm = &self.svm;
        pinned_prefix(memcmps)
            .map(|prefix| self.owner_index.accounts(program, &prefix))
            .into_iter()
            .flatten()
            .map(move |(address, entry)| ProgramAccount {
                address,
                entry,
                program,
                svm,
            })
    }

    /// The owners of `addresses` now, before a write to them ([`Chain::reindex`] after it).
    fn owners_of(&self, addresses: &[Address]) -> Vec<Option<Address>> {
        let accounts = self.svm.accounts_db();
        addresses
            .iter()
            .map(|a| accounts.get_account_ref(a).map(|a| *a.owner()))
            .collect()
    }

    /// Brings the owner index up to date after a write to `addresses`, whose owners before it
    /// were `before` ([`Chain::owners_of`]).
    fn reindex(&mut self, addresses: &[Address], before: Vec<Option<Address>>) {
        for (address, before) in addresses.iter().zip(before) {
            let now = self.svm.accounts_db().get_account_ref(address);
            self.owner_index.update(*address, before, now);
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    pub fn unix_timestamp(&self) -> i64 {
        wall_clock() + self.time_offset
    }

    pub fn latest_blockhash(&self) -> Hash {
        self.blockhashes.back().map(|(h, _)| *h).unwrap_or_default()
    }

    pub fn last_valid_block_height(&self) -> u64 {
        self.block_height + MAX_PROCESSING_AGE
    }

    pub fn is_blockhash_valid(&self, hash: &Hash) -> bool {
        self.blockhash_heights
            .get(hash)
            .is_some_and(|h| self.block_height.saturating_sub(*h) <= MAX_PROCESSING_AGE)
    }

    pub fn epoch_schedule(&self) -> EpochSchedule {
        self.svm.get_sysvar()
    }

    fn push_blockhash(&mut self, hash: Hash) {
        self.blockhashes.push_back((hash, self.block_height));
        self.blockhash_heights.insert(hash, self.block_height);
        while self.blockhashes.len() as u64 > MAX_PROCESSING_AGE + 1 {
            if let Some((old, _)) = self.blockhashes.pop_front() {
                self.blockhash_heights.remove(&old);
            }
        }
        self.svm.set_latest_blockhash(hash);
    }

    fn open_block(&mut self, slot: u64, parent_slot: u64, previous_blockhash: Hash) {
        let blockhash = self.latest_blockhash();
        self.blocks.insert(
            slot,
            Block {
                slot,
                parent_slot,
                blockhash,
                previous_blockhash,
                block_height: self.block_height,
                block_time: self.unix_timestamp(),
                first_transaction: self.ledger.len() as u32,
                transaction_count: 0,
            },
        );
        while self.blocks.len() > 200_000 {
            self.blocks.pop_first();
        }
        // The open block is in SlotHashes already (agave lists only its ancestors): everything
        // here is final at once, so a `recentSlot` read with `getSlot` at any commitment must
        // be accepted by a transaction landing in that same slot.
        self.slot_hashes.push_front((slot, blockhash));
        self.slot_hashes.truncate(MAX_SLOT_HASHES);
    }

    fn sync_sysvars(&mut self) {
        const WRITTEN: [Address; 3] = [
            solana_sdk_ids::sysvar::clock::ID,
            solana_sdk_ids::sysvar::slot_hashes::ID,
            solana_sdk_ids::sysvar::recent_blockhashes::ID,
        ];
        let before = self.owners_of(&WRITTEN);
        let schedule = self.epoch_schedule();
        let mut clock: Clock = self.svm.get_sysvar();
        clock.slot = self.slot;
        clock.epoch = schedule.get_epoch(self.slot);
        clock.leader_schedule_epoch = schedule.get_leader_schedule_epoch(self.slot);
        clock.unix_timestamp = self.unix_timestamp();
        self.svm.set_sysvar(&clock);
        let slot_hashes: Vec<(u64, Hash)> = self.slot_hashes.iter().copied().collect();
        self.svm.set_sysvar(&SlotHashes::new(&slot_hashes));
        // Newest first, as the runtime keeps them (at most MAX_PROCESSING_AGE entries).
        #[allow(deprecated)]
        let recent = RecentBlockhashes::from_iter(
            self.blockhashes
                .iter()
                .rev()
                .take(MAX_PROCESSING_AGE as usize)
                .enumerate()
                .map(|(i, (hash, _))| IterItem(i as u64, hash, LAMPORTS_PER_SIGNATURE)),
        );
        self.svm.set_sysvar(&recent);
        self.reindex(&WRITTEN, before);
    }

    /// Advances by `n` slots. Block height counts every slot, but only the last [`MAX_PROCESSING_AGE`]` + 1` get a blockhash and only the last is opened
    /// for transactions, so the work is bounded whatever `n` is.
    pub fn advance_slots(&mut self, n: u64) {
        if n == 0 {
            return;
        }
        let parent = self.slot;
        let previous = self.latest_blockhash();
        let keep = n.min(MAX_PROCESSING_AGE + 1);
        // The slots before the last `keep` leave no blockhash that could still be valid.
        self.block_height = self.block_height.saturating_add(n - keep);
        let mut hash = previous;
        for slot in (n - keep + 1)..=n {
            hash = next_hash(&hash, self.slot + slot);
            self.block_height = self.block_height.saturating_add(1);
            self.push_blockhash(hash);
        }
        self.slot += n;
        self.open_block(self.slot, parent, previous);
        self.sync_sysvars();
        let _ = self.events.send(Event::Slot {
            slot: self.slot,
            parent,
            root: self.slot,
        });
    }

    /// Moves the clock forward by `seconds` and the slot by as many slots (bounded work: see
    /// [`Chain::advance_slots`]).
    pub fn advance_clock(&mut self, seconds: i64) -> Result<(), ClockAdvanceTooLarge> {
        if seconds > MAX_CLOCK_ADVANCE_SECS {
            return Err(ClockAdvanceTooLarge { seconds });
        }
        let seconds = seconds.max(0);
        self.time_offset += seconds;
        let slots = (seconds as u64).saturating_mul(1000) / self.slot_ms;
        self.advance_slots(slots);
        self.sync_sysvars();
        Ok(())
    }

    /// Slots per performance sample.
    fn perf_sample_slots(&self) -> u64 {
        (PERF_SAMPLE_SECS * 1000 / self.slot_ms).max(1)
    }

    /// Performance samples over the completed sample windows, newest first (at most `limit`):
    /// windows are aligned on multiples of a minute of slots from the first slot.
    pub fn performance_samples(&self, limit: usize) -> Vec<PerfSample> {
        let width = self.perf_sample_slots();
        let completed = (self.slot - self.first_slot) / width;
        (0..completed)
            .rev()
            .take(limit)
            .map(|window| {
                let first = self.first_slot + window * width;
                let last = first + width - 1;
                let num_transactions = self
                    .blocks
                    .range(first..=last)
                    .map(|(_, b)| u64::from(b.transaction_count))
                    .sum();
                PerfSample {
                    slot: last,
                    num_transactions,
                    num_slots: width,
                }
            })
            .collect()
    }

    /// Slots of the blocks kept, in `first..=last`, ascending (at most `limit`).
    pub fn block_slots(&self, first: u64, last: u64, limit: usize) -> Vec<u64> {
        if last < first {
            return Vec::new();
        }
        self.blocks
            .range(first..=last)
            .map(|(slot, _)| *slot)
            .take(limit)
            .collect()
    }

    /// Every account with lamports, for scans (`getLargestAccounts`, `getSupply`).
    pub fn all_accounts(&self) -> impl Iterator<Item = (&Address, u64)> {
        self.svm
            .accounts_db()
            .inner
            .iter()
            .filter(|(_, a)| a.lamports() > 0)
            .map(|(k, a)| (k, a.lamports()))
    }

    pub fn get_account(&self, address: &Address) -> Option<Account> {
        self.svm.get_account(address).filter(|a| a.lamports > 0)
    }

    /// A processed transaction, read back whole.
    pub fn get_record(&self, signature: &Signature) -> Option<TxRecord> {
        self.ledger.entry(signature).map(Entry::record)
    }

    /// A processed transaction's summary (slot, status, memo).
    pub fn get_entry(&self, signature: &Signature) -> Option<&Entry> {
        self.ledger.entry(signature)
    }

    /// The transactions naming `address`, newest first; with `before`, those older than it
    /// (nothing when `before` is not one of them).
    pub fn signatures_for(
        &self,
        address: &Address,
        before: Option<&Signature>,
    ) -> impl Iterator<Item = &Entry> + '_ {
        self.ledger.for_address(address, before)
    }

    /// A block's transactions, read back whole.
    pub fn block_records(&self, block: &Block) -> Vec<TxRecord> {
        self.ledger.records(block.transactions())
    }

    pub fn block(&self, slot: u64) -> Option<&Block> {
        self.blocks.get(&slot)
    }

    pub fn first_available_block(&self) -> u64 {
        self.blocks
            .keys()
            .next()
            .copied()
            .unwrap_or(self.first_slot)
    }

    fn sanitize(
        &self,
        tx: &VersionedTransaction,
    ) -> Result<SanitizedTransaction, TransactionError> {
        let sanitized = SanitizedTransaction::try_create(
            tx.clone(),
            MessageHash::Compute,
            Some(false),
            self.svm.accounts_db(),
            &HashSet::new(),
        )?;
        // LiteSVM writes a transaction's writable accounts back through its checked
        // `set_account`, which reloads an executable account's program from its ProgramData; a
        // native program's holds no ELF, and LiteSVM panics on that failure. Agave 4 lets an
        // unchanged program account be loaded writable; here it is refused, as clusters did
        // before.
        let message = sanitized.message();
        let writes_native_program = message
            .account_keys()
            .iter()
            .enumerate()
            .any(|(index, key)| message.is_writable(index) && self.is_native_program(key));
        if writes_native_program {
            return Err(TransactionError::InvalidWritableAccount);
        }
        Ok(sanitized)
    }

    /// Whether a transaction whose blockhash is not recent may run as a durable-nonce
    /// transaction, as agave checks it: its first instruction advances a nonce account (system
    /// owned, initialised) whose stored nonce is the transaction's blockhash, the nonce authority
    /// signs, and the nonce was not already advanced in this block.
    fn durable_nonce_of(&self, message: &SanitizedMessage) -> Option<Address> {
        let next = DurableNonce::from_blockhash(&self.latest_blockhash());
        if message.recent_blockhash() == next.as_hash() {
            return None;
        }
        let address = *message.get_durable_nonce()?;
        let account = self.svm.accounts_db().get_account(&address)?;
        let data =
            solana_nonce_account::verify_nonce_account(&account, message.recent_blockhash())?;
        message
            .get_ix_signers(solana_nonce::NONCED_TX_MARKER_IX_INDEX as usize)
            .any(|signer| *signer == data.authority)
            .then_some(address)
    }

    /// Checks a transaction's blockhash: recent, or a usable durable nonce (returned).
    fn check_age(
        &self,
        sanitized: &SanitizedTransaction,
    ) -> Result<Option<Address>, TransactionError> {
        let message = sanitized.message();
        if self.is_blockhash_valid(message.recent_blockhash()) {
            return Ok(None);
        }
        self.durable_nonce_of(message)
            .map(Some)
            .ok_or(TransactionError::BlockhashNotFound)
    }

    /// Sets a nonce account's stored nonce to this block's durable nonce, as agave leaves it
    /// after any durable-nonce transaction, successful or not (the runtime here derives it from
    /// the transaction's own blockhash, and a failed transaction would not advance it at all).
    fn advance_nonce(&mut self, address: &Address) {
        let Some(mut account) = self.svm.get_account(address) else {
            return;
        };
        let Ok(versions) = bincode::deserialize::<NonceVersions>(&account.data) else {
            return;
        };
        let NonceState::Initialized(data) = versions.state() else {
            return;
        };
        let advanced = NonceData::new(
            data.authority,
            DurableNonce::from_blockhash(&self.latest_blockhash()),
            LAMPORTS_PER_SIGNATURE,
        );
        let Ok(bytes) = bincode::serialize(&NonceVersions::new(NonceState::Initialized(advanced)))
        else {
            return;
        };
        if bytes.len() <= account.data.len() {
            account.data[..bytes.len()].copy_from_slice(&bytes);
            let before = self.owners_of(std::slice::from_ref(address));
            if let Err(e) = self.svm.set_account(*address, account) {
                tracing::warn!("advancing nonce {address}: {e:?}");
            }
            self.reindex(std::slice::from_ref(address), before);
        }
    }

    /// The fee a message would pay now, as `getFeeForMessage` quotes it: signatures (with
    /// precompile signatures) plus the priority fee its compute-budget instructions ask for.
    /// `None` when its blockhash is neither recent nor a usable durable nonce.
    pub fn fee_for_message(
        &self,
        message: VersionedMessage,
    ) -> Result<Option<u64>, TransactionError> {
        let signatures =
            vec![Signature::default(); usize::from(message.header().num_required_signatures)];
        let tx = VersionedTransaction {
            signatures,
            message,
        };
        let sanitized = self.sanitize(&tx)?;
        if self.check_age(&sanitized).is_err() {
            return Ok(None);
        }
        let config = solana_runtime_transaction::transaction_meta::TransactionConfiguration::try_from_sanitized_message(
            sanitized.message(),
            &self.feature_set,
        )?;
        Ok(Some(solana_fee::calculate_fee(
            sanitized.message(),
            LAMPORTS_PER_SIGNATURE,
            config.priority_fee_lamports,
            solana_fee::FeeFeatures::from(&self.feature_set),
        )))
    }

    /// The cost units agave's cost model charges an executed transaction (`meta.costUnits`):
    /// signatures (precompile ones at their own price), write locks, instruction data, the
    /// compute units consumed and the loaded account data.
    fn cost_units(message: &SanitizedMessage, units_consumed: u64, loaded_bytes: u32) -> u64 {
        const SIGNATURE_COST: u64 = 30 * 24;
        const SECP256K1_VERIFY_COST: u64 = 30 * 223;
        const ED25519_VERIFY_STRICT_COST: u64 = 30 * 80;
        const SECP256R1_VERIFY_COST: u64 = 30 * 160;
        const WRITE_LOCK_UNITS: u64 = 30 * 10;
        const INSTRUCTION_DATA_BYTES_COST: u64 = 140 / 30;
        const ACCOUNT_DATA_COST_PAGE_SIZE: u64 = 32 * 1024;
        const HEAP_COST_PER_PAGE: u64 = 8;
        let mut signature_cost =
            u64::from(message.header().num_required_signatures) * SIGNATURE_COST;
        let mut data_len = 0u64;
        for (program, ix) in message.program_instructions_iter() {
            data_len += ix.data.len() as u64;
            let count = u64::from(ix.data.first().copied().unwrap_or(0));
            signature_cost += count
                * if *program == solana_sdk_ids::secp256k1_program::ID {
                    SECP256K1_VERIFY_COST
                } else if *program == solana_sdk_ids::ed25519_program::ID {
                    ED25519_VERIFY_STRICT_COST
                } else if *program == solana_sdk_ids::secp256r1_program::ID {
                    SECP256R1_VERIFY_COST
                } else {
                    0
                };
        }
        let write_locks = (0..message.account_keys().len())
            .filter(|i| message.is_writable(*i))
            .count() as u64;
        let data_cost = data_len.min(u64::from(u16::MAX)) / INSTRUCTION_DATA_BYTES_COST;
        let pages = u64::from(loaded_bytes).div_ceil(ACCOUNT_DATA_COST_PAGE_SIZE);
        signature_cost
            + write_locks * WRITE_LOCK_UNITS
            + data_cost
            + units_consumed
            + pages * HEAP_COST_PER_PAGE
    }

    fn is_native_program(&self, address: &Address) -> bool {
        self.programs
            .iter()
            .any(|p| p.id == *address && p.kind == NATIVE)
    }

    /// The token balances among `keys`, as transaction metadata lists them.
    fn token_balances(&self, keys: &[Address]) -> Vec<TokenBalance> {
        keys.iter()
            .enumerate()
            .filter_map(|(index, key)| {
                let account = self.svm.accounts_db().get_account_ref(key)?;
                self.token_balance(index, account.owner(), account.data())
            })
            .collect()
    }

    /// A token account's balance, read from its base layout (the same for SPL Token and
    /// Token-2022) with its mint's decimals; `None` for anything but an initialised token
    /// account of a known mint.
    fn token_balance(&self, index: usize, owner: &Address, data: &[u8]) -> Option<TokenBalance> {
        if *owner != SPL_TOKEN_ID && *owner != SPL_TOKEN_2022_ID {
            return None;
        }
        let account = StateWithExtensions::<TokenAccount>::unpack(data).ok()?.base;
        Some(TokenBalance {
            account_index: u8::try_from(index).ok()?,
            mint: account.mint,
            owner: account.owner,
            program_id: *owner,
            amount: account.amount,
            decimals: self.mint_decimals(&account.mint)?,
        })
    }

    pub fn mint_decimals(&self, mint: &Address) -> Option<u8> {
        let account = self.svm.accounts_db().get_account_ref(mint)?;
        let owner = account.owner();
        if *owner != SPL_TOKEN_ID && *owner != SPL_TOKEN_2022_ID {
            return None;
        }
        StateWithExtensions::<Mint>::unpack(account.data())
            .ok()
            .map(|m| m.base.decimals)
    }

    fn balances(&self, keys: &[Address]) -> Vec<u64> {
        keys.iter()
            .map(|k| self.svm.get_balance(k).unwrap_or(0))
            .collect()
    }

    /// Verifies the signatures of a transaction.
    pub fn verify_signatures(tx: &VersionedTransaction) -> bool {
        tx.verify_with_results().iter().all(|ok| *ok)
    }

    /// The loaded account data as `costUnits` and `loadedAccountsDataSize` estimate it: 64
    /// bytes plus the data of each account the message names.
    fn loaded_accounts_data_size(&self, keys: &[Address]) -> u32 {
        keys.iter()
            .map(|k| {
                self.svm
                    .accounts_db()
                    .get_account_ref(k)
                    .map(|a| a.data().len() as u32 + 64)
                    .unwrap_or(0)
            })
            .sum()
    }

    fn execution_from(
        &self,
        sanitized: &SanitizedTransaction,
        signature: Signature,
        meta: TransactionMetadata,
        result: Result<(), TransactionError>,
        pre_balances: Vec<u64>,
        pre_token_balances: Vec<TokenBalance>,
    ) -> Execution {
        let keys: Vec<Address> = sanitized.message().account_keys().iter().copied().collect();
        let loaded_addresses = match sanitized.message() {
            solana_message::SanitizedMessage::V0(m) => m.loaded_addresses.as_ref().clone(),
            _ => LoadedAddresses::default(),
        };
        let inner_instructions = meta
            .inner_instructions
            .into_iter()
            .enumerate()
            .filter(|(_, list)| !list.is_empty())
            .map(|(index, list)| InnerInstructions {
                index: index as u8,
                instructions: list
                    .into_iter()
                    .map(|i| InnerInstruction {
                        instruction: i.instruction,
                        stack_height: Some(u32::from(i.stack_height)),
                    })
                    .collect(),
            })
            .collect();
        let return_data = (!meta.return_data.data.is_empty()).then_some(meta.return_data);
        let loaded_accounts_data_size = self.loaded_accounts_data_size(&keys);
        Execution {
            signature,
            result,
            logs: meta.logs,
            units_consumed: meta.compute_units_consumed,
            fee: meta.fee,
            return_data,
            inner_instructions,
            pre_balances,
            post_balances: Vec::new(),
            pre_token_balances,
            post_token_balances: Vec::new(),
            account_keys: keys,
            loaded_addresses,
            post_accounts: HashMap::new(),
            loaded_accounts_data_size,
        }
    }

    /// Executes a transaction without committing it. `sig_verify` is checked by the caller.
    pub fn simulate(&mut self, tx: &VersionedTransaction) -> Result<Execution, TransactionError> {
        let sanitized = self.sanitize(tx)?;
        let signature = tx.signatures.first().copied().unwrap_or_default();
        let keys: Vec<Address> = sanitized.message().account_keys().iter().copied().collect();
        let pre_balances = self.balances(&keys);
        let pre_token = self.token_balances(&keys);
        if let Err(err) = self.check_age(&sanitized) {
            let mut exec = self.execution_from(
                &sanitized,
                signature,
                TransactionMetadata::default(),
                Err(err),
                pre_balances.clone(),
                pre_token.clone(),
            );
            exec.post_balances = pre_balances;
            exec.post_token_balances = pre_token;
            return Ok(exec);
        }
        let outcome = self.svm.simulate_transaction(tx.clone());
        let (meta, result, post) = match outcome {
            Ok(info) => (info.meta, Ok(()), info.post_accounts),
            Err(FailedTransactionMetadata { err, meta }) => (meta, Err(err), Vec::new()),
        };
        let mut exec =
            self.execution_from(&sanitized, signature, meta, result, pre_balances, pre_token);
        let post: HashMap<Address, Account> = post
            .into_iter()
            .map(|(k, a)| (k, Account::from(a)))
            .collect();
        exec.post_balances = keys
            .iter()
            .zip(&exec.pre_balances)
            .map(|(k, pre)| post.get(k).map(|a| a.lamports).unwrap_or(*pre))
            .collect();
        exec.post_token_balances = keys
            .iter()
            .enumerate()
            .filter_map(|(i, k)| match post.get(k) {
                Some(a) => self.token_balance(i, &a.owner, &a.data),
                None => {
                    let a = self.svm.accounts_db().get_account_ref(k)?;
                    self.token_balance(i, a.owner(), a.data())
                }
            })
            .collect();
        exec.post_accounts = post;
        Ok(exec)
    }

    pub fn transaction_count(&self) -> u64 {
        self.ledger.len() as u64
    }

    pub fn is_processed(&self, signature: &Signature) -> bool {
        self.ledger.contains(signature)
    }

    /// Executes and commits a transaction. Returns the execution when the transaction landed
    /// (successfully or not); a transaction that fails sanity checks is rejected unrecorded.
    /// Its signatures are not checked here: the RPC verifies them before (`verify_signatures`).
    pub fn process(&mut self, tx: VersionedTransaction) -> Result<Execution, TransactionError> {
        let sanitized = self.sanitize(&tx)?;
        let signature = tx.signatures.first().copied().unwrap_or_default();
        if self.ledger.contains(&signature) {
            return Err(TransactionError::AlreadyProcessed);
        }
        let nonce = self.check_age(&sanitized)?;
        let keys: Vec<Address> = sanitized.message().account_keys().iter().copied().collect();
        let pre_balances = self.balances(&keys);
        let pre_token = self.token_balances(&keys);
        let message = sanitized.message();
        let writable: Vec<Address> = keys
            .iter()
            .enumerate()
            .filter(|(i, _)| message.is_writable(*i))
            .map(|(_, k)| *k)
            .collect();
        let writable_owners = self.owners_of(&writable);
        let outcome = self.svm.send_transaction(tx.clone());
        let (meta, result) = match outcome {
            Ok(meta) => (meta, Ok(())),
            // The runtime names the transaction in its metadata only when it executed it (and
            // charged the fee): only such a failure lands in a block.
            Err(FailedTransactionMetadata { err, meta }) if meta.signature == signature => {
                (meta, Err(err))
            }
            Err(FailedTransactionMetadata { err, .. }) => return Err(err),
        };
        self.reindex(&writable, writable_owners);
        if let Some(nonce) = nonce {
            self.advance_nonce(&nonce);
        }
        let mut exec =
            self.execution_from(&sanitized, signature, meta, result, pre_balances, pre_token);
        exec.post_balances = self.balances(&keys);
        exec.post_token_balances = self.token_balances(&keys);

        let block = self.blocks.get_mut(&self.slot);
        let index = block.as_ref().map(|b| b.transaction_count).unwrap_or(0);
        let block_time = block
            .as_ref()
            .map(|b| b.block_time)
            .unwrap_or_else(wall_clock);
        if let Some(block) = block {
            block.transaction_count += 1;
        }
        let mut named = keys.clone();
        named.sort_unstable();
        named.dedup();
        self.ledger.push(NewEntry {
            signature,
            slot: self.slot,
            block_time,
            index,
            memo: extract_and_fmt_memos(message),
            transaction: &tx,
            meta: StoredMeta {
                status: exec.result.clone(),
                fee: exec.fee,
                pre_balances: Cow::Borrowed(&exec.pre_balances),
                post_balances: Cow::Borrowed(&exec.post_balances),
                inner_instructions: Cow::Borrowed(&exec.inner_instructions),
                log_messages: Cow::Borrowed(&exec.logs),
                pre_token_balances: Cow::Borrowed(&exec.pre_token_balances),
                post_token_balances: Cow::Borrowed(&exec.post_token_balances),
                loaded_addresses: Cow::Borrowed(&exec.loaded_addresses),
                return_data: exec.return_data.as_ref().map(Cow::Borrowed),
                compute_units_consumed: exec.units_consumed,
                cost_units: Self::cost_units(
                    message,
                    exec.units_consumed,
                    exec.loaded_accounts_data_size,
                ),
            },
            addresses: &named,
        });

        // Nobody listening (no PubSub subscription): nothing to copy for them.
        if self.events.receiver_count() > 0 {
            let written: Vec<(Address, Account)> = writable
                .iter()
                .map(|k| (*k, self.svm.get_account(k).unwrap_or_default()))
                .collect();
            let _ = self.events.send(Event::Transaction(Arc::new(TxEvent {
                signature,
                slot: self.slot,
                err: exec.result.clone().err(),
                logs: exec.logs.clone(),
                account_keys: keys,
                written,
            })));
        }
        Ok(exec)
    }

    /// Tells `signatureSubscribe` subscribers asking for `receivedSignature` notifications that
    /// `sendTransaction` accepted a transaction.
    pub fn note_received(&self, signature: Signature) {
        let _ = self.events.send(Event::Received {
            signature,
            slot: self.slot,
        });
    }

    /// The stake program's minimum delegation, asked of the stake program itself
    /// (`GetMinimumDelegation`, read from its return data), so the answer is what it enforces.
    pub fn stake_minimum_delegation(&self) -> Result<u64, String> {
        let faucet = Keypair::try_from(self.svm.airdrop_keypair_bytes().as_slice())
            .map_err(|e| format!("faucet keypair: {e}"))?;
        let instruction = Instruction {
            program_id: solana_sdk_ids::stake::ID,
            accounts: Vec::new(),
            // `StakeInstruction::GetMinimumDelegation`, bincode's u32 variant index.
            data: 13u32.to_le_bytes().to_vec(),
        };
        let message = Message::new_with_blockhash(
            &[instruction],
            Some(&faucet.pubkey()),
            &self.latest_blockhash(),
        );
        let tx = VersionedTransaction::try_new(VersionedMessage::Legacy(message), &[&faucet])
            .map_err(|e| format!("signing: {e}"))?;
        let info = self
            .svm
            .simulate_transaction(tx)
            .map_err(|failed| format!("the stake program failed: {}", failed.err))?;
        let bytes: [u8; 8] = info
            .meta
            .return_data
            .data
            .as_slice()
            .try_into()
            .map_err(|_| "the stake program returned no u64".to_string())?;
        Ok(u64::from_le_bytes(bytes))
    }

    /// Transfers lamports from the faucet, recorded like any transaction.
    pub fn airdrop(&mut self, to: &Address, lamports: u64) -> Result<Execution, TransactionError> {
        let faucet = Keypair::try_from(self.svm.airdrop_keypair_bytes().as_slice())
            .map_err(|_| TransactionError::AccountNotFound)?;
        let blockhash = self.latest_blockhash();
        let mut instructions = vec![solana_system_interface::instruction::transfer(
            &faucet.pubkey(),
            to,
            lamports,
        )];
        loop {
            let message =
                Message::new_with_blockhash(&instructions, Some(&faucet.pubkey()), &blockhash);
            let tx = VersionedTransaction::try_new(VersionedMessage::Legacy(message), &[&faucet])
                .map_err(|_| TransactionError::SignatureFailure)?;
            if !self.ledger.contains(&tx.signatures[0]) {
                return self.process(tx);
            }
            // Same transfer in the same block: make the transaction unique.
            self.airdrop_nonce += 1;
            instructions.truncate(1);
            instructions.push(compute_unit_limit(200_000 + self.airdrop_nonce));
        }
    }

    /// What `address` is, when it is one `set_data_account` must leave alone: one of the hosted
    /// programs, a loader or a sysvar.
    fn protected_role(&self, address: &Address) -> Option<String> {
        if let Some(program) = self.programs.iter().find(|p| p.id == *address) {
            Some(format!("the hosted program {}", program.name))
        } else if LOADERS.contains(address) {
            Some("a program loader".to_string())
        } else if SYSVARS.contains(address) {
            Some("a sysvar".to_string())
        } else {
            None
        }
    }

    /// What an owner of data accounts is, when `set_data_account` must leave its accounts alone:
    /// a loader, a sysvar, or a hosted program unless `program_state` writes are allowed.
    fn protected_owner(&self, owner: &Address, program_state: bool) -> Option<String> {
        if program_state && self.programs.iter().any(|p| p.id == *owner) {
            return None;
        }
        self.protected_role(owner)
    }

    /// Why `set_data_account` refuses to write `account` at `address`, if it does: only data
    /// accounts that neither the hosted programs, the loaders nor the sysvars own may be written,
    /// so no program, ProgramData, sysvar or program state can be forged. With `program_state`,
    /// the hosted programs' own data accounts may be written too (seeding their state); programs,
    /// ProgramData and sysvars never.
    fn set_account_refusal(
        &self,
        address: &Address,
        account: &Account,
        program_state: bool,
    ) -> Option<String> {
        if account.executable {
            return Some("executable accounts are programs; only data accounts can be set".into());
        }
        if let Some(role) = self.protected_role(address) {
            return Some(format!("{address} is {role} and cannot be set"));
        }
        if let Some(role) = self.protected_owner(&account.owner, program_state) {
            return Some(format!(
                "accounts owned by {} ({role}) cannot be set",
                account.owner
            ));
        }
        // An address with no account yet needs no further check.
        let current = self.svm.accounts_db().get_account_ref(address)?;
        if current.executable() {
            return Some(format!("{address} is a program and cannot be set"));
        }
        self.protected_owner(current.owner(), program_state)
            .map(|role| {
                format!(
                    "{address} is owned by {} ({role}) and cannot be set",
                    current.owner()
                )
            })
    }

    /// Writes a data account outside any transaction (the local-only `localnet_setAccount`) and
    /// notifies account and program subscribers as a transaction writing it would. Returns the
    /// slot, or why the account was refused.
    pub fn set_data_account(&mut self, address: Address, account: Account) -> Result<u64, String> {
        if let Some(refusal) = self.set_account_refusal(&address, &account, false) {
            return Err(refusal);
        }
        self.write_data_account(address, account)?;
        Ok(self.slot)
    }

    /// Writes data accounts outside any transaction, all or none (the local-only
    /// `localnet_setAccounts`), notifying subscribers of each as [`Chain::set_data_account`]
    /// does. The hosted programs' data accounts may be written only when the validator allows
    /// program state writes ([`Chain::allow_program_state_writes`]). Returns the slot, or the
    /// position of the first refused account and why.
    pub fn set_data_accounts(&mut self, accounts: Vec<(Address, Account)>) -> Result<u64, String> {
        let program_state = self.allow_program_state_writes;
        for (index, (address, account)) in accounts.iter().enumerate() {
            if let Some(refusal) = self.set_account_refusal(address, account, program_state) {
                return Err(format!("accounts[{index}]: {refusal}"));
            }
        }
        for (address, account) in accounts {
            self.write_data_account(address, account)?;
        }
        Ok(self.slot)
    }

    fn write_data_account(&mut self, address: Address, account: Account) -> Result<(), String> {
        let before = self.owners_of(std::slice::from_ref(&address));
        self.svm
            .set_account(address, account)
            .map_err(|e| format!("the runtime refused the account: {e:?}"))?;
        self.reindex(std::slice::from_ref(&address), before);
        if self.events.receiver_count() > 0 {
            let written = self.svm.get_account(&address).unwrap_or_default();
            let _ = self.events.send(Event::AccountSet {
                slot: self.slot,
                written: Arc::new((address, written)),
            });
        }
        Ok(())
    }
}

fn compute_unit_limit(units: u32) -> Instruction {
    let mut data = vec![2u8];
    data.extend_from_slice(&units.to_le_bytes());
    Instruction {
        program_id: solana_sdk_ids::compute_budget::ID,
        accounts: Vec::<AccountMeta>::new(),
        data,
    }
}
