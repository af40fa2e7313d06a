//! Converting an oracle price (`price × 10^exponent` US dollars per whole $ASHAO) into what a
//! buyback must receive. USDC is valued at one dollar.

use anchor_lang::prelude::*;

use crate::{constants::BPS_DENOMINATOR, errors::TreasuryError};

fn pow10(exponent: u32) -> Result<u128> {
    Ok(10u128
        .checked_pow(exponent)
        .ok_or(TreasuryError::MathOverflow)?)
}

/// `(numerator, denominator)` of the fair $ASHAO base units per USDC base unit at the oracle
/// price: `10^ashao_decimals / (price × 10^(exponent + usdc_decimals))`.
fn ashao_per_usdc(
    price: u64,
    exponent: i32,
    usdc_decimals: u8,
    ashao_decimals: u8,
) -> Result<(u128, u128)> {
    let k = exponent
        .checked_add(i32::from(usdc_decimals))
        .ok_or(TreasuryError::MathOverflow)?;
    let mut numerator = pow10(u32::from(ashao_decimals))?;
    let mut denominator = u128::from(price);
    if k >= 0 {
        denominator = denominator
            .checked_mul(pow10(k.unsigned_abs())?)
            .ok_or(TreasuryError::MathOverflow)?;
    } else {
        numerator = numerator
            .checked_mul(pow10(k.unsigned_abs())?)
            .ok_or(TreasuryError::MathOverflow)?;
    }
    require!(denominator > 0, TreasuryError::OraclePriceInvalid);
    Ok((numerator, denominator))
}

/// The least $ASHAO (base units) a buyback spending `usdc_spent` must receive: the oracle's fair
/// amount less `slippage_bps`, rounded up (in the protocol's favour).
pub fn min_ashao_out(
    usdc_spent: u64,
    price: u64,
    exponent: i32,
    usdc_decimals: u8,
    ashao_decimals: u8,
    slippage_bps: u16,
) -> Result<u64> {
    let (numerator, denominator) = ashao_per_usdc(price, exponent, usdc_decimals, ashao_decimals)?;
    let kept_bps = u128::from(
        BPS_DENOMINATOR
            .checked_sub(slippage_bps)
            .ok_or(TreasuryError::MathOverflow)?,
    );
    let top = u128::from(usdc_spent)
        .checked_mul(kept_bps)
        .ok_or(TreasuryError::MathOverflow)?
        .checked_mul(numerator)
        .ok_or(TreasuryError::MathOverflow)?;
    let bottom = denominator
        .checked_mul(u128::from(BPS_DENOMINATOR))
        .ok_or(TreasuryError::MathOverflow)?;
    let out = top.div_ceil(bottom);
    Ok(u64::try_from(out).map_err(|_| TreasuryError::MathOverflow)?)
}

/// The oracle price in USDC base units per whole $ASHAO, floored (the unit of the event's
/// effective price, so the two compare directly).
pub fn usdc_per_ashao(price: u64, exponent: i32, usdc_decimals: u8) -> Result<u64> {
    let k = exponent
        .checked_add(i32::from(usdc_decimals))
        .ok_or(TreasuryError::MathOverflow)?;
    let scaled = if k >= 0 {
        u128::from(price)
            .checked_mul(pow10(k.unsigned_abs())?)
            .ok_or(TreasuryError::MathOverflow)?
    } else {
        u128::from(price) / pow10(k.unsigned_abs())?
    };
    Ok(u64::try_from(scaled).map_err(|_| TreasuryError::MathOverflow)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn one_dollar_token_with_nine_decimals() {
        // $1.00000000 (exponent -8): 1 USDC (1e6 base units) buys 1e9 $ASHAO base units.
        assert_eq!(
            min_ashao_out(1_000_000, 100_000_000, -8, 6, 9, 0).unwrap(),
            1_000_000_000
        );
        // 1% slippage.
        assert_eq!(
            min_ashao_out(1_000_000, 100_000_000, -8, 6, 9, 100).unwrap(),
            990_000_000
        );
        assert_eq!(usdc_per_ashao(100_000_000, -8, 6).unwrap(), 1_000_000);
    }

    #[test]
    fn rounds_up_and_positive_exponents_work() {
        // $3 per token, 0 decimals both sides: 10 units buy 3.33.. → at least 4.
        assert_eq!(min_ashao_out(10, 3, 0, 0, 0, 0).unwrap(), 4);
        assert_eq!(min_ashao_out(10, 3, 1, 0, 0, 0).unwrap(), 1);
        assert_eq!(usdc_per_ashao(3, 2, 6).unwrap(), 300_000_000);
        assert_eq!(min_ashao_out(0, 3, 0, 6, 9, 0).unwrap(), 0);
    }

    #[test]
    fn the_largest_buyback_at_extreme_prices_does_not_overflow_silently() {
        // The cap (1e12) at $0.0001 buys 1e19 base units of a 9-decimal token: it fits u64.
        assert_eq!(
            min_ashao_out(1_000_000_000_000, 10_000, -8, 6, 9, 0).unwrap(),
            10_000_000_000_000_000_000
        );
        // Beyond u64 it is a named overflow, never a wrapped number.
        assert!(min_ashao_out(u64::MAX, 1, -18, 6, 9, 0).is_err());
    }

    proptest! {
        /// Buying exactly at the oracle price meets the guard, and one unit less with no
        /// slippage does not.
        #[test]
        fn fair_price_meets_the_guard(
            usdc in 1u64..1_000_000_000_000,
            price in 1u64..1_000_000_000_000,
            exponent in -12i32..=0,
            slippage in 0u16..=1_000,
        ) {
            let fair = min_ashao_out(usdc, price, exponent, 6, 9, 0).unwrap();
            let with_slippage = min_ashao_out(usdc, price, exponent, 6, 9, slippage).unwrap();
            prop_assert!(with_slippage <= fair);
            // fair is the ceiling of the exact amount: fair - 1 < exact <= fair.
            let (n, d) = ashao_per_usdc(price, exponent, 6, 9).unwrap();
            let exact_times_d = u128::from(usdc) * n;
            prop_assert!(u128::from(fair) * d >= exact_times_d);
            prop_assert!(fair == 0 || u128::from(fair - 1) * d < exact_times_d);
        }
    }
}
