//! The parser's round-trip property, shared by the fuzz target
//! (`fuzz_targets/parse_schema.rs`) and the stable replay of its seeds and
//! past findings (`tests/fuzz_regressions.rs`), so both judge by one rule.
//!
//! Arbitrary text must parse or fail with a rendered error, never panic; a
//! parsed catalog must render to SQL that parses back to an equal catalog.

/// Checks the property on one input, panicking with the input, the rendered
/// SQL and the difference when it does not hold.
pub fn check(text: &str) {
    match pgstate::parse::parse_str("fuzz.sql", text) {
        Ok(parsed) => {
            // A catalog the planner cannot order (a dependency cycle) is an error it reports, not a crash.
            let Ok(sql) = pgstate::plan::catalog_sql(&parsed.catalog) else {
                return;
            };
            let reparsed = match pgstate::parse::parse_str("roundtrip.sql", &sql) {
                Ok(p) => p,
                Err(err) => panic!(
                    "rendered catalog does not parse\n--- input ---\n{text}\n--- rendered ---\n{sql}\n--- error ---\n{:?}",
                    miette::Report::new(err)
                ),
            };
            assert!(
                reparsed.catalog == parsed.catalog,
                "round trip changed the catalog\n--- input ---\n{text}\n--- rendered ---\n{sql}\n--- first ---\n{:#?}\n--- reparsed ---\n{:#?}",
                parsed.catalog,
                reparsed.catalog
            );
        }
        Err(err) => {
            let _ = format!("{:?}", miette::Report::new(err));
        }
    }
}
