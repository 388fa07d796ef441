//! Exact totals of filtered lists, remembered between the writes that could change them.
//!
//! Counting the matches of a filter is most of the cost of a list request. The database keeps
//! a list version (`list_version()`, moved by every statement on the tables a list filter or
//! scope reads: clients, their tags, tags, grants, contracts; see the client_list_changes,
//! linear_counts and list_version migrations). A total is stored with the version it was counted
//! under, and a request whose version read still equals it reuses the total: no write happened
//! in between, so counting again would give the same number.
//!
//! `page_with_remembered_total!` is the one way a list page gets such a total. A list whose
//! pages are costly (a search that must sort or walk many rows) may remember its pages the same
//! way (`pages`): a page read under the current version is the page the statement would read.

use std::collections::HashMap;
use std::sync::Mutex;

/// Beyond this many remembered statements, stale entries are dropped, then everything.
const MAX_ENTRIES: usize = 4_096;

/// A total and the list version it was counted under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct KnownTotal {
    pub version: i64,
    pub total: i64,
}

/// Answers remembered with the list version they were read under, keyed by the statement
/// itself (SQL text and bound values), so two requests share an entry exactly when they would
/// run the same statement.
pub(crate) struct Remembered<V> {
    entries: Mutex<HashMap<String, (i64, V)>>,
}

impl<V> Default for Remembered<V> {
    fn default() -> Self {
        Self { entries: Mutex::new(HashMap::new()) }
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
pub(crate) type ListTotals = Remembered<i64>;

/// Pages of page statements (the rows as read), for lists whose pages cost more than a
/// round trip to compare versions: searches that must sort or walk many rows.
pub(crate) type ListPages<R> = Remembered<std::sync::Arc<Vec<R>>>;

diesel::define_sql_function!(
    /// The list version as seen by the calling statement (the function is STABLE, so it reads
    /// with the statement's snapshot).
    fn list_version() -> diesel::sql_types::BigInt
);

/// Sends a count and a page query together on one connection (`&AsyncPgConnection`) and waits
/// for both: one round trip. The page rows load as `$row`.
macro_rules! pipelined {
    ($conn:expr, $count:expr, $page:expr => $row:ty) => {{
        let count = $count.get_result(&mut &*$conn);
        let rows = $page.load::<$row>(&mut &*$conn);
        futures_util::try_join!(count, rows).map_err($crate::error::map_diesel)?
    }};
}
pub(crate) use pipelined;

/// A page with the exact total of a filtered list, as `(total, rows)`. `$count` selects
/// `(list_version(), count_star())` under the page's filters: a total remembered (in `$totals`,
/// a `ListTotals`) under the same statement is reused while the version read alongside the page
/// still equals the one it was counted under; otherwise it is counted again. One round trip
/// either way, two when a remembered total turns out stale. With `|hint| page`, the page query
/// is built knowing the remembered total (`Option<i64>`, `None` when there is none), so a list
/// can choose its plan by how many rows match.
macro_rules! page_with_remembered_total {
    // With a map of remembered pages: a page read under the current version is answered from
    // it, with its total, after one round trip that reads the version.
    ($conn:expr, $totals:expr, pages $pages:expr, $count:expr, |$hint:ident| $page:expr => $row:ty) => {{
        let hint_total = $totals.get(&diesel::debug_query::<diesel::pg::Pg, _>(&$count).to_string());
        let $hint: Option<i64> = hint_total.map(|(_, total)| total);
        let page_statement = diesel::debug_query::<diesel::pg::Pg, _>(&$page).to_string();
        let known = match (hint_total, $pages.get(&page_statement)) {
            (Some((total_version, total)), Some((page_version, rows))) if total_version == page_version => {
                let version: i64 = diesel::select($crate::list_totals::list_version())
                    .get_result(&mut &*$conn)
                    .await
                    .map_err($crate::error::map_diesel)?;
                (version == page_version).then(|| (total, rows))
            }
            _ => None,
        };
        match known {
            Some((total, rows)) => (total, std::sync::Arc::unwrap_or_clone(rows)),
            None => {
                let (total, rows, page_version) =
                    $crate::list_totals::page_with_remembered_total!(@read $conn, $totals, $count, $page => $row);
                $pages.remember(page_statement, page_version, std::sync::Arc::new(rows.clone()));
                (total, rows)
            }
        }
    }};
    ($conn:expr, $totals:expr, $count:expr, |$hint:ident| $page:expr => $row:ty) => {{
        let $hint: Option<i64> =
            $totals.get(&diesel::debug_query::<diesel::pg::Pg, _>(&$count).to_string()).map(|(_, total)| total);
        let (total, rows, _) =
            $crate::list_totals::page_with_remembered_total!(@read $conn, $totals, $count, $page => $row);
        (total, rows)
    }};
    ($conn:expr, $totals:expr, $count:expr, $page:expr => $row:ty) => {
        $crate::list_totals::page_with_remembered_total!($conn, $totals, $count, |_hint| $page => $row)
    };
    // The page and its total, and the version the page is known to be at least as new as (a
    // version read before it on the same connection).
    (@read $conn:expr, $totals:expr, $count:expr, $page:expr => $row:ty) => {{
        use $crate::list_totals::{KnownTotal, pipelined};
        let count = $count;
        let statement = diesel::debug_query::<diesel::pg::Pg, _>(&count).to_string();
        let count_now = async {
            let (version, total) = count.get_result::<(i64, i64)>(&mut &*$conn).await?;
            Ok::<_, diesel::result::Error>(KnownTotal { version, total })
        };
        let (known, rows, page_version) = match $totals.get(&statement) {
            Some((version, total)) => {
                let remembered = KnownTotal { version, total };
                let (now, rows): (i64, Vec<$row>) =
                    pipelined!($conn, diesel::select($crate::list_totals::list_version()), $page => $row);
                if now == remembered.version {
                    (remembered, rows, now)
                } else {
                    (count_now.await.map_err($crate::error::map_diesel)?, rows, now)
                }
            }
            None => {
                let rows = $page.load::<$row>(&mut &*$conn);
                let (known, rows) = futures_util::try_join!(count_now, rows).map_err($crate::error::map_diesel)?;
                (known, rows, known.version)
            }
        };
        $totals.remember(statement, known.version, known.total);
        (known.total, rows, page_version)
    }};
}
pub(crate) use page_with_remembered_total;

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
