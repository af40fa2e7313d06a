//! Constant-product swap math, exact-in. Pure integer functions with u128 intermediates and
//! checked operations; every rounding favours the pool.
//!
//! `app/jupiter-local/src/math.ts` implements the same function on bigints, and both replay
//! `tests/fixtures/swap_cases.json`, so a quote from the local Jupiter server equals what the
//! program pays out.

use crate::{constants::BPS_DENOMINATOR, errors::AmmError};

/// The outcome of an exact-in swap against reserves `(reserve_in, reserve_out)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SwapQuote {
    pub amount_in: u64,
    /// Part of `amount_in` kept by the pool as its fee (in the input mint).
    pub fee_amount: u64,
    pub amount_out: u64,
}

/// Quotes an exact-in swap of `amount_in` with a fee of `fee_bps`:
///
/// - `in_after_fee = floor(amount_in * (10_000 - fee_bps) / 10_000)` (so the fee rounds up),
/// - `amount_out = floor(reserve_out * in_after_fee / (reserve_in + in_after_fee))`,
///
/// so `(reserve_in + amount_in) * (reserve_out - amount_out) >= reserve_in * reserve_out` always.
/// Errors: `ZeroAmount` for a zero input, `EmptyPool` when a reserve is zero, `ZeroAmountOut`
/// when the input is too small to buy one base unit, `FeeTooHigh`, `MathOverflow`.
pub fn quote_exact_in(
    reserve_in: u64,
    reserve_out: u64,
    amount_in: u64,
    fee_bps: u16,
) -> Result<SwapQuote, AmmError> {
    if amount_in == 0 {
        return Err(AmmError::ZeroAmount);
    }
    if reserve_in == 0 || reserve_out == 0 {
        return Err(AmmError::EmptyPool);
    }
    let fee_bps = u64::from(fee_bps);
    if fee_bps >= BPS_DENOMINATOR {
        return Err(AmmError::FeeTooHigh);
    }
    let keep_bps = u128::from(BPS_DENOMINATOR - fee_bps);
    let in_after_fee = u128::from(amount_in)
        .checked_mul(keep_bps)
        .and_then(|v| v.checked_div(u128::from(BPS_DENOMINATOR)))
        .ok_or(AmmError::MathOverflow)?;
    let numerator = u128::from(reserve_out)
        .checked_mul(in_after_fee)
        .ok_or(AmmError::MathOverflow)?;
    let denominator = u128::from(reserve_in)
        .checked_add(in_after_fee)
        .ok_or(AmmError::MathOverflow)?;
    let amount_out = numerator
        .checked_div(denominator)
        .ok_or(AmmError::MathOverflow)?;
    // amount_out < reserve_out because in_after_fee < denominator; the conversion cannot fail.
    let amount_out = u64::try_from(amount_out).map_err(|_| AmmError::MathOverflow)?;
    if amount_out == 0 {
        return Err(AmmError::ZeroAmountOut);
    }
    let in_after_fee = u64::try_from(in_after_fee).map_err(|_| AmmError::MathOverflow)?;
    let fee_amount = amount_in
        .checked_sub(in_after_fee)
        .ok_or(AmmError::MathOverflow)?;
    Ok(SwapQuote {
        amount_in,
        fee_amount,
        amount_out,
    })
}

#[cfg(test)]
mod tests;
