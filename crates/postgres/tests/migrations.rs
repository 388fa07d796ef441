//! Every migration has a working down script: up -> down -> up on a real database.
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

#[tokio::test(flavor = "multi_thread")]
async fn migrations_go_up_down_and_up_again() {
    let db = TestDb::empty().await;
    let applied = axis_postgres::run_migrations(&db.url).await.expect("up");
    assert_eq!(applied.len(), axis_testkit::migration_count());
    let tables = table_count(&db).await;
    assert_eq!(tables, 18);
    let reverted = axis_postgres::revert_all_migrations(&db.url).await.expect("down");
    assert_eq!(reverted.len(), applied.len());
    assert_eq!(table_count(&db).await, 0, "down removes everything up created");
    axis_postgres::run_migrations(&db.url).await.expect("up again");
    assert_eq!(table_count(&db).await, tables);
}
