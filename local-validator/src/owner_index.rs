//! Accounts by owner program, as agave's program-id index: `getProgramAccounts` and the token
//! methods read one program's accounts, in address order, without scanning every account the
//! chain holds (a million stake positions made each of the 256 owner-sharded reads a scan of the
//! whole chain: 0.75 s of CPU apiece).
//!
//! The index holds each account as the runtime does (`AccountSharedData` shares its data with
//! the runtime's copy) with its data's length and first bytes ([`Indexed`]): an entry costs
//! about 200 bytes, not the account's data, and a read and its filters walk one ordered map
//! instead of looking every address up in the runtime's hash map.
//! [`crate::chain::Chain`] updates it after every write it makes: transactions (their writable
//! accounts), `localnet_setAccounts`, nonce advances and sysvar updates. Accounts without
//! lamports are closed and not held.

use std::collections::{BTreeMap, HashMap};

use solana_account::{AccountSharedData, ReadableAccount};
use solana_address::Address;

/// Bytes at the start of an account's data the index keeps beside it: a discriminator and the
/// first fields (a stake position's owner, a token account's mint and owner), where clients'
/// memcmp filters look.
pub const HEAD: usize = 64;

/// An account as the index holds it: the runtime's account, its data's length and first
/// [`HEAD`] bytes in the entry itself. Filtering a million accounts then reads the index's own
/// memory in order, not each account's data where the allocator left it (with the data behind
/// a pointer, the cache misses were 300 ms of one owner-byte shard of a million positions).
pub struct Indexed {
    pub account: AccountSharedData,
    len: usize,
    head: [u8; HEAD],
}

impl Indexed {
    fn new(account: &AccountSharedData) -> Self {
        let data = account.data();
        let mut head = [0u8; HEAD];
        let kept = data.len().min(HEAD);
        head[..kept].copy_from_slice(&data[..kept]);
        Self {
            account: account.clone(),
            len: data.len(),
            head,
        }
    }

    /// The length of the account's data.
    pub fn data_len(&self) -> usize {
        self.len
    }

    /// Whether the data holds `bytes` at `offset` (a memcmp filter), read from the entry when
    /// the range is within its first [`HEAD`] bytes.
    pub fn bytes_at(&self, offset: usize, bytes: &[u8]) -> bool {
        match offset.checked_add(bytes.len()) {
            Some(end) if end <= self.len.min(HEAD) => &self.head[offset..end] == bytes,
            Some(end) if end <= self.len => &self.account.data()[offset..end] == bytes,
            _ => false,
        }
    }
}

#[derive(Default)]
pub struct OwnerIndex {
    by_owner: HashMap<Address, BTreeMap<Address, Indexed>>,
}

impl OwnerIndex {
    /// The index of every account in `accounts` with lamports.
    pub fn build<'a>(accounts: impl Iterator<Item = (&'a Address, &'a AccountSharedData)>) -> Self {
        let mut index = Self::default();
        for (address, account) in accounts {
            index.update(*address, None, Some(account));
        }
        index
    }

    /// Records a write: the account at `address` was owned by `before` (`None`: there was no
    /// account) and is now `now` (`None`: it is gone).
    pub fn update(
        &mut self,
        address: Address,
        before: Option<Address>,
        now: Option<&AccountSharedData>,
    ) {
        let now = now.filter(|a| a.lamports() > 0);
        if let Some(before) = before {
            if now.is_none_or(|a| *a.owner() != before) {
                if let Some(accounts) = self.by_owner.get_mut(&before) {
                    accounts.remove(&address);
                    if accounts.is_empty() {
                        self.by_owner.remove(&before);
                    }
                }
            }
        }
        if let Some(account) = now {
            self.by_owner
                .entry(*account.owner())
                .or_default()
                .insert(address, Indexed::new(account));
        }
    }

    /// The accounts `owner` owns, in address order.
    pub fn accounts(&self, owner: &Address) -> impl Iterator<Item = (&Address, &Indexed)> {
        self.by_owner.get(owner).into_iter().flatten()
    }
}
