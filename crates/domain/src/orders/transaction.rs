//! Running a use case's steps in one store transaction, through a port that mockall can mock:
//! the store only learns whether to commit, the work keeps its own result.

use crate::store::StoreError;

use super::ports::{OrderStore, OrderTx};

/// What a transaction's work decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionEnd {
    Commit,
    RollBack,
}

/// The steps of one transaction. `OrderStore::transaction` may run them more than once (after a
/// deadlock); each run starts from a fresh transaction and replaces the previous run's result.
pub trait TransactionWork {
    fn run(&mut self, tx: &mut dyn OrderTx) -> TransactionEnd;
}

/// Runs `work` in one transaction of `store`: committed when it returns `Ok`, rolled back when it
/// returns `Err`. A commit that fails is the store's error, not the work's value.
pub fn in_transaction<T, E: From<StoreError>>(
    store: &(impl OrderStore + ?Sized),
    work: impl FnMut(&mut dyn OrderTx) -> Result<T, E>,
) -> Result<T, E> {
    let mut steps = Steps { work, result: None };
    store.transaction(&mut steps)?;
    steps
        .result
        .unwrap_or_else(|| Err(StoreError::Internal("the store ran no transaction work".into()).into()))
}

struct Steps<F, T, E> {
    work: F,
    result: Option<Result<T, E>>,
}

impl<F, T, E> TransactionWork for Steps<F, T, E>
where
    F: FnMut(&mut dyn OrderTx) -> Result<T, E>,
{
    fn run(&mut self, tx: &mut dyn OrderTx) -> TransactionEnd {
        let result = (self.work)(tx);
        let end = match result {
            Ok(_) => TransactionEnd::Commit,
            Err(_) => TransactionEnd::RollBack,
        };
        self.result = Some(result);
        end
    }
}

#[cfg(any(test, feature = "mocks"))]
impl super::ports::MockOrderStore {
    /// A mock store whose transactions all run against `tx` (and always commit): give `tx` the
    /// expectations of the steps a use case should take.
    pub fn transacting_on(mut tx: super::ports::MockOrderTx) -> Self {
        let mut store = Self::new();
        store.expect_transaction().returning(move |work| {
            work.run(&mut tx);
            Ok(())
        });
        store
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::OrderId;
    use crate::orders::ports::{MockOrderStore, MockOrderTx};

    #[test]
    fn a_commit_that_fails_is_the_stores_error_even_when_the_work_succeeded() {
        let mut store = MockOrderStore::new();
        store.expect_transaction().returning(|work| {
            let mut tx = MockOrderTx::new();
            assert_eq!(work.run(&mut tx), TransactionEnd::Commit);
            Err(StoreError::Unavailable("connection lost at commit".into()))
        });

        let result: Result<u8, StoreError> = in_transaction(&store, |_| Ok(1));

        assert_eq!(
            result,
            Err(StoreError::Unavailable("connection lost at commit".into()))
        );
    }

    #[test]
    fn work_that_fails_is_rolled_back_and_its_error_returned() {
        let mut store = MockOrderStore::new();
        store.expect_transaction().returning(|work| {
            let mut tx = MockOrderTx::new();
            tx.expect_lock_order().returning(|_| Ok(None));
            assert_eq!(work.run(&mut tx), TransactionEnd::RollBack);
            Ok(())
        });

        let result: Result<(), StoreError> = in_transaction(&store, |tx| {
            tx.lock_order(OrderId(1))?;
            Err(StoreError::Internal("no".into()))
        });

        assert_eq!(result, Err(StoreError::Internal("no".into())));
    }

    #[test]
    fn work_run_again_after_a_conflict_answers_with_its_last_run() {
        let mut store = MockOrderStore::new();
        store.expect_transaction().returning(|work| {
            work.run(&mut MockOrderTx::new());
            work.run(&mut MockOrderTx::new());
            Ok(())
        });
        let mut runs = 0;

        let result: Result<u32, StoreError> = in_transaction(&store, |_| {
            runs += 1;
            Ok(runs)
        });

        assert_eq!(result, Ok(2));
    }
}
