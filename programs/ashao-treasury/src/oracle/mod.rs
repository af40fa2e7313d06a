//! The price guard: the on-chain price a buyback must meet, from an oracle the crank does not
//! choose. An enum, so that another adapter (Switchboard On-Demand) can follow Pyth.

use anchor_lang::prelude::*;

use crate::{
    constants::{MAX_ORACLE_AGE_SECS, MAX_ORACLE_CONFIDENCE_BPS, PYTH_RECEIVER_PROGRAM_ID},
    errors::TreasuryError,
};

pub mod pyth;

/// Where buybacks get their reference price. `None` (the default) allows no buyback.
#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, Default, PartialEq, Eq,
)]
pub enum PriceGuard {
    #[default]
    None,
    /// A Pyth pull-oracle `PriceUpdateV2` account (owned by the Pyth Receiver program) for the
    /// $ASHAO/USD feed `feed_id`; USDC is valued at one US dollar.
    PythPull {
        feed_id: [u8; 32],
        /// The oldest `publish_time` accepted, in seconds before now.
        max_age_secs: u32,
        /// The widest confidence interval accepted, in basis points of the price.
        max_confidence_bps: u16,
    },
}

/// A price the guard accepted: `price × 10^exponent` US dollars per whole $ASHAO, give or take
/// `conf` (the oracle's confidence interval, in the same unit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OraclePrice {
    pub price: u64,
    pub conf: u64,
    pub exponent: i32,
    pub publish_time: i64,
}

impl OraclePrice {
    /// The low end of the confidence interval, `price − conf`: the price a buyback's floor is
    /// computed at, so the oracle's uncertainty counts for the treasury, never for the crank.
    /// Positive whenever the guard accepted the price (`conf` ≤ 10% of it).
    pub fn treasury_side_price(&self) -> Result<u64> {
        let low = self
            .price
            .checked_sub(self.conf)
            .ok_or(TreasuryError::OraclePriceInvalid)?;
        require!(low > 0, TreasuryError::OraclePriceInvalid);
        Ok(low)
    }
}

impl PriceGuard {
    pub fn is_configured(&self) -> bool {
        !matches!(self, PriceGuard::None)
    }

    pub fn validate(&self) -> Result<()> {
        match *self {
            PriceGuard::None => Ok(()),
            PriceGuard::PythPull {
                feed_id,
                max_age_secs,
                max_confidence_bps,
            } => {
                require!(
                    feed_id != [0u8; 32]
                        && (1..=MAX_ORACLE_AGE_SECS).contains(&max_age_secs)
                        && (1..=MAX_ORACLE_CONFIDENCE_BPS).contains(&max_confidence_bps),
                    TreasuryError::InvalidPriceGuard
                );
                Ok(())
            }
        }
    }

    /// Reads and checks the price account named in the transaction against this guard.
    pub fn read(&self, account: &AccountInfo, now: i64) -> Result<OraclePrice> {
        match *self {
            PriceGuard::None => err!(TreasuryError::NoPriceGuard),
            PriceGuard::PythPull {
                feed_id,
                max_age_secs,
                max_confidence_bps,
            } => {
                require_keys_eq!(
                    *account.owner,
                    PYTH_RECEIVER_PROGRAM_ID,
                    TreasuryError::OracleWrongOwner
                );
                let update = pyth::decode_price_update_v2(&account.try_borrow_data()?)?;
                pyth::check_price_update(&update, &feed_id, max_age_secs, max_confidence_bps, now)
            }
        }
    }
}
