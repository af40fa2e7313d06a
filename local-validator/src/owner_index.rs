//! Accounts by owner program, as agave's program-id index: `getProgramAccounts` and the token
//! methods read one program's accounts, in address order, without scanning every account the
//! chain holds (a million stake positions made each of the 256 owner-sharded reads a scan of the
//! whole chain: 0.75 s of CPU apiece).
//!
//! The index holds each account's address with its data's length and first bytes ([`Indexed`]),
//! and the same accounts ordered by those first bytes, then address: memcmp filters that pin
//! the data's first bytes (a discriminator, then a position's owner's first byte: one of the
//! API's 256 owner-byte shards) are a range of that order, read without walking the program's
//! other accounts (one shard of a million positions: 18 ms, was 66 ms walking them all, dev
//! build, base64 answer included). Other reads walk the accounts in address order and answer
//! their filters from the entries; only the accounts that match are looked up in the runtime.
//! About 110 bytes an account by address and 115 more by first bytes: 506 B per stake position
//! beyond its bytes at 1M (`npm run bench:scale`; 392 B by address only, 277 B without the
//! index).
//! [`crate::chain::Chain`] updates it after every write it makes: transactions (their writable
//! accounts), `localnet_setAccounts`, nonce advances and sysvar updates. Accounts without
//! lamports are closed and not held.

use std::collections::{BTreeMap, BTreeSet, HashMap};

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

/// The first bytes of the data that memcmp filters pin, from offset 0 up to [`HEAD`]: every
/// account they match begins with them. `None` when two filters want different bytes at one
/// offset (no account matches); empty when nothing is pinned at offset 0.
pub fn pinned_prefix<'a>(memcmps: impl IntoIterator<Item = (usize, &'a [u8])>) -> Option<Vec<u8>> {
    let mut pinned = [None::<u8>; HEAD];
    for (offset, bytes) in memcmps {
        let kept = bytes.iter().zip(pinned.iter_mut().skip(offset));
        for (byte, slot) in kept {
            if slot.replace(*byte).is_some_and(|was| was != *byte) {
                return None;
            }
        }
    }
    Some(pinned.iter().map_while(|b| *b).collect())
}

/// One owner's accounts: by address, and by first bytes then address (the same accounts).
#[derive(Default)]
struct Owned {
    by_address: BTreeMap<Address, Indexed>,
    by_head: BTreeSet<([u8; HEAD], Address)>,
}

#[derive(Default)]
pub struct OwnerIndex {
    by_owner: HashMap<Address, Owned>,
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
                    if let Some(gone) = accounts.by_address.remove(&address) {
                        accounts.by_head.remove(&(gone.head, address));
                    }
                    if accounts.by_address.is_empty() {
                        self.by_owner.remove(&before);
                    }
                }
            }
        }
        if let Some(account) = now {
            let accounts = self.by_owner.entry(*account.owner()).or_default();
            let entry = Indexed::new(account.data());
            let head = entry.head;
            if let Some(was) = accounts.by_address.insert(address, entry) {
                accounts.by_head.remove(&(was.head, address));
            }
            accounts.by_head.insert((head, address));
        }
    }

    /// The accounts `owner` owns whose data may begin with `prefix`, in address order: all of
    /// them when it is empty (a walk), else a range of the accounts by first bytes (a superset:
    /// an entry's head is zero-padded past a short account's data, and only its first [`HEAD`]
    /// bytes of `prefix` are compared). Filters still decide which match.
    pub fn accounts<'a>(
        &'a self,
        owner: &Address,
        prefix: &[u8],
    ) -> Box<dyn Iterator<Item = (&'a Address, &'a Indexed)> + 'a> {
        let Some(accounts) = self.by_owner.get(owner) else {
            return Box::new(std::iter::empty());
        };
        if prefix.is_empty() {
            return Box::new(accounts.by_address.iter());
        }
        let prefix = &prefix[..prefix.len().min(HEAD)];
        let mut from = [0u8; HEAD];
        from[..prefix.len()].copy_from_slice(prefix);
        let mut found: Vec<&Address> = accounts
            .by_head
            .range((from, Address::new_from_array([0; 32]))..)
            .take_while(|(head, _)| head.starts_with(prefix))
            .map(|(_, address)| address)
            .collect();
        found.sort_unstable();
        Box::new(
            found
                .into_iter()
                .filter_map(|address| accounts.by_address.get_key_value(address)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(owner: Address, lamports: u64, data: &[u8]) -> AccountSharedData {
        let mut account = AccountSharedData::new(lamports, data.len(), &owner);
        account.set_data_from_slice(data);
        account
    }

    /// Each owner's accounts by first bytes are its accounts by address, no more.
    fn assert_in_step(index: &OwnerIndex) {
        for accounts in index.by_owner.values() {
            let by_address: BTreeSet<([u8; HEAD], Address)> = accounts
                .by_address
                .iter()
                .map(|(address, entry)| (entry.head, *address))
                .collect();
            assert_eq!(accounts.by_head, by_address);
        }
    }

    #[test]
    fn the_accounts_by_first_bytes_follow_every_write() {
        let (program, other) = (Address::new_unique(), Address::new_unique());
        let (a, b) = (Address::new_unique(), Address::new_unique());
        let mut index = OwnerIndex::default();
        index.update(a, None, Some(&account(program, 1, &[1; 48])));
        index.update(b, None, Some(&account(program, 1, &[1; 8])));
        assert_in_step(&index);
        // Data changed (another range), owner changed, closed.
        index.update(a, Some(program), Some(&account(program, 1, &[2; 48])));
        assert_in_step(&index);
        index.update(a, Some(program), Some(&account(other, 1, &[2; 48])));
        assert_in_step(&index);
        index.update(b, Some(program), Some(&account(program, 0, &[1; 8])));
        assert_in_step(&index);
        assert!(!index.by_owner.contains_key(&program));
        let found: Vec<_> = index.accounts(&other, &[2; 41]).map(|(a, _)| *a).collect();
        assert_eq!(found, vec![a]);
        assert_eq!(index.accounts(&other, &[1]).count(), 0);
    }
}
