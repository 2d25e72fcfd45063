//! Spreading one discount over several lines, to the cent, so the parts add up to the whole.

use bigdecimal::num_bigint::BigInt;

use crate::ids::ProductId;
use crate::money::Money;

/// Splits `discount` over `lines` (product, line total) in proportion to their totals, by largest
/// remainder: each line gets the floor of its share in cents, then the cents left over go one each
/// to the lines with the largest remainders, ties to the lower product id. Returns one discount
/// per line, in the order given.
///
/// The discounts add up to `discount` exactly and none exceeds its line's total: a line's floor
/// is below its total unless the discount is the whole, and a leftover cent only goes to a line
/// whose exact share was above its floor. A discount above the lines' total is capped at it.
/// Shares and ties depend only on each line's product and total, so the split does not depend on
/// the order of `lines` (whose product ids are distinct, as `OrderLines` makes them). Cents are
/// unbounded integers: no amount overflows.
pub fn allocate(discount: &Money, lines: &[(ProductId, &Money)]) -> Vec<Money> {
    let totals: Vec<BigInt> = lines.iter().map(|(_, total)| total.cents()).collect();
    let whole: BigInt = totals.iter().sum();
    let discount = discount.cents().min(whole.clone());
    if whole == BigInt::ZERO {
        return vec![Money::zero(); lines.len()];
    }

    let (mut shares, remainders): (Vec<BigInt>, Vec<BigInt>) = totals
        .iter()
        .map(|total| {
            let exact = &discount * total;
            (&exact / &whole, exact % &whole)
        })
        .unzip();

    let mut leftover = &discount - shares.iter().sum::<BigInt>();
    let mut by_remainder: Vec<usize> = (0..lines.len()).collect();
    by_remainder.sort_by(|&a, &b| {
        (remainders[b].cmp(&remainders[a]))
            .then(lines[a].0.cmp(&lines[b].0))
            .then(a.cmp(&b))
    });
    for index in by_remainder {
        if leftover == BigInt::ZERO {
            break;
        }
        shares[index] += 1;
        leftover -= 1;
    }
    shares.into_iter().map(Money::from_exact_cents).collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn money(raw: &str) -> Money {
        Money::parse_amount(raw).unwrap()
    }

    fn split(discount: &str, lines: &[(i64, &str)]) -> Vec<String> {
        let totals: Vec<(ProductId, Money)> =
            lines.iter().map(|&(id, t)| (ProductId(id), money(t))).collect();
        let borrowed: Vec<(ProductId, &Money)> = totals.iter().map(|(id, t)| (*id, t)).collect();
        allocate(&money(discount), &borrowed)
            .iter()
            .map(Money::to_string)
            .collect()
    }

    #[test]
    fn ten_off_thirty_twenty_and_ten_splits_by_largest_remainder() {
        // Exact shares 1.666…, 3.333…, 5.00: floors 1.66, 3.33, 5.00 leave one cent, which goes to
        // the largest remainder, the first line's.
        assert_eq!(
            split("10.00", &[(1, "10.00"), (2, "20.00"), (3, "30.00")]),
            ["1.67", "3.33", "5.00"]
        );
    }

    #[test]
    fn a_cent_over_two_equal_lines_goes_to_the_lower_product_id() {
        assert_eq!(split("0.01", &[(7, "5.00"), (3, "5.00")]), ["0.00", "0.01"]);
        assert_eq!(split("0.01", &[(3, "5.00"), (7, "5.00")]), ["0.01", "0.00"]);
    }

    #[test]
    fn cents_left_over_go_to_the_largest_remainders_first() {
        // Shares of 0.10 over 1.00/2.00/4.00 are 1.43, 2.86 and 5.71 cents: floors 1, 2 and 5 leave
        // two cents, for the remainders .86 and .71, not for the lowest product id.
        assert_eq!(
            split("0.10", &[(1, "1.00"), (2, "2.00"), (3, "4.00")]),
            ["0.01", "0.03", "0.06"]
        );
    }

    #[test]
    fn the_whole_discounted_takes_every_line_to_zero() {
        assert_eq!(split("3.50", &[(1, "1.25"), (2, "2.25")]), ["1.25", "2.25"]);
    }

    #[test]
    fn a_discount_above_the_lines_total_is_capped_at_it() {
        assert_eq!(split("99.00", &[(1, "1.25"), (2, "2.25")]), ["1.25", "2.25"]);
    }

    #[test]
    fn free_lines_get_no_discount() {
        assert_eq!(split("1.00", &[(1, "0.00"), (2, "0.00")]), ["0.00", "0.00"]);
        assert_eq!(split("1.00", &[(1, "0.00"), (2, "4.00")]), ["0.00", "1.00"]);
    }

    /// Distinct product ids with line totals in cents, and a discount of at most their sum.
    fn lines_and_discount() -> impl Strategy<Value = (Vec<(ProductId, Money)>, Money)> {
        prop::collection::btree_map(1i64..1_000, 0u64..100_000_000_000_000, 1..30).prop_flat_map(|lines| {
            let whole: u64 = lines.values().sum();
            let lines: Vec<(ProductId, Money)> = lines
                .into_iter()
                .map(|(id, cents)| (ProductId(id), Money::from_cents(cents)))
                .collect();
            (
                Just(lines).prop_shuffle(),
                (0..=whole).prop_map(Money::from_cents),
            )
        })
    }

    fn borrowed(lines: &[(ProductId, Money)]) -> Vec<(ProductId, &Money)> {
        lines.iter().map(|(id, total)| (*id, total)).collect()
    }

    proptest! {
        #[test]
        fn line_discounts_add_up_to_the_discount_and_none_exceeds_its_line(
            (lines, discount) in lines_and_discount()
        ) {
            let parts = allocate(&discount, &borrowed(&lines));
            prop_assert_eq!(parts.iter().sum::<Money>(), discount);
            for (part, (_, total)) in parts.iter().zip(&lines) {
                prop_assert!(part <= total);
            }
        }

        #[test]
        fn the_split_depends_on_the_lines_not_their_order(
            (lines, discount) in lines_and_discount(),
            reversed in any::<bool>(),
        ) {
            let mut reordered = lines.clone();
            if reversed { reordered.reverse() } else { reordered.sort_by_key(|(id, _)| *id) }
            let by_product = |lines: &[(ProductId, Money)]| {
                let mut parts: Vec<(ProductId, Money)> = lines
                    .iter()
                    .map(|(id, _)| *id)
                    .zip(allocate(&discount, &borrowed(lines)))
                    .collect();
                parts.sort_by_key(|(id, _)| *id);
                parts
            };
            prop_assert_eq!(by_product(&lines), by_product(&reordered));
            prop_assert_eq!(allocate(&discount, &borrowed(&lines)), allocate(&discount, &borrowed(&lines)));
        }
    }
}
