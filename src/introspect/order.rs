//! Rows put in order on the client: PostgreSQL sorting the three largest
//! result sets (a row per column, index and constraint) cost it more than
//! computing them (on 10,000 tables the columns query took 0.67 s with its
//! `ORDER BY` and 0.37 s without), and the server's CPU is the one every
//! reader shares.

use rustc_hash::FxHashMap;
use tokio_postgres::Row;

/// Sorts `rows` as `ORDER BY` on the text columns `names`, then on the
/// `int2` column `then` (NULL last), would: `name` columns sort bytewise, as `str` does.
///
/// The rows are grouped by their first two names (a table's schema and
/// name) and the groups sorted, then each group's rows on the rest of the
/// key: the same order as one stable sort of every row on the whole key,
/// but the names compared are the tables', not every column's (280,000
/// rows at 20,000 tables, whose sort cost more per row as they grew).
pub fn sort<const N: usize>(
    rows: Vec<Row>,
    names: [usize; N],
    then: Option<usize>,
) -> Result<Vec<Row>, tokio_postgres::Error> {
    let order = {
        // An array, not a vector per row (140,000 rows at 10,000 tables).
        // The number's key is (is NULL, number): `None` after every number, as NULLS LAST has it.
        let mut keys: Vec<([&str; N], bool, Option<i16>)> = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut text = [""; N];
            for (slot, i) in text.iter_mut().zip(names) {
                *slot = row.try_get::<_, &str>(i)?;
            }
            let number = match then {
                Some(i) => row.try_get::<_, Option<i16>>(i)?,
                None => None,
            };
            keys.push((text, number.is_none(), number));
        }
        let group = N.min(2);
        // Each group's rows in the order they came; a table's rows mostly
        // come together, so the previous row's group is tried before the map.
        let mut groups: Vec<(&[&str], Vec<usize>)> = Vec::new();
        let mut index: FxHashMap<&[&str], usize> = FxHashMap::default();
        let mut previous: Option<usize> = None;
        for (i, key) in keys.iter().enumerate() {
            let prefix = &key.0[..group];
            let g = match previous {
                Some(g) if groups[g].0 == prefix => g,
                _ => *index.entry(prefix).or_insert_with(|| {
                    groups.push((prefix, Vec::new()));
                    groups.len() - 1
                }),
            };
            groups[g].1.push(i);
            previous = Some(g);
        }
        groups.sort_by(|a, b| a.0.cmp(b.0));
        let mut order = Vec::with_capacity(rows.len());
        for (_, mut members) in groups {
            members.sort_by(|&a, &b| {
                let (ka, kb) = (&keys[a], &keys[b]);
                (&ka.0[group..], ka.1, ka.2).cmp(&(&kb.0[group..], kb.1, kb.2))
            });
            order.extend(members);
        }
        order
    };
    let mut slots: Vec<Option<Row>> = rows.into_iter().map(Some).collect();
    Ok(order.into_iter().filter_map(|i| slots[i].take()).collect())
}
