//! `stacklog scan` throughput over the generated corpus (see
//! `benches/corpus/mod.rs`): 64 stack.sh and Go logs, 128 MB of text, a
//! quarter of them gzipped, scanned with one thread and with every core.
//! Throughput is counted in uncompressed bytes.
//!
//! Run with `cargo bench --bench scan`. The corpus is written once to
//! `target/bench-scan-corpus` and reused.

#[path = "corpus/mod.rs"]
mod corpus;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

use stacklog::rules::RuleSet;
use stacklog::scan::{self, Options};

fn corpus_dir() -> (PathBuf, u64) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = root.join("target").join("bench-scan-corpus");
    let cfg = corpus::Config {
        files: 64,
        megabytes: 128.0,
        ..corpus::Config::default()
    };
    let stamp = out.with_file_name("bench-scan-corpus.bytes");
    if let Some(bytes) = std::fs::read_to_string(&stamp)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        && out.is_dir()
    {
        return (out, bytes);
    }
    let _ = std::fs::remove_dir_all(&out);
    let w = corpus::generate(&cfg, &root.join("samples"), &out).expect("corpus written");
    std::fs::write(&stamp, w.bytes.to_string()).expect("stamp written");
    (out, w.bytes)
}

fn bench_scan(c: &mut Criterion) {
    let (dir, bytes) = corpus_dir();
    let rules = RuleSet::builtin().expect("builtin rules load");
    eprintln!(
        "scan corpus: {} ({:.1} MB of text)",
        dir.display(),
        bytes as f64 / 1e6
    );
    let mut g = c.benchmark_group("scan");
    g.throughput(Throughput::Bytes(bytes))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(15));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut counts = vec![1];
    if cores > 1 {
        counts.push(cores);
    }
    for threads in counts {
        let opts = Options {
            threads,
            ..Options::default()
        };
        g.bench_function(format!("j{threads}"), |b| {
            b.iter(|| {
                let s = scan::run(&rules, std::slice::from_ref(&dir), &opts, None, &mut |r| {
                    black_box(r);
                    true
                })
                .expect("scan runs");
                black_box(s)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench_scan);
criterion_main!(benches);
