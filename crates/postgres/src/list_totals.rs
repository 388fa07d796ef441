//! Exact totals of filtered lists, remembered between the writes that could change them.
//!
//! Counting the matches of a filter is most of the cost of a list request. The database keeps
//! a list version (`list_version()`, moved by every statement on the tables a list filter or
//! scope reads: clients, their tags, tags, grants, contracts; see the client_list_changes,
//! linear_counts and list_version migrations). A total is stored with the version it was counted
//! under, and a request whose version read still equals it reuses the total: no write happened
//! in between, so counting again would give the same number.
//!
//! `page_with_remembered_total!` is the one way a list page gets such a total.

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

/// Keyed by the count statement itself (SQL text and bound values), so two requests share an
/// entry exactly when they would run the same count.
#[derive(Default)]
pub(crate) struct ListTotals {
    entries: Mutex<HashMap<String, KnownTotal>>,
}

impl ListTotals {
    pub fn get(&self, statement: &str) -> Option<KnownTotal> {
        self.entries.lock().ok()?.get(statement).copied()
    }

    pub fn remember(&self, statement: String, known: KnownTotal) {
        let Ok(mut entries) = self.entries.lock() else { return };
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&statement) {
            // Entries counted under an older version can only match a reader that is behind.
            entries.retain(|_, entry| entry.version >= known.version);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(statement, known);
    }
}

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
/// either way, two when a remembered total turns out stale.
macro_rules! page_with_remembered_total {
    ($conn:expr, $totals:expr, $count:expr, $page:expr => $row:ty) => {{
        use $crate::list_totals::{KnownTotal, pipelined};
        let count = $count;
        let statement = diesel::debug_query::<diesel::pg::Pg, _>(&count).to_string();
        let count_now = async {
            let (version, total) = count.get_result::<(i64, i64)>(&mut &*$conn).await?;
            Ok::<_, diesel::result::Error>(KnownTotal { version, total })
        };
        let (known, rows) = match $totals.get(&statement) {
            Some(remembered) => {
                let (version, rows): (i64, Vec<$row>) =
                    pipelined!($conn, diesel::select($crate::list_totals::list_version()), $page => $row);
                if version == remembered.version {
                    (remembered, rows)
                } else {
                    (count_now.await.map_err($crate::error::map_diesel)?, rows)
                }
            }
            None => {
                let rows = $page.load::<$row>(&mut &*$conn);
                futures_util::try_join!(count_now, rows).map_err($crate::error::map_diesel)?
            }
        };
        $totals.remember(statement, known);
        (known.total, rows)
    }};
}
pub(crate) use page_with_remembered_total;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_total_is_found_under_its_statement_only() {
        let totals = ListTotals::default();
        totals.remember("count a".into(), KnownTotal { version: 3, total: 12 });
        assert_eq!(totals.get("count a"), Some(KnownTotal { version: 3, total: 12 }));
        assert_eq!(totals.get("count b"), None);
    }

    #[test]
    fn a_newer_count_replaces_the_old_one() {
        let totals = ListTotals::default();
        totals.remember("count a".into(), KnownTotal { version: 3, total: 12 });
        totals.remember("count a".into(), KnownTotal { version: 4, total: 13 });
        assert_eq!(totals.get("count a"), Some(KnownTotal { version: 4, total: 13 }));
    }

    #[test]
    fn a_full_cache_drops_stale_entries_first() {
        let totals = ListTotals::default();
        for n in 0..MAX_ENTRIES - 1 {
            totals.remember(format!("old {n}"), KnownTotal { version: 1, total: 0 });
        }
        totals.remember("current".into(), KnownTotal { version: 2, total: 5 });
        totals.remember("newest".into(), KnownTotal { version: 2, total: 7 });
        assert_eq!(totals.get("old 0"), None, "stale entries are gone");
        assert_eq!(totals.get("current"), Some(KnownTotal { version: 2, total: 5 }));
        assert_eq!(totals.get("newest"), Some(KnownTotal { version: 2, total: 7 }));
    }

    #[test]
    fn a_cache_full_of_current_entries_starts_over() {
        let totals = ListTotals::default();
        for n in 0..MAX_ENTRIES {
            totals.remember(format!("count {n}"), KnownTotal { version: 1, total: 0 });
        }
        totals.remember("one more".into(), KnownTotal { version: 1, total: 9 });
        assert_eq!(totals.get("count 0"), None);
        assert_eq!(totals.get("one more"), Some(KnownTotal { version: 1, total: 9 }));
    }
}
