//! The names PostgreSQL generates for unnamed constraints, indexes and serial
//! sequences (`makeObjectName`, `ChooseRelationName`, `ChooseIndexNameAddition`
//! in PostgreSQL's source), including truncation to 63 bytes and de-duplication.

use super::limits::clip;
pub use super::limits::MAX_IDENT;

/// `makeObjectName(name1, name2, label)`: joins with `_`, shortening the longer
/// of the two names first until the whole fits in 63 bytes.
pub fn make_object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let overhead = if label.is_empty() { 0 } else { label.len() + 1 } + usize::from(name2.is_some());
    let avail = MAX_IDENT - overhead;
    let mut n1 = name1.len();
    let mut n2 = name2.map_or(0, str::len);
    while n1 + n2 > avail {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let mut out = String::with_capacity(n1 + n2 + overhead);
    out.push_str(clip(name1, n1));
    if let Some(name2) = name2 {
        out.push('_');
        out.push_str(clip(name2, n2));
    }
    if !label.is_empty() {
        out.push('_');
        out.push_str(label);
    }
    out
}

/// The name PostgreSQL 18 gives a column's `NOT NULL` constraint:
/// `<table>_<column>_not_null` (`ChooseConstraintName`, before numbering).
pub fn not_null_name(table: &str, column: &str) -> String {
    make_object_name(table, Some(column), "not_null")
}

/// `ChooseIndexNameAddition` / `ChooseForeignKeyConstraintNameAddition`: column
/// names joined by `_`, stopping once the result reaches NAMEDATALEN.
pub fn name_addition(columns: &[String]) -> String {
    let mut buf = String::new();
    for name in columns {
        if !buf.is_empty() {
            buf.push('_');
        }
        buf.push_str(clip(name, MAX_IDENT));
        if buf.len() > MAX_IDENT {
            break;
        }
    }
    buf
}

/// Names already taken in one schema, for `ChooseRelationName`'s de-duplication.
#[derive(Debug, Default)]
pub struct Taken {
    names: rustc_hash::FxHashSet<String>,
}

impl Taken {
    /// Marks a name as used.
    pub fn insert(&mut self, name: &str) {
        self.names.insert(name.to_string());
    }

    /// `ChooseRelationName`: the first of `label`, `label1`, `label2`, ... whose
    /// name is free; marks it used.
    pub fn choose(&mut self, name1: &str, name2: Option<&str>, label: &str) -> String {
        let mut candidate = make_object_name(name1, name2, label);
        let mut pass = 0;
        while self.names.contains(&candidate) {
            pass += 1;
            candidate = make_object_name(name1, name2, &format!("{label}{pass}"));
        }
        self.names.insert(candidate.clone());
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names() {
        assert_eq!(make_object_name("users", None, "pkey"), "users_pkey");
        assert_eq!(make_object_name("users", Some("email"), "key"), "users_email_key");
        assert_eq!(name_addition(&["a".into(), "b".into()]), "a_b");
    }

    #[test]
    fn long_names_truncate_the_longer_part_first() {
        let table = "t".repeat(40);
        let col = "c".repeat(40);
        let name = make_object_name(&table, Some(&col), "fkey");
        assert_eq!(name.len(), 63);
        // 63 - len("_fkey") - 1 = 57 bytes shared: 29 + 28, the first name keeps the extra byte.
        assert_eq!(name, format!("{}_{}_fkey", "t".repeat(29), "c".repeat(28)));
    }

    #[test]
    fn duplicates_get_a_number_in_the_label() {
        let mut taken = Taken::default();
        assert_eq!(taken.choose("t", Some("a"), "key"), "t_a_key");
        assert_eq!(taken.choose("t", Some("a"), "key"), "t_a_key1");
        assert_eq!(taken.choose("t", Some("a"), "key"), "t_a_key2");
    }
}
