//! The streaming analyzer: feeds each line through the layer peeler, the
//! stack.sh parser, the fact collector and the signature set, keeping only
//! bounded state (recent lines, recent trace commands, a capped list of hits
//! per pattern), so memory stays flat however long the input is.

use std::collections::{HashMap, VecDeque};

use crate::event::EventKind;
use crate::facts::Facts;
use crate::lines::{Line, peel, peel_plain, peel_text};
use crate::parse::devstack::DevstackParser;
use crate::rules::{Format, Found, RuleSet};
use crate::sanitize::mask_secrets;

/// How many recent lines are kept for evidence.
const RING_LINES: usize = 1024;
/// How many recent trace commands are kept to find the failing one.
const RING_TRACES: usize = 64;
/// Above this many remembered blocks, the ones no hit points at are dropped.
const MAX_BLOCKS: usize = 4096;
/// How many functions keep their last real step.
const FUNCS: usize = 16;
/// How many hits are kept per pattern (the latest ones).
const HITS_PER_PATTERN: usize = 64;
/// Evidence text is cut to this many bytes.
const MAX_TEXT: usize = 2000;

/// A traced command seen recently.
#[derive(Debug, Clone, Default)]
pub struct TraceRec {
    pub line: u64,
    pub depth: u8,
    /// `file:func:line`; empty for bash's bare `+ cmd`.
    pub source: String,
    pub command: String,
    pub text: String,
}

impl TraceRec {
    /// A copy fit for a report: secrets masked, empty source as none.
    fn reported(&self) -> TraceRec {
        TraceRec {
            line: self.line,
            depth: self.depth,
            source: self.source.clone(),
            command: mask_secrets(&self.command).into_owned(),
            text: mask_secrets(&self.text).into_owned(),
        }
    }

    pub fn source(&self) -> Option<&str> {
        (!self.source.is_empty()).then_some(self.source.as_str())
    }
}

/// One line matched by one pattern.
#[derive(Debug, Clone)]
pub struct Hit {
    pub line: u64,
    /// The line of the trace command this line belongs to (0: none).
    pub block: u64,
    pub phase: u32,
    pub text: String,
    /// The pattern that matched (index into `RuleSet::patterns`); captures
    /// are taken from `text` when a report needs them, not on the hot path.
    pub pattern: usize,
}

/// How the run was declared failed (devstack-formats.md §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Pattern A: `die` with `[Call Trace]` and `[ERROR]`.
    Die,
    /// Pattern B: a top-level command failed, the ERR trap ran.
    TopLevel,
    /// Pattern C: errexit inside a function, the traced exit trap ran.
    Errexit,
    /// Only the tail was seen (`Error on exit`, `generate-subunit`, worlddump).
    Tail,
    /// Refused before the traps were set (`already running`).
    Preflight,
    /// A build tool's error (the Go command, the compiler).
    Build,
}

/// Where and how the run failed.
#[derive(Debug, Clone)]
pub struct Failure {
    pub kind: FailureKind,
    pub culprit: Option<TraceRec>,
    /// First line of the failure block (the failing command's trace line).
    pub block_start: u64,
    /// The line that declares the failure (`[ERROR]`, or the command).
    pub point_line: u64,
    pub point_text: String,
    /// First line of what follows the failure (exit trap, `Error on exit`).
    pub post_start: Option<u64>,
    pub worlddump_line: Option<u64>,
    /// The failing command's output and the failure block, for evidence.
    pub context: Vec<(u64, String)>,
    pub phase: u32,
    closed: bool,
}

/// Everything the analyzer learnt about one input.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub format: Format,
    pub lines: u64,
    /// The first timestamp a line carries (outfilter or Zuul), as written.
    pub first_ts: Option<String>,
    /// Where the first NUL byte is, if one is in the first
    /// [`BINARY_WINDOW`] bytes: the input is binary, not a log.
    pub nul_at: Option<usize>,
    pub facts: Facts,
    pub failure: Option<Failure>,
    /// Line of the success evidence (completed / host IP block / timing).
    pub success_line: Option<u64>,
    /// Hits per pattern index.
    pub hits: Vec<Vec<Hit>>,
    /// Trace command of each block that holds a hit.
    pub blocks: HashMap<u64, TraceRec>,
    pub traces: u64,
    pub devstack_markers: u64,
}

pub struct Analyzer<'r> {
    rules: &'r RuleSet,
    /// None while the first lines are buffered to decide the format.
    format: Option<Format>,
    sniffer: Sniffer,
    other: Other,
    parser: DevstackParser,
    facts: Facts,
    lines: u64,
    first_ts: Option<String>,
    /// How many first bytes were looked at for a NUL byte.
    head_seen: usize,
    nul_at: Option<usize>,
    ring: VecDeque<(u64, String)>,
    /// Line buffers to fill before allocating new ones.
    spare_lines: Vec<String>,
    traces: VecDeque<TraceRec>,
    /// The last real step (not bookkeeping) of the most recent functions,
    /// most recent last, each with its function's name: the culprit of a
    /// `die` after a long helper loop.
    by_func: Vec<(String, TraceRec)>,
    current_block: u64,
    phase: u32,
    failure: Option<Failure>,
    success_line: Option<u64>,
    hits: Vec<VecDeque<Hit>>,
    blocks: HashMap<u64, TraceRec>,
    trace_count: u64,
    devstack_markers: u64,
    held: Held,
    /// Candidate lists, kept for their buffers.
    candidates: (Found, Found),
}

/// A NUL byte in this many first bytes makes an input binary (as grep
/// decides).
pub const BINARY_WINDOW: usize = 8 * 1024;

/// When the format is looked at: after this many lines, a clear sign of
/// one decides it; at the last step the default (stack.sh) is taken. CI
/// wrappers can print long preambles before the build's first line.
pub const SNIFF_STEPS: [usize; 3] = [64, 256, 1024];

/// A line as the input layer lends it.
#[derive(Clone, Copy)]
enum Raw<'a> {
    Bytes(&'a [u8]),
    /// Known to be UTF-8.
    Text(&'a str),
    /// Known to be UTF-8 without control bytes (tabs aside).
    Plain(&'a str),
}

impl<'a> Raw<'a> {
    fn bytes(self) -> &'a [u8] {
        match self {
            Raw::Bytes(b) => b,
            Raw::Text(t) | Raw::Plain(t) => t.as_bytes(),
        }
    }

    fn peel(self, number: u64) -> Line<'a> {
        match self {
            Raw::Bytes(b) => peel(number, b),
            Raw::Text(t) => peel_text(number, t),
            Raw::Plain(t) => peel_plain(number, t),
        }
    }
}

/// The first line of a pair, waiting for the second: a copy (the input
/// only lends its lines), with what was known of it.
#[derive(Debug, Default)]
struct Held {
    number: Option<u64>,
    bytes: Vec<u8>,
    text: String,
    known: Known,
}

/// What is known of a held line: which of [`Raw`]'s kinds it was.
#[derive(Debug, Default, Clone, Copy)]
enum Known {
    #[default]
    Bytes,
    Text,
    Plain,
}

impl Held {
    fn hold(&mut self, number: u64, raw: Raw<'_>) {
        self.number = Some(number);
        let (text, known) = match raw {
            Raw::Bytes(b) => {
                self.bytes.clear();
                self.bytes.extend_from_slice(b);
                self.known = Known::Bytes;
                return;
            }
            Raw::Text(t) => (t, Known::Text),
            Raw::Plain(t) => (t, Known::Plain),
        };
        self.text.clear();
        self.text.push_str(text);
        self.known = known;
    }

    /// The held line, lent as the input lent it.
    fn raw(&self) -> Raw<'_> {
        match self.known {
            Known::Bytes => Raw::Bytes(&self.bytes),
            Known::Text => Raw::Text(&self.text),
            Known::Plain => Raw::Plain(&self.text),
        }
    }
}

impl crate::input::Lines for Analyzer<'_> {
    fn raw(&mut self, number: u64, raw: &[u8]) {
        self.feed(number, raw);
    }

    fn text(&mut self, number: u64, text: &str) {
        self.feed_text(number, text);
    }

    fn plain(&mut self, number: u64, text: &str) {
        self.feed_plain(number, text);
    }
}

/// The parser of a format other than stack.sh.
enum Other {
    None,
    Worlddump(Box<crate::parse::worlddump::WorlddumpParser>),
    Go(Box<crate::parse::gobuild::GoParser>),
}

/// The format the first lines clearly show, if any.
pub fn sniff_clear(first: &[&str]) -> Option<Format> {
    use crate::event::{EventKind, TraceForm};
    if crate::parse::worlddump::sniff(first) {
        return Some(Format::Worlddump);
    }
    if crate::parse::gobuild::sniff(first) {
        return Some(Format::GoBuild);
    }
    let devstack = first.iter().any(|l| {
        matches!(
            crate::parse::devstack::parse_line(l),
            EventKind::Xtrace {
                form: TraceForm::ShortSource
                    | TraceForm::ShortSourceColour
                    | TraceForm::LineTagged
                    | TraceForm::Parenthesised,
                ..
            } | EventKind::CallTrace
                | EventKind::Error { .. }
                | EventKind::ScriptFailed { .. }
                | EventKind::ErrorOnExit
                | EventKind::WorldDump { .. }
                | EventKind::TimingHeader { .. }
                | EventKind::Completed { .. }
        )
    });
    devstack.then_some(Format::Devstack)
}

/// Decides the format from the first lines of an input (stack.sh when
/// nothing else is clear).
pub fn sniff(first: &[&str]) -> Format {
    sniff_clear(first).unwrap_or(Format::Devstack)
}

/// Buffers the first lines of an input until its format is clear.
#[derive(Debug, Default)]
pub struct Sniffer {
    pending: Vec<(u64, Vec<u8>)>,
    /// The format the buffered lines clearly showed, once they did.
    found: Option<Format>,
}

impl Sniffer {
    /// Buffers one raw line; true when the format should be decided now.
    pub fn push(&mut self, number: u64, raw: &[u8]) -> bool {
        self.pending.push((number, raw.to_vec()));
        match SNIFF_STEPS.iter().position(|&s| s == self.pending.len()) {
            Some(i) if i + 1 == SNIFF_STEPS.len() => true,
            Some(_) => {
                self.found = self.with_bodies(sniff_clear);
                self.found.is_some()
            }
            None => false,
        }
    }

    fn with_bodies<T>(&self, f: impl FnOnce(&[&str]) -> T) -> T {
        let peeled: Vec<Line<'_>> = self.pending.iter().map(|(n, raw)| peel(*n, raw)).collect();
        let bodies: Vec<&str> = peeled.iter().map(|l| &*l.body).collect();
        f(&bodies)
    }

    /// The format, and the buffered lines to replay.
    pub fn decide(&mut self) -> (Format, Vec<(u64, Vec<u8>)>) {
        // what `push` just found holds for the same lines
        let format = match self.found.take() {
            Some(f) => f,
            None => self.with_bodies(sniff),
        };
        (format, std::mem::take(&mut self.pending))
    }
}

/// `s` cut to at most [`MAX_TEXT`] bytes, on a character boundary.
fn clip(s: &str) -> &str {
    if s.len() <= MAX_TEXT {
        return s;
    }
    let mut end = MAX_TEXT;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// An owned copy of `s`, cut to [`MAX_TEXT`] bytes with a `…` mark.
fn cut(s: &str) -> String {
    let mut out = String::new();
    push_cut(&mut out, s);
    out
}

/// Appends `s`, cut to [`MAX_TEXT`] bytes with a `…` mark.
fn push_cut(out: &mut String, s: &str) {
    let c = clip(s);
    out.push_str(c);
    if c.len() != s.len() {
        out.push('…');
    }
}

thread_local! {
    /// The line buffers of finished analyzers, for the next one on the same
    /// thread: a scan makes an analyzer per file, and each would otherwise
    /// allocate its ring of recent lines anew.
    static SPARE_LINES: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Commands of the failure machinery itself, never the culprit.
fn is_machinery(cmd: &str) -> bool {
    const P: &[&str] = &[
        "die ",
        "die_if_not_set",
        "local exitcode",
        "err_trap",
        "exit_trap",
        "local r=",
        "set +o",
        "set -o",
        "backtrace",
        "kill_spinner",
        "err ",
    ];
    P.iter().any(|p| cmd.starts_with(p)) || cmd == "die"
}

/// Bookkeeping commands that do not fail by themselves: tests, locals,
/// plain assignments.
fn is_bookkeeping(cmd: &str) -> bool {
    const P: &[&str] = &[
        "[[ ", "[ ", "'[' ", "test ", "local ", "return", "echo ", "sleep ", "(( ", "break",
        "continue", "true", ":", "for ", "while ", "until ", "if ", "case ", "shift", "set ",
    ];
    P.iter().any(|p| cmd.starts_with(p)) || is_assignment(cmd)
}

fn is_assignment(cmd: &str) -> bool {
    // `NAME=value` or `NAME[key]=value`, the value without a space
    let b = cmd.as_bytes();
    let name = b
        .iter()
        .take_while(|&&c| c.is_ascii_alphanumeric() || c == b'_')
        .count();
    if name == 0 {
        return false;
    }
    let value = match b.get(name) {
        Some(b'=') => name + 1,
        Some(b'[') => match memchr::memchr(b'=', &b[name..]) {
            Some(i) if b[name + i - 1] == b']' => name + i + 1,
            _ => return false,
        },
        _ => return false,
    };
    memchr::memchr(b' ', &b[value..]).is_none()
}

/// Helpers that log or time a step rather than do it.
fn is_helper(cmd: &str) -> bool {
    const P: &[&str] = &["warn ", "time_start ", "time_stop ", "deprecated "];
    P.iter().any(|p| cmd.starts_with(p))
}

/// The function of a `file:func:line` source (the file and function hold
/// no `:`); empty for a bare trace.
fn func_of(source: &str) -> &str {
    let rest = source.split_once(':').map_or("", |(_, r)| r);
    rest.split_once(':').map_or(rest, |(f, _)| f)
}

/// Appends `n` in decimal (what `write!` would, without the formatting
/// machinery on the per-line path).
fn push_number(out: &mut String, n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // ASCII digits: one copy, no per-character push
    out.push_str(std::str::from_utf8(&digits[i..]).unwrap_or_default());
}

fn in_trap(func: Option<&str>, cmd: &str) -> bool {
    matches!(
        func,
        Some("exit_trap" | "err_trap" | "kill_spinner" | "die" | "backtrace" | "err")
    ) || is_machinery(cmd)
}

impl<'r> Analyzer<'r> {
    pub fn new(rules: &'r RuleSet) -> Self {
        Analyzer {
            rules,
            format: None,
            sniffer: Sniffer::default(),
            other: Other::None,
            parser: DevstackParser::new(),
            facts: Facts::default(),
            lines: 0,
            first_ts: None,
            head_seen: 0,
            nul_at: None,
            ring: VecDeque::with_capacity(RING_LINES),
            spare_lines: SPARE_LINES.with(|spare| std::mem::take(&mut *spare.borrow_mut())),
            traces: VecDeque::with_capacity(RING_TRACES),
            by_func: Vec::with_capacity(FUNCS),
            current_block: 0,
            phase: 0,
            failure: None,
            success_line: None,
            hits: vec![VecDeque::new(); rules.patterns.len()],
            blocks: HashMap::new(),
            trace_count: 0,
            devstack_markers: 0,
            held: Held::default(),
            candidates: Default::default(),
        }
    }

    /// An analyzer for a known format (no sniffing).
    pub fn with_format(rules: &'r RuleSet, format: Format) -> Self {
        let mut a = Analyzer::new(rules);
        a.set_format(format);
        a
    }

    /// Feeds one raw line (without its newline).
    pub fn feed(&mut self, number: u64, raw: &[u8]) {
        self.feed_raw(number, Raw::Bytes(raw));
    }

    /// Feeds one line known to be UTF-8 (without its newline).
    pub fn feed_text(&mut self, number: u64, text: &str) {
        self.feed_raw(number, Raw::Text(text));
    }

    /// Feeds one line known to be UTF-8 without control bytes but tabs.
    pub fn feed_plain(&mut self, number: u64, text: &str) {
        self.feed_raw(number, Raw::Plain(text));
    }

    fn feed_raw(&mut self, number: u64, raw: Raw<'_>) {
        if self.head_seen < BINARY_WINDOW {
            self.look_for_nul(raw.bytes());
        }
        if self.format.is_none() {
            if self.sniffer.push(number, raw.bytes()) {
                self.decide();
            }
            return;
        }
        // lines go through in pairs, whose literal scans run side by side;
        // the first of a pair waits here
        match self.held.number.take() {
            None => self.held.hold(number, raw),
            Some(first) => {
                let held = std::mem::take(&mut self.held);
                let (a, b) = (held.raw().peel(first), raw.peel(number));
                let (mut ca, mut cb) = self.take_candidates();
                self.rules
                    .prefilter(self.format.unwrap_or(Format::Devstack))
                    .candidates_pair(&a.body, &b.body, &mut ca, &mut cb);
                self.feed_line(&a, &mut ca);
                self.feed_line(&b, &mut cb);
                self.candidates = (ca, cb);
                self.held = held;
            }
        }
    }

    /// The two candidate lists, emptied, to fill.
    fn take_candidates(&mut self) -> (Found, Found) {
        let (mut a, mut b) = std::mem::take(&mut self.candidates);
        a.clear();
        b.clear();
        (a, b)
    }

    /// Feeds one peeled line on its own (no pair to scan it with).
    fn feed_single(&mut self, line: &Line<'_>) {
        let (mut c, other) = self.take_candidates();
        self.rules
            .prefilter(self.format.unwrap_or(Format::Devstack))
            .candidates(&line.body, &mut c);
        self.feed_line(line, &mut c);
        self.candidates = (c, other);
    }

    /// Looks for a NUL byte in the part of `raw` (a line, its newline
    /// aside) that lies in the input's first [`BINARY_WINDOW`] bytes.
    fn look_for_nul(&mut self, raw: &[u8]) {
        let room = BINARY_WINDOW - self.head_seen;
        match memchr::memchr(0, &raw[..raw.len().min(room)]) {
            Some(i) => {
                self.nul_at = Some(self.head_seen + i);
                self.head_seen = BINARY_WINDOW;
            }
            None => self.head_seen += raw.len() + 1,
        }
    }

    fn set_format(&mut self, format: Format) {
        self.format = Some(format);
        self.other = match format {
            Format::Devstack => Other::None,
            Format::Worlddump => Other::Worlddump(Box::default()),
            Format::GoBuild => Other::Go(Box::default()),
        };
    }

    /// Decides the format from the buffered lines, then replays them.
    fn decide(&mut self) {
        let (format, pending) = self.sniffer.decide();
        self.set_format(format);
        for (n, raw) in &pending {
            self.feed_single(&peel(*n, raw));
        }
    }

    /// Everything one line does; `found` is what the prefilter saw in it:
    /// the patterns it let through (sorted here), the fact readers' gate.
    fn feed_line(&mut self, line: &Line<'_>, found: &mut Found) {
        self.lines = line.number;
        if self.first_ts.is_none()
            && let Some(ts) = line.ts
        {
            self.first_ts = Some(ts.to_string());
        }
        let body: &str = &line.body;
        let number = line.number;
        match &mut self.other {
            Other::None => {
                let kind = self.parser.parse_line(number, body);
                self.observe(number, &kind, body);
                self.facts.observe_gated(number, &kind, body, found.gate);
            }
            Other::Worlddump(p) => {
                p.parse_line(number, body);
                self.current_block = p.block();
                self.phase = p.section();
            }
            Other::Go(p) => {
                p.parse_line(number, body);
                self.current_block = p.block();
                self.phase = p.phase();
            }
        }
        self.remember(number, body);
        self.classify(number, body, &mut found.patterns);
    }

    fn remember(&mut self, number: u64, body: &str) {
        // reuse the oldest line's buffer, else a spare one
        let mut s = if self.ring.len() == RING_LINES {
            self.ring.pop_front().map(|(_, s)| s).unwrap_or_default()
        } else {
            self.spare_lines.pop().unwrap_or_default()
        };
        s.clear();
        push_cut(&mut s, body);
        self.ring.push_back((number, s));
    }

    fn classify(&mut self, number: u64, body: &str, matched: &mut Vec<usize>) {
        if matched.is_empty() {
            return;
        }
        matched.sort_unstable();
        matched.dedup();
        for &idx in matched.iter() {
            if !self.rules.patterns[idx].regex().is_match(body) {
                continue;
            }
            let hits = &mut self.hits[idx];
            if hits.len() == HITS_PER_PATTERN {
                hits.pop_front();
            }
            hits.push_back(Hit {
                line: number,
                block: self.current_block,
                phase: self.phase,
                text: mask_secrets(&cut(body)).into_owned(),
                pattern: idx,
            });
            if self.blocks.len() >= MAX_BLOCKS {
                // keep only the blocks that a kept hit still points at
                let live: std::collections::HashSet<u64> = self
                    .hits
                    .iter()
                    .flat_map(|h| h.iter().map(|x| x.block))
                    .collect();
                self.blocks.retain(|b, _| live.contains(b));
            }
            if self.current_block != 0
                && !self.blocks.contains_key(&self.current_block)
                && let Some(t) = self
                    .traces
                    .iter()
                    .rev()
                    .find(|t| t.line == self.current_block)
            {
                self.blocks.insert(self.current_block, t.reported());
            }
        }
    }

    fn open_failure(&mut self, kind: FailureKind, number: u64, body: &str) {
        if let Some(f) = &self.failure
            && !f.closed
        {
            return;
        }
        let culprit = self.find_culprit(kind);
        let block_start = culprit.as_ref().map_or(number, |c| c.line);
        let (point_line, point_text) = match (&culprit, kind) {
            (Some(c), FailureKind::TopLevel | FailureKind::Errexit | FailureKind::Tail) => {
                (c.line, c.text.clone())
            }
            _ => (number, body.to_string()),
        };
        self.failure = Some(Failure {
            kind,
            culprit,
            block_start,
            point_line,
            point_text: mask_secrets(&point_text).into_owned(),
            post_start: None,
            worlddump_line: None,
            context: vec![],
            phase: self.phase,
            closed: false,
        });
        self.success_line = None;
    }

    fn find_culprit(&self, kind: FailureKind) -> Option<TraceRec> {
        let mut it = self
            .traces
            .iter()
            .rev()
            .enumerate()
            .filter(|(_, t)| !is_machinery(&t.command));
        match kind {
            FailureKind::Die => {
                // the last real step of the function that called `die`
                let die_func = self
                    .traces
                    .iter()
                    .rev()
                    .find(|t| {
                        t.command.starts_with("die ") || t.command.starts_with("die_if_not_set")
                    })
                    .map(|t| func_of(&t.source).to_string())
                    .filter(|f| !f.is_empty());
                let real = |t: &TraceRec| !is_bookkeeping(&t.command) && !is_helper(&t.command);
                let same_func =
                    |t: &TraceRec| die_func.as_deref().is_none_or(|f| func_of(&t.source) == f);
                self.traces
                    .iter()
                    .rev()
                    .filter(|t| !is_machinery(&t.command))
                    .find(|t| real(t) && same_func(t))
                    .map(|t| self.pipeline_head(t))
                    .or_else(|| {
                        self.by_func
                            .iter()
                            .rev()
                            .map(|(_, t)| t)
                            .find(|t| die_func.is_some() && same_func(t))
                    })
                    .or_else(|| it.find(|(_, t)| real(t)).map(|(_, t)| t))
                    .map(TraceRec::reported)
            }
            _ => {
                let (i, t) = it.next()?;
                if is_assignment(&t.command) || t.command.starts_with("local ") {
                    // `x=` after a failed `$(cmd)`: the substitution failed.
                    let before = self
                        .traces
                        .iter()
                        .rev()
                        .skip(i + 1)
                        .find(|p| !is_machinery(&p.command));
                    if let Some(p) = before.filter(|p| p.depth > t.depth) {
                        return Some(p.reported());
                    }
                }
                Some(t.reported())
            }
        }
    }

    /// The first command of the pipeline `t` ends (`openstack ... | grep |
    /// get_field 2` traces each element with the same location and depth;
    /// the elements' own internals are deeper).
    fn pipeline_head<'a>(&'a self, t: &'a TraceRec) -> &'a TraceRec {
        let mut head = t;
        let Some(i) = self.traces.iter().rposition(|x| x.line == t.line) else {
            return t;
        };
        for x in self.traces.range(..i).rev() {
            if x.depth == t.depth && x.source == t.source {
                head = x;
            } else if x.depth <= t.depth {
                break;
            }
        }
        head
    }

    /// Remembers `rec` as the last real step of its function.
    fn note_step(&mut self, rec: &TraceRec) {
        let func = func_of(&rec.source);
        if func.is_empty() {
            return;
        }
        // most steps follow a step of the same function: update in place
        let pos = self.by_func.iter().rposition(|(f, _)| f == func);
        let (mut name, mut slot) = match pos {
            Some(i) if i + 1 == self.by_func.len() => {
                let (_, slot) = &mut self.by_func[i];
                Self::copy_step(slot, rec);
                return;
            }
            Some(i) => self.by_func.remove(i),
            None if self.by_func.len() == FUNCS => self.by_func.remove(0),
            None => Default::default(),
        };
        name.clear();
        name.push_str(func);
        Self::copy_step(&mut slot, rec);
        self.by_func.push((name, slot));
    }

    fn copy_step(slot: &mut TraceRec, rec: &TraceRec) {
        slot.line = rec.line;
        slot.depth = rec.depth;
        slot.source.clone_from(&rec.source);
        slot.command.clone_from(&rec.command);
        slot.text.clone_from(&rec.text);
    }

    fn mark_post(&mut self, number: u64) {
        if let Some(f) = self.failure.as_mut()
            && f.post_start.is_none_or(|p| number < p)
            && !f.closed
        {
            f.post_start = Some(number);
        }
    }

    fn observe(&mut self, number: u64, kind: &EventKind<'_>, body: &str) {
        match kind {
            EventKind::Xtrace {
                depth,
                file,
                func,
                src_line,
                command,
                ..
            } => {
                self.trace_count += 1;
                if command.starts_with("echo_summary ") {
                    self.phase += 1;
                }
                let trapish = in_trap(*func, command);
                if *command == "exit_trap" {
                    self.open_failure(FailureKind::Errexit, number, body);
                    self.mark_post(number);
                } else if *command == "err_trap" {
                    self.open_failure(FailureKind::TopLevel, number, body);
                    self.mark_post(number);
                } else if !trapish
                    && let Some(f) = self.failure.as_mut()
                    && f.post_start.is_some()
                {
                    f.closed = true;
                }
                // reuse the oldest record's buffers: no allocation per line
                let mut rec = if self.traces.len() == RING_TRACES {
                    self.traces.pop_front().unwrap_or_default()
                } else {
                    TraceRec::default()
                };
                rec.line = number;
                rec.depth = *depth;
                rec.source.clear();
                if file.is_some() || func.is_some() || src_line.is_some() {
                    rec.source.push_str(file.unwrap_or(""));
                    rec.source.push(':');
                    rec.source.push_str(func.unwrap_or(""));
                    rec.source.push(':');
                    if let Some(l) = src_line {
                        push_number(&mut rec.source, *l);
                    }
                }
                rec.command.clear();
                rec.command.push_str(clip(command));
                rec.text.clear();
                rec.text.push_str(clip(body));
                if !trapish && !is_bookkeeping(command) && !is_helper(command) {
                    self.note_step(&rec);
                }
                self.traces.push_back(rec);
                if !trapish {
                    self.current_block = number;
                }
            }
            EventKind::CallTrace => {
                self.devstack_markers += 1;
                self.open_failure(FailureKind::Die, number, body);
            }
            EventKind::Error { .. } => {
                self.devstack_markers += 1;
                self.open_failure(FailureKind::Die, number, body);
                if let Some(f) = self.failure.as_mut()
                    && f.kind == FailureKind::Die
                    && f.post_start.is_none()
                {
                    f.point_line = number;
                    f.point_text = mask_secrets(body).into_owned();
                }
            }
            EventKind::ScriptFailed { .. } => {
                self.devstack_markers += 1;
                self.open_failure(FailureKind::TopLevel, number, body);
                self.mark_post(number);
            }
            EventKind::ErrorOnExit | EventKind::SubunitMissing { .. } | EventKind::ExitCleanup => {
                self.devstack_markers += 1;
                self.open_failure(FailureKind::Tail, number, body);
                self.mark_post(number);
            }
            EventKind::WorldDump { .. } => {
                self.devstack_markers += 1;
                self.open_failure(FailureKind::Tail, number, body);
                self.mark_post(number);
                if let Some(f) = self.failure.as_mut() {
                    f.worlddump_line.get_or_insert(number);
                }
            }
            EventKind::AlreadyRunning { text } if text.starts_with("You are") => {
                self.devstack_markers += 1;
                self.open_failure(FailureKind::Preflight, number, body);
            }
            EventKind::Completed { .. } | EventKind::TimingHeader { .. } => {
                self.devstack_markers += 1;
                self.success(number);
            }
            EventKind::SuccessInfo { key, .. }
                if *key == "This is your host IP address" || *key == "Keystone is serving at" =>
            {
                self.devstack_markers += 1;
                self.success(number);
            }
            EventKind::Frame { .. } | EventKind::Warning { .. } => self.devstack_markers += 1,
            // the summary file's first line
            EventKind::Text { text } if text.starts_with("stack.sh log ") => {
                self.devstack_markers += 1
            }
            _ => {}
        }
    }

    fn success(&mut self, number: u64) {
        let failed = self.failure.as_ref().is_some_and(|f| !f.closed);
        if !failed {
            self.failure = None;
            self.success_line.get_or_insert(number);
        }
    }

    /// Ends the input and hands over what was learnt.
    pub fn finish(mut self) -> Analysis {
        if self.format.is_none() {
            self.decide();
        }
        if let Some(n) = self.held.number.take() {
            let held = std::mem::take(&mut self.held);
            self.feed_single(&held.raw().peel(n));
        }
        match std::mem::replace(&mut self.other, Other::None) {
            Other::None => {}
            Other::Worlddump(p) => {
                for f in p.facts() {
                    self.facts.set_found(&f.name, &f.value, f.line, &f.text);
                }
            }
            Other::Go(p) => {
                for f in p.facts() {
                    self.facts.set_found(&f.name, &f.value, f.line, &f.text);
                }
                if let Some(g) = p.failure() {
                    let culprit = TraceRec {
                        line: g.line,
                        depth: 0,
                        source: g.source.clone().unwrap_or_default(),
                        command: g.command.clone().unwrap_or_else(|| g.text.clone()),
                        text: g.text.clone(),
                    };
                    self.failure = Some(Failure {
                        kind: FailureKind::Build,
                        culprit: Some(culprit),
                        block_start: g.line,
                        point_line: g.line,
                        point_text: g.text.clone(),
                        post_start: None,
                        worlddump_line: None,
                        context: vec![],
                        phase: self.phase,
                        closed: false,
                    });
                } else if p.succeeded() {
                    self.success_line = Some(self.lines);
                }
            }
        }
        if let Some(f) = self.failure.as_mut() {
            let from = f.block_start;
            let to = f.post_start.unwrap_or(u64::MAX);
            f.context = self
                .ring
                .iter()
                .filter(|(n, _)| *n >= from && *n < to)
                .map(|(n, s)| (*n, mask_secrets(s).into_owned()))
                .collect();
            if let Some(c) = &f.culprit {
                let (line, cmd, source, text) =
                    (c.line, c.command.clone(), c.source.clone(), c.text.clone());
                self.facts.set_failure(
                    line,
                    &cmd,
                    (!source.is_empty()).then_some(source.as_str()),
                    &text,
                );
            }
        }
        self.facts.mask_texts();
        // hand the line buffers to the next analyzer on this thread
        let mut spare = std::mem::take(&mut self.spare_lines);
        spare.extend(self.ring.drain(..).map(|(_, s)| s));
        spare.truncate(RING_LINES);
        SPARE_LINES.with(|pool| *pool.borrow_mut() = spare);
        Analysis {
            format: self.format.unwrap_or(Format::Devstack),
            lines: self.lines,
            first_ts: self.first_ts,
            nul_at: self.nul_at,
            facts: self.facts,
            failure: self.failure,
            success_line: self.success_line,
            hits: self.hits.into_iter().map(Vec::from).collect(),
            blocks: self.blocks,

            traces: self.trace_count,
            devstack_markers: self.devstack_markers,
        }
    }
}

/// Analyzes a whole in-memory text (tests, rule examples).
pub fn analyze_text(rules: &RuleSet, text: &str) -> Analysis {
    let mut a = Analyzer::new(rules);
    crate::input::read_buffer(text.as_bytes(), &mut a);
    a.finish()
}

#[cfg(test)]
mod tests {
    use super::{Analyzer, is_assignment};
    use crate::rules::RuleSet;
    use proptest::prelude::*;

    /// An analysis as text, its blocks in line order (a hash map's order
    /// differs from one map to another).
    fn canonical(mut a: super::Analysis) -> String {
        let mut blocks: Vec<_> = a.blocks.drain().collect();
        blocks.sort_by_key(|(line, _)| *line);
        format!("{a:?} {blocks:?}")
    }

    /// Every bundled sample gives the same analysis fed as bytes (streams,
    /// invalid UTF-8), as checked text and as plain text (mapped files).
    #[test]
    fn bytes_and_text_feeds_agree() {
        let rules = RuleSet::builtin().unwrap();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
        let (mut seen, mut plain) = (0, 0);
        for dir in ["devstack", "go", "worlddump"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let (mut by_bytes, mut by_text) = (Analyzer::new(&rules), Analyzer::new(&rules));
                crate::lines::for_each_line(text.as_bytes(), 1, |n, l| by_bytes.feed(n, l));
                crate::lines::for_each_text_line(&text, 1, |n, l| by_text.feed_text(n, l));
                let by_bytes = canonical(by_bytes.finish());
                assert_eq!(by_bytes, canonical(by_text.finish()), "{}", path.display());
                if crate::lines::is_plain(text.as_bytes()) {
                    let mut by_plain = Analyzer::new(&rules);
                    crate::lines::for_each_text_line(&text, 1, |n, l| by_plain.feed_plain(n, l));
                    assert_eq!(by_bytes, canonical(by_plain.finish()), "{}", path.display());
                    plain += 1;
                }
                seen += 1;
            }
        }
        assert!(
            seen > 50 && plain > 20,
            "only {seen} samples, {plain} plain"
        );
    }

    /// What an assignment is, said the slow way.
    fn assignment_by_split(cmd: &str) -> bool {
        match cmd.split_once('=') {
            Some((name, value)) => {
                let base = name.split('[').next().unwrap_or("");
                !base.is_empty()
                    && base.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && (base.len() == name.len() || name.ends_with(']'))
                    && !value.contains(' ')
            }
            None => false,
        }
    }

    #[test]
    fn assignments() {
        for yes in ["x=1", "_TIME_TOTAL[$name]=60591", "A_B=", "a[k]=v=w"] {
            assert!(is_assignment(yes), "{yes}");
        }
        for no in [
            "=1",
            "x =1",
            "x=1 2",
            "a[k=v",
            "é=1",
            "local x=1",
            "[k]=v",
            "a[k]x=v",
        ] {
            assert!(!is_assignment(no), "{no}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn assignment_agrees_with_the_split_rule(
            parts in prop::collection::vec(
                prop::sample::select(&["x", "_T", "9", "=", "[", "]", "$n", " ", "é", "a b", "=="][..]),
                0..8,
            )
        ) {
            let cmd = parts.concat();
            prop_assert_eq!(is_assignment(&cmd), assignment_by_split(&cmd), "{:?}", cmd);
        }
    }
}
