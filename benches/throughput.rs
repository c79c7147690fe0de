//! Parse and diagnose throughput on an in-memory corpus built from the
//! real-format sample logs in `samples/devstack/*.log` and `samples/go/*.log`,
//! plus the latency of
//! diagnosing a pasted three-line excerpt.
//!
//! Run with `cargo bench --bench throughput`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

#[path = "common/mod.rs"]
mod common;
use common::{sample_logs, samples_dir};

use stacklog::analyze::Analyzer;
use stacklog::parse::devstack::DevstackParser;
use stacklog::parse::gobuild::GoParser;
use stacklog::rules::{Format, RuleSet};

/// Corpus size the sample logs are repeated up to.
const CORPUS_BYTES: usize = 32 * 1024 * 1024;

/// Concatenates the sample logs, in an order picked by a fixed-seed LCG
/// (deterministic, but not a short period the branch predictor can learn),
/// until the corpus reaches [`CORPUS_BYTES`].
fn corpus(family: &str) -> Vec<u8> {
    let logs = sample_logs(family);
    let mut buf = Vec::with_capacity(CORPUS_BYTES + 64 * 1024);
    let mut state: u64 = 0x5eed_0f57_acc1_0e5e;
    while buf.len() < CORPUS_BYTES {
        // Knuth's MMIX LCG; the high bits are the well-mixed ones.
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let pick = ((state >> 33) % logs.len() as u64) as usize;
        buf.extend_from_slice(&logs[pick].1);
    }
    buf
}

fn bench_throughput(c: &mut Criterion) {
    let buf = corpus("devstack");
    let rules = RuleSet::builtin().expect("builtin rules load");
    let lines = stacklog::lines::for_each_line(&buf, 1, |_, _| {});
    eprintln!(
        "corpus: {} bytes ({:.1} MiB), {} lines, from {} sample logs",
        buf.len(),
        buf.len() as f64 / (1024.0 * 1024.0),
        lines,
        sample_logs("devstack").len()
    );

    let mut g = c.benchmark_group("throughput");
    g.throughput(Throughput::Bytes(buf.len() as u64))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(10));

    g.bench_function("parse", |b| {
        b.iter(|| {
            let mut parser = DevstackParser::new();
            stacklog::lines::for_each_line(black_box(&buf), 1, |n, raw| {
                let line = stacklog::lines::peel(n, raw);
                let k = parser.parse_line(n, &line.body);
                black_box(k);
            })
        })
    });

    g.bench_function("diagnose", |b| {
        b.iter(|| {
            // as a mapped file is read
            let mut a = Analyzer::new(&rules);
            stacklog::input::read_buffer(black_box(&buf), &mut a);
            let an = a.finish();
            black_box(stacklog::diagnose::diagnose(&rules, "bench", &an))
        })
    });
    g.finish();

    let go = corpus("go");
    eprintln!(
        "go corpus: {} bytes, from {} sample logs",
        go.len(),
        sample_logs("go").len()
    );
    let mut g = c.benchmark_group("go");
    g.throughput(Throughput::Bytes(go.len() as u64))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(10));
    g.bench_function("parse", |b| {
        b.iter(|| {
            let mut parser = GoParser::new();
            stacklog::lines::for_each_line(black_box(&go), 1, |n, raw| {
                let line = stacklog::lines::peel(n, raw);
                black_box(parser.parse_line(n, &line.body));
            });
            black_box(parser.summary())
        })
    });
    g.bench_function("diagnose", |b| {
        b.iter(|| {
            let mut a = Analyzer::with_format(&rules, Format::GoBuild);
            stacklog::input::read_buffer(black_box(&go), &mut a);
            let an = a.finish();
            black_box(stacklog::diagnose::diagnose(&rules, "bench", &an))
        })
    });
    g.finish();

    let excerpt_path = samples_dir("devstack").join("seed-mysql-1045-3lines.log");
    let excerpt = std::fs::read_to_string(&excerpt_path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", excerpt_path.display()));
    let mut g = c.benchmark_group("latency");
    g.sample_size(50)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    g.bench_function("diagnose_excerpt", |b| {
        b.iter(|| black_box(stacklog::diagnose_text(&rules, "x", black_box(&excerpt))))
    });
    g.finish();
}

criterion_group!(benches, bench_throughput);
criterion_main!(benches);
