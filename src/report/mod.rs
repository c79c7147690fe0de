//! Report types (the only serialised types besides parse events, with a
//! schema version) and the renderers, one module per output format.

pub mod events;
pub mod github;
pub mod human;
pub mod json;
pub mod scan;

use serde::Serialize;

pub const SCHEMA: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Kind {
    #[serde(rename = "stack.sh")]
    StackSh,
    #[serde(rename = "worlddump")]
    Worlddump,
    #[serde(rename = "go-build")]
    GoBuild,
    #[serde(rename = "unknown")]
    Unknown,
}

impl Kind {
    /// Every kind, in the order reports list them.
    pub const ALL: [Kind; 4] = [Kind::StackSh, Kind::Worlddump, Kind::GoBuild, Kind::Unknown];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::StackSh => "stack.sh",
            Kind::Worlddump => "worlddump",
            Kind::GoBuild => "go-build",
            Kind::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Failure,
    Success,
    Inconclusive,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Failure => "failure",
            Outcome::Success => "success",
            Outcome::Inconclusive => "inconclusive",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub line: u64,
    pub text: String,
    /// Set when the line is in another file than the input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RootCause {
    pub rule: Option<String>,
    pub title: String,
    pub summary: String,
    pub confidence: f64,
    pub evidence: Vec<Evidence>,
    pub fix: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FailurePoint {
    pub line: u64,
    pub text: String,
    pub command: Option<String>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingRole {
    Contributing,
    Cascade,
    Noise,
}

impl FindingRole {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingRole::Contributing => "contributing",
            FindingRole::Cascade => "cascade",
            FindingRole::Noise => "noise",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: String,
    pub role: FindingRole,
    pub title: String,
    pub evidence: Vec<Evidence>,
    /// Why it was set aside, for the human report.
    #[serde(skip)]
    pub why: String,
}

/// One fact shown to a person (never a secret value).
#[derive(Debug, Clone)]
pub struct ShownFact {
    pub name: &'static str,
    pub value: String,
    pub line: u64,
}

/// The verdict for one input: DESIGN.md §6, exactly.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema: u32,
    pub input: String,
    pub kind: Kind,
    pub outcome: Outcome,
    pub root_cause: Option<RootCause>,
    pub failure_point: Option<FailurePoint>,
    pub findings: Vec<Finding>,
    pub error: Option<String>,
    /// Context for the human report only.
    #[serde(skip)]
    pub lines: u64,
    /// The first timestamp in the input (outfilter or Zuul), as written.
    #[serde(skip)]
    pub started: Option<String>,
    #[serde(skip)]
    pub phase: Option<String>,
    #[serde(skip)]
    pub facts: Vec<ShownFact>,
    /// Remarks for the human report (the worlddump used or not found).
    #[serde(skip)]
    pub notes: Vec<String>,
    /// The worlddump read as this log's evidence, as its path was given.
    #[serde(skip)]
    pub worlddump: Option<String>,
}

impl Report {
    /// The report of an input that could not be read at all.
    pub fn unreadable(input: String, error: String) -> Report {
        Report {
            schema: SCHEMA,
            input,
            kind: Kind::Unknown,
            outcome: Outcome::Inconclusive,
            root_cause: None,
            failure_point: None,
            findings: vec![],
            error: Some(error),
            lines: 0,
            started: None,
            phase: None,
            facts: vec![],
            notes: vec![],
            worlddump: None,
        }
    }
}
