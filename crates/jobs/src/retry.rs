//! When a failed job runs again: exponential backoff with jitter, until its attempts are spent.

use std::time::Duration;

use time::OffsetDateTime;

use crate::Job;

/// The first retry waits about this long; each later one twice as long as the one before.
const BASE: Duration = Duration::from_secs(2);
/// No retry waits longer than this.
const CAP: Duration = Duration::from_secs(6 * 3600);

/// The wait before attempt `attempt + 1` after attempt `attempt` failed. `jitter` in [0, 1)
/// spreads retries of jobs that failed together over the upper half of the interval.
pub fn backoff(attempt: i32, jitter: f64) -> Duration {
    let exponent = u32::try_from(attempt.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let full = BASE.saturating_mul(2_u32.saturating_pow(exponent)).min(CAP);
    full.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
}

/// When `job`, whose current attempt just failed at `now`, runs again; `None` when that was its
/// last attempt and it is dead.
pub fn next_run(job: &Job, now: OffsetDateTime, jitter: f64) -> Option<OffsetDateTime> {
    (job.attempt < job.max_attempts).then(|| now + backoff(job.attempt, jitter))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_cap() {
        assert_eq!(backoff(1, 1.0), Duration::from_secs(2));
        assert_eq!(backoff(2, 1.0), Duration::from_secs(4));
        assert_eq!(backoff(5, 1.0), Duration::from_secs(32));
        assert_eq!(backoff(40, 1.0), CAP);
        assert_eq!(backoff(1, 0.0), Duration::from_secs(1), "jitter keeps at least half");
    }
}
