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

#[cfg(test)]
mod allocator_tests {
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
