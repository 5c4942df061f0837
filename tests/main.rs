//! The one integration-test binary: every file in `tests/` is a module of it, so the crate is linked
//! once instead of once per file. Each module keeps its own file and name; shared helpers live in
//! `support/`.
//!
//! Run everything with `cargo test --test integration`, one file with
//! `cargo test --test integration board_model::`, one test with its full path
//! (`cargo test --test integration board_model::seed_captures_derive_their_states`).

mod board_columns;
mod board_model;
mod board_props;
mod cli_usage;
mod client_sim;
mod clipboard_osc52;
mod dns_hook;
mod doctor_sim;
mod e2e_pty;
mod fault_matrix;
mod fault_reconcile;
mod fault_records;
mod fault_screens;
mod fuzz_parser;
mod hub_cli;
mod hub_nats;
mod hub_nats_failover;
mod hub_serve;
mod hub_view;
mod hub_viewer;
mod metrics_endpoint;
mod once_output;
mod packaging_unit;
mod poller_pages;
mod poller_sim;
mod proxy_sim;
mod push_client;
mod push_faults;
mod push_screens;
mod readme_docs;
mod replay_player;
mod replay_push;
mod replay_roundtrip;
mod sdk_compat;
mod secrets_logs;
mod seed_fixtures;
mod sim_auth;
mod sim_faults;
mod sim_lifecycle;
mod sim_paging;
mod sim_probe;
mod sim_push;
mod sim_rate_limit;
mod sim_robustness;
mod sim_schema;
mod supervisor_alerts;
mod supervisor_conversations;
mod supervisor_directory;
mod supervisor_picker;
mod supervisor_screens;
mod tail_stream;
mod terminal_backend;
mod terminal_escapes;
mod terminal_mouse;
mod terminal_panic;
mod terminal_signals;
mod tls_sim;
mod tui_keys;
mod tui_props;
mod tui_screens;
mod tui_views;
mod wire_gzip;

mod support;
