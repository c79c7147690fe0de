//! stacklog: reads DevStack `stack.sh` logs (and their CI wrappers), turns
//! them into structured events, matches known failure signatures, separates
//! the root cause from the cascade that follows it, and says how to fix it.
//!
//! The pipeline, one module a stage, plain data between them:
//! [`input`] -> [`lines`] -> [`parse`] ([`event`]) -> [`facts`] ->
//! [`analyze`] (signature hits from [`rules`]) -> [`diagnose`] -> [`report`].

pub mod analyze;
pub mod diagnose;
pub mod error;
pub mod event;
pub mod facts;
pub mod input;
pub mod lines;
pub mod parse;
pub mod report;
pub mod rules;
pub mod sanitize;
pub mod scan;

use std::path::{Path, PathBuf};

use analyze::{Analysis, Analyzer};
use diagnose::Companion;
use input::InputSpec;
use report::Report;
use rules::{Format, RuleSet};

/// Options of one `diagnose` run that are not about output.
#[derive(Debug, Clone, Default)]
pub struct DiagnoseOptions {
    /// A worlddump to use with every stack.sh input, instead of the one the
    /// log names.
    pub worlddump: Option<PathBuf>,
    /// Never read a worlddump.
    pub no_worlddump: bool,
}

fn analyze(
    rules: &RuleSet,
    spec: &InputSpec,
    format: Option<Format>,
) -> (Analysis, Option<error::InputError>) {
    let mut a = match format {
        Some(f) => Analyzer::with_format(rules, f),
        None => Analyzer::new(rules),
    };
    let read = input::read(spec, &mut a);
    (a.finish(), read.err())
}

/// Where the worlddump of a stack.sh log is: the path the log names, else
/// the same file name beside the log.
fn find_worlddump(spec: &InputSpec, named: &str) -> Option<PathBuf> {
    let named_path = Path::new(named);
    if named_path.is_file() {
        return Some(named_path.to_path_buf());
    }
    let InputSpec::Path(log) = spec else {
        return None;
    };
    let beside = log
        .parent()
        .unwrap_or(Path::new("."))
        .join(named_path.file_name()?);
    beside.is_file().then_some(beside)
}

/// Reads, analyses and diagnoses one input. A read error still yields a
/// report (with `error` set) so that no input is silently dropped.
pub fn diagnose_input(rules: &RuleSet, spec: &InputSpec) -> Report {
    diagnose_input_with(rules, spec, &DiagnoseOptions::default())
}

/// [`diagnose_input`], with the worlddump of a stack.sh log read as evidence.
pub fn diagnose_input_with(rules: &RuleSet, spec: &InputSpec, opts: &DiagnoseOptions) -> Report {
    let (analysis, err) = analyze(rules, spec, None);
    if let Some(e) = &err
        && analysis.lines == 0
    {
        return Report::unreadable(spec.name(), e.to_string());
    }
    let mut notes = vec![];
    if let Some(at) = analysis.nul_at {
        notes.push(format!(
            "this looks like a binary file (a NUL byte at offset {at}), not a log: its text was read as it is"
        ));
    }
    let mut dump = None;
    if analysis.format == Format::Devstack && !opts.no_worlddump {
        let named = analysis.facts.value("worlddump");
        let path = opts
            .worlddump
            .clone()
            .or_else(|| named.as_deref().and_then(|n| find_worlddump(spec, n)));
        match (path, named) {
            (Some(p), _) => {
                let (d, derr) = analyze(rules, &InputSpec::Path(p.clone()), Some(Format::Worlddump));
                let shown = p.display().to_string();
                match derr {
                    Some(e) if d.lines == 0 => notes.push(format!("worlddump not used: {e}")),
                    Some(e) => {
                        notes.push(format!("worlddump {shown} read in part: {e}"));
                        dump = Some((shown, d));
                    }
                    None => {
                        notes.push(format!("worlddump {shown} read ({} lines)", d.lines));
                        dump = Some((shown, d));
                    }
                }
            }
            (None, Some(n)) => notes.push(format!(
                "the log names the worlddump {n}, which is not here (nor beside the log): pass it with --worlddump FILE"
            )),
            (None, None) => {}
        }
    }
    let companion = dump.as_ref().map(|(path, a)| Companion {
        path: path.clone(),
        analysis: a,
    });
    let mut report = diagnose::diagnose_with(rules, &spec.name(), &analysis, companion);
    report.notes = notes;
    report.worlddump = dump.as_ref().map(|(path, _)| path.clone());
    if let Some(e) = err {
        report.error = Some(e.to_string());
    }
    report
}
/// Diagnoses an in-memory text (tests, benchmarks, rule examples).
pub fn diagnose_text(rules: &RuleSet, name: &str, text: &str) -> Report {
    let analysis = analyze::analyze_text(rules, text);
    diagnose::diagnose(rules, name, &analysis)
}
