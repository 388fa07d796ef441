//! Failed-login throttling: after a few failures per account or per IP, each further attempt
//! must wait, doubling up to a cap. Counters live in the database so every instance agrees.

use time::{Duration, OffsetDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures allowed before any delay.
    pub free_failures: u32,
    /// Failures older than this are forgotten.
    pub window: Duration,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            free_failures: 5,
            window: Duration::minutes(15),
            base_delay: Duration::seconds(30),
            max_delay: Duration::minutes(15),
        }
    }
}

/// One subject's counter after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleState {
    pub failures: u32,
    pub blocked_until: Option<OffsetDateTime>,
}

impl ThrottlePolicy {
    /// The counter after one more failure at `now`, given the previous one.
    pub fn after_failure(
        &self,
        previous: Option<(u32, OffsetDateTime)>,
        now: OffsetDateTime,
    ) -> ThrottleState {
        let failures = match previous {
            Some((count, last)) if now - last < self.window => count.saturating_add(1),
            _ => 1,
        };
        let blocked_until = (failures >= self.free_failures).then(|| {
            let doublings = (failures - self.free_failures).min(16);
            let delay = self.base_delay * 2_i32.pow(doublings);
            now + delay.min(self.max_delay)
        });
        ThrottleState { failures, blocked_until }
    }
}

/// The throttle subjects of one login attempt: the account and the client address.
pub fn subjects(email: &str, ip: Option<&str>) -> Vec<String> {
    let mut subjects = vec![format!("account:{}", email.trim().to_lowercase())];
    if let Some(ip) = ip {
        subjects.push(format!("ip:{ip}"));
    }
    subjects
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn delay_starts_after_free_failures_and_doubles_to_the_cap() {
        let policy = ThrottlePolicy::default();
        let now = datetime!(2026-11-21 12:00 UTC);
        let mut previous = None;
        let mut delays = vec![];
        for _ in 0..12 {
            let state = policy.after_failure(previous, now);
            delays.push(state.blocked_until.map(|until| (until - now).whole_seconds()));
            previous = Some((state.failures, now));
        }
        assert_eq!(delays[..4], [None, None, None, None]);
        assert_eq!(delays[4..8], [Some(30), Some(60), Some(120), Some(240)]);
        assert_eq!(delays[11], Some(900), "capped at 15 minutes");
    }

    #[test]
    fn old_failures_are_forgotten() {
        let policy = ThrottlePolicy::default();
        let now = datetime!(2026-11-21 12:00 UTC);
        let state = policy.after_failure(Some((9, now - Duration::minutes(16))), now);
        assert_eq!(state, ThrottleState { failures: 1, blocked_until: None });
    }
}
