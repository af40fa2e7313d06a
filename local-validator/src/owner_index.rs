//! Accounts by owner program, as agave's program-id index: `getProgramAccounts` and the token
//! methods read one program's accounts, in address order, without scanning every account the
//! chain holds (a million stake positions made each of the 256 owner-sharded reads a scan of the
//! whole chain: 0.75 s of CPU apiece).
//!
//! The index holds each account's address with its data's length and first bytes ([`Indexed`]):
//! about 110 bytes an account (392 B per stake position beyond its bytes at 1M, 277 B without
//! the index). A read walks one ordered map and answers its filters from it; only the accounts
//! that match are looked up in the runtime.
//! [`crate::chain::Chain`] updates it after every write it makes: transactions (their writable
//! accounts), `localnet_setAccounts`, nonce advances and sysvar updates. Accounts without
//! lamports are closed and not held.

use std::collections::{BTreeMap, HashMap};

use solana_account::{AccountSharedData, ReadableAccount};
use solana_address::Address;

/// Bytes at the start of an account's data the index keeps: an Anchor discriminator and the
/// first address after it (a stake position's owner), where clients' memcmp filters look.
pub const HEAD: usize = 40;

/// An account as the index holds it: its data's length and first [`HEAD`] bytes. Filtering a
/// million accounts reads these in order, not each account's data where the allocator left it
/// (with the data behind a pointer, the cache misses were 300 ms of one owner-byte shard of a
/// million positions; with the runtime's account in the entry too, 160-250 ms of walking).
pub struct Indexed {
    len: u32,
    head: [u8; HEAD],
}

impl Indexed {
    fn new(data: &[u8]) -> Self {
        let mut head = [0u8; HEAD];
        let kept = data.len().min(HEAD);
        head[..kept].copy_from_slice(&data[..kept]);
        Self {
            // Account data is at most 10 MiB.
            len: data.len() as u32,
            head,
        }
    }

    /// The length of the account's data.
    pub fn data_len(&self) -> usize {
        self.len as usize
    }

    /// Whether the data holds `bytes` at `offset` (a memcmp filter), when the entry can tell:
    /// `None` when the range goes past its first [`HEAD`] bytes (the account must be read).
    pub fn bytes_at(&self, offset: usize, bytes: &[u8]) -> Option<bool> {
        match offset.checked_add(bytes.len()) {
            Some(end) if end <= self.data_len().min(HEAD) => Some(&self.head[offset..end] == bytes),
            Some(end) if end <= self.data_len() => None,
            _ => Some(false),
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
                .insert(address, Indexed::new(account.data()));
        }
    }

    /// The accounts `owner` owns, in address order.
    pub fn accounts(&self, owner: &Address) -> impl Iterator<Item = (&Address, &Indexed)> {
        self.by_owner.get(owner).into_iter().flatten()
    }
}
