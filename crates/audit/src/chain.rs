//! The hash chain. Each link's hash is SHA-256 over the previous link's hash and a canonical,
//! length-prefixed encoding of the entry's content, so changing, removing or moving any sealed
//! entry changes every hash after it.
//!
//! The encoding is versioned per link. Version 2 (every link sealed now) hashes the row as
//! stored — the JSON columns as PostgreSQL prints them — so sealing never has to parse a row
//! into Rust types and no content can stop the chain. Version 1 (links sealed before it)
//! hashed the parsed content re-encoded by serde_json; those links still verify.

use axis_kernel::{AuditOutcome, FieldChange};
use sha2::{Digest, Sha256};

use crate::{AuditEntry, AuditHeader, StoredEntry};

pub const GENESIS_HASH: [u8; 32] = [0; 32];

/// How a link's hash input was encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashVersion {
    /// Parsed content, JSON re-encoded by serde_json (links sealed before version 2).
    V1,
    /// The stored text of every column.
    V2,
}

impl HashVersion {
    /// What new links are sealed with.
    pub const CURRENT: HashVersion = HashVersion::V2;

    pub fn number(self) -> i16 {
        match self {
            HashVersion::V1 => 1,
            HashVersion::V2 => 2,
        }
    }

    pub fn from_number(number: i16) -> Option<Self> {
        match number {
            1 => Some(HashVersion::V1),
            2 => Some(HashVersion::V2),
            _ => None,
        }
    }
}

/// A stored link: which entry sits at `seq`, the hash recorded when it was sealed, and how
/// that hash's input was encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainLink {
    pub seq: i64,
    pub audit_id: i64,
    pub hash: [u8; 32],
    pub version: HashVersion,
}

fn put(hasher: &mut Sha256, field: Option<&[u8]>) {
    // Length-prefixed, with a distinct marker for "absent", so no two encodings collide.
    match field {
        None => hasher.update([0u8]),
        Some(bytes) => {
            hasher.update([1u8]);
            hasher.update((bytes.len() as u64).to_be_bytes());
            hasher.update(bytes);
        }
    }
}

/// The columns both versions hash the same way, id to request id.
fn put_columns(hasher: &mut Sha256, row: &AuditHeader, outcome: &str) {
    put(hasher, Some(&row.id.to_be_bytes()));
    put(hasher, Some(&row.txid.to_be_bytes()));
    // Microsecond precision: what PostgreSQL stores.
    let micros = row.occurred_at.unix_timestamp_nanos() / 1_000;
    put(hasher, Some(&micros.to_be_bytes()));
    put(hasher, Some(row.action.as_bytes()));
    put(hasher, Some(outcome.as_bytes()));
    put(hasher, Some(row.entity_type.as_bytes()));
    put(hasher, row.entity_id.as_deref().map(str::as_bytes));
    put(hasher, row.actor_user_id.as_ref().map(|id| id.as_bytes().as_slice()));
    put(hasher, row.actor_label.as_deref().map(str::as_bytes));
    put(hasher, row.ip.as_deref().map(str::as_bytes));
    put(hasher, row.user_agent.as_deref().map(str::as_bytes));
    put(hasher, row.request_id.as_deref().map(str::as_bytes));
}

/// Version 1: the hash of the parsed `entry` placed after a link whose hash is `previous`.
pub fn link_hash_v1(previous: &[u8; 32], entry: &AuditEntry) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(previous);
    put_columns(&mut hasher, &entry.header, entry.outcome.as_str());
    // serde_json writes maps in key order, so equal values always encode the same way.
    let changes = serde_json::to_vec(&entry.changes).unwrap_or_default();
    put(&mut hasher, Some(&changes));
    let details = serde_json::to_vec(&entry.details).unwrap_or_default();
    put(&mut hasher, Some(&details));
    hasher.finalize().into()
}

/// Version 2: the hash of the stored row placed after a link whose hash is `previous`. Never
/// fails, whatever the row holds.
pub fn link_hash_v2(previous: &[u8; 32], entry: &StoredEntry) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(previous);
    // The version is part of the input, so a link cannot be passed off as another version.
    hasher.update(b"axis-audit-link-v2");
    put_columns(&mut hasher, &entry.header, &entry.outcome);
    put(&mut hasher, Some(entry.changes_json.as_bytes()));
    put(&mut hasher, Some(entry.details_json.as_bytes()));
    hasher.finalize().into()
}

/// The hash of `entry` after `previous` in `version`'s encoding; `None` when a version 1 row
/// no longer parses (it did when it was sealed, so it has been changed since).
pub fn link_hash(previous: &[u8; 32], entry: &StoredEntry, version: HashVersion) -> Option<[u8; 32]> {
    match version {
        HashVersion::V2 => Some(link_hash_v2(previous, entry)),
        HashVersion::V1 => entry.parse().ok().map(|parsed| link_hash_v1(previous, &parsed)),
    }
}

impl StoredEntry {
    /// The entry for display. A JSON column that does not read as axis writes it (possible
    /// only if the row was written around axis) is shown as its stored text instead of
    /// failing the whole list: under `changes` as one change of field `(unreadable)`, and as a
    /// string for `details`.
    pub fn display(self) -> AuditEntry {
        let changes = serde_json::from_str::<Vec<FieldChange>>(&self.changes_json).unwrap_or_else(|_| {
            vec![FieldChange {
                field: "(unreadable)".into(),
                old: serde_json::Value::Null,
                new: serde_json::Value::String(self.changes_json.clone()),
            }]
        });
        let details = serde_json::from_str(&self.details_json)
            .unwrap_or_else(|_| serde_json::Value::String(self.details_json.clone()));
        let outcome = if self.outcome == "failure" { AuditOutcome::Failure } else { AuditOutcome::Success };
        self.into_entry(outcome, changes, details)
    }

    /// The entry with its JSON columns parsed strictly, as version 1 hashed it.
    pub fn parse(&self) -> Result<AuditEntry, String> {
        let outcome = match self.outcome.as_str() {
            "success" => AuditOutcome::Success,
            "failure" => AuditOutcome::Failure,
            other => return Err(format!("unknown audit outcome {other:?}")),
        };
        let changes: Vec<FieldChange> =
            serde_json::from_str(&self.changes_json).map_err(|e| format!("changes: {e}"))?;
        let details = serde_json::from_str(&self.details_json).map_err(|e| format!("details: {e}"))?;
        Ok(self.clone().into_entry(outcome, changes, details))
    }

    fn into_entry(
        self,
        outcome: AuditOutcome,
        changes: Vec<FieldChange>,
        details: serde_json::Value,
    ) -> AuditEntry {
        AuditEntry { header: self.header, outcome, changes, details }
    }
}

/// Where and why the chain stops proving anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The link points at an entry that is no longer there.
    MissingEntry { seq: i64, audit_id: i64 },
    /// The recomputed hash differs: the entry was edited, or entries were moved or removed.
    HashMismatch { seq: i64, audit_id: i64 },
    /// Links are not numbered 1, 2, 3, ...: a link was removed or inserted.
    SequenceGap { expected: i64, found: i64 },
    /// An entry sits behind the sealed horizon without a link: inserted after sealing.
    UnsealedBehindHorizon { audit_id: i64 },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::MissingEntry { seq, audit_id } => {
                write!(f, "link {seq}: audit entry {audit_id} is missing (deleted)")
            }
            ChainBreak::HashMismatch { seq, audit_id } => write!(
                f,
                "link {seq}: hash mismatch at audit entry {audit_id} (edited, reordered or an earlier entry removed)"
            ),
            ChainBreak::SequenceGap { expected, found } => {
                write!(f, "link {expected} is missing (next link is {found})")
            }
            ChainBreak::UnsealedBehindHorizon { audit_id } => {
                write!(f, "audit entry {audit_id} was inserted behind the sealed part of the chain")
            }
        }
    }
}

/// The result of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub links_checked: u64,
    pub head_hash: [u8; 32],
    pub first_break: Option<ChainBreak>,
}

/// Walks links in order, carrying the running hash between batches.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    expected_seq: i64,
    running: [u8; 32],
    checked: u64,
    first_break: Option<ChainBreak>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self { expected_seq: 1, running: GENESIS_HASH, checked: 0, first_break: None }
    }
}

impl ChainVerifier {
    pub fn is_broken(&self) -> bool {
        self.first_break.is_some()
    }

    /// Checks one link and the entry it names (`None` when that entry is gone).
    pub fn check(&mut self, link: &ChainLink, entry: Option<&StoredEntry>) {
        if self.first_break.is_some() {
            return;
        }
        self.checked += 1;
        if link.seq != self.expected_seq {
            self.first_break = Some(ChainBreak::SequenceGap { expected: self.expected_seq, found: link.seq });
            return;
        }
        let Some(entry) = entry.filter(|e| e.id == link.audit_id) else {
            self.first_break = Some(ChainBreak::MissingEntry { seq: link.seq, audit_id: link.audit_id });
            return;
        };
        let recomputed = link_hash(&self.running, entry, link.version);
        let Some(recomputed) = recomputed.filter(|hash| *hash == link.hash) else {
            self.first_break = Some(ChainBreak::HashMismatch { seq: link.seq, audit_id: link.audit_id });
            return;
        };
        self.running = recomputed;
        self.expected_seq += 1;
    }

    /// Records an entry found behind the sealed horizon without a link.
    pub fn unsealed_behind_horizon(&mut self, audit_id: i64) {
        if self.first_break.is_none() {
            self.first_break = Some(ChainBreak::UnsealedBehindHorizon { audit_id });
        }
    }

    pub fn finish(self) -> VerifyReport {
        VerifyReport { links_checked: self.checked, head_hash: self.running, first_break: self.first_break }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use time::macros::datetime;

    use super::*;

    fn entry(id: i64) -> StoredEntry {
        StoredEntry {
            header: AuditHeader {
                id,
                txid: 100 + id,
                occurred_at: datetime!(2026-11-21 10:00:00.123456 UTC),
                action: "user.update".into(),
                entity_type: "user".into(),
                entity_id: Some(format!("u{id}")),
                actor_user_id: None,
                actor_label: Some("cli".into()),
                ip: None,
                user_agent: None,
                request_id: None,
                chain_seq: None,
            },
            outcome: "success".into(),
            changes_json: r#"[{"new": 2, "old": 1, "field": "n"}]"#.into(),
            details_json: "{}".into(),
        }
    }

    fn seal_with(entries: &[StoredEntry], version: HashVersion) -> Vec<ChainLink> {
        let mut previous = GENESIS_HASH;
        entries
            .iter()
            .enumerate()
            .map(|(i, e)| {
                previous = link_hash(&previous, e, version).unwrap_or_default();
                ChainLink { seq: i as i64 + 1, audit_id: e.id, hash: previous, version }
            })
            .collect()
    }

    fn seal(entries: &[StoredEntry]) -> Vec<ChainLink> {
        seal_with(entries, HashVersion::CURRENT)
    }

    fn verify(links: &[ChainLink], entries: &[StoredEntry]) -> VerifyReport {
        let mut verifier = ChainVerifier::default();
        for link in links {
            verifier.check(link, entries.iter().find(|e| e.id == link.audit_id));
        }
        verifier.finish()
    }

    #[test]
    fn intact_chain_verifies() {
        let entries: Vec<_> = (1..=5).map(entry).collect();
        let report = verify(&seal(&entries), &entries);
        assert_eq!(report.first_break, None);
        assert_eq!(report.links_checked, 5);
    }

    /// The first break found after `tamper` edits five sealed entries or their links.
    fn first_break_after(
        tamper: impl FnOnce(&mut Vec<ChainLink>, &mut Vec<StoredEntry>),
    ) -> Option<ChainBreak> {
        let mut entries: Vec<_> = (1..=5).map(entry).collect();
        let mut links = seal(&entries);
        tamper(&mut links, &mut entries);
        verify(&links, &entries).first_break
    }

    #[test]
    fn edited_or_deleted_entries_and_reordered_or_removed_links_are_found() {
        let edited = first_break_after(|_, entries| entries[2].actor_label = Some("someone else".into()));
        assert_eq!(edited, Some(ChainBreak::HashMismatch { seq: 3, audit_id: 3 }));
        let edited_json = first_break_after(|_, entries| {
            entries[3].changes_json = r#"[{"new": 3, "old": 1, "field": "n"}]"#.into()
        });
        assert_eq!(edited_json, Some(ChainBreak::HashMismatch { seq: 4, audit_id: 4 }));
        let deleted = first_break_after(|_, entries| {
            entries.remove(1);
        });
        assert_eq!(deleted, Some(ChainBreak::MissingEntry { seq: 2, audit_id: 2 }));
        let reordered = first_break_after(|links, _| {
            links.swap(1, 2);
            let (a, b) = (links[1].seq, links[2].seq);
            links[1].seq = b;
            links[2].seq = a;
        });
        assert_eq!(reordered, Some(ChainBreak::HashMismatch { seq: 2, audit_id: 3 }));
        let removed = first_break_after(|links, _| {
            links.remove(3);
        });
        assert_eq!(removed, Some(ChainBreak::SequenceGap { expected: 4, found: 5 }));
    }

    #[test]
    fn absent_and_empty_fields_hash_differently() {
        let mut a = entry(1);
        let mut b = entry(1);
        a.entity_id = None;
        b.entity_id = Some(String::new());
        assert_ne!(link_hash_v2(&GENESIS_HASH, &a), link_hash_v2(&GENESIS_HASH, &b));
    }

    #[test]
    fn rows_that_do_not_parse_are_sealed_and_verified() {
        let mut entries: Vec<_> = (1..=3).map(entry).collect();
        // Valid JSON that serde_json cannot read as a number, and a shape that is not a list
        // of field changes: neither may stop the chain.
        entries[0].details_json = r#"{"x": 1e400}"#.into();
        entries[1].changes_json = r#"{"not": "a list"}"#.into();
        assert!(entries[0].parse().is_err() && entries[1].parse().is_err());
        let links = seal(&entries);
        assert_eq!(verify(&links, &entries).first_break, None);
    }

    #[test]
    fn a_chain_sealed_in_version_1_still_verifies_and_continues_in_version_2() {
        let entries: Vec<_> = (1..=6).map(entry).collect();
        let mut links = seal_with(&entries[..3], HashVersion::V1);
        let mut previous = links[2].hash;
        for (i, e) in entries[3..].iter().enumerate() {
            previous = link_hash_v2(&previous, e);
            links.push(ChainLink {
                seq: 4 + i as i64,
                audit_id: e.id,
                hash: previous,
                version: HashVersion::V2,
            });
        }
        assert_eq!(verify(&links, &entries).first_break, None);

        // The version 1 encoding is the one those links were sealed with: parsed content,
        // re-encoded with keys in order.
        let parsed = entries[0].parse().unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(links[0].hash, link_hash_v1(&GENESIS_HASH, &parsed));
        assert_eq!(parsed.changes[0].new, json!(2));

        // Editing a version 1 row is found, and so is passing a link off as the other version.
        let mut edited = entries.clone();
        edited[1].changes_json = r#"[{"new": 5, "old": 1, "field": "n"}]"#.into();
        assert_eq!(
            verify(&links, &edited).first_break,
            Some(ChainBreak::HashMismatch { seq: 2, audit_id: 2 })
        );
        let mut relabelled = links.clone();
        relabelled[0].version = HashVersion::V2;
        assert_eq!(
            verify(&relabelled, &entries).first_break,
            Some(ChainBreak::HashMismatch { seq: 1, audit_id: 1 })
        );
    }

    #[test]
    fn a_version_1_row_that_stopped_parsing_is_a_mismatch() {
        let entries: Vec<_> = (1..=2).map(entry).collect();
        let links = seal_with(&entries, HashVersion::V1);
        let mut edited = entries.clone();
        edited[1].details_json = r#"{"x": 1e400}"#.into();
        assert_eq!(
            verify(&links, &edited).first_break,
            Some(ChainBreak::HashMismatch { seq: 2, audit_id: 2 })
        );
    }
}
