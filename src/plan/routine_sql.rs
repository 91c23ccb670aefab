//! The SQL of routines and triggers, in the shape `pg_get_functiondef` and
//! `pg_get_triggerdef` print (so pgstate reads it back the same way).

use crate::canon::body::dollar_quote;
use crate::canon::{quote_ident, quote_literal};
use crate::model::{ArgMode, Parallel, Routine, RoutineKind, Trigger, TriggerEnabled, TriggerTiming, Volatility};

/// `CREATE [OR REPLACE] FUNCTION | PROCEDURE ...`.
pub fn create_routine(r: &Routine, replace: bool) -> String {
    let args: Vec<String> = r
        .args
        .iter()
        .map(|a| {
            let mode = match a.mode {
                ArgMode::In => "",
                ArgMode::Out => "OUT ",
                ArgMode::InOut => "INOUT ",
                ArgMode::Variadic => "VARIADIC ",
            };
            let name = a.name.as_ref().map(|n| format!("{} ", quote_ident(n))).unwrap_or_default();
            let default = a.default.as_ref().map(|d| format!(" DEFAULT {d}")).unwrap_or_default();
            format!("{mode}{name}{}{default}", a.data_type)
        })
        .collect();
    let mut s =
        format!("CREATE {}{} {}({})", if replace { "OR REPLACE " } else { "" }, r.kind.sql(), r.name, args.join(", "));
    if let Some(ret) = &r.returns {
        s.push_str(&format!("\n RETURNS {ret}"));
    }
    s.push_str(&format!("\n LANGUAGE {}", quote_ident(&r.language)));
    let mut attrs = Vec::new();
    if r.window {
        attrs.push("WINDOW".to_string());
    }
    match r.volatility {
        Volatility::Immutable => attrs.push("IMMUTABLE".into()),
        Volatility::Stable => attrs.push("STABLE".into()),
        Volatility::Volatile => {}
    }
    if r.strict {
        attrs.push("STRICT".into());
    }
    if r.security_definer {
        attrs.push("SECURITY DEFINER".into());
    }
    if r.leakproof {
        attrs.push("LEAKPROOF".into());
    }
    match r.parallel {
        Parallel::Safe => attrs.push("PARALLEL SAFE".into()),
        Parallel::Restricted => attrs.push("PARALLEL RESTRICTED".into()),
        Parallel::Unsafe => {}
    }
    if let Some(c) = r.cost {
        attrs.push(format!("COST {c}"));
    }
    if let Some(n) = r.rows {
        attrs.push(format!("ROWS {n}"));
    }
    if !attrs.is_empty() {
        s.push_str(&format!("\n {}", attrs.join(" ")));
    }
    for c in &r.config {
        s.push_str(&format!("\n SET {}", setting(c)));
    }
    if r.sql_body {
        s.push_str(&format!("\n{}", r.body));
    } else {
        let tag = match r.kind {
            RoutineKind::Function => "function",
            RoutineKind::Procedure => "procedure",
        };
        match &r.object_file {
            Some(file) => s.push_str(&format!("\nAS {}, {}", quote_literal(file), quote_literal(&r.body))),
            None => s.push_str(&format!("\nAS {}", dollar_quote(&r.body, tag))),
        }
    }
    s
}

/// `name=v1, v2` (as `proconfig` holds it) as `name TO 'v1', 'v2'`.
fn setting(c: &str) -> String {
    if let Some(name) = c.strip_suffix(" FROM CURRENT") {
        return format!("{} FROM CURRENT", name_sql(name));
    }
    let (name, value) = c.split_once('=').unwrap_or((c, ""));
    let values: Vec<String> = if value.is_empty() {
        vec![quote_literal("")]
    } else {
        value.split(", ").map(|v| quote_literal(unquote_ident(v))).collect()
    };
    format!("{} TO {}", name_sql(name), values.join(", "))
}

fn name_sql(name: &str) -> String {
    name.split('.').map(quote_ident).collect::<Vec<_>>().join(".")
}

/// A list element stored as a quoted identifier (`"My Schema"`) as its text.
fn unquote_ident(v: &str) -> &str {
    v.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(v)
}

/// `CREATE [CONSTRAINT] TRIGGER ...`.
pub fn create_trigger(t: &Trigger) -> String {
    let timing = match t.timing {
        TriggerTiming::Before => "BEFORE",
        TriggerTiming::After => "AFTER",
        TriggerTiming::InsteadOf => "INSTEAD OF",
    };
    let mut events = Vec::new();
    if t.insert {
        events.push("INSERT".to_string());
    }
    if t.delete {
        events.push("DELETE".to_string());
    }
    if t.update {
        if t.update_of.is_empty() {
            events.push("UPDATE".to_string());
        } else {
            let cols: Vec<String> = t.update_of.iter().map(|c| quote_ident(c)).collect();
            events.push(format!("UPDATE OF {}", cols.join(", ")));
        }
    }
    if t.truncate {
        events.push("TRUNCATE".to_string());
    }
    let mut s = format!(
        "CREATE {}TRIGGER {} {timing} {} ON {}",
        if t.constraint.is_some() { "CONSTRAINT " } else { "" },
        quote_ident(&t.name),
        events.join(" OR "),
        t.table
    );
    if let Some((deferrable, deferred)) = t.constraint {
        s.push_str(if deferrable { " DEFERRABLE" } else { " NOT DEFERRABLE" });
        s.push_str(if deferred { " INITIALLY DEFERRED" } else { " INITIALLY IMMEDIATE" });
    }
    if t.old_table.is_some() || t.new_table.is_some() {
        s.push_str(" REFERENCING");
        if let Some(o) = &t.old_table {
            s.push_str(&format!(" OLD TABLE AS {}", quote_ident(o)));
        }
        if let Some(n) = &t.new_table {
            s.push_str(&format!(" NEW TABLE AS {}", quote_ident(n)));
        }
    }
    s.push_str(if t.for_each_row { " FOR EACH ROW" } else { " FOR EACH STATEMENT" });
    if let Some(w) = &t.when {
        s.push_str(&format!(" WHEN ({w})"));
    }
    let args: Vec<String> = t.args.iter().map(|a| quote_literal(a)).collect();
    s.push_str(&format!(" EXECUTE FUNCTION {}({})", t.function, args.join(", ")));
    s
}

/// `ALTER TABLE ... ENABLE / DISABLE ... TRIGGER`.
pub fn trigger_enabled(table: &crate::model::QualName, name: &str, e: TriggerEnabled) -> String {
    let what = match e {
        TriggerEnabled::Origin => "ENABLE",
        TriggerEnabled::Disabled => "DISABLE",
        TriggerEnabled::Replica => "ENABLE REPLICA",
        TriggerEnabled::Always => "ENABLE ALWAYS",
    };
    format!("ALTER TABLE {table} {what} TRIGGER {}", quote_ident(name))
}
