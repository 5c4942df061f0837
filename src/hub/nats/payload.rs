//! The bytes of the hub's NATS messages and key-value values: hub-protocol JSON, gzipped when that
//! pays. A message on a subject larger than [`COMPRESS_ABOVE`] goes gzipped with a
//! `Content-Encoding: gzip` header; key-value values (which carry no headers) are always gzipped.
use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use tokio_util::bytes::Bytes;

/// The NATS header saying a message's payload is gzipped.
pub const ENCODING_HEADER: &str = "Content-Encoding";
/// [`ENCODING_HEADER`]'s value for gzip.
pub const GZIP: &str = "gzip";
/// Messages on subjects up to this size go as they are: gzip would save little.
pub const COMPRESS_ABOVE: usize = 1024;
/// The most a payload may inflate to: anything larger is refused, not unpacked into memory.
const MAX_INFLATED: u64 = 256 * 1024 * 1024;

/// `bytes` gzipped.
pub fn gzip(bytes: &[u8]) -> Bytes {
    let mut encoder = GzEncoder::new(Vec::with_capacity(bytes.len() / 8), Compression::default());
    // Writing to a vector cannot fail.
    encoder.write_all(bytes).expect("gzip into memory");
    Bytes::from(encoder.finish().expect("gzip into memory"))
}

/// `bytes` unpacked; an error when they are not gzip or would inflate beyond 256 MiB.
pub fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(bytes.len() * 8);
    GzDecoder::new(bytes)
        .take(MAX_INFLATED + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("not valid gzip: {e}"))?;
    if out.len() as u64 > MAX_INFLATED {
        return Err(format!("it would unpack to more than {} MiB", MAX_INFLATED >> 20));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_round_trips_and_garbage_is_an_error() {
        let text = "a call, ".repeat(1000);
        let packed = gzip(text.as_bytes());
        assert!(packed.len() < text.len() / 10);
        assert_eq!(gunzip(&packed).unwrap(), text.as_bytes());
        assert!(
            gunzip(b"{\"not\":\"gzip\"}")
                .unwrap_err()
                .contains("not valid gzip")
        );
        assert!(gunzip(&packed[..packed.len() / 2]).is_err(), "truncated");
    }
}
