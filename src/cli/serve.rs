//! `callboard serve`: the team hub. Checks the viewer policy, binds every listener (before spending a
//! login), then runs one live source on account scope and the directory task, and serves boards until
//! interrupted. With `--nats` the source runs only while this hub holds the account's lease, publishes
//! on NATS, and the local listeners serve what the account's active hub publishes there.
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::Fatal;
use super::args::{BoardArgs, ServeArgs};
use crate::api::Scope;
use crate::directory::Directory;
use crate::feed::Feed;
use crate::hub::listen::{self, Bound, Listen};
use crate::hub::nats::{HubOptions, LeaseTiming, NatsAddr, NatsHub, Session, viewer};
use crate::hub::protocol::View;
use crate::hub::serve::Hub;
use crate::hub::{Policy, Rule, Who};

/// Runs `serve` (or `serve --check`).
pub async fn run(args: &BoardArgs, serve: &ServeArgs) -> Result<(), Fatal> {
    let (policy, from) = load_policy(serve)?;
    if serve.check {
        println!(
            "{from}: {} viewer entr{}, first match decides",
            policy.viewers.len(),
            plural(policy.viewers.len())
        );
        print!("{}", policy.describe());
        return Ok(());
    }
    let tls = match (&serve.tls_cert, &serve.tls_key) {
        (Some(cert), Some(key)) => Some(listen::tls_acceptor(cert, key).map_err(Fatal::Other)?),
        _ => None,
    };
    let listens = match serve.listen.as_slice() {
        [] => vec![Listen::Unix(listen::default_socket())],
        given => given.to_vec(),
    };
    let mut bound = Vec::new();
    for listen in &listens {
        bound.push(listen::bind(listen, tls.as_ref()).await.map_err(Fatal::Other)?);
    }
    let metrics = match serve.metrics {
        Some(addr) => Some(serve_metrics(addr).await?),
        None => None,
    };
    let sockets: Vec<PathBuf> = bound
        .iter()
        .filter_map(|b| match b {
            Bound::Unix(_, path) => Some(path.clone()),
            Bound::Tcp(..) => None,
        })
        .collect();
    let nats = match &serve.nats {
        Some(addr) => Some(join_nats(args, serve, addr).await?),
        None => None,
    };
    let (client, sim, config) = super::connect(args).await?;
    let names: Vec<String> = listens.iter().map(ToString::to_string).collect();
    let result = match nats {
        None => {
            let directory = crate::directory::spawn_for(&client);
            let feed = super::start_source(client, args, Some(Scope::Account), config.as_ref(), None);
            let (hub, pump) = Hub::start(&feed, directory.directory.clone(), policy);
            let listeners = accept_all(&hub, bound);
            println!(
                "callboard hub: serving boards on {} (policy: {from}); Ctrl-C stops",
                names.join(", ")
            );
            let mut session = Session {
                feed,
                tasks: vec![pump, directory.task],
            };
            let result = until_stopped(&mut session.feed.task).await;
            listeners.iter().for_each(JoinHandle::abort);
            result
        }
        Some((nats_hub, local)) => {
            let (directory_tx, directory) = watch::channel(None);
            let (hub, pump) = Hub::start(&local, directory, policy);
            let listeners = accept_all(&hub, bound);
            println!(
                "callboard hub: serving boards on {} (policy: {from}), and on NATS at {}; Ctrl-C stops",
                names.join(", "),
                serve.nats.as_ref().map(ToString::to_string).unwrap_or_default()
            );
            let start = || {
                let directory = crate::directory::spawn_for(&client);
                let forward = tokio::spawn(forward(directory.directory.clone(), directory_tx.clone()));
                Session {
                    feed: super::start_source(
                        client.clone(),
                        args,
                        Some(Scope::Account),
                        config.as_ref(),
                        None,
                    ),
                    tasks: vec![directory.task, forward],
                }
            };
            let (stop, stopped) = watch::channel(false);
            let run = nats_hub.run(start, stopped);
            tokio::pin!(run);
            tokio::select! {
                _ = shutdown() => {
                    let _ = stop.send(true);
                    // The lease is released for the standby; a NATS server gone quiet must not keep the hub.
                    let _ = tokio::time::timeout(Duration::from_secs(5), &mut run).await;
                }
                () = &mut run => {}
            }
            for task in listeners.iter().chain([&pump, &local.task]) {
                task.abort();
            }
            Ok(())
        }
    };
    metrics.iter().for_each(JoinHandle::abort);
    for path in sockets {
        let _ = std::fs::remove_file(path);
    }
    if let Some(sim) = sim {
        sim.shutdown().await;
    }
    result
}

/// Connects to NATS as this account's hub (standing by until it holds the lease) and starts the
/// account's board on NATS that feeds the local listeners, on the active hub and a standby alike.
async fn join_nats(args: &BoardArgs, serve: &ServeArgs, addr: &NatsAddr) -> Result<(NatsHub, Feed), Fatal> {
    let opts = HubOptions {
        addr: addr.clone(),
        creds: args.nats_creds.clone(),
        views: serve.nats_view.clone(),
        lease: LeaseTiming::default(),
    };
    let host = nix::unistd::gethostname().map_or_else(|_| "hub".into(), |h| h.to_string_lossy().into_owned());
    let name = format!("{host}:{}", std::process::id());
    let hub = NatsHub::connect(&opts, name).await.map_err(Fatal::Other)?;
    let all = NatsAddr {
        view: crate::hub::nats::View::All,
        ..addr.clone()
    };
    Ok((hub, viewer::spawn(all, args.nats_creds.clone())))
}

/// Serves `hub` on every listener.
fn accept_all(hub: &Arc<Hub>, bound: Vec<Bound>) -> Vec<JoinHandle<()>> {
    bound
        .into_iter()
        .map(|b| tokio::spawn(listen::accept(Arc::clone(hub), b)))
        .collect()
}

/// Until Ctrl-C or SIGTERM (`Ok`), or until the call source stops (an error).
async fn until_stopped(source: &mut JoinHandle<()>) -> Result<(), Fatal> {
    tokio::select! {
        _ = shutdown() => Ok(()),
        _ = source => Err(Fatal::Other("the hub's call source stopped unexpectedly; see the log file".into())),
    }
}

/// Copies a session's directory into the one the local listeners serve, until the session ends.
async fn forward(
    mut from: watch::Receiver<Option<Arc<Directory>>>,
    to: watch::Sender<Option<Arc<Directory>>>,
) {
    loop {
        let directory = from.borrow_and_update().clone();
        if directory.is_some() {
            to.send_replace(directory);
        }
        if from.changed().await.is_err() {
            return;
        }
    }
}

/// Binds the Prometheus endpoint at `addr` (before a login is spent, like the listeners) and serves it.
async fn serve_metrics(addr: SocketAddr) -> Result<JoinHandle<()>, Fatal> {
    let listener = TcpListener::bind(addr).await.map_err(|e| {
        Fatal::Other(format!(
            "cannot listen for metrics on {addr}: {e}; choose another --metrics address"
        ))
    })?;
    let handle = crate::metrics::endpoint::install()
        .map_err(|e| Fatal::Other(format!("cannot set up the metrics: {e}")))?;
    Ok(tokio::spawn(async move {
        if let Err(e) = crate::metrics::endpoint::serve_handle(listener, handle, std::future::pending()).await
        {
            tracing::warn!("the metrics endpoint stopped: {e}");
        }
    }))
}

/// The policy and where it came from: `--config`, else `hub.toml` beside `config.toml`, else (no file
/// there) the user running the hub alone, on the whole account.
fn load_policy(serve: &ServeArgs) -> Result<(Policy, String), Fatal> {
    let default = crate::config::config_file_path().map(|p| p.with_file_name("hub.toml"));
    let path = match (&serve.config, default) {
        (Some(path), _) => path.clone(),
        (None, Some(path)) if path.exists() => path,
        (None, default) => {
            let (policy, user) = owner_policy()?;
            let place = default.map_or_else(
                || "no config directory".to_owned(),
                |p| format!("no {}", p.display()),
            );
            return Ok((policy, format!("{place}, so only user {user}, whole account")));
        }
    };
    let policy = Policy::load(&path).map_err(|e| Fatal::Other(e.to_string()))?;
    Ok((policy, path.display().to_string()))
}

/// The user running the hub, whole account; and that user's name.
fn owner_policy() -> Result<(Policy, String), Fatal> {
    let uid = nix::unistd::Uid::current();
    let user = nix::unistd::User::from_uid(uid).ok().flatten().ok_or_else(|| {
        Fatal::Other(format!(
            "uid {uid} has no user name for the default policy; give --config FILE"
        ))
    })?;
    let view = View {
        viewer: format!("user {}", user.name),
        account: true,
        ..View::default()
    };
    let rule = Rule {
        line: 0,
        name: None,
        who: Who::User(user.name.clone()),
        view,
    };
    Ok((Policy { viewers: vec![rule] }, user.name))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "y" } else { "ies" }
}

/// Ctrl-C or SIGTERM (systemd's stop).
async fn shutdown() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = async {
            match term.as_mut() {
                Some(term) => { term.recv().await; }
                None => std::future::pending().await,
            }
        } => {}
    }
}
