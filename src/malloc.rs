//! The allocator: jemalloc, set up for a board that runs for days with thousands of calls on screen.
//!
//! Each poll at 10,000 calls replaces about a thousand changed records while ten thousand live on. glibc's
//! malloc left the holes of the replaced records between the survivors: even with one arena, a fixed
//! mmap threshold and a `malloc_trim` before every poll, the resident size grew by 48 MB an hour (45 → 55
//! MB in ten minutes) while the live heap stayed flat. jemalloc keeps each size class in its own slabs
//! and reuses the lowest free slots first: its resident size levels off after the first few polls
//! (numbers in the README's Performance section).
//!
//! The binary declares this module (and the benchmarks include the same file), so the library leaves the
//! choice of allocator to whoever links it. Only where jemalloc builds: not on MSVC.

#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read before its first allocation (`_RJEM_MALLOC_CONF` in the environment still
/// overrides them):
/// - `narenas:1`: one arena for all threads. The poller allocates the records that the UI thread frees;
///   with jemalloc's defaults (four arenas per CPU, ten-second decay) the peak was 68 MB.
/// - `dirty_decay_ms:0,muzzy_decay_ms:0`: pages that become empty go back to the OS at once, not ten
///   seconds later. With a one-second decay the peak at 10,000 calls was 56 MB instead of 51, for a poll
///   cycle 2.4 ms faster (15.5 instead of 17.9 ms).
///
/// Thread caches stay on: without them a 10,000-call frame took 0.35 ms instead of 0.23.
#[unsafe(export_name = "_rjem_malloc_conf")]
static MALLOC_CONF: Option<&'static std::ffi::c_char> = Some(
    // SAFETY: a pointer to the first byte of a NUL-terminated literal that lives for the whole program.
    unsafe { &*c"narenas:1,dirty_decay_ms:0,muzzy_decay_ms:0".as_ptr() },
);

#[cfg(test)]
mod tests {
    #[test]
    fn jemalloc_runs_with_one_arena_and_returns_empty_pages_at_once() {
        use tikv_jemalloc_ctl::{opt, raw};
        assert_eq!(opt::narenas::read().unwrap(), 1);
        // SAFETY: both options are `ssize_t` in jemalloc's mallctl namespace.
        let (dirty, muzzy) = unsafe {
            (
                raw::read::<isize>(b"opt.dirty_decay_ms\0").unwrap(),
                raw::read::<isize>(b"opt.muzzy_decay_ms\0").unwrap(),
            )
        };
        assert_eq!((dirty, muzzy), (0, 0));
    }
}
