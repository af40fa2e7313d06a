//! Settling a batch of paid usage: each worker is paid its base share plus the boost its stake
//! earns, the boost comes out of the protocol's remainder, and what is left is revenue.
//!
//! The rule when the boosts ask for more than the remainder (`gross − Σ base`): each boost is
//! scaled down in proportion, `floor(boost × remainder / Σ boost)`, so the batch never pays
//! workers more than its gross and the order of the workers does not matter; the units the
//! floors leave go to revenue. In every case `gross = paid to workers + revenue`, exactly.

use anchor_lang::prelude::*;

use crate::{constants::BPS_DENOMINATOR, errors::TreasuryError};

/// One worker's line of a batch: its base share and the boost its stake earns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkerShare {
    pub base: u64,
    pub boost_bps: u16,
}

/// What a worker is paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkerPayment {
    pub base: u64,
    pub boost_bps: u16,
    /// `floor(base × boost_bps / 10_000)`: the boost the tier asks for.
    pub boost_requested: u64,
    /// The boost paid: the request, or its share of the remainder when the batch's requests
    /// exceed it.
    pub boost: u64,
    /// `base + boost`.
    pub paid: u64,
}

/// A batch's totals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SettlementTotals {
    pub gross: u64,
    pub base: u64,
    pub boost_paid: u64,
    pub paid_to_workers: u64,
    /// `gross − paid_to_workers`: the treasury's revenue, split 50/50 like a deposit.
    pub revenue: u64,
    /// Whether the boosts asked for more than the remainder and were scaled down.
    pub boost_capped: bool,
}

/// The boost `base` earns at `boost_bps`, floored (at most `base`: tiers are at most 10_000 bps).
pub fn requested_boost(base: u64, boost_bps: u16) -> Result<u64> {
    let boost = u128::from(base)
        .checked_mul(u128::from(boost_bps))
        .ok_or(TreasuryError::MathOverflow)?
        / u128::from(BPS_DENOMINATOR);
    Ok(u64::try_from(boost).map_err(|_| TreasuryError::MathOverflow)?)
}

/// Pays each share of a batch of `gross` and returns the payments (in the shares' order) and
/// the totals. Refuses bases that add up to more than the gross (`BasesExceedGross`).
pub fn settle_batch(
    gross: u64,
    shares: &[WorkerShare],
) -> Result<(Vec<WorkerPayment>, SettlementTotals)> {
    let mut total_base: u64 = 0;
    let mut total_requested: u128 = 0;
    let mut requests = Vec::with_capacity(shares.len());
    for share in shares {
        total_base = total_base
            .checked_add(share.base)
            .ok_or(TreasuryError::BasesExceedGross)?;
        let requested = requested_boost(share.base, share.boost_bps)?;
        total_requested = total_requested
            .checked_add(u128::from(requested))
            .ok_or(TreasuryError::MathOverflow)?;
        requests.push(requested);
    }
    let remainder = gross
        .checked_sub(total_base)
        .ok_or(TreasuryError::BasesExceedGross)?;
    let boost_capped = total_requested > u128::from(remainder);

    let mut payments = Vec::with_capacity(shares.len());
    let mut boost_paid: u64 = 0;
    for (share, requested) in shares.iter().zip(requests) {
        let boost = if boost_capped {
            // requested ≤ total_requested, so the share is at most the remainder.
            let scaled = u128::from(requested)
                .checked_mul(u128::from(remainder))
                .ok_or(TreasuryError::MathOverflow)?
                / total_requested;
            u64::try_from(scaled).map_err(|_| TreasuryError::MathOverflow)?
        } else {
            requested
        };
        boost_paid = boost_paid
            .checked_add(boost)
            .ok_or(TreasuryError::MathOverflow)?;
        payments.push(WorkerPayment {
            base: share.base,
            boost_bps: share.boost_bps,
            boost_requested: requested,
            boost,
            paid: share
                .base
                .checked_add(boost)
                .ok_or(TreasuryError::MathOverflow)?,
        });
    }
    let paid_to_workers = total_base
        .checked_add(boost_paid)
        .ok_or(TreasuryError::MathOverflow)?;
    let revenue = gross
        .checked_sub(paid_to_workers)
        .ok_or(TreasuryError::MathOverflow)?;
    Ok((
        payments,
        SettlementTotals {
            gross,
            base: total_base,
            boost_paid,
            paid_to_workers,
            revenue,
            boost_capped,
        },
    ))
}

#[cfg(test)]
mod tests;
