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
