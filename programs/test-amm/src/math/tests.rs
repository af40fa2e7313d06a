use super::*;
use proptest::prelude::*;
use serde::Deserialize;

#[test]
fn known_values() {
    // 1_000 in, 0.3% fee: 997 after fee; 1_000_000 * 997 / (1_000_000 + 997) = 996.00...
    let q = quote_exact_in(1_000_000, 1_000_000, 1_000, 30).unwrap();
    assert_eq!(
        q,
        SwapQuote {
            amount_in: 1_000,
            fee_amount: 3,
            amount_out: 996
        }
    );
    // No fee, equal reserves: 100 * 100 / 200 = 50.
    assert_eq!(quote_exact_in(100, 100, 100, 0).unwrap().amount_out, 50);
    // Fee rounds up (floor of what is kept): 1 unit in at 30 bps keeps 0.
    assert_eq!(
        quote_exact_in(1_000, 1_000, 1, 30),
        Err(AmmError::ZeroAmountOut)
    );
    // Largest reserves and input: no overflow, output below the reserve.
    let q = quote_exact_in(u64::MAX, u64::MAX, u64::MAX, 0).unwrap();
    assert_eq!(q.amount_out, u64::MAX / 2);
}

#[test]
fn named_errors() {
    assert_eq!(quote_exact_in(10, 10, 0, 30), Err(AmmError::ZeroAmount));
    assert_eq!(quote_exact_in(0, 10, 5, 30), Err(AmmError::EmptyPool));
    assert_eq!(quote_exact_in(10, 0, 5, 30), Err(AmmError::EmptyPool));
    assert_eq!(quote_exact_in(10, 10, 5, 10_000), Err(AmmError::FeeTooHigh));
}

#[derive(Deserialize)]
struct Case {
    reserve_in: String,
    reserve_out: String,
    amount_in: String,
    fee_bps: u16,
    /// Either the expected amounts or the expected error name.
    fee_amount: Option<String>,
    amount_out: Option<String>,
    error: Option<String>,
}

/// The cases the TypeScript quote (`app/jupiter-local/src/math.ts`) replays too.
#[test]
fn shared_cases() {
    let json = include_str!("../../tests/fixtures/swap_cases.json");
    let cases: Vec<Case> = serde_json::from_str(json).unwrap();
    assert!(cases.len() >= 10);
    for (i, c) in cases.iter().enumerate() {
        let got = quote_exact_in(
            c.reserve_in.parse().unwrap(),
            c.reserve_out.parse().unwrap(),
            c.amount_in.parse().unwrap(),
            c.fee_bps,
        );
        match (&c.error, got) {
            (Some(name), Err(e)) => assert_eq!(&e.name(), name, "case {i}"),
            (None, Ok(q)) => {
                assert_eq!(
                    q.fee_amount.to_string(),
                    *c.fee_amount.as_ref().unwrap(),
                    "case {i}"
                );
                assert_eq!(
                    q.amount_out.to_string(),
                    *c.amount_out.as_ref().unwrap(),
                    "case {i}"
                );
            }
            (want, got) => panic!("case {i}: want {want:?}, got {got:?}"),
        }
    }
}

proptest! {
    #[test]
    fn k_never_decreases_and_output_below_reserve(
        reserve_in in 1u64..,
        reserve_out in 1u64..,
        amount_in in 1u64..,
        fee_bps in 0u16..=1_000,
    ) {
        if let Ok(q) = quote_exact_in(reserve_in, reserve_out, amount_in, fee_bps) {
            prop_assert!(q.amount_out < reserve_out);
            prop_assert!(q.amount_out > 0);
            prop_assert!(q.fee_amount <= amount_in);
            let k_before = u128::from(reserve_in) * u128::from(reserve_out);
            // The whole input (fee included) stays in the pool; use u128 with headroom.
            let new_in = u128::from(reserve_in) + u128::from(amount_in);
            let new_out = u128::from(reserve_out - q.amount_out);
            prop_assert!(new_in.checked_mul(new_out).is_none_or(|k| k >= k_before));
            // Fee at least fee_bps of the input (rounded up).
            prop_assert!(u128::from(q.fee_amount) * 10_000 >= u128::from(amount_in) * u128::from(fee_bps));
        }
    }

    #[test]
    fn more_in_never_gives_less_out(
        reserve_in in 1u64..1u64 << 60,
        reserve_out in 1u64..1u64 << 60,
        amount_in in 1u64..1u64 << 60,
        extra in 0u64..1u64 << 20,
        fee_bps in 0u16..=1_000,
    ) {
        let a = quote_exact_in(reserve_in, reserve_out, amount_in, fee_bps).map(|q| q.amount_out).unwrap_or(0);
        let b = quote_exact_in(reserve_in, reserve_out, amount_in + extra, fee_bps).map(|q| q.amount_out).unwrap_or(0);
        prop_assert!(b >= a);
    }
}
