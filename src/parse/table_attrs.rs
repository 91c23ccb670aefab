//! `ALTER TABLE` settings sqlparser does not read, read from their tokens:
//! a column's `SET STORAGE` and `SET COMPRESSION`, `CLUSTER ON`,
//! `SET WITHOUT CLUSTER`, `REPLICA IDENTITY` and PostgreSQL 18's `ADD
//! CONSTRAINT n NOT NULL c`, each alone in its statement
//! (as pg_dump writes them).

use sqlparser::ast::Ident;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::names::read_name;
use super::split::{is_keyword, RawStatement};
use super::stmt::{Stmt, TableAttr};
use crate::canon::ident::fold;
use crate::model::ReplicaIdentity;

/// The statement as a `Stmt::TableAttr`, or `None` when it is not one of
/// these forms (it is then read as any other `ALTER TABLE`).
pub(super) fn table_attr(raw: &RawStatement) -> Option<Stmt> {
    let toks: Vec<&TokenWithSpan> = raw.significant().collect();
    if !(toks.first().is_some_and(|t| is_keyword(t, Keyword::ALTER))
        && toks.get(1).is_some_and(|t| is_keyword(t, Keyword::TABLE)))
    {
        return None;
    }
    let mut at = 2;
    if toks.get(at).is_some_and(|t| is_keyword(t, Keyword::IF)) {
        at += 2;
    }
    if toks.get(at).is_some_and(|t| is_keyword(t, Keyword::ONLY)) {
        at += 1;
    }
    let (relation, at) = read_name(&toks, at)?;
    let rest = &toks[at..];
    let attr = column_attr(rest).or_else(|| relation_attr(rest)).or_else(|| not_null(rest))?;
    Some(Stmt::TableAttr { relation, attr })
}

/// Whether the statement is one of these forms (revision replay hands them to the schema parser).
pub fn is_table_attr(raw: &RawStatement) -> bool {
    table_attr(raw).is_some()
}

/// `ALTER [COLUMN] c SET STORAGE s | SET COMPRESSION m`.
fn column_attr(rest: &[&TokenWithSpan]) -> Option<TableAttr> {
    let mut at = 0;
    if !rest.first().is_some_and(|t| is_keyword(t, Keyword::ALTER)) {
        return None;
    }
    at += 1;
    if rest.get(at).is_some_and(|t| is_keyword(t, Keyword::COLUMN)) {
        at += 1;
    }
    let column = ident(rest.get(at)?)?;
    let tail = words(&rest[at + 1..])?;
    match tail.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["SET", "STORAGE", "DEFAULT"] => Some(TableAttr::Storage { column, value: None }),
        ["SET", "STORAGE", s @ ("PLAIN" | "EXTERNAL" | "EXTENDED" | "MAIN")] => {
            Some(TableAttr::Storage { column, value: Some(s.to_lowercase()) })
        }
        ["SET", "COMPRESSION", "DEFAULT"] => Some(TableAttr::Compression { column, value: None }),
        ["SET", "COMPRESSION", _] => {
            let method = rest.last().and_then(|t| ident(t))?;
            Some(TableAttr::Compression { column, value: Some(method) })
        }
        _ => None,
    }
}

/// `CLUSTER ON i`, `SET WITHOUT CLUSTER`, `REPLICA IDENTITY {DEFAULT | FULL | NOTHING | USING INDEX i}`.
fn relation_attr(rest: &[&TokenWithSpan]) -> Option<TableAttr> {
    let tail = words(rest)?;
    let index = || rest.last().and_then(|t| ident(t));
    match tail.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["CLUSTER", "ON", _] => Some(TableAttr::ClusterOn(Some(index()?))),
        ["SET", "WITHOUT", "CLUSTER"] => Some(TableAttr::ClusterOn(None)),
        ["REPLICA", "IDENTITY", "DEFAULT"] => Some(TableAttr::ReplicaIdentity(None)),
        ["REPLICA", "IDENTITY", "FULL"] => Some(TableAttr::ReplicaIdentity(Some(ReplicaIdentity::Full))),
        ["REPLICA", "IDENTITY", "NOTHING"] => Some(TableAttr::ReplicaIdentity(Some(ReplicaIdentity::Nothing))),
        ["REPLICA", "IDENTITY", "USING", "INDEX", _] => {
            Some(TableAttr::ReplicaIdentity(Some(ReplicaIdentity::Index(index()?))))
        }
        _ => None,
    }
}

/// `ADD [CONSTRAINT n] NOT NULL c [NO INHERIT] [NOT VALID]`.
fn not_null(rest: &[&TokenWithSpan]) -> Option<TableAttr> {
    if !rest.first().is_some_and(|t| is_keyword(t, Keyword::ADD)) {
        return None;
    }
    let mut at = 1;
    let mut constraint = crate::model::NotNull::default();
    if rest.get(at).is_some_and(|t| is_keyword(t, Keyword::CONSTRAINT)) {
        constraint.name = Some(ident(rest.get(at + 1)?)?);
        at += 2;
    }
    if !(rest.get(at).is_some_and(|t| is_keyword(t, Keyword::NOT))
        && rest.get(at + 1).is_some_and(|t| is_keyword(t, Keyword::NULL)))
    {
        return None;
    }
    let column = ident(rest.get(at + 2)?)?;
    match words(&rest[at + 3..])?.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [] => {}
        ["NO", "INHERIT"] => constraint.no_inherit = true,
        ["NOT", "VALID"] => constraint.not_valid = true,
        ["NO", "INHERIT", "NOT", "VALID"] => (constraint.no_inherit, constraint.not_valid) = (true, true),
        _ => return None,
    }
    Some(TableAttr::NotNull { column, constraint })
}

/// The tokens as upper-case words, `None` when one is not a word.
fn words(toks: &[&TokenWithSpan]) -> Option<Vec<String>> {
    toks.iter()
        .map(|t| match &t.token {
            Token::Word(w) => Some(w.value.to_uppercase()),
            _ => None,
        })
        .collect()
}

/// A word as a folded identifier.
fn ident(t: &TokenWithSpan) -> Option<String> {
    match &t.token {
        Token::Word(w) => {
            let mut i = Ident::new(w.value.clone());
            i.quote_style = w.quote_style;
            Some(fold(&i))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(sql: &str) -> Option<TableAttr> {
        let raw = crate::parse::split::split(sql).expect("splits").remove(0);
        match table_attr(&raw)? {
            Stmt::TableAttr { attr, .. } => Some(attr),
            _ => None,
        }
    }

    #[test]
    fn pg_dump_forms() {
        assert_eq!(
            read("ALTER TABLE ONLY public.t ALTER COLUMN \"Body\" SET STORAGE MAIN"),
            Some(TableAttr::Storage { column: "Body".into(), value: Some("main".into()) })
        );
        assert_eq!(
            read("ALTER TABLE t ALTER b SET COMPRESSION lz4"),
            Some(TableAttr::Compression { column: "b".into(), value: Some("lz4".into()) })
        );
        assert_eq!(read("ALTER TABLE public.t CLUSTER ON t_pkey"), Some(TableAttr::ClusterOn(Some("t_pkey".into()))));
        assert_eq!(read("ALTER TABLE t SET WITHOUT CLUSTER"), Some(TableAttr::ClusterOn(None)));
        assert_eq!(
            read("ALTER TABLE ONLY public.t REPLICA IDENTITY USING INDEX \"U\""),
            Some(TableAttr::ReplicaIdentity(Some(ReplicaIdentity::Index("U".into()))))
        );
        assert_eq!(
            read("ALTER TABLE t REPLICA IDENTITY FULL"),
            Some(TableAttr::ReplicaIdentity(Some(ReplicaIdentity::Full)))
        );
    }

    #[test]
    fn postgresql_18s_not_null_constraints() {
        let nn = |name: Option<&str>, no_inherit, not_valid| crate::model::NotNull {
            name: name.map(str::to_string),
            no_inherit,
            not_valid,
        };
        assert_eq!(
            read("ALTER TABLE ONLY public.t ADD CONSTRAINT \"T nn\" NOT NULL \"B\" NOT VALID"),
            Some(TableAttr::NotNull { column: "B".into(), constraint: nn(Some("T nn"), false, true) })
        );
        assert_eq!(
            read("ALTER TABLE t ADD NOT NULL b NO INHERIT"),
            Some(TableAttr::NotNull { column: "b".into(), constraint: nn(None, true, false) })
        );
        assert_eq!(read("ALTER TABLE t ADD CONSTRAINT c NOT NULL b, ADD COLUMN d int"), None);
    }

    #[test]
    fn other_alters_are_not_taken() {
        assert_eq!(read("ALTER TABLE t ADD COLUMN storage text"), None);
        assert_eq!(read("ALTER TABLE t ALTER COLUMN storage SET NOT NULL"), None);
        assert_eq!(read("ALTER TABLE t ALTER COLUMN c SET STORAGE MAIN, ADD COLUMN d int"), None);
    }
}
