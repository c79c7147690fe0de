//! The deterministic benchmark corpus: a tree of stack.sh logs and Go build
//! logs, some gzipped, with the verdict each file should get.
//!
//! Nothing here invents a log format. Every line comes from the sample
//! corpus (`samples/devstack`, `samples/go`, whose provenance is in
//! `samples/README.md`): a stack.sh log is
//!
//! 1. the *prelude* of its ending's sample (the lines before its first
//!    `echo_summary` phase marker: stackrc, HOST_IP, the proxy exports),
//! 2. a long *body*: the phases of an ordinary successful run of the same
//!    era (`new-success.stack.sh.log` for today's logs, the part of
//!    `long-git-protocol-blocked.log` before its failing phase for 2016
//!    ones), repeated phase by phase up to the target size,
//! 3. the *ending*: the rest of a sample whose verdict `samples/expected.tsv`
//!    gives (a known failure, a failure no signature explains, or a
//!    success with its real tail).
//!
//! Only ids change from copy to copy: outfilter timestamps (re-laid on one
//! clock per log that keeps the sample's own gaps), dates inside the text,
//! IPv4 addresses (one bijective mapping per log, the host's own address
//! kept consistent between the pieces), UUIDs, long hex ids and long digit
//! runs. Go logs are the samples of `samples/go/expected.tsv` with their ids
//! varied the same way.
//!
//! The same seed gives the same bytes: the PRNG is our own (SplitMix64),
//! every file has its own stream derived from the seed and its index, so the
//! files can be written by several threads in any order.
//!
//! Layout: `OUT/YYYY-MM-DD/job-NNNNN/stack.sh.log[.gz]` and
//! `OUT/YYYY-MM-DD/job-NNNNN/go-build.log[.gz]`. The ground truth is written
//! *beside* the tree, as `OUT.manifest.tsv` (see [`manifest_path`]), so a
//! scan of `OUT` never reads it.
//!
//! This file uses only std and flate2, not the stacklog library, so that it
//! can be `#[path]`-included by an example, a test or a bench.

#![allow(dead_code)] // each includer uses a different part

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use flate2::Compression;
use flate2::write::GzEncoder;

/// SplitMix64: tiny, fast, and good enough to pick samples and ids.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        // the multiply-shift reduction: no modulo bias worth caring about
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            v.swap(i, j);
        }
    }
}

/// Mixes two words into a seed (for per-file and per-id streams).
fn mix(a: u64, b: u64) -> u64 {
    Rng::new(a ^ b.wrapping_mul(0xd6e8_feb8_6659_fd93)).next_u64()
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Config {
    pub files: usize,
    pub seed: u64,
    /// Approximate total size, uncompressed, in MB (10^6 bytes). Go logs
    /// keep their natural size (a few KB); the stack.sh logs share the rest,
    /// each within 0.5x..1.5x of the average.
    pub megabytes: f64,
    /// Share of the files written gzipped.
    pub gzip_share: f64,
    /// Share of the files that are Go build logs.
    pub go_share: f64,
    /// Shares of the stack.sh logs that end in a known failure and in a
    /// failure no signature explains; the rest succeed.
    pub known_share: f64,
    pub unknown_share: f64,
    /// The first day of the corpus (days since 1970-01-01) and how many
    /// days the runs are spread over.
    pub first_day: i64,
    pub days: i64,
    /// Worker threads for writing (0: all cores). Does not change the bytes.
    pub threads: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            files: 1000,
            seed: 42,
            megabytes: 1000.0,
            gzip_share: 0.25,
            go_share: 0.2,
            known_share: 0.5,
            unknown_share: 0.2,
            first_day: days_from_civil(2026, 9, 15),
            days: 60,
            threads: 0,
        }
    }
}

// ---------------------------------------------------------------------------
// Dates (UTC, proleptic Gregorian; Howard Hinnant's algorithms)

pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// Milliseconds since the epoch -> (y, m, d, H, M, S, ms).
fn split_ms(ms: i64) -> (i64, i64, i64, i64, i64, i64, i64) {
    let days = ms.div_euclid(86_400_000);
    let rest = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    (
        y,
        m,
        d,
        rest / 3_600_000,
        rest / 60_000 % 60,
        rest / 1000 % 60,
        rest % 1000,
    )
}

pub fn day_name(ms: i64) -> String {
    let (y, m, d, ..) = split_ms(ms);
    format!("{y:04}-{m:02}-{d:02}")
}

fn num(b: &[u8]) -> i64 {
    b.iter().fold(0, |n, &c| n * 10 + (c - b'0') as i64)
}

fn all_digits(b: &[u8]) -> bool {
    b.iter().all(u8::is_ascii_digit)
}

/// `YYYY-MM-DD HH:MM:SS.mmm | ` at the start of a line: the outfilter stamp.
fn outfilter_stamp(line: &[u8]) -> Option<i64> {
    if line.len() < 25 || &line[23..25] != b" |" || line.get(25).is_some_and(|&c| c != b' ') {
        return None;
    }
    let b = line;
    let ok = all_digits(&b[0..4])
        && b[4] == b'-'
        && all_digits(&b[5..7])
        && b[7] == b'-'
        && all_digits(&b[8..10])
        && b[10] == b' '
        && all_digits(&b[11..13])
        && b[13] == b':'
        && all_digits(&b[14..16])
        && b[16] == b':'
        && all_digits(&b[17..19])
        && b[19] == b'.'
        && all_digits(&b[20..23]);
    ok.then(|| {
        days_from_civil(num(&b[0..4]), num(&b[5..7]), num(&b[8..10])) * 86_400_000
            + num(&b[11..13]) * 3_600_000
            + num(&b[14..16]) * 60_000
            + num(&b[17..19]) * 1000
            + num(&b[20..23])
    })
}

// ---------------------------------------------------------------------------
// Templates: the material's lines, with the spans that vary marked

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokKind {
    /// `YYYY-MM-DD HH:MM:SS` (or with `T`) inside a line: the clock.
    DateTime,
    /// `YYYY-MM-DD-HHMMSS` in a file name: the log's start, or the clock
    /// for a worlddump's name (it is taken when the dump runs).
    DateCompact {
        worlddump: bool,
    },
    /// An IPv4 address; `host` when it is the sample's own HOST_IP.
    Ip {
        a: u8,
        b: u8,
        c: u8,
        d: u8,
        host: bool,
    },
    Uuid,
    /// A run of 16+ hex digits (git shas, cache keys).
    Hex,
    /// A run of 6+ decimal digits (epoch seconds, pids, temp dir names).
    Digits,
}

#[derive(Debug, Clone)]
struct Tok {
    start: u32,
    end: u32,
    kind: TokKind,
    /// Hash of the original text: the same id gets the same replacement
    /// within one copy.
    hash: u64,
}

#[derive(Debug, Clone)]
struct Line {
    /// The outfilter stamp of the original line (ms since the epoch).
    stamp: Option<i64>,
    /// The line after its stamp, without the newline.
    text: String,
    toks: Vec<Tok>,
}

impl Line {
    fn len(&self, stamped: bool) -> usize {
        self.text.len() + 1 + if stamped { 26 } else { 0 }
    }
}

fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

fn run_len(b: &[u8], i: usize, f: impl Fn(u8) -> bool) -> usize {
    b[i..].iter().take_while(|&&c| f(c)).count()
}

fn is_lower_hex(c: u8) -> bool {
    c.is_ascii_digit() || (b'a'..=b'f').contains(&c)
}

/// `8-4-4-4-12` lower-case hex at `i`.
fn uuid_at(b: &[u8], i: usize) -> bool {
    let groups = [8, 4, 4, 4, 12];
    let mut p = i;
    for (k, &g) in groups.iter().enumerate() {
        if b.len() < p + g || !b[p..p + g].iter().all(|&c| is_lower_hex(c)) {
            return false;
        }
        p += g;
        if k < 4 {
            if b.get(p) != Some(&b'-') {
                return false;
            }
            p += 1;
        }
    }
    b.get(p).is_none_or(|&c| !is_alnum(c))
}

/// `\d{4}-\d\d-\d\d` at `i`.
fn date_at(b: &[u8], i: usize) -> bool {
    b.len() >= i + 10
        && all_digits(&b[i..i + 4])
        && b[i + 4] == b'-'
        && all_digits(&b[i + 5..i + 7])
        && b[i + 7] == b'-'
        && all_digits(&b[i + 8..i + 10])
}

/// An IPv4 address at `i`: four 1-3 digit octets without leading zeros,
/// not part of a longer dotted run and not a CIDR (`10.0.0.0/22` names a
/// range, which a remap would break).
fn ip_at(b: &[u8], i: usize) -> Option<(usize, [u8; 4])> {
    let mut p = i;
    let mut oct = [0u8; 4];
    for (k, o) in oct.iter_mut().enumerate() {
        let n = run_len(b, p, |c| c.is_ascii_digit());
        if n == 0 || n > 3 || (n > 1 && b[p] == b'0') {
            return None;
        }
        let v = num(&b[p..p + n]);
        if v > 255 {
            return None;
        }
        *o = v as u8;
        p += n;
        if k < 3 {
            if b.get(p) != Some(&b'.') {
                return None;
            }
            p += 1;
        }
    }
    match b.get(p) {
        Some(&c) if is_alnum(c) || c == b'/' || c == b'_' => None,
        Some(&b'.') if b.get(p + 1).is_some_and(u8::is_ascii_digit) => None,
        _ => Some((p - i, oct)),
    }
}

fn tokenize(text: &str, host: Option<[u8; 4]>) -> Vec<Tok> {
    let b = text.as_bytes();
    let mut toks = vec![];
    let mut i = 0;
    while i < b.len() {
        let prev = if i == 0 { b' ' } else { b[i - 1] };
        let boundary = !is_alnum(prev);
        let mut push = |start: usize, end: usize, kind: TokKind| {
            toks.push(Tok {
                start: start as u32,
                end: end as u32,
                kind,
                hash: fnv1a(&b[start..end]),
            });
            end
        };
        if boundary && date_at(b, i) {
            let t = i + 10;
            if b.len() >= t + 9
                && (b[t] == b' ' || b[t] == b'T')
                && all_digits(&b[t + 1..t + 3])
                && b[t + 3] == b':'
                && all_digits(&b[t + 4..t + 6])
                && b[t + 6] == b':'
                && all_digits(&b[t + 7..t + 9])
            {
                i = push(i, t + 9, TokKind::DateTime);
                continue;
            }
            if b.len() >= t + 7
                && b[t] == b'-'
                && all_digits(&b[t + 1..t + 7])
                && b.get(t + 7).is_none_or(|c| !c.is_ascii_digit())
            {
                let worlddump = text[..i].ends_with("worlddump-");
                i = push(i, t + 7, TokKind::DateCompact { worlddump });
                continue;
            }
        }
        if boundary
            && prev != b'.'
            && b[i].is_ascii_digit()
            && let Some((n, [a, bb, c, d])) = ip_at(b, i)
        {
            // loopback, "any", broadcast and multicast mean what they say
            let keep = a == 127 || a == 0 || a == 255 || a >= 224;
            if keep {
                i += n;
            } else {
                let host = host == Some([a, bb, c, d]);
                let kind = TokKind::Ip {
                    a,
                    b: bb,
                    c,
                    d,
                    host,
                };
                i = push(i, i + n, kind);
            }
            continue;
        }
        if boundary && uuid_at(b, i) {
            i = push(i, i + 36, TokKind::Uuid);
            continue;
        }
        if boundary && b[i].is_ascii_hexdigit() {
            let n = run_len(b, i, |c| c.is_ascii_hexdigit());
            let run = &b[i..i + n];
            let end_ok = b.get(i + n).is_none_or(|&c| !is_alnum(c));
            if n >= 16
                && end_ok
                && run.iter().any(u8::is_ascii_digit)
                && run.iter().any(u8::is_ascii_alphabetic)
            {
                i = push(i, i + n, TokKind::Hex);
                continue;
            }
        }
        if b[i].is_ascii_digit() && !prev.is_ascii_digit() {
            let n = run_len(b, i, |c| c.is_ascii_digit());
            if n >= 6 && b[i] != b'0' && b.get(i + n).is_none_or(|&c| !is_alnum(c)) {
                i = push(i, i + n, TokKind::Digits);
                continue;
            }
            i += n;
            continue;
        }
        // skip the rest of a word so that ids are only found at its start
        if is_alnum(b[i]) {
            i += run_len(b, i, is_alnum).max(1);
        } else {
            i += 1;
        }
    }
    toks
}

/// The host's own IPv4 address in a sample: the traced `HOST_IP=` or the
/// success tail's `This is your host IP address:`.
fn find_host_ip(text: &str) -> Option<[u8; 4]> {
    for key in ["HOST_IP=", "This is your host IP address: "] {
        for (pos, _) in text.match_indices(key) {
            if let Some((_, ip)) = ip_at(text.as_bytes(), pos + key.len()) {
                return Some(ip);
            }
        }
    }
    None
}

/// One sample file, as templates.
#[derive(Debug, Clone)]
struct Doc {
    name: String,
    /// The sample's own HOST_IP.
    host: Option<[u8; 4]>,
    lines: Vec<Line>,
    /// Lines that start a phase (`echo_summary 'X'`, X not the log name).
    markers: Vec<usize>,
}

fn is_phase_marker(text: &str) -> bool {
    text.starts_with('+')
        && text
            .find("echo_summary '")
            .is_some_and(|p| !text[p + 14..].starts_with("stack.sh log"))
}

/// The colour PS4 of a 2016 console paste with its escapes lost
/// (`+FILE:FUNC:LINE<pad>  cmd`) rewritten to the plain LOGFILE form
/// (`+ FILE:FUNC:LINE<pad 40> :   cmd`): the inverse of the mechanical
/// `*.color.log` variant of the samples.
fn plain_ps4(line: &str) -> String {
    let depth = line.bytes().take_while(|&c| c == b'+').count();
    let rest = &line[depth..];
    if depth == 0 || rest.starts_with(' ') || rest.starts_with('-') {
        return line.to_string();
    }
    let loc_end = rest.find(' ').unwrap_or(rest.len());
    let loc = &rest[..loc_end];
    let is_loc = loc.matches(':').count() == 2
        && loc
            .rsplit(':')
            .next()
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()));
    let cmd = rest[loc_end..].trim_start();
    if !is_loc || !rest[loc_end..].starts_with("  ") {
        return line.to_string();
    }
    format!("{} {loc:<40} :   {cmd}", "+".repeat(depth))
}

fn load_doc(path: &Path, console: bool) -> io::Result<Doc> {
    let raw = std::fs::read_to_string(path)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    let host = find_host_ip(&raw);
    let mut lines = vec![];
    let mut markers = vec![];
    for l in raw.lines() {
        let l = l.strip_suffix('\r').unwrap_or(l);
        let (stamp, text) = match outfilter_stamp(l.as_bytes()) {
            Some(ms) => (Some(ms), l.get(26..).unwrap_or("").to_string()),
            None if console => (None, plain_ps4(l)),
            None => (None, l.to_string()),
        };
        if is_phase_marker(&text) {
            markers.push(lines.len());
        }
        let toks = tokenize(&text, host);
        lines.push(Line { stamp, text, toks });
    }
    Ok(Doc {
        name: path.file_name().unwrap().to_string_lossy().into_owned(),
        host,
        lines,
        markers,
    })
}

// ---------------------------------------------------------------------------
// The material

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// 2016 (devstack 96ffde28 era: git://, python 2.7).
    Old,
    /// Today (devstack 493835a6 era).
    New,
}

/// One way a stack.sh log can end, with the verdict `samples/expected.tsv`
/// gives the sample it comes from.
#[derive(Debug, Clone)]
pub struct Ending {
    pub sample: String,
    pub era: Era,
    pub outcome: String,
    pub rule: String,
    /// The sample is a console paste: its lines are stamped as outfilter
    /// would, and its colour PS4 made plain.
    console: bool,
    doc: Doc,
    /// Index into [`Material::bodies`].
    body: usize,
    /// Where the ending starts in `doc`: the first phase marker, or for a
    /// sample that is its own body, the phase the body stops before.
    tail_start: usize,
}

impl Ending {
    /// The lines before the sample's first phase marker (none without one).
    fn prelude(&self) -> &[Line] {
        match self.doc.markers.first() {
            Some(&m) => &self.doc.lines[..m],
            None => &[],
        }
    }

    fn tail(&self) -> &[Line] {
        &self.doc.lines[self.tail_start..]
    }
}

/// The ordinary successful run of an era: its prelude and its phases.
#[derive(Debug, Clone)]
struct Body {
    doc: Doc,
    /// Where the body stops in `doc`.
    end: usize,
    /// `[start, end)` of each phase in `doc.lines`.
    phases: Vec<(usize, usize)>,
}

#[derive(Debug, Clone)]
pub struct GoLog {
    pub sample: String,
    pub outcome: String,
    pub rule: String,
    doc: Doc,
}

#[derive(Debug, Clone)]
pub struct Material {
    pub endings: Vec<Ending>,
    pub go: Vec<GoLog>,
    /// The plain runs of today and of 2016, then the samples that are their
    /// own body.
    bodies: Vec<Body>,
}

/// The stack.sh samples used as endings: their era, whether they are
/// console pastes, and, for a sample long enough to be its own body, the
/// phase its body stops before (the proxy sample: its body keeps the proxy
/// in every pip and apt trace, which the plain run's body would contradict). Left out (see benches/README.md): samples whose failure
/// happens before LOGFILE exists (no body can come before them), the
/// derived variants (Zuul prefix, CRLF, no timestamps, colour), summary
/// files, and excerpts without an ending.
const ENDINGS: &[(&str, Era, bool, Option<&str>)] = &[
    // known failures, today
    (
        "long-proxy-keystone-unreachable.log",
        Era::New,
        false,
        Some("Starting Keystone"),
    ),
    ("new-apt-fetch-failed.log", Era::New, false, None),
    ("new-mysql-cannot-connect.log", Era::New, false, None),
    ("new-git-repo-not-found.log", Era::New, false, None),
    ("new-git-timeout.log", Era::New, false, None),
    ("new-dns-resolve.log", Era::New, false, None),
    ("new-apt-lock.log", Era::New, false, None),
    (
        "new-pip-no-matching-distribution.log",
        Era::New,
        false,
        None,
    ),
    ("new-keystone-did-not-start.log", Era::New, false, None),
    ("new-systemd-unit-failed.log", Era::New, false, None),
    ("new-rabbitmq-password.log", Era::New, false, None),
    ("new-disk-full.log", Era::New, false, None),
    ("new-neutron-net-create-failed.log", Era::New, false, None),
    ("new-ovs-not-running.log", Era::New, false, None),
    ("sim-new-die.stack.sh.log", Era::New, false, None),
    // known failures, 2016
    ("long-git-protocol-blocked.log", Era::Old, false, None),
    ("seed-problem4-mysql-1045.log", Era::Old, true, None),
    ("seed-problem5-keystone-dbsock.log", Era::Old, true, None),
    ("sim-old-die.stack.sh.log", Era::Old, false, None),
    // failures no signature explains
    ("new-unknown-failure.log", Era::New, false, None),
    ("sim-new-func.stack.sh.log", Era::New, false, None),
    ("sim-new-main.stack.sh.log", Era::New, false, None),
    ("sim-old-func.stack.sh.log", Era::Old, false, None),
    ("sim-old-main.stack.sh.log", Era::Old, false, None),
    // successes
    ("new-success.stack.sh.log", Era::New, false, None),
    ("sim-new-success.tail.log", Era::New, false, None),
    ("sim-old-success.tail.log", Era::Old, false, None),
];

/// `file -> (outcome, rule)` from an `expected.tsv`.
fn expected(path: &Path) -> io::Result<BTreeMap<String, (String, String)>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    Ok(text
        .lines()
        .skip(1)
        .filter_map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            (c.len() >= 3).then(|| (c[0].to_string(), (c[1].to_string(), c[2].to_string())))
        })
        .collect())
}

fn body(doc: Doc, until_phase: Option<&str>) -> Body {
    let end = match until_phase {
        Some(p) => doc
            .markers
            .iter()
            .copied()
            .find(|&m| doc.lines[m].text.contains(&format!("echo_summary '{p}'")))
            .expect("body end phase present"),
        // up to the last stamped line: the untimestamped tail is not body
        None => doc.lines.iter().rposition(|l| l.stamp.is_some()).unwrap() + 1,
    };
    let mut phases = vec![];
    for (k, &m) in doc.markers.iter().enumerate() {
        if m >= end {
            break;
        }
        let next = doc.markers.get(k + 1).copied().unwrap_or(end).min(end);
        phases.push((m, next));
    }
    Body { doc, end, phases }
}

impl Material {
    /// Reads the material from a `samples/` directory.
    pub fn load(samples: &Path) -> io::Result<Material> {
        let dev = expected(&samples.join("expected.tsv"))?;
        let mut bodies = vec![
            body(
                load_doc(&samples.join("devstack/new-success.stack.sh.log"), false)?,
                None,
            ),
            body(
                load_doc(
                    &samples.join("devstack/long-git-protocol-blocked.log"),
                    false,
                )?,
                Some("Configuring Tempest"),
            ),
        ];
        let mut endings = vec![];
        for &(name, era, console, own_body) in ENDINGS {
            let (outcome, rule) = dev
                .get(&format!("devstack/{name}"))
                .cloned()
                .ok_or_else(|| io::Error::other(format!("{name}: not in samples/expected.tsv")))?;
            let doc = load_doc(&samples.join("devstack").join(name), console)?;
            let (body_index, tail_start) = match (own_body, era) {
                (Some(until), _) => {
                    let b = body(doc.clone(), Some(until));
                    let end = b.end;
                    bodies.push(b);
                    (bodies.len() - 1, end)
                }
                (None, era) => (
                    if era == Era::New { 0 } else { 1 },
                    doc.markers.first().copied().unwrap_or(0),
                ),
            };
            endings.push(Ending {
                body: body_index,
                tail_start,
                sample: format!("devstack/{name}"),
                era,
                outcome,
                rule,
                console,
                doc,
            });
        }
        let go_expected = expected(&samples.join("go/expected.tsv"))?;
        let mut go = vec![];
        for (file, (outcome, rule)) in go_expected {
            let doc = load_doc(&samples.join(&file), false)?;
            go.push(GoLog {
                sample: file,
                outcome,
                rule,
                doc,
            });
        }
        Ok(Material {
            endings,
            go,
            bodies,
        })
    }
}

// ---------------------------------------------------------------------------
// The plan

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    StackSh,
    GoBuild,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::StackSh => "stack.sh",
            Kind::GoBuild => "go-build",
        }
    }
}

/// One file of the corpus.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Relative to the corpus directory, `/`-separated.
    pub path: String,
    pub kind: Kind,
    pub outcome: String,
    pub rule: String,
    /// The sample the ending (or the whole Go log) comes from.
    pub sample: String,
    pub gzip: bool,
    /// Uncompressed size aimed at (stack.sh logs).
    pub target: u64,
    /// When the run started (ms since the epoch).
    pub start_ms: i64,
    /// The file's own PRNG seed.
    pub seed: u64,
    /// Index into [`Material::endings`] or [`Material::go`].
    source: usize,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub entries: Vec<Entry>,
}

/// Rounds `shares` of `n` so that they add up to `n` (largest remainder).
fn apportion(n: usize, shares: &[f64]) -> Vec<usize> {
    let raw: Vec<f64> = shares.iter().map(|s| s * n as f64).collect();
    let mut out: Vec<usize> = raw.iter().map(|r| r.floor() as usize).collect();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|&a, &b| {
        (raw[b] - raw[b].floor())
            .partial_cmp(&(raw[a] - raw[a].floor()))
            .unwrap()
            .then(a.cmp(&b))
    });
    let mut left = n - out.iter().sum::<usize>();
    for &k in order.iter().cycle() {
        if left == 0 {
            break;
        }
        out[k] += 1;
        left -= 1;
    }
    out
}

impl Plan {
    /// Decides every file: its kind, verdict, source sample, size, date and
    /// path. Depends only on the config and the material.
    pub fn new(cfg: &Config, m: &Material) -> Plan {
        let mut rng = Rng::new(mix(cfg.seed, 0x91a2));
        let stack = |o: &str, known: bool| {
            m.endings
                .iter()
                .enumerate()
                .filter(|(_, e)| e.outcome == o && (e.rule != "-") == known)
                .map(|(i, _)| i)
                .collect::<Vec<_>>()
        };
        let known = stack("failure", true);
        let unknown = stack("failure", false);
        let success = stack("success", false);
        let go: Vec<usize> = (0..m.go.len()).collect();

        let n_go = ((cfg.files as f64) * cfg.go_share).round() as usize;
        let n_stack = cfg.files - n_go.min(cfg.files);
        let split = apportion(
            n_stack,
            &[
                cfg.known_share,
                cfg.unknown_share,
                1.0 - cfg.known_share - cfg.unknown_share,
            ],
        );
        // (kind, source): each group cycles through its samples from a
        // random starting point, so every sample is used about equally
        let mut picks: Vec<(Kind, usize)> = vec![];
        for (count, pool, kind) in [
            (split[0], &known, Kind::StackSh),
            (split[1], &unknown, Kind::StackSh),
            (split[2], &success, Kind::StackSh),
            (cfg.files - n_stack, &go, Kind::GoBuild),
        ] {
            let off = rng.below(pool.len() as u64) as usize;
            picks.extend((0..count).map(|i| (kind, pool[(off + i) % pool.len()])));
        }
        rng.shuffle(&mut picks);

        let n_gz = ((cfg.files as f64) * cfg.gzip_share).round() as usize;
        let mut gz: Vec<bool> = (0..cfg.files).map(|i| i < n_gz).collect();
        rng.shuffle(&mut gz);

        let avg = cfg.megabytes * 1e6 / n_stack.max(1) as f64;
        let mut starts: Vec<i64> = (0..cfg.files)
            .map(|_| (cfg.first_day * 86_400 + rng.below(cfg.days as u64 * 86_400) as i64) * 1000)
            .collect();
        starts.sort_unstable();

        let width = (cfg.files.max(1) - 1).to_string().len().max(5);
        let entries = picks
            .into_iter()
            .zip(gz)
            .zip(starts)
            .enumerate()
            .map(|(i, (((kind, source), gzip), start_ms))| {
                let (outcome, rule, sample) = match kind {
                    Kind::StackSh => {
                        let e = &m.endings[source];
                        (e.outcome.clone(), e.rule.clone(), e.sample.clone())
                    }
                    Kind::GoBuild => {
                        let g = &m.go[source];
                        (g.outcome.clone(), g.rule.clone(), g.sample.clone())
                    }
                };
                let name = match kind {
                    Kind::StackSh => "stack.sh.log",
                    Kind::GoBuild => "go-build.log",
                };
                let path = format!(
                    "{}/job-{i:0width$}/{name}{}",
                    day_name(start_ms),
                    if gzip { ".gz" } else { "" }
                );
                Entry {
                    path,
                    kind,
                    outcome,
                    rule,
                    sample,
                    gzip,
                    target: (avg * (0.5 + rng.unit())) as u64,
                    start_ms,
                    seed: mix(cfg.seed, i as u64 + 1),
                    source,
                }
            })
            .collect();
        Plan { entries }
    }

    /// Files per (kind, outcome, rule).
    pub fn counts(&self) -> BTreeMap<(String, String, String), usize> {
        let mut out = BTreeMap::new();
        for e in &self.entries {
            *out.entry((
                e.kind.as_str().to_string(),
                e.outcome.clone(),
                e.rule.clone(),
            ))
            .or_default() += 1;
        }
        out
    }

    /// The ground truth: `path kind outcome rule sample`, tab-separated,
    /// with a header line.
    pub fn manifest(&self) -> String {
        let mut s = String::from("path\tkind\toutcome\trule\tsample\n");
        for e in &self.entries {
            let _ = writeln!(
                s,
                "{}\t{}\t{}\t{}\t{}",
                e.path,
                e.kind.as_str(),
                e.outcome,
                e.rule,
                e.sample
            );
        }
        s
    }
}

// ---------------------------------------------------------------------------
// Rendering

/// The values of one log: its clock, its address mapping, its ids.
struct Varier {
    start_ms: i64,
    clock: i64,
    /// Affine maps of the last two octets: `x -> (x*k + off) mod 251` for the
    /// third (0..=250) and `(x-1)*k + off mod 250 + 1` for the fourth
    /// (1..=250), both bijections, so two addresses never merge.
    k3: u64,
    o3: u64,
    k4: u64,
    o4: u64,
    /// The host address of this log (what every sample's HOST_IP becomes).
    host: Option<[u8; 4]>,
    /// Salt for the ids of the current piece (each body copy differs).
    salt: u64,
}

impl Varier {
    fn new(rng: &mut Rng, start_ms: i64) -> Varier {
        // multipliers coprime to 251 (prime) and to 250 = 2 * 5^3
        let k3 = 1 + rng.below(250);
        let mut k4 = 1 + rng.below(249);
        while k4.is_multiple_of(2) || k4.is_multiple_of(5) {
            k4 += 1;
        }
        Varier {
            start_ms,
            clock: start_ms,
            k3,
            o3: rng.below(251),
            k4,
            o4: rng.below(250),
            host: None,
            salt: rng.next_u64(),
        }
    }

    fn map_ip(&self, [a, b, c, d]: [u8; 4]) -> [u8; 4] {
        let c2 = if c <= 250 {
            ((c as u64 * self.k3 + self.o3) % 251) as u8
        } else {
            c
        };
        let d2 = if (1..=250).contains(&d) {
            (((d as u64 - 1) * self.k4 + self.o4) % 250 + 1) as u8
        } else {
            d
        };
        [a, b, c2, d2]
    }

    fn write_datetime(&self, out: &mut Vec<u8>, ms: i64, sep: u8) {
        let (y, m, d, hh, mm, ss, _) = split_ms(ms);
        let _ = write!(out, "{y:04}-{m:02}-{d:02}");
        out.push(sep);
        let _ = write!(out, "{hh:02}:{mm:02}:{ss:02}");
    }

    fn write_stamp(&self, out: &mut Vec<u8>) {
        self.write_datetime(out, self.clock, b' ');
        let _ = write!(out, ".{:03} | ", self.clock.rem_euclid(1000));
    }

    fn write_compact(&self, out: &mut Vec<u8>, ms: i64) {
        let (y, m, d, hh, mm, ss, _) = split_ms(ms);
        let _ = write!(out, "{y:04}-{m:02}-{d:02}-{hh:02}{mm:02}{ss:02}");
    }

    /// Writes `orig` (hex, digits, a uuid) with each alphanumeric replaced by
    /// one of the same class, from a stream keyed by the id and the salt.
    fn write_id(&self, out: &mut Vec<u8>, orig: &[u8], hash: u64, kind: TokKind) {
        let mut r = Rng::new(mix(self.salt, hash));
        for (i, &c) in orig.iter().enumerate() {
            let v = r.next_u64();
            out.push(match (kind, c) {
                (_, b'-') => b'-',
                (TokKind::Digits, _) if i == 0 => b'1' + (v % 9) as u8,
                (TokKind::Digits, _) => b'0' + (v % 10) as u8,
                (_, c) if c.is_ascii_uppercase() => b"0123456789ABCDEF"[(v % 16) as usize],
                _ => b"0123456789abcdef"[(v % 16) as usize],
            });
        }
    }

    fn write_line(&self, out: &mut Vec<u8>, line: &Line) {
        let b = line.text.as_bytes();
        let mut at = 0;
        for t in &line.toks {
            let (s, e) = (t.start as usize, t.end as usize);
            out.extend_from_slice(&b[at..s]);
            match t.kind {
                TokKind::DateTime => self.write_datetime(out, self.clock, b[s + 10]),
                TokKind::DateCompact { worlddump } => {
                    self.write_compact(out, if worlddump { self.clock } else { self.start_ms })
                }
                TokKind::Ip { a, b, c, d, host } => {
                    let ip = match (host, self.host) {
                        (true, Some(h)) => h,
                        _ => self.map_ip([a, b, c, d]),
                    };
                    let _ = write!(out, "{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3]);
                }
                // epoch seconds (`date +%s`, DEVSTACK_START_TIME): the clock
                TokKind::Digits if e - s == 10 && b[s] == b'1' => {
                    let _ = write!(out, "{}", self.clock.div_euclid(1000));
                }
                kind => self.write_id(out, &b[s..e], t.hash, kind),
            }
            at = e;
        }
        out.extend_from_slice(&b[at..]);
        out.push(b'\n');
    }

    /// Writes a run of lines. Stamped lines get the clock, moved on by the
    /// sample's own gap to the previous stamped line (at most ten minutes);
    /// with `stamp_all` unstamped lines are stamped too (a console paste
    /// put through outfilter), else they stay bare (the success tail).
    fn write_lines(&mut self, out: &mut Vec<u8>, rng: &mut Rng, lines: &[Line], stamp_all: bool) {
        // a few ms between two pieces
        self.clock += 1 + rng.below(40) as i64;
        let mut prev: Option<i64> = None;
        for l in lines {
            let stamped = match l.stamp {
                Some(s) => {
                    if let Some(p) = prev {
                        self.clock += (s - p).clamp(0, 600_000);
                    }
                    prev = Some(s);
                    true
                }
                None if stamp_all => {
                    self.clock += rng.below(6) as i64;
                    true
                }
                None => false,
            };
            if stamped {
                self.write_stamp(out);
            }
            self.write_line(out, l);
        }
    }
}

fn lines_len(lines: &[Line], stamp_all: bool) -> u64 {
    lines
        .iter()
        .map(|l| l.len(stamp_all || l.stamp.is_some()) as u64)
        .sum()
}

/// The uncompressed text of one file of the plan.
pub fn render(m: &Material, e: &Entry) -> Vec<u8> {
    let mut rng = Rng::new(e.seed);
    let mut v = Varier::new(&mut rng, e.start_ms);
    match e.kind {
        Kind::GoBuild => {
            let g = &m.go[e.source];
            let mut out = Vec::with_capacity(lines_len(&g.doc.lines, false) as usize + 64);
            v.write_lines(&mut out, &mut rng, &g.doc.lines, false);
            out
        }
        Kind::StackSh => {
            let end = &m.endings[e.source];
            let body = &m.bodies[end.body];
            let prelude = if end.doc.markers.is_empty() {
                // an ending without phases (a tail, a short paste): the
                // body's own run supplies the start
                &body.doc.lines[..body.phases[0].0]
            } else {
                end.prelude()
            };
            // every sample's host address becomes this log's one
            v.host = end.doc.host.or(body.doc.host).map(|h| v.map_ip(h));
            let stamp_tail = end.console;
            let tail_len = lines_len(end.tail(), stamp_tail);
            let mut out = Vec::with_capacity(e.target as usize + 256 * 1024);
            v.write_lines(&mut out, &mut rng, prelude, false);
            // whole phases, in order and round again, at least one, until
            // the next would pass the target
            let mut k = 0usize;
            loop {
                let (s, t) = body.phases[k % body.phases.len()];
                let phase = &body.doc.lines[s..t];
                let len = lines_len(phase, false);
                if k > 0 && out.len() as u64 + len + tail_len > e.target {
                    break;
                }
                v.salt = mix(e.seed, k as u64 + 7);
                v.write_lines(&mut out, &mut rng, phase, false);
                k += 1;
            }
            v.salt = mix(e.seed, u64::MAX);
            v.write_lines(&mut out, &mut rng, end.tail(), stamp_tail);
            out
        }
    }
}

/// Where the manifest of a corpus written to `out` goes: beside it, as
/// `OUT.manifest.tsv`, so that scanning `out` never reads it.
pub fn manifest_path(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "corpus".into());
    out.with_file_name(format!("{name}.manifest.tsv"))
}

/// What [`generate`] wrote.
#[derive(Debug, Clone)]
pub struct Written {
    pub plan: Plan,
    /// Uncompressed bytes, and bytes on disk.
    pub bytes: u64,
    pub disk_bytes: u64,
}

/// Writes the corpus of `cfg` under `out` (which should be empty or
/// missing) and its manifest beside it.
pub fn generate(cfg: &Config, samples: &Path, out: &Path) -> io::Result<Written> {
    let m = Material::load(samples)?;
    let plan = Plan::new(cfg, &m);
    std::fs::create_dir_all(out)?;
    let threads = match cfg.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let next = AtomicUsize::new(0);
    let totals: Vec<io::Result<(u64, u64)>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| -> io::Result<(u64, u64)> {
                    let (mut bytes, mut disk) = (0, 0);
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(e) = plan.entries.get(i) else {
                            return Ok((bytes, disk));
                        };
                        let text = render(&m, e);
                        let path = out.join(&e.path);
                        std::fs::create_dir_all(path.parent().unwrap())?;
                        let data = if e.gzip {
                            let mut gz = GzEncoder::new(Vec::new(), Compression::default());
                            gz.write_all(&text)?;
                            gz.finish()?
                        } else {
                            text.clone()
                        };
                        std::fs::write(&path, &data)?;
                        bytes += text.len() as u64;
                        disk += data.len() as u64;
                    }
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let (mut bytes, mut disk_bytes) = (0, 0);
    for t in totals {
        let (b, d) = t?;
        bytes += b;
        disk_bytes += d;
    }
    std::fs::write(manifest_path(out), plan.manifest())?;
    Ok(Written {
        plan,
        bytes,
        disk_bytes,
    })
}
