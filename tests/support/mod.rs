//! Helpers shared by the test modules, one concern a file: the binary as a child in its own home, the fixed test board and its app, captures, a raw client of the WebSocket gateway,
//! a client of the simulator, a real HTTP proxy (tinyproxy), a plain HTTP harness for the simulator, screens as text, the live poller
//! harness of the fault tests, the binary in a pseudo-terminal, and waiting for a condition.
pub mod app;
pub mod bin;
pub mod board;
pub mod captured;
pub mod captures;
pub mod client;
pub mod gateway;
pub mod hub;
pub mod live;
pub mod nats;
pub mod proxy;
pub mod pty;
pub mod push;
pub mod schema;
pub mod screen;
pub mod sim;
pub mod wait;
