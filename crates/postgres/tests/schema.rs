//! `schema.rs` says what the migrated database holds: the same tables (those with a primary
//! key, as `diesel print-schema` lists them), keys, columns in order, types, nullability and
//! length limits. Read from `information_schema`, so no extra tool is needed.
#![expect(clippy::expect_used, reason = "test helpers fail loudly")]

use std::collections::BTreeMap;

use axis_testkit::TestDb;
use diesel::sql_types::{Integer, Nullable, Text};
use diesel_async::RunQueryDsl;

/// A table as `diesel::table!` declares it: its key and `(column, type)` in order.
#[derive(Debug, Default, PartialEq)]
struct Table {
    key: Vec<String>,
    columns: Vec<(String, String)>,
}

/// The tables of `schema.rs`; a `#[max_length = n]` becomes part of the column's type.
fn declared() -> BTreeMap<String, Table> {
    let text = include_str!("../src/schema.rs");
    let mut tables = BTreeMap::new();
    for block in text.split("diesel::table! {").skip(1) {
        let mut lines = block.lines().map(str::trim).filter(|l| !l.is_empty());
        let header = lines.next().expect("table header");
        let (name, key) = header.trim_end_matches('{').trim().split_once(' ').expect("name (key)");
        let key = key.trim_matches(|c| c == '(' || c == ')').split(", ").map(str::to_owned).collect();
        let mut table = Table { key, columns: Vec::new() };
        let mut max_length = None;
        for line in lines {
            if line == "}" {
                break;
            }
            if let Some(length) = line.strip_prefix("#[max_length = ") {
                max_length = Some(length.trim_end_matches(']').to_owned());
                continue;
            }
            let (column, kind) = line.trim_end_matches(',').split_once(" -> ").expect("column -> type");
            let kind = match max_length.take() {
                Some(length) => kind.replace("Varchar", &format!("Varchar({length})")),
                None => kind.to_owned(),
            };
            table.columns.push((column.to_owned(), kind));
        }
        tables.insert(name.to_owned(), table);
    }
    tables
}

#[derive(diesel::QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Text)]
    udt_name: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
    #[diesel(sql_type = Nullable<Integer>)]
    max_length: Option<i32>,
}

#[derive(diesel::QueryableByName)]
struct KeyRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

/// The diesel type `print-schema` writes for a column (a domain counts as its base type).
fn diesel_type(row: &ColumnRow) -> String {
    let base = match row.data_type.as_str() {
        "uuid" => "Uuid".to_owned(),
        "text" => "Text".to_owned(),
        "character varying" => match row.max_length {
            Some(length) => format!("Varchar({length})"),
            None => "Varchar".to_owned(),
        },
        "smallint" => "Int2".to_owned(),
        "integer" => "Int4".to_owned(),
        "bigint" => "Int8".to_owned(),
        "boolean" => "Bool".to_owned(),
        "timestamp with time zone" => "Timestamptz".to_owned(),
        "date" => "Date".to_owned(),
        "numeric" => "Numeric".to_owned(),
        "jsonb" => "Jsonb".to_owned(),
        "bytea" => "Bytea".to_owned(),
        // Elements of a PostgreSQL array may be NULL, so print-schema writes them nullable.
        "ARRAY" => match row.udt_name.as_str() {
            "_text" => "Array<Nullable<Text>>".to_owned(),
            other => format!("<ARRAY {other}>"),
        },
        other => format!("<{other} {}>", row.udt_name),
    };
    if row.is_nullable == "YES" { format!("Nullable<{base}>") } else { base }
}

async fn migrated() -> BTreeMap<String, Table> {
    let db = TestDb::new().await;
    let mut conn = db.connect().await;
    let columns: Vec<ColumnRow> = diesel::sql_query(
        "SELECT c.table_name::text, c.column_name::text, c.data_type::text, c.udt_name::text, \
                c.is_nullable::text, c.character_maximum_length::int AS max_length \
         FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name) \
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' \
         ORDER BY c.table_name, c.ordinal_position",
    )
    .load(&mut conn)
    .await
    .expect("columns");
    let keys: Vec<KeyRow> = diesel::sql_query(
        "SELECT k.table_name::text, k.column_name::text \
         FROM information_schema.table_constraints tc \
         JOIN information_schema.key_column_usage k USING (constraint_schema, constraint_name, table_name) \
         WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = 'public' \
         ORDER BY k.table_name, k.ordinal_position",
    )
    .load(&mut conn)
    .await
    .expect("keys");
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    for key in keys {
        tables.entry(key.table_name).or_default().key.push(key.column_name);
    }
    for column in columns {
        let kind = diesel_type(&column);
        // print-schema leaves out tables without a primary key.
        if let Some(table) = tables.get_mut(&column.table_name) {
            table.columns.push((column.column_name, kind));
        }
    }
    tables.remove("__diesel_schema_migrations");
    tables
}

#[tokio::test(flavor = "multi_thread")]
async fn schema_rs_matches_the_migrated_database() {
    let declared = declared();
    let migrated = migrated().await;
    assert!(declared.len() >= 15, "parsed {} tables from schema.rs", declared.len());
    let mut differences = Vec::new();
    for name in declared.keys().chain(migrated.keys()).collect::<std::collections::BTreeSet<_>>() {
        match (declared.get(name), migrated.get(name)) {
            (Some(a), Some(b)) if a == b => {}
            (a, b) => differences.push(format!("{name}:\n  schema.rs: {a:?}\n  database:  {b:?}")),
        }
    }
    assert!(differences.is_empty(), "schema.rs and the database differ:\n{}", differences.join("\n"));
}

/// The identifiers the status-history statements splice in come from `HistoryTable` alone;
/// each must name a history table of the schema with its owner column and the columns every
/// statement reads.
#[test]
fn every_history_table_names_a_history_of_the_schema() {
    use axis_postgres::status_history::HistoryTable;
    let tables = declared();
    for history in HistoryTable::ALL {
        let table = tables.get(history.table()).unwrap_or_else(|| panic!("no table {}", history.table()));
        let columns: Vec<&str> = table.columns.iter().map(|(name, _)| name.as_str()).collect();
        for column in [history.owner_column(), "id", "status", "effective_on", "at", "reason", "applied"] {
            assert!(columns.contains(&column), "{} has no column {column}", history.table());
        }
    }
}
