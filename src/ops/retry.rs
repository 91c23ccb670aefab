//! `--lock-retries`: a step that gave up waiting for a lock (`lock_timeout`,
//! SQLSTATE 55P03) is run again after a pause that grows, so that a busy
//! table delays a deploy instead of failing it. What is run again is what
//! failed as a whole: a transaction is rolled back and run again from its
//! first statement; a statement run alone is run again alone.

use std::time::Duration;

use super::timeout::{self, Timeout};

/// The first pause; each next one is twice as long, up to `MAX_PAUSE`.
const FIRST_PAUSE: Duration = Duration::from_millis(250);
/// The longest pause between two tries.
const MAX_PAUSE: Duration = Duration::from_secs(10);

/// How many times a step that timed out on a lock is tried again.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LockRetries(pub u32);

impl LockRetries {
    /// The pause before retry `attempt` (from 0): 250 ms, 500 ms, 1 s... at most 10 s.
    pub fn pause(attempt: u32) -> Duration {
        FIRST_PAUSE.saturating_mul(1u32 << attempt.min(16)).min(MAX_PAUSE)
    }

    /// After `e` ended try `attempt` (from 0): the pause before the next try,
    /// when `e` is a lock timeout and retries are left.
    pub fn after(self, e: &tokio_postgres::Error, attempt: u32) -> Option<Duration> {
        (attempt < self.0 && timeout::of_db(e) == Some(Timeout::Lock)).then(|| Self::pause(attempt))
    }

    /// What an error adds once the retries are spent (nothing without retries).
    pub fn spent(self) -> String {
        match self.0 {
            0 => String::new(),
            1 => " (after 1 retry: --lock-retries 1)".to_string(),
            n => format!(" (after {n} retries: --lock-retries {n})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_grow_and_stay_bounded() {
        let pauses: Vec<Duration> = (0..8).map(LockRetries::pause).collect();
        assert_eq!(pauses[0], Duration::from_millis(250));
        assert_eq!(pauses[2], Duration::from_secs(1));
        assert!(pauses.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(LockRetries::pause(u32::MAX), MAX_PAUSE);
    }
}
