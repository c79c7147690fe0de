//! The summary of a scan: counts, causes, timeline and clusters, built so
//! that two summaries merge into the one a single scan of both their files
//! would give. Every count adds; every "which one" (first seen, last seen,
//! a cluster's example) is a minimum or maximum over a total order, never
//! "the first one met", so the order files arrive in does not matter.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::cluster;
use super::dates::Bucketing;
use super::{FileResult, Verdict};
use crate::report::{Outcome, Report};

/// Failures, successes and inconclusive inputs of one kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub failure: u64,
    pub success: u64,
    pub inconclusive: u64,
}

impl Counts {
    pub fn total(&self) -> u64 {
        self.failure + self.success + self.inconclusive
    }
    fn add(&mut self, o: &Counts) {
        self.failure += o.failure;
        self.success += o.success;
        self.inconclusive += o.inconclusive;
    }
}

/// When and where something was seen.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Seen {
    pub at: String,
    pub input: String,
}

/// One root cause and how often it was the cause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cause {
    pub rule: String,
    pub title: String,
    pub count: u64,
    /// count / failures
    pub share: f64,
    pub first_seen: Option<Seen>,
    pub last_seen: Option<Seen>,
}

/// One bucket of the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    pub bucket: String,
    /// Inputs dated in this bucket (worlddumps read with their log aside).
    pub inputs: u64,
    pub failures: u64,
    pub explained: u64,
    /// Explained failures by root cause.
    pub causes: BTreeMap<String, u64>,
}

impl Bucket {
    fn empty(bucket: String) -> Bucket {
        Bucket {
            bucket,
            inputs: 0,
            failures: 0,
            explained: 0,
            causes: BTreeMap::new(),
        }
    }
}

/// A line of a cluster's example run.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Example {
    pub input: String,
    pub line: u64,
    pub text: String,
}

/// Unexplained failures that share a template and a failure location.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    /// A stable name: the fingerprint of the key below.
    pub id: String,
    pub kind: String,
    pub phase: Option<String>,
    /// The failing command's `file:function`, without the line number.
    pub function: Option<String>,
    /// The masked evidence lines.
    pub template: Vec<String>,
    pub count: u64,
    pub first_seen: Option<Seen>,
    pub last_seen: Option<Seen>,
    /// The evidence line of the run with the smallest input name.
    pub example: Example,
}

/// An input that was not scanned or not read in full, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Problem {
    pub input: String,
    pub reason: String,
}

/// The final object of `scan --format json`, the input of `merge`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub by: Bucketing,
    /// Every input met: scanned, unreadable or skipped.
    pub files: u64,
    /// Bytes of the inputs as stored (compressed when gzip).
    pub bytes: u64,
    /// Scanned inputs by kind and outcome.
    pub kinds: BTreeMap<String, Counts>,
    /// Failed runs (a worlddump read with its log is not a run of its own).
    pub failures: u64,
    /// Failed runs whose root cause is a signature.
    pub explained: u64,
    /// explained / failures; null without failures.
    pub classification_rate: Option<f64>,
    /// Worlddumps read as their stack.sh log's evidence.
    pub companions: u64,
    /// Inputs left out by --since/--until.
    pub outside_dates: u64,
    pub causes: Vec<Cause>,
    pub timeline: Vec<Bucket>,
    pub clusters: Vec<Cluster>,
    /// Inputs that could not be read, or only in part.
    pub unreadable: Vec<Problem>,
    /// Inputs not scanned on purpose (binary files, symbolic links).
    pub skipped: Vec<Problem>,
}

fn ratio(n: u64, d: u64) -> Option<f64> {
    // four decimals: stable through a JSON round trip and easy to read
    (d > 0).then(|| (n as f64 / d as f64 * 10_000.0).round() / 10_000.0)
}

fn earliest(slot: &mut Option<Seen>, s: &Option<Seen>) {
    if let Some(s) = s
        && slot.as_ref().is_none_or(|cur| s < cur)
    {
        *slot = Some(s.clone());
    }
}

fn latest(slot: &mut Option<Seen>, s: &Option<Seen>) {
    if let Some(s) = s
        && slot.as_ref().is_none_or(|cur| s > cur)
    {
        *slot = Some(s.clone());
    }
}

/// The key a cluster is found by.
type ClusterKey = (String, Option<String>, Option<String>, Vec<String>);

/// Builds a [`Summary`] from file results and other summaries.
#[derive(Debug, Default)]
pub struct Accumulator {
    by: Bucketing,
    files: u64,
    bytes: u64,
    kinds: BTreeMap<String, Counts>,
    failures: u64,
    explained: u64,
    companions: u64,
    outside_dates: u64,
    causes: BTreeMap<String, Cause>,
    timeline: BTreeMap<String, Bucket>,
    clusters: BTreeMap<ClusterKey, Cluster>,
    unreadable: Vec<Problem>,
    skipped: Vec<Problem>,
}

/// The masked evidence of an unexplained failure, and the line it came from.
fn unexplained_evidence(r: &Report) -> (Vec<String>, Option<(u64, String)>) {
    let mut lines: Vec<(u64, &str)> = r
        .root_cause
        .as_ref()
        .map(|rc| {
            rc.evidence
                .iter()
                .filter(|e| e.file.is_none())
                .take(3)
                .map(|e| (e.line, e.text.as_str()))
                .collect()
        })
        .unwrap_or_default();
    if lines.is_empty()
        && let Some(fp) = &r.failure_point
    {
        lines.push((fp.line, fp.text.as_str()));
    }
    let example = lines.first().map(|(n, t)| (*n, (*t).to_string()));
    (
        lines.iter().map(|(_, t)| cluster::template(t)).collect(),
        example,
    )
}

/// The one-run cluster of an unexplained failure.
fn unexplained(f: &FileResult, report: &Report, seen: Option<Seen>) -> Cluster {
    let (template, example) = unexplained_evidence(report);
    let (line, text) = example.unwrap_or((0, String::new()));
    Cluster {
        id: String::new(),
        kind: report.kind.as_str().to_string(),
        phase: report.phase.clone(),
        function: report
            .failure_point
            .as_ref()
            .and_then(|fp| fp.source.as_deref())
            .map(function_of),
        template,
        count: 1,
        first_seen: seen.clone(),
        last_seen: seen,
        example: Example {
            input: f.input.clone(),
            line,
            text,
        },
    }
}

/// `file:function:line` without the line.
fn function_of(source: &str) -> String {
    match source.rsplit_once(':') {
        Some((head, tail)) if tail.bytes().all(|b| b.is_ascii_digit()) => head.to_string(),
        _ => source.to_string(),
    }
}

impl Accumulator {
    pub fn new(by: Bucketing) -> Self {
        Accumulator {
            by,
            ..Default::default()
        }
    }

    /// Counts one input: as a one-file cause, bucket or cluster, merged
    /// by the same code as another summary's.
    pub fn add(&mut self, f: &FileResult) {
        self.files += 1;
        self.bytes += f.bytes;
        let report = match &f.verdict {
            Verdict::Skipped(reason) => {
                self.skipped.push(Problem {
                    input: f.input.clone(),
                    reason: reason.clone(),
                });
                return;
            }
            Verdict::OutsideDates => {
                self.outside_dates += 1;
                return;
            }
            Verdict::Scanned { report, .. } => report,
        };
        if let Some(e) = &report.error {
            self.unreadable.push(Problem {
                input: f.input.clone(),
                reason: e.clone(),
            });
            if report.lines == 0 {
                return;
            }
        }
        let counts = self
            .kinds
            .entry(report.kind.as_str().to_string())
            .or_default();
        match report.outcome {
            Outcome::Failure => counts.failure += 1,
            Outcome::Success => counts.success += 1,
            Outcome::Inconclusive => counts.inconclusive += 1,
        }
        if f.is_companion() {
            self.companions += 1;
            return;
        }
        let mut bucket = Bucket {
            inputs: 1,
            ..Bucket::empty(
                f.at.as_deref()
                    .map(|at| self.by.key(at))
                    .unwrap_or_default(),
            )
        };
        if report.outcome == Outcome::Failure {
            self.failures += 1;
            bucket.failures = 1;
            let seen = f.at.as_ref().map(|at| Seen {
                at: at.clone(),
                input: f.input.clone(),
            });
            let rc = report.root_cause.as_ref();
            match rc.and_then(|rc| rc.rule.as_ref()) {
                Some(rule) => {
                    self.explained += 1;
                    bucket.explained = 1;
                    bucket.causes.insert(rule.clone(), 1);
                    self.add_cause(Cause {
                        rule: rule.clone(),
                        title: rc.map(|rc| rc.title.clone()).unwrap_or_default(),
                        count: 1,
                        share: 0.0,
                        first_seen: seen.clone(),
                        last_seen: seen,
                    });
                }
                None => self.add_cluster(unexplained(f, report, seen)),
            }
        }
        if f.at.is_some() {
            self.add_bucket(&bucket);
        }
    }

    fn add_cause(&mut self, c: Cause) {
        match self.causes.get_mut(&c.rule) {
            Some(cur) => {
                cur.count += c.count;
                earliest(&mut cur.first_seen, &c.first_seen);
                latest(&mut cur.last_seen, &c.last_seen);
            }
            None => {
                self.causes.insert(c.rule.clone(), c);
            }
        }
    }

    fn add_bucket(&mut self, b: &Bucket) {
        let cur = self
            .timeline
            .entry(b.bucket.clone())
            .or_insert_with(|| Bucket::empty(b.bucket.clone()));
        cur.inputs += b.inputs;
        cur.failures += b.failures;
        cur.explained += b.explained;
        for (r, n) in &b.causes {
            *cur.causes.entry(r.clone()).or_default() += n;
        }
    }

    fn add_cluster(&mut self, c: Cluster) {
        let key = (
            c.kind.clone(),
            c.phase.clone(),
            c.function.clone(),
            c.template.clone(),
        );
        match self.clusters.get_mut(&key) {
            Some(cur) => {
                cur.count += c.count;
                earliest(&mut cur.first_seen, &c.first_seen);
                latest(&mut cur.last_seen, &c.last_seen);
                if c.example < cur.example {
                    cur.example = c.example;
                }
            }
            None => {
                self.clusters.insert(key, c);
            }
        }
    }

    /// Adds another summary (of other files) to this one.
    pub fn absorb(&mut self, s: &Summary) -> Result<(), String> {
        if s.by != self.by {
            return Err(format!(
                "the summaries' timelines differ (by {} and by {}): scan every shard with the same --by",
                self.by.as_str(),
                s.by.as_str()
            ));
        }
        self.files += s.files;
        self.bytes += s.bytes;
        for (k, c) in &s.kinds {
            self.kinds.entry(k.clone()).or_default().add(c);
        }
        self.failures += s.failures;
        self.explained += s.explained;
        self.companions += s.companions;
        self.outside_dates += s.outside_dates;
        for c in &s.causes {
            self.add_cause(c.clone());
        }
        for b in &s.timeline {
            self.add_bucket(b);
        }
        for c in &s.clusters {
            self.add_cluster(c.clone());
        }
        self.unreadable.extend(s.unreadable.iter().cloned());
        self.skipped.extend(s.skipped.iter().cloned());
        Ok(())
    }

    /// The summary, every list in its documented order.
    pub fn summary(&self) -> Summary {
        let mut causes: Vec<Cause> = self.causes.values().cloned().collect();
        for c in &mut causes {
            c.share = ratio(c.count, self.failures).unwrap_or(0.0);
        }
        causes.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.rule.cmp(&b.rule)));
        let mut clusters: Vec<Cluster> = self
            .clusters
            .iter()
            .map(|((kind, phase, function, template), c)| {
                let mut parts: Vec<&str> = vec![kind, phase.as_deref().unwrap_or("")];
                parts.push(function.as_deref().unwrap_or(""));
                parts.extend(template.iter().map(String::as_str));
                Cluster {
                    id: cluster::fingerprint(&parts),
                    ..c.clone()
                }
            })
            .collect();
        clusters.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.template.cmp(&b.template))
                .then_with(|| a.id.cmp(&b.id))
        });
        let mut unreadable = self.unreadable.clone();
        unreadable.sort();
        let mut skipped = self.skipped.clone();
        skipped.sort();
        Summary {
            by: self.by,
            files: self.files,
            bytes: self.bytes,
            kinds: self.kinds.clone(),
            failures: self.failures,
            explained: self.explained,
            classification_rate: ratio(self.explained, self.failures),
            companions: self.companions,
            outside_dates: self.outside_dates,
            causes,
            timeline: self.timeline.values().cloned().collect(),
            clusters,
            unreadable,
            skipped,
        }
    }
}

impl Summary {
    /// Scanned inputs, all kinds together.
    pub fn totals(&self) -> Counts {
        let mut t = Counts::default();
        for c in self.kinds.values() {
            t.add(c);
        }
        t
    }

    /// Merges summaries of disjoint sets of files.
    pub fn merge(parts: &[Summary]) -> Result<Summary, String> {
        let Some(first) = parts.first() else {
            return Err("no summary to merge".into());
        };
        let mut acc = Accumulator::new(first.by);
        for p in parts {
            acc.absorb(p)?;
        }
        Ok(acc.summary())
    }
}
