//! The client counters: exact totals and a list version that moves with every write a list
//! total depends on, at a cost linear in the rows written (see the linear_counts migration).
#![expect(clippy::panic, reason = "test helpers fail loudly")]

use axis_testkit::TestDb;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};

#[derive(diesel::QueryableByName)]
struct Number {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn number(conn: &mut AsyncPgConnection, sql: &str) -> i64 {
    diesel::sql_query(sql).get_result::<Number>(conn).await.unwrap_or_else(|e| panic!("{sql}: {e}")).n
}

async fn total(conn: &mut AsyncPgConnection, status: Option<&str>) -> i64 {
    let argument = status.map_or("NULL".to_owned(), |s| format!("'{s}'"));
    number(conn, &format!("SELECT client_live_total({argument}) AS n")).await
}

async fn version(conn: &mut AsyncPgConnection) -> i64 {
    number(conn, "SELECT list_version() AS n").await
}

async fn roll_up(conn: &mut AsyncPgConnection) -> i64 {
    number(conn, "SELECT client_counts_roll_up() AS n").await
}

async fn counted(conn: &mut AsyncPgConnection, status: &str) -> i64 {
    number(
        conn,
        &format!("SELECT count(*) AS n FROM clients WHERE deleted_at IS NULL AND status = '{status}'"),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn totals_stay_exact_through_bulk_writes_and_roll_ups() {
    let db = TestDb::new().await;
    let mut conn = db.connect().await;
    conn.batch_execute(
        "BEGIN;
         INSERT INTO clients (id, name, status)
             SELECT gen_random_uuid(), 'Bulk ' || i, CASE WHEN i % 4 = 0 THEN 'pending' ELSE 'active' END
             FROM generate_series(1, 2000) AS i;
         INSERT INTO clients (id, name, status) VALUES (gen_random_uuid(), 'One more', 'active');
         COMMIT;",
    )
    .await
    .expect("seed");
    assert_eq!(total(&mut conn, None).await, 2001);
    assert_eq!(total(&mut conn, Some("pending")).await, 500);
    // One delta per status and statement, however many rows each statement wrote.
    assert_eq!(number(&mut conn, "SELECT count(*) AS n FROM client_count_deltas").await, 3);

    let before = version(&mut conn).await;
    assert_eq!(roll_up(&mut conn).await, 3);
    assert_eq!(version(&mut conn).await, before, "folding moves no version");
    assert_eq!(total(&mut conn, None).await, 2001);

    // Status moves, soft deletes, restores and hard deletes, several per statement.
    conn.batch_execute(
        "UPDATE clients SET status = 'inactive' WHERE name LIKE 'Bulk 1%';
         UPDATE clients SET deleted_at = now() WHERE name LIKE 'Bulk 2%' AND status = 'active';
         UPDATE clients SET deleted_at = NULL WHERE name = 'Bulk 21';
         DELETE FROM clients WHERE name LIKE 'Bulk 3%';
         UPDATE clients SET notes = 'touched' WHERE name = 'One more';",
    )
    .await
    .expect("changes");
    for status in ["pending", "active", "inactive"] {
        assert_eq!(total(&mut conn, Some(status)).await, counted(&mut conn, status).await, "{status}");
    }
    roll_up(&mut conn).await;
    for status in ["pending", "active", "inactive"] {
        assert_eq!(total(&mut conn, Some(status)).await, counted(&mut conn, status).await, "{status}");
    }
    assert_eq!(number(&mut conn, "SELECT count(*) AS n FROM client_count_deltas").await, 0);
}

/// Every table a list's filters and scope read (the client and contract lists) moves the list version, so a remembered
/// total is never reused after a write that could change it.
#[tokio::test(flavor = "multi_thread")]
async fn every_table_a_list_filter_reads_moves_the_list_version() {
    let db = TestDb::new().await;
    let mut conn = db.connect().await;
    conn.batch_execute(
        "INSERT INTO users (id, email, first_name, last_name, status, role, authz_ver, version, created_at, updated_at)
             VALUES ('01900000-0000-7000-8000-0000000000aa', 'a@example.com', 'A', 'B', 'active', 'analyst', 1, 1, now(), now());
         INSERT INTO tags (id, name, slug, color) VALUES ('01900000-0000-7000-8000-0000000000bb', 'Key', 'key', '#6B7280');",
    )
    .await
    .expect("fixtures");
    let client = "'01900000-0000-7000-8000-0000000000cc'";
    let writes = [
        ("clients (insert)", format!("INSERT INTO clients (id, name) VALUES ({client}, 'Acme')")),
        ("clients (update)", format!("UPDATE clients SET name = 'Acme Ltd' WHERE id = {client}")),
        (
            "client_tags",
            format!(
                "INSERT INTO client_tags (client_id, tag_id) VALUES ({client}, '01900000-0000-7000-8000-0000000000bb')"
            ),
        ),
        ("tags (slug)", "UPDATE tags SET slug = 'key-account'".to_owned()),
        (
            "client_grants",
            format!(
                "INSERT INTO client_grants (user_id, client_id) VALUES ('01900000-0000-7000-8000-0000000000aa', {client})"
            ),
        ),
        (
            "contracts (insert)",
            format!(
                "INSERT INTO contracts (id, client_id, number, title, start_date, end_date, status, billing_amount,
                     currency, billing_frequency, billing_model, payment_status, renewable, auto_renew,
                     renewal_notice_days, version, created_at, updated_at)
                 VALUES ('01900000-0000-7000-8000-0000000000dd', {client}, 'C-1', 'Care', '2026-01-01',
                     '2026-12-31', 'draft', 100, 'USD', 'monthly', 'fixed', 'pending', true, false, 30, 1, now(), now())"
            ),
        ),
        ("contracts (update)", "UPDATE contracts SET title = 'Care plus'".to_owned()),
        ("contracts (delete)", "DELETE FROM contracts".to_owned()),
        ("client_tags (delete)", "DELETE FROM client_tags".to_owned()),
        ("clients (delete)", format!("DELETE FROM clients WHERE id = {client}")),
    ];
    for (table, statement) in writes {
        let before = version(&mut conn).await;
        conn.batch_execute(&statement).await.unwrap_or_else(|e| panic!("{table}: {e}"));
        assert!(version(&mut conn).await > before, "a write to {table} did not move the list version");
    }
}
