//! [`Resolver`]: how every connection callboard opens turns a host name into addresses — the system's
//! resolver, or a hook a test injects so that no query leaves the machine. The REST client resolves
//! through it (reqwest's `dns_resolver`) and so do the WebSocket's connections; a failure names the host.
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// A name resolver; the system's unless a hook is given. Cheap to clone.
#[derive(Clone, Default)]
pub struct Resolver {
    hook: Option<Arc<dyn Resolve>>,
}

/// A failed lookup, naming the host.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot resolve {host}: {cause}")]
pub struct DnsError {
    pub host: String,
    pub cause: String,
}

impl Resolver {
    /// The system's resolver.
    pub fn system() -> Self {
        Resolver::default()
    }

    /// Resolves through `hook` instead of the system.
    pub fn hook(hook: Arc<dyn Resolve>) -> Self {
        Resolver { hook: Some(hook) }
    }

    /// The addresses of `host` (an IP address is its own), with `port`.
    pub async fn lookup(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, DnsError> {
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Ok(vec![SocketAddr::new(ip, port)]);
        }
        let addrs = self.addresses(host).await?;
        Ok(addrs.map(|a| SocketAddr::new(a.ip(), port)).collect())
    }

    /// The addresses of `host` (port 0), at least one.
    async fn addresses(&self, host: &str) -> Result<Addrs, DnsError> {
        let failed = |cause: String| DnsError {
            host: host.to_owned(),
            cause,
        };
        let addrs: Vec<SocketAddr> = match &self.hook {
            Some(hook) => {
                let name = Name::from_str(host).map_err(|_| failed("not a host name".into()))?;
                hook.resolve(name)
                    .await
                    .map_err(|e| failed(chain(&*e)))?
                    .collect()
            }
            None => tokio::net::lookup_host((host, 0))
                .await
                .map_err(|e| failed(e.to_string()))?
                .collect(),
        };
        if addrs.is_empty() {
            return Err(failed("no address found".into()));
        }
        Ok(Box::new(addrs.into_iter()))
    }
}

impl Resolve for Resolver {
    fn resolve(&self, name: Name) -> Resolving {
        let resolver = self.clone();
        Box::pin(async move {
            resolver
                .addresses(name.as_str())
                .await
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)
        })
    }
}

impl fmt::Debug for Resolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.hook {
            Some(_) => "Resolver(hook)",
            None => "Resolver(system)",
        })
    }
}

/// An error and its causes, joined with `: `.
pub(crate) fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Refuse;

    impl Resolve for Refuse {
        fn resolve(&self, _: Name) -> Resolving {
            Box::pin(async { Err("injected failure".into()) })
        }
    }

    struct Fixed;

    impl Resolve for Fixed {
        fn resolve(&self, _: Name) -> Resolving {
            let addrs: Addrs = Box::new(vec![SocketAddr::from(([192, 0, 2, 1], 0))].into_iter());
            Box::pin(async move { Ok(addrs) })
        }
    }

    #[tokio::test]
    async fn a_hook_answers_and_its_failure_names_the_host() {
        let fixed = Resolver::hook(Arc::new(Fixed));
        assert_eq!(
            fixed.lookup("platform.ringcentral.com", 443).await.unwrap(),
            [SocketAddr::from(([192, 0, 2, 1], 443))]
        );
        let refuse = Resolver::hook(Arc::new(Refuse));
        let e = refuse.lookup("platform.ringcentral.com", 443).await.unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot resolve platform.ringcentral.com: injected failure"
        );
        assert_eq!(
            refuse.lookup("127.0.0.1", 8).await.unwrap(),
            [SocketAddr::from(([127, 0, 0, 1], 8))],
            "an address needs no lookup"
        );
        assert_eq!(format!("{refuse:?}"), "Resolver(hook)");
    }
}
