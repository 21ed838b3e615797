//! TLS settings for talking to vCenter: verified by default, with extra CAs (`--ca-file`), a
//! pinned certificate (`--thumbprint`, SHA-256), or no verification at all (`--insecure`).
//!
//! The rustls configuration is built here for every mode so that a certificate failure can name
//! the server certificate's SHA-256 thumbprint, which is what an admin needs to pin it.
//!
//! Handshake signatures are always verified against the presented certificate's key. ring (the
//! rustls backend) refuses RSA keys under 2048 bits, which old vCenter/ESXi appliances and vcsim
//! still carry; under `--thumbprint` and `--insecure` such keys are checked with RustCrypto's `rsa`
//! instead (PKCS#1 v1.5 and PSS), so a pinned certificate presented by a server that does not hold
//! its private key is refused. Default verification keeps refusing them.
//!
//! The HTTP client never follows a redirect (a `Login` body carries the password); that every
//! target URL is `https` is checked where `--server` is parsed.

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::{CertificateError, DigitallySignedStruct, OtherError, RootCertStore, SignatureScheme};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

mod weak_rsa;

/// How the server certificate is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsMode {
    /// Verify against the system's trusted CAs plus these PEM files.
    Verify { ca_files: Vec<PathBuf> },
    /// Accept exactly the certificate with this SHA-256 thumbprint.
    Thumbprint(Thumbprint),
    /// Accept any certificate.
    Insecure,
}

impl Default for TlsMode {
    fn default() -> Self {
        TlsMode::Verify {
            ca_files: Vec::new(),
        }
    }
}

/// A SHA-256 certificate fingerprint.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Thumbprint(pub [u8; 32]);

impl Thumbprint {
    pub fn of(der: &[u8]) -> Thumbprint {
        Thumbprint(Sha256::digest(der).into())
    }
}

impl std::fmt::Display for Thumbprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for Thumbprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Thumbprint({self})")
    }
}

impl FromStr for Thumbprint {
    type Err = String;

    /// `AA:BB:...` or plain hex, any case; 32 bytes.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let hex: String = s
            .chars()
            .filter(|c| *c != ':' && !c.is_whitespace())
            .collect();
        if let Some(bad) = hex.chars().find(|c| !c.is_ascii_hexdigit()) {
            return Err(format!(
                "thumbprint has a character that is not hex: '{bad}'"
            ));
        }
        if hex.len() == 40 {
            return Err(
                "thumbprint looks like SHA-1 (20 bytes); give the SHA-256 fingerprint (32 bytes), e.g. from `openssl x509 -noout -fingerprint -sha256`"
                    .into(),
            );
        }
        if hex.len() != 64 {
            return Err(format!(
                "thumbprint must be a SHA-256 fingerprint of 32 bytes (64 hex digits), got {} hex digits",
                hex.len()
            ));
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("checked hex");
        }
        Ok(Thumbprint(out))
    }
}

/// A TLS setting that could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read CA file {path}: {reason}")]
    CaFile { path: String, reason: String },
    #[error("CA file {0} holds no PEM certificate")]
    CaFileEmpty(String),
    #[error("cannot set up TLS: {0}")]
    Setup(String),
}

/// The server presented a certificate other than the pinned one.
#[derive(Debug)]
struct ThumbprintMismatch {
    presented: Thumbprint,
    pinned: Thumbprint,
}

impl std::fmt::Display for ThumbprintMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the server's certificate has SHA-256 thumbprint {}, not the pinned {}",
            self.presented, self.pinned
        )
    }
}

impl std::error::Error for ThumbprintMismatch {}

/// The certificate was not trusted; carries the presented thumbprint for the message.
#[derive(Debug)]
struct Untrusted {
    reason: String,
    presented: Thumbprint,
    /// Whether trusting a CA (`--ca-file`) could make it pass: not for an expired or misnamed
    /// certificate, a CA certificate used as the server's, or a key ring cannot check.
    ca_helps: bool,
}

impl std::fmt::Display for Untrusted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}; its SHA-256 thumbprint is {}",
            self.reason, self.presented
        )
    }
}

impl std::error::Error for Untrusted {}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Checks the certificate according to the mode; handshake signatures are always verified.
#[derive(Debug)]
struct Verifier {
    mode: VerifyMode,
    provider: Arc<CryptoProvider>,
}

#[derive(Debug)]
enum VerifyMode {
    WebPki(Arc<WebPkiServerVerifier>),
    Pinned(Thumbprint),
    Any,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let presented = Thumbprint::of(end_entity.as_ref());
        match &self.mode {
            VerifyMode::Any => Ok(ServerCertVerified::assertion()),
            VerifyMode::Pinned(pinned) if *pinned == presented => {
                Ok(ServerCertVerified::assertion())
            }
            VerifyMode::Pinned(pinned) => Err(rustls::Error::InvalidCertificate(
                CertificateError::Other(OtherError(Arc::new(ThumbprintMismatch {
                    presented,
                    pinned: *pinned,
                }))),
            )),
            VerifyMode::WebPki(inner) => inner
                .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
                .and_then(|ok| match weak_rsa_key(end_entity) {
                    // The chain is trusted but ring cannot check the handshake with this key.
                    Some(_) => Err(rustls::Error::InvalidCertificate(
                        CertificateError::BadSignature,
                    )),
                    None => Ok(ok),
                })
                .map_err(|e| {
                    let (reason, ca_helps) = if let Some(bits) = weak_rsa_key(end_entity) {
                        (
                            format!(
                                "its key is RSA-{bits}, which verification against CAs refuses (2048 bits at least)"
                            ),
                            false,
                        )
                    } else {
                        match &e {
                            rustls::Error::InvalidCertificate(c) => (
                                describe_cert_error(c),
                                matches!(c, CertificateError::UnknownIssuer),
                            ),
                            other => (other.to_string(), false),
                        }
                    };
                    rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(
                        Arc::new(Untrusted {
                            reason,
                            presented,
                            ca_helps,
                        }),
                    )))
                }),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        if let Some(key) = self.fallback_key(cert) {
            return weak_rsa::verify(&key, message, dss, false);
        }
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        if let Some(key) = self.fallback_key(cert) {
            return weak_rsa::verify(&key, message, dss, true);
        }
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

impl Verifier {
    /// The RSA key to check a handshake signature with RustCrypto instead of ring: only for a
    /// pinned or accepted-anyway certificate whose key ring refuses.
    fn fallback_key(&self, cert: &CertificateDer<'_>) -> Option<rsa::RsaPublicKey> {
        match self.mode {
            VerifyMode::Pinned(_) | VerifyMode::Any => weak_rsa::public_key(cert),
            VerifyMode::WebPki(_) => None,
        }
    }
}

/// The bit size of the certificate's RSA key when ring refuses it (under 2048 bits).
fn weak_rsa_key(cert: &CertificateDer<'_>) -> Option<usize> {
    use rsa::traits::PublicKeyParts;
    weak_rsa::public_key(cert).map(|k| k.n().bits())
}

fn describe_cert_error(e: &CertificateError) -> String {
    match e {
        CertificateError::UnknownIssuer => "it is not signed by a trusted CA".into(),
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            "it has expired".into()
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            "it is not valid for this server name".into()
        }
        CertificateError::BadSignature => {
            "a signature does not verify with its key (a damaged certificate, or a server that does not hold its private key)".into()
        }
        CertificateError::Other(OtherError(inner)) if format!("{inner:?}").contains("CaUsedAsEndEntity") => {
            "it is a CA certificate used as the server certificate".into()
        }
        other => format!("{other:?}"),
    }
}

fn load_roots(ca_files: &[PathBuf]) -> Result<RootCertStore, TlsError> {
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for cert in native.certs {
        // A system certificate rustls cannot use is skipped, as browsers do.
        let _ = roots.add(cert);
    }
    for path in ca_files {
        let shown = path.display().to_string();
        let pem = std::fs::read(path).map_err(|e| TlsError::CaFile {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        let mut added = 0;
        for cert in rustls_pemfile_certs(&pem, &shown)? {
            roots.add(cert).map_err(|e| TlsError::CaFile {
                path: shown.clone(),
                reason: e.to_string(),
            })?;
            added += 1;
        }
        if added == 0 {
            return Err(TlsError::CaFileEmpty(shown));
        }
    }
    Ok(roots)
}

fn rustls_pemfile_certs(pem: &[u8], shown: &str) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    use rustls_pki_types::pem::PemObject;
    CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::CaFile {
            path: shown.to_string(),
            reason: e.to_string(),
        })
}

/// An HTTP client for vCenter with the TLS mode applied. Cookies are handled by the SOAP layer.
pub fn http_client(mode: &TlsMode) -> Result<reqwest::Client, TlsError> {
    http_client_timed(mode, None)
}

/// [`http_client`] whose connections time out after `idle` without progress: connecting, and
/// each gap between bytes of an answer (a slow answer that keeps coming is not cut off).
pub fn http_client_timed(
    mode: &TlsMode,
    idle: Option<std::time::Duration>,
) -> Result<reqwest::Client, TlsError> {
    let provider = provider();
    let verify_mode = match mode {
        TlsMode::Insecure => VerifyMode::Any,
        TlsMode::Thumbprint(t) => VerifyMode::Pinned(*t),
        TlsMode::Verify { ca_files } => {
            let roots = load_roots(ca_files)?;
            if roots.is_empty() {
                log::warn!("no trusted CA certificates found on this system; use --ca-file");
            }
            let inner =
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                    .build()
                    .map_err(|e| TlsError::Setup(e.to_string()))?;
            VerifyMode::WebPki(inner)
        }
    };
    let verifier = Arc::new(Verifier {
        mode: verify_mode,
        provider: provider.clone(),
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Setup(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    let mut builder = reqwest::Client::builder();
    if let Some(idle) = idle {
        builder = builder.connect_timeout(idle).read_timeout(idle);
    }
    builder
        .use_preconfigured_tls(config)
        // A redirect would re-send the request (a Login carries the password) elsewhere.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("vcaudit/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| TlsError::Setup(e.to_string()))
}

/// Why the server's certificate was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertProblem {
    /// Verification against the trusted CAs failed: why, the presented thumbprint, and whether
    /// trusting another CA could help.
    Untrusted {
        reason: String,
        presented: String,
        ca_helps: bool,
    },
    /// The pinned thumbprint is not the presented one.
    PinMismatch(String),
    /// The certificate or the handshake cannot be verified (e.g. a server that presents a
    /// certificate whose key it does not hold).
    Unusable(String),
}

impl std::fmt::Display for CertProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CertProblem::Untrusted {
                reason, presented, ..
            } => write!(f, "{reason}; its SHA-256 thumbprint is {presented}"),
            CertProblem::PinMismatch(s) | CertProblem::Unusable(s) => f.write_str(s),
        }
    }
}

/// When a request failed because the certificate was refused, why.
pub fn certificate_problem(e: &(dyn std::error::Error + 'static)) -> Option<CertProblem> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(found) = as_cert_problem(err) {
            return Some(found);
        }
        // io::Error::source() skips the error it wraps, and hyper wraps io errors in io errors:
        // look inside with get_ref() instead.
        cur = match err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    None
}

fn as_cert_problem(err: &(dyn std::error::Error + 'static)) -> Option<CertProblem> {
    let rustls_err = err.downcast_ref::<rustls::Error>()?;
    let rustls::Error::InvalidCertificate(c) = rustls_err else {
        return None;
    };
    if let CertificateError::Other(OtherError(inner)) = c {
        if let Some(m) = inner.downcast_ref::<ThumbprintMismatch>() {
            return Some(CertProblem::PinMismatch(m.to_string()));
        }
        if let Some(m) = inner.downcast_ref::<weak_rsa::SignatureMismatch>() {
            return Some(CertProblem::Unusable(m.to_string()));
        }
        if let Some(u) = inner.downcast_ref::<Untrusted>() {
            return Some(CertProblem::Untrusted {
                reason: u.reason.clone(),
                presented: u.presented.to_string(),
                ca_helps: u.ca_helps,
            });
        }
    }
    Some(CertProblem::Unusable(describe_cert_error(c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbprint_parses_colon_and_plain_hex() {
        let colon = "44:8F:62:8A:8A:65:AA:18:56:0E:53:A8:0C:53:AC:B3:8C:51:B4:27:DF:03:34:08:23:49:14:11:47:DC:9B:F6";
        let t: Thumbprint = colon.parse().unwrap();
        assert_eq!(t.to_string(), colon);
        let plain: Thumbprint = colon.replace(':', "").to_lowercase().parse().unwrap();
        assert_eq!(plain, t);
    }

    #[test]
    fn thumbprint_errors_say_what_is_wrong() {
        assert!("zz".parse::<Thumbprint>().unwrap_err().contains("not hex"));
        let sha1 = "AB".repeat(20);
        assert!(sha1.parse::<Thumbprint>().unwrap_err().contains("SHA-1"));
        assert!(
            "ABCD"
                .parse::<Thumbprint>()
                .unwrap_err()
                .contains("got 4 hex digits")
        );
    }

    #[test]
    fn missing_ca_file_is_named() {
        let err = http_client(&TlsMode::Verify {
            ca_files: vec!["/nonexistent/ca.pem".into()],
        })
        .unwrap_err();
        assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");
    }

    #[test]
    fn ca_file_without_certificates_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("empty.pem");
        std::fs::write(&path, "not a pem\n").unwrap();
        let err = http_client(&TlsMode::Verify {
            ca_files: vec![path],
        })
        .unwrap_err();
        assert!(err.to_string().contains("no PEM certificate"), "{err}");
    }
}
