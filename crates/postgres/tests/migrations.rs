//! Every migration has a working down script: up -> down -> up on a real database leaves the
//! same schema, compared as `pg_dump --schema-only` prints it.
#![expect(clippy::expect_used, reason = "test setup fails loudly")]

use axis_testkit::TestDb;
use diesel_async::RunQueryDsl;

async fn table_count(db: &TestDb) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = db.connect().await;
    let row: Count = diesel::sql_query(
        "SELECT count(*) AS n FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
    )
    .get_result(&mut conn)
    .await
    .expect("count tables");
    row.n
}

/// The schema as `pg_dump --schema-only` prints it, without the lines that differ per run
/// (`\restrict` keys) and the migration bookkeeping table.
fn schema_dump(db: &TestDb) -> String {
    let output = std::process::Command::new(axis_testkit::pg_tool("pg_dump"))
        .args([
            "--schema-only",
            "--no-owner",
            "--no-privileges",
            "--exclude-table=__diesel_schema_migrations",
        ])
        .arg(&db.url)
        .output()
        .expect("run pg_dump");
    assert!(output.status.success(), "pg_dump failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| !line.starts_with("\\restrict") && !line.starts_with("\\unrestrict"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread")]
async fn migrations_go_up_down_and_up_again() {
    let db = TestDb::empty().await;
    let applied = axis_postgres::run_migrations(&db.url).await.expect("up");
    assert_eq!(applied.len(), axis_testkit::migration_count());
    let schema = schema_dump(&db);
    assert!(schema.contains("CREATE TABLE public.clients"), "the dump shows the schema");
    let reverted = axis_postgres::revert_all_migrations(&db.url).await.expect("down");
    assert_eq!(reverted.len(), applied.len());
    assert_eq!(table_count(&db).await, 0, "down removes every table up created");
    axis_postgres::run_migrations(&db.url).await.expect("up again");
    let again = schema_dump(&db);
    if again != schema {
        let first_difference = schema.lines().zip(again.lines()).find(|(a, b)| a != b);
        panic!("up -> down -> up changed the schema; first difference: {first_difference:?}");
    }
}

/// The rules moved out of CHECK constraints (closed sets as domains, limits as varchar) still
/// refuse what the constraints refused, and accept what they accepted.
#[tokio::test(flavor = "multi_thread")]
async fn the_database_still_refuses_values_outside_the_rules() {
    use diesel_async::SimpleAsyncConnection;
    let db = TestDb::new().await;
    let mut conn = db.connect().await;
    let client = |status: &str, method: &str| {
        format!(
            "INSERT INTO clients (id, name, status, preferred_contact_method) \
             VALUES (gen_random_uuid(), 'A', '{status}', '{method}')"
        )
    };
    let audit = |action: &str, outcome: &str| {
        format!(
            "INSERT INTO audit_logs (occurred_at, action, outcome, entity_type) \
             VALUES (now(), '{action}', '{outcome}', 'client')"
        )
    };
    let refused = [
        client("bogus", "sms"),
        client("active", "fax"),
        audit("client.create", "maybe"),
        audit("", "success"),
        audit(&"a".repeat(101), "success"),
    ];
    for statement in &refused {
        assert!(conn.batch_execute(statement).await.is_err(), "accepted: {statement}");
    }
    for statement in [client("active", "sms"), audit(&"a".repeat(100), "failure")] {
        conn.batch_execute(&statement).await.unwrap_or_else(|e| panic!("refused: {statement}: {e}"));
    }
}
