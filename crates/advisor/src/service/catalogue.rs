//! The effort and investment catalogue: read by everyone who reads analyses, kept by managers.

use axis_kernel::{Actor, AuditRecord, Audited, ClientAction, DomainError, Page, PageRequest};
use serde_json::{Value, json};

use super::AdvisorService;
use crate::analysis::money;
use crate::catalogue::{CatalogueEntry, CatalogueEntryId, CatalogueFields};

impl AdvisorService {
    pub async fn catalogue_entries(
        &self,
        _actor: &Actor,
        search: Option<String>,
        page: PageRequest,
    ) -> Result<Page<CatalogueEntry>, DomainError> {
        let (entries, total) = self.catalogue.list(search, page).await?;
        Ok(Page::new(entries, total, page))
    }

    pub async fn catalogue_entry(
        &self,
        _actor: &Actor,
        id: CatalogueEntryId,
    ) -> Result<CatalogueEntry, DomainError> {
        self.catalogue.get(id).await?.ok_or(DomainError::NotFound)
    }

    /// A new entry (managers); its key (type id or text) must be new.
    pub async fn create_catalogue_entry(
        &self,
        actor: &Actor,
        fields: CatalogueFields,
    ) -> Result<CatalogueEntry, DomainError> {
        ClientAction::Manage.require(actor)?;
        let draft = fields.parse()?;
        let id = CatalogueEntryId::new();
        let now = self.clock.now();
        let entry = CatalogueEntry {
            id,
            recommendation_type_id: draft.recommendation_type_id.clone(),
            recommendation: draft.recommendation.clone(),
            effort_hours: draft.effort_hours.clone(),
            monthly_investment: draft.monthly_investment.clone(),
            currency: draft.currency.clone(),
            solution: draft.solution.clone(),
            risk_probability: draft.risk_probability,
            risk_impact: draft.risk_impact,
            billing_increase: draft.billing_increase,
            version: 1,
            updated_at: now,
        };
        let audit = AuditRecord::created(actor, &entry, now);
        self.catalogue.create(id, &draft, now, &audit).await
    }

    /// Replaces an entry (managers).
    pub async fn update_catalogue_entry(
        &self,
        actor: &Actor,
        id: CatalogueEntryId,
        fields: CatalogueFields,
        if_match: Option<i32>,
    ) -> Result<CatalogueEntry, DomainError> {
        ClientAction::Manage.require(actor)?;
        let draft = fields.parse()?;
        axis_kernel::retry_unconditional(if_match, || async {
            let current = self.catalogue.get(id).await?.ok_or(DomainError::NotFound)?;
            axis_kernel::expect_version(if_match, current.version)?;
            let now = self.clock.now();
            let after = CatalogueEntry {
                recommendation_type_id: draft.recommendation_type_id.clone(),
                recommendation: draft.recommendation.clone(),
                effort_hours: draft.effort_hours.clone(),
                monthly_investment: draft.monthly_investment.clone(),
                currency: draft.currency.clone(),
                solution: draft.solution.clone(),
                risk_probability: draft.risk_probability,
                risk_impact: draft.risk_impact,
                billing_increase: draft.billing_increase,
                version: current.version + 1,
                updated_at: now,
                ..current.clone()
            };
            let audit = AuditRecord::changed_or_action(actor, "update", &current, &after, now);
            self.catalogue.update(id, current.version, &draft, now, &audit).await
        })
        .await
    }

    pub async fn delete_catalogue_entry(
        &self,
        actor: &Actor,
        id: CatalogueEntryId,
    ) -> Result<(), DomainError> {
        ClientAction::Manage.require(actor)?;
        let current = self.catalogue.get(id).await?.ok_or(DomainError::NotFound)?;
        let audit = AuditRecord::deleted(actor, &current, self.clock.now());
        self.catalogue.delete(id, &audit).await
    }
}

impl Audited for CatalogueEntry {
    const ENTITY_TYPE: &'static str = "advisor_catalogue_entry";
    const ACTIONS: &'static str = "advisor_catalogue";

    fn audit_id(&self) -> String {
        self.id.to_string()
    }

    fn audit_view(&self) -> Value {
        json!({
            "recommendation_type_id": self.recommendation_type_id, "recommendation": self.recommendation,
            "effort_hours": money(&self.effort_hours),
            "monthly_investment": self.monthly_investment.as_ref().map(money), "currency": self.currency,
            "solution": self.solution, "risk_probability": self.risk_probability,
            "risk_impact": self.risk_impact, "billing_increase": self.billing_increase,
        })
    }
}
