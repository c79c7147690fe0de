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

use analyze::Analyzer;
use input::InputSpec;
use report::Report;
use rules::RuleSet;

/// Reads, analyses and diagnoses one input. A read error still yields a
/// report (with `error` set) so that no input is silently dropped.
pub fn diagnose_input(rules: &RuleSet, spec: &InputSpec) -> Report {
    let mut a = Analyzer::new(rules);
    let read = input::for_each_line(spec, |n, l| a.feed(n, l));
    let analysis = a.finish();
    let mut report = diagnose::diagnose(rules, &spec.name(), &analysis);
    if let Err(e) = read {
        report.error = Some(e.to_string());
        if analysis.lines == 0 {
            return Report::unreadable(spec.name(), e.to_string());
        }
    }
    report
}

/// Diagnoses an in-memory text (tests, benchmarks, rule examples).
pub fn diagnose_text(rules: &RuleSet, name: &str, text: &str) -> Report {
    let analysis = analyze::analyze_text(rules, text);
    diagnose::diagnose(rules, name, &analysis)
}
