use pyth_solana_receiver_sdk::price_update::PriceFeedMessage;

use super::*;
use crate::constants::{MAX_ORACLE_CLOCK_SKEW_SECS, MAX_ORACLE_CONFIDENCE_BPS};

const FEED: [u8; 32] = [7u8; 32];
const NOW: i64 = 1_700_000_000;

fn update(level: VerificationLevel, price: i64, conf: u64, publish_time: i64) -> PriceUpdateV2 {
    PriceUpdateV2 {
        write_authority: Pubkey::new_unique(),
        verification_level: level,
        price_message: PriceFeedMessage {
            feed_id: FEED,
            price,
            conf,
            exponent: -8,
            publish_time,
            prev_publish_time: publish_time - 1,
            ema_price: price,
            ema_conf: conf,
        },
        posted_slot: 1,
    }
}

fn bytes(update: &PriceUpdateV2) -> Vec<u8> {
    let mut data = Vec::new();
    update.try_serialize(&mut data).unwrap();
    data
}

fn named(error: TreasuryError) -> anchor_lang::error::Error {
    error.into()
}

/// The error a decode failed with (`PriceUpdateV2` has no `Debug`, so no `unwrap_err`).
fn decode_error(data: &[u8]) -> anchor_lang::error::Error {
    match decode_price_update_v2(data) {
        Ok(_) => panic!("decoded"),
        Err(e) => e,
    }
}

#[test]
fn a_fresh_full_price_round_trips_and_passes() {
    let u = update(VerificationLevel::Full, 150_000_000, 150_000, NOW - 10);
    let decoded = decode_price_update_v2(&bytes(&u)).unwrap();
    assert_eq!(decoded.price_message.price, 150_000_000);
    let price = check_price_update(&decoded, &FEED, 60, 100, NOW).unwrap();
    assert_eq!(
        price,
        OraclePrice {
            price: 150_000_000,
            conf: 150_000,
            exponent: -8,
            publish_time: NOW - 10
        }
    );
}

#[test]
fn the_real_layout_is_134_bytes_with_full_verification() {
    // Pyth's PriceUpdateV2::LEN; a Full account serialises one byte shorter (no signature count).
    let full = bytes(&update(VerificationLevel::Full, 1, 0, NOW));
    assert_eq!(full.len(), PriceUpdateV2::LEN - 1);
    assert_eq!(&full[..8], PriceUpdateV2::DISCRIMINATOR);
}

#[test]
fn every_bad_price_is_refused_by_name() {
    let good = update(VerificationLevel::Full, 100, 1, NOW);
    let check = |u: &PriceUpdateV2| check_price_update(u, &FEED, 60, 100, NOW).unwrap_err();

    assert_eq!(
        check_price_update(&good, &[8u8; 32], 60, 100, NOW).unwrap_err(),
        named(TreasuryError::OracleWrongFeed)
    );
    let partial = update(
        VerificationLevel::Partial { num_signatures: 13 },
        100,
        1,
        NOW,
    );
    assert_eq!(
        check(&partial),
        named(TreasuryError::OracleNotFullyVerified)
    );
    let stale = update(VerificationLevel::Full, 100, 1, NOW - 61);
    assert_eq!(check(&stale), named(TreasuryError::OracleStale));
    // Exactly max_age old is still accepted.
    check_price_update(
        &update(VerificationLevel::Full, 100, 1, NOW - 60),
        &FEED,
        60,
        100,
        NOW,
    )
    .unwrap();
    // Published in the future: up to the clock skew is accepted, a second more is not.
    let ahead = i64::from(MAX_ORACLE_CLOCK_SKEW_SECS);
    check_price_update(
        &update(VerificationLevel::Full, 100, 1, NOW + ahead),
        &FEED,
        60,
        100,
        NOW,
    )
    .unwrap();
    for publish_time in [NOW + ahead + 1, NOW + 3_600, i64::MAX] {
        let future = update(VerificationLevel::Full, 100, 1, publish_time);
        assert_eq!(
            check(&future),
            named(TreasuryError::OraclePublishedInFuture)
        );
    }
    for price in [0, -5] {
        let bad = update(VerificationLevel::Full, price, 0, NOW);
        assert_eq!(check(&bad), named(TreasuryError::OraclePriceInvalid));
    }
    let mut huge_exponent = good;
    huge_exponent.price_message.exponent = -19;
    assert_eq!(
        check(&huge_exponent),
        named(TreasuryError::OraclePriceInvalid)
    );
    // conf 2 of 100 is 200 bps > 100 bps allowed.
    let wide = update(VerificationLevel::Full, 100, 2, NOW);
    assert_eq!(check(&wide), named(TreasuryError::OracleConfidenceTooWide));
}

#[test]
fn garbage_and_other_accounts_are_not_price_updates() {
    assert_eq!(
        decode_error(&[0u8; 134]),
        named(TreasuryError::OracleInvalidAccount)
    );
    let mut truncated = bytes(&update(VerificationLevel::Full, 1, 0, NOW));
    truncated.truncate(60);
    assert_eq!(
        decode_error(&truncated),
        named(TreasuryError::OracleInvalidAccount)
    );
}

#[test]
fn the_floor_is_priced_at_the_low_end_of_the_confidence_interval() {
    let accepted = |conf| {
        check_price_update(
            &update(VerificationLevel::Full, 1_000, conf, NOW),
            &FEED,
            60,
            MAX_ORACLE_CONFIDENCE_BPS,
            NOW,
        )
        .unwrap()
    };
    assert_eq!(accepted(0).treasury_side_price().unwrap(), 1_000);
    assert_eq!(accepted(37).treasury_side_price().unwrap(), 963);
    // The widest interval the guard accepts (10%) still leaves a positive price.
    assert_eq!(accepted(100).treasury_side_price().unwrap(), 900);
    let impossible = OraclePrice {
        price: 5,
        conf: 5,
        exponent: 0,
        publish_time: NOW,
    };
    assert_eq!(
        impossible.treasury_side_price().unwrap_err(),
        named(TreasuryError::OraclePriceInvalid)
    );
}
