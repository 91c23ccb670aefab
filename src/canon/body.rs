//! Routine bodies: when two bodies are the same. PostgreSQL stores a string
//! body verbatim (`prosrc`); a change of whitespace alone is not a change, so
//! bodies compare on a key that collapses whitespace outside quoted text and
//! keeps line comments' ends (which end the comment).

/// The comparison key of a body: runs of whitespace outside quotes become one
/// space (a newline, where a `--` comment ends), leading and trailing space goes.
pub fn body_key(body: &str) -> String {
    let b = body.as_bytes();
    let mut out = String::with_capacity(body.len());
    let mut i = 0;
    let mut pending_space = false;
    let push = |out: &mut String, s: &str, pending: &mut bool| {
        if *pending && !out.is_empty() && !out.ends_with('\n') {
            out.push(' ');
        }
        *pending = false;
        out.push_str(s);
    };
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            pending_space = true;
            i += 1;
            continue;
        }
        let end = match c {
            b'\'' | b'"' => quoted_end(b, i + 1, c),
            b'-' if b.get(i + 1) == Some(&b'-') => {
                let e = b[i..].iter().position(|&x| x == b'\n').map_or(b.len(), |p| i + p);
                push(&mut out, &body[i..e], &mut pending_space);
                if e < b.len() {
                    out.push('\n');
                }
                i = e + 1;
                continue;
            }
            b'$' => dollar_end(body, i).unwrap_or(i + 1),
            _ => {
                // One character (possibly multi-byte) at a time.
                let len = body[i..].chars().next().map_or(1, char::len_utf8);
                i + len
            }
        };
        push(&mut out, &body[i..end], &mut pending_space);
        i = end;
    }
    out
}

/// A body as a dollar-quoted literal, with a tag that occurs nowhere in the
/// body, not even as `$tag` without its closing `$`: a body ending in `$tag`
/// followed by the closing `$tag$` would end the string early.
pub fn dollar_quote(body: &str, tag: &str) -> String {
    let mut t = tag.to_string();
    let mut n = 0;
    while body.contains(&format!("${t}")) {
        n += 1;
        t = format!("{tag}{n}");
    }
    format!("${t}${body}${t}$")
}

fn quoted_end(b: &[u8], mut i: usize, q: u8) -> usize {
    while i < b.len() {
        if b[i] == q {
            if b.get(i + 1) == Some(&q) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    b.len()
}

/// The end of a `$tag$ ... $tag$` string starting at `i`, if one starts there.
fn dollar_end(s: &str, i: usize) -> Option<usize> {
    let rest = &s[i + 1..];
    let tag_len = rest.find('$')?;
    let tag = &rest[..tag_len];
    if !tag.chars().all(|c| c.is_alphanumeric() || c == '_') || tag.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let delim = &s[i..i + tag_len + 2];
    let after = i + tag_len + 2;
    Some(s[after..].find(delim).map_or(s.len(), |p| after + p + delim.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_outside_quotes_does_not_count() {
        assert_eq!(body_key("  select  1\n\t+ 2 "), "select 1 + 2");
        assert_eq!(body_key("select 'a  b'"), "select 'a  b'");
        assert_ne!(body_key("select 'a  b'"), body_key("select 'a b'"));
        // A view query kept as written goes through the same key.
        assert_eq!(body_key("  SELECT  a,\n\t'x  y'  FROM   t "), "SELECT a, 'x  y' FROM t");
        assert_eq!(body_key("begin\n  x := 1; -- note\n  y := 2;\nend"), "begin x := 1; -- note\ny := 2; end");
        assert_eq!(body_key("select $q$a   b$q$ , 1"), "select $q$a   b$q$ , 1");
    }

    #[test]
    fn the_tag_occurs_nowhere_in_the_body() {
        assert_eq!(dollar_quote("select 1", "function"), "$function$select 1$function$");
        // Ending in `$function`, the body would otherwise close at `x$function$`.
        assert_eq!(dollar_quote("select 1 as x$function", "function"), "$function1$select 1 as x$function$function1$");
        assert_eq!(dollar_quote("$function$ $function1", "function"), "$function2$$function$ $function1$function2$");
    }
}
