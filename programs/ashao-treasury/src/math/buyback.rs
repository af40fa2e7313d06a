//! Buyback measurements: what a swap between `begin_buyback` and `finish_buyback` actually spent
//! and received, judged from token balances snapshotted by `begin_buyback`, never from what the
//! crank claims.

use anchor_lang::prelude::*;

use crate::errors::TreasuryError;

/// What `begin_buyback` recorded for `finish_buyback` to measure against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuybackSnapshot {
    /// USDC moved from the buyback vault to the crank.
    pub usdc_amount: u64,
    /// The crank's USDC balance right after that transfer.
    pub crank_usdc_after_begin: u64,
    /// The crank's $ASHAO balance at `begin_buyback`.
    pub crank_ashao_before: u64,
    pub min_ashao_out: u64,
}

/// The measured result of one buyback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuybackOutcome {
    /// USDC that left the crank's account during the swap (taken from the bucket).
    pub usdc_spent: u64,
    /// USDC handed back to the buyback vault: `usdc_amount - usdc_spent`.
    pub usdc_returned: u64,
    /// $ASHAO that arrived in the crank's account during the swap; all of it is burned.
    pub ashao_received: u64,
}

/// Measures a buyback from the balances at `finish_buyback`.
///
/// Refuses a swap that spent more USDC than the buyback took (it would be paying with the
/// crank's own funds and the books could not say whose), and one that delivered less than
/// `min_ashao_out` (including a crank whose $ASHAO balance went down).
pub fn measure_buyback(
    snapshot: &BuybackSnapshot,
    crank_usdc_now: u64,
    crank_ashao_now: u64,
) -> Result<BuybackOutcome> {
    // USDC can only leave the crank during a USDC -> $ASHAO swap; if something paid in, the
    // buyback spent nothing of the treasury's.
    let usdc_spent = snapshot
        .crank_usdc_after_begin
        .saturating_sub(crank_usdc_now);
    require!(
        usdc_spent <= snapshot.usdc_amount,
        TreasuryError::BuybackOverspent
    );
    let usdc_returned = snapshot
        .usdc_amount
        .checked_sub(usdc_spent)
        .ok_or(TreasuryError::MathOverflow)?;
    let ashao_received = crank_ashao_now
        .checked_sub(snapshot.crank_ashao_before)
        .ok_or(TreasuryError::MinAshaoOutNotMet)?;
    require!(
        ashao_received >= snapshot.min_ashao_out,
        TreasuryError::MinAshaoOutNotMet
    );
    Ok(BuybackOutcome {
        usdc_spent,
        usdc_returned,
        ashao_received,
    })
}

/// The effective price in USDC base units per whole $ASHAO (`10^ashao_decimals` base units),
/// floored; 0 when nothing was received.
pub fn effective_price(usdc_spent: u64, ashao_received: u64, ashao_decimals: u8) -> Result<u64> {
    if ashao_received == 0 {
        return Ok(0);
    }
    let scale = 10u128
        .checked_pow(u32::from(ashao_decimals))
        .ok_or(TreasuryError::MathOverflow)?;
    let price = u128::from(usdc_spent)
        .checked_mul(scale)
        .ok_or(TreasuryError::MathOverflow)?
        / u128::from(ashao_received);
    u64::try_from(price).map_err(|_| TreasuryError::MathOverflow.into())
}

/// When the next buyback may start: any time before the first, else `min_interval_secs` after
/// the last one.
pub fn next_buyback_allowed_at(
    buyback_count: u64,
    last_buyback_ts: i64,
    min_interval_secs: u32,
) -> Result<i64> {
    if buyback_count == 0 {
        return Ok(i64::MIN);
    }
    last_buyback_ts
        .checked_add(i64::from(min_interval_secs))
        .ok_or(TreasuryError::MathOverflow.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SNAPSHOT: BuybackSnapshot = BuybackSnapshot {
        usdc_amount: 1_000,
        crank_usdc_after_begin: 1_500,
        crank_ashao_before: 70,
        min_ashao_out: 400,
    };

    /// The error a result failed with (Anchor's errors compare by code).
    fn error_of<T: std::fmt::Debug>(result: Result<T>) -> anchor_lang::error::Error {
        result.expect_err("expected an error")
    }

    fn named(error: TreasuryError) -> anchor_lang::error::Error {
        error.into()
    }

    #[test]
    fn spending_part_returns_the_rest_and_counts_what_arrived() {
        let outcome = measure_buyback(&SNAPSHOT, 600, 570).unwrap();
        assert_eq!(
            outcome,
            BuybackOutcome {
                usdc_spent: 900,
                usdc_returned: 100,
                ashao_received: 500,
            }
        );
    }

    #[test]
    fn spending_exactly_the_amount_returns_nothing() {
        let outcome = measure_buyback(&SNAPSHOT, 500, 470).unwrap();
        assert_eq!((outcome.usdc_spent, outcome.usdc_returned), (1_000, 0));
    }

    #[test]
    fn spending_the_cranks_own_usdc_is_refused() {
        assert_eq!(
            error_of(measure_buyback(&SNAPSHOT, 499, 10_000)),
            named(TreasuryError::BuybackOverspent)
        );
    }

    #[test]
    fn receiving_less_than_the_minimum_is_refused() {
        assert_eq!(
            error_of(measure_buyback(&SNAPSHOT, 600, 469)),
            named(TreasuryError::MinAshaoOutNotMet)
        );
        // The crank's $ASHAO went down: nothing was received.
        assert_eq!(
            error_of(measure_buyback(&SNAPSHOT, 600, 69)),
            named(TreasuryError::MinAshaoOutNotMet)
        );
    }

    #[test]
    fn usdc_paid_in_during_the_swap_counts_as_nothing_spent() {
        let outcome = measure_buyback(&SNAPSHOT, 2_000, 470).unwrap();
        assert_eq!((outcome.usdc_spent, outcome.usdc_returned), (0, 1_000));
    }

    #[test]
    fn price_is_usdc_per_whole_token_floored() {
        // 900 USDC base units for 500 base units of a 9-decimal token.
        assert_eq!(effective_price(900, 500, 9).unwrap(), 1_800_000_000);
        assert_eq!(effective_price(10, 3, 0).unwrap(), 3);
        assert_eq!(effective_price(10, 0, 9).unwrap(), 0);
        assert_eq!(effective_price(u64::MAX, 1, 0).unwrap(), u64::MAX);
        assert_eq!(
            error_of(effective_price(u64::MAX, 1, 9)),
            named(TreasuryError::MathOverflow)
        );
    }

    #[test]
    fn the_first_buyback_is_always_allowed_then_the_interval_applies() {
        assert_eq!(next_buyback_allowed_at(0, 0, 60).unwrap(), i64::MIN);
        assert_eq!(next_buyback_allowed_at(3, 1_000, 60).unwrap(), 1_060);
        assert!(next_buyback_allowed_at(1, i64::MAX, 1).is_err());
    }
}
