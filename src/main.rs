//! The `charter` command line: parses arguments, calls the library, prints
//! diagnostics and sets the exit code (0 ok, 1 content errors, 2 usage).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use charter::build::{self, Failure, Options};
use charter::diagnostics::{self, Diagnostic};

#[derive(Parser)]
#[command(
    name = "charter",
    version,
    about = "Publish department charters as a cross-linked static site"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Human,
    Json,
    Github,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new site with a small example
    Init {
        /// Folder to create the site in
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Build the site into the output folder
    Build {
        /// Site root (the folder with config.toml)
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output folder (default: ROOT/output)
        #[arg(long)]
        output: Option<PathBuf>,
        /// Override base_url from config.toml
        #[arg(long)]
        base_url: Option<String>,
        /// Publish drafts too
        #[arg(long)]
        drafts: bool,
        /// How to print diagnostics
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Check everything a build would, write nothing
    Check {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long)]
        drafts: bool,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// Serve the site for preview, rebuilding and reloading pages on every change
    Serve {
        /// Site root (the folder with config.toml)
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Address to listen on
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Port to listen on [default: 1111, or the next free one]
        #[arg(long)]
        port: Option<u16>,
        /// Show drafts too
        #[arg(long)]
        drafts: bool,
        /// Poll for changes (network shares, editors whose saves are missed)
        #[arg(long)]
        poll: bool,
    },
}

fn print_diags(diags: &[Diagnostic], format: Format) {
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for d in diags {
        let _ = match format {
            Format::Human => writeln!(err, "{}", diagnostics::render_human(d)),
            Format::Json => writeln!(out, "{}", diagnostics::render_json(d)),
            Format::Github => writeln!(out, "{}", diagnostics::render_github(d)),
        };
    }
}

fn summary_of_failure(diags: &[Diagnostic], format: Format) {
    let errors = diagnostics::count_errors(diags);
    let warnings = diags.len() - errors;
    if format == Format::Human {
        eprintln!(
            "error: build failed with {errors} error{} and {warnings} warning{}; the output folder was not changed",
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" }
        );
    }
}

fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Init { dir } => match charter::init::init(&dir) {
            Ok(()) => {
                println!(
                    "created a new site in {}; build it with `charter build --root {}`",
                    dir.display(),
                    dir.display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        },
        Command::Build {
            root,
            output,
            base_url,
            drafts,
            format,
        } => {
            let opts = Options {
                root: root.clone(),
                base_url,
                drafts,
            };
            let out_dir = output.unwrap_or_else(|| root.join("output"));
            match build::build_to_disk(&opts, &out_dir) {
                Ok((built, w)) => {
                    print_diags(&built.diagnostics, format);
                    let s = built.stats;
                    println!(
                        "built {} pages, {} roles, {} activities in {} ms into {} ({} written, {} unchanged, {} removed)",
                        s.pages,
                        s.roles,
                        s.activities,
                        s.millis,
                        out_dir.display(),
                        w.written,
                        w.unchanged,
                        w.removed
                    );
                    ExitCode::SUCCESS
                }
                Err(Failure::Usage(msg)) => {
                    eprintln!("error: {msg}");
                    ExitCode::from(2)
                }
                Err(Failure::Content(diags)) => {
                    print_diags(&diags, format);
                    summary_of_failure(&diags, format);
                    ExitCode::from(1)
                }
            }
        }
        Command::Check {
            root,
            drafts,
            format,
        } => {
            let opts = Options {
                root,
                base_url: None,
                drafts,
            };
            match build::build(&opts) {
                Ok(built) => {
                    print_diags(&built.diagnostics, format);
                    if format == Format::Human {
                        let w = built.diagnostics.len();
                        println!(
                            "checked {} pages, {} roles, {} activities: no errors, {w} warning{}",
                            built.stats.pages,
                            built.stats.roles,
                            built.stats.activities,
                            if w == 1 { "" } else { "s" }
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(Failure::Usage(msg)) => {
                    eprintln!("error: {msg}");
                    ExitCode::from(2)
                }
                Err(Failure::Content(diags)) => {
                    print_diags(&diags, format);
                    if format == Format::Human {
                        let errors = diagnostics::count_errors(&diags);
                        eprintln!(
                            "error: check found {errors} error{}",
                            if errors == 1 { "" } else { "s" }
                        );
                    }
                    ExitCode::from(1)
                }
            }
        }
        Command::Serve {
            root,
            bind,
            port,
            drafts,
            poll,
        } => {
            let opts = charter::serve::Options {
                root,
                bind,
                port,
                drafts,
                poll,
            };
            match charter::serve::serve(&opts) {
                Ok(()) => ExitCode::SUCCESS,
                Err(msg) => {
                    eprintln!("error: {msg}");
                    ExitCode::from(2)
                }
            }
        }
    }
}

fn main() -> ExitCode {
    charter::no_huge_pages();
    run(Cli::parse())
}
