//! TLS for `sim --tls`: a certificate authority and a server certificate for 127.0.0.1, ::1 and
//! localhost, generated at start, and the server configurations of the REST listener (ALPN h2 and
//! http/1.1, as RingCentral's front ends offer) and of the WebSocket gateway (http/1.1).
use std::io;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

use crate::server_tls;

/// The common name of the simulator's certificate authority: what an untrusted-issuer error names.
pub const CA_NAME: &str = "callboard simulator CA";

/// The names the server certificate is valid for.
const SERVER_NAMES: [&str; 3] = ["127.0.0.1", "::1", "localhost"];

/// The simulator's certificates: the CA's PEM (for clients to trust) and the acceptors of its listeners.
pub struct SimTls {
    /// The CA certificate, PEM-encoded.
    pub ca_pem: String,
    /// REST: ALPN h2 and http/1.1.
    pub rest: TlsAcceptor,
    /// The WebSocket gateway: ALPN http/1.1.
    pub gateway: TlsAcceptor,
}

impl SimTls {
    /// A fresh CA and a server certificate it signed.
    pub fn generate() -> io::Result<SimTls> {
        let ca_key = KeyPair::generate().map_err(other)?;
        let mut ca = CertificateParams::default();
        ca.distinguished_name = named(CA_NAME);
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca.self_signed(&ca_key).map_err(other)?;
        let issuer = Issuer::new(ca, ca_key);

        let server_key = KeyPair::generate().map_err(other)?;
        let names = SERVER_NAMES.map(str::to_owned).to_vec();
        let mut server = CertificateParams::new(names).map_err(other)?;
        server.distinguished_name = named("callboard simulator");
        server.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let server_cert = server.signed_by(&server_key, &issuer).map_err(other)?;

        let chain = vec![server_cert.der().clone()];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
        Ok(SimTls {
            ca_pem: ca_cert.pem(),
            rest: server_tls::acceptor(chain.clone(), key.clone_key(), &[b"h2", b"http/1.1"])
                .map_err(other)?,
            gateway: server_tls::acceptor(chain, key, &[b"http/1.1"]).map_err(other)?,
        })
    }
}

/// Where the CA's PEM went: a file in a directory the simulator owns (removed with it), or one the user
/// named (kept).
pub struct CaPemFile {
    path: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

impl CaPemFile {
    /// Writes `pem` to `path`, or to `ca.pem` in a fresh private directory when `None`.
    pub fn write(pem: &str, path: Option<&Path>) -> io::Result<CaPemFile> {
        let (path, dir) = match path {
            Some(path) => (path.to_owned(), None),
            None => {
                let dir = tempfile::Builder::new().prefix("callboard-sim-").tempdir()?;
                (dir.path().join("ca.pem"), Some(dir))
            }
        };
        std::fs::write(&path, pem).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!(
                    "cannot write the simulator's CA certificate to {}: {e}",
                    path.display()
                ),
            )
        })?;
        Ok(CaPemFile { path, _dir: dir })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn named(common_name: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, common_name);
    name
}

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("cannot set up the simulator's TLS: {e}"))
}
