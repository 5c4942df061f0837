//! TLS for every connection to RingCentral: one verifier trusting what the system trusts plus the
//! company CAs the user adds (`SSL_CERT_FILE`, `ca_file` in config.toml), shared by the REST client
//! (ALPN h2 and http/1.1) and the WebSocket connection (ALPN http/1.1). A certificate from an issuer
//! nobody trusts fails with [`UntrustedIssuer`], which names the host, the issuer and the fix.
use std::error::Error as StdError;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, OtherError, SignatureScheme};

use super::error::ApiError;
use crate::text::clean_server_text;

/// The variable curl, Python and Go read a CA bundle from; callboard adds its certificates.
pub const CA_FILE_VAR: &str = "SSL_CERT_FILE";
/// The variable naming directories of CA certificates (OpenSSL's convention); read as `SSL_CERT_FILE` is.
pub const CA_DIR_VAR: &str = "SSL_CERT_DIR";
/// The config-file setting that adds a company CA.
pub const CA_FILE_KEY: &str = "ca_file in config.toml";

/// A PEM file of extra CA certificates to trust, and the setting that named it (for its errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaFile {
    pub path: PathBuf,
    /// [`CA_FILE_VAR`] or [`CA_FILE_KEY`].
    pub setting: &'static str,
}

impl CaFile {
    /// The CA file named by `value` of `setting`, or `None` for an empty value.
    pub fn named(value: &str, setting: &'static str) -> Option<CaFile> {
        let value = value.trim();
        (!value.is_empty()).then(|| CaFile {
            path: PathBuf::from(value),
            setting,
        })
    }
}

impl fmt::Display for CaFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.path.display(), self.setting)
    }
}

/// The TLS configurations of the two kinds of connection, sharing one verifier.
#[derive(Debug, Clone)]
pub struct ClientTls {
    /// REST: ALPN h2 and http/1.1.
    pub rest: Arc<rustls::ClientConfig>,
    /// The WebSocket gateway: ALPN http/1.1.
    pub websocket: Arc<rustls::ClientConfig>,
}

/// Builds the TLS configurations trusting the system's roots and every certificate in `ca_files`. A
/// missing, unreadable or empty file is a configuration error naming it and its setting.
pub fn client_tls(ca_files: &[CaFile]) -> Result<ClientTls, ApiError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut extra = Vec::new();
    for file in ca_files {
        extra.extend(read_ca_file(file)?);
    }
    extra.extend(system_roots_beside_env());
    let platform = rustls_platform_verifier::Verifier::new_with_extra_roots(extra, provider.clone())
        .map_err(|e| ApiError::Config(format!("cannot load the trusted certificate authorities: {e}")))?;
    let verifier = Arc::new(Explaining(platform));
    let config = |alpn: &[&[u8]]| -> Result<Arc<rustls::ClientConfig>, ApiError> {
        let mut config = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| ApiError::Config(format!("cannot set up TLS: {e}")))?
            .dangerous()
            .with_custom_certificate_verifier(verifier.clone())
            .with_no_client_auth();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        Ok(Arc::new(config))
    };
    Ok(ClientTls {
        rest: config(&[b"h2", b"http/1.1"])?,
        websocket: config(&[b"http/1.1"])?,
    })
}

/// The certificates of one CA file, each checked usable as a trust anchor.
fn read_ca_file(file: &CaFile) -> Result<Vec<CertificateDer<'static>>, ApiError> {
    let fail = |what: String| {
        ApiError::Config(format!(
            "the CA file {} named by {} {what}; point {} at a PEM file of your company's CA certificate(s)",
            file.path.display(),
            file.setting,
            file.setting,
        ))
    };
    let pem = std::fs::read(&file.path).map_err(|e| fail(format!("cannot be read ({e})")))?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| fail(format!("is not readable PEM ({e})")))?;
    if certs.is_empty() {
        return Err(fail(
            "holds no certificate (no -----BEGIN CERTIFICATE----- block)".into(),
        ));
    }
    for cert in &certs {
        rustls::RootCertStore::empty()
            .add(cert.clone())
            .map_err(|e| fail(format!("holds a certificate that cannot be used ({e})")))?;
    }
    Ok(certs)
}

/// The system's own roots when `SSL_CERT_FILE` or `SSL_CERT_DIR` is set. On Linux and the BSDs the
/// platform verifier reads either *instead of* the system's roots (as OpenSSL does); callboard adds what
/// they name to the system's roots.
#[cfg(all(unix, not(target_vendor = "apple"), not(target_os = "android")))]
fn system_roots_beside_env() -> Vec<CertificateDer<'static>> {
    if !replaces_system_roots(|name| std::env::var_os(name)) {
        return Vec::new();
    }
    openssl_probe::candidate_cert_dirs()
        .flat_map(|dir| rustls_native_certs::load_certs_from_paths(None, Some(dir)).certs)
        .filter(|cert| rustls::RootCertStore::empty().add(cert.clone()).is_ok())
        .collect()
}

/// Whether the variables `env` looks up make the platform verifier read certificates from them instead of
/// the system's (rustls-native-certs' rule: either variable set).
#[cfg(all(unix, not(target_vendor = "apple"), not(target_os = "android")))]
fn replaces_system_roots(env: impl Fn(&str) -> Option<std::ffi::OsString>) -> bool {
    [CA_FILE_VAR, CA_DIR_VAR]
        .into_iter()
        .any(|name| env(name).is_some())
}

/// Elsewhere the platform's roots do not depend on `SSL_CERT_FILE`.
#[cfg(not(all(unix, not(target_vendor = "apple"), not(target_os = "android"))))]
fn system_roots_beside_env() -> Vec<CertificateDer<'static>> {
    Vec::new()
}

/// A certificate chain whose issuer this machine does not trust.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the certificate of {host} is issued by \"{issuer}\", which this machine does not trust: a company \
     network may be intercepting TLS; add its CA with {CA_FILE_VAR}=/path/to/ca.pem or {CA_FILE_KEY}"
)]
pub struct UntrustedIssuer {
    /// The server's name as the client asked for it.
    pub host: String,
    /// The issuer of the last certificate the server presented (cleaned for display).
    pub issuer: String,
}

/// The [`UntrustedIssuer`] somewhere in `error`'s chain (through I/O and rustls errors), if any.
pub fn untrusted_issuer<'a>(error: &'a (dyn StdError + 'static)) -> Option<&'a UntrustedIssuer> {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(found) = e.downcast_ref::<UntrustedIssuer>() {
            return Some(found);
        }
        if let Some(rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(inner)))) =
            e.downcast_ref::<rustls::Error>()
        {
            return inner.downcast_ref::<UntrustedIssuer>();
        }
        // `io::Error::source` skips the error it wraps; look at that one too.
        if let Some(found) = e
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
            .and_then(|inner| untrusted_issuer(inner))
        {
            return Some(found);
        }
        next = e.source();
    }
    None
}

/// The issuer's name of a certificate, as `CN=…, O=…` (cleaned for display), or a placeholder.
pub fn issuer_name(cert: &CertificateDer<'_>) -> String {
    match x509_parser::parse_x509_certificate(cert.as_ref()) {
        Ok((_, parsed)) => clean_server_text(&parsed.issuer().to_string(), &[]),
        Err(_) => "an unreadable issuer".to_owned(),
    }
}

/// The platform verifier, with an unknown issuer turned into an [`UntrustedIssuer`].
#[derive(Debug)]
struct Explaining(rustls_platform_verifier::Verifier);

impl ServerCertVerifier for Explaining {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            .map_err(|e| match e {
                rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
                    let top = intermediates.last().unwrap_or(end_entity);
                    let untrusted = UntrustedIssuer {
                        host: clean_server_text(&server_name.to_str(), &[]),
                        issuer: issuer_name(top),
                    };
                    rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(
                        untrusted,
                    ))))
                }
                other => other,
            })
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }

    fn root_hint_subjects(&self) -> Option<&[DistinguishedName]> {
        self.0.root_hint_subjects()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(contents: Option<&[u8]>, setting: &'static str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("company-ca.pem");
        if let Some(contents) = contents {
            std::fs::write(&path, contents).unwrap();
        }
        let file = CaFile { path, setting };
        match client_tls(&[file]) {
            Err(ApiError::Config(message)) => message,
            other => panic!("not a configuration error: {other:?}"),
        }
    }

    #[test]
    fn an_unusable_ca_file_is_a_configuration_error_naming_it_and_its_setting() {
        for (contents, what) in [
            (None, "cannot be read"),
            (Some(&b""[..]), "holds no certificate"),
            (Some(&b"just some text\n"[..]), "holds no certificate"),
            (
                Some(&b"-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n"[..]),
                "is not readable PEM",
            ),
            (
                Some(&b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"[..]),
                "holds a certificate that cannot be used",
            ),
        ] {
            for setting in [CA_FILE_VAR, CA_FILE_KEY] {
                let message = error_of(contents, setting);
                assert!(
                    message.contains("company-ca.pem") && message.contains(setting) && message.contains(what),
                    "{message}"
                );
            }
        }
    }

    #[cfg(all(unix, not(target_vendor = "apple"), not(target_os = "android")))]
    #[test]
    fn either_certificate_variable_keeps_the_system_roots_beside_it() {
        let only = |set: &'static str| move |name: &str| (name == set).then(|| "/etc/company".into());
        assert!(replaces_system_roots(only(CA_FILE_VAR)));
        assert!(replaces_system_roots(only(CA_DIR_VAR)));
        assert!(!replaces_system_roots(|_| None));
    }

    #[test]
    fn an_empty_setting_names_no_file() {
        assert_eq!(CaFile::named("  ", CA_FILE_VAR), None);
        let file = CaFile::named(" /etc/company.pem ", CA_FILE_KEY).unwrap();
        assert_eq!(file.to_string(), "/etc/company.pem (ca_file in config.toml)");
    }

    #[test]
    fn the_untrusted_issuer_is_found_through_io_and_rustls_errors() {
        let untrusted = UntrustedIssuer {
            host: "platform.ringcentral.com".into(),
            issuer: "CN=Example Corp Proxy CA".into(),
        };
        let rustls_error = rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(
            untrusted.clone(),
        ))));
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, rustls_error);
        assert_eq!(untrusted_issuer(&io), Some(&untrusted));
        let other = std::io::Error::new(std::io::ErrorKind::InvalidData, rustls::Error::DecryptError);
        assert_eq!(untrusted_issuer(&other), None);
        assert!(untrusted.to_string().starts_with(
            "the certificate of platform.ringcentral.com is issued by \"CN=Example Corp Proxy CA\", which"
        ));
    }
}
