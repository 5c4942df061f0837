//! `callboard doctor`: runs the checks of [`crate::doctor`] and prints one line each.
use super::args::{BoardArgs, DemoUser};
use super::{Fatal, overrides, start_demo};
use crate::api::client::RcClient;
use crate::config::Config;
use crate::doctor::{self, Check, Failure};
use crate::text;

/// Prints every check; fails with the exit code of the first failed one.
pub async fn run(args: &BoardArgs) -> Result<(), Fatal> {
    let (config, sim, first) = if args.demo {
        let (config, sim) = start_demo(args).await?;
        let user = match args.demo_user {
            DemoUser::Admin => "admin",
            DemoUser::NonAdmin => "non-admin",
        };
        (config, Some(sim), doctor::demo_configuration(user))
    } else {
        match Config::load(&overrides(args)) {
            Ok(config) => (config.client_config(), None, doctor::configuration(&config)),
            Err(e) => {
                let failed = Check {
                    name: "configuration",
                    outcome: Err(Failure {
                        message: e.to_string(),
                        error: None,
                    }),
                };
                print_checks(&[failed, doctor::files()]);
                return Err(Fatal::Config(e));
            }
        }
    };
    let mut checks = vec![first, doctor::proxy(&config), doctor::dns(&config).await];
    match RcClient::new(config.clone()) {
        Ok(client) => {
            let server = doctor::server_checks(&client, &config).await;
            let logged_in = server.iter().any(|c| c.name == "user" && c.outcome.is_ok());
            checks.extend(server);
            if logged_in {
                checks.push(doctor::gateway(&client).await);
            }
        }
        Err(e) => checks.push(Check {
            name: "configuration",
            outcome: Err(Failure {
                message: e.to_string(),
                error: Some(e),
            }),
        }),
    }
    checks.push(doctor::backend(
        std::env::var(crate::tui::BACKEND_VAR).ok().as_deref(),
    ));
    checks.push(doctor::files());
    if let Some(sim) = sim {
        sim.shutdown().await;
    }
    print_checks(&checks);
    let failures: Vec<&Failure> = checks.iter().filter_map(|c| c.outcome.as_ref().err()).collect();
    match failures.first() {
        None => Ok(()),
        Some(first) => Err(Fatal::Checks {
            failed: failures.len(),
            first: first.error.clone(),
        }),
    }
}

fn print_checks(checks: &[Check]) {
    for check in checks {
        println!("{}", text::clean(&check.line()));
    }
}
