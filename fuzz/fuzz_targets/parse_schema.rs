//! Parses arbitrary text as a schema. On success the catalog is rendered back
//! to SQL (`catalog_sql`), which must parse to an equal catalog; on failure the
//! errors are rendered through miette.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
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
});
