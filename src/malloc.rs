//! Allocator settings for a board that runs for days with thousands of calls on screen.

/// Tunes glibc's malloc for a long-running board; call first thing in `main`.
///
/// - Every allocation of 128 KiB or more (a response body is about 1.7 MB per 1,000 records) comes
///   straight from `mmap` and goes back to the OS when freed. Left alone, glibc raises that threshold
///   after the first such buffer is freed and puts later ones in the heap, where the small allocations
///   of parsed records pin the space: at 10,000 calls that kept about 15 MB more resident.
/// - One arena for all threads: the poller's records are freed by the UI thread, and per-thread arenas
///   each kept their own holes (about 3 MB more at 10,000 calls). The board allocates little, so the
///   shared lock costs nothing measurable.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn tune() {
    // SAFETY: mallopt only sets allocator parameters; glibc allows it at any time from any thread.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// Other allocators need no tuning here.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn tune() {}

/// Hands the free pages inside the heap back to the OS. Each poll replaces a few thousand records, and
/// glibc keeps the holes they leave between records that live on; without this the resident size of a
/// 10,000-call board crept up by tens of megabytes an hour although the live heap stayed flat.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn release_free_pages() {
    // SAFETY: malloc_trim only returns unused memory to the OS; it is safe to call at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Other allocators manage this themselves.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn release_free_pages() {}
