use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::ToPrimitive;
use proptest::prelude::*;

use super::*;

fn share(base: u64, boost_bps: u16) -> WorkerShare {
    WorkerShare { base, boost_bps }
}

fn is(result: Result<(Vec<WorkerPayment>, SettlementTotals)>, error: TreasuryError) -> bool {
    matches!(result, Err(e) if e == error.into())
}

#[test]
fn an_uncapped_batch_pays_base_plus_boost_and_the_rest_is_revenue() {
    let (payments, totals) = settle_batch(
        10_000,
        &[share(1_000, 500), share(2_000, 0), share(3_333, 1_500)],
    )
    .unwrap();
    let paid: Vec<(u64, u64)> = payments.iter().map(|p| (p.boost, p.paid)).collect();
    // 1_000 × 5% = 50; 3_333 × 15% = 499.95, floored to 499.
    assert_eq!(paid, vec![(50, 1_050), (0, 2_000), (499, 3_832)]);
    assert_eq!(
        totals,
        SettlementTotals {
            gross: 10_000,
            base: 6_333,
            boost_paid: 549,
            paid_to_workers: 6_882,
            revenue: 3_118,
            boost_capped: false,
        }
    );
}

#[test]
fn boosts_over_the_remainder_are_scaled_down_in_proportion() {
    // Remainder 100; requests 300 and 100: scaled to 75 and 25.
    let (payments, totals) = settle_batch(1_100, &[share(600, 5_000), share(400, 2_500)]).unwrap();
    assert_eq!(payments[0].boost_requested, 300);
    assert_eq!(payments[0].boost, 75);
    assert_eq!(payments[1].boost, 25);
    assert!(totals.boost_capped);
    assert_eq!(totals.paid_to_workers, 1_100);
    assert_eq!(totals.revenue, 0);
    // Floors leave units to revenue: remainder 10 over three requests of 10 each: 3 each.
    let (payments, totals) = settle_batch(
        310,
        &[share(100, 1_000), share(100, 1_000), share(100, 1_000)],
    )
    .unwrap();
    assert!(payments.iter().all(|p| p.boost == 3));
    assert_eq!(totals.revenue, 1);
}

#[test]
fn the_remainder_exactly_covering_the_boosts_is_not_a_cap() {
    let (payments, totals) = settle_batch(1_050, &[share(1_000, 500)]).unwrap();
    assert_eq!(payments[0].boost, 50);
    assert!(!totals.boost_capped);
    assert_eq!(totals.revenue, 0);
}

#[test]
fn bases_above_the_gross_are_refused() {
    assert!(is(
        settle_batch(999, &[share(1_000, 0)]),
        TreasuryError::BasesExceedGross
    ));
    assert!(is(
        settle_batch(1_000, &[share(600, 0), share(401, 0)]),
        TreasuryError::BasesExceedGross
    ));
    // Bases whose sum overflows u64 exceed any gross.
    assert!(is(
        settle_batch(u64::MAX, &[share(u64::MAX, 0), share(1, 0)]),
        TreasuryError::BasesExceedGross
    ));
    assert!(settle_batch(1_000, &[share(1_000, 10_000)]).is_ok());
}

#[test]
fn u64_extremes_settle_without_overflow() {
    let (payments, totals) = settle_batch(
        u64::MAX,
        &[share(u64::MAX / 2, 10_000), share(u64::MAX / 4, 10_000)],
    )
    .unwrap();
    assert_eq!(totals.paid_to_workers + totals.revenue, u64::MAX);
    assert!(totals.boost_capped);
    assert!(payments.iter().all(|p| p.boost <= p.boost_requested));
    assert_eq!(requested_boost(u64::MAX, 10_000).unwrap(), u64::MAX);
}

#[test]
fn an_empty_batch_is_all_revenue() {
    let (payments, totals) = settle_batch(77, &[]).unwrap();
    assert!(payments.is_empty());
    assert_eq!(totals.revenue, 77);
}

fn shares() -> impl Strategy<Value = Vec<WorkerShare>> {
    let base = prop_oneof![
        0u64..1_000,
        0u64..1_000_000_000,
        any::<u64>().prop_map(|b| b >> 6)
    ];
    let bps = prop_oneof![Just(0u16), 0u16..=10_000, Just(10_000u16)];
    prop::collection::vec(
        (base, bps).prop_map(|(base, boost_bps)| share(base, boost_bps)),
        0..24,
    )
}

proptest! {
    /// Conservation, the cap, and each payment against exact rationals.
    #[test]
    fn gross_is_paid_to_workers_plus_revenue_exactly(shares in shares(), extra in any::<u64>()) {
        let total_base: u128 = shares.iter().map(|s| u128::from(s.base)).sum();
        prop_assume!(total_base <= u128::from(u64::MAX));
        let gross = u64::try_from(total_base).unwrap().saturating_add(extra % (1 << 40));
        let (payments, totals) = settle_batch(gross, &shares).unwrap();
        prop_assert_eq!(
            u128::from(totals.paid_to_workers) + u128::from(totals.revenue),
            u128::from(gross)
        );
        prop_assert!(totals.paid_to_workers <= gross);
        let paid: u128 = payments.iter().map(|p| u128::from(p.paid)).sum();
        prop_assert_eq!(paid, u128::from(totals.paid_to_workers));
        let remainder = gross - u64::try_from(total_base).unwrap();
        prop_assert!(totals.boost_paid <= remainder);
        let requested: u128 = payments.iter().map(|p| u128::from(p.boost_requested)).sum();
        prop_assert_eq!(totals.boost_capped, requested > u128::from(remainder));
        for (payment, share) in payments.iter().zip(&shares) {
            let exact = BigRational::new(
                BigInt::from(share.base) * BigInt::from(share.boost_bps),
                BigInt::from(10_000),
            );
            prop_assert_eq!(BigInt::from(payment.boost_requested), exact.floor().to_integer());
            prop_assert_eq!(payment.paid, payment.base + payment.boost);
            if totals.boost_capped {
                // Within one unit below the exact proportional share, never above it.
                let fair = BigRational::new(
                    BigInt::from(payment.boost_requested) * BigInt::from(remainder),
                    BigInt::from(requested),
                );
                let gap = fair - BigRational::from_integer(BigInt::from(payment.boost));
                let gap = gap.to_f64().unwrap();
                prop_assert!((0.0..1.0).contains(&gap), "gap {}", gap);
            } else {
                prop_assert_eq!(payment.boost, payment.boost_requested);
            }
        }
        // Units the floors leave all go to revenue: fewer than one per worker.
        if totals.boost_capped {
            prop_assert!(remainder - totals.boost_paid < shares.len().max(1) as u64);
        }
    }

    /// The same batch in another order pays every worker the same.
    #[test]
    fn the_order_of_the_workers_does_not_matter(shares in shares(), extra in 0u64..1_000_000) {
        let total_base: u128 = shares.iter().map(|s| u128::from(s.base)).sum();
        prop_assume!(total_base + u128::from(extra) <= u128::from(u64::MAX));
        let gross = u64::try_from(total_base).unwrap() + extra;
        let (forward, totals) = settle_batch(gross, &shares).unwrap();
        let reversed: Vec<WorkerShare> = shares.iter().rev().copied().collect();
        let (backward, totals_back) = settle_batch(gross, &reversed).unwrap();
        let mut back: Vec<WorkerPayment> = backward;
        back.reverse();
        prop_assert_eq!(forward, back);
        prop_assert_eq!(totals, totals_back);
    }
}
