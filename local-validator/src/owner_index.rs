//! Accounts by owner program, as agave's program-id index: `getProgramAccounts` and the token
//! methods read one program's accounts, in address order, without scanning every account the
//! chain holds (a million stake positions made each of the 256 owner-sharded reads a scan of the
//! whole chain: 0.75 s of CPU apiece).
//!
//! The index holds each account as the runtime does (`AccountSharedData` shares its data with
//! the runtime's copy: an index entry costs its key and header, not its bytes), so a read and its
//! filters walk one ordered map instead of looking every address up in the runtime's hash map.
//! [`crate::chain::Chain`] updates it after every write it makes: transactions (their writable
//! accounts), `localnet_setAccounts`, nonce advances and sysvar updates. Accounts without
//! lamports are closed and not held.

use std::collections::{BTreeMap, HashMap};

use solana_account::{AccountSharedData, ReadableAccount};
use solana_address::Address;

#[derive(Default)]
pub struct OwnerIndex {
    by_owner: HashMap<Address, BTreeMap<Address, AccountSharedData>>,
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
                .insert(address, account.clone());
        }
    }

    /// The accounts `owner` owns, in address order.
    pub fn accounts(
        &self,
        owner: &Address,
    ) -> impl Iterator<Item = (&Address, &AccountSharedData)> {
        self.by_owner.get(owner).into_iter().flatten()
    }
}
