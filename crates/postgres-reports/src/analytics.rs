//! The Advisor dashboard on PostgreSQL: `sql/analytics.sql`, over the live clients of the
//! actor's scope (the shared visible-clients rule, read first).

use async_trait::async_trait;
use axis_kernel::{ClientScope, DomainError};
use axis_postgres::error::{map_diesel, unexpected};
use axis_postgres::rules::live_clients_in;
use axis_postgres::sql_file::SqlFile;
use axis_reports::analytics::{AdvisorAnalytics, AnalyticsQuery};
use axis_reports::ports::AnalyticsStore;
use diesel::QueryableByName;
use diesel::sql_types::{Array, Date as SqlDate, Jsonb, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde_json::Value;
use time::Date;
use uuid::Uuid;

use crate::PgReports;

const ANALYTICS: &str = include_str!("sql/analytics.sql");

#[derive(QueryableByName)]
struct AnalyticsRow {
    #[diesel(sql_type = Jsonb)]
    analytics: Value,
}

#[async_trait]
impl AnalyticsStore for PgReports {
    async fn advisor_analytics(
        &self,
        scope: ClientScope,
        query: AnalyticsQuery,
        today: Date,
    ) -> Result<AdvisorAnalytics, DomainError> {
        let mut conn = self.db.conn().await?;
        let mut clients: Vec<Uuid> = live_clients_in(scope).load(&mut *conn).await.map_err(map_diesel)?;
        if let Some(client) = query.client {
            clients.retain(|id| *id == client.0);
        }
        let row: AnalyticsRow = SqlFile::new(ANALYTICS)
            .bind::<Array<SqlUuid>, _>(clients)
            .bind::<SqlDate, _>(query.from)
            .bind::<SqlDate, _>(query.to)
            .bind::<SqlDate, _>(today)
            .get_result(&mut *conn)
            .await
            .map_err(map_diesel)?;
        serde_json::from_value(row.analytics).map_err(|e| unexpected(format!("the analytics statement: {e}")))
    }
}
