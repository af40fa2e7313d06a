//! The bounds as the docs, the IDL and the SDK (`app/sdk/src/constants.ts`) state them, written
//! out as figures: a bound computed wrongly (`60 * 60` slipping to `60 + 60`) changes what the
//! program accepts while every test that reads the constant back would still agree with it.

use super::*;

const HOUR: u32 = 3_600;
const DAY: u32 = 86_400;

#[test]
fn the_stream_and_cooldown_bounds_are_an_hour_and_thirty_days() {
    assert_eq!(MIN_STREAM_PERIOD_SECS, HOUR);
    assert_eq!(MAX_STREAM_PERIOD_SECS, 2_592_000);
    assert_eq!(MIN_UNSTAKE_COOLDOWN_SECS, HOUR);
    assert_eq!(MAX_UNSTAKE_COOLDOWN_SECS, 2_592_000);
}

#[test]
fn buybacks_wait_a_minute_to_thirty_days_and_spend_at_most_a_million_usdc() {
    assert_eq!(MIN_BUYBACK_INTERVAL_SECS, 60);
    assert_eq!(MAX_BUYBACK_INTERVAL_SECS, 30 * DAY);
    assert_eq!(MAX_BUYBACK_USDC, 1_000_000_000_000);
    assert_eq!(MAX_SLIPPAGE_BPS, 1_000);
}

#[test]
fn the_timelock_leaves_a_day_to_react_after_the_cooldown() {
    assert_eq!(REACTION_WINDOW_SECS, DAY);
    assert_eq!(MIN_TIMELOCK_SECS, 90_000);
    assert_eq!(MAX_TIMELOCK_SECS, 2_678_400);
    assert_eq!(TIMELOCK_GRACE_SECS, 1_209_600);
}

#[test]
fn the_oracle_bounds_are_an_hour_ten_seconds_of_skew_and_ten_percent() {
    assert_eq!(MAX_ORACLE_AGE_SECS, HOUR);
    assert_eq!(MAX_ORACLE_CLOCK_SKEW_SECS, 10);
    assert_eq!(MAX_ORACLE_CONFIDENCE_BPS, 1_000);
}

#[test]
fn the_counts_that_size_accounts_and_transactions() {
    assert_eq!(REWARD_PRECISION, 10u128.pow(18));
    assert_eq!(BPS_DENOMINATOR, 10_000);
    assert_eq!(MAX_BOOST_TIERS, 8);
    assert_eq!(MAX_BOOST_BPS, 10_000);
    assert_eq!(MAX_UNSTAKE_TICKETS, 8);
    assert_eq!(MAX_CRANKS, 8);
    assert_eq!(MAX_BILLING_AUTHORITIES, 4);
    assert_eq!(MAX_SETTLEMENT_WORKERS, 9);
    assert_eq!(SETTLEMENT_ACCOUNTS_PER_WORKER, 2);
    assert_eq!(USAGE_BATCH_WINDOW, 4_096);
}
