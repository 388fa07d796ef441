//! Exact totals of filtered client lists, remembered between the writes that could change them.
//!
//! Counting the matches of a search is most of the cost of a search request. The database keeps
//! a list version (`client_list_version()`, moved by every statement on clients, their tags,
//! tags and grants; see the client_list_changes migration). A total is stored with the version
//! it was counted under, and a request whose version read still equals it reuses the total: no
//! write happened in between, so counting again would give the same number.

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
