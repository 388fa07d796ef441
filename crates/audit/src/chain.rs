//! The hash chain. Each link's hash is SHA-256 over the previous link's hash and a canonical,
//! length-prefixed encoding of the entry's content, so changing, removing or moving any sealed
//! entry changes every hash after it.

use sha2::{Digest, Sha256};

use crate::AuditEntry;

pub const GENESIS_HASH: [u8; 32] = [0; 32];

/// A stored link: which entry sits at `seq` and the hash recorded when it was sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainLink {
    pub seq: i64,
    pub audit_id: i64,
    pub hash: [u8; 32],
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

/// The hash of `entry` placed after a link whose hash is `previous`.
pub fn link_hash(previous: &[u8; 32], entry: &AuditEntry) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(previous);
    put(&mut hasher, Some(&entry.id.to_be_bytes()));
    put(&mut hasher, Some(&entry.txid.to_be_bytes()));
    // Microsecond precision: what PostgreSQL stores.
    let micros = entry.occurred_at.unix_timestamp_nanos() / 1_000;
    put(&mut hasher, Some(&micros.to_be_bytes()));
    put(&mut hasher, Some(entry.action.as_bytes()));
    put(&mut hasher, Some(entry.outcome.as_str().as_bytes()));
    put(&mut hasher, Some(entry.entity_type.as_bytes()));
    put(&mut hasher, entry.entity_id.as_deref().map(str::as_bytes));
    put(&mut hasher, entry.actor_user_id.as_ref().map(|id| id.as_bytes().as_slice()));
    put(&mut hasher, entry.actor_label.as_deref().map(str::as_bytes));
    put(&mut hasher, entry.ip.as_deref().map(str::as_bytes));
    put(&mut hasher, entry.user_agent.as_deref().map(str::as_bytes));
    put(&mut hasher, entry.request_id.as_deref().map(str::as_bytes));
    // serde_json writes maps in key order, so equal values always encode the same way.
    let changes = serde_json::to_vec(&entry.changes).unwrap_or_default();
    put(&mut hasher, Some(&changes));
    let details = serde_json::to_vec(&entry.details).unwrap_or_default();
    put(&mut hasher, Some(&details));
    hasher.finalize().into()
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
    pub fn check(&mut self, link: &ChainLink, entry: Option<&AuditEntry>) {
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
        let recomputed = link_hash(&self.running, entry);
        if recomputed != link.hash {
            self.first_break = Some(ChainBreak::HashMismatch { seq: link.seq, audit_id: link.audit_id });
            return;
        }
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
    use axis_kernel::AuditOutcome;
    use serde_json::json;
    use time::macros::datetime;

    use super::*;

    fn entry(id: i64) -> AuditEntry {
        AuditEntry {
            id,
            txid: 100 + id,
            occurred_at: datetime!(2026-11-21 10:00:00.123456 UTC),
            action: "user.update".into(),
            outcome: AuditOutcome::Success,
            entity_type: "user".into(),
            entity_id: Some(format!("u{id}")),
            actor_user_id: None,
            actor_label: Some("cli".into()),
            ip: None,
            user_agent: None,
            request_id: None,
            changes: vec![],
            details: json!({}),
            chain_seq: None,
        }
    }

    fn seal(entries: &[AuditEntry]) -> Vec<ChainLink> {
        let mut previous = GENESIS_HASH;
        entries
            .iter()
            .enumerate()
            .map(|(i, e)| {
                previous = link_hash(&previous, e);
                ChainLink { seq: i as i64 + 1, audit_id: e.id, hash: previous }
            })
            .collect()
    }

    fn verify(links: &[ChainLink], entries: &[AuditEntry]) -> VerifyReport {
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

    #[test]
    fn edited_entry_is_found() {
        let mut entries: Vec<_> = (1..=5).map(entry).collect();
        let links = seal(&entries);
        entries[2].actor_label = Some("someone else".into());
        assert_eq!(
            verify(&links, &entries).first_break,
            Some(ChainBreak::HashMismatch { seq: 3, audit_id: 3 })
        );
    }

    #[test]
    fn deleted_entry_is_found() {
        let mut entries: Vec<_> = (1..=5).map(entry).collect();
        let links = seal(&entries);
        entries.remove(1);
        assert_eq!(
            verify(&links, &entries).first_break,
            Some(ChainBreak::MissingEntry { seq: 2, audit_id: 2 })
        );
    }

    #[test]
    fn reordered_links_are_found() {
        let entries: Vec<_> = (1..=5).map(entry).collect();
        let mut links = seal(&entries);
        links.swap(1, 2);
        let (a, b) = (links[1].seq, links[2].seq);
        links[1].seq = b;
        links[2].seq = a;
        assert_eq!(
            verify(&links, &entries).first_break,
            Some(ChainBreak::HashMismatch { seq: 2, audit_id: 3 })
        );
    }

    #[test]
    fn removed_link_is_found() {
        let entries: Vec<_> = (1..=5).map(entry).collect();
        let mut links = seal(&entries);
        links.remove(3);
        assert_eq!(
            verify(&links, &entries).first_break,
            Some(ChainBreak::SequenceGap { expected: 4, found: 5 })
        );
    }

    #[test]
    fn absent_and_empty_fields_hash_differently() {
        let mut a = entry(1);
        let mut b = entry(1);
        a.entity_id = None;
        b.entity_id = Some(String::new());
        assert_ne!(link_hash(&GENESIS_HASH, &a), link_hash(&GENESIS_HASH, &b));
    }
}
