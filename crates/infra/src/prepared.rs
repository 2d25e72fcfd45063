//! Hand-written SQL that Diesel prepares once per connection and reuses. `diesel::sql_query`
//! is never cached, so Postgres would parse and plan the big order statements on every call;
//! on a busy database that planning is a real share of the work.

use diesel::RunQueryDsl;
use diesel::pg::{Pg, PgConnection};
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::result::{Error, QueryResult};
use diesel::sql_types::Untyped;

/// A statement written out in full with `$n` placeholders, and the values for them.
pub trait Statement {
    const SQL: &'static str;

    /// Pushes the value of placeholder `$n` (placeholders may repeat; each use is pushed).
    fn bind<'b>(&'b self, n: u32, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()>;
}

/// The error a [`Statement::bind`] answers for a placeholder its SQL does not have (a typo).
pub fn no_parameter(statement: &str, n: u32) -> Error {
    Error::QueryBuilderError(format!("the {statement} statement has no parameter ${n}").into())
}

/// Runs a [`Statement`] with Diesel's prepared-statement cache (its SQL text never changes).
pub struct Prepared<S>(pub S);

impl<S: Statement> QueryFragment<Pg> for Prepared<S> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let mut rest = S::SQL;
        while let Some(at) = rest.find('$') {
            out.push_sql(&rest[..at]);
            let digits = rest[at + 1..].bytes().take_while(u8::is_ascii_digit).count();
            let n = rest[at + 1..at + 1 + digits]
                .parse()
                .map_err(|_| Error::QueryBuilderError(format!("bad placeholder in {}", S::SQL).into()))?;
            self.0.bind(n, &mut out)?;
            rest = &rest[at + 1 + digits..];
        }
        out.push_sql(rest);
        Ok(())
    }
}

impl<S> QueryId for Prepared<S> {
    type QueryId = ();
    // Not a static id: Diesel then keys its statement cache by the SQL text, which is constant.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<S> Query for Prepared<S> {
    type SqlType = Untyped;
}

impl<S> RunQueryDsl<PgConnection> for Prepared<S> {}
