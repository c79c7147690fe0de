//! Signatures: loaded from the TOML files in `grammars/` (embedded) and from
//! users' `--rules` files, validated, and compiled once into one
//! multi-pattern set so that matching costs one pass per line, whatever the
//! number of signatures.

mod condition;
mod prefilter;
mod template;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use regex::Regex;
use serde::Deserialize;

pub use condition::Condition;
pub use prefilter::{Found, Prefilter};
pub use template::render;

use crate::error::RulesError;

/// The signature files built into the binary.
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "grammars/devstack.toml",
        include_str!("../../grammars/devstack.toml"),
    ),
    (
        "grammars/worlddump.toml",
        include_str!("../../grammars/worlddump.toml"),
    ),
    ("grammars/go.toml", include_str!("../../grammars/go.toml")),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Cause,
    Symptom,
    /// A line of the failure machinery (exit trap, `Error on exit`): never
    /// a cause, always set aside as cascade.
    Marker,
    Noise,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Cause => "cause",
            Role::Symptom => "symptom",
            Role::Marker => "marker",
            Role::Noise => "noise",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    #[default]
    Anywhere,
    Window,
    Command,
    Phase,
    Failure,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDef {
    #[serde(default)]
    family: Option<String>,
    #[serde(default)]
    signature: Vec<SignatureDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignatureDef {
    id: String,
    title: String,
    #[serde(default = "default_role")]
    role: Role,
    #[serde(default = "default_priority")]
    priority: u8,
    #[serde(default = "default_confidence")]
    confidence: f64,
    #[serde(default)]
    any: Vec<String>,
    #[serde(default)]
    all: Vec<String>,
    #[serde(default)]
    none: Vec<String>,
    #[serde(default)]
    scope: Scope,
    #[serde(default = "default_window")]
    window: u64,
    #[serde(default)]
    when: Vec<String>,
    #[serde(default)]
    explains: Vec<String>,
    #[serde(default)]
    suppresses: Vec<String>,
    #[serde(default)]
    evidence_facts: Vec<String>,
    summary: String,
    fix: Vec<String>,
    #[serde(default)]
    examples: Examples,
}

fn default_role() -> Role {
    Role::Cause
}
fn default_priority() -> u8 {
    50
}
fn default_confidence() -> f64 {
    0.8
}
fn default_window() -> u64 {
    30
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default, rename = "match")]
    pub matching: Vec<String>,
    #[serde(default)]
    pub no_match: Vec<String>,
}

/// The format of an input, decided from its first lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// stack.sh logs, their CI wrappers, and text of unknown kind.
    Devstack = 0,
    Worlddump = 1,
    GoBuild = 2,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Devstack, Format::Worlddump, Format::GoBuild];

    /// Whether signatures of `family` apply to inputs of this format: each
    /// built-in family to its own format (devstack also to unknown text),
    /// users' families to every format.
    pub fn applies(self, family: &str) -> bool {
        match family {
            "devstack" => self == Format::Devstack,
            "worlddump" => self == Format::Worlddump,
            "go" => self == Format::GoBuild,
            _ => true,
        }
    }
}

/// What a pattern contributes to its signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternKind {
    Any,
    All,
    None,
}

/// One compiled signature.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub family: String,
    pub title: String,
    pub role: Role,
    pub priority: u8,
    pub confidence: f64,
    pub scope: Scope,
    pub window: u64,
    pub when: Vec<Condition>,
    pub explains: Vec<String>,
    pub suppresses: Vec<String>,
    pub evidence_facts: Vec<String>,
    pub summary: String,
    pub fix: Vec<String>,
    pub examples: Examples,
    /// Indexes into [`RuleSet::patterns`].
    pub any: Vec<usize>,
    pub all: Vec<usize>,
    pub none: Vec<usize>,
    /// Where the signature was defined: `file:line`.
    pub origin: String,
}

/// A pattern and the rule it belongs to. Its regex is compiled the first
/// time a line gets past the prefilter to it (most built-in patterns never
/// do on a given log); the patterns of a user's files are compiled when
/// loaded, so that a bad one is reported then.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub rule: usize,
    pub kind: PatternKind,
    /// The pattern as written.
    pub source: String,
    compiled: OnceLock<Regex>,
}

impl Pattern {
    pub fn regex(&self) -> &Regex {
        self.compiled.get_or_init(|| {
            Regex::new(&self.source)
                .expect("built-in patterns compile (tested), others are compiled when loaded")
        })
    }
}

/// Every signature and its patterns, with a literal prefilter per format.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub patterns: Vec<Pattern>,
    /// Which patterns can match a line, by required literals: one per
    /// input format, over the signatures that apply to it, built when an
    /// input of that format first needs it.
    prefilters: Vec<OnceLock<Prefilter>>,
}

impl RuleSet {
    /// The embedded signatures.
    pub fn builtin() -> Result<RuleSet, RulesError> {
        RuleSet::load(&[])
    }

    /// The embedded signatures plus the user's files (files or directories
    /// of `*.toml`).
    pub fn load(extra: &[PathBuf]) -> Result<RuleSet, RulesError> {
        let mut b = Builder::default();
        for (name, text) in EMBEDDED {
            b.add_file(name, text, false)?;
        }
        for path in extra {
            for file in rule_files(path)? {
                let text = std::fs::read_to_string(&file).map_err(|e| RulesError::Read {
                    path: file.display().to_string(),
                    source: e,
                })?;
                b.add_file(&file.display().to_string(), &text, true)?;
            }
        }
        b.finish()
    }

    /// Only the given files (no embedded signatures): for `rules test PATH`.
    pub fn from_texts(files: &[(String, String)]) -> Result<RuleSet, RulesError> {
        let mut b = Builder::default();
        for (name, text) in files {
            b.add_file(name, text, true)?;
        }
        b.finish()
    }

    /// The prefilter for an input format.
    pub fn prefilter(&self, format: Format) -> &Prefilter {
        self.prefilters[format as usize].get_or_init(|| {
            Prefilter::new(
                self.patterns
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| format.applies(&self.rules[p.rule].family))
                    .map(|(i, p)| (i, p.source.as_str())),
                crate::facts::GATE_LITERALS,
            )
        })
    }

    pub fn find(&self, id: &str) -> Option<usize> {
        self.rules.iter().position(|r| r.id == id)
    }
}

/// The `*.toml` files a `--rules` path names.
pub fn rule_files(path: &Path) -> Result<Vec<PathBuf>, RulesError> {
    let meta = std::fs::metadata(path).map_err(|e| RulesError::Read {
        path: path.display().to_string(),
        source: e,
    })?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| RulesError::Read {
            path: path.display().to_string(),
            source: e,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

#[derive(Default)]
struct Builder {
    rules: Vec<Rule>,
    patterns: Vec<Pattern>,
}

/// 1-based line of byte offset `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

/// The line on which each `[[signature]]` table starts, in order.
fn signature_lines(text: &str) -> Vec<usize> {
    let mut lines = vec![];
    for (i, line) in text.lines().enumerate() {
        if line.starts_with("[[signature]]") {
            lines.push(i + 1);
        }
    }
    lines
}

impl Builder {
    /// Adds the signatures of one file; `check` compiles their patterns
    /// now (a user's files; the embedded ones are compiled by the tests).
    fn add_file(&mut self, name: &str, text: &str, check: bool) -> Result<(), RulesError> {
        let def: FileDef = toml::from_str(text).map_err(|e| RulesError::Syntax {
            file: name.to_string(),
            line: e.span().map_or(1, |s| line_of(text, s.start)),
            message: e.message().to_string(),
        })?;
        let family = def.family.unwrap_or_else(|| {
            Path::new(name)
                .file_stem()
                .map_or("user".into(), |s| s.to_string_lossy().into_owned())
        });
        let lines = signature_lines(text);
        for (n, sig) in def.signature.into_iter().enumerate() {
            let line = lines.get(n).copied().unwrap_or(1);
            self.add_signature(name, line, &family, sig, check)?;
        }
        Ok(())
    }

    fn add_signature(
        &mut self,
        file: &str,
        line: usize,
        family: &str,
        s: SignatureDef,
        check: bool,
    ) -> Result<(), RulesError> {
        let bad = |message: String| RulesError::Invalid {
            file: file.to_string(),
            line,
            id: s.id.clone(),
            message,
        };
        if s.id.is_empty()
            || !s
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c))
        {
            return Err(bad(
                "the id must be lower case letters, digits, dots and dashes".into(),
            ));
        }
        if self.rules.iter().any(|r| r.id == s.id) {
            return Err(bad("this id is already defined".into()));
        }
        if s.any.is_empty() && s.all.is_empty() {
            return Err(bad(
                "a signature needs at least one `any` or `all` pattern".into()
            ));
        }
        if s.fix.is_empty() {
            return Err(bad("a signature needs at least one `fix` step".into()));
        }
        if !(0.0..=1.0).contains(&s.confidence) {
            return Err(bad("confidence must be between 0 and 1".into()));
        }
        if s.priority > 100 {
            return Err(bad("priority must be between 0 and 100".into()));
        }
        let when = s
            .when
            .iter()
            .map(|c| Condition::parse(c).map_err(|m| bad(format!("condition `{c}`: {m}"))))
            .collect::<Result<Vec<_>, _>>()?;
        let rule_idx = self.rules.len();
        let mut compile = |list: &[String], kind: PatternKind| -> Result<Vec<usize>, RulesError> {
            list.iter()
                .map(|p| {
                    let compiled = OnceLock::new();
                    if check {
                        let regex = Regex::new(p)
                            .map_err(|e| bad(format!("pattern `{p}` does not compile: {e}")))?;
                        let _ = compiled.set(regex);
                    }
                    self.patterns.push(Pattern {
                        rule: rule_idx,
                        kind,
                        source: p.clone(),
                        compiled,
                    });
                    Ok(self.patterns.len() - 1)
                })
                .collect()
        };
        let any = compile(&s.any, PatternKind::Any)?;
        let all = compile(&s.all, PatternKind::All)?;
        let none = compile(&s.none, PatternKind::None)?;
        self.rules.push(Rule {
            id: s.id,
            family: family.to_string(),
            title: s.title,
            role: s.role,
            priority: s.priority,
            confidence: s.confidence,
            scope: s.scope,
            window: s.window,
            when,
            explains: s.explains,
            suppresses: s.suppresses,
            evidence_facts: s.evidence_facts,
            summary: s.summary,
            fix: s.fix,
            examples: s.examples,
            any,
            all,
            none,
            origin: format!("{file}:{line}"),
        });
        Ok(())
    }

    fn finish(self) -> Result<RuleSet, RulesError> {
        Ok(RuleSet {
            rules: self.rules,
            patterns: self.patterns,
            prefilters: Format::ALL.iter().map(|_| OnceLock::new()).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_loads() {
        let rs = RuleSet::builtin().unwrap();
        assert!(rs.rules.len() >= 38, "{}", rs.rules.len());
        // built-in patterns are compiled on first use: every one must
        for p in &rs.patterns {
            if let Err(e) = Regex::new(&p.source) {
                panic!("built-in pattern `{}` does not compile: {e}", p.source);
            }
        }
    }

    #[test]
    fn bad_file_names_file_and_line() {
        let text = "[[signature]]\nid = \"x.y\"\ntitle = \"t\"\nany = ['(']\nsummary = \"s\"\nfix = [\"f\"]\n";
        let e = RuleSet::from_texts(&[("my.toml".into(), text.into())])
            .unwrap_err()
            .to_string();
        assert!(e.contains("my.toml:1") && e.contains("x.y"), "{e}");
        let e = RuleSet::from_texts(&[("my.toml".into(), "[[signature]]\nid = 3\n".into())])
            .unwrap_err()
            .to_string();
        assert!(e.contains("my.toml:2"), "{e}");
    }
}
