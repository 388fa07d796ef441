use axis_kernel::{Actor, AuditRecord, FieldErrors, Page, PageRequest};

use super::ClientService;

/// How far below an industry to look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Below {
    Children,
    AnyDepth,
}

use crate::input::IndustryDraft;
use crate::policy::{self, Action};
use crate::ports::IndustryFilter;
use crate::{ClientError, Industry, IndustryId, IndustryNode, industry_forest};

impl ClientService {
    pub async fn list_industries(
        &self,
        actor: &Actor,
        filter: &IndustryFilter,
        page: PageRequest,
    ) -> Result<Page<Industry>, ClientError> {
        policy::require(actor, Action::Read)?;
        self.industries.list(filter, page).await
    }

    pub async fn industry_tree(&self, actor: &Actor) -> Result<Vec<IndustryNode>, ClientError> {
        policy::require(actor, Action::Read)?;
        Ok(industry_forest(self.industries.all().await?))
    }

    pub async fn get_industry(&self, actor: &Actor, id: IndustryId) -> Result<Industry, ClientError> {
        policy::require(actor, Action::Read)?;
        self.industries.get(id).await?.ok_or(ClientError::NotFound)
    }

    /// The industries below `id`: its children, or every descendant at any depth.
    pub async fn industries_below(
        &self,
        actor: &Actor,
        id: IndustryId,
        depth: Below,
    ) -> Result<Vec<Industry>, ClientError> {
        self.get_industry(actor, id).await?;
        match depth {
            Below::Children => self.industries.children(id).await,
            Below::AnyDepth => self.industries.descendants(id).await,
        }
    }

    /// The level a child of `parent` has; a missing parent is a field error.
    async fn level_under(&self, parent: Option<IndustryId>) -> Result<i32, ClientError> {
        match parent {
            None => Ok(0),
            Some(parent) => match self.industries.get(parent).await? {
                Some(parent) => Ok(parent.level + 1),
                None => Err(FieldErrors::single("parent_id", "is not an industry").into()),
            },
        }
    }

    pub async fn create_industry(
        &self,
        actor: &Actor,
        draft: IndustryDraft,
    ) -> Result<Industry, ClientError> {
        policy::require(actor, Action::Manage)?;
        let fields = draft.0;
        let level = self.level_under(fields.parent_id).await?;
        let now = self.clock.now();
        let industry = Industry {
            id: IndustryId::new(),
            name: fields.name,
            code: fields.code,
            description: fields.description,
            parent_id: fields.parent_id,
            external_id: fields.external_id,
            level,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        self.industries.create(&industry, AuditRecord::created(actor, &industry, now)).await?;
        Ok(industry)
    }

    /// Replaces the industry's fields. Moving it under a new parent re-levels its subtree; an
    /// industry can never sit below itself.
    pub async fn update_industry(
        &self,
        actor: &Actor,
        id: IndustryId,
        draft: IndustryDraft,
        if_match: Option<i32>,
    ) -> Result<Industry, ClientError> {
        policy::require(actor, Action::Manage)?;
        let current = self.industries.get(id).await?.ok_or(ClientError::NotFound)?;
        axis_kernel::expect_version(if_match, current.version)?;
        let fields = draft.0;
        if let Some(parent) = fields.parent_id {
            let below = self.industries.descendants(id).await?;
            if parent == id || below.iter().any(|i| i.id == parent) {
                return Err(FieldErrors::single(
                    "parent_id",
                    "cannot be the industry itself or one below it",
                )
                .into());
            }
        }
        let level = self.level_under(fields.parent_id).await?;
        let mut next = current.clone();
        next.name = fields.name;
        next.code = fields.code;
        next.description = fields.description;
        next.parent_id = fields.parent_id;
        next.external_id = fields.external_id;
        next.level = level;
        let now = self.clock.now();
        let Some(audit) = AuditRecord::changed(actor, "update", &current, &next, now) else {
            return Ok(current);
        };
        next.updated_at = now;
        self.industries.update(&next, current.version, level - current.level, audit).await
    }

    /// Soft-deletes an industry that nothing uses.
    pub async fn delete_industry(&self, actor: &Actor, id: IndustryId) -> Result<(), ClientError> {
        policy::require(actor, Action::Manage)?;
        let industry = self.industries.get(id).await?.ok_or(ClientError::NotFound)?;
        let (children, clients) = self.industries.usage(id).await?;
        if children > 0 || clients > 0 {
            return Err(ClientError::conflict(format!(
                "the industry is in use by {children} sub-industries and {clients} clients"
            )));
        }
        let now = self.clock.now();
        self.industries.delete(id, now, AuditRecord::deleted(actor, &industry, now)).await
    }
}
