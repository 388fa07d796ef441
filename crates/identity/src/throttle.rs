//! Failed-login throttling that an attacker cannot turn against the account's owner.
//!
//! Three counters per attempt, kept in the database so every instance agrees:
//! - **(account, address)**: after `free_failures` failures from one address (an IPv6 address
//!   counts as its /64) for one account, that address must wait for that account, 30 s
//!   doubling up to 15 min. This is what stops a guesser.
//! - **address**: after `address_free_failures` failures from one address over all accounts,
//!   the address must wait, growing the same way (credential stuffing from one place) — but
//!   only for accounts that have recent failures themselves. Many people share one address
//!   (a company's NAT, a proxy): one attacker among them must not lock the rest out, so the
//!   first attempt at an account without recent failures is always evaluated.
//! - **account**: after `free_failures` failures from anywhere, the account is *paced*: at most
//!   one attempt per `account_pace` is evaluated, the others get 429 for at most that long. A
//!   distributed guesser gets one guess per pace interval; the owner, from an address of their
//!   own, waits at most one interval and is never locked out.

use std::net::IpAddr;

use time::{Duration, OffsetDateTime};

/// The longest pace an account may be given: the most an attacker can make its owner wait.
pub const MAX_ACCOUNT_PACE: Duration = Duration::seconds(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures of one address on one account, and of one account overall, before any delay.
    pub free_failures: u32,
    /// Failures of one address over all accounts before it must wait.
    pub address_free_failures: u32,
    /// Failures older than this are forgotten.
    pub window: Duration,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// A paced account evaluates at most one attempt per this long (at most [`MAX_ACCOUNT_PACE`]).
    pub account_pace: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            free_failures: 5,
            address_free_failures: 20,
            window: Duration::minutes(15),
            base_delay: Duration::seconds(30),
            max_delay: Duration::minutes(15),
            account_pace: Duration::seconds(5),
        }
    }
}

/// What a counter is about; each kind reacts to failures differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    /// One account from one address: growing lockouts after `free_failures`.
    AccountFromAddress,
    /// One address over all accounts: growing lockouts after `address_free_failures`.
    Address,
    /// One account from anywhere: only counted; pacing starts after `free_failures`.
    Account,
}

/// One counter's key and kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub key: String,
    pub kind: SubjectKind,
}

/// The counters of one login attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginSubjects {
    pub account_from_address: Option<Subject>,
    pub address: Option<Subject>,
    pub account: Subject,
}

impl LoginSubjects {
    /// `email` as typed (compared case-insensitively) and the caller's address, if known.
    pub fn new(email: &str, ip: Option<&str>) -> Self {
        let account = email.trim().to_lowercase();
        let address = ip.map(address_key);
        Self {
            account_from_address: address.as_ref().map(|address| Subject {
                key: format!("pair:{address}|{account}"),
                kind: SubjectKind::AccountFromAddress,
            }),
            address: address
                .map(|address| Subject { key: format!("ip:{address}"), kind: SubjectKind::Address }),
            account: Subject { key: format!("account:{account}"), kind: SubjectKind::Account },
        }
    }

    /// The keys of every counter of the attempt (what [`ThrottlePolicy::lockout`] reads).
    pub fn keys(&self) -> Vec<String> {
        self.all().into_iter().map(|s| s.key).collect()
    }

    /// Every counter a failed password check adds to.
    pub fn all(&self) -> Vec<Subject> {
        self.account_from_address
            .iter()
            .chain(self.address.iter())
            .chain(std::iter::once(&self.account))
            .cloned()
            .collect()
    }

    /// The counters a successful login clears: this address for this account, and the
    /// account's pacing (the address's own counter stays).
    pub fn cleared_by_success(&self) -> Vec<String> {
        self.account_from_address.iter().map(|s| s.key.clone()).chain([self.account.key.clone()]).collect()
    }
}

/// An IPv4 address as it is; an IPv6 address as its /64, which one subscriber usually holds
/// whole (so rotating through it gains nothing).
pub fn address_key(ip: &str) -> String {
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let segments = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", segments[0], segments[1], segments[2], segments[3])
            }
        },
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => ip.to_owned(),
    }
}

/// One stored counter as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counter {
    pub key: String,
    pub failures: u32,
    pub last_failure_at: OffsetDateTime,
    pub blocked_until: Option<OffsetDateTime>,
}

/// One counter after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleState {
    pub failures: u32,
    /// For lockout counters: until when the subject must wait. For the account counter: kept
    /// as it was (its pacing slot), so `None` here means "leave it".
    pub blocked_until: Option<OffsetDateTime>,
}

impl ThrottlePolicy {
    /// The counter of a `kind` subject after one more failure at `now`, given the previous
    /// count and time of its last failure.
    pub fn after_failure(
        &self,
        kind: SubjectKind,
        previous: Option<(u32, OffsetDateTime)>,
        now: OffsetDateTime,
    ) -> ThrottleState {
        let failures = match previous {
            Some((count, last)) if now - last < self.window => count.saturating_add(1),
            _ => 1,
        };
        let free = match kind {
            SubjectKind::AccountFromAddress => self.free_failures,
            SubjectKind::Address => self.address_free_failures,
            SubjectKind::Account => return ThrottleState { failures, blocked_until: None },
        };
        let blocked_until = (failures >= free).then(|| {
            let doublings = (failures - free).min(16);
            let delay = self.base_delay * 2_i32.pow(doublings);
            now + delay.min(self.max_delay)
        });
        ThrottleState { failures, blocked_until }
    }

    /// Until when an attempt of `subjects` must wait, given their stored `counters`: the pair
    /// (this address on this account) when it is locked; the address when it is locked and the
    /// account has failed recently. An account without recent failures is never refused for
    /// its address's sake: its owner's correct password works behind any shared address.
    pub fn lockout(
        &self,
        subjects: &LoginSubjects,
        counters: &[Counter],
        now: OffsetDateTime,
    ) -> Option<OffsetDateTime> {
        let find = |subject: Option<&Subject>| {
            subject.and_then(|subject| counters.iter().find(|c| c.key == subject.key))
        };
        let blocked =
            |counter: Option<&Counter>| counter.and_then(|c| c.blocked_until).filter(|until| *until > now);
        let account_failed_recently = find(Some(&subjects.account))
            .is_some_and(|c| c.failures > 0 && now - c.last_failure_at < self.window);
        let pair = blocked(find(subjects.account_from_address.as_ref()));
        let address = blocked(find(subjects.address.as_ref())).filter(|_| account_failed_recently);
        pair.into_iter().chain(address).max()
    }

    /// Is an account with `failures` recent failures paced?
    pub fn is_paced(&self, failures: u32) -> bool {
        failures >= self.free_failures
    }

    pub fn pace(&self) -> Duration {
        self.account_pace.clamp(Duration::SECOND, MAX_ACCOUNT_PACE)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-11-21 12:00 UTC);

    fn delays(kind: SubjectKind, attempts: usize) -> Vec<Option<i64>> {
        let policy = ThrottlePolicy::default();
        let mut previous = None;
        (0..attempts)
            .map(|_| {
                let state = policy.after_failure(kind, previous, NOW);
                previous = Some((state.failures, NOW));
                state.blocked_until.map(|until| (until - NOW).whole_seconds())
            })
            .collect()
    }

    #[test]
    fn a_pair_waits_after_free_failures_doubling_to_the_cap() {
        let delays = delays(SubjectKind::AccountFromAddress, 12);
        assert_eq!(delays[..4], [None, None, None, None]);
        assert_eq!(delays[4..8], [Some(30), Some(60), Some(120), Some(240)]);
        assert_eq!(delays[11], Some(900), "capped at 15 minutes");
    }

    #[test]
    fn an_address_has_a_larger_allowance() {
        let delays = delays(SubjectKind::Address, 21);
        assert!(delays[..19].iter().all(Option::is_none));
        assert_eq!(delays[19..], [Some(30), Some(60)]);
    }

    #[test]
    fn the_account_counter_never_locks_anyone_out() {
        assert!(delays(SubjectKind::Account, 100).iter().all(Option::is_none));
        let policy = ThrottlePolicy::default();
        assert!(!policy.is_paced(4) && policy.is_paced(5));
        let slow = ThrottlePolicy { account_pace: Duration::minutes(10), ..policy };
        assert_eq!(slow.pace(), MAX_ACCOUNT_PACE, "the pace never exceeds 10 s");
    }

    fn counter(
        key: &str,
        failures: u32,
        last_failure_at: OffsetDateTime,
        blocked_for: Option<i64>,
    ) -> Counter {
        Counter {
            key: key.to_owned(),
            failures,
            last_failure_at,
            blocked_until: blocked_for.map(|secs| NOW + Duration::seconds(secs)),
        }
    }

    #[test]
    fn a_locked_address_refuses_only_accounts_that_failed_recently() {
        let policy = ThrottlePolicy::default();
        let subjects = LoginSubjects::new("owner@example.com", Some("192.0.2.7"));
        let address_locked = counter("ip:192.0.2.7", 40, NOW, Some(898));
        // Others' failures locked the shared address; the owner's account has none.
        assert_eq!(policy.lockout(&subjects, std::slice::from_ref(&address_locked), NOW), None);
        // The account failed long ago: forgotten, still evaluated.
        let old = counter("account:owner@example.com", 3, NOW - Duration::minutes(20), None);
        assert_eq!(policy.lockout(&subjects, &[address_locked.clone(), old], NOW), None);
        // The account failed recently (a guesser on it, from anywhere): the address waits.
        let recent = counter("account:owner@example.com", 1, NOW - Duration::minutes(1), None);
        assert_eq!(
            policy.lockout(&subjects, &[address_locked.clone(), recent], NOW),
            Some(NOW + Duration::seconds(898))
        );
        // This address guessing at this account always waits, whatever the account's counter.
        let pair = counter("pair:192.0.2.7|owner@example.com", 5, NOW, Some(30));
        assert_eq!(policy.lockout(&subjects, &[pair], NOW), Some(NOW + Duration::seconds(30)));
        // A lockout that has run out refuses nothing.
        let spent = counter("pair:192.0.2.7|owner@example.com", 5, NOW, Some(-1));
        assert_eq!(policy.lockout(&subjects, &[spent], NOW), None);
    }

    #[test]
    fn old_failures_are_forgotten() {
        let policy = ThrottlePolicy::default();
        let state = policy.after_failure(
            SubjectKind::AccountFromAddress,
            Some((9, NOW - Duration::minutes(16))),
            NOW,
        );
        assert_eq!(state, ThrottleState { failures: 1, blocked_until: None });
    }

    #[test]
    fn subjects_pair_the_account_with_the_address_and_ipv6_counts_by_64() {
        let subjects = LoginSubjects::new(" Owner@Example.com ", Some("2001:db8:1:2:aaaa::1"));
        assert_eq!(subjects.account.key, "account:owner@example.com");
        assert_eq!(
            subjects.keys(),
            ["pair:2001:db8:1:2::/64|owner@example.com", "ip:2001:db8:1:2::/64", "account:owner@example.com"]
        );
        let rotated = LoginSubjects::new("owner@example.com", Some("2001:db8:1:2:ffff::9"));
        assert_eq!(rotated.keys(), subjects.keys(), "same /64, same counters");
        assert_eq!(address_key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(
            subjects.cleared_by_success(),
            ["pair:2001:db8:1:2::/64|owner@example.com", "account:owner@example.com"]
        );
        let unknown = LoginSubjects::new("a@b.io", None);
        assert_eq!(unknown.keys(), ["account:a@b.io"], "without an address, only the account counts");
    }
}
