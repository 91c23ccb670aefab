//! `GRANT`, `REVOKE` and `ALTER DEFAULT PRIVILEGES`, read from sqlparser's
//! tokens: sqlparser's own GRANT grammar lacks `ON TYPE` / `ON DOMAIN` and
//! `ALL (columns)`, and the grammar is small. Function signatures are read by
//! sqlparser (as the argument list of a `DROP FUNCTION`).

use sqlparser::ast::{ArgMode, ObjectName, Statement};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Span, Token, TokenWithSpan};

use super::names::object_qual_name;
use super::names::read_name;
use super::split::{is_keyword, RawStatement};
use crate::canon::ident::fold;
use crate::model::{Catalog, DefaultKey, GrantKey, GrantObject, Grantee, ObjectKind, Privilege};

/// Privileges as written: `ALL` or a list, each maybe with columns.
#[derive(Debug, Clone)]
pub enum Written {
    /// `ALL [PRIVILEGES] [(columns)]`.
    All(Vec<String>),
    /// `SELECT, UPDATE (a, b), ...`: each privilege with its columns (empty: the whole object).
    List(Vec<(Privilege, Vec<String>)>),
}

/// What a statement grants on.
#[derive(Debug, Clone)]
pub enum Target {
    /// Named objects of one kind (a column grant is on its table, `Table`).
    Objects(ObjectKind, Vec<ObjectName>),
    /// Functions or procedures, each with its argument types (IN, INOUT and VARIADIC ones).
    Functions(Vec<(ObjectName, Vec<sqlparser::ast::DataType>)>),
    /// `ALL TABLES | SEQUENCES | FUNCTIONS IN SCHEMA s, ...`.
    AllInSchema(ObjectKind, Vec<String>),
    /// `ALTER DEFAULT PRIVILEGES [FOR ROLE r, ...] [IN SCHEMA s, ...] ... ON <kind>S`.
    Defaults {
        /// `FOR ROLE` names (empty: the current role).
        for_roles: Vec<String>,
        /// `IN SCHEMA` names (empty: the whole database).
        schemas: Vec<String>,
        /// Which future objects.
        kind: ObjectKind,
    },
}

/// A `GRANT` or `REVOKE` pgstate models.
#[derive(Debug, Clone)]
pub struct GrantStmt {
    /// `GRANT` (true) or `REVOKE`.
    pub grant: bool,
    /// `WITH GRANT OPTION` on a grant, `GRANT OPTION FOR` on a revoke.
    pub grant_option: bool,
    /// The privileges.
    pub privileges: Written,
    /// The objects.
    pub target: Target,
    /// The grantees.
    pub grantees: Vec<Grantee>,
}

type Error = (String, Span, Option<String>);

struct Cursor<'a> {
    toks: Vec<&'a TokenWithSpan>,
    at: usize,
    whole: Span,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<&'a TokenWithSpan> {
        self.toks.get(self.at).copied()
    }

    fn keyword(&mut self, kw: Keyword) -> bool {
        if self.peek().is_some_and(|t| is_keyword(t, kw)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn keywords(&mut self, kws: &[Keyword]) -> bool {
        let ok = kws.iter().enumerate().all(|(i, kw)| self.toks.get(self.at + i).is_some_and(|t| is_keyword(t, *kw)));
        if ok {
            self.at += kws.len();
        }
        ok
    }

    fn token(&mut self, tok: &Token) -> bool {
        if self.peek().is_some_and(|t| &t.token == tok) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn err(&self, expected: &str) -> Error {
        let (what, span) = match self.peek() {
            Some(t) => (t.token.to_string(), t.span),
            None => ("end of statement".to_string(), self.whole),
        };
        (format!("syntax error: expected {expected}, found {what}"), span, None)
    }

    fn expect(&mut self, kw: Keyword, what: &str) -> Result<(), Error> {
        if self.keyword(kw) {
            Ok(())
        } else {
            Err(self.err(what))
        }
    }

    fn name(&mut self) -> Result<ObjectName, Error> {
        let (name, next) = read_name(&self.toks, self.at).ok_or_else(|| self.err("a name"))?;
        self.at = next;
        Ok(name)
    }

    fn ident(&mut self) -> Result<String, Error> {
        match self.peek() {
            Some(TokenWithSpan { token: Token::Word(w), span }) => {
                self.at += 1;
                let mut ident = sqlparser::ast::Ident::new(w.value.clone());
                ident.quote_style = w.quote_style;
                ident.span = *span;
                Ok(fold(&ident))
            }
            _ => Err(self.err("a name")),
        }
    }

    fn idents(&mut self) -> Result<Vec<String>, Error> {
        let mut out = vec![self.ident()?];
        while self.token(&Token::Comma) {
            out.push(self.ident()?);
        }
        Ok(out)
    }

    fn columns(&mut self) -> Result<Vec<String>, Error> {
        if !self.token(&Token::LParen) {
            return Ok(Vec::new());
        }
        let cols = self.idents()?;
        if !self.token(&Token::RParen) {
            return Err(self.err("`)`"));
        }
        Ok(cols)
    }

    fn done(&self) -> bool {
        self.at >= self.toks.len()
    }
}

/// Reads a `GRANT`, `REVOKE` or `ALTER DEFAULT PRIVILEGES`. `Ok(None)`: a
/// statement about something pgstate does not manage (a database, a language,
/// role membership), accepted and ignored.
///
/// Long because it is one linear pass over the grammar of the three statements.
pub fn read(raw: &RawStatement) -> Result<Option<GrantStmt>, Error> {
    let toks: Vec<&TokenWithSpan> = raw.significant().collect();
    let mut c = Cursor { toks, at: 0, whole: raw.span() };
    let mut defaults = None;
    if c.keywords(&[Keyword::ALTER, Keyword::DEFAULT, Keyword::PRIVILEGES]) {
        let (mut for_roles, mut schemas) = (Vec::new(), Vec::new());
        loop {
            if c.keywords(&[Keyword::FOR, Keyword::ROLE]) || c.keywords(&[Keyword::FOR, Keyword::USER]) {
                for_roles.extend(c.idents()?);
            } else if c.keywords(&[Keyword::IN, Keyword::SCHEMA]) {
                schemas.extend(c.idents()?);
            } else {
                break;
            }
        }
        defaults = Some((for_roles, schemas));
    }
    let grant = if c.keyword(Keyword::GRANT) {
        true
    } else if c.keyword(Keyword::REVOKE) {
        false
    } else {
        return Err(c.err("GRANT or REVOKE"));
    };
    let mut grant_option = !grant && c.keywords(&[Keyword::GRANT, Keyword::OPTION, Keyword::FOR]);
    // Role membership (`GRANT r1 TO r2`) has no ON: not a privilege on an object.
    if !c.toks.iter().any(|t| is_keyword(t, Keyword::ON)) {
        return Ok(None);
    }
    let privileges = if c.keyword(Keyword::ALL) {
        c.keyword(Keyword::PRIVILEGES);
        Written::All(c.columns()?)
    } else {
        let mut list = Vec::new();
        loop {
            let p = match c.peek() {
                Some(TokenWithSpan { token: Token::Word(w), .. }) if w.quote_style.is_none() => {
                    Privilege::from_name(&w.value)
                }
                _ => None,
            };
            let Some(p) = p else {
                // TEMPORARY, CONNECT, SET, ALTER SYSTEM: database and parameter privileges.
                if c.peek().is_some_and(|t| {
                    [Keyword::TEMPORARY, Keyword::TEMP, Keyword::CONNECT, Keyword::SET, Keyword::ALTER]
                        .iter()
                        .any(|k| is_keyword(t, *k))
                }) {
                    return Ok(None);
                }
                return Err(c.err("a privilege (SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER, USAGE, CREATE, EXECUTE)"));
            };
            c.at += 1;
            list.push((p, c.columns()?));
            if !c.token(&Token::Comma) {
                break;
            }
        }
        Written::List(list)
    };
    c.expect(Keyword::ON, "ON")?;
    let target = match defaults {
        Some((for_roles, schemas)) => {
            let kind = if c.keyword(Keyword::TABLES) {
                ObjectKind::Table
            } else if c.keyword(Keyword::SEQUENCES) {
                ObjectKind::Sequence
            } else if c.keyword(Keyword::FUNCTIONS) || c.keyword(Keyword::ROUTINES) {
                ObjectKind::Function
            } else if c.keyword(Keyword::TYPES) {
                ObjectKind::Type
            } else if c.keyword(Keyword::SCHEMAS) {
                ObjectKind::Schema
            } else if c.keywords(&[Keyword::LARGE, Keyword::OBJECTS]) {
                return Ok(None);
            } else {
                return Err(c.err("TABLES, SEQUENCES, FUNCTIONS, ROUTINES, TYPES or SCHEMAS"));
            };
            Target::Defaults { for_roles, schemas, kind }
        }
        None => match object_target(&mut c)? {
            Some(t) => t,
            None => return Ok(None),
        },
    };
    c.expect(if grant { Keyword::TO } else { Keyword::FROM }, if grant { "TO" } else { "FROM" })?;
    let mut grantees = Vec::new();
    loop {
        c.keyword(Keyword::GROUP);
        let g = match c.peek() {
            Some(TokenWithSpan { token: Token::Word(w), .. })
                if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("public") =>
            {
                c.at += 1;
                Grantee::Public
            }
            Some(t)
                if [Keyword::CURRENT_USER, Keyword::CURRENT_ROLE, Keyword::SESSION_USER]
                    .iter()
                    .any(|k| is_keyword(t, *k)) =>
            {
                return Err((
                    format!("{} as a grantee depends on who runs the plan: name the role", t.token),
                    t.span,
                    None,
                ))
            }
            _ => Grantee::Role(c.ident()?),
        };
        grantees.push(g);
        if !c.token(&Token::Comma) {
            break;
        }
    }
    if grant && c.keywords(&[Keyword::WITH, Keyword::GRANT, Keyword::OPTION]) {
        grant_option = true;
    }
    if c.keywords(&[Keyword::GRANTED, Keyword::BY]) {
        c.ident()?;
    }
    if !grant {
        let _ = c.keyword(Keyword::CASCADE) || c.keyword(Keyword::RESTRICT);
    }
    if !c.done() {
        return Err(c.err("the end of the statement"));
    }
    Ok(Some(GrantStmt { grant, grant_option, privileges, target, grantees }))
}

/// The objects after `ON`; `None` for kinds pgstate does not manage.
fn object_target(c: &mut Cursor<'_>) -> Result<Option<Target>, Error> {
    if c.keyword(Keyword::ALL) {
        let kind = if c.keyword(Keyword::TABLES) {
            ObjectKind::Table
        } else if c.keyword(Keyword::SEQUENCES) {
            ObjectKind::Sequence
        } else if c.keyword(Keyword::FUNCTIONS) || c.keyword(Keyword::PROCEDURES) || c.keyword(Keyword::ROUTINES) {
            ObjectKind::Function
        } else {
            return Err(c.err("TABLES, SEQUENCES, FUNCTIONS, PROCEDURES or ROUTINES"));
        };
        c.expect(Keyword::IN, "IN SCHEMA")?;
        c.expect(Keyword::SCHEMA, "IN SCHEMA")?;
        return Ok(Some(Target::AllInSchema(kind, c.idents()?)));
    }
    if c.keyword(Keyword::FUNCTION) || c.keyword(Keyword::PROCEDURE) || c.keyword(Keyword::ROUTINE) {
        return functions(c).map(Some);
    }
    let unmanaged = [
        Keyword::DATABASE,
        Keyword::LANGUAGE,
        Keyword::TABLESPACE,
        Keyword::FOREIGN,
        Keyword::LARGE,
        Keyword::PARAMETER,
    ];
    if c.peek().is_some_and(|t| unmanaged.iter().any(|k| is_keyword(t, *k))) {
        return Ok(None);
    }
    let kind = if c.keyword(Keyword::SEQUENCE) {
        ObjectKind::Sequence
    } else if c.keyword(Keyword::SCHEMA) {
        ObjectKind::Schema
    } else if c.keyword(Keyword::TYPE) || c.keyword(Keyword::DOMAIN) {
        ObjectKind::Type
    } else {
        c.keyword(Keyword::TABLE);
        ObjectKind::Table
    };
    let mut names = vec![c.name()?];
    while c.token(&Token::Comma) {
        names.push(c.name()?);
    }
    Ok(Some(Target::Objects(kind, names)))
}

/// `f(int, text), g()`: read by sqlparser as the list of a `DROP FUNCTION`,
/// up to the `TO` / `FROM` that ends it.
fn functions(c: &mut Cursor<'_>) -> Result<Target, Error> {
    let mut depth = 0usize;
    let start = c.at;
    while let Some(t) = c.peek() {
        match t.token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ if depth == 0 && (is_keyword(t, Keyword::TO) || is_keyword(t, Keyword::FROM)) => break,
            _ => {}
        }
        c.at += 1;
    }
    let mut tokens: Vec<TokenWithSpan> =
        vec![TokenWithSpan::wrap(Token::make_keyword("DROP")), TokenWithSpan::wrap(Token::make_keyword("FUNCTION"))];
    tokens.extend(c.toks[start..c.at].iter().map(|t| (*t).clone()));
    let whole = Span::union_iter(c.toks[start..c.at].iter().map(|t| t.span));
    let dialect = PostgreSqlDialect {};
    let mut parser = Parser::new(&dialect).with_tokens_with_locations(tokens);
    let stmt =
        parser.parse_statement().map_err(|e| (format!("syntax error in a function signature: {e}"), whole, None))?;
    let Statement::DropFunction(drop) = stmt else {
        return Err(("syntax error: expected a function signature".to_string(), whole, None));
    };
    let mut out = Vec::new();
    for f in drop.func_desc {
        let Some(args) = f.args else {
            return Err((
                format!("GRANT on function {}: write its argument types, e.g. {}()", f.name, f.name),
                whole,
                None,
            ));
        };
        let types = args.into_iter().filter(|a| !matches!(a.mode, Some(ArgMode::Out))).map(|a| a.data_type).collect();
        out.push((f.name, types));
    }
    Ok(Target::Functions(out))
}

/// Privileges on a whole object (no columns) or on the columns listed.
type Split = (Vec<Privilege>, Vec<String>);

/// Applies a grant statement to the catalog, in statement order. `strict`
/// (a person's files): an object the catalog lacks is an error; otherwise
/// (PostgreSQL's output, objects outside the managed schemas) it is skipped.
///
/// One arm per object kind a grant can name, each resolving its objects in the
/// catalog; long because there are many kinds.
pub fn lower(cat: &mut Catalog, stmt: &GrantStmt, default_schema: &str, strict: bool) -> Result<(), String> {
    let verb = if stmt.grant { "GRANT" } else { "REVOKE" };
    // (object, privileges) pairs this statement is about.
    let mut targets: Vec<(GrantObject, Vec<Privilege>)> = Vec::new();
    let privileges_for = |kind: ObjectKind| -> Result<Vec<Split>, String> {
        match &stmt.privileges {
            Written::All(cols) if cols.is_empty() => Ok(vec![(kind.all().to_vec(), Vec::new())]),
            Written::All(cols) => Ok(vec![(ObjectKind::Column.all().to_vec(), cols.clone())]),
            Written::List(list) => {
                let mut whole = Vec::new();
                let mut out = Vec::new();
                for (p, cols) in list {
                    let allowed = if cols.is_empty() { kind.all() } else { ObjectKind::Column.all() };
                    if !allowed.contains(p) {
                        return Err(format!("invalid privilege type {} for {}", p.name(), kind_word(kind)));
                    }
                    if cols.is_empty() {
                        whole.push(*p);
                    } else {
                        out.push((vec![*p], cols.clone()));
                    }
                }
                if !whole.is_empty() {
                    out.insert(0, (whole, Vec::new()));
                }
                Ok(out)
            }
        }
    };
    match &stmt.target {
        Target::Defaults { for_roles, schemas, kind } => {
            let privileges = match &stmt.privileges {
                Written::All(cols) if cols.is_empty() => kind.all().to_vec(),
                Written::List(list) if list.iter().all(|(p, c)| c.is_empty() && kind.all().contains(p)) => {
                    list.iter().map(|(p, _)| *p).collect()
                }
                _ => return Err(format!("invalid privileges for ALTER DEFAULT PRIVILEGES ... ON {}", kind.plural())),
            };
            let roles: Vec<Option<String>> =
                if for_roles.is_empty() { vec![None] } else { for_roles.iter().cloned().map(Some).collect() };
            let in_schemas: Vec<Option<String>> =
                if schemas.is_empty() { vec![None] } else { schemas.iter().cloned().map(Some).collect() };
            for role in &roles {
                for schema in &in_schemas {
                    for grantee in &stmt.grantees {
                        let key = DefaultKey {
                            for_role: role.clone(),
                            schema: schema.clone(),
                            kind: *kind,
                            grantee: grantee.clone(),
                        };
                        let mut held = cat.default_privileges_of(&key);
                        for p in &privileges {
                            if stmt.grant {
                                held.grant(*p, stmt.grant_option);
                            } else {
                                held.revoke(*p, stmt.grant_option);
                            }
                        }
                        cat.set_default_privileges(key, held);
                    }
                }
            }
            return Ok(());
        }
        Target::Objects(kind, names) => {
            for name in names {
                let object = match kind {
                    ObjectKind::Schema => {
                        let [part] = name.0.as_slice() else {
                            return Err(format!("{verb}: a schema name has one part, found {name}"));
                        };
                        GrantObject::Schema(part.as_ident().map(fold).unwrap_or_default())
                    }
                    _ => {
                        let q = object_qual_name(name, default_schema)?;
                        match kind {
                            // GRANT ... ON TABLE accepts a sequence too.
                            ObjectKind::Table if !cat.tables.contains_key(&q) && cat.sequences.contains_key(&q) => {
                                GrantObject::Sequence(q)
                            }
                            ObjectKind::Sequence => GrantObject::Sequence(q),
                            ObjectKind::Type => GrantObject::Type(q),
                            _ => GrantObject::Table(q),
                        }
                    }
                };
                if !cat.has_grant_object(&object) {
                    if strict {
                        return Err(format!(
                            "{verb} on {} {object}: it is not defined in the schema",
                            kind_word(object.kind())
                        ));
                    }
                    continue;
                }
                for (privileges, cols) in privileges_for(object.kind())? {
                    if cols.is_empty() {
                        targets.push((object.clone(), privileges));
                        continue;
                    }
                    let GrantObject::Table(t) = &object else {
                        return Err(format!("{verb}: column privileges are only for tables"));
                    };
                    for col in cols {
                        let column = GrantObject::Column(t.clone(), col.clone());
                        if !cat.has_grant_object(&column) {
                            return Err(format!("{verb}: column {col} does not exist in table {t}"));
                        }
                        targets.push((column, privileges.clone()));
                    }
                }
            }
        }
        Target::Functions(list) => {
            for (name, types) in list {
                let q = object_qual_name(name, default_schema)?;
                let mut args = Vec::new();
                for t in types {
                    let resolved = crate::canon::types::resolve(t, default_schema)?;
                    args.push(resolved.column_type.to_string());
                }
                let object = GrantObject::Function(format!("{}({})", q.sql(), args.join(", ")));
                // Routines join the model on another branch: until then their
                // grants are checked by PostgreSQL alone.
                if !strict && !cat.has_grant_object(&object) {
                    continue;
                }
                for (privileges, _) in privileges_for(ObjectKind::Function)? {
                    targets.push((object.clone(), privileges));
                }
            }
        }
        Target::AllInSchema(kind, schemas) => {
            for schema in schemas {
                let objects: Vec<GrantObject> = match kind {
                    ObjectKind::Table => {
                        cat.tables.keys().filter(|q| &q.schema == schema).cloned().map(GrantObject::Table).collect()
                    }
                    ObjectKind::Sequence => cat
                        .sequences
                        .keys()
                        .filter(|q| &q.schema == schema)
                        .cloned()
                        .map(GrantObject::Sequence)
                        .collect(),
                    _ => Vec::new(),
                };
                for object in objects {
                    for (privileges, _) in privileges_for(*kind)? {
                        targets.push((object.clone(), privileges));
                    }
                }
            }
        }
    }
    for (object, privileges) in targets {
        for grantee in &stmt.grantees {
            let key = GrantKey { object: object.clone(), grantee: grantee.clone() };
            if stmt.grant {
                cat.grant(key, &privileges, stmt.grant_option);
            } else {
                cat.revoke(&key, &privileges, stmt.grant_option);
            }
        }
    }
    Ok(())
}

/// PostgreSQL's word for a kind in messages.
fn kind_word(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::Table => "table",
        ObjectKind::Column => "column",
        ObjectKind::Sequence => "sequence",
        ObjectKind::Schema => "schema",
        ObjectKind::Type => "type",
        ObjectKind::Function => "function",
    }
}
