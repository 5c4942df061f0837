//! Allocator settings for a board that runs for days with thousands of calls on screen.

/// Serves every allocation of 128 KiB or more (a response body is about 1.7 MB per 1,000 records)
/// straight from `mmap`, so it goes back to the OS when freed. Left alone, glibc raises that threshold
/// after the first such buffer is freed and puts later ones in the heap, where the small allocations of
/// parsed records pin the space: at 10,000 calls that kept about 15 MB more resident.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn return_large_buffers_to_the_os() {
    // SAFETY: mallopt only sets an allocator parameter; glibc allows it at any time from any thread.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

/// Other allocators return large buffers without being told.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn return_large_buffers_to_the_os() {}
