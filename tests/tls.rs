//! TLS and passwords as libpq handles them, against a real server started
//! with `ssl=on`, a certificate authority made here, `hostssl`-only access
//! and `scram-sha-256` passwords: each sslmode, a wrong root or host name
//! refused, a plain connection refused by the server, a client certificate,
//! and a password from the password file alone.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use pgstate::connection::{runtime, Environment, Target};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use support::pg::PgCluster;

const PASSWORD: &str = "s3cret-scram";

/// The certificates a test uses, in a directory of their own.
struct Certs {
    dir: PathBuf,
}

impl Certs {
    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }
}

/// A certificate authority (and an unrelated one), a server certificate for
/// `localhost` only, and a client certificate for user `certuser`.
fn make_certs(dir: &Path) -> Result<(), String> {
    let e = |e: rcgen::Error| e.to_string();
    let write = |name: &str, text: String| std::fs::write(dir.join(name), text).map_err(|e| e.to_string());
    let ca = |name: &str| -> Result<(CertificateParams, KeyPair, String), String> {
        let key = KeyPair::generate().map_err(e)?;
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(e)?;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let pem = params.self_signed(&key).map_err(e)?.pem();
        Ok((params, key, pem))
    };
    let (ca_params, ca_key, ca_pem) = ca("pgstate test CA")?;
    let (_, _, other_pem) = ca("some other CA")?;
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf = |sans: Vec<String>, cn: &str| -> Result<(String, String), String> {
        let key = KeyPair::generate().map_err(e)?;
        let mut params = CertificateParams::new(sans).map_err(e)?;
        params.distinguished_name.push(DnType::CommonName, cn);
        Ok((params.signed_by(&key, &issuer).map_err(e)?.pem(), key.serialize_pem()))
    };
    let (server_pem, server_key) = leaf(vec!["localhost".into()], "localhost")?;
    let (client_pem, client_key) = leaf(Vec::new(), "certuser")?;
    write("ca.crt", ca_pem)?;
    write("other-ca.crt", other_pem)?;
    write("server.crt", server_pem)?;
    write("server.key", server_key)?;
    write("client.crt", client_pem)?;
    write("client.key", client_key)?;
    for key in ["server.key", "client.key"] {
        std::fs::set_permissions(dir.join(key), std::fs::Permissions::from_mode(0o600)).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// One TLS cluster for this test binary.
fn tls_cluster() -> &'static (PgCluster, Certs) {
    static CLUSTER: OnceLock<(PgCluster, Certs)> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("pgstate-tls-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("cert dir");
        make_certs(&dir).expect("certificates");
        let certs = Certs { dir };
        let cluster = PgCluster::start_with(|data| {
            for f in ["ca.crt", "server.crt", "server.key"] {
                std::fs::copy(certs.dir.join(f), data.join(f)).map_err(|e| e.to_string())?;
            }
            let conf = "\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n\
                        ssl_ca_file = 'ca.crt'\npassword_encryption = 'scram-sha-256'\n";
            let mut text = std::fs::read_to_string(data.join("postgresql.conf")).map_err(|e| e.to_string())?;
            text.push_str(conf);
            std::fs::write(data.join("postgresql.conf"), text).map_err(|e| e.to_string())?;
            // TLS only over TCP: the test's own psql (user postgres) is trusted, the others authenticate.
            let hba = "local all all trust\n\
                       hostssl all postgres 127.0.0.1/32 trust\n\
                       hostssl all certuser 127.0.0.1/32 cert\n\
                       hostssl all all 127.0.0.1/32 scram-sha-256\n";
            std::fs::write(data.join("pg_hba.conf"), hba).map_err(|e| e.to_string())
        });
        let sql = format!("CREATE ROLE app LOGIN PASSWORD '{PASSWORD}'; CREATE ROLE certuser LOGIN;");
        cluster.db("postgres").psql(&sql).expect("roles");
        (cluster, certs)
    })
}

/// An environment with nothing but a home directory without `.postgresql`.
fn bare_env() -> Environment {
    Environment::from_pairs([("HOME", "/nonexistent-home")])
}

/// Connects and says whether the session is encrypted, or the error's text.
fn try_connect(target: &Target) -> Result<bool, String> {
    runtime().expect("runtime").block_on(async {
        let client = target.connect().await.map_err(|e| e.to_string())?;
        let row = client
            .query_one("SELECT coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false)", &[])
            .await
            .map_err(|e| e.to_string())?;
        Ok(row.get(0))
    })
}

/// `key=value` conninfo for user `app` on the TLS cluster, reached at 127.0.0.1 as `host`.
fn app(host: &str, extra: &str) -> Target {
    let (cluster, _) = tls_cluster();
    let text = format!(
        "host={host} hostaddr=127.0.0.1 port={} user=app password={PASSWORD} dbname=postgres {extra}",
        cluster.port()
    );
    Target::parse_with(&text, &bare_env()).expect("parses")
}

#[test]
fn verify_full_connects_and_a_wrong_host_name_or_root_is_refused() {
    let (_, certs) = tls_cluster();
    let ca = certs.path("ca.crt");
    let other = certs.path("other-ca.crt");
    assert_eq!(try_connect(&app("localhost", &format!("sslmode=verify-full sslrootcert={ca}"))), Ok(true));

    let wrong_name = try_connect(&app("127.0.0.1", &format!("sslmode=verify-full sslrootcert={ca}"))).unwrap_err();
    assert!(wrong_name.contains("certificate") && wrong_name.contains("127.0.0.1"), "{wrong_name}");
    assert!(!wrong_name.contains('\n') && !wrong_name.contains(PASSWORD), "{wrong_name}");
    let wrong_root = try_connect(&app("localhost", &format!("sslmode=verify-full sslrootcert={other}"))).unwrap_err();
    assert!(wrong_root.contains("certificate") && wrong_root.contains("UnknownIssuer"), "{wrong_root}");

    // verify-ca checks the chain only; require checks nothing without a root, the chain with one.
    assert_eq!(try_connect(&app("127.0.0.1", &format!("sslmode=verify-ca sslrootcert={ca}"))), Ok(true));
    let ca_wrong = try_connect(&app("localhost", &format!("sslmode=verify-ca sslrootcert={other}"))).unwrap_err();
    assert!(ca_wrong.contains("UnknownIssuer"), "{ca_wrong}");
    assert_eq!(try_connect(&app("127.0.0.1", "sslmode=require")), Ok(true));
    let require_root = try_connect(&app("localhost", &format!("sslmode=require sslrootcert={other}"))).unwrap_err();
    assert!(require_root.contains("UnknownIssuer"), "require with a root verifies: {require_root}");
    assert_eq!(try_connect(&app("127.0.0.1", "")), Ok(true), "prefer (the default) encrypts when it can");
}

#[test]
fn verify_modes_without_a_root_certificate_are_refused_before_connecting() {
    let text = "host=localhost sslmode=verify-full user=app";
    let err = Target::parse_with(text, &bare_env()).err().expect("refused").to_string();
    assert!(err.contains("root certificate file") && err.contains("sslrootcert=system"), "{err}");
}

#[test]
fn sslmode_disable_against_a_hostssl_only_server_fails_clearly() {
    let err = try_connect(&app("localhost", "sslmode=disable")).unwrap_err();
    assert!(err.contains("app@localhost:") && err.contains("no encryption"), "{err}");
    assert!(!err.contains(PASSWORD), "{err}");
}

#[test]
fn require_fails_against_a_plain_server_and_prefer_falls_back() {
    let db = PgCluster::shared().fresh_db("plain");
    let plain = |mode: &str| {
        let text = format!("host=127.0.0.1 port={} user=postgres dbname={} sslmode={mode}", db.port, db.name);
        try_connect(&Target::parse_with(&text, &bare_env()).expect("parses"))
    };
    assert_eq!(plain("prefer"), Ok(false));
    assert_eq!(plain("disable"), Ok(false));
    let err = plain("require").unwrap_err();
    assert!(err.contains("server does not support TLS"), "{err}");
}

#[test]
fn a_client_certificate_authenticates_and_a_readable_key_is_refused() {
    let (cluster, certs) = tls_cluster();
    let text = format!(
        "host=localhost hostaddr=127.0.0.1 port={} user=certuser dbname=postgres sslmode=verify-full \
         sslrootcert={} sslcert={} sslkey={}",
        cluster.port(),
        certs.path("ca.crt"),
        certs.path("client.crt"),
        certs.path("client.key")
    );
    assert_eq!(try_connect(&Target::parse_with(&text, &bare_env()).expect("parses")), Ok(true));

    let loose = certs.dir.join("loose.key");
    std::fs::copy(certs.dir.join("client.key"), &loose).expect("copy");
    std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let text = text.replace(&certs.path("client.key"), &loose.display().to_string());
    let err = try_connect(&Target::parse_with(&text, &bare_env()).expect("parses")).unwrap_err();
    assert!(err.contains("group or world access"), "{err}");
}

/// `pgstate current` in an empty directory with only these variables about the database.
fn pgstate_with_env(vars: &[(&str, String)]) -> Output {
    let dir = std::env::temp_dir().join(format!("pgstate-tls-cwd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pgstate"));
    cmd.arg("current").current_dir(&dir);
    for (k, _) in std::env::vars() {
        if k.starts_with("PG") || k == "DATABASE_URL" {
            cmd.env_remove(k);
        }
    }
    cmd.envs(vars.iter().map(|(k, v)| (*k, v.as_str())));
    cmd.output().expect("pgstate runs")
}

#[test]
fn a_scram_password_from_the_password_file_alone_works_without_url() {
    let (cluster, certs) = tls_cluster();
    let home = certs.dir.join("home");
    std::fs::create_dir_all(&home).expect("home");
    let passfile = home.join("pgpass");
    std::fs::write(&passfile, format!("# app's password\nlocalhost:{}:postgres:app:{PASSWORD}\n", cluster.port()))
        .expect("pgpass");
    std::fs::set_permissions(&passfile, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let vars = vec![
        ("HOME", home.display().to_string()),
        ("PGHOST", "localhost".to_string()),
        ("PGHOSTADDR", "127.0.0.1".to_string()),
        ("PGPORT", cluster.port().to_string()),
        ("PGUSER", "app".to_string()),
        ("PGDATABASE", "postgres".to_string()),
        ("PGSSLMODE", "verify-full".to_string()),
        ("PGSSLROOTCERT", certs.path("ca.crt")),
        ("PGPASSFILE", passfile.display().to_string()),
    ];
    let out = pgstate_with_env(&vars);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("pgstate: no revision applied"));

    // Readable by others: ignored with libpq's warning, and the server then refuses.
    std::fs::set_permissions(&passfile, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let out = pgstate_with_env(&vars);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("has group or world access"), "{err}");
    assert!(err.contains("app@localhost:") && err.contains("password"), "{err}");
}
