//! TLS as libpq's `sslmode` means it, with rustls (ring):
//! `disable` never, `allow` / `prefer` when the server offers it (not
//! verified), `require` always (verified as `verify-ca` when a root
//! certificate is given or `~/.postgresql/root.crt` exists), `verify-ca` the
//! chain, `verify-full` the chain and the host name. `sslrootcert=system`
//! uses the system's roots and asks for `verify-full`. A client certificate
//! (`sslcert` / `sslkey`, default `~/.postgresql/postgresql.crt` / `.key`) is
//! sent when present.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use super::conninfo::Params;
use super::environment::Environment;

/// libpq's `sslmode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SslMode {
    /// Never encrypt.
    Disable,
    /// Encrypt if the server insists (treated as `prefer`).
    Allow,
    /// Encrypt when the server can; no verification.
    Prefer,
    /// Always encrypt; verify only when a root certificate is at hand.
    Require,
    /// Always encrypt; the server's certificate chains to a trusted root.
    VerifyCa,
    /// As `verify-ca`, and the certificate names the host connected to.
    VerifyFull,
}

impl SslMode {
    fn parse(text: &str) -> Result<SslMode, String> {
        Ok(match text {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => {
                return Err(format!(
                    "invalid sslmode {other:?}: use disable, allow, prefer, require, verify-ca or verify-full"
                ))
            }
        })
    }

    /// The mode tokio-postgres negotiates with (it knows no verification).
    pub fn negotiation(self) -> tokio_postgres::config::SslMode {
        match self {
            SslMode::Disable => tokio_postgres::config::SslMode::Disable,
            SslMode::Allow | SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => tokio_postgres::config::SslMode::Require,
        }
    }
}

/// How the server's certificate is checked.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Verify {
    /// Not at all (`prefer`, `require` without a root certificate).
    Nothing,
    /// Its chain to these roots.
    Chain(Roots),
    /// Its chain and its name.
    Full(Roots),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Roots {
    File(PathBuf),
    System,
}

/// The TLS settings of one target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tls {
    /// The mode asked for.
    pub mode: SslMode,
    verify: Verify,
    client: Option<(PathBuf, PathBuf)>,
}

/// Takes the TLS keywords out of `params` (tokio-postgres knows only some of
/// them) and settles what they mean, as libpq does.
pub fn take(params: &mut Params, env: &Environment) -> Result<Tls, String> {
    let mode = params.shift_remove("sslmode");
    let root = params.shift_remove("sslrootcert");
    let cert = params.shift_remove("sslcert");
    let key = params.shift_remove("sslkey");
    for unsupported in ["sslcrl", "sslcrldir", "sslpassword"] {
        if params.shift_remove(unsupported).is_some_and(|v| !v.is_empty()) {
            return Err(format!("{unsupported} is not supported by pgstate"));
        }
    }
    let pg_dir = env.home().map(|h| h.join(".postgresql"));
    let system = root.as_deref() == Some("system");
    let mode = match mode.as_deref() {
        Some(m) => SslMode::parse(m)?,
        None if system => SslMode::VerifyFull,
        None => SslMode::Prefer,
    };
    if system && mode != SslMode::VerifyFull {
        return Err(format!(
            "weak sslmode {:?} may not be used with sslrootcert=system (use \"verify-full\")",
            mode_name(mode)
        ));
    }
    let root = match root {
        Some(r) if r == "system" => Some(Roots::System),
        Some(r) => Some(Roots::File(PathBuf::from(r))),
        None => pg_dir.as_ref().map(|d| d.join("root.crt")).filter(|p| p.exists()).map(Roots::File),
    };
    let verify = match mode {
        SslMode::Disable | SslMode::Allow | SslMode::Prefer => Verify::Nothing,
        SslMode::Require => root.map(Verify::Chain).unwrap_or(Verify::Nothing),
        SslMode::VerifyCa | SslMode::VerifyFull => {
            let Some(root) = root else {
                let default =
                    pg_dir.map(|d| d.join("root.crt").display().to_string()).unwrap_or("~/.postgresql/root.crt".into());
                return Err(format!(
                    "root certificate file {default} does not exist: give sslrootcert, use the system's roots \
                     with sslrootcert=system, or an sslmode that does not verify the server"
                ));
            };
            if mode == SslMode::VerifyFull {
                Verify::Full(root)
            } else {
                Verify::Chain(root)
            }
        }
    };
    let default = |name: &str| pg_dir.as_ref().map(|d| d.join(name)).filter(|p| p.exists());
    let cert = cert.map(PathBuf::from).or_else(|| default("postgresql.crt"));
    let key = key.map(PathBuf::from).or_else(|| default("postgresql.key"));
    let client = match (cert, key) {
        (Some(c), Some(k)) => Some((c, k)),
        (Some(c), None) => return Err(format!("certificate {} given without its key (sslkey)", c.display())),
        (None, _) => None,
    };
    Ok(Tls { mode, verify, client })
}

fn mode_name(mode: SslMode) -> &'static str {
    match mode {
        SslMode::Disable => "disable",
        SslMode::Allow => "allow",
        SslMode::Prefer => "prefer",
        SslMode::Require => "require",
        SslMode::VerifyCa => "verify-ca",
        SslMode::VerifyFull => "verify-full",
    }
}

impl Tls {
    /// No TLS at all (the throwaway server's socket).
    pub fn disabled() -> Tls {
        Tls { mode: SslMode::Disable, verify: Verify::Nothing, client: None }
    }

    /// The rustls configuration for this target: its verifier and client certificate.
    pub fn client_config(&self) -> Result<ClientConfig, String> {
        // ring builds with a plain C compiler (aws-lc-rs needs cmake); its lack of
        // post-quantum key exchange is what rustls deprecates it for.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier: Arc<dyn ServerCertVerifier> = match &self.verify {
            Verify::Nothing => Arc::new(Unverified(provider.clone())),
            Verify::Chain(roots) => {
                Arc::new(ChainOnly { roots: Arc::new(load_roots(roots)?), provider: provider.clone() })
            }
            Verify::Full(roots) => {
                WebPkiServerVerifier::builder_with_provider(Arc::new(load_roots(roots)?), provider.clone())
                    .build()
                    .map_err(|e| format!("root certificates: {e}"))?
            }
        };
        let builder = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS setup: {e}"))?
            .dangerous()
            .with_custom_certificate_verifier(verifier);
        match &self.client {
            None => Ok(builder.with_no_client_auth()),
            Some((cert, key)) => {
                check_key_permissions(key)?;
                let certs = CertificateDer::pem_file_iter(cert)
                    .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                    .map_err(|e| format!("client certificate {}: {e}", cert.display()))?;
                let key_der =
                    PrivateKeyDer::from_pem_file(key).map_err(|e| format!("client key {}: {e}", key.display()))?;
                builder.with_client_auth_cert(certs, key_der).map_err(|e| format!("client certificate: {e}"))
            }
        }
    }
}

/// The trusted roots: a PEM file, or the system's.
fn load_roots(roots: &Roots) -> Result<RootCertStore, String> {
    let mut store = RootCertStore::empty();
    match roots {
        Roots::File(path) => {
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                .map_err(|e| format!("root certificate file {}: {e}", path.display()))?;
            let (added, _) = store.add_parsable_certificates(certs);
            if added == 0 {
                return Err(format!("root certificate file {} holds no certificate", path.display()));
            }
        }
        Roots::System => {
            let found = rustls_native_certs::load_native_certs();
            store.add_parsable_certificates(found.certs);
            if store.is_empty() {
                return Err("sslrootcert=system: no system root certificates found".into());
            }
        }
    }
    Ok(store)
}

/// libpq refuses a private key others can read (0600, or 0640 when root owns it).
fn check_key_permissions(key: &Path) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(key).map_err(|e| format!("client key {}: {e}", key.display()))?;
    let mode = meta.mode() & 0o777;
    let allowed = if meta.uid() == 0 { 0o640 } else { 0o600 };
    if mode & !allowed != 0 {
        return Err(format!(
            "private key file {} has group or world access; permissions should be u=rw (0600) or less",
            key.display()
        ));
    }
    Ok(())
}

/// `prefer` / `require` without a root: encryption without verification
/// (handshake signatures are still checked).
#[derive(Debug)]
struct Unverified(Arc<CryptoProvider>);

/// `verify-ca`: the chain, not the name.
#[derive(Debug)]
struct ChainOnly {
    roots: Arc<RootCertStore>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let cert = ParsedCertificate::try_from(end_entity)?;
        rustls::client::verify_server_cert_signed_by_trust_anchor(
            &cert,
            &self.roots,
            intermediates,
            now,
            self.provider.signature_verification_algorithms.all,
        )?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settle(pairs: &[(&str, &str)]) -> Result<Tls, String> {
        let mut params: Params = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        take(&mut params, &Environment::from_pairs([("HOME", "/nonexistent-home")]))
    }

    #[test]
    fn modes_settle_as_libpq_does() {
        assert_eq!(settle(&[]).unwrap().mode, SslMode::Prefer);
        assert_eq!(settle(&[("sslmode", "require")]).unwrap().verify, Verify::Nothing);
        let with_root = settle(&[("sslmode", "require"), ("sslrootcert", "/ca.pem")]).unwrap();
        assert_eq!(with_root.verify, Verify::Chain(Roots::File("/ca.pem".into())));
        let system = settle(&[("sslrootcert", "system")]).unwrap();
        assert_eq!((system.mode, system.verify), (SslMode::VerifyFull, Verify::Full(Roots::System)));
        assert!(settle(&[("sslmode", "require"), ("sslrootcert", "system")]).unwrap_err().contains("weak sslmode"));
        assert!(settle(&[("sslmode", "verify-full")]).unwrap_err().contains("root certificate file"));
        assert!(settle(&[("sslmode", "bogus")]).unwrap_err().contains("invalid sslmode"));
    }
}
