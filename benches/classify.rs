//! The classifier alone: for every line, the literal prefilter of the
//! input's format names the candidate patterns
//! (`RuleSet::prefilter(format).candidates(line, ..)`) and only their
//! regexes run, as `Analyzer::classify` does, without the parse, the facts
//! or the diagnosis around it. Measured over the peeled line bodies of the
//! sample corpus (`samples/devstack`, `samples/go`), so that the figure is
//! the cost of matching signatures and nothing else.
//!
//! Also `regexes_only`: every pattern of the format on every line with no
//! prefilter (what a naive classifier does), for the prefilter's gain.
//!
//! Run with `cargo bench --bench classify`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

#[path = "common/mod.rs"]
mod common;
use common::sample_logs;

use stacklog::rules::{Format, Found, RuleSet};

/// Corpus size the sample logs are repeated up to.
const CORPUS_BYTES: usize = 8 * 1024 * 1024;

/// The peeled bodies (wrappers, timestamps, colour and CR removed) of the
/// sample logs of a family, repeated in name order up to [`CORPUS_BYTES`]
/// of raw text, and that raw size.
fn bodies(family: &str) -> (Vec<String>, usize) {
    let texts = sample_logs(family);
    let (mut out, mut raw) = (vec![], 0);
    'fill: loop {
        for (_, t) in &texts {
            raw += t.len();
            stacklog::lines::for_each_line(t, 1, |n, l| {
                out.push(stacklog::lines::peel(n, l).body.into_owned());
            });
            if raw >= CORPUS_BYTES {
                break 'fill;
            }
        }
    }
    (out, raw)
}

/// How many lines have at least one matching pattern, through the
/// prefilter (the classifier's path).
fn classify(rules: &RuleSet, format: Format, lines: &[String], found: &mut Found) -> usize {
    let pre = rules.prefilter(format);
    let mut hits = 0;
    for body in lines {
        found.clear();
        pre.candidates(body, found);
        let cands = &mut found.patterns;
        if cands.is_empty() {
            continue;
        }
        cands.sort_unstable();
        cands.dedup();
        let mut any = false;
        for &i in cands.iter() {
            any |= rules.patterns[i].regex().is_match(body);
        }
        hits += usize::from(any);
    }
    hits
}

/// The same count with every pattern of the format tried on every line.
fn regexes_only(rules: &RuleSet, format: Format, lines: &[String]) -> usize {
    let mine: Vec<&regex::Regex> = rules
        .patterns
        .iter()
        .filter(|p| format.applies(&rules.rules[p.rule].family))
        .map(|p| p.regex())
        .collect();
    lines
        .iter()
        .filter(|body| mine.iter().any(|r| r.is_match(body)))
        .count()
}

fn bench_classify(c: &mut Criterion) {
    let rules = RuleSet::builtin().expect("builtin rules load");
    for (family, format) in [("devstack", Format::Devstack), ("go", Format::GoBuild)] {
        let (lines, raw) = bodies(family);
        let mut cands = Found::default();
        let hits = classify(&rules, format, &lines, &mut cands);
        // the prefilter only skips patterns that cannot match
        assert_eq!(hits, regexes_only(&rules, format, &lines), "{family}");
        eprintln!(
            "{family}: {raw} bytes, {} lines, {hits} with a signature match",
            lines.len()
        );

        let mut g = c.benchmark_group(format!("classify/{family}"));
        g.throughput(Throughput::Bytes(raw as u64))
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(5));
        g.bench_function("prefilter+regexes", |b| {
            b.iter(|| black_box(classify(&rules, format, black_box(&lines), &mut cands)))
        });
        g.bench_function("regexes_only", |b| {
            b.iter(|| black_box(regexes_only(&rules, format, black_box(&lines))))
        });
        g.finish();
    }
}

criterion_group!(benches, bench_classify);
criterion_main!(benches);
