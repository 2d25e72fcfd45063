//! Checkout lanes: orders that arrive while another order of their lane is being placed wait in
//! the lane, and the next of them places all that waited in one go — one transaction, one
//! commit. Orders without a promotion or an Idempotency-Key share one lane (a round of them is
//! placed by one statement: `batch`); any other order's lane is its set of products. An order that finds its
//! lane free goes straight through: a lone buyer never waits, and batches only form where buyers
//! already queue for the database (DECISIONS.md, "Checkout lanes").

use std::collections::{HashMap, VecDeque};
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// At most this many orders are placed in one transaction: their products stay locked while
/// every one of them is written, and other instances' buyers wait that long.
pub const MAX_BATCH: usize = 64;

/// How long an order waits for its turn before it is placed alone, beside the order in flight:
/// an order stuck behind a row lock (a staff member's long transaction, say) holds up the rest
/// of its lane this long at most, not for its whole lock timeout. A batch takes milliseconds, so
/// under load a lane's turn comes well within this.
pub const PATIENCE: Duration = Duration::from_secs(2);

/// How orders are placed, alone or several in one transaction.
pub(crate) trait Checkout {
    type Order: Send + Sync;
    type Outcome: Send;

    /// Places one order in a transaction of its own.
    fn alone(&self, order: &Self::Order) -> Self::Outcome;

    /// Places the orders in one transaction, each all-or-nothing on its own: one outcome per
    /// order, in their order. `None` when the transaction itself failed: nothing was written,
    /// and each order is then placed alone.
    fn together(&self, orders: &[&Self::Order]) -> Option<Vec<Self::Outcome>>;
}

/// The lanes of one process, keyed by what their orders ask for.
pub(crate) struct Lanes<T, R> {
    /// A lane is here while an order or a batch of it is being placed; it holds the orders that
    /// arrived meanwhile.
    busy: Mutex<HashMap<Vec<i64>, Waiting<T, R>>>,
    patience: Duration,
}

/// The orders waiting in one lane, first come first.
type Waiting<T, R> = VecDeque<Arc<Ticket<T, R>>>;

impl<T, R> Default for Lanes<T, R> {
    fn default() -> Self {
        Lanes {
            busy: Mutex::new(HashMap::new()),
            patience: PATIENCE,
        }
    }
}

/// An order waiting in a lane, and what becomes of it.
struct Ticket<T, R> {
    order: T,
    state: Mutex<State<T, R>>,
    changed: Condvar,
}

enum State<T, R> {
    Waiting,
    /// This order leads the batch (itself first): it places them all.
    Leading(Vec<Arc<Ticket<T, R>>>),
    /// The batch failed, its leader died, or the order ran out of patience: place it alone.
    Alone,
    Done(R),
}

fn lock<V>(mutex: &Mutex<V>) -> MutexGuard<'_, V> {
    // A panic elsewhere leaves the lanes consistent: every change below is one assignment.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<T, R> Ticket<T, R> {
    fn set(&self, state: State<T, R>) {
        *lock(&self.state) = state;
        self.changed.notify_one();
    }

    /// Waits until the order is told what to do, or until `deadline` (then `Waiting`).
    fn await_turn(&self, deadline: Option<Instant>) -> State<T, R> {
        let mut state = lock(&self.state);
        while matches!(*state, State::Waiting) {
            state = match deadline {
                None => self.changed.wait(state).unwrap_or_else(PoisonError::into_inner),
                Some(deadline) => {
                    let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                        break;
                    };
                    self.changed
                        .wait_timeout(state, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
            };
        }
        std::mem::replace(&mut *state, State::Waiting)
    }
}

impl<T: Send + Sync, R: Send> Lanes<T, R> {
    /// Lanes whose orders wait at most `patience` for their turn.
    #[cfg(test)]
    fn with_patience(patience: Duration) -> Self {
        Lanes {
            busy: Mutex::new(HashMap::new()),
            patience,
        }
    }

    /// Places `order` in the lane keyed `products`: straight away when none of its orders is
    /// being placed, otherwise after waiting for the one in flight, together with every order
    /// that waited with it.
    pub fn place<C>(&self, checkout: &C, products: &[i64], order: T) -> R
    where
        C: Checkout<Order = T, Outcome = R>,
    {
        let queued = {
            let mut busy = lock(&self.busy);
            match busy.get_mut(products) {
                None => {
                    busy.insert(products.to_vec(), VecDeque::new());
                    Err(order)
                }
                Some(waiting) => {
                    let ticket = Arc::new(Ticket {
                        order,
                        state: Mutex::new(State::Waiting),
                        changed: Condvar::new(),
                    });
                    waiting.push_back(Arc::clone(&ticket));
                    metrics::gauge!("orders_waiting_in_lanes").increment(1.0);
                    Ok(ticket)
                }
            }
        };
        match queued {
            Err(order) => {
                let outcome = catch_unwind(AssertUnwindSafe(|| checkout.alone(&order)));
                self.hand_over(products);
                outcome.unwrap_or_else(|panic| resume_unwind(panic))
            }
            Ok(ticket) => {
                let mut turn = ticket.await_turn(Some(Instant::now() + self.patience));
                if matches!(turn, State::Waiting) && !self.leave(products, &ticket) {
                    // Taken into a batch just as patience ran out: its outcome is coming.
                    turn = ticket.await_turn(None);
                }
                match turn {
                    State::Done(outcome) => outcome,
                    State::Leading(batch) => self.lead(checkout, products, batch),
                    State::Alone | State::Waiting => checkout.alone(&ticket.order),
                }
            }
        }
    }

    /// Takes `ticket` out of its lane; false when a batch took it first.
    fn leave(&self, products: &[i64], ticket: &Arc<Ticket<T, R>>) -> bool {
        let mut busy = lock(&self.busy);
        let Some(waiting) = busy.get_mut(products) else {
            return false;
        };
        let before = waiting.len();
        waiting.retain(|queued| !Arc::ptr_eq(queued, ticket));
        let left = waiting.len() < before;
        if left {
            metrics::gauge!("orders_waiting_in_lanes").decrement(1.0);
        }
        left
    }

    /// Places the batch (its leader first), passes the lane on, and tells each member its
    /// outcome; answers the leader's own.
    fn lead<C>(&self, checkout: &C, products: &[i64], batch: Vec<Arc<Ticket<T, R>>>) -> R
    where
        C: Checkout<Order = T, Outcome = R>,
    {
        let leader = &batch[0].order;
        let members = &batch[1..];
        if members.is_empty() {
            let outcome = catch_unwind(AssertUnwindSafe(|| checkout.alone(leader)));
            self.hand_over(products);
            return outcome.unwrap_or_else(|panic| resume_unwind(panic));
        }
        let orders: Vec<&T> = batch.iter().map(|ticket| &ticket.order).collect();
        let placed = catch_unwind(AssertUnwindSafe(|| checkout.together(&orders)));
        self.hand_over(products);
        match placed {
            Ok(Some(outcomes)) if outcomes.len() == batch.len() => {
                let mut outcomes = outcomes.into_iter();
                let own = outcomes.next();
                for (member, outcome) in members.iter().zip(outcomes) {
                    member.set(State::Done(outcome));
                }
                own.unwrap_or_else(|| checkout.alone(leader))
            }
            Ok(_) => {
                for member in members {
                    member.set(State::Alone);
                }
                checkout.alone(leader)
            }
            Err(panic) => {
                for member in members {
                    member.set(State::Alone);
                }
                resume_unwind(panic)
            }
        }
    }

    /// The lane's current order or batch is placed: the orders that waited meanwhile (up to
    /// `MAX_BATCH`) become the next batch, led by the first of them; with none, the lane is free.
    fn hand_over(&self, products: &[i64]) {
        let next: Vec<Arc<Ticket<T, R>>> = {
            let mut busy = lock(&self.busy);
            let Some(waiting) = busy.get_mut(products) else {
                return;
            };
            if waiting.is_empty() {
                busy.remove(products);
                return;
            }
            let take = waiting.len().min(MAX_BATCH);
            waiting.drain(..take).collect()
        };
        metrics::gauge!("orders_waiting_in_lanes").decrement(next.len() as f64);
        metrics::histogram!("order_batch_size").record(next.len() as f64);
        let leader = Arc::clone(&next[0]);
        leader.set(State::Leading(next));
    }
}

#[cfg(test)]
mod tests {
    use std::thread;
    use std::time::{Duration, Instant};

    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    enum Call {
        Alone(u32),
        Together(Vec<u32>),
    }

    /// Places order `n` for `n * 10` alone and `n * 10 + 1` in a batch; order 0 stays in its
    /// transaction until `open` is called.
    #[derive(Default)]
    struct Till {
        calls: Mutex<Vec<Call>>,
        first_placing: Mutex<bool>,
        open: Mutex<bool>,
        opened: Condvar,
        failing_batches: bool,
    }

    impl Till {
        fn open(&self) {
            *lock(&self.open) = true;
            self.opened.notify_all();
        }

        fn calls(&self) -> Vec<Call> {
            lock(&self.calls).clone()
        }
    }

    impl Checkout for Till {
        type Order = u32;
        type Outcome = u32;

        fn alone(&self, order: &u32) -> u32 {
            lock(&self.calls).push(Call::Alone(*order));
            if *order == 0 {
                *lock(&self.first_placing) = true;
                let mut open = lock(&self.open);
                while !*open {
                    open = self.opened.wait(open).unwrap_or_else(PoisonError::into_inner);
                }
            }
            order * 10
        }

        fn together(&self, orders: &[&u32]) -> Option<Vec<u32>> {
            lock(&self.calls).push(Call::Together(orders.iter().map(|o| **o).collect()));
            (!self.failing_batches).then(|| orders.iter().map(|o| **o * 10 + 1).collect())
        }
    }

    fn wait_until(what: &str, condition: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !condition() {
            assert!(Instant::now() < deadline, "timed out waiting until {what}");
            thread::sleep(Duration::from_millis(1));
        }
    }

    fn waiting(lanes: &Lanes<u32, u32>, products: &[i64]) -> usize {
        lock(&lanes.busy).get(products).map_or(0, VecDeque::len)
    }

    /// Order 0 is being placed; orders `1..=queued` then arrive for the same products and wait.
    /// Returns every order's outcome, by order, once order 0 is let through.
    fn queue_behind_first(lanes: &Lanes<u32, u32>, till: &Till, queued: u32) -> Vec<u32> {
        thread::scope(|scope| {
            let first = scope.spawn(|| lanes.place(till, &[1], 0));
            wait_until("order 0 is being placed", || *lock(&till.first_placing));
            let rest: Vec<_> = (1..=queued)
                .map(|n| scope.spawn(move || lanes.place(till, &[1], n)))
                .collect();
            wait_until("every order waits", || waiting(lanes, &[1]) == queued as usize);
            till.open();
            std::iter::once(first)
                .chain(rest)
                .map(|placing| placing.join().expect("no placing thread panics"))
                .collect()
        })
    }

    #[test]
    fn a_lone_order_goes_straight_through_and_frees_its_lane() {
        let lanes = Lanes::default();
        let till = Till::default();
        till.open();

        assert_eq!(lanes.place(&till, &[1, 2], 7), 70);
        assert_eq!(lanes.place(&till, &[1, 2], 8), 80);

        assert_eq!(till.calls(), vec![Call::Alone(7), Call::Alone(8)]);
        assert!(lock(&lanes.busy).is_empty(), "no lane stays busy");
    }

    #[test]
    fn orders_arriving_while_one_is_placed_are_placed_together_each_with_its_own_outcome() {
        let lanes = Lanes::default();
        let till = Till::default();

        let outcomes = queue_behind_first(&lanes, &till, 5);

        assert_eq!(outcomes, vec![0, 11, 21, 31, 41, 51]);
        let calls = till.calls();
        assert_eq!(calls.len(), 2, "{calls:?}");
        assert_eq!(calls[0], Call::Alone(0));
        let Call::Together(mut batch) = calls[1].clone() else {
            panic!("the waiting orders were not placed together: {calls:?}")
        };
        batch.sort_unstable();
        assert_eq!(batch, vec![1, 2, 3, 4, 5]);
        assert!(lock(&lanes.busy).is_empty(), "no lane stays busy");
    }

    #[test]
    fn a_batch_that_fails_places_each_of_its_orders_alone() {
        let lanes = Lanes::default();
        let till = Till {
            failing_batches: true,
            ..Till::default()
        };

        let outcomes = queue_behind_first(&lanes, &till, 4);

        assert_eq!(outcomes, vec![0, 10, 20, 30, 40]);
        let calls = till.calls();
        let alone: Vec<u32> = calls
            .iter()
            .filter_map(|c| match c {
                Call::Alone(n) => Some(*n),
                Call::Together(_) => None,
            })
            .collect();
        assert_eq!(alone.len(), 5, "each order placed alone once: {calls:?}");
        assert!(lock(&lanes.busy).is_empty(), "no lane stays busy");
    }

    #[test]
    fn no_batch_holds_more_than_max_batch_orders() {
        let lanes = Lanes::default();
        let till = Till::default();
        let queued = u32::try_from(MAX_BATCH).expect("a small number") + 3;

        let outcomes = queue_behind_first(&lanes, &till, queued);

        assert!(outcomes[1..].iter().all(|o| o % 10 == 1), "all placed in batches");
        let sizes: Vec<usize> = till
            .calls()
            .iter()
            .filter_map(|c| match c {
                Call::Together(batch) => Some(batch.len()),
                Call::Alone(_) => None,
            })
            .collect();
        assert_eq!(sizes, vec![MAX_BATCH, 3]);
    }

    #[test]
    fn an_order_that_runs_out_of_patience_is_placed_alone_beside_the_one_in_flight() {
        let lanes = Lanes::with_patience(Duration::from_millis(50));
        let till = Till::default();

        thread::scope(|scope| {
            let first = scope.spawn(|| lanes.place(&till, &[1], 0));
            wait_until("order 0 is being placed", || *lock(&till.first_placing));

            // On its own thread: without patience it would wait for order 0 forever.
            let (send, answer) = std::sync::mpsc::channel();
            let (lanes, till) = (&lanes, &till);
            scope.spawn(move || send.send(lanes.place(till, &[1], 5)));
            let placed = answer.recv_timeout(Duration::from_secs(10));
            let still_waiting = waiting(lanes, &[1]);

            till.open();
            assert_eq!(placed, Ok(50), "placed alone while order 0 still was");
            assert_eq!(still_waiting, 0, "it left the lane");
            assert_eq!(first.join().expect("no panic"), 0);
        });
        assert_eq!(till.calls(), vec![Call::Alone(0), Call::Alone(5)]);
        assert!(lock(&lanes.busy).is_empty(), "no lane stays busy");
    }

    #[test]
    fn orders_for_other_products_do_not_wait() {
        let lanes = Lanes::default();
        let till = Till::default();

        thread::scope(|scope| {
            let first = scope.spawn(|| lanes.place(&till, &[1], 0));
            wait_until("order 0 is being placed", || *lock(&till.first_placing));

            assert_eq!(lanes.place(&till, &[2], 5), 50, "placed while order 0 still is");
            assert_eq!(
                lanes.place(&till, &[1, 2], 6),
                60,
                "an overlapping set is its own lane"
            );

            till.open();
            assert_eq!(first.join().expect("no panic"), 0);
        });
        assert!(lock(&lanes.busy).is_empty(), "no lane stays busy");
    }
}
