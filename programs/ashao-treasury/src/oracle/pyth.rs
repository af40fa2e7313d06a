//! The Pyth pull oracle's `PriceUpdateV2` account, decoded by Pyth's own SDK
//! (`pyth-solana-receiver-sdk`) and checked here so that each refusal has its own name.

use anchor_lang::prelude::*;
use pyth_solana_receiver_sdk::price_update::{PriceUpdateV2, VerificationLevel};

use crate::{
    constants::{BPS_DENOMINATOR, MAX_ORACLE_CLOCK_SKEW_SECS},
    errors::TreasuryError,
    oracle::OraclePrice,
};

/// Exponents outside this range are not prices any feed publishes; refusing them keeps the
/// guard's arithmetic inside u128.
pub const MAX_ABS_EXPONENT: i32 = 18;

/// Decodes a `PriceUpdateV2` account's data (discriminator checked).
pub fn decode_price_update_v2(mut data: &[u8]) -> Result<PriceUpdateV2> {
    PriceUpdateV2::try_deserialize(&mut data)
        .map_err(|_| TreasuryError::OracleInvalidAccount.into())
}

/// The guard's checks: the configured feed, fully verified, no older than `max_age_secs` and
/// published no later than `MAX_ORACLE_CLOCK_SKEW_SECS` after `now`, a positive price with a
/// sane exponent, and a confidence interval within `max_confidence_bps` of the price.
pub fn check_price_update(
    update: &PriceUpdateV2,
    feed_id: &[u8; 32],
    max_age_secs: u32,
    max_confidence_bps: u16,
    now: i64,
) -> Result<OraclePrice> {
    let message = &update.price_message;
    require!(message.feed_id == *feed_id, TreasuryError::OracleWrongFeed);
    require!(
        update.verification_level == VerificationLevel::Full,
        TreasuryError::OracleNotFullyVerified
    );
    let age = now.saturating_sub(message.publish_time);
    require!(age <= i64::from(max_age_secs), TreasuryError::OracleStale);
    require!(
        age >= -i64::from(MAX_ORACLE_CLOCK_SKEW_SECS),
        TreasuryError::OraclePublishedInFuture
    );
    let price = u64::try_from(message.price).map_err(|_| TreasuryError::OraclePriceInvalid)?;
    require!(
        price > 0 && message.exponent.abs() <= MAX_ABS_EXPONENT,
        TreasuryError::OraclePriceInvalid
    );
    let conf_scaled = u128::from(message.conf)
        .checked_mul(u128::from(BPS_DENOMINATOR))
        .ok_or(TreasuryError::MathOverflow)?;
    let allowed = u128::from(price)
        .checked_mul(u128::from(max_confidence_bps))
        .ok_or(TreasuryError::MathOverflow)?;
    require!(
        conf_scaled <= allowed,
        TreasuryError::OracleConfidenceTooWide
    );
    Ok(OraclePrice {
        price,
        conf: message.conf,
        exponent: message.exponent,
        publish_time: message.publish_time,
    })
}

#[cfg(test)]
mod tests;
