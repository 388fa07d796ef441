//! The Advisor tables' rows and their mapping to the domain's types.

use std::collections::BTreeMap;

use axis_advisor::catalogue::{CatalogueEntry, CatalogueEntryId};
use axis_advisor::{
    AdvisorImport, AdvisorImportId, Finding, FindingId, ImportCounts, ImportFile, Recommendation,
};
use axis_kernel::{BlobKey, ClientId, DomainError, UserId};
use axis_postgres::error::unexpected;
use axis_postgres::schema::{advisor_catalogue, advisor_imports, advisor_recommendations};
use bigdecimal::BigDecimal;
use diesel::prelude::*;
use serde_json::Value;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

pub(crate) fn parsed<T: std::str::FromStr>(table: &str, column: &str, value: &str) -> Result<T, DomainError> {
    value.parse().map_err(|_| unexpected(format!("{table}.{column} holds {value:?}")))
}

fn unsigned(value: i32) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

#[derive(Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = advisor_imports)]
pub(crate) struct ImportRow {
    pub id: Uuid,
    pub client_id: Uuid,
    pub status: String,
    pub format: Option<String>,
    pub file_key: String,
    pub file_name: String,
    pub file_kind: String,
    pub file_size: i64,
    pub file_sha256: String,
    pub category: Option<String>,
    pub advisor_score: Option<Value>,
    pub rows_read: i32,
    pub accepted: i32,
    pub duplicates: i32,
    pub rejected: i32,
    pub manual: i32,
    pub progress: i16,
    pub error: Option<String>,
    pub attempts: i32,
    pub created_by: Option<Uuid>,
    pub created_at: OffsetDateTime,
    pub started_at: Option<OffsetDateTime>,
    pub finished_at: Option<OffsetDateTime>,
    pub version: i32,
}

impl ImportRow {
    pub fn new(import: &AdvisorImport) -> Result<Self, DomainError> {
        let score = import
            .advisor_score
            .as_ref()
            .map(serde_json::to_value)
            .transpose()
            .map_err(|e| unexpected(e.to_string()))?;
        Ok(ImportRow {
            id: import.id.0,
            client_id: import.client_id.0,
            status: import.status.as_str().to_owned(),
            format: import.format.map(|f| f.as_str().to_owned()),
            file_key: import.file.key.as_str().to_owned(),
            file_name: import.file.name.clone(),
            file_kind: import.file.kind.as_str().to_owned(),
            file_size: i64::try_from(import.file.size).unwrap_or(i64::MAX),
            file_sha256: import.file.sha256.clone(),
            category: import.category.map(|c| c.as_str().to_owned()),
            advisor_score: score,
            rows_read: super::count(import.counts.rows),
            accepted: super::count(import.counts.accepted),
            duplicates: super::count(import.counts.duplicate),
            rejected: super::count(import.counts.rejected),
            manual: super::count(import.counts.manual),
            progress: import.progress,
            error: import.error.clone(),
            attempts: import.attempts,
            created_by: import.created_by.map(|u| u.0),
            created_at: import.created_at,
            started_at: import.started_at,
            finished_at: import.finished_at,
            version: import.version,
        })
    }
}

impl TryFrom<ImportRow> for AdvisorImport {
    type Error = DomainError;

    fn try_from(row: ImportRow) -> Result<Self, DomainError> {
        const T: &str = "advisor_imports";
        Ok(AdvisorImport {
            id: AdvisorImportId(row.id),
            client_id: ClientId(row.client_id),
            status: parsed(T, "status", &row.status)?,
            format: row.format.as_deref().map(|f| parsed(T, "format", f)).transpose()?,
            file: ImportFile {
                key: BlobKey::parse(&row.file_key)
                    .ok_or_else(|| unexpected(format!("{T}.file_key holds {:?}", row.file_key)))?,
                name: row.file_name,
                kind: parsed(T, "file_kind", &row.file_kind)?,
                size: u64::try_from(row.file_size).unwrap_or(0),
                sha256: row.file_sha256,
            },
            category: row.category.as_deref().map(|c| parsed(T, "category", c)).transpose()?,
            advisor_score: row
                .advisor_score
                .map(serde_json::from_value)
                .transpose()
                .map_err(|e| unexpected(format!("{T}.advisor_score: {e}")))?,
            counts: ImportCounts {
                rows: unsigned(row.rows_read),
                accepted: unsigned(row.accepted),
                duplicate: unsigned(row.duplicates),
                rejected: unsigned(row.rejected),
                manual: unsigned(row.manual),
            },
            progress: row.progress,
            error: row.error,
            attempts: row.attempts,
            created_by: row.created_by.map(UserId),
            created_at: row.created_at,
            started_at: row.started_at,
            finished_at: row.finished_at,
            version: row.version,
        })
    }
}

#[derive(Clone, Queryable, Selectable)]
#[diesel(table_name = advisor_recommendations)]
pub(crate) struct RecommendationRow {
    pub finding_id: Uuid,
    pub line: Option<i32>,
    pub category: String,
    pub impact: String,
    pub recommendation: String,
    pub subscription_id: Option<String>,
    pub subscription_name: Option<String>,
    pub resource_group: Option<String>,
    pub resource_name: Option<String>,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub updated_at: Option<OffsetDateTime>,
    pub potential_benefits: Option<String>,
    pub annual_savings: Option<BigDecimal>,
    pub currency: Option<String>,
    pub carbon_reduction: Option<String>,
    pub billing_increase: Option<String>,
    pub billing_known: bool,
    pub change_description: Option<String>,
    pub retirement_date: Option<Date>,
    pub retiring_feature: Option<String>,
    pub advisor_score_impact: Option<BigDecimal>,
    pub recommendation_type_id: Option<String>,
    pub external_id: Option<String>,
    pub alternative: Option<String>,
    pub term: Option<String>,
    pub lookback_days: Option<String>,
    pub extra: Value,
    pub manual: bool,
}

impl RecommendationRow {
    pub fn into_domain(self) -> Result<(FindingId, Recommendation), DomainError> {
        const T: &str = "advisor_recommendations";
        let extra: BTreeMap<String, String> =
            serde_json::from_value(self.extra).map_err(|e| unexpected(format!("{T}.extra: {e}")))?;
        let recommendation = Recommendation {
            line: self.line.and_then(|l| u64::try_from(l).ok()),
            category: parsed(T, "category", &self.category)?,
            impact: parsed(T, "impact", &self.impact)?,
            recommendation: self.recommendation,
            subscription_id: self.subscription_id,
            subscription_name: self.subscription_name,
            resource_group: self.resource_group,
            resource_name: self.resource_name,
            resource_type: self.resource_type,
            resource_id: self.resource_id,
            updated_at: self.updated_at,
            potential_benefits: self.potential_benefits,
            annual_savings: self.annual_savings,
            currency: self.currency,
            carbon_reduction: self.carbon_reduction,
            billing_increase: self
                .billing_increase
                .as_deref()
                .map(|b| parsed(T, "billing_increase", b))
                .transpose()?,
            billing_known: self.billing_known,
            change_description: self.change_description,
            retirement_date: self.retirement_date,
            retiring_feature: self.retiring_feature,
            advisor_score_impact: self.advisor_score_impact,
            recommendation_type_id: self.recommendation_type_id,
            external_id: self.external_id,
            alternative: self.alternative.as_deref().map(|a| parsed(T, "alternative", a)).transpose()?,
            term: self.term,
            lookback_days: self.lookback_days,
            extra,
            manual: self.manual,
        };
        Ok((FindingId(self.finding_id), recommendation))
    }
}

/// A finding as `sql/findings.sql` reads it, with the filtered list's total.
#[derive(Clone, QueryableByName)]
pub(crate) struct FindingRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub client_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub category: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub impact: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub recommendation: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub resource_name: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub resource_type: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub subscription_id: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Numeric>)]
    pub annual_savings: Option<BigDecimal>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub currency: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub status: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Uuid>)]
    pub owner_id: Option<Uuid>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub owner_email: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Date>)]
    pub due_date: Option<Date>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub notes: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub dismissed_reason: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub last_import_id: Uuid,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>)]
    pub resolved_at: Option<OffsetDateTime>,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    pub created_at: OffsetDateTime,
    #[diesel(sql_type = diesel::sql_types::Timestamptz)]
    pub updated_at: OffsetDateTime,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pub version: i32,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub total: i64,
}

impl TryFrom<FindingRow> for Finding {
    type Error = DomainError;

    fn try_from(row: FindingRow) -> Result<Self, DomainError> {
        const T: &str = "advisor_findings";
        Ok(Finding {
            id: FindingId(row.id),
            client_id: ClientId(row.client_id),
            category: parsed(T, "category", &row.category)?,
            impact: parsed(T, "impact", &row.impact)?,
            recommendation: row.recommendation,
            resource_name: row.resource_name,
            resource_type: row.resource_type,
            subscription_id: row.subscription_id,
            annual_savings: row.annual_savings,
            currency: row.currency,
            status: parsed(T, "status", &row.status)?,
            owner_id: row.owner_id.map(UserId),
            owner_email: row.owner_email,
            due_date: row.due_date,
            notes: row.notes,
            dismissed_reason: row.dismissed_reason,
            last_import_id: AdvisorImportId(row.last_import_id),
            resolved_at: row.resolved_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        })
    }
}

#[derive(Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = advisor_catalogue)]
pub(crate) struct CatalogueRow {
    pub id: Uuid,
    pub recommendation_type_id: Option<String>,
    pub recommendation: Option<String>,
    pub effort_hours: BigDecimal,
    pub monthly_investment: Option<BigDecimal>,
    pub currency: Option<String>,
    pub solution: Option<String>,
    pub risk_probability: i16,
    pub risk_impact: i16,
    pub billing_increase: bool,
    pub version: i32,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl From<CatalogueRow> for CatalogueEntry {
    fn from(row: CatalogueRow) -> Self {
        CatalogueEntry {
            id: CatalogueEntryId(row.id),
            recommendation_type_id: row.recommendation_type_id,
            recommendation: row.recommendation,
            effort_hours: row.effort_hours,
            monthly_investment: row.monthly_investment,
            currency: row.currency,
            solution: row.solution,
            risk_probability: row.risk_probability,
            risk_impact: row.risk_impact,
            billing_increase: row.billing_increase,
            version: row.version,
            updated_at: row.updated_at,
        }
    }
}

/// A batch of recommendations as one array per column, for `complete_batch.sql`: the text
/// borrowed from the recommendations, not copied.
#[derive(Default)]
pub(crate) struct RecommendationColumns<'a> {
    /// The finding each row is ([`finding_id`]).
    pub finding_id: Vec<Uuid>,
    pub line: Vec<Option<i32>>,
    pub category: Vec<&'static str>,
    pub impact: Vec<&'static str>,
    pub impact_rank: Vec<i16>,
    pub recommendation: Vec<&'a str>,
    pub subscription_id: Vec<Option<&'a str>>,
    pub subscription_name: Vec<Option<&'a str>>,
    pub resource_group: Vec<Option<&'a str>>,
    pub resource_name: Vec<Option<&'a str>>,
    pub resource_type: Vec<Option<&'a str>>,
    pub resource_id: Vec<Option<&'a str>>,
    pub updated_at: Vec<Option<OffsetDateTime>>,
    pub potential_benefits: Vec<Option<&'a str>>,
    pub annual_savings: Vec<Option<&'a BigDecimal>>,
    pub currency: Vec<Option<&'a str>>,
    pub carbon_reduction: Vec<Option<&'a str>>,
    pub billing_increase: Vec<Option<&'static str>>,
    pub billing_known: Vec<bool>,
    pub change_description: Vec<Option<&'a str>>,
    pub retirement_date: Vec<Option<Date>>,
    pub retiring_feature: Vec<Option<&'a str>>,
    pub advisor_score_impact: Vec<Option<&'a BigDecimal>>,
    pub recommendation_type_id: Vec<Option<&'a str>>,
    pub external_id: Vec<Option<&'a str>>,
    pub alternative: Vec<Option<&'static str>>,
    pub term: Vec<Option<&'a str>>,
    pub lookback_days: Vec<Option<&'a str>>,
    pub extra: Vec<Value>,
    pub manual: Vec<bool>,
}

impl<'a> RecommendationColumns<'a> {
    pub fn of(client: ClientId, batch: &'a [Recommendation]) -> Self {
        let mut c = Self::default();
        for r in batch {
            c.push(client, r);
        }
        c
    }

    fn push(&mut self, client: ClientId, r: &'a Recommendation) {
        self.finding_id.push(finding_id(client, &r.natural_key()));
        self.line.push(r.line.and_then(|l| i32::try_from(l).ok()));
        self.category.push(r.category.as_str());
        self.impact.push(r.impact.as_str());
        self.impact_rank.push(i16::from(r.impact.rank()));
        self.recommendation.push(&r.recommendation);
        self.subscription_id.push(r.subscription_id.as_deref());
        self.subscription_name.push(r.subscription_name.as_deref());
        self.resource_group.push(r.resource_group.as_deref());
        self.resource_name.push(r.resource_name.as_deref());
        self.resource_type.push(r.resource_type.as_deref());
        self.resource_id.push(r.resource_id.as_deref());
        self.updated_at.push(r.updated_at);
        self.potential_benefits.push(r.potential_benefits.as_deref());
        self.annual_savings.push(r.annual_savings.as_ref());
        self.currency.push(r.currency.as_deref());
        self.carbon_reduction.push(r.carbon_reduction.as_deref());
        self.billing_increase.push(r.billing_increase.map(|b| b.as_str()));
        self.billing_known.push(r.billing_known);
        self.change_description.push(r.change_description.as_deref());
        self.retirement_date.push(r.retirement_date);
        self.retiring_feature.push(r.retiring_feature.as_deref());
        self.advisor_score_impact.push(r.advisor_score_impact.as_ref());
        self.recommendation_type_id.push(r.recommendation_type_id.as_deref());
        self.external_id.push(r.external_id.as_deref());
        self.alternative.push(r.alternative.map(|a| a.as_str()));
        self.term.push(r.term.as_deref());
        self.lookback_days.push(r.lookback_days.as_deref());
        self.extra.push(if r.extra.is_empty() {
            Value::Object(Default::default())
        } else {
            serde_json::to_value(&r.extra).unwrap_or(Value::Object(Default::default()))
        });
        self.manual.push(r.manual);
    }
}

/// The id of the finding a recommendation of `client` with `natural_key` is: SHA-256 of both,
/// its first 16 bytes marked as a UUID of version 8 (made by its own rule). The same key of
/// the same client is the same finding in every snapshot, with no lookup and no row to write.
pub(crate) fn finding_id(client: ClientId, natural_key: &str) -> Uuid {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(client.0.as_bytes());
    hasher.update(natural_key.as_bytes());
    let digest = hasher.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_is_its_client_and_key() {
        let (one, two) = (ClientId(Uuid::from_u128(1)), ClientId(Uuid::from_u128(2)));
        let id = finding_id(one, "cost|resize|vm-1");
        assert_eq!(id, finding_id(one, "cost|resize|vm-1"), "the same in every snapshot");
        assert_ne!(id, finding_id(two, "cost|resize|vm-1"), "another client's is another finding");
        assert_ne!(id, finding_id(one, "cost|resize|vm-2"));
        assert_eq!(id.get_version_num(), 8);
    }
}
