//! `stacklog scan`: the diagnose pipeline over many files, in parallel, with
//! a mergeable summary (counts, causes, timeline, clusters of unexplained
//! failures).
//!
//! Files are found lazily ([`walk`]), diagnosed on a rayon pool, and handed
//! back in walk order through a bounded reorder window: the output is the
//! same for any thread count and memory does not grow with the number of
//! files. Worlddumps (`worlddump-*` files) wait until the end, so that a dump
//! a stack.sh log already read as its evidence is counted with that log and
//! not as a failure of its own.

pub mod cluster;
pub mod dates;
pub mod draft;
pub mod glob;
pub mod progress;
pub mod summary;
pub mod walk;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use crate::analyze::BINARY_WINDOW;
use crate::input::InputSpec;
use crate::report::{Kind, Report};
use crate::rules::RuleSet;
use crate::{DiagnoseOptions, diagnose_input_with};
use dates::Bucketing;
use progress::Counters;
use summary::{Accumulator, Summary};
use walk::{Entry, WalkOptions};

/// Settings of one scan.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub walk: WalkOptions,
    pub diagnose: DiagnoseOptions,
    /// Worker threads; 0 means one per core.
    pub threads: usize,
    /// Inclusive bounds on a run's time, `YYYY-MM-DD HH:MM:SS`.
    pub since: Option<String>,
    pub until: Option<String>,
    pub by: Bucketing,
}

/// What the scan made of one input.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// Read (perhaps in part) and diagnosed. `companion` is set on a
    /// worlddump that a stack.sh log of the same scan read as evidence.
    Scanned {
        report: Box<Report>,
        companion: bool,
    },
    /// Not scanned on purpose: a binary file, a link not followed.
    Skipped(String),
    /// Dated outside `--since`/`--until`.
    OutsideDates,
}

/// One input and its verdict.
#[derive(Debug, Clone)]
pub struct FileResult {
    pub input: String,
    /// Size as stored.
    pub bytes: u64,
    /// The run's time: the log's first timestamp, else the file's mtime.
    pub at: Option<String>,
    pub verdict: Verdict,
}

impl FileResult {
    pub fn report(&self) -> Option<&Report> {
        match &self.verdict {
            Verdict::Scanned { report, .. } => Some(report),
            _ => None,
        }
    }

    /// An input that could not be read at all.
    fn unreadable(path: &Path, bytes: u64, why: &str) -> FileResult {
        let name = path.display().to_string();
        FileResult {
            input: name.clone(),
            bytes,
            at: None,
            verdict: Verdict::Scanned {
                report: Box::new(Report::unreadable(name.clone(), format!("{name}: {why}"))),
                companion: false,
            },
        }
    }

    pub fn is_companion(&self) -> bool {
        matches!(
            self.verdict,
            Verdict::Scanned {
                companion: true,
                ..
            }
        )
    }
}

/// How much of a file is read up front: for the binary test and for an
/// early timestamp (so files outside the dates are not diagnosed at all).
const PEEK: usize = 64 * 1024;

/// The first timestamp among the complete lines of `head`.
fn first_stamp(head: &[u8]) -> Option<String> {
    let end = memchr::memrchr(b'\n', head)?;
    let mut found = None;
    crate::lines::for_each_line(&head[..end], 1, |n, raw| {
        if found.is_none() {
            found = crate::lines::peel(n, raw).ts.and_then(dates::from_log);
        }
    });
    found
}

fn is_worlddump_name(p: &Path) -> bool {
    p.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("worlddump"))
}

fn inside(at: Option<&str>, opts: &Options) -> bool {
    let Some(at) = at else {
        return true;
    };
    opts.since.as_deref().is_none_or(|s| at >= s) && opts.until.as_deref().is_none_or(|u| at <= u)
}

/// Scans one file. Never fails: problems are part of the verdict.
pub fn scan_file(rules: &RuleSet, path: &Path, bytes: u64, opts: &Options) -> FileResult {
    let input = path.display().to_string();
    let meta = std::fs::metadata(path).ok();
    // a FIFO or device given by name is read once, by the diagnosis
    let head = if meta.as_ref().is_some_and(|m| m.is_file()) {
        crate::input::head(path, PEEK)
    } else {
        Vec::new()
    };
    let window = &head[..head.len().min(BINARY_WINDOW)];
    if let Some(at) = memchr::memchr(0, window) {
        return FileResult {
            input,
            bytes,
            at: None,
            verdict: Verdict::Skipped(format!("binary file (NUL byte at offset {at})")),
        };
    }
    let mtime = || meta.and_then(|m| m.modified().ok()).map(dates::from_mtime);
    let early = first_stamp(&head);
    let dated = opts.since.is_some() || opts.until.is_some();
    if dated && early.is_some() && !inside(early.as_deref(), opts) {
        return FileResult {
            input,
            bytes,
            at: early,
            verdict: Verdict::OutsideDates,
        };
    }
    let report = diagnose_input_with(rules, &InputSpec::Path(path.to_path_buf()), &opts.diagnose);
    let at = report
        .started
        .as_deref()
        .and_then(dates::from_log)
        .or(early)
        .or_else(mtime);
    let verdict = if dated && !inside(at.as_deref(), opts) {
        Verdict::OutsideDates
    } else {
        Verdict::Scanned {
            report: Box::new(report),
            companion: false,
        }
    };
    FileResult {
        input,
        bytes,
        at,
        verdict,
    }
}

/// A result for an entry that needs no diagnosis.
fn without_reading(entry: &Entry) -> Option<FileResult> {
    match entry {
        Entry::File(..) => None,
        Entry::Skipped(p, why) => Some(FileResult {
            input: p.display().to_string(),
            bytes: 0,
            at: None,
            verdict: Verdict::Skipped(why.clone()),
        }),
        Entry::Broken(p, why) => Some(FileResult::unreadable(p, 0, why)),
    }
}

/// The same path, spelled the way the file system resolves it.
fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Runs a scan over `paths`: every input's result goes to `each` in walk
/// order (worlddumps last), and the summary is returned.
pub fn run(
    rules: &RuleSet,
    paths: &[PathBuf],
    opts: &Options,
    counters: Option<&Counters>,
    each: &mut dyn FnMut(&FileResult) -> bool,
) -> Result<Summary, String> {
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        opts.threads
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("stacklog-scan-{i}"))
        .build()
        .map_err(|e| format!("cannot start {threads} threads: {e}"))?;
    let mut acc = Accumulator::new(opts.by);
    let mut used_dumps: HashSet<PathBuf> = HashSet::new();
    let mut dumps: Vec<(PathBuf, u64)> = vec![];
    let mut deliver = |r: FileResult, used: &mut HashSet<PathBuf>| -> bool {
        if let Some(w) = r.report().and_then(|rep| rep.worlddump.as_deref()) {
            used.insert(canonical(Path::new(w)));
        }
        if let Some(c) = counters {
            c.file_done(r.bytes);
        }
        acc.add(&r);
        each(&r)
    };
    // first pass: everything but worlddumps, which are held back
    let mut walk = walk::entries(paths, &opts.walk).filter_map(|e| match e {
        Entry::File(p, n) if is_worlddump_name(&p) => {
            dumps.push((p, n));
            None
        }
        e => Some(e),
    });
    let go_on = ordered(&pool, threads, &mut walk, rules, opts, |r| {
        deliver(r, &mut used_dumps)
    });
    drop(walk);
    if !go_on {
        return Ok(acc.summary());
    }
    // then the worlddumps, each marked when a log already read it
    let mut held = dumps.into_iter().map(|(p, n)| Entry::File(p, n));
    ordered(&pool, threads, &mut held, rules, opts, |mut r| {
        if let Verdict::Scanned { report, companion } = &mut r.verdict {
            *companion = report.kind == Kind::Worlddump
                && used_dumps.contains(&canonical(Path::new(&r.input)));
        }
        deliver(r, &mut used_dumps)
    });
    Ok(acc.summary())
}

/// Diagnoses the files of `entries` on `pool` and hands the results to
/// `sink` in entry order, until it returns false (then false is returned).
/// At most a window of results waits for a slow file, so memory stays
/// bounded whatever the number of files.
fn ordered(
    pool: &rayon::ThreadPool,
    threads: usize,
    entries: &mut dyn Iterator<Item = Entry>,
    rules: &RuleSet,
    opts: &Options,
    mut sink: impl FnMut(FileResult) -> bool,
) -> bool {
    let window = threads * 8 + 16;
    let (tx, rx) = mpsc::channel::<(usize, FileResult)>();
    let mut waiting: BTreeMap<usize, FileResult> = BTreeMap::new();
    let mut issued = 0usize;
    let mut next = 0usize;
    let mut exhausted = false;
    let mut go_on = true;
    pool.in_place_scope(|scope| {
        while go_on {
            while !exhausted && issued - next < window {
                let Some(entry) = entries.next() else {
                    exhausted = true;
                    break;
                };
                let idx = issued;
                issued += 1;
                if let Some(r) = without_reading(&entry) {
                    waiting.insert(idx, r);
                    continue;
                }
                let Entry::File(path, bytes) = entry else {
                    continue;
                };
                let tx = tx.clone();
                scope.spawn(move |_| {
                    // a bug met in one file must not lose it, nor hang the
                    // scan waiting for its result: it is reported instead
                    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        scan_file(rules, &path, bytes, opts)
                    }))
                    .unwrap_or_else(|_| {
                        FileResult::unreadable(
                            &path,
                            bytes,
                            "internal error while diagnosing (please report it)",
                        )
                    });
                    // the receiver lives until every task has reported
                    let _ = tx.send((idx, r));
                });
            }
            while go_on && let Some(r) = waiting.remove(&next) {
                go_on = sink(r);
                next += 1;
            }
            if next == issued {
                if exhausted {
                    break;
                }
                continue;
            }
            match rx.recv() {
                Ok((i, r)) => {
                    waiting.insert(i, r);
                }
                Err(_) => break,
            }
        }
    });
    go_on
}

/// Reads summaries from the output of `scan --format json` (or files
/// holding only summary objects): every line that is a `{"schema":1,
/// "summary":{...}}` object counts.
pub fn read_summaries(name: &str, text: &str) -> Result<Vec<Summary>, String> {
    /// A line of `scan --format json`: the per-file objects have no
    /// top-level `summary` (other fields are ignored).
    #[derive(serde::Deserialize)]
    struct Envelope {
        schema: u32,
        summary: Option<Summary>,
    }
    let mut out = vec![];
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if !t.starts_with('{') || !t.contains("\"summary\"") {
            continue;
        }
        let env: Envelope = serde_json::from_str(t)
            .map_err(|e| format!("{name}: line {}: not a scan summary: {e}", i + 1))?;
        let Some(summary) = env.summary else {
            continue;
        };
        if env.schema != crate::report::SCHEMA {
            return Err(format!(
                "{name}: line {}: summary schema {} (this stacklog reads {})",
                i + 1,
                env.schema,
                crate::report::SCHEMA
            ));
        }
        out.push(summary);
    }
    if out.is_empty() {
        return Err(format!(
            "{name}: no scan summary in it (expected the output of `stacklog scan --format json`)"
        ));
    }
    Ok(out)
}
