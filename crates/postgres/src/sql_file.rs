//! Statements kept in `.sql` files, prepared once per connection like diesel's own queries.
//! `diesel::sql_query` marks its text unsafe to cache, so PostgreSQL plans it again on every
//! run (the eligibility facts spent more time planning than running); an [`SqlFile`] sends the
//! same text each time and lets the connection keep it prepared.

use std::marker::PhantomData;

use diesel::QueryResult;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{HasSqlType, Untyped};

/// A statement's text with its placeholders (`$1`, `$2`, …) and the values that fill them.
/// Rows are read by name (`QueryableByName`), as from `sql_query`.
pub struct SqlFile<B> {
    text: &'static str,
    binds: B,
}

impl SqlFile<()> {
    pub fn new(text: &'static str) -> Self {
        Self { text, binds: () }
    }
}

impl<B> SqlFile<B> {
    /// The next placeholder's value, of SQL type `ST`.
    pub fn bind<ST, T>(self, value: T) -> SqlFile<(B, Bound<ST, T>)> {
        SqlFile { text: self.text, binds: (self.binds, Bound { value, sql_type: PhantomData }) }
    }
}

/// One value for a placeholder.
pub struct Bound<ST, T> {
    value: T,
    sql_type: PhantomData<ST>,
}

/// The values of a statement's placeholders, by number (`$1` is 1).
pub trait Binds {
    const COUNT: usize;
    fn push<'b>(&'b self, number: usize, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()>;
}

impl Binds for () {
    const COUNT: usize = 0;
    fn push<'b>(&'b self, number: usize, _: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        Err(diesel::result::Error::QueryBuilderError(format!("placeholder ${number} has no value").into()))
    }
}

impl<B, ST, T> Binds for (B, Bound<ST, T>)
where
    B: Binds,
    Pg: HasSqlType<ST>,
    T: ToSql<ST, Pg>,
{
    const COUNT: usize = B::COUNT + 1;
    fn push<'b>(&'b self, number: usize, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        if number == Self::COUNT {
            out.push_bind_param::<ST, T>(&self.1.value)
        } else {
            self.0.push(number, out)
        }
    }
}

impl<B: Binds> QueryFragment<Pg> for SqlFile<B> {
    // The text goes out piece by piece, each placeholder replaced by its value's own
    // placeholder, so the statement's text (its cache key) is the same on every run.
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let mut rest = self.text;
        while let Some(at) = rest.find('$') {
            out.push_sql(&rest[..at]);
            let digits = rest[at + 1..].chars().take_while(char::is_ascii_digit).count();
            if digits == 0 {
                out.push_sql("$");
                rest = &rest[at + 1..];
                continue;
            }
            let number: usize = rest[at + 1..at + 1 + digits]
                .parse()
                .map_err(|_| diesel::result::Error::QueryBuilderError("placeholder out of range".into()))?;
            self.binds.push(number, &mut out)?;
            rest = &rest[at + 1 + digits..];
        }
        out.push_sql(rest);
        Ok(())
    }
}

impl<B> QueryId for SqlFile<B> {
    type QueryId = ();
    // Cached by its text, which never varies.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<B> Query for SqlFile<B> {
    type SqlType = Untyped;
}

#[cfg(test)]
mod tests {
    use diesel::debug_query;
    use diesel::sql_types::{Integer, Text};

    use super::*;

    #[test]
    fn placeholders_take_their_values_in_any_order_and_the_text_stays_prepared() {
        let query = SqlFile::new("SELECT $2 AS b, $1 AS a, '$' AS dollar")
            .bind::<Integer, _>(1)
            .bind::<Text, _>("two");
        let shown = debug_query::<Pg, _>(&query).to_string();
        assert!(shown.starts_with("SELECT $1 AS b, $2 AS a, '$' AS dollar"), "{shown}");
        assert!(shown.contains(r#"binds: ["two", 1]"#), "{shown}");
        assert!(query.is_safe_to_cache_prepared(&Pg).expect("walk"), "cached by its text");
        let sql_query = diesel::sql_query("SELECT $1").bind::<Integer, _>(1);
        assert!(!sql_query.is_safe_to_cache_prepared(&Pg).expect("walk"), "what it replaces is not");
    }
}
