//! The benchmark corpus generator (`benches/corpus/mod.rs`): every file it
//! writes gets exactly the verdict its manifest says, its ordinary body adds
//! no finding to the sample its ending comes from, and the same seed gives
//! the same bytes.

#[path = "../../benches/corpus/mod.rs"]
mod bench_corpus;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use stacklog::input::InputSpec;
use stacklog::rules::RuleSet;

use crate::root;

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!(
            "stacklog-corpus-{tag}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&p);
        TempDir(p)
    }

    fn corpus(&self) -> PathBuf {
        self.0.join("corpus")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// 40 files of about 20 KB each (a log is never shorter than its prelude,
/// one phase of body and its ending, so most are larger).
fn small() -> bench_corpus::Config {
    bench_corpus::Config {
        files: 40,
        seed: 2026,
        megabytes: 0.8,
        ..bench_corpus::Config::default()
    }
}

/// Every file under `dir`, relative path -> bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// kind, outcome, root-cause rule (`-` for none) and the findings'
/// (rule, role) of a report.
fn verdict(r: &stacklog::report::Report) -> (String, String, String, Vec<(String, String)>) {
    let v = serde_json::to_value(r).unwrap();
    let mut findings: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("-").to_string(),
                f["role"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    findings.sort();
    findings.dedup();
    (
        v["kind"].as_str().unwrap().to_string(),
        v["outcome"].as_str().unwrap().to_string(),
        v["root_cause"]["rule"].as_str().unwrap_or("-").to_string(),
        findings,
    )
}

#[test]
fn every_generated_file_gets_its_manifest_verdict() {
    let tmp = TempDir::new("verdicts");
    let written = bench_corpus::generate(&small(), &root().join("samples"), &tmp.corpus()).unwrap();
    let rules = RuleSet::builtin().unwrap();

    let manifest = std::fs::read_to_string(bench_corpus::manifest_path(&tmp.corpus())).unwrap();
    let rows: Vec<Vec<&str>> = manifest
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(rows.len(), 40);
    assert_eq!(tree(&tmp.corpus()).len(), 40, "one file per manifest row");
    assert!(
        rows.iter().any(|r| r[0].ends_with(".gz")),
        "some files are gzipped"
    );

    let mut wrong = vec![];
    for r in &rows {
        let (path, kind, outcome, rule, sample) = (r[0], r[1], r[2], r[3], r[4]);
        let report = stacklog::diagnose_input(&rules, &InputSpec::Path(tmp.corpus().join(path)));
        let got = verdict(&report);
        // the body is ordinary: the file has the findings of the sample
        // its ending comes from, no more, no fewer
        let alone = verdict(&stacklog::diagnose_input(
            &rules,
            &InputSpec::Path(root().join("samples").join(sample)),
        ));
        if (got.0.as_str(), got.1.as_str(), got.2.as_str()) != (kind, outcome, rule)
            || got.3 != alone.3
        {
            wrong.push(format!(
                "{path} (from {sample}): want {kind}/{outcome}/{rule} {:?}, got {got:?}",
                alone.3
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(written.plan.entries.len(), 40);
}

#[test]
fn the_plan_has_the_configured_proportions() {
    let m = bench_corpus::Material::load(&root().join("samples")).unwrap();
    let cfg = bench_corpus::Config {
        files: 1000,
        ..bench_corpus::Config::default()
    };
    let plan = bench_corpus::Plan::new(&cfg, &m);
    let mut by = BTreeMap::<(&str, &str, bool), usize>::new();
    let mut rules = std::collections::BTreeSet::new();
    for e in &plan.entries {
        *by.entry((e.kind.as_str(), e.outcome.as_str(), e.rule != "-"))
            .or_default() += 1;
        if e.kind == bench_corpus::Kind::StackSh && e.rule != "-" {
            rules.insert(e.rule.clone());
        }
    }
    let go: usize = by
        .iter()
        .filter(|(k, _)| k.0 == "go-build")
        .map(|(_, n)| n)
        .sum();
    assert_eq!(go, 200);
    assert_eq!(by[&("stack.sh", "failure", true)], 400);
    assert_eq!(by[&("stack.sh", "failure", false)], 160);
    assert_eq!(by[&("stack.sh", "success", false)], 240);
    assert!(rules.len() >= 8, "known failures from {rules:?}");
    let gz = plan.entries.iter().filter(|e| e.gzip).count();
    assert_eq!(gz, 250);
    assert_eq!(plan.counts().values().sum::<usize>(), 1000);
}

#[test]
fn the_same_seed_writes_the_same_bytes() {
    let (a, b) = (TempDir::new("det-a"), TempDir::new("det-b"));
    let samples = root().join("samples");
    // different thread counts: the bytes must not depend on the schedule
    let one = bench_corpus::Config {
        threads: 1,
        ..small()
    };
    let two = bench_corpus::Config {
        threads: 2,
        ..small()
    };
    bench_corpus::generate(&one, &samples, &a.corpus()).unwrap();
    bench_corpus::generate(&two, &samples, &b.corpus()).unwrap();
    let (ta, tb) = (tree(&a.corpus()), tree(&b.corpus()));
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (k, v) in &ta {
        assert!(tb[k] == *v, "{k} differs between two runs");
    }
    assert_eq!(
        std::fs::read(bench_corpus::manifest_path(&a.corpus())).unwrap(),
        std::fs::read(bench_corpus::manifest_path(&b.corpus())).unwrap()
    );

    // another seed: other ids and dates, same verdicts for the same samples
    let other = bench_corpus::Config { seed: 7, ..small() };
    let m = bench_corpus::Material::load(&samples).unwrap();
    let p1 = bench_corpus::Plan::new(&small(), &m);
    let p2 = bench_corpus::Plan::new(&other, &m);
    assert_ne!(
        p1.entries.iter().map(|e| &e.path).collect::<Vec<_>>(),
        p2.entries.iter().map(|e| &e.path).collect::<Vec<_>>()
    );
}

#[test]
fn a_scan_recovers_the_plan_exactly() {
    let tmp = TempDir::new("scan");
    let written = bench_corpus::generate(&small(), &root().join("samples"), &tmp.corpus()).unwrap();
    let out = crate::stacklog()
        .args(["scan", "-q", "--format", "json", "-j", "2"])
        .arg(tmp.corpus())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "failures found, every file read"
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    let s = &last["summary"];
    let plan = written.plan.counts();
    let mut by_kind: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut causes: BTreeMap<String, u64> = BTreeMap::new();
    let (mut failures, mut explained) = (0, 0);
    for ((kind, outcome, rule), n) in &plan {
        *by_kind.entry((kind.clone(), outcome.clone())).or_default() += *n as u64;
        if outcome == "failure" {
            failures += *n as u64;
            if rule != "-" {
                explained += *n as u64;
                *causes.entry(rule.clone()).or_default() += *n as u64;
            }
        }
    }
    for ((kind, outcome), n) in &by_kind {
        assert_eq!(s["kinds"][kind][outcome], *n, "{kind} {outcome}: {s}");
    }
    assert_eq!(s["files"], 40);
    assert_eq!(s["failures"], failures);
    assert_eq!(s["explained"], explained);
    let got: BTreeMap<String, u64> = s["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["rule"].as_str().unwrap().to_string(),
                c["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, causes);
    assert!(s["unreadable"].as_array().unwrap().is_empty());
    // the runs carry their own dates: the timeline spans the corpus' days
    assert!(s["timeline"].as_array().unwrap().len() > 1, "{s}");
}
