//! Status histories (`<entity>_status_changes` tables: owner, status, effective day, time,
//! reason): every domain that keeps one reads and appends it the same way, through
//! `status_history!`.

/// Declares, in the invoking module, `histories(conn, owners)` (the histories of several
/// owners, each oldest first, in one query) and `record_change(conn, owner, change)` for the
/// table `$table` whose owner column is `$owner`, with statuses of type `$status`.
macro_rules! status_history {
    ($table:ident, $owner:ident, $status:ty) => {
        #[derive(diesel::Queryable, diesel::Selectable)]
        #[diesel(table_name = $crate::schema::$table)]
        struct ChangeRow {
            $owner: uuid::Uuid,
            status: String,
            effective_on: time::Date,
            at: time::OffsetDateTime,
            reason: Option<String>,
        }

        /// The status histories of `owners`, each oldest first, in one query.
        async fn histories(
            conn: &mut diesel_async::AsyncPgConnection,
            owners: &[uuid::Uuid],
        ) -> Result<
            std::collections::HashMap<uuid::Uuid, Vec<axis_kernel::StatusChange<$status>>>,
            axis_kernel::DomainError,
        > {
            use $crate::schema::$table;
            let rows: Vec<ChangeRow> = $table::table
                .filter($table::$owner.eq_any(owners))
                .order(($table::$owner, $table::effective_on, $table::at, $table::id))
                .select(ChangeRow::as_select())
                .load(conn)
                .await
                .map_err($crate::error::map_diesel)?;
            let mut histories = std::collections::HashMap::<uuid::Uuid, Vec<_>>::new();
            for row in rows {
                let status = row.status.parse::<$status>().map_err(|_| {
                    $crate::error::unexpected(format!("{}.status holds {:?}", stringify!($table), row.status))
                })?;
                let change = axis_kernel::StatusChange {
                    status,
                    effective_on: row.effective_on,
                    at: row.at,
                    reason: row.reason,
                };
                histories.entry(row.$owner).or_default().push(change);
            }
            Ok(histories)
        }

        /// Appends `change` to `owner`'s history.
        async fn record_change(
            conn: &mut diesel_async::AsyncPgConnection,
            owner: uuid::Uuid,
            change: &axis_kernel::StatusChange<$status>,
        ) -> diesel::QueryResult<()> {
            use $crate::schema::$table;
            diesel::insert_into($table::table)
                .values((
                    $table::$owner.eq(owner),
                    $table::status.eq(change.status.as_str()),
                    $table::effective_on.eq(change.effective_on),
                    $table::at.eq(change.at),
                    $table::reason.eq(change.reason.as_deref()),
                ))
                .execute(conn)
                .await
                .map(|_| ())
        }
    };
}
pub(crate) use status_history;
