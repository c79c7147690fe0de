//! Writes the deterministic benchmark corpus (see `benches/corpus/mod.rs`
//! and `benches/README.md`):
//!
//! ```sh
//! cargo run --release --example gen_corpus -- --out DIR [--files N] [--seed S] \
//!     [--megabytes M] [--gzip-share F] [--go-share F] [--threads T]
//! ```
//!
//! The tree goes to `DIR`, the ground truth beside it to `DIR.manifest.tsv`.
//! The same arguments give the same bytes.

#[path = "../benches/corpus/mod.rs"]
mod corpus;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: gen_corpus --out DIR [--files N] [--seed S] [--megabytes M] \
[--gzip-share F] [--go-share F] [--threads T] [--samples DIR]";

fn parse_args() -> Result<(corpus::Config, PathBuf, PathBuf), String> {
    let mut cfg = corpus::Config::default();
    let mut out = None;
    let mut samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "-h" || a == "--help" {
            return Err(String::new());
        }
        let v = args.next().ok_or_else(|| format!("{a} needs a value"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{a} {v}: {e}");
        match a.as_str() {
            "--out" => out = Some(PathBuf::from(&v)),
            "--samples" => samples = PathBuf::from(&v),
            "--files" => cfg.files = v.parse().map_err(|e| bad(&e))?,
            "--seed" => cfg.seed = v.parse().map_err(|e| bad(&e))?,
            "--megabytes" => cfg.megabytes = v.parse().map_err(|e| bad(&e))?,
            "--gzip-share" => cfg.gzip_share = v.parse().map_err(|e| bad(&e))?,
            "--go-share" => cfg.go_share = v.parse().map_err(|e| bad(&e))?,
            "--threads" => cfg.threads = v.parse().map_err(|e| bad(&e))?,
            _ => return Err(format!("unknown option {a}")),
        }
    }
    for (name, share) in [
        ("--gzip-share", cfg.gzip_share),
        ("--go-share", cfg.go_share),
    ] {
        if !(0.0..=1.0).contains(&share) {
            return Err(format!("{name} must be between 0 and 1"));
        }
    }
    let out = out.ok_or("--out DIR is required")?;
    Ok((cfg, out, samples))
}

fn main() -> ExitCode {
    let (cfg, out, samples) = match parse_args() {
        Ok(x) => x,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("gen_corpus: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let started = std::time::Instant::now();
    match corpus::generate(&cfg, &samples, &out) {
        Ok(w) => {
            eprintln!(
                "wrote {} files, {:.1} MB ({:.1} MB on disk) to {} in {:.1} s; manifest {}",
                w.plan.entries.len(),
                w.bytes as f64 / 1e6,
                w.disk_bytes as f64 / 1e6,
                out.display(),
                started.elapsed().as_secs_f64(),
                corpus::manifest_path(&out).display()
            );
            for ((kind, outcome, rule), n) in w.plan.counts() {
                eprintln!("  {n:6}  {kind:9} {outcome:12} {rule}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen_corpus: {e}");
            ExitCode::FAILURE
        }
    }
}
