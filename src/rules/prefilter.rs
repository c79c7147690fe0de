//! The one-pass literal prefilter: every pattern is reduced to a set of
//! literals one of which any match must contain (found by walking the
//! pattern's syntax tree), and one Aho-Corasick automaton over all of them
//! says which patterns can match a line. Only those patterns' regexes run.
//! Patterns with no usable literal run on every line.

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind};
use regex_syntax::hir::{Class, Hir, HirKind};

/// Shorter literals than this do not filter enough to be worth it.
const MIN_LITERAL: usize = 3;
/// More alternatives than this and the pattern is treated as unfilterable.
const MAX_ALTERNATIVES: usize = 64;

/// Literals a line must contain, in one automaton. Lines are walked with
/// our own loop over its transition table: one walk per line costs less
/// than the library's iterator, and two lines walked side by side let the
/// CPU overlap their (dependent, per-byte) table lookups.
#[derive(Debug, Clone, Default)]
struct LiteralSet {
    dfa: Option<(DFA, StateID)>,
    lits: Vec<String>,
    /// For each literal, the patterns it stands for.
    owners: Vec<Vec<usize>>,
    /// For each literal, whether it opens the gate (see [`Prefilter::new`]).
    opens: Vec<bool>,
}

impl LiteralSet {
    fn add(&mut self, lits: Lits, pattern: usize) {
        for l in lits {
            let j = self.index(l);
            self.owners[j].push(pattern);
        }
    }

    /// Adds a literal that opens the gate.
    fn add_gate(&mut self, lit: &str) {
        let j = self.index(lit.to_ascii_lowercase());
        self.opens[j] = true;
    }

    /// The index of a literal, added if new.
    fn index(&mut self, lit: String) -> usize {
        match self.lits.iter().position(|x| *x == lit) {
            Some(j) => j,
            None => {
                self.lits.push(lit);
                self.owners.push(vec![]);
                self.opens.push(false);
                self.lits.len() - 1
            }
        }
    }

    fn build(&mut self) {
        self.dfa = (!self.lits.is_empty()).then(|| {
            // every occurrence is wanted (overlapping ones too), so the
            // standard match semantics; no library prefilter, since the
            // walk is ours
            let dfa = DFA::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .prefilter(false)
                .build(&self.lits)
                .expect("literal automaton builds");
            let start = dfa
                .start_state(Anchored::No)
                .expect("an unanchored automaton has an unanchored start");
            (dfa, start)
        });
    }

    /// Adds the owners of every literal ending at the special state `sid`,
    /// and opens the gate for a gate literal. Special states are match,
    /// start (with a prefilter: none here) and dead ones; an unanchored walk
    /// never dies, and a dead state would only stay dead, reporting nothing.
    #[inline(never)]
    fn report(&self, dfa: &DFA, sid: StateID, out: &mut Found) {
        if dfa.is_match(sid) {
            for i in 0..dfa.match_len(sid) {
                let lit = dfa.match_pattern(sid, i).as_usize();
                out.patterns.extend_from_slice(&self.owners[lit]);
                out.gate |= self.opens[lit];
            }
        }
    }

    /// Adds to `out` what every literal occurrence in `hay` stands for.
    fn scan(&self, hay: &[u8], out: &mut Found) {
        let Some((dfa, start)) = &self.dfa else {
            return;
        };
        let mut sid = *start;
        for &b in hay {
            sid = dfa.next_state(Anchored::No, sid, b);
            if dfa.is_special(sid) {
                self.report(dfa, sid, out);
            }
        }
    }

    /// [`LiteralSet::scan`] of two texts, walked side by side.
    fn scan_pair(&self, a: &[u8], b: &[u8], out_a: &mut Found, out_b: &mut Found) {
        let Some((dfa, start)) = &self.dfa else {
            return;
        };
        let both = a.len().min(b.len());
        let (mut sa, mut sb) = (*start, *start);
        for (&x, &y) in a[..both].iter().zip(&b[..both]) {
            sa = dfa.next_state(Anchored::No, sa, x);
            sb = dfa.next_state(Anchored::No, sb, y);
            if dfa.is_special(sa) {
                self.report(dfa, sa, out_a);
            }
            if dfa.is_special(sb) {
                self.report(dfa, sb, out_b);
            }
        }
        for &x in &a[both..] {
            sa = dfa.next_state(Anchored::No, sa, x);
            if dfa.is_special(sa) {
                self.report(dfa, sa, out_a);
            }
        }
        for &y in &b[both..] {
            sb = dfa.next_state(Anchored::No, sb, y);
            if dfa.is_special(sb) {
                self.report(dfa, sb, out_b);
            }
        }
    }
}

/// Literals a line must start with, indexed by their first byte.
#[derive(Debug, Clone)]
struct Starts {
    by_byte: Vec<Vec<(String, Vec<usize>)>>,
}

impl Starts {
    fn new() -> Starts {
        Starts {
            by_byte: vec![vec![]; 256],
        }
    }

    fn add(&mut self, lits: Lits, pattern: usize) {
        for l in lits {
            let Some(&b) = l.as_bytes().first() else {
                continue;
            };
            let bucket = &mut self.by_byte[b.to_ascii_lowercase() as usize];
            match bucket.iter_mut().find(|(x, _)| *x == l) {
                Some((_, owners)) => owners.push(pattern),
                None => bucket.push((l, vec![pattern])),
            }
        }
    }

    fn matching<'a>(&'a self, line: &'a str) -> impl Iterator<Item = &'a [usize]> + 'a {
        let bucket = line.as_bytes().first().map_or(&[][..], |&b| {
            &self.by_byte[b.to_ascii_lowercase() as usize][..]
        });
        bucket
            .iter()
            .filter(move |(l, _)| {
                line.len() >= l.len()
                    && line.as_bytes()[..l.len()].eq_ignore_ascii_case(l.as_bytes())
            })
            .map(|(_, o)| &o[..])
    }
}

/// What the prefilter found in one line.
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// The patterns that may match (unsorted, may repeat).
    pub patterns: Vec<usize>,
    /// Whether a gate literal is in the line.
    pub gate: bool,
}

impl Found {
    pub fn clear(&mut self) {
        self.patterns.clear();
        self.gate = false;
    }
}

#[derive(Debug, Clone)]
pub struct Prefilter {
    /// Literals a line must start with.
    start: Starts,
    /// Literals a line must contain.
    inner: LiteralSet,
    /// Patterns that must be tried on every line.
    pub always: Vec<usize>,
}

/// One required piece: a lower-cased literal.
type Lits = Vec<String>;

fn case_folded_char(c: &Class) -> Option<char> {
    match c {
        Class::Unicode(u) => {
            let chars: Vec<char> = u.iter().flat_map(|r| r.start()..=r.end()).take(4).collect();
            fold(&chars)
        }
        Class::Bytes(b) => {
            let chars: Vec<char> = b
                .iter()
                .flat_map(|r| r.start()..=r.end())
                .take(4)
                .map(char::from)
                .collect();
            fold(&chars)
        }
    }
}

/// `[Aa]` (what `(?i)a` becomes; `[Ssſ]` and `[Kk\u{212A}]` too) or a
/// one-character class: the one ASCII character it stands for.
fn fold(chars: &[char]) -> Option<char> {
    let ascii = |c: char| match c {
        'ſ' => Some('s'),
        '\u{212A}' => Some('k'),
        c if c.is_ascii() => Some(c.to_ascii_lowercase()),
        _ => None,
    };
    let first = ascii(*chars.first()?)?;
    chars
        .iter()
        .all(|&c| ascii(c) == Some(first))
        .then_some(first)
}

fn min_len(l: &Lits) -> usize {
    l.iter().map(String::len).min().unwrap_or(0)
}

/// Substrings that occur on a large share of stack.sh log lines: a literal
/// made of little more than one of these filters poorly.
const COMMON: &[&str] = &[
    "/opt/stack/",
    "stack.sh",
    "devstack",
    "functions-common",
    "error",
    "err",
    "fail",
    "exit",
    "http",
    "git",
    "pip",
    "main:",
    "sudo",
    "/usr/",
    "python",
];

/// How well a literal set filters: its shortest literal's length, less the
/// length of the common words inside it.
fn score(l: &Lits) -> usize {
    l.iter()
        .map(|s| {
            let common: usize = COMMON
                .iter()
                .filter(|c| s.contains(*c))
                .map(|c| c.len())
                .max()
                .unwrap_or(0);
            s.len().saturating_sub(common) * 2 + usize::from(common < s.len())
        })
        .min()
        .unwrap_or(0)
}

fn better(a: Option<Lits>, b: Option<Lits>) -> Option<Lits> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if (score(&b), min_len(&b)) > (score(&a), min_len(&a)) {
            b
        } else {
            a
        }),
        (a, b) => a.or(b),
    }
}

fn cross(a: &Lits, b: &Lits) -> Option<Lits> {
    if a.len() * b.len() > MAX_ALTERNATIVES {
        return None;
    }
    Some(
        a.iter()
            .flat_map(|x| b.iter().map(move |y| format!("{x}{y}")))
            .collect(),
    )
}

/// Every string `hir` can match, when that is a small finite set.
fn exact(hir: &Hir) -> Option<Lits> {
    match hir.kind() {
        HirKind::Literal(l) => Some(vec![String::from_utf8_lossy(&l.0).to_lowercase()]),
        HirKind::Class(c) => case_folded_char(c).map(|c| vec![c.to_string()]),
        HirKind::Capture(c) => exact(&c.sub),
        HirKind::Empty => Some(vec![String::new()]),
        HirKind::Alternation(alts) => {
            let mut out = vec![];
            for a in alts {
                out.extend(exact(a)?);
                if out.len() > MAX_ALTERNATIVES {
                    return None;
                }
            }
            Some(out)
        }
        HirKind::Concat(parts) => parts
            .iter()
            .try_fold(vec![String::new()], |acc, p| cross(&acc, &exact(p)?)),
        _ => None,
    }
}

/// The strings a match of `hir` must start (`front`) or end with, when
/// its first or last pieces are exact.
fn exact_edge(hir: &Hir, front: bool) -> Lits {
    let none = vec![String::new()];
    if let Some(e) = exact(hir) {
        return e;
    }
    match hir.kind() {
        HirKind::Capture(c) => exact_edge(&c.sub, front),
        HirKind::Alternation(alts) => {
            let mut out = vec![];
            for a in alts {
                let e = exact_edge(a, front);
                if min_len(&e) == 0 || out.len() + e.len() > MAX_ALTERNATIVES {
                    return none;
                }
                out.extend(e);
            }
            out
        }
        HirKind::Concat(parts) => {
            let mut run = none.clone();
            let ordered: Vec<&Hir> = if front {
                parts.iter().collect()
            } else {
                parts.iter().rev().collect()
            };
            for p in ordered {
                let Some(e) = exact(p) else { break };
                let next = if front {
                    cross(&run, &e)
                } else {
                    cross(&e, &run)
                };
                match next {
                    Some(r) => run = r,
                    None => break,
                }
            }
            run
        }
        _ => none,
    }
}

/// Literals one of which every match of `hir` contains, if any.
fn required(hir: &Hir) -> Option<Lits> {
    if let Some(e) = exact(hir) {
        return Some(e);
    }
    match hir.kind() {
        HirKind::Capture(c) => required(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => required(&r.sub),
        HirKind::Alternation(alts) => {
            let mut out = vec![];
            for a in alts {
                out.extend(required(a)?);
                if out.len() > MAX_ALTERNATIVES {
                    return None;
                }
            }
            Some(out)
        }
        HirKind::Concat(parts) => {
            let mut best: Option<Lits> = None;
            let mut run: Lits = vec![String::new()];
            for p in parts {
                if matches!(p.kind(), HirKind::Look(_)) {
                    continue;
                }
                match exact(p).and_then(|e| cross(&run, &e)) {
                    Some(r) => run = r,
                    None => {
                        // the run goes on into the piece's exact front
                        if let Some(r) = cross(&run, &exact_edge(p, true)) {
                            run = r;
                        }
                        if min_len(&run) > 0 {
                            best = better(best, Some(std::mem::take(&mut run)));
                        }
                        run = match exact(p) {
                            Some(e) => e,
                            None => {
                                best = better(best, required(p));
                                exact_edge(p, false)
                            }
                        };
                    }
                }
            }
            if min_len(&run) > 0 {
                best = better(best, Some(run));
            }
            best
        }
        _ => None,
    }
}

/// A pattern that starts with `^` and a literal: the literals a line must
/// start with.
fn anchored_prefix(hir: &Hir) -> Option<Lits> {
    let HirKind::Concat(parts) = hir.kind() else {
        return None;
    };
    let first = parts.first()?;
    if !matches!(
        first.kind(),
        HirKind::Look(regex_syntax::hir::Look::Start | regex_syntax::hir::Look::StartLF)
    ) {
        return None;
    }
    let mut run: Lits = vec![String::new()];
    for p in &parts[1..] {
        match exact(p).and_then(|e| cross(&run, &e)) {
            Some(r) => run = r,
            None => break,
        }
    }
    (min_len(&run) >= 2).then_some(run)
}

/// How a pattern is found quickly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// The line starts with one of these (lower-cased) literals.
    Start(Lits),
    /// The line contains one of these (lower-cased) literals.
    Contains(Lits),
}

/// The prefilter key of one pattern, when it filters well enough.
pub fn key_of(pattern: &str) -> Option<Key> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()?;
    if let Some(p) = anchored_prefix(&hir) {
        // an anchored prefix is selective even when it is a common word;
        // only a long, uncommon inner literal beats a two-letter one
        let inner = required(&hir).filter(|l| min_len(l) >= MIN_LITERAL);
        return Some(match inner {
            Some(i) if min_len(&p) < 3 && score(&i) >= 12 => Key::Contains(i),
            _ => Key::Start(p),
        });
    }
    let lits = required(&hir)?;
    (min_len(&lits) >= MIN_LITERAL).then_some(Key::Contains(lits))
}

/// The literals of a pattern's key (for tests and audits).
#[cfg(test)]
pub fn literals_of(pattern: &str) -> Option<Lits> {
    match key_of(pattern)? {
        Key::Start(l) | Key::Contains(l) => Some(l),
    }
}

impl Prefilter {
    /// A prefilter over the given patterns (index into the rule set, source).
    /// A prefilter over the given patterns (index into the rule set,
    /// source). The same walk also says whether a line holds one of the
    /// `gate` literals (case aside): the fact readers' cue, at no extra
    /// cost per byte.
    pub fn new<'a>(
        patterns: impl IntoIterator<Item = (usize, &'a str)>,
        gate: &[&str],
    ) -> Prefilter {
        let mut start = Starts::new();
        let mut inner = LiteralSet::default();
        let mut always = vec![];
        for (i, p) in patterns {
            match key_of(p) {
                Some(Key::Start(l)) => start.add(l, i),
                Some(Key::Contains(l)) => inner.add(l, i),
                None => always.push(i),
            }
        }
        for lit in gate {
            inner.add_gate(lit);
        }
        inner.build();
        Prefilter {
            start,
            inner,
            always,
        }
    }

    /// Adds to `out` every pattern that may match `line` (unsorted, may
    /// repeat), and opens its gate if `line` holds a gate literal.
    pub fn candidates(&self, line: &str, out: &mut Found) {
        self.fixed(line, &mut out.patterns);
        self.inner.scan(line.as_bytes(), out);
    }

    /// [`Prefilter::candidates`] of two lines at once (faster than one
    /// after the other).
    pub fn candidates_pair(&self, a: &str, b: &str, out_a: &mut Found, out_b: &mut Found) {
        self.fixed(a, &mut out_a.patterns);
        self.fixed(b, &mut out_b.patterns);
        self.inner
            .scan_pair(a.as_bytes(), b.as_bytes(), out_a, out_b);
    }

    /// The patterns tried on every line and those whose start `line` has.
    fn fixed(&self, line: &str, out: &mut Vec<usize>) {
        out.extend_from_slice(&self.always);
        for owners in self.start.matching(line) {
            out.extend_from_slice(owners);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Found, Prefilter, literals_of};
    use proptest::prelude::*;

    const PATTERNS: &[&str] = &[
        r"ERROR 1045 \(28000\): Access denied",
        r"(?i)could not resolve host: (?P<h>\S+)",
        r"^curl: \((?P<c>7)\) (Failed|Couldn)",
        r"(nodedown|unable to connect to node)",
        r"node",
        r"ode",
        r"^\S+$",
    ];

    /// Gate literals, one also a pattern's literal.
    const GATE: &[&str] = &["Node", "x x", "é"];

    /// The patterns whose literal `line` holds, by plain substring search.
    fn by_substring(line: &str) -> Vec<usize> {
        let low = line.to_ascii_lowercase();
        let mut out: Vec<usize> = PATTERNS
            .iter()
            .enumerate()
            .filter(|(_, p)| match super::key_of(p) {
                Some(super::Key::Start(l)) => l.iter().any(|l| low.starts_with(l.as_str())),
                Some(super::Key::Contains(l)) => l.iter().any(|l| low.contains(l.as_str())),
                None => true,
            })
            .map(|(i, _)| i)
            .collect();
        out.sort_unstable();
        out
    }

    fn sorted(mut v: Vec<usize>) -> Vec<usize> {
        v.sort_unstable();
        v.dedup();
        v
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        /// The automaton walk, alone or paired, finds what a substring
        /// search finds, and a pair gives each line what it gives alone.
        #[test]
        fn walks_find_every_literal(
            a in prop::collection::vec(prop::sample::select(&[
                "curl: (7) ", "Failed", "COULD NOT resolve host: ", "nodedown", "no", "de",
                "Unable to connect to node", "ERROR 1045 (28000): Access denied", " ", "é", "x",
            ][..]), 0..8),
            b in prop::collection::vec(prop::sample::select(&[
                "curl: (7) ", "couldn", "node", "ode", "x", " ", "unable to connect to ",
            ][..]), 0..12),
        ) {
            let pre = Prefilter::new(PATTERNS.iter().copied().enumerate(), GATE);
            let (a, b) = (a.concat(), b.concat());
            let [mut one_a, mut one_b, mut pa, mut pb] = [(); 4].map(|_| Found::default());
            pre.candidates(&a, &mut one_a);
            pre.candidates(&b, &mut one_b);
            pre.candidates_pair(&a, &b, &mut pa, &mut pb);
            prop_assert_eq!(&pa.patterns, &one_a.patterns);
            prop_assert_eq!(&pb.patterns, &one_b.patterns);
            prop_assert_eq!((pa.gate, pb.gate), (one_a.gate, one_b.gate));
            for (line, found) in [(&a, one_a), (&b, one_b)] {
                let low = line.to_ascii_lowercase();
                prop_assert_eq!(found.gate, GATE.iter().any(|g| low.contains(&g.to_ascii_lowercase())), "{:?}", line);
                prop_assert_eq!(sorted(found.patterns), by_substring(line), "{:?}", line);
            }
        }
    }

    #[test]
    fn finds_required_literals() {
        assert_eq!(
            literals_of(r"ERROR 1045 \(28000\): Access denied").unwrap(),
            ["error 1045 (28000): access denied"]
        );
        assert_eq!(
            literals_of(r"(?i)could not resolve host: (?P<h>\S+)").unwrap(),
            ["could not resolve host: "]
        );
        assert_eq!(
            literals_of(r"^curl: \((?P<c>7)\) (Failed|Couldn)").unwrap(),
            ["curl: (7) failed", "curl: (7) couldn"]
        );
        assert_eq!(
            literals_of(r"^(?P<e>[A-Za-z_][\w.]*(?:Error|Exception)): ").unwrap(),
            ["error: ", "exception: "]
        );
        assert_eq!(
            super::key_of(r"^Err:?\d* x").unwrap(),
            super::Key::Start(vec!["err".into()])
        );
        let alt = literals_of(r"(nodedown|unable to connect to node)").unwrap();
        assert_eq!(alt, ["nodedown", "unable to connect to node"]);
        assert!(literals_of(r"^\S+$").is_none());
        assert!(literals_of(r"a.b").is_none());
    }
}
