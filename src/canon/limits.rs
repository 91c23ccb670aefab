//! PostgreSQL's length limit on names: NAMEDATALEN - 1 = 63 bytes. The
//! server cuts a longer identifier as it reads it (`truncate_identifier`,
//! cutting at a character boundary as `pg_mbcliplen` does, with a NOTICE);
//! pgstate does the same with every identifier it reads from files, so the
//! names it compares are the ones the server stores.

/// The longest identifier, in bytes.
pub const MAX_IDENT: usize = 63;

/// `s` cut to at most `max` bytes without splitting a character.
pub fn clip(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The name PostgreSQL stores for an identifier written as `name`, when it
/// differs (the name is longer than 63 bytes).
pub fn truncated(name: &str) -> Option<&str> {
    (name.len() > MAX_IDENT).then(|| clip(name, MAX_IDENT))
}

/// The warning PostgreSQL gives, in its words.
pub fn notice(written: &str, stored: &str) -> String {
    format!("identifier \"{written}\" will be truncated to \"{stored}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_stay() {
        assert_eq!(truncated(&"a".repeat(63)), None);
        assert_eq!(truncated("users"), None);
    }

    #[test]
    fn long_names_keep_63_bytes() {
        assert_eq!(truncated(&"a".repeat(70)), Some("a".repeat(63).as_str()));
    }

    #[test]
    fn a_character_across_the_limit_goes_whole() {
        // 62 ASCII bytes, then a 2-byte character on bytes 63-64: 62 bytes kept.
        let name = format!("{}é{}", "a".repeat(62), "b".repeat(5));
        assert_eq!(truncated(&name), Some("a".repeat(62).as_str()));
        // A 2-byte character ending exactly at byte 63 stays.
        let name = format!("{}é{}", "a".repeat(61), "b".repeat(5));
        assert_eq!(truncated(&name), Some(format!("{}é", "a".repeat(61)).as_str()));
    }
}
