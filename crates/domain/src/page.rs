//! Keyset pagination: a page size and the position after which the next page starts.

use crate::field_errors::ErrorCode;

/// Items per page, `1..=100`, default 20.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit(u16);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("limit must be between 1 and 100")]
pub struct LimitError;

impl ErrorCode for LimitError {
    fn code(&self) -> &'static str {
        "range"
    }
}

impl Limit {
    pub const DEFAULT: Limit = Limit(20);

    pub fn new(raw: i64) -> Result<Limit, LimitError> {
        match u16::try_from(raw) {
            Ok(n) if (1..=100).contains(&n) => Ok(Limit(n)),
            _ => Err(LimitError),
        }
    }

    pub fn get(self) -> usize {
        usize::from(self.0)
    }
}

impl Default for Limit {
    fn default() -> Self {
        Limit::DEFAULT
    }
}

/// One page of results; `next` is the key of the last item when more items follow.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T, K> {
    pub items: Vec<T>,
    pub next: Option<K>,
}

impl<T, K> Page<T, K> {
    /// Builds a page from up to `limit + 1` rows: the extra row only says that another page exists.
    pub fn from_overfetch(mut rows: Vec<T>, limit: Limit, key_of: impl Fn(&T) -> K) -> Page<T, K> {
        let has_more = rows.len() > limit.get();
        rows.truncate(limit.get());
        let next = if has_more { rows.last().map(key_of) } else { None };
        Page { items: rows, next }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_between_one_and_a_hundred() {
        assert_eq!(Limit::new(1).map(Limit::get), Ok(1));
        assert_eq!(Limit::new(100).map(Limit::get), Ok(100));
        assert_eq!(Limit::new(0), Err(LimitError));
        assert_eq!(Limit::new(101), Err(LimitError));
    }

    #[test]
    fn a_page_has_a_next_key_only_when_a_row_beyond_it_was_fetched() {
        let limit = Limit::new(2).unwrap();
        let full = Page::from_overfetch(vec![1, 2, 3], limit, |n| *n);
        assert_eq!((full.items, full.next), (vec![1, 2], Some(2)));
        let last = Page::from_overfetch(vec![1, 2], limit, |n| *n);
        assert_eq!((last.items, last.next), (vec![1, 2], None));
    }
}
