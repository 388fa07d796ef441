//! Report templates (read by every role, kept by managers) and clients' logos (read within
//! scope, kept by managers), and the look a report renders with.

use axis_kernel::{
    Actor, AuditRecord, BlobKey, BlobRead, ClientAction, ClientId, DomainError, FieldErrors, Page,
    PageRequest,
};

use super::ReportService;
use crate::html::Brand;
use crate::logo::{ClientLogo, LOGO_FILES, Logo, MAX_LOGO_BYTES, StoredLogo};
use crate::model::{Report, ReportType};
use crate::ports::TemplateWrite;
use crate::template::{Branding, ReportTemplate, ReportTemplateId, TemplateFields, sha256_hex};

impl ReportService {
    /// The template (and its current revision) a new report of `report_type` renders with:
    /// the one asked for, which must be of that type, or the type's default, or none.
    pub(super) async fn template_for(
        &self,
        report_type: ReportType,
        requested: Option<ReportTemplateId>,
    ) -> Result<Option<(ReportTemplateId, i32)>, DomainError> {
        let template = match requested {
            Some(id) => {
                let template = self.branding.template(id).await?;
                let template =
                    template.ok_or_else(|| FieldErrors::single("template_id", "is not a report template"))?;
                if template.report_type != report_type {
                    let why = format!("is a template for {} reports", template.report_type);
                    return Err(FieldErrors::single("template_id", why).into());
                }
                Some(template)
            }
            None => self.branding.default_template(report_type).await?,
        };
        Ok(template.map(|t| (t.id, t.revision)))
    }

    /// The look `report` renders with: its template revision's branding (or the default
    /// look) with the firm's logo, and the client's logo.
    pub(super) async fn look(&self, report: &Report) -> Result<(Brand, Branding), DomainError> {
        let branding = match report.template {
            Some((id, revision)) => {
                self.branding.revision(id, revision).await?.ok_or(DomainError::NotFound)?
            }
            None => Branding::default(),
        };
        let firm_logo = match &branding.logo {
            Some(stored) => self.logo_file(stored).await?,
            None => None,
        };
        let client_logo = match self.branding.client_logo(report.client_id).await? {
            Some(client) => self.logo_file(&client.logo).await?,
            None => None,
        };
        let brand = Brand {
            accent: branding.accent_colour.clone(),
            heading: branding.heading_colour.clone(),
            firm_logo,
            client_logo,
        };
        Ok((brand, branding))
    }

    /// A stored logo's bytes; none when its file is gone (the report renders without it).
    async fn logo_file(&self, stored: &StoredLogo) -> Result<Option<Logo>, DomainError> {
        match self.files.read(&stored.key, None).await {
            Ok(read) => {
                Ok(Some(Logo { format: stored.format, bytes: read.into_bytes(MAX_LOGO_BYTES).await? }))
            }
            Err(DomainError::NotFound) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Checks, rewrites (see [`Logo::sanitise`]) and stores an uploaded logo.
    async fn store_logo(&self, bytes: &[u8]) -> Result<StoredLogo, DomainError> {
        let logo = Logo::sanitise(bytes)?;
        let key = BlobKey::generated(LOGO_FILES, self.clock.now());
        let stored = StoredLogo {
            key: key.clone(),
            format: logo.format,
            size: logo.bytes.len() as u64,
            sha256: sha256_hex(&logo.bytes),
        };
        let mut writer = self.files.create(&key).await?;
        if let Err(error) = writer.write(logo.bytes.into()).await {
            writer.abort().await;
            return Err(error);
        }
        writer.finish().await?;
        Ok(stored)
    }

    /// Templates, of one type or all (every role).
    pub async fn templates(
        &self,
        _actor: &Actor,
        report_type: Option<ReportType>,
        page: PageRequest,
    ) -> Result<Page<ReportTemplate>, DomainError> {
        let (templates, total) = self.branding.templates(report_type, page).await?;
        Ok(Page::new(templates, total, page))
    }

    /// A template (every role).
    pub async fn template(
        &self,
        _actor: &Actor,
        id: ReportTemplateId,
    ) -> Result<ReportTemplate, DomainError> {
        self.branding.template(id).await?.ok_or(DomainError::NotFound)
    }

    /// A new template (managers): revision 1; when it is the default, the type's previous
    /// default stops being it.
    pub async fn create_template(
        &self,
        actor: &Actor,
        report_type: ReportType,
        fields: TemplateFields,
    ) -> Result<ReportTemplate, DomainError> {
        ClientAction::Manage.require(actor)?;
        let draft = fields.parse(report_type)?;
        let now = self.clock.now();
        let template = ReportTemplate {
            id: ReportTemplateId::new(),
            report_type,
            name: draft.name.clone(),
            is_default: draft.is_default,
            revision: 1,
            branding: draft.branding(None),
            created_by: actor.user_id,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let mut audits = vec![AuditRecord::created(actor, &template, now)];
        let previous = self.previous_default(actor, &template).await?;
        audits.extend(previous.as_ref().map(|(_, audit)| audit.clone()));
        let write = TemplateWrite {
            template: template.clone(),
            by: actor.user_id,
            previous_default: previous.map(|(id, _)| id),
            audits,
        };
        self.branding.create_template(write).await?;
        Ok(template)
    }

    /// Replaces a template's name, default flag and branding (managers); a new revision when
    /// the branding changed, so reports already asked for keep the look they were asked with.
    pub async fn replace_template(
        &self,
        actor: &Actor,
        id: ReportTemplateId,
        fields: TemplateFields,
        if_match: Option<i32>,
    ) -> Result<ReportTemplate, DomainError> {
        ClientAction::Manage.require(actor)?;
        axis_kernel::retry_unconditional(if_match, || async {
            let current = self.template(actor, id).await?;
            axis_kernel::expect_version(if_match, current.version)?;
            let draft = fields.clone().parse(current.report_type)?;
            let branding = draft.branding(current.branding.logo.clone());
            let after =
                ReportTemplate { name: draft.name.clone(), is_default: draft.is_default, ..current.clone() };
            self.save_template(actor, &current, after, branding).await
        })
        .await
    }

    /// Gives a template a logo, replacing its last (managers): a new revision.
    pub async fn set_template_logo(
        &self,
        actor: &Actor,
        id: ReportTemplateId,
        bytes: &[u8],
        if_match: Option<i32>,
    ) -> Result<ReportTemplate, DomainError> {
        ClientAction::Manage.require(actor)?;
        let current = self.template(actor, id).await?;
        axis_kernel::expect_version(if_match, current.version)?;
        let stored = self.store_logo(bytes).await?;
        let saved = self.change_logo(actor, id, Some(stored.clone()), if_match).await;
        if saved.is_err() {
            let _ = self.files.delete(&stored.key).await;
        }
        saved
    }

    /// Takes a template's logo away (managers): a new revision; earlier revisions keep it.
    pub async fn remove_template_logo(
        &self,
        actor: &Actor,
        id: ReportTemplateId,
        if_match: Option<i32>,
    ) -> Result<ReportTemplate, DomainError> {
        ClientAction::Manage.require(actor)?;
        self.change_logo(actor, id, None, if_match).await
    }

    /// Sets (or, with none, removes) a template's logo on its current version; without
    /// `If-Match`, a version that moved meanwhile is read again.
    async fn change_logo(
        &self,
        actor: &Actor,
        id: ReportTemplateId,
        logo: Option<StoredLogo>,
        if_match: Option<i32>,
    ) -> Result<ReportTemplate, DomainError> {
        axis_kernel::retry_unconditional(if_match, || async {
            let current = self.template(actor, id).await?;
            axis_kernel::expect_version(if_match, current.version)?;
            if logo.is_none() && current.branding.logo.is_none() {
                return Err(DomainError::NotFound);
            }
            let branding = Branding { logo: logo.clone(), ..current.branding.clone() };
            self.save_template(actor, &current, current.clone(), branding).await
        })
        .await
    }

    /// A template's logo file (every role).
    pub async fn template_logo(
        &self,
        actor: &Actor,
        id: ReportTemplateId,
    ) -> Result<(StoredLogo, BlobRead), DomainError> {
        let template = self.template(actor, id).await?;
        let stored = template.branding.logo.ok_or(DomainError::NotFound)?;
        let read = self.files.read(&stored.key, None).await?;
        Ok((stored, read))
    }

    /// Writes `after` with `branding`: one more version, and one more revision when the
    /// branding differs from `current`'s.
    async fn save_template(
        &self,
        actor: &Actor,
        current: &ReportTemplate,
        after: ReportTemplate,
        branding: Branding,
    ) -> Result<ReportTemplate, DomainError> {
        let now = self.clock.now();
        let revised = branding != current.branding;
        let after = ReportTemplate {
            revision: if revised { current.revision + 1 } else { current.revision },
            branding,
            updated_at: now,
            version: current.version + 1,
            ..after
        };
        let mut audits = vec![AuditRecord::changed_or_action(actor, "update", current, &after, now)];
        let previous = self.previous_default(actor, &after).await?;
        audits.extend(previous.as_ref().map(|(_, audit)| audit.clone()));
        let write = TemplateWrite {
            template: after.clone(),
            by: actor.user_id,
            previous_default: previous.map(|(id, _)| id),
            audits,
        };
        self.branding.update_template(write, current.version).await?;
        Ok(after)
    }

    /// When `template` is its type's default, the template whose turn that ends and its audit
    /// record (none when it was the default already, or no template was).
    async fn previous_default(
        &self,
        actor: &Actor,
        template: &ReportTemplate,
    ) -> Result<Option<(ReportTemplateId, AuditRecord)>, DomainError> {
        if !template.is_default {
            return Ok(None);
        }
        let Some(previous) = self.branding.default_template(template.report_type).await? else {
            return Ok(None);
        };
        if previous.id == template.id {
            return Ok(None);
        }
        let after = ReportTemplate {
            is_default: false,
            updated_at: template.updated_at,
            version: previous.version + 1,
            ..previous.clone()
        };
        let audit = AuditRecord::changed_or_action(actor, "update", &previous, &after, template.updated_at);
        Ok(Some((previous.id, audit)))
    }

    /// A client's logo (every role, within scope).
    pub async fn client_logo(
        &self,
        actor: &Actor,
        client: ClientId,
    ) -> Result<(ClientLogo, BlobRead), DomainError> {
        self.guard.require(actor, client, ClientAction::Read).await?;
        let logo = self.branding.client_logo(client).await?.ok_or(DomainError::NotFound)?;
        let read = self.files.read(&logo.logo.key, None).await?;
        Ok((logo, read))
    }

    /// Sets a client's logo, replacing its last (managers, within scope); every report
    /// rendered from then on shows it.
    pub async fn set_client_logo(
        &self,
        actor: &Actor,
        client: ClientId,
        bytes: &[u8],
    ) -> Result<ClientLogo, DomainError> {
        self.guard.require(actor, client, ClientAction::Manage).await?;
        let previous = self.branding.client_logo(client).await?;
        let stored = self.store_logo(bytes).await?;
        let now = self.clock.now();
        let logo =
            ClientLogo { client_id: client, logo: stored, uploaded_by: actor.user_id, uploaded_at: now };
        let audit = match &previous {
            Some(previous) => AuditRecord::changed_or_action(actor, "update", previous, &logo, now),
            None => AuditRecord::created(actor, &logo, now),
        };
        if let Err(error) = self.branding.set_client_logo(&logo, &audit).await {
            let _ = self.files.delete(&logo.logo.key).await;
            return Err(error);
        }
        // The replaced file is named by nothing now: the hourly sweep removes it.
        Ok(logo)
    }

    /// Removes a client's logo (managers, within scope).
    pub async fn remove_client_logo(&self, actor: &Actor, client: ClientId) -> Result<(), DomainError> {
        self.guard.require(actor, client, ClientAction::Manage).await?;
        let logo = self.branding.client_logo(client).await?.ok_or(DomainError::NotFound)?;
        let audit = AuditRecord::deleted(actor, &logo, self.clock.now());
        if self.branding.remove_client_logo(client, &audit).await? {
            Ok(())
        } else {
            Err(DomainError::NotFound)
        }
    }
}
