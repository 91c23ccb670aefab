//! libpq's two spellings of a connection: `postgres://user:pw@host:port/db?k=v`
//! URLs and `key=value` strings, read into one ordered list of parameters.
//! Errors never repeat the text, which may hold a password.

use indexmap::IndexMap;

/// Connection parameters by libpq keyword (`host`, `port`, `user`, `sslmode`, ...).
pub type Params = IndexMap<String, String>;

/// Reads a URL or a `key=value` string; an empty or blank text gives no parameter.
pub fn parse(text: &str) -> Result<Params, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Params::new());
    }
    if let Some(rest) = text.strip_prefix("postgresql://").or_else(|| text.strip_prefix("postgres://")) {
        return parse_url(rest);
    }
    if let Some((scheme, _)) = text.split_once("://") {
        if !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) {
            return Err(format!("a {scheme}:// URL is not PostgreSQL's: write postgres://user@host:port/database"));
        }
    }
    if !text.contains('=') {
        return Err("neither a postgres:// URL nor key=value pairs (e.g. postgres://user@host:5432/database)".into());
    }
    parse_pairs(text)
}

/// `[user[:password]@][host[:port]][,host[:port]...][/dbname][?key=value&...]`.
fn parse_url(rest: &str) -> Result<Params, String> {
    let mut params = Params::new();
    let (main, query) = match rest.split_once('?') {
        Some((m, q)) => (m, Some(q)),
        None => (rest, None),
    };
    let (authority, path) = match main.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (main, None),
    };
    let hosts = match authority.rsplit_once('@') {
        Some((userinfo, hosts)) => {
            let (user, password) = match userinfo.split_once(':') {
                Some((u, p)) => (u, Some(p)),
                None => (userinfo, None),
            };
            if !user.is_empty() {
                params.insert("user".into(), decode(user, "user name")?);
            }
            if let Some(p) = password {
                params.insert("password".into(), decode(p, "password")?);
            }
            hosts
        }
        None => authority,
    };
    if !hosts.is_empty() {
        let (mut host_list, mut port_list) = (Vec::new(), Vec::new());
        for spec in hosts.split(',') {
            let (host, port) = split_host_port(spec)?;
            host_list.push(decode(host, "host")?);
            port_list.push(port.to_string());
        }
        if host_list.iter().any(|h| !h.is_empty()) {
            params.insert("host".into(), host_list.join(","));
        }
        if port_list.iter().any(|p| !p.is_empty()) {
            params.insert("port".into(), port_list.join(","));
        }
    }
    if let Some(db) = path.filter(|p| !p.is_empty()) {
        params.insert("dbname".into(), decode(db, "database name")?);
    }
    for pair in query.into_iter().flat_map(|q| q.split('&')).filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').ok_or("a URL parameter has no '=' (write ?key=value)")?;
        let key = decode(k, "parameter name")?;
        let value = decode(v, "parameter value")?;
        // JDBC's `ssl=true`, which libpq also reads as sslmode=require.
        if key == "ssl" && value == "true" {
            params.insert("sslmode".into(), "require".into());
        } else {
            params.insert(key, value);
        }
    }
    Ok(params)
}

/// `host:port`, `[v6]:port`, `host`, `:port`.
fn split_host_port(spec: &str) -> Result<(&str, &str), String> {
    if let Some(rest) = spec.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or("an IPv6 host in the URL lacks its closing ']'")?;
        let port = match after.strip_prefix(':') {
            Some(p) => p,
            None if after.is_empty() => "",
            None => return Err("unexpected text after an IPv6 host in the URL".into()),
        };
        return check_port(host, port);
    }
    match spec.rsplit_once(':') {
        Some((host, port)) => check_port(host, port),
        None => Ok((spec, "")),
    }
}

fn check_port<'a>(host: &'a str, port: &'a str) -> Result<(&'a str, &'a str), String> {
    if port.bytes().all(|b| b.is_ascii_digit()) {
        Ok((host, port))
    } else {
        Err("the port in the URL is not a number".into())
    }
}

/// Percent-decoding, as UTF-8.
fn decode(text: &str, what: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
            let byte = hex.and_then(|h| u8::from_str_radix(h, 16).ok());
            out.push(byte.ok_or_else(|| format!("invalid percent-encoding in the URL's {what}"))?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("the URL's {what} is not UTF-8 once decoded"))
}

/// `key = value` pairs separated by spaces; a value may be single-quoted,
/// and a backslash escapes the next character.
fn parse_pairs(text: &str) -> Result<Params, String> {
    let mut params = Params::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return Ok(params);
        }
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| *c != '=' && !c.is_whitespace()) {
            key.push(c);
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.next() != Some('=') {
            // The word itself is not repeated: it may be a password.
            return Err("a word without \"=\" (write key=value pairs, or a postgres:// URL)".into());
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'\'').is_some() {
            loop {
                match chars.next() {
                    Some('\\') => value.push(chars.next().ok_or("unterminated quoted value")?),
                    Some('\'') => break,
                    Some(c) => value.push(c),
                    None => return Err(format!("unterminated quoted value for {key}")),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                if c == '\\' {
                    value.push(chars.next().ok_or("a trailing backslash")?);
                } else {
                    value.push(c);
                }
            }
        }
        params.insert(key, value);
    }
}

/// Writes parameters back as a `key='value'` string (for tokio-postgres's reader).
pub fn render(params: &Params) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{k}='{}'", v.replace('\\', "\\\\").replace('\'', "\\'")))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(p: &Params, k: &str) -> Option<String> {
        p.get(k).cloned()
    }

    #[test]
    fn urls_give_libpq_keywords() {
        let p =
            parse("postgres://al%40ice:p%3Ass@db.example:6432/my%20db?sslmode=verify-full&application_name=x").unwrap();
        assert_eq!(get(&p, "user").as_deref(), Some("al@ice"));
        assert_eq!(get(&p, "password").as_deref(), Some("p:ss"));
        assert_eq!(get(&p, "host").as_deref(), Some("db.example"));
        assert_eq!(get(&p, "port").as_deref(), Some("6432"));
        assert_eq!(get(&p, "dbname").as_deref(), Some("my db"));
        assert_eq!(get(&p, "sslmode").as_deref(), Some("verify-full"));
        let multi = parse("postgresql://a:1,[::1]:2,c/db").unwrap();
        assert_eq!(get(&multi, "host").as_deref(), Some("a,::1,c"));
        assert_eq!(get(&multi, "port").as_deref(), Some("1,2,"));
        let socket = parse("postgres://%2Fvar%2Frun%2Fpostgresql/db").unwrap();
        assert_eq!(get(&socket, "host").as_deref(), Some("/var/run/postgresql"));
        assert!(parse("postgres://").unwrap().is_empty());
    }

    #[test]
    fn pairs_take_quotes_and_escapes() {
        let p = parse(r"host=h  port = 5 password='it''s' user=a\ b dbname='x\'y'").unwrap_err();
        assert!(p.contains("without \"=\""), "{p}");
        let p = parse(r"host=h  port = 5 password='a b\'c' user=a\ b").unwrap();
        assert_eq!(get(&p, "password").as_deref(), Some("a b'c"));
        assert_eq!(get(&p, "user").as_deref(), Some("a b"));
        assert_eq!(get(&p, "port").as_deref(), Some("5"));
        let back = parse(&render(&p)).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn wrong_shapes_say_what_is_wrong_without_repeating_the_text() {
        let e = parse("mysql://root:secret@h/db").unwrap_err();
        assert!(e.contains("mysql://") && e.contains("postgres://") && !e.contains("secret"), "{e}");
        let e = parse("postgress//u:secret@h/db").unwrap_err();
        assert!(e.contains("neither a postgres:// URL") && !e.contains("secret"), "{e}");
        assert!(parse("postgres://h:port/db").unwrap_err().contains("port"));
    }
}
