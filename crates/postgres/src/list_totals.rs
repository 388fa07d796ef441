//! Exact totals of filtered lists, remembered between the writes that could change them.
//!
//! Counting the matches of a filter is most of the cost of a list request. The database keeps
//! a list version (`list_version()`, moved by every statement on the tables a list filter or
//! scope reads: clients, their tags, tags, grants, contracts; see the client_list_changes,
//! linear_counts and list_version migrations). A total is stored with the version it was counted
//! under, and a request whose version read still equals it reuses the total: no write happened
//! in between, so counting again would give the same number.
//!
//! [`page_with_remembered_total`] is the one way a list page gets such a total. A list whose
//! pages are costly (a search that must sort or walk many rows) remembers its pages the same
//! way ([`remembered_page`]): a page read under the current version is the page the statement
//! would read.
//!
//! When nothing current is remembered for a statement, one request counts it and the others
//! asking for the same statement wait for that total (`Remembered::turn_to_count`): after a
//! restart or a write, sixteen connections asking for the same list count it once, not sixteen
//! times at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axis_kernel::DomainError;
use diesel::debug_query;
use diesel::pg::Pg;
use diesel::query_builder::QueryFragment;
use diesel_async::methods::LoadQuery;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;

use crate::error::map_diesel;

/// Beyond this many remembered statements, stale entries are dropped, then everything.
const MAX_ENTRIES: usize = 4_096;

/// A total and the list version it was counted under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KnownTotal {
    pub version: i64,
    pub total: i64,
}

/// Answers remembered with the list version they were read under, keyed by the statement
/// itself (SQL text and bound values), so two requests share an entry exactly when they would
/// run the same statement.
pub struct Remembered<V> {
    entries: Mutex<HashMap<String, (i64, V)>>,
    /// One turn per statement being counted now: the requests that find nothing current wait
    /// for the one counting instead of all counting the same rows at once.
    turns: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
}

impl<V> Default for Remembered<V> {
    fn default() -> Self {
        Self { entries: Mutex::new(HashMap::new()), turns: Arc::default() }
    }
}

/// The right to count one statement; the next waiting request gets it when this is dropped.
pub struct Turn {
    statement: String,
    turns: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
    held: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Drop for Turn {
    fn drop(&mut self) {
        let Ok(mut turns) = self.turns.lock() else { return };
        // Nobody else holds or waits for this statement's turn (the map and this guard are
        // the only owners): forget it, so the map holds only statements being counted now.
        if turns.get(&self.statement).is_some_and(|turn| Arc::strong_count(turn) <= 2) {
            turns.remove(&self.statement);
        }
        self.held = None;
    }
}

impl<V> Remembered<V> {
    /// The turn to count `statement` when nothing is remembered for it yet (after waiting for
    /// the request that may be counting it now); `None` when something is.
    pub async fn turn_if_unknown(&self, statement: &str) -> Option<Turn>
    where
        V: Clone,
    {
        if self.get(statement).is_some() {
            return None;
        }
        let turn = self.turn_to_count(statement).await;
        self.get(statement).is_none().then_some(turn)
    }

    /// Waits until no other request is counting `statement`, then holds the turn until the
    /// returned value is dropped (after the new answer is remembered).
    pub async fn turn_to_count(&self, statement: &str) -> Turn {
        let turn = match self.turns.lock() {
            Ok(mut turns) => turns.entry(statement.to_owned()).or_default().clone(),
            // A poisoned map only loses the waiting: count without a turn.
            Err(_) => Arc::default(),
        };
        let held = Some(turn.lock_owned().await);
        Turn { statement: statement.to_owned(), turns: self.turns.clone(), held }
    }
}

impl<V: Clone> Remembered<V> {
    pub fn get(&self, statement: &str) -> Option<(i64, V)> {
        self.entries.lock().ok()?.get(statement).cloned()
    }

    pub fn remember(&self, statement: String, version: i64, value: V) {
        let Ok(mut entries) = self.entries.lock() else { return };
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&statement) {
            // Entries read under an older version can only match a reader that is behind.
            entries.retain(|_, (read_under, _)| *read_under >= version);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(statement, (version, value));
    }
}

/// Totals of count statements.
pub type ListTotals = Remembered<i64>;

/// Pages of page statements (the rows as read), for lists whose pages cost more than a
/// round trip to compare versions: searches that must sort or walk many rows, and pages that
/// PostgreSQL plans again on every run.
pub type ListPages<R> = Remembered<std::sync::Arc<Vec<R>>>;

diesel::define_sql_function!(
    /// The list version as seen by the calling statement (the function is STABLE, so it reads
    /// with the statement's snapshot).
    fn list_version() -> diesel::sql_types::BigInt
);

/// Sends `first` and `second` together on one connection and waits for both: one round trip.
///
/// Boxed, like the other list readers here, so that the callers' futures are provably `Send`
/// whatever queries they pass.
pub fn pipelined<'c, A, B, T, R>(
    conn: &'c AsyncPgConnection,
    first: A,
    second: B,
) -> BoxFuture<'c, Result<(T, Vec<R>), DomainError>>
where
    A: LoadQuery<'c, &'c AsyncPgConnection, T> + Send + 'c,
    B: LoadQuery<'c, &'c AsyncPgConnection, R> + Send + 'c,
    T: Send + 'c,
    R: Send + 'c,
{
    async move {
        let mut first_conn = conn;
        let mut second_conn = conn;
        let first = first.get_result(&mut first_conn);
        let rows = second.load(&mut second_conn);
        futures_util::try_join!(first, rows).map_err(map_diesel)
    }
    .boxed()
}

/// A page with the exact total of a filtered list, as `(total, rows)`. `count` selects
/// `(list_version(), count_star())` under the page's filters: a total remembered in `totals`
/// under the same statement is reused while the version read alongside the page still equals
/// the one it was counted under; otherwise it is counted again. One round trip either way, two
/// when a remembered total turns out stale.
pub fn page_with_remembered_total<'c, C, P, R>(
    conn: &'c AsyncPgConnection,
    totals: &'c ListTotals,
    count: C,
    page: P,
) -> BoxFuture<'c, Result<(i64, Vec<R>), DomainError>>
where
    C: LoadQuery<'c, &'c AsyncPgConnection, (i64, i64)> + QueryFragment<Pg> + Send + 'c,
    P: LoadQuery<'c, &'c AsyncPgConnection, R> + Send + 'c,
    R: Send + 'c,
{
    async move {
        let statement = debug_query::<Pg, _>(&count).to_string();
        let mut turn = totals.turn_if_unknown(&statement).await;
        let (total, rows, _) = read_page(conn, totals, &mut turn, statement, count, page).await?;
        drop(turn);
        Ok((total, rows))
    }
    .boxed()
}

/// As [`page_with_remembered_total`], for a list whose pages are worth remembering too (in
/// `pages`): a page read under the current version is answered from it, with its total,
/// after one round trip that reads the version. `count` builds the count statement (it may
/// run twice); `page` builds the page query knowing about how
/// many rows match (the remembered total, which a write since may have made stale; when none
/// is remembered, the count runs first), so a list can choose its plan by it.
pub fn remembered_page<'c, C, P, R>(
    conn: &'c AsyncPgConnection,
    totals: &'c ListTotals,
    pages: &'c ListPages<R>,
    count: impl Fn() -> C + Send + 'c,
    page: impl FnOnce(i64) -> P + Send + 'c,
) -> BoxFuture<'c, Result<(i64, Vec<R>), DomainError>>
where
    C: LoadQuery<'c, &'c AsyncPgConnection, (i64, i64)> + QueryFragment<Pg> + Send + 'c,
    P: LoadQuery<'c, &'c AsyncPgConnection, R> + QueryFragment<Pg> + Send + 'c,
    R: Send + Sync + Clone + 'c,
{
    async move {
        let statement = debug_query::<Pg, _>(&count()).to_string();
        let mut turn = totals.turn_if_unknown(&statement).await;
        let hint = match totals.get(&statement) {
            Some((_, total)) => total,
            // Nothing remembered (this request holds the turn): count now, so that the page is
            // planned knowing it.
            None => {
                let mut conn = conn;
                let (version, total) =
                    count().get_result::<(i64, i64)>(&mut conn).await.map_err(map_diesel)?;
                totals.remember(statement.clone(), version, total);
                total
            }
        };
        let page = page(hint);
        let page_statement = debug_query::<Pg, _>(&page).to_string();
        let known = match (totals.get(&statement), pages.get(&page_statement)) {
            (Some((total_version, total)), Some((page_version, rows))) if total_version == page_version => {
                let mut conn = conn;
                let version: i64 =
                    diesel::select(list_version()).get_result(&mut conn).await.map_err(map_diesel)?;
                (version == page_version).then_some((total, rows))
            }
            _ => None,
        };
        if let Some((total, rows)) = known {
            return Ok((total, Arc::unwrap_or_clone(rows)));
        }
        let (total, rows, page_version) =
            read_page(conn, totals, &mut turn, statement, count(), page).await?;
        pages.remember(page_statement, page_version, Arc::new(rows.clone()));
        drop(turn);
        Ok((total, rows))
    }
    .boxed()
}

/// The page and its total, and the version the page is known to be at least as new as (a
/// version read before it on the same connection). `turn` holds this request's turn to count
/// `statement`, if it has one; it is taken here when a remembered total turns out stale, and
/// the caller keeps it until everything read is remembered.
async fn read_page<'c, C, P, R>(
    conn: &'c AsyncPgConnection,
    totals: &ListTotals,
    turn: &mut Option<Turn>,
    statement: String,
    count: C,
    page: P,
) -> Result<(i64, Vec<R>, i64), DomainError>
where
    C: LoadQuery<'c, &'c AsyncPgConnection, (i64, i64)> + Send + 'c,
    P: LoadQuery<'c, &'c AsyncPgConnection, R> + Send + 'c,
    R: Send + 'c,
{
    let count_now = async {
        let mut conn = conn;
        let (version, total) = count.get_result::<(i64, i64)>(&mut conn).await?;
        Ok::<_, diesel::result::Error>(KnownTotal { version, total })
    };
    let (known, rows, page_version) = match totals.get(&statement) {
        Some((version, total)) => {
            let (now, rows) = pipelined(conn, diesel::select(list_version()), page).await?;
            let mut current = (version == now).then_some(KnownTotal { version, total });
            if current.is_none() && turn.is_none() {
                *turn = Some(totals.turn_to_count(&statement).await);
                // Counted under this version by the request this one waited for.
                current = totals
                    .get(&statement)
                    .and_then(|(version, total)| (version == now).then_some(KnownTotal { version, total }));
            }
            match current {
                Some(known) => (known, rows, now),
                None => (count_now.await.map_err(map_diesel)?, rows, now),
            }
        }
        None => {
            let mut page_conn = conn;
            let rows = page.load::<R>(&mut page_conn);
            let (known, rows) = futures_util::try_join!(count_now, rows).map_err(map_diesel)?;
            (known, rows, known.version)
        }
    };
    totals.remember(statement, known.version, known.total);
    Ok((known.total, rows, page_version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_found_under_its_statement_only() {
        let totals = ListTotals::default();
        totals.remember("count a".into(), 3, 12);
        assert_eq!(totals.get("count a"), Some((3, 12)));
        assert_eq!(totals.get("count b"), None);
    }

    #[test]
    fn a_newer_answer_replaces_the_old_one() {
        let totals = ListTotals::default();
        totals.remember("count a".into(), 3, 12);
        totals.remember("count a".into(), 4, 13);
        assert_eq!(totals.get("count a"), Some((4, 13)));
    }

    #[test]
    fn a_full_map_drops_stale_entries_first() {
        let totals = ListTotals::default();
        for n in 0..MAX_ENTRIES - 1 {
            totals.remember(format!("old {n}"), 1, 0);
        }
        totals.remember("current".into(), 2, 5);
        totals.remember("newest".into(), 2, 7);
        assert_eq!(totals.get("old 0"), None, "stale entries are gone");
        assert_eq!(totals.get("current"), Some((2, 5)));
        assert_eq!(totals.get("newest"), Some((2, 7)));
    }

    #[tokio::test]
    async fn one_request_counts_a_statement_at_a_time() {
        let totals = std::sync::Arc::new(ListTotals::default());
        let first = totals.turn_if_unknown("count a").await.expect("nothing remembered: a turn");
        let waiting = tokio::spawn({
            let totals = totals.clone();
            async move { totals.turn_if_unknown("count a").await.is_some() }
        });
        wait_until_someone_waits(&totals, "count a").await;
        // Another statement is not held up by this one.
        assert!(totals.turn_if_unknown("count b").await.is_some());
        totals.remember("count a".into(), 1, 40);
        drop(first);
        assert!(!waiting.await.unwrap(), "the waiting request finds the total and needs no turn");
        assert!(totals.turns.lock().unwrap().is_empty(), "turns nobody holds are forgotten");
    }

    #[tokio::test]
    async fn a_turn_passes_on_when_the_counting_request_fails() {
        let totals = std::sync::Arc::new(ListTotals::default());
        let first = totals.turn_if_unknown("count a").await;
        let waiting = tokio::spawn({
            let totals = totals.clone();
            async move { totals.turn_if_unknown("count a").await.is_some() }
        });
        wait_until_someone_waits(&totals, "count a").await;
        drop(first);
        assert!(waiting.await.unwrap(), "still nothing remembered: the next request counts");
    }

    /// Lets the spawned request run until it waits for the statement's turn (the map, the
    /// holder and the waiter then own it).
    async fn wait_until_someone_waits(totals: &ListTotals, statement: &str) {
        for _ in 0..1_000 {
            let owners = totals.turns.lock().unwrap().get(statement).map(std::sync::Arc::strong_count);
            if owners == Some(3) {
                return;
            }
            tokio::task::yield_now().await;
        }
        panic!("no request came to wait for the turn to count {statement}");
    }

    #[test]
    fn a_map_full_of_current_entries_starts_over() {
        let totals = ListTotals::default();
        for n in 0..MAX_ENTRIES {
            totals.remember(format!("count {n}"), 1, 0);
        }
        totals.remember("one more".into(), 1, 9);
        assert_eq!(totals.get("count 0"), None);
        assert_eq!(totals.get("one more"), Some((1, 9)));
    }
}
