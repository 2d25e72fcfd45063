//! Argon2id costs 19 MiB and tens of milliseconds per hash, on the blocking pool that every
//! database call shares. The gate lets about as many hashes run at once as there are cores and
//! lets a bounded number wait; past that a sign-in or sign-up is `503` at once, so a crowd of
//! password guesses cannot starve the rest of the service.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Semaphore;

use crate::http::blocking;
use crate::http::problem::ApiError;

#[derive(Clone)]
pub struct HashingGate {
    running: Arc<Semaphore>,
    waiting: Arc<AtomicUsize>,
    max_waiting: usize,
}

/// Gives a waiting place back however the wait ends (the client may go away).
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl HashingGate {
    pub fn new(concurrent: usize, max_waiting: usize) -> HashingGate {
        HashingGate {
            running: Arc::new(Semaphore::new(concurrent.max(1))),
            waiting: Arc::new(AtomicUsize::new(0)),
            max_waiting,
        }
    }

    /// As many at once as the machine has cores, four times that waiting.
    pub fn for_this_machine() -> HashingGate {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        HashingGate::new(cores, cores * 4)
    }

    /// Runs `work` (which hashes or verifies a password) on the blocking pool once a place is
    /// free; `Unavailable` when too many are already waiting.
    pub async fn run<T, E>(&self, work: impl FnOnce() -> Result<T, E> + Send + 'static) -> Result<T, ApiError>
    where
        T: Send + 'static,
        E: Into<ApiError> + Send + 'static,
    {
        let permit = match self.running.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.max_waiting {
                    self.waiting.fetch_sub(1, Ordering::AcqRel);
                    tracing::warn!("password hashing queue full");
                    return Err(ApiError::Overloaded);
                }
                let _waiting = Waiting(&self.waiting);
                self.running
                    .clone()
                    .acquire_owned()
                    .await
                    .map_err(|e| ApiError::Internal(e.to_string()))?
            }
        };
        let outcome = blocking::run(work).await;
        drop(permit);
        outcome
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[actix_web::test]
    async fn past_the_running_and_waiting_places_work_is_refused_at_once() {
        let gate = HashingGate::new(1, 1);
        let slow = || {
            std::thread::sleep(Duration::from_millis(300));
            Ok::<_, ApiError>(())
        };
        let (first, second, third) = tokio::join!(gate.run(slow), gate.run(slow), async {
            // Let the first two take their places.
            tokio::time::sleep(Duration::from_millis(50)).await;
            gate.run(|| Ok::<_, ApiError>(())).await
        });
        assert!(first.is_ok());
        assert!(second.is_ok(), "one may wait");
        assert!(matches!(third, Err(ApiError::Overloaded)));
        assert!(
            gate.run(|| Ok::<_, ApiError>(())).await.is_ok(),
            "places are given back"
        );
    }
}
