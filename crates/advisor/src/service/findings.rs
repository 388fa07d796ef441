//! Each finding's lifecycle: status, owner, due date and notes, kept on the finding itself so
//! they carry over to the same finding in the next snapshot.

use axis_kernel::{
    Actor, AuditRecord, Audited, ClientAction, ClientId, DomainError, FieldErrors, Page, PageRequest, UserId,
};
use serde_json::{Value, json};
use time::Date;

use super::AdvisorService;
use crate::import::{Finding, FindingId, FindingStatus};
use crate::ports::FindingFilter;

/// What a PATCH of a finding changes (`None`: unchanged; `Some(None)`: cleared).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FindingChange {
    pub status: Option<FindingStatus>,
    pub owner_id: Option<Option<UserId>>,
    pub due_date: Option<Option<Date>>,
    pub notes: Option<Option<String>>,
    pub dismissed_reason: Option<Option<String>>,
}

impl AdvisorService {
    pub async fn finding(&self, actor: &Actor, id: FindingId) -> Result<Finding, DomainError> {
        self.load_finding(actor, id, ClientAction::Read).await
    }

    async fn load_finding(
        &self,
        actor: &Actor,
        id: FindingId,
        action: ClientAction,
    ) -> Result<Finding, DomainError> {
        let finding = self.findings.get(id).await?.ok_or(DomainError::NotFound)?;
        self.guard.require(actor, finding.client_id, action).await?;
        Ok(finding)
    }

    /// A client's findings; `overdue` keeps those past their due date today.
    pub async fn findings(
        &self,
        actor: &Actor,
        client: ClientId,
        mut filter: FindingFilter,
        overdue: bool,
        page: PageRequest,
    ) -> Result<Page<Finding>, DomainError> {
        self.guard.require(actor, client, ClientAction::Read).await?;
        filter.overdue_on = overdue.then(|| self.clock.today());
        let (findings, total) = self.findings.list(client, &filter, page).await?;
        Ok(Page::new(findings, total, page))
    }

    /// Changes a finding (analysts and up). `resolved` is axis's to set and to end (a resolved
    /// finding keeps its owner, due date and notes, which can still change); `dismissed` needs
    /// a reason, which goes when the finding is taken up again.
    pub async fn update_finding(
        &self,
        actor: &Actor,
        id: FindingId,
        change: FindingChange,
        if_match: Option<i32>,
    ) -> Result<Finding, DomainError> {
        axis_kernel::retry_unconditional(if_match, || async {
            let current = self.load_finding(actor, id, ClientAction::Edit).await?;
            axis_kernel::expect_version(if_match, current.version)?;
            let after = apply(&current, change.clone())?;
            let now = self.clock.now();
            let after = Finding { updated_at: now, version: current.version + 1, ..after };
            match AuditRecord::changed(actor, "update", &current, &after, now) {
                Some(audit) => {
                    self.findings.save(&after, &audit).await?;
                    // Read back: what the snapshots and the owner's record add (the e-mail).
                    Ok(self.findings.get(id).await?.unwrap_or(after))
                }
                None => Ok(current),
            }
        })
        .await
    }
}

/// `current` with `change` applied, by the finding's rules.
pub fn apply(current: &Finding, change: FindingChange) -> Result<Finding, DomainError> {
    let mut errors = FieldErrors::new();
    let status = change.status.unwrap_or(current.status);
    match (current.status, change.status) {
        (FindingStatus::Resolved, Some(status)) if status != FindingStatus::Resolved => errors.add(
            "status",
            "the newest export no longer has this finding: it is open again when an export has it",
        ),
        (current, Some(FindingStatus::Resolved)) if current != FindingStatus::Resolved => {
            errors.add("status", "resolved is set by axis when a newer export no longer has the finding")
        }
        _ => {}
    }
    let notes = match change.notes {
        Some(notes) => axis_kernel::input::text(&mut errors, "notes", notes, 5_000),
        None => current.notes.clone(),
    };
    let mut reason = match change.dismissed_reason {
        Some(reason) => axis_kernel::input::text(&mut errors, "dismissed_reason", reason, 2_000),
        None => current.dismissed_reason.clone(),
    };
    if status == FindingStatus::Dismissed && reason.is_none() {
        errors.add("dismissed_reason", "is required to dismiss a finding");
    }
    if status != FindingStatus::Dismissed {
        reason = None;
    }
    errors.into_result()?;
    Ok(Finding {
        status,
        owner_id: change.owner_id.unwrap_or(current.owner_id),
        owner_email: if change.owner_id.is_some() { None } else { current.owner_email.clone() },
        due_date: change.due_date.unwrap_or(current.due_date),
        notes,
        dismissed_reason: reason,
        resolved_at: if status == FindingStatus::Resolved { current.resolved_at } else { None },
        ..current.clone()
    })
}

impl Audited for Finding {
    const ENTITY_TYPE: &'static str = "advisor_finding";
    const ACTIONS: &'static str = "advisor_finding";

    fn audit_id(&self) -> String {
        self.id.to_string()
    }

    fn audit_view(&self) -> Value {
        json!({
            "status": self.status, "owner_id": self.owner_id, "due_date": self.due_date.map(|d| d.to_string()),
            "notes": self.notes, "dismissed_reason": self.dismissed_reason,
        })
    }

    fn audit_details(&self) -> Vec<(&'static str, Value)> {
        vec![("client_id", json!(self.client_id))]
    }
}
