//! Charter: a static-site generator for an organization's department
//! charters. The pipeline is load → resolve → check → render → output;
//! `build`, `check` and `serve` are its three faces.

pub mod config;
pub mod diagnostics;
pub mod source;
pub mod model;
pub mod sortkey;
pub mod markdown;
pub mod urls;
