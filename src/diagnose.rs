//! Root cause, not the loudest line: turns the analyzer's hits into
//! signature matches, places each by its causal position relative to the
//! failure point, and picks the root cause; everything else becomes a
//! contributing, cascade or noise finding.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::analyze::{Analysis, Hit};
use crate::report::{
    Evidence, FailurePoint, Finding, FindingRole, Kind, Outcome, Report, RootCause, SCHEMA,
    ShownFact,
};
use crate::rules::{Format, PatternKind, Role, Rule, RuleSet, Scope, render};

/// Matches farther than this many lines above the failing command are
/// "far above": they can be the root cause only when they explain it.
const NEAR: u64 = 300;
const MAX_EVIDENCE: usize = 6;

/// Where a match sits relative to the failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Position {
    /// In the failure block: the failing command, its output, the `[ERROR]`.
    Failure,
    /// Above it, near or in the same phase (or anywhere in an excerpt).
    Near,
    /// Far above it.
    Far,
    /// After the failure point: exit trap, `Error on exit`.
    Cascade,
    /// After `World dumping...`: worlddump's own output.
    Worlddump,
}

/// One signature that matched, at one anchor line.
#[derive(Debug, Clone)]
pub struct Match {
    pub rule: usize,
    pub anchor: Hit,
    pub support: Vec<Hit>,
    pub position: Position,
    /// Set when the match is in a companion file (the worlddump).
    pub file: Option<String>,
}

fn in_scope(rule: &Rule, anchor: &Hit, h: &Hit) -> bool {
    match rule.scope {
        Scope::Anywhere | Scope::Failure => true,
        Scope::Window => h.line.abs_diff(anchor.line) <= rule.window,
        Scope::Command => h.block == anchor.block,
        Scope::Phase => h.phase == anchor.phase,
    }
}

fn position(a: &Analysis, h: &Hit) -> Position {
    let Some(f) = &a.failure else {
        return Position::Near;
    };
    if let Some(post) = f.post_start
        && h.line >= post
    {
        return match f.worlddump_line {
            Some(w) if h.line > w => Position::Worlddump,
            _ => Position::Cascade,
        };
    }
    if h.line >= f.block_start {
        Position::Failure
    } else if f.block_start - h.line <= NEAR || h.phase == f.phase {
        Position::Near
    } else {
        Position::Far
    }
}

/// Every match of every signature in the analysis.
pub fn matches(rules: &RuleSet, a: &Analysis) -> Vec<Match> {
    let mut out = vec![];
    for (ri, rule) in rules.rules.iter().enumerate() {
        if !rule.when.iter().all(|c| c.holds(&a.facts)) {
            continue;
        }
        let (anchor_pats, rest_all): (&[usize], &[usize]) = if rule.any.is_empty() {
            (&rule.all[..1], &rule.all[1..])
        } else {
            (&rule.any, &rule.all)
        };
        let mut anchors: Vec<&Hit> = anchor_pats.iter().flat_map(|&p| a.hits[p].iter()).collect();
        anchors.sort_by_key(|h| h.line);
        anchors.dedup_by_key(|h| h.line);
        for anchor in anchors.into_iter().rev().take(16) {
            let mut support = vec![];
            let all_ok = rest_all.iter().all(|&p| {
                let best = a.hits[p]
                    .iter()
                    .filter(|h| in_scope(rule, anchor, h))
                    .min_by_key(|h| h.line.abs_diff(anchor.line));
                if let Some(h) = best {
                    if h.line != anchor.line {
                        support.push(h.clone());
                    }
                    true
                } else {
                    false
                }
            });
            if !all_ok {
                continue;
            }
            if rule
                .none
                .iter()
                .any(|&p| a.hits[p].iter().any(|h| in_scope(rule, anchor, h)))
            {
                continue;
            }
            let pos = position(a, anchor);
            if rule.scope == Scope::Failure && pos != Position::Failure {
                continue;
            }
            out.push(Match {
                rule: ri,
                anchor: anchor.clone(),
                support,
                position: pos,
                file: None,
            });
        }
    }
    out
}

fn role_rank(r: Role) -> u8 {
    match r {
        Role::Cause => 0,
        Role::Symptom => 1,
        Role::Marker | Role::Noise => 2,
    }
}

fn candidate(rules: &RuleSet, m: &Match) -> bool {
    let rule = &rules.rules[m.rule];
    matches!(rule.role, Role::Cause | Role::Symptom)
        && match m.position {
            Position::Failure | Position::Near => true,
            Position::Far => rule.priority >= 80,
            Position::Cascade | Position::Worlddump => false,
        }
}

/// Picks the root cause among the matches: its index into `ms`, and the
/// match it explains when it was promoted through `explains`.
fn pick_root(rules: &RuleSet, ms: &[Match], point: Option<u64>) -> Option<(usize, Option<usize>)> {
    // ties go to the match nearest the failure point (a build's first
    // error), else to the latest line (an excerpt's last error)
    let nearness = |m: &Match| match point {
        Some(p) if m.file.is_none() => m.anchor.line.abs_diff(p),
        _ => u64::MAX - m.anchor.line,
    };
    let key = |m: &Match| {
        let r = &rules.rules[m.rule];
        (
            m.position,
            role_rank(r.role),
            std::cmp::Reverse(r.priority),
            nearness(m),
        )
    };
    let mut best = (0..ms.len())
        .filter(|&i| candidate(rules, &ms[i]))
        .min_by_key(|&i| key(&ms[i]))?;
    let visible = best;
    // A match that explains the best one is the deeper cause (twice, for
    // chains such as disk full -> mysql down -> keystone did not start).
    for _ in 0..2 {
        let id = &rules.rules[ms[best].rule].id;
        let deeper = (0..ms.len())
            .filter(|&i| {
                let r = &rules.rules[ms[i].rule];
                i != best
                    && r.role == Role::Cause
                    && r.explains.iter().any(|e| e == id)
                    && !matches!(ms[i].position, Position::Cascade | Position::Worlddump)
            })
            .min_by_key(|&i| key(&ms[i]));
        match deeper {
            Some(i) => best = i,
            None => break,
        }
    }
    Some((best, (best != visible).then_some(visible)))
}

fn factor(p: Position, has_failure: bool) -> f64 {
    match p {
        Position::Failure => 1.0,
        Position::Near if has_failure => 0.85,
        Position::Near => 0.9,
        Position::Far => 0.6,
        _ => 0.3,
    }
}

fn evidence(line: u64, text: &str) -> Evidence {
    Evidence {
        line,
        text: text.to_string(),
        file: None,
    }
}

/// Evidence for a hit of a match, naming the companion file if any.
fn hit_evidence(m: &Match, h: &Hit) -> Evidence {
    Evidence {
        line: h.line,
        text: h.text.clone(),
        file: m.file.clone(),
    }
}

fn push_unique(v: &mut Vec<Evidence>, e: Evidence) {
    if v.len() < MAX_EVIDENCE && !v.iter().any(|x| x.line == e.line && x.file == e.file) {
        v.push(e);
    }
}

static ERRORISH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(error|errno|fatal|failed|failure|cannot|can't|could not|couldn't|unable|denied|not found|no such|exception|traceback|timed out|refused|invalid|missing|mismatch|unexpected|abort|aborted|killed|segmentation fault)\b").unwrap()
});

fn is_cascade_text(t: &str) -> bool {
    t == "Error on exit"
        || t.contains("generate-subunit")
        || t.starts_with("World dumping")
        || t.starts_with("[Call Trace]")
        || t.ends_with(" failed: full log in")
}

/// Evidence when no signature matched: the failing command, then the lines
/// of the failure block that look like errors (last ones first), never the
/// cascade.
fn fallback_evidence(a: &Analysis) -> Vec<Evidence> {
    let mut ev = vec![];
    let Some(f) = &a.failure else { return ev };
    if f.point_line != f.culprit.as_ref().map_or(0, |c| c.line) {
        push_unique(&mut ev, evidence(f.point_line, &f.point_text));
    }
    let culprit_line = f.culprit.as_ref().map(|c| c.line);
    let errorish: Vec<&(u64, String)> = f
        .context
        .iter()
        .filter(|(n, t)| {
            Some(*n) != culprit_line
                && !t.starts_with('+')
                && ERRORISH.is_match(t)
                && !is_cascade_text(t)
        })
        .collect();
    for (n, t) in errorish.iter().rev().take(3) {
        push_unique(&mut ev, evidence(*n, t));
    }
    if let Some(c) = &f.culprit {
        push_unique(&mut ev, evidence(c.line, &c.text));
        // the command's own output, when it printed nothing error-like
        if errorish.is_empty() {
            for (n, t) in f
                .context
                .iter()
                .filter(|(n, t)| *n > c.line && !t.starts_with('+'))
                .take(3)
            {
                push_unique(&mut ev, evidence(*n, t));
            }
        }
    }
    ev
}

fn lookup<'a>(
    rules: &'a RuleSet,
    a: &'a Analysis,
    hits: &'a [&'a Hit],
) -> impl Fn(&str) -> Option<String> + 'a {
    move |name: &str| {
        for h in hits {
            let re = &rules.patterns[h.pattern].regex();
            if let Some(m) = re.captures(&h.text).and_then(|c| c.name(name)) {
                return Some(m.as_str().to_string());
            }
        }
        if name == "line" {
            return hits.first().map(|h| h.line.to_string());
        }
        a.facts.value(name)
    }
}

/// Whether `o` is another anchor of `m`'s signature in the same command
/// output (two lines of one error message).
fn same_failure(m: &Match, o: &Match) -> bool {
    o.rule == m.rule
        && o.file == m.file
        && o.anchor.line != m.anchor.line
        && (o.anchor.block == m.anchor.block || o.anchor.line.abs_diff(m.anchor.line) <= 3)
        && !matches!(o.position, Position::Cascade | Position::Worlddump)
}

fn root_cause(
    rules: &RuleSet,
    a: &Analysis,
    ms: &[Match],
    root: usize,
    explained: Option<usize>,
) -> RootCause {
    let m = &ms[root];
    let rule = &rules.rules[m.rule];
    let mut hits: Vec<&Hit> = vec![&m.anchor];
    hits.extend(m.support.iter());
    let look = lookup(rules, a, &hits);
    let mut ev = vec![hit_evidence(m, &m.anchor)];
    for h in &m.support {
        push_unique(&mut ev, hit_evidence(m, h));
    }
    // the same signature again in the same command: one finding, not two
    for other in ms.iter().filter(|o| same_failure(m, o)) {
        push_unique(&mut ev, hit_evidence(other, &other.anchor));
    }
    // the match this one explains, when it is the visible failure
    for other in ms.iter() {
        let oid = &rules.rules[other.rule].id;
        if rule.explains.iter().any(|e| e == oid) && other.position == Position::Failure {
            push_unique(&mut ev, hit_evidence(other, &other.anchor));
            break;
        }
    }
    // the companion's lines that speak for this cause (mysqld was running)
    for other in ms
        .iter()
        .filter(|o| o.file.is_some() && !std::ptr::eq(*o, m))
    {
        let orule = &rules.rules[other.rule];
        if orule.explains.contains(&rule.id) && orule.role != Role::Noise {
            push_unique(&mut ev, hit_evidence(other, &other.anchor));
        }
    }
    for name in &rule.evidence_facts {
        if let Some(f) = a.facts.source(name) {
            let file = f.file.clone().or_else(|| m.file.clone());
            push_unique(
                &mut ev,
                Evidence {
                    line: f.line,
                    text: f.text.clone(),
                    file,
                },
            );
        }
    }
    if let Some(f) = &a.failure
        && let Some(c) = &f.culprit
    {
        push_unique(&mut ev, evidence(c.line, &c.text));
    }
    // a cause that explains the visible failure is as close to it as that
    let position = explained.map_or(m.position, |e| m.position.min(ms[e].position));
    let confidence =
        (rule.confidence * factor(position, a.failure.is_some()) * 100.0).round() / 100.0;
    RootCause {
        rule: Some(rule.id.clone()),
        title: rule.title.clone(),
        summary: render(&rule.summary, &look),
        confidence,
        evidence: ev,
        fix: rule.fix.iter().map(|f| render(f, &look)).collect(),
    }
}

fn unknown_root(a: &Analysis) -> RootCause {
    let f = a.failure.as_ref();
    let cmd = f.and_then(|f| f.culprit.as_ref());
    let summary = match cmd {
        Some(c) => format!(
            "The run failed at `{}`{}; no known signature explains what it printed.",
            c.command,
            c.source().map(|s| format!(" ({s})")).unwrap_or_default()
        ),
        None => "The run failed; no known signature explains it.".to_string(),
    };
    let mut fix = vec![];
    if let Some(c) = cmd {
        fix.push(format!(
            "Run the failing command by hand to see its full error: {}",
            c.command
        ));
    }
    fix.push("Read the evidence lines above, then the service logs under the log directory (and the worlddump, if one was taken)".to_string());
    fix.push("When you find the cause, add a signature for it: see `stacklog rules show` and grammars/README.md".to_string());
    RootCause {
        rule: None,
        title: "No known signature matched".into(),
        summary,
        confidence: 0.0,
        evidence: fallback_evidence(a),
        fix,
    }
}

fn finding_role(rules: &RuleSet, m: &Match) -> (FindingRole, &'static str) {
    if m.file.is_some() {
        return match rules.rules[m.rule].role {
            Role::Noise => (FindingRole::Noise, "worlddump noise"),
            Role::Marker => (FindingRole::Contributing, "host state in the worlddump"),
            _ => (FindingRole::Contributing, "seen in the worlddump"),
        };
    }
    let rule = &rules.rules[m.rule];
    if rule.role == Role::Marker && rule.family == "worlddump" {
        return (FindingRole::Contributing, "host state");
    }
    match (rule.role, m.position) {
        (_, Position::Worlddump) => (FindingRole::Noise, "worlddump output"),
        (Role::Noise, _) => (FindingRole::Noise, "known noise"),
        (Role::Marker, _) => (FindingRole::Cascade, "failure machinery"),
        (_, Position::Cascade) => (FindingRole::Cascade, "after the failure"),
        (_, Position::Far) => (FindingRole::Contributing, "far above"),
        _ => (FindingRole::Contributing, "before the failure"),
    }
}

fn findings(rules: &RuleSet, ms: &[Match], root: Option<usize>) -> Vec<Finding> {
    let root_rule = root.map(|r| &rules.rules[ms[r].rule]);
    let root_line = root.map(|r| ms[r].anchor.line);
    let mut by: BTreeMap<(FindingRole, String), Finding> = BTreeMap::new();
    let mut order: Vec<(FindingRole, u64, String)> = vec![];
    for (i, m) in ms.iter().enumerate() {
        let rule = &rules.rules[m.rule];
        if Some(i) == root {
            continue;
        }
        if let Some(rr) = root_rule {
            if rr.suppresses.contains(&rule.id) {
                continue;
            }
            if rr.id == rule.id && root_line == Some(m.anchor.line) {
                continue;
            }
            if root.is_some_and(|r| same_failure(&ms[r], m)) {
                continue;
            }
        }
        let (mut role, mut why) = finding_role(rules, m);
        if let Some(rr) = root_rule {
            if rr.explains.contains(&rule.id) && role == FindingRole::Contributing {
                why = "explained by cause";
            }
            if rr.id == rule.id && role == FindingRole::Contributing {
                role = FindingRole::Contributing;
                why = "seen earlier too";
            }
        }
        let key = (role, rule.id.clone());
        let e = by.entry(key).or_insert_with(|| {
            order.push((role, m.anchor.line, rule.id.clone()));
            Finding {
                rule: rule.id.clone(),
                role,
                title: rule.title.clone(),
                evidence: vec![],
                why: why.to_string(),
            }
        });
        let ev = hit_evidence(m, &m.anchor);
        if e.evidence.len() < 3
            && !e
                .evidence
                .iter()
                .any(|x| x.line == ev.line && x.file == ev.file)
        {
            e.evidence.push(ev);
        }
    }
    for f in by.values_mut() {
        f.evidence.sort_by_key(|e| e.line);
    }
    // contributing first, then cascade, then noise; by line within each
    order.sort();
    order
        .into_iter()
        .filter_map(|(role, _, id)| by.remove(&(role, id)))
        .collect()
}

fn kind(rules: &RuleSet, a: &Analysis, ms: &[Match]) -> Kind {
    match a.format {
        Format::Worlddump => return Kind::Worlddump,
        Format::GoBuild => return Kind::GoBuild,
        Format::Devstack => {}
    }
    if a.traces > 0
        || a.devstack_markers > 0
        || ms.iter().any(|m| rules.rules[m.rule].family == "devstack")
    {
        Kind::StackSh
    } else {
        Kind::Unknown
    }
}

fn shown_facts(a: &Analysis) -> Vec<ShownFact> {
    const SHOWN: &[&str] = &[
        "host_ip",
        "http_proxy",
        "https_proxy",
        "no_proxy",
        "git_base",
        "clone_url",
        "db_password",
        "worlddump",
    ];
    SHOWN
        .iter()
        .filter_map(|&n| {
            a.facts.get(n).map(|f| ShownFact {
                name: n,
                value: if f.value.is_empty() {
                    "(empty)".into()
                } else {
                    f.value.clone()
                },
                line: f.line,
            })
        })
        .collect()
}

/// The verdict for one analysed input.
pub fn diagnose(rules: &RuleSet, input: &str, a: &Analysis) -> Report {
    diagnose_with(rules, input, a, None)
}

/// A companion file read alongside an input: the worlddump a stack.sh log
/// names. Its matches are evidence about the host at the failure: they can
/// explain the log's failure, and are listed with their file.
pub struct Companion<'a> {
    pub path: String,
    pub analysis: &'a Analysis,
}

/// The verdict for one input, with its companion's evidence.
pub fn diagnose_with(
    rules: &RuleSet,
    input: &str,
    a: &Analysis,
    companion: Option<Companion<'_>>,
) -> Report {
    let mut merged;
    let a = match &companion {
        Some(c) => {
            merged = a.clone();
            merged.facts.merge_from(&c.analysis.facts, &c.path);
            &merged
        }
        None => a,
    };
    let mut ms = matches(rules, a);
    if let Some(c) = &companion {
        // the host's state at the failure: root cause only through
        // `explains` or a high priority, like a match far above
        ms.extend(matches(rules, c.analysis).into_iter().map(|mut m| {
            m.position = Position::Far;
            m.file = Some(c.path.clone());
            m
        }));
    }
    let ms = ms;
    let picked = pick_root(rules, &ms, a.failure.as_ref().map(|f| f.point_line));
    let root = picked.map(|(r, _)| r);
    let failed = a.failure.is_some() || root.is_some();
    let outcome = if failed {
        Outcome::Failure
    } else if a.success_line.is_some() {
        Outcome::Success
    } else {
        Outcome::Inconclusive
    };
    let root_cause = match (outcome, root) {
        (Outcome::Failure, Some(r)) => Some(root_cause(rules, a, &ms, r, picked.and_then(|p| p.1))),
        (Outcome::Failure, None) => Some(unknown_root(a)),
        _ => None,
    };
    let failure_point = match &a.failure {
        Some(f) => Some(FailurePoint {
            line: f.point_line,
            text: f.point_text.clone(),
            command: f.culprit.as_ref().map(|c| c.command.clone()),
            source: f
                .culprit
                .as_ref()
                .and_then(|c| c.source().map(String::from)),
        }),
        None => root.map(|r| {
            let h = &ms[r].anchor;
            let block = a.blocks.get(&h.block);
            FailurePoint {
                line: h.line,
                text: h.text.clone(),
                command: block.map(|b| b.command.clone()),
                source: block.and_then(|b| b.source().map(String::from)),
            }
        }),
    };
    Report {
        schema: SCHEMA,
        input: input.to_string(),
        kind: kind(rules, a, &ms),
        outcome,
        root_cause,
        failure_point,
        findings: if outcome == Outcome::Success {
            vec![]
        } else {
            findings(rules, &ms, root)
        },
        error: None,
        lines: a.lines,
        started: a.first_ts.clone(),
        phase: a.facts.value("phase"),
        facts: shown_facts(a),
        notes: vec![],
        worlddump: None,
    }
}

/// Which signatures matched a text at all (before ranking): for examples.
pub fn matched_ids(rules: &RuleSet, text: &str) -> Vec<String> {
    let a = crate::analyze::analyze_text(rules, text);
    let mut ids: Vec<String> = matches(rules, &a)
        .into_iter()
        .map(|m| rules.rules[m.rule].id.clone())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Kinds of patterns, for `rules show`.
pub fn pattern_kind_name(k: PatternKind) -> &'static str {
    match k {
        PatternKind::Any => "any",
        PatternKind::All => "all",
        PatternKind::None => "none",
    }
}
