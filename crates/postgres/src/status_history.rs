//! Status histories (`<entity>_status_changes` tables: owner, status, effective day, time,
//! reason): every domain that keeps one reads and appends it the same way, through
//! `status_history!`.

/// Declares, in the invoking module, for the table `$table` whose owner column is `$owner`, with
/// statuses of type `$status`: `histories(conn, owners)` (the histories of several owners, each
/// in the order recorded, in one query) and `record_change(conn, owner, change)`.
#[macro_export]
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
            applied: bool,
        }

        fn parse_status(text: &str) -> Result<$status, axis_kernel::DomainError> {
            text.parse::<$status>().map_err(|_| {
                $crate::error::unexpected(format!("{}.status holds {:?}", stringify!($table), text))
            })
        }

        /// The status histories of `owners`, each in the order its changes were recorded (the
        /// order in which the latest instruction wins), in one query.
        async fn histories(
            conn: &mut diesel_async::AsyncPgConnection,
            owners: &[uuid::Uuid],
        ) -> Result<
            std::collections::HashMap<uuid::Uuid, Vec<axis_kernel::StatusChange<$status>>>,
            axis_kernel::DomainError,
        > {
            use $crate::schema::$table;
            // One owner is asked with `=`: a prepared `= ANY` is planned again on every run.
            let of_owners = match owners {
                [one] => $table::table.filter($table::$owner.eq(*one)).into_boxed(),
                many => $table::table.filter($table::$owner.eq_any(many)).into_boxed(),
            };
            let rows: Vec<ChangeRow> = of_owners
                .order(($table::$owner, $table::at, $table::id))
                .select(ChangeRow::as_select())
                .load(conn)
                .await
                .map_err($crate::error::map_diesel)?;
            let mut histories = std::collections::HashMap::<uuid::Uuid, Vec<_>>::new();
            for row in rows {
                let change = axis_kernel::StatusChange {
                    status: parse_status(&row.status)?,
                    effective_on: row.effective_on,
                    at: row.at,
                    reason: row.reason,
                    pending: !row.applied,
                };
                histories.entry(row.$owner).or_default().push(change);
            }
            Ok(histories)
        }

        /// Appends `change` to `owner`'s history. The latest instruction wins: a change still
        /// waiting for its day is withdrawn by any change recorded after it.
        async fn record_change(
            conn: &mut diesel_async::AsyncPgConnection,
            owner: uuid::Uuid,
            change: &axis_kernel::StatusChange<$status>,
        ) -> diesel::QueryResult<()> {
            use $crate::schema::$table;
            diesel::delete($table::table.filter($table::$owner.eq(owner)).filter($table::applied.eq(false)))
                .execute(conn)
                .await?;
            diesel::insert_into($table::table)
                .values((
                    $table::$owner.eq(owner),
                    $table::status.eq(change.status.as_str()),
                    $table::effective_on.eq(change.effective_on),
                    $table::at.eq(change.at),
                    $table::reason.eq(change.reason.as_deref()),
                    $table::applied.eq(!change.pending),
                ))
                .execute(conn)
                .await
                .map(|_| ())
        }
    };
}

/// For a history declared with `status_history!` whose changes can be dated ahead: declares
/// `waiting()` (the owner's change waiting for its day, as the two columns of the owner's table
/// that keep it), `scheduled_of(columns)`, `due(conn, today,
/// limit)` (changes whose day has come and that have not taken effect) and
/// `mark_applied(conn, id)`.
#[macro_export]
macro_rules! scheduled_changes {
    ($table:ident, $owner:ident, $status:ty, $owner_table:ident) => {
        /// The owner's change waiting for its day — its status and its day — as the owner's
        /// table keeps it (migration 000020: a trigger on the history copies its waiting change,
        /// at most one, onto the owner's row, so reads take it with the row).
        #[diesel::dsl::auto_type]
        fn waiting() -> _ {
            ($crate::schema::$owner_table::scheduled_status, $crate::schema::$owner_table::scheduled_on)
        }

        /// The scheduled change from the columns [`waiting`] selects.
        fn scheduled_of(
            (status, on): (Option<String>, Option<time::Date>),
        ) -> Result<Option<axis_kernel::Scheduled<$status>>, axis_kernel::DomainError> {
            match (status, on) {
                (Some(status), Some(on)) => {
                    Ok(Some(axis_kernel::Scheduled { status: parse_status(&status)?, on }))
                }
                _ => Ok(None),
            }
        }

        /// Up to `limit` changes whose day (`today` or before) has come and that have not taken
        /// effect: (change id, owner, change), oldest day first.
        async fn due(
            conn: &mut diesel_async::AsyncPgConnection,
            today: time::Date,
            limit: i64,
        ) -> Result<Vec<(i64, uuid::Uuid, axis_kernel::StatusChange<$status>)>, axis_kernel::DomainError> {
            use $crate::schema::$table;
            let rows: Vec<(i64, ChangeRow)> = $table::table
                .filter($table::applied.eq(false))
                .filter($table::effective_on.le(today))
                .order(($table::effective_on, $table::id))
                .limit(limit)
                .select(($table::id, ChangeRow::as_select()))
                .load(conn)
                .await
                .map_err($crate::error::map_diesel)?;
            rows.into_iter()
                .map(|(id, row)| {
                    let change = axis_kernel::StatusChange {
                        status: parse_status(&row.status)?,
                        effective_on: row.effective_on,
                        at: row.at,
                        reason: row.reason,
                        pending: true,
                    };
                    Ok((id, row.$owner, change))
                })
                .collect()
        }

        /// Marks change `id` as taken effect; false when it was withdrawn or applied meanwhile.
        async fn mark_applied(
            conn: &mut diesel_async::AsyncPgConnection,
            id: i64,
        ) -> diesel::QueryResult<bool> {
            use $crate::schema::$table;
            let marked =
                diesel::update($table::table.filter($table::id.eq(id)).filter($table::applied.eq(false)))
                    .set($table::applied.eq(true))
                    .execute(conn)
                    .await?;
            Ok(marked == 1)
        }
    };
}

/// The change a record has waiting after a save: the one the save records, when it is dated
/// ahead; none when the save records one that takes effect (recording withdraws what waited);
/// else what waited before.
pub fn still_waiting<S: Copy>(
    recorded: Option<&axis_kernel::StatusChange<S>>,
    before: Option<axis_kernel::Scheduled<S>>,
) -> Option<axis_kernel::Scheduled<S>> {
    match recorded {
        Some(change) if change.pending => {
            Some(axis_kernel::Scheduled { status: change.status, on: change.effective_on })
        }
        Some(_) => None,
        None => before,
    }
}
