//! The ledger: every processed transaction, kept for `getTransaction`, `getBlock`,
//! `getSignaturesForAddress` and `getSignatureStatuses` for the validator's whole life.
//!
//! A long history must stay cheap, so each transaction is kept as a small summary (what the
//! status and signature listings need) beside one zstd-compressed blob of the transaction's
//! wire bytes and its metadata (token balances as amounts and decimals, the UI strings made only
//! when asked). Transactions are numbered in the order they landed; the signature index and each
//! address's list hold those numbers, so `getSignaturesForAddress` pages in `O(log n + limit)`.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::BuildHasher;

use hashbrown::HashTable;
use serde::{Deserialize, Serialize};
use solana_account_decoder::parse_account_data::SplTokenAdditionalDataV2;
use solana_account_decoder::parse_token::token_amount_to_ui_amount_v3;
use solana_address::Address;
use solana_message::v0::LoadedAddresses;
use solana_signature::Signature;
use solana_transaction::versioned::VersionedTransaction;
use solana_transaction_context::transaction::TransactionReturnData;
use solana_transaction_error::TransactionError;
use solana_transaction_status::{
    InnerInstructions, TransactionStatusMeta, TransactionTokenBalance,
};

/// zstd's fastest level: a transaction compresses in microseconds, and higher levels gain
/// little on records this small.
const COMPRESSION_LEVEL: i32 = 1;

/// A token account's balance in a transaction's metadata: the UI form
/// ([`TransactionTokenBalance`]) is a function of these (no interest-bearing or scaled-amount
/// configuration is applied to transaction balances, as on agave).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenBalance {
    pub account_index: u8,
    pub mint: Address,
    pub owner: Address,
    pub program_id: Address,
    pub amount: u64,
    pub decimals: u8,
}

impl TokenBalance {
    pub fn to_ui(&self) -> TransactionTokenBalance {
        TransactionTokenBalance {
            account_index: self.account_index,
            mint: self.mint.to_string(),
            ui_token_amount: token_amount_to_ui_amount_v3(
                self.amount,
                &SplTokenAdditionalDataV2::with_decimals(self.decimals),
            ),
            owner: self.owner.to_string(),
            program_id: self.program_id.to_string(),
        }
    }
}

/// A transaction's metadata as stored: borrowed when written, owned when read back.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredMeta<'a> {
    pub status: Result<(), TransactionError>,
    pub fee: u64,
    pub pre_balances: Cow<'a, [u64]>,
    pub post_balances: Cow<'a, [u64]>,
    pub inner_instructions: Cow<'a, [InnerInstructions]>,
    pub log_messages: Cow<'a, [String]>,
    pub pre_token_balances: Cow<'a, [TokenBalance]>,
    pub post_token_balances: Cow<'a, [TokenBalance]>,
    pub loaded_addresses: Cow<'a, LoadedAddresses>,
    pub return_data: Option<Cow<'a, TransactionReturnData>>,
    pub compute_units_consumed: u64,
    pub cost_units: u64,
}

impl StoredMeta<'_> {
    /// The metadata in agave's form (`getTransaction`, `getBlock`).
    pub fn to_status_meta(&self) -> TransactionStatusMeta {
        let ui = |balances: &[TokenBalance]| balances.iter().map(TokenBalance::to_ui).collect();
        TransactionStatusMeta {
            status: self.status.clone(),
            fee: self.fee,
            pre_balances: self.pre_balances.to_vec(),
            post_balances: self.post_balances.to_vec(),
            inner_instructions: Some(self.inner_instructions.to_vec()),
            log_messages: Some(self.log_messages.to_vec()),
            pre_token_balances: Some(ui(&self.pre_token_balances)),
            post_token_balances: Some(ui(&self.post_token_balances)),
            rewards: Some(Vec::new()),
            loaded_addresses: self.loaded_addresses.clone().into_owned(),
            return_data: self.return_data.clone().map(Cow::into_owned),
            compute_units_consumed: Some(self.compute_units_consumed),
            cost_units: Some(self.cost_units),
        }
    }
}

/// One processed transaction, read back whole.
#[derive(Clone, Debug)]
pub struct TxRecord {
    pub signature: Signature,
    pub slot: u64,
    pub block_time: i64,
    /// Its position in its block.
    pub index: u32,
    pub transaction: VersionedTransaction,
    pub meta: TransactionStatusMeta,
    /// The transaction's SPL Memo texts as agave formats them (`[len] text; ...`).
    pub memo: Option<String>,
}

/// What the ledger keeps of a transaction outside its compressed blob: enough for statuses and
/// signature listings. Cloned (about a kilobyte) to read the transaction back after the chain's
/// lock is released.
#[derive(Clone, Debug)]
pub struct Entry {
    pub signature: Signature,
    pub slot: u64,
    pub block_time: i64,
    /// Its position in its block.
    pub index: u32,
    pub status: Result<(), TransactionError>,
    pub memo: Option<Box<str>>,
    /// zstd of bincode `(transaction, StoredMeta)`.
    blob: Box<[u8]>,
}

thread_local! {
    /// One decompression context per thread (making one per record cost as much as the rest of
    /// reading it back).
    static DECOMPRESSOR: RefCell<zstd::bulk::Decompressor<'static>> =
        RefCell::new(zstd::bulk::Decompressor::new().expect("a zstd decompression context"));
}

impl Entry {
    /// The transaction read back whole.
    pub fn record(&self) -> TxRecord {
        // The blob was written by `Ledger::push` from these very types; failing to read it back
        // is a bug, not a condition to serve.
        let size = zstd::zstd_safe::get_frame_content_size(&self.blob)
            .ok()
            .flatten()
            .expect("a ledger blob names its size");
        let bytes = DECOMPRESSOR
            .with(|d| d.borrow_mut().decompress(&self.blob, size as usize))
            .expect("a ledger blob decompresses");
        let (transaction, meta): (VersionedTransaction, StoredMeta) =
            bincode::deserialize(&bytes).expect("a ledger blob decodes");
        TxRecord {
            signature: self.signature,
            slot: self.slot,
            block_time: self.block_time,
            index: self.index,
            transaction,
            meta: meta.to_status_meta(),
            memo: self.memo.as_deref().map(str::to_string),
        }
    }
}

/// A transaction about to be recorded.
pub struct NewEntry<'a> {
    pub signature: Signature,
    pub slot: u64,
    pub block_time: i64,
    pub index: u32,
    pub memo: Option<String>,
    pub transaction: &'a VersionedTransaction,
    pub meta: StoredMeta<'a>,
    /// Every address the transaction names (static and loaded), each listed once.
    pub addresses: &'a [Address],
}

pub struct Ledger {
    entries: Vec<Entry>,
    /// One compression context for every record (making one per record costs more than
    /// compressing it).
    compressor: zstd::bulk::Compressor<'static>,
    /// Positions in `entries`, found by the entry's signature (not stored twice).
    by_signature: HashTable<u32>,
    hasher: RandomState,
    /// Positions in `entries` of the transactions naming each address, oldest first.
    by_address: HashMap<Address, Vec<u32>>,
}

impl Default for Ledger {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
            compressor: zstd::bulk::Compressor::new(COMPRESSION_LEVEL)
                .expect("a zstd context at a valid level"),
            by_signature: HashTable::new(),
            hasher: RandomState::new(),
            by_address: HashMap::new(),
        }
    }
}

impl Ledger {
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn position(&self, signature: &Signature) -> Option<u32> {
        let hash = self.hasher.hash_one(signature);
        self.by_signature
            .find(hash, |&at| {
                self.entries[at as usize].signature == *signature
            })
            .copied()
    }

    pub fn contains(&self, signature: &Signature) -> bool {
        self.position(signature).is_some()
    }

    /// The summary of a transaction.
    pub fn entry(&self, signature: &Signature) -> Option<&Entry> {
        self.position(signature)
            .map(|at| &self.entries[at as usize])
    }

    /// The transaction at `position` (landing order), read back whole.
    pub fn record_at(&self, position: u32) -> TxRecord {
        self.entries[position as usize].record()
    }

    /// Records a transaction; returns its position (landing order).
    pub fn push(&mut self, new: NewEntry<'_>) -> u32 {
        let position = u32::try_from(self.entries.len()).expect("fewer than 2^32 transactions");
        let bytes = bincode::serialize(&(new.transaction, &new.meta))
            .expect("a transaction and its metadata serialise");
        let blob = self
            .compressor
            .compress(&bytes)
            .expect("zstd compresses in memory")
            .into_boxed_slice();
        self.entries.push(Entry {
            signature: new.signature,
            slot: new.slot,
            block_time: new.block_time,
            index: new.index,
            status: new.meta.status.clone(),
            memo: new.memo.map(String::into_boxed_str),
            blob,
        });
        let hash = self.hasher.hash_one(new.signature);
        let (entries, hasher) = (&self.entries, &self.hasher);
        self.by_signature.insert_unique(hash, position, |&at| {
            hasher.hash_one(entries[at as usize].signature)
        });
        for address in new.addresses {
            self.by_address.entry(*address).or_default().push(position);
        }
        position
    }

    /// The transactions naming `address`, newest first: those older than `before` when it is
    /// given (nothing when `before` is not one of them, as on agave for a signature the node
    /// never processed).
    pub fn for_address(
        &self,
        address: &Address,
        before: Option<&Signature>,
    ) -> impl Iterator<Item = &Entry> + '_ {
        let positions: &[u32] = self.by_address.get(address).map_or(&[], Vec::as_slice);
        let end = match before {
            None => positions.len(),
            Some(before) => self
                .position(before)
                .and_then(|at| positions.binary_search(&at).ok())
                .unwrap_or(0),
        };
        positions[..end]
            .iter()
            .rev()
            .map(|&at| &self.entries[at as usize])
    }

    /// The transactions at `positions`, read back whole (a block's).
    pub fn records(&self, positions: std::ops::Range<u32>) -> Vec<TxRecord> {
        positions
            .filter(|&at| (at as usize) < self.entries.len())
            .map(|at| self.record_at(at))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use solana_hash::Hash;
    use solana_keypair::Keypair;
    use solana_message::{Message, VersionedMessage};
    use solana_signer::Signer;

    fn transaction(payer: &Keypair, lamports: u64) -> VersionedTransaction {
        let ix = solana_system_interface::instruction::transfer(
            &payer.pubkey(),
            &Address::new_unique(),
            lamports,
        );
        let message = Message::new_with_blockhash(&[ix], Some(&payer.pubkey()), &Hash::default());
        VersionedTransaction::try_new(VersionedMessage::Legacy(message), &[payer]).unwrap()
    }

    fn meta<'a>(logs: &'a [String], balances: &'a [TokenBalance]) -> StoredMeta<'a> {
        StoredMeta {
            status: Err(TransactionError::InsufficientFundsForFee),
            fee: 5000,
            pre_balances: Cow::Owned(vec![10, 0]),
            post_balances: Cow::Owned(vec![5, 5]),
            inner_instructions: Cow::Owned(Vec::new()),
            log_messages: Cow::Borrowed(logs),
            pre_token_balances: Cow::Borrowed(balances),
            post_token_balances: Cow::Borrowed(&balances[..0]),
            loaded_addresses: Cow::Owned(LoadedAddresses::default()),
            return_data: None,
            compute_units_consumed: 150,
            cost_units: 1_500,
        }
    }

    #[test]
    fn records_read_back_and_pages_by_address() {
        let payer = Keypair::new();
        let other = Address::new_unique();
        let logs = vec!["Program 11111111111111111111111111111111 invoke [1]".to_string()];
        let balances = vec![TokenBalance {
            account_index: 1,
            mint: Address::new_unique(),
            owner: payer.pubkey(),
            program_id: crate::chain::SPL_TOKEN_ID,
            amount: 1_234_500,
            decimals: 6,
        }];
        let mut ledger = Ledger::default();
        let txs: Vec<_> = (0..5).map(|i| transaction(&payer, i + 1)).collect();
        for (i, tx) in txs.iter().enumerate() {
            let named = if i % 2 == 0 {
                vec![payer.pubkey(), other]
            } else {
                vec![payer.pubkey()]
            };
            ledger.push(NewEntry {
                signature: tx.signatures[0],
                slot: 7 + i as u64,
                block_time: 1_700_000_000,
                index: 0,
                memo: None,
                transaction: tx,
                meta: meta(&logs, &balances),
                addresses: &named,
            });
        }
        assert_eq!(ledger.len(), 5);
        let record = ledger
            .entry(&txs[3].signatures[0])
            .expect("recorded")
            .record();
        assert_eq!(record.transaction, txs[3]);
        assert_eq!(record.slot, 10);
        assert_eq!(record.meta.log_messages, Some(logs.clone()));
        assert_eq!(
            record.meta.status,
            Err(TransactionError::InsufficientFundsForFee)
        );
        let ui = &record.meta.pre_token_balances.as_ref().unwrap()[0];
        assert_eq!(ui.ui_token_amount.ui_amount_string, "1.2345");
        assert_eq!(ui.ui_token_amount.amount, "1234500");
        assert_eq!(ui.owner, payer.pubkey().to_string());

        let listed = |before: Option<&Signature>| -> Vec<u64> {
            ledger.for_address(&other, before).map(|e| e.slot).collect()
        };
        assert_eq!(listed(None), vec![11, 9, 7]);
        assert_eq!(listed(Some(&txs[4].signatures[0])), vec![9, 7]);
        // `before` must be one of the address's transactions.
        assert_eq!(listed(Some(&txs[3].signatures[0])), Vec::<u64>::new());
        assert_eq!(listed(Some(&Signature::default())), Vec::<u64>::new());
        assert!(!ledger.contains(&Signature::default()));
        assert_eq!(ledger.records(3..9).len(), 2);
    }
}
