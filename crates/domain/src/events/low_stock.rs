//! When a product's stock change announces `product.low_stock`.

/// Whether a stock change from `before` to `after` crosses the low-stock threshold downwards.
///
/// `product.low_stock` fires once per crossing: further sales while already low stay quiet, and
/// only a refill above the threshold re-arms it.
pub fn crosses_low_stock(before: i32, after: i32, threshold: i32) -> bool {
    before > threshold && after <= threshold
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn reaching_the_threshold_from_above_is_a_crossing() {
        assert!(crosses_low_stock(6, 5, 5));
        assert!(crosses_low_stock(10, 0, 5));
    }

    #[test]
    fn selling_more_while_already_low_is_not_a_crossing() {
        assert!(!crosses_low_stock(5, 4, 5));
    }

    #[test]
    fn a_refill_is_not_a_crossing() {
        assert!(!crosses_low_stock(4, 6, 5));
        assert!(!crosses_low_stock(7, 6, 5));
    }

    proptest! {
        #[test]
        fn low_stock_fires_once_per_fall_and_a_refill_above_the_threshold_re_arms_it(
            levels in prop::collection::vec(-5i32..20, 0..40),
            threshold in 0i32..10,
        ) {
            let fired = levels
                .windows(2)
                .filter(|pair| crosses_low_stock(pair[0], pair[1], threshold))
                .count();
            // The same rule told as a latch: armed while above the threshold, fires when it falls.
            let mut armed = levels.first().is_some_and(|&level| level > threshold);
            let mut falls = 0;
            for &level in levels.iter().skip(1) {
                if armed && level <= threshold {
                    falls += 1;
                }
                armed = level > threshold;
            }
            prop_assert_eq!(fired, falls);
        }
    }
}
