//! The fixed 50/50 revenue split.

/// Splits `amount` into `(to_buyback, to_stakers)`.
///
/// `to_stakers = amount / 2` and `to_buyback = amount - to_stakers`: an odd base unit goes to the
/// buyback bucket. This is protocol policy; no instruction or parameter changes it.
pub fn split_revenue(amount: u64) -> (u64, u64) {
    let to_stakers = amount / 2;
    // Cannot underflow: to_stakers <= amount.
    let to_buyback = amount - to_stakers;
    (to_buyback, to_stakers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn odd_unit_goes_to_buyback() {
        assert_eq!(split_revenue(0), (0, 0));
        assert_eq!(split_revenue(1), (1, 0));
        assert_eq!(split_revenue(2), (1, 1));
        assert_eq!(split_revenue(3), (2, 1));
        assert_eq!(split_revenue(u64::MAX), (u64::MAX / 2 + 1, u64::MAX / 2));
    }

    proptest! {
        #[test]
        fn split_conserves_and_is_even(amount in any::<u64>()) {
            let (b, s) = split_revenue(amount);
            prop_assert_eq!(u128::from(b) + u128::from(s), u128::from(amount));
            prop_assert!(b >= s && b - s <= 1);
        }
    }
}
