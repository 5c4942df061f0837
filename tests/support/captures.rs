//! The real RingCentral responses captured in `assets/captures`.
use callboard::api::model::{ActiveCallsPage, CallRecord};

/// The raw bytes of capture `name` (a file name without `.json`).
pub fn capture_bytes(name: &str) -> Vec<u8> {
    let path = format!("{}/assets/captures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The first record of capture `name`, parsed.
pub fn capture(name: &str) -> CallRecord {
    let mut page = ActiveCallsPage::parse(&capture_bytes(name)).unwrap();
    std::sync::Arc::unwrap_or_clone(page.records.remove(0))
}
