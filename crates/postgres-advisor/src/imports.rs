//! Imports: their rows, the snapshot a completed read stores in one transaction, and the reads
//! over a snapshot.

use async_trait::async_trait;
use axis_advisor::diff::SnapshotItem;
use axis_advisor::{
    AdvisorImport, AdvisorImportId, AdvisorImportStatus, AdvisorImports, AdvisorScore, Analysis, Completion,
    ImportResult, ProblemKind, Recommendation, RecommendationFilter, RowProblem, StoredRecommendation,
};
use axis_kernel::{AuditRecord, ClientId, DomainError, PageRequest};
use axis_postgres::audited::{audited, audited_if};
use axis_postgres::error::{TxError, map_diesel, unexpected};
use axis_postgres::like_pattern;
use axis_postgres::schema::{
    advisor_findings, advisor_import_problems, advisor_imports, advisor_recommendations,
};
use axis_postgres::sql_file::SqlFile;
use bigdecimal::BigDecimal;
use diesel::dsl::{count_star, sql};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{
    Array, Bool, Date as SqlDate, Int2, Int4, Jsonb, Nullable, Numeric, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::rows::{ImportRow, RecommendationColumns, RecommendationRow, parsed};
use crate::{PgAdvisor, count, offset};

/// Rows a statement stores at once: 31 arrays of this many values each.
const BATCH_ROWS: usize = 10_000;

const COMPLETE_BATCH: &str = include_str!("sql/complete_batch.sql");
const PROBLEMS: &str = include_str!("sql/problems.sql");
const RESOLVE: &str = include_str!("sql/resolve.sql");

fn json<T: serde::Serialize>(value: &T) -> Result<Value, DomainError> {
    serde_json::to_value(value).map_err(|e| unexpected(e.to_string()))
}

/// Stores `recommendations` of `import`, in batches: each row names its finding by the id
/// derived from the client and its natural key (no finding row is written). The batches go
/// out pipelined on the one connection: PostgreSQL inserts one while the next is encoded and
/// sent.
async fn store_recommendations(
    conn: &mut AsyncPgConnection,
    import: &AdvisorImport,
    recommendations: &[Recommendation],
) -> Result<(), TxError> {
    let batches: Vec<RecommendationColumns<'_>> = recommendations
        .chunks(BATCH_ROWS)
        .map(|batch| RecommendationColumns::of(import.client_id, batch))
        .collect();
    let conn: &AsyncPgConnection = conn;
    let inserts = batches.iter().map(|c| {
        let mut shared = conn;
        async move { insert_batch(import.id, c).execute(&mut shared).await }
    });
    futures_util::future::try_join_all(inserts).await?;
    Ok(())
}

/// One batch as `sql/complete_batch.sql`, its columns as arrays.
fn insert_batch<'a>(
    import: AdvisorImportId,
    c: &'a RecommendationColumns<'a>,
) -> impl diesel_async::methods::ExecuteDsl<&'a AsyncPgConnection> + 'a {
    type Texts = Array<Nullable<Text>>;
    SqlFile::new(COMPLETE_BATCH)
        .bind::<SqlUuid, _>(import.0)
        .bind::<Array<SqlUuid>, _>(&c.finding_id)
        .bind::<Array<Nullable<Int4>>, _>(&c.line)
        .bind::<Array<Text>, _>(&c.category)
        .bind::<Array<Text>, _>(&c.impact)
        .bind::<Array<Int2>, _>(&c.impact_rank)
        .bind::<Array<Text>, _>(&c.recommendation)
        .bind::<Texts, _>(&c.subscription_id)
        .bind::<Texts, _>(&c.subscription_name)
        .bind::<Texts, _>(&c.resource_group)
        .bind::<Texts, _>(&c.resource_name)
        .bind::<Texts, _>(&c.resource_type)
        .bind::<Texts, _>(&c.resource_id)
        .bind::<Array<Nullable<Timestamptz>>, _>(&c.updated_at)
        .bind::<Texts, _>(&c.potential_benefits)
        .bind::<Array<Nullable<Numeric>>, _>(&c.annual_savings)
        .bind::<Texts, _>(&c.currency)
        .bind::<Texts, _>(&c.carbon_reduction)
        .bind::<Texts, _>(&c.billing_increase)
        .bind::<Array<Bool>, _>(&c.billing_known)
        .bind::<Texts, _>(&c.change_description)
        .bind::<Array<Nullable<SqlDate>>, _>(&c.retirement_date)
        .bind::<Texts, _>(&c.retiring_feature)
        .bind::<Array<Nullable<Numeric>>, _>(&c.advisor_score_impact)
        .bind::<Texts, _>(&c.recommendation_type_id)
        .bind::<Texts, _>(&c.external_id)
        .bind::<Texts, _>(&c.alternative)
        .bind::<Texts, _>(&c.term)
        .bind::<Texts, _>(&c.lookback_days)
        .bind::<Array<Jsonb>, _>(&c.extra)
        .bind::<Array<Bool>, _>(&c.manual)
}

async fn store_problems(
    conn: &mut AsyncPgConnection,
    id: AdvisorImportId,
    problems: &[RowProblem],
) -> Result<(), TxError> {
    for batch in problems.chunks(BATCH_ROWS) {
        let mut seq_of_line = std::collections::HashMap::<u64, i32>::new();
        let (mut lines, mut seqs, mut kinds, mut columns, mut messages) =
            (vec![], vec![], vec![], vec![], vec![]);
        for problem in batch {
            let seq = seq_of_line.entry(problem.line).or_insert(0);
            *seq += 1;
            lines.push(i32::try_from(problem.line).unwrap_or(i32::MAX));
            seqs.push(*seq);
            kinds.push(problem.kind.as_str());
            columns.push(problem.column.clone());
            messages.push(problem.message.clone());
        }
        SqlFile::new(PROBLEMS)
            .bind::<SqlUuid, _>(id.0)
            .bind::<Array<Int4>, _>(&lines)
            .bind::<Array<Int4>, _>(&seqs)
            .bind::<Array<Text>, _>(&kinds)
            .bind::<Array<Nullable<Text>>, _>(&columns)
            .bind::<Array<Text>, _>(&messages)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Whether `import` is (or, once completed, will be) the client's newest completed snapshot.
async fn is_newest(conn: &mut AsyncPgConnection, import: &AdvisorImport) -> Result<bool, TxError> {
    let later: i64 =
        advisor_imports::table
            .filter(advisor_imports::client_id.eq(import.client_id.0))
            .filter(advisor_imports::status.eq(AdvisorImportStatus::Completed.as_str()))
            .filter(advisor_imports::id.ne(import.id.0))
            .filter(advisor_imports::created_at.gt(import.created_at).or(
                advisor_imports::created_at.eq(import.created_at).and(advisor_imports::id.gt(import.id.0)),
            ))
            .select(count_star())
            .get_result(conn)
            .await?;
    Ok(later == 0)
}

/// A recommendation with its finding's state, if someone gave it one.
type WithState =
    diesel::helper_types::LeftJoinQuerySource<advisor_recommendations::table, advisor_findings::table>;

/// The status of the finding each row is, as `sql/findings.sql` reads it: `resolved` when the
/// client's newest snapshot (`newest`) lacks it, else its state's (`open` without one).
fn finding_status(
    import: AdvisorImportId,
    newest: Option<Uuid>,
) -> Box<dyn BoxableExpression<WithState, Pg, SqlType = Text>> {
    const STATE: &str = "coalesce(nullif(advisor_findings.status, 'resolved'), 'open')";
    match newest {
        Some(newest) if newest != import.0 => Box::new(
            sql::<Text>(
                "CASE WHEN EXISTS (SELECT 1 FROM advisor_recommendations newest \
                 WHERE newest.finding_id = advisor_recommendations.finding_id AND newest.import_id = ",
            )
            .bind::<SqlUuid, _>(newest)
            .sql(&format!(") THEN {STATE} ELSE 'resolved' END")),
        ),
        _ => Box::new(sql::<Text>(STATE)),
    }
}

/// The newest completed snapshot of the client `import` belongs to.
async fn newest_of_client(
    conn: &mut AsyncPgConnection,
    import: AdvisorImportId,
) -> Result<Option<Uuid>, DomainError> {
    use advisor_imports as i;
    let client: Option<Uuid> =
        i::table.find(import.0).select(i::client_id).first(conn).await.optional().map_err(map_diesel)?;
    let Some(client) = client else { return Ok(None) };
    i::table
        .filter(i::client_id.eq(client))
        .filter(i::status.eq(AdvisorImportStatus::Completed.as_str()))
        .order((i::created_at.desc(), i::id.desc()))
        .select(i::id)
        .first(conn)
        .await
        .optional()
        .map_err(map_diesel)
}

/// Recommendations of an import, with their findings' states, by the list's filters.
fn filtered(
    id: AdvisorImportId,
    newest: Option<Uuid>,
    filter: &RecommendationFilter,
) -> diesel::helper_types::IntoBoxed<
    'static,
    diesel::helper_types::LeftJoin<advisor_recommendations::table, advisor_findings::table>,
    Pg,
> {
    use advisor_recommendations as r;
    let mut rows = r::table.left_join(advisor_findings::table).filter(r::import_id.eq(id.0)).into_boxed();
    if let Some(category) = filter.category {
        rows = rows.filter(r::category.eq(category.as_str()));
    }
    if let Some(impact) = filter.impact {
        rows = rows.filter(r::impact.eq(impact.as_str()));
    }
    if let Some(subscription) = &filter.subscription {
        rows = rows.filter(
            sql::<Bool>("(lower(advisor_recommendations.subscription_id) = lower(")
                .bind::<Text, _>(subscription.clone())
                .sql(") OR lower(advisor_recommendations.subscription_name) = lower(")
                .bind::<Text, _>(subscription.clone())
                .sql("))"),
        );
    }
    if let Some(group) = &filter.resource_group {
        rows = rows.filter(
            sql::<Bool>("lower(advisor_recommendations.resource_group) = lower(")
                .bind::<Text, _>(group.clone())
                .sql(")"),
        );
    }
    if let Some(kind) = &filter.resource_type {
        rows = rows.filter(
            sql::<Bool>("lower(advisor_recommendations.resource_type) = lower(")
                .bind::<Text, _>(kind.clone())
                .sql(")"),
        );
    }
    match filter.has_savings {
        Some(true) => rows = rows.filter(r::annual_savings.is_not_null()),
        Some(false) => rows = rows.filter(r::annual_savings.is_null()),
        None => {}
    }
    if let Some(status) = filter.status {
        rows = rows.filter(finding_status(id, newest).eq(status.as_str()));
    }
    if let Some(search) = &filter.search {
        let pattern = like_pattern(search);
        rows = rows.filter(
            sql::<Bool>("(advisor_recommendations.recommendation ILIKE ")
                .bind::<Text, _>(pattern.clone())
                .sql(" OR advisor_recommendations.resource_name ILIKE ")
                .bind::<Text, _>(pattern.clone())
                .sql(" OR advisor_recommendations.resource_group ILIKE ")
                .bind::<Text, _>(pattern)
                .sql(")"),
        );
    }
    rows
}

#[async_trait]
impl AdvisorImports for PgAdvisor {
    async fn create(&self, import: &AdvisorImport, audit: &AuditRecord) -> Result<(), DomainError> {
        let row = ImportRow::new(import)?;
        audited(&self.db, audit, async move |conn| {
            diesel::insert_into(advisor_imports::table).values(&row).execute(conn).await?;
            Ok(())
        })
        .await
    }

    async fn get(&self, id: AdvisorImportId) -> Result<Option<AdvisorImport>, DomainError> {
        let mut conn = self.db.conn().await?;
        let row: Option<ImportRow> = advisor_imports::table
            .find(id.0)
            .select(ImportRow::as_select())
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        row.map(AdvisorImport::try_from).transpose()
    }

    async fn list(
        &self,
        client: ClientId,
        page: PageRequest,
    ) -> Result<(Vec<AdvisorImport>, u64), DomainError> {
        let mut conn = self.db.conn().await?;
        let of_client = advisor_imports::table.filter(advisor_imports::client_id.eq(client.0));
        let total: i64 = of_client.select(count_star()).get_result(&mut *conn).await.map_err(map_diesel)?;
        let rows: Vec<ImportRow> = of_client
            .order((advisor_imports::created_at.desc(), advisor_imports::id.desc()))
            .select(ImportRow::as_select())
            .limit(i64::from(page.limit()))
            .offset(offset(page))
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        let imports = rows.into_iter().map(AdvisorImport::try_from).collect::<Result<_, _>>()?;
        Ok((imports, total.unsigned_abs()))
    }

    async fn transition(
        &self,
        id: AdvisorImportId,
        from: &[AdvisorImportStatus],
        to: AdvisorImportStatus,
        at: OffsetDateTime,
        audit: &AuditRecord,
    ) -> Result<bool, DomainError> {
        let from: Vec<&'static str> = from.iter().map(|s| s.as_str()).collect();
        audited_if(&self.db, audit, async move |conn| {
            use advisor_imports as i;
            let starting = to == AdvisorImportStatus::Processing;
            let ending = matches!(to, AdvisorImportStatus::Cancelled | AdvisorImportStatus::Failed);
            let changed = diesel::update(i::table.filter(i::id.eq(id.0)).filter(i::status.eq_any(&from)))
                .set((
                    i::status.eq(to.as_str()),
                    i::attempts.eq(i::attempts + i32::from(starting)),
                    i::progress.eq(if starting { 5 } else { 0 }),
                    i::analysis.eq(None::<Value>),
                    i::started_at.eq(if starting { Some(at) } else { None }),
                    i::finished_at.eq(if ending { Some(at) } else { None }),
                    i::version.eq(i::version + 1),
                ))
                .execute(conn)
                .await?;
            if changed > 0 && to == AdvisorImportStatus::Uploaded {
                diesel::update(i::table.filter(i::id.eq(id.0)))
                    .set(i::error.eq(None::<String>))
                    .execute(conn)
                    .await?;
            }
            Ok(changed > 0)
        })
        .await
    }

    async fn set_progress(&self, id: AdvisorImportId, percent: i16) -> Result<(), DomainError> {
        let mut conn = self.db.conn().await?;
        diesel::update(
            advisor_imports::table
                .filter(advisor_imports::id.eq(id.0))
                .filter(advisor_imports::status.eq(AdvisorImportStatus::Processing.as_str())),
        )
        .set(advisor_imports::progress.eq(percent.clamp(0, 100)))
        .execute(&mut *conn)
        .await
        .map_err(map_diesel)?;
        Ok(())
    }

    async fn complete(
        &self,
        import: &AdvisorImport,
        result: &ImportResult,
        at: OffsetDateTime,
        audit: &AuditRecord,
    ) -> Result<Completion, DomainError> {
        let analysis = json(&result.analysis)?;
        let score = result.advisor_score.as_ref().map(json).transpose()?;
        let done = audited_if(&self.db, audit, async move |conn| {
            use advisor_imports as i;
            // One completion at a time per client: which snapshot is newest must not change
            // under this one.
            diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))")
                .bind::<Text, _>(format!("advisor:{}", import.client_id))
                .execute(conn)
                .await?;
            let status: Option<String> =
                i::table.find(import.id.0).select(i::status).for_update().first(conn).await.optional()?;
            if status.as_deref() != Some(AdvisorImportStatus::Processing.as_str()) {
                return Ok(false);
            }
            diesel::delete(
                advisor_recommendations::table.filter(advisor_recommendations::import_id.eq(import.id.0)),
            )
            .execute(conn)
            .await?;
            diesel::delete(
                advisor_import_problems::table.filter(advisor_import_problems::import_id.eq(import.id.0)),
            )
            .execute(conn)
            .await?;
            store_recommendations(conn, import, &result.recommendations).await?;
            store_problems(conn, import.id, &result.problems).await?;
            if is_newest(conn, import).await? {
                SqlFile::new(RESOLVE)
                    .bind::<SqlUuid, _>(import.client_id.0)
                    .bind::<SqlUuid, _>(import.id.0)
                    .bind::<Timestamptz, _>(at)
                    .execute(conn)
                    .await?;
            }
            let counts = result.counts;
            diesel::update(i::table.find(import.id.0))
                .set((
                    i::status.eq(AdvisorImportStatus::Completed.as_str()),
                    i::format.eq(result.format.as_str()),
                    i::rows_read.eq(count(counts.rows)),
                    i::accepted.eq(count(counts.accepted)),
                    i::duplicates.eq(count(counts.duplicate)),
                    i::rejected.eq(count(counts.rejected)),
                    i::manual.eq(0),
                    i::progress.eq(100i16),
                    i::error.eq(None::<String>),
                    i::analysis.eq(Some(&analysis)),
                    i::advisor_score.eq(score.as_ref()),
                    i::finished_at.eq(Some(at)),
                    i::version.eq(i::version + 1),
                ))
                .execute(conn)
                .await?;
            Ok(true)
        })
        .await?;
        Ok(if done { Completion::Completed } else { Completion::NotProcessing })
    }

    async fn fail(
        &self,
        id: AdvisorImportId,
        error: &str,
        at: OffsetDateTime,
        audit: &AuditRecord,
    ) -> Result<(), DomainError> {
        let error: String = error.chars().take(2000).collect();
        audited_if(&self.db, audit, async move |conn| {
            use advisor_imports as i;
            let changed = diesel::update(
                i::table
                    .filter(i::id.eq(id.0))
                    .filter(i::status.eq(AdvisorImportStatus::Processing.as_str())),
            )
            .set((
                i::status.eq(AdvisorImportStatus::Failed.as_str()),
                i::error.eq(Some(&error)),
                i::progress.eq(100i16),
                i::finished_at.eq(Some(at)),
                i::version.eq(i::version + 1),
            ))
            .execute(conn)
            .await?;
            Ok(changed > 0)
        })
        .await?;
        Ok(())
    }

    async fn set_score(
        &self,
        id: AdvisorImportId,
        expected: i32,
        score: Option<AdvisorScore>,
        analysis: Option<Analysis>,
        audit: &AuditRecord,
    ) -> Result<bool, DomainError> {
        let score = score.as_ref().map(json).transpose()?;
        let analysis = analysis.as_ref().map(json).transpose()?;
        audited_if(&self.db, audit, async move |conn| {
            use advisor_imports as i;
            let target = i::table.filter(i::id.eq(id.0)).filter(i::version.eq(expected));
            let changed = match &analysis {
                // Only a completed import has an analysis to replace.
                Some(analysis) => {
                    diesel::update(target.filter(i::status.eq(AdvisorImportStatus::Completed.as_str())))
                        .set((
                            i::advisor_score.eq(score.as_ref()),
                            i::analysis.eq(Some(analysis)),
                            i::version.eq(i::version + 1),
                        ))
                        .execute(conn)
                        .await?
                }
                None => {
                    diesel::update(target.filter(i::status.ne(AdvisorImportStatus::Completed.as_str())))
                        .set((i::advisor_score.eq(score.as_ref()), i::version.eq(i::version + 1)))
                        .execute(conn)
                        .await?
                }
            };
            Ok(changed > 0)
        })
        .await
    }

    async fn add_manual(
        &self,
        import: &AdvisorImport,
        recommendations: &[Recommendation],
        analysis: &Analysis,
        audit: &AuditRecord,
    ) -> Result<(), DomainError> {
        let analysis = json(analysis)?;
        let added = i32::try_from(recommendations.len()).unwrap_or(i32::MAX);
        audited(&self.db, audit, async move |conn| {
            use advisor_imports as i;
            diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))")
                .bind::<Text, _>(format!("advisor:{}", import.client_id))
                .execute(conn)
                .await?;
            let status: Option<String> =
                i::table.find(import.id.0).select(i::status).for_update().first(conn).await.optional()?;
            if status.as_deref() != Some(AdvisorImportStatus::Completed.as_str()) {
                return Err(DomainError::conflict("the import is no longer completed: read it again").into());
            }
            store_recommendations(conn, import, recommendations).await?;
            diesel::update(i::table.find(import.id.0))
                .set((
                    i::manual.eq(i::manual + added),
                    i::analysis.eq(Some(&analysis)),
                    i::version.eq(i::version + 1),
                ))
                .execute(conn)
                .await?;
            Ok(())
        })
        .await
    }

    async fn analysis(&self, id: AdvisorImportId) -> Result<Option<Analysis>, DomainError> {
        let mut conn = self.db.conn().await?;
        let stored: Option<Option<Value>> = advisor_imports::table
            .find(id.0)
            .select(advisor_imports::analysis)
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        stored
            .flatten()
            .map(|value| {
                serde_json::from_value(value)
                    .map_err(|e| unexpected(format!("advisor_imports.analysis: {e}")))
            })
            .transpose()
    }

    async fn recommendations(
        &self,
        id: AdvisorImportId,
        filter: &RecommendationFilter,
        page: Option<PageRequest>,
    ) -> Result<(Vec<StoredRecommendation>, u64), DomainError> {
        use advisor_recommendations as r;
        let mut conn = self.db.conn().await?;
        let newest = newest_of_client(&mut conn, id).await?;
        let mut rows = filtered(id, newest, filter)
            .order((r::impact_rank.desc(), r::annual_savings.desc().nulls_last(), r::id.asc()))
            .select((RecommendationRow::as_select(), finding_status(id, newest)));
        let total = match page {
            Some(page) => {
                rows = rows.limit(i64::from(page.limit())).offset(offset(page));
                let total: i64 = filtered(id, newest, filter)
                    .select(count_star())
                    .get_result(&mut *conn)
                    .await
                    .map_err(map_diesel)?;
                total.unsigned_abs()
            }
            None => 0,
        };
        let rows: Vec<(RecommendationRow, String)> = rows.load(&mut *conn).await.map_err(map_diesel)?;
        let total = if page.is_none() { rows.len() as u64 } else { total };
        let stored = rows
            .into_iter()
            .map(|(row, status)| {
                let (finding_id, recommendation) = row.into_domain()?;
                Ok(StoredRecommendation {
                    finding_id,
                    finding_status: parsed("advisor_findings", "status", &status)?,
                    recommendation,
                })
            })
            .collect::<Result<Vec<_>, DomainError>>()?;
        Ok((stored, total))
    }

    async fn all_recommendations(&self, id: AdvisorImportId) -> Result<Vec<Recommendation>, DomainError> {
        use advisor_recommendations as r;
        let mut conn = self.db.conn().await?;
        let rows: Vec<RecommendationRow> = r::table
            .filter(r::import_id.eq(id.0))
            .order(r::id)
            .select(RecommendationRow::as_select())
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        rows.into_iter().map(|row| row.into_domain().map(|(_, r)| r)).collect()
    }

    async fn problems(
        &self,
        id: AdvisorImportId,
        page: PageRequest,
    ) -> Result<(Vec<RowProblem>, u64), DomainError> {
        use advisor_import_problems as p;
        let mut conn = self.db.conn().await?;
        let total: i64 = p::table
            .filter(p::import_id.eq(id.0))
            .select(count_star())
            .get_result(&mut *conn)
            .await
            .map_err(map_diesel)?;
        let rows: Vec<(i32, String, Option<String>, String)> = p::table
            .filter(p::import_id.eq(id.0))
            .order((p::line, p::seq))
            .select((p::line, p::kind, p::column_name, p::message))
            .limit(i64::from(page.limit()))
            .offset(offset(page))
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        let problems = rows
            .into_iter()
            .map(|(line, kind, column, message)| {
                Ok(RowProblem {
                    line: u64::try_from(line).unwrap_or(0),
                    kind: parsed::<ProblemKind>("advisor_import_problems", "kind", &kind)?,
                    column,
                    message,
                })
            })
            .collect::<Result<Vec<_>, DomainError>>()?;
        Ok((problems, total.unsigned_abs()))
    }

    async fn snapshot(&self, id: AdvisorImportId) -> Result<Vec<SnapshotItem>, DomainError> {
        use advisor_recommendations as r;
        let mut conn = self.db.conn().await?;
        type Row = (
            Uuid,
            String,
            String,
            String,
            Option<String>,
            Option<BigDecimal>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row> = r::table
            .filter(r::import_id.eq(id.0))
            .order(r::id)
            .select((
                r::finding_id,
                r::recommendation,
                r::category,
                r::impact,
                r::resource_name,
                r::annual_savings,
                r::currency,
                r::alternative,
            ))
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        const T: &str = "advisor_recommendations";
        rows.into_iter()
            .map(
                |(
                    finding,
                    recommendation,
                    category,
                    impact,
                    resource_name,
                    savings,
                    currency,
                    alternative,
                )| {
                    Ok(SnapshotItem {
                        key: finding.to_string(),
                        finding_id: Some(finding),
                        recommendation,
                        category: parsed(T, "category", &category)?,
                        impact: parsed(T, "impact", &impact)?,
                        resource_name,
                        annual_savings: savings,
                        currency,
                        alternative: alternative.is_some(),
                    })
                },
            )
            .collect()
    }

    async fn previous(&self, import: &AdvisorImport) -> Result<Option<AdvisorImport>, DomainError> {
        use advisor_imports as i;
        let mut conn = self.db.conn().await?;
        let row: Option<ImportRow> = i::table
            .filter(i::client_id.eq(import.client_id.0))
            .filter(i::status.eq(AdvisorImportStatus::Completed.as_str()))
            .filter(
                i::created_at
                    .lt(import.created_at)
                    .or(i::created_at.eq(import.created_at).and(i::id.lt(import.id.0))),
            )
            .order((i::created_at.desc(), i::id.desc()))
            .select(ImportRow::as_select())
            .first(&mut *conn)
            .await
            .optional()
            .map_err(map_diesel)?;
        row.map(AdvisorImport::try_from).transpose()
    }

    async fn unrecorded(
        &self,
        keys: &[axis_kernel::BlobKey],
    ) -> Result<Vec<axis_kernel::BlobKey>, DomainError> {
        let wanted: Vec<&str> = keys.iter().map(|key| key.as_str()).collect();
        let mut conn = self.db.conn().await?;
        let recorded: Vec<String> = advisor_imports::table
            .filter(advisor_imports::file_key.eq_any(&wanted))
            .select(advisor_imports::file_key)
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        Ok(keys.iter().filter(|key| !recorded.iter().any(|r| r == key.as_str())).cloned().collect())
    }

    async fn history(&self, client: ClientId) -> Result<Vec<(AdvisorImport, Analysis)>, DomainError> {
        use advisor_imports as i;
        let mut conn = self.db.conn().await?;
        let rows: Vec<(ImportRow, Option<Value>)> = i::table
            .filter(i::client_id.eq(client.0))
            .filter(i::status.eq(AdvisorImportStatus::Completed.as_str()))
            .order((i::created_at.asc(), i::id.asc()))
            .select((ImportRow::as_select(), i::analysis))
            .load(&mut *conn)
            .await
            .map_err(map_diesel)?;
        rows.into_iter()
            .map(|(row, analysis)| {
                let analysis = analysis
                    .ok_or_else(|| unexpected("a completed import without its analysis".to_owned()))?;
                let analysis = serde_json::from_value(analysis)
                    .map_err(|e| unexpected(format!("advisor_imports.analysis: {e}")))?;
                Ok((AdvisorImport::try_from(row)?, analysis))
            })
            .collect()
    }
}
