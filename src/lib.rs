//! Charter: a static-site generator for an organization's department
//! charters. The pipeline is load → resolve → check → render → output;
//! `build`, `check` and `serve` are its three faces.

pub mod build;
pub mod config;
pub mod diagnostics;
pub mod incremental;
pub mod init;
pub mod markdown;
pub mod model;
pub mod output;
pub mod pages;
pub mod search;
pub mod serve;
pub mod sortkey;
pub mod source;
pub mod theme;
pub mod urls;

/// Rendering allocates many small strings; mimalloc is markedly faster at
/// that than the system allocator. Set here, in the library, so that the
/// benchmarks and tests (examples/, tests/) run with the allocator the
/// `charter` command has.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc's `mi_option_e` (its Rust bindings
/// have no name for it): how long freed memory stays committed before it
/// is returned to the system (1 s by default; -1: never).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps the memory the allocator frees for reuse instead of returning it
/// to the system a second later, unless `MIMALLOC_PURGE_DELAY` says
/// otherwise. For `serve`: each rebuild frees the pages and parts of the
/// one before, and an author saves seconds or minutes apart; memory given
/// back in between has to be faulted in and zeroed again by the kernel
/// on the next rebuild (at 10,000 departments, tens of milliseconds of
/// every edit). The process then keeps the size of its largest build.
pub fn keep_freed_memory() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: mimalloc's options may be set at any time; the purge delay
    // is read whenever freed memory could be purged.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
}

/// `mi_option_allow_thp` in mimalloc's `mi_option_e` (no name for it in
/// its Rust bindings): may the allocator's memory be transparent huge
/// pages (1 by default on Linux).
const MI_OPTION_ALLOW_THP: libmimalloc_sys::mi_option_t = 43;

/// Turns transparent huge pages off for this process, unless
/// `MIMALLOC_ALLOW_THP` says otherwise (mimalloc then does as it says).
/// A build allocates its memory once and touches it briefly: with huge
/// pages the kernel zeroes 2 MiB at each first touch, and at 10,000
/// departments that zeroing was a third of the build's CPU samples
/// (`clear_page_erms`). Without: 10,000 departments on tmpfs, wall
/// 3.07–3.18 → 2.46–2.64 s, system time 2.4–2.7 → 1.6 s, peak memory
/// 412–424 → 380–389 MiB. Call first thing in `main`.
pub fn no_huge_pages() {
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_some() {
        return;
    }
    // SAFETY: prctl with PR_SET_THP_DISABLE takes plain integers and
    // touches no memory of ours; its failure (an old kernel) is harmless.
    #[cfg(target_os = "linux")]
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    // SAFETY: mimalloc's options may be set at any time.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_ALLOW_THP, 0) }
}

#[cfg(test)]
mod allocator_tests {
    /// The option number is `allow_thp`: its default is 1, and its
    /// neighbours' (`page_cross_thread_max_reclaim`, 32, and
    /// `minimal_purge_size`, 0) are not.
    #[test]
    fn the_huge_pages_option_is_the_one_we_set() {
        if std::env::var_os("MIMALLOC_ALLOW_THP").is_some() {
            return;
        }
        // SAFETY: reading options.
        let (before, it, after) = unsafe {
            (
                libmimalloc_sys::mi_option_get(super::MI_OPTION_ALLOW_THP - 1),
                libmimalloc_sys::mi_option_get(super::MI_OPTION_ALLOW_THP),
                libmimalloc_sys::mi_option_get(super::MI_OPTION_ALLOW_THP + 1),
            )
        };
        assert_eq!((before, it, after), (32, 1, 0));
    }

    /// The option number is the purge delay: it has the purge delay's
    /// default (1,000 ms in mimalloc 3), which no neighbour has.
    #[test]
    fn the_purge_delay_option_is_the_one_we_set() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // SAFETY: reading an option.
        let delay = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(delay, 1000);
    }
}
