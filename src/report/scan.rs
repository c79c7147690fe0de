//! Renderers of `scan` and `merge`: the human report (tables, a timeline
//! drawn with bars, a trend sparkline per cause), the summary object of
//! `--format json`, and the CSV rows.

use std::collections::BTreeMap;
use std::io::{self, Write};

use comfy_table::{CellAlignment, ContentArrangement, Table, presets};

use super::human::Style;
use crate::report::Kind;
use crate::report::SCHEMA;
use crate::sanitize::for_terminal;
use crate::scan::progress::human_bytes;
use crate::scan::summary::{Counts, Summary};
use crate::scan::{FileResult, Verdict};

/// How much of the report a person sees (the JSON has everything).
#[derive(Debug, Clone, Copy)]
pub struct Shown {
    /// Causes and clusters listed.
    pub top: usize,
    /// Timeline buckets drawn (the latest ones).
    pub buckets: usize,
}

impl Default for Shown {
    fn default() -> Self {
        Shown {
            top: 10,
            buckets: 26,
        }
    }
}

const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// Counts drawn as a sparkline, scaled to their maximum; zero is a space.
pub fn sparkline(counts: &[u64]) -> String {
    let max = counts.iter().copied().max().unwrap_or(0);
    counts
        .iter()
        .map(|&n| {
            if n == 0 || max == 0 {
                ' '
            } else {
                let i = ((n as f64 / max as f64) * (SPARKS.len() - 1) as f64).round() as usize;
                SPARKS[i.min(SPARKS.len() - 1)]
            }
        })
        .collect()
}

fn percent(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

/// Log text for a table cell: each line made safe, the lines kept.
fn cell(lines: &[&str]) -> String {
    lines
        .iter()
        .map(|l| for_terminal(l).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

fn day(at: &str) -> &str {
    at.get(..10).unwrap_or(at)
}

fn table() -> Table {
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(120);
    t
}

fn right(t: &mut Table, cols: &[usize]) {
    for &c in cols {
        if let Some(col) = t.column_mut(c) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
}

/// Buckets of a span looked at, at most (about 270 years of days).
const MAX_SPAN: usize = 100_000;

/// Every bucket key of the summary's span, the latest `cap` of them.
fn span(s: &Summary, cap: usize) -> Vec<String> {
    match (s.timeline.first(), s.timeline.last()) {
        (Some(a), Some(b)) => s.by.range(&a.bucket, &b.bucket, cap),
        _ => vec![],
    }
}

/// The human report of a summary.
pub fn write_human(out: &mut dyn Write, s: &Summary, st: &Style, shown: Shown) -> io::Result<()> {
    let t = s.totals();
    writeln!(
        out,
        "{}",
        st.bold(&format!(
            "stacklog scan: {} inputs, {} ({} scanned, {} unreadable, {} skipped{})",
            s.files,
            human_bytes(s.bytes),
            t.total(),
            s.unreadable.len(),
            s.skipped.len(),
            if s.outside_dates > 0 {
                format!(", {} outside the dates", s.outside_dates)
            } else {
                String::new()
            }
        ))
    )?;
    // by kind and outcome
    let mut k = table();
    k.set_header(vec!["kind", "failure", "success", "inconclusive", "total"]);
    let row = |name: &str, c: &Counts| {
        vec![
            name.to_string(),
            c.failure.to_string(),
            c.success.to_string(),
            c.inconclusive.to_string(),
            c.total().to_string(),
        ]
    };
    // the built-in kinds in their usual order, then any other
    let known = Kind::ALL.map(Kind::as_str);
    for name in known {
        if let Some(c) = s.kinds.get(name) {
            k.add_row(row(name, c));
        }
    }
    for (name, c) in &s.kinds {
        if !known.contains(&name.as_str()) {
            k.add_row(row(name, c));
        }
    }
    k.add_row(row("all", &t));
    right(&mut k, &[1, 2, 3, 4]);
    writeln!(out, "\n{k}")?;
    match s.classification_rate {
        Some(rate) => writeln!(
            out,
            "{} failed runs: {} explained by a signature, {} not. Classification rate {}.",
            s.failures,
            s.explained,
            s.failures - s.explained,
            st.bold(&percent(rate))
        )?,
        None => writeln!(out, "No failed runs.")?,
    }
    if s.companions > 0 {
        writeln!(
            out,
            "{} worlddump(s) were read as their stack.sh log's evidence: counted with that log, not as failures of their own.",
            s.companions
        )?;
    }
    let keys = span(s, MAX_SPAN);
    let by_bucket: BTreeMap<&str, &crate::scan::summary::Bucket> =
        s.timeline.iter().map(|b| (b.bucket.as_str(), b)).collect();
    // root causes
    if !s.causes.is_empty() {
        let trend_keys = &keys[keys.len().saturating_sub(12)..];
        let mut c = table();
        c.set_header(vec![
            "#".to_string(),
            "root cause".to_string(),
            "count".to_string(),
            "share".to_string(),
            "first seen".to_string(),
            "last seen".to_string(),
            format!("trend ({})", s.by.as_str()),
        ]);
        for (i, cause) in s.causes.iter().take(shown.top).enumerate() {
            let counts: Vec<u64> = trend_keys
                .iter()
                .map(|k| {
                    by_bucket
                        .get(k.as_str())
                        .and_then(|b| b.causes.get(&cause.rule))
                        .copied()
                        .unwrap_or(0)
                })
                .collect();
            c.add_row(vec![
                (i + 1).to_string(),
                format!("{}\n{}", cause.rule, st.dim(&for_terminal(&cause.title))),
                cause.count.to_string(),
                percent(cause.share),
                cause
                    .first_seen
                    .as_ref()
                    .map_or("-", |x| day(&x.at))
                    .to_string(),
                cause
                    .last_seen
                    .as_ref()
                    .map_or("-", |x| day(&x.at))
                    .to_string(),
                sparkline(&counts),
            ]);
        }
        let unexplained = s.failures - s.explained;
        if unexplained > 0 {
            c.add_row(vec![
                String::new(),
                "(no signature)".to_string(),
                unexplained.to_string(),
                percent(unexplained as f64 / s.failures.max(1) as f64),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
        right(&mut c, &[0, 2, 3]);
        writeln!(out, "\n{}\n{c}", st.bold("Root causes"))?;
        if s.causes.len() > shown.top {
            writeln!(
                out,
                "and {} more causes (--top N, or --format json)",
                s.causes.len() - shown.top
            )?;
        }
    }
    write_timeline(out, s, st, &keys, &by_bucket, shown.buckets)?;
    // clusters
    if !s.clusters.is_empty() {
        let mut c = table();
        c.set_header(vec!["#", "count", "where", "template", "example"]);
        for (i, cl) in s.clusters.iter().take(shown.top).enumerate() {
            let place: Vec<&str> = match (&cl.function, &cl.phase) {
                (Some(f), Some(p)) => vec![f, p],
                (Some(f), None) => vec![f],
                (None, Some(p)) => vec![p],
                (None, None) => vec![&cl.kind],
            };
            let template: Vec<&str> = cl.template.iter().map(String::as_str).collect();
            c.add_row(vec![
                (i + 1).to_string(),
                cl.count.to_string(),
                cell(&place),
                cell(&template),
                format!("{}:{}", for_terminal(&cl.example.input), cl.example.line),
            ]);
        }
        right(&mut c, &[0, 1]);
        writeln!(
            out,
            "\n{}\n{c}",
            st.bold(
                "Unexplained failures, by template (--draft-rules DIR writes a signature for each)"
            )
        )?;
        if s.clusters.len() > shown.top {
            writeln!(out, "and {} more clusters", s.clusters.len() - shown.top)?;
        }
    }
    if !s.unreadable.is_empty() {
        writeln!(
            out,
            "\n{}",
            st.bold(&format!(
                "Inputs that could not be read ({})",
                s.unreadable.len()
            ))
        )?;
        for p in &s.unreadable {
            writeln!(out, "  {}", for_terminal(&p.reason))?;
        }
    }
    if !s.skipped.is_empty() {
        let mut why: BTreeMap<&str, u64> = BTreeMap::new();
        for p in &s.skipped {
            *why.entry(p.reason.split(" (").next().unwrap_or(&p.reason))
                .or_default() += 1;
        }
        let parts: Vec<String> = why.iter().map(|(w, n)| format!("{n} {w}")).collect();
        writeln!(
            out,
            "\n{}",
            st.bold(&format!(
                "Skipped ({}): {}",
                s.skipped.len(),
                parts.join(", ")
            ))
        )?;
        for p in s.skipped.iter().take(shown.top) {
            writeln!(out, "  {}: {}", for_terminal(&p.input), p.reason)?;
        }
        if s.skipped.len() > shown.top {
            writeln!(
                out,
                "  and {} more (--format json lists all)",
                s.skipped.len() - shown.top
            )?;
        }
    }
    Ok(())
}

/// One row a bucket: failures as a bar (explained `█`, unexplained `░`),
/// then the top causes' counts, so a rise shows at a glance.
fn write_timeline(
    out: &mut dyn Write,
    s: &Summary,
    st: &Style,
    keys: &[String],
    by_bucket: &BTreeMap<&str, &crate::scan::summary::Bucket>,
    rows_shown: usize,
) -> io::Result<()> {
    if keys.is_empty() || s.failures == 0 {
        return Ok(());
    }
    const BAR: usize = 30;
    const TOP: usize = 4;
    let top: Vec<&str> = s.causes.iter().take(TOP).map(|c| c.rule.as_str()).collect();
    let max = s
        .timeline
        .iter()
        .map(|b| b.failures)
        .max()
        .unwrap_or(0)
        .max(1);
    let width = keys.iter().map(|k| k.len()).max().unwrap_or(10);
    // a stretch of two or more buckets without runs is one line, not a
    // wall of zeros
    let mut rows: Vec<String> = vec![];
    let mut i = 0;
    while i < keys.len() {
        let k = &keys[i];
        let Some(b) = by_bucket.get(k.as_str()) else {
            let mut j = i;
            while j + 1 < keys.len() && !by_bucket.contains_key(keys[j + 1].as_str()) {
                j += 1;
            }
            rows.push(if j > i {
                st.dim(&format!("{k} .. {}: no runs", keys[j]))
            } else {
                format!("{k:width$}  {:BAR$}  {:>6}  {:>6}", "", 0, 0)
            });
            i = j + 1;
            continue;
        };
        let full = (b.failures as f64 / max as f64 * BAR as f64).round() as usize;
        let ex = if b.failures > 0 {
            (b.explained as f64 / b.failures as f64 * full as f64).round() as usize
        } else {
            0
        };
        let bar = format!("{}{}", "█".repeat(ex), "░".repeat(full - ex));
        let pad = " ".repeat(BAR - full);
        let mut row = format!("{k:width$}  {bar}{pad}  {:>6}  {:>6}", b.inputs, b.failures);
        for rule in &top {
            let n = b.causes.get(*rule).copied().unwrap_or(0);
            row.push_str(&format!("  {n:>5}"));
        }
        rows.push(row.trim_end().to_string());
        i += 1;
    }
    writeln!(
        out,
        "\n{}",
        st.bold(&format!(
            "Failures by {} (█ explained, ░ no signature){}",
            s.by.as_str(),
            if top.is_empty() {
                ""
            } else {
                "; then the top causes, by their # above"
            }
        ))
    )?;
    let mut head = format!("{:width$}  {:BAR$}  {:>6}  {:>6}", "", "", "runs", "failed");
    for i in 0..top.len() {
        head.push_str(&format!("  {:>5}", format!("#{}", i + 1)));
    }
    writeln!(out, "{}", st.dim(head.trim_end()))?;
    if rows.len() > rows_shown {
        writeln!(
            out,
            "{}",
            st.dim(&format!(
                "({} earlier rows: --format json has them all)",
                rows.len() - rows_shown
            ))
        )?;
    }
    for r in &rows[rows.len().saturating_sub(rows_shown)..] {
        writeln!(out, "{r}")?;
    }
    Ok(())
}

/// The final object of `scan --format json` and the output of `merge`.
pub fn write_json(out: &mut dyn Write, s: &Summary) -> io::Result<()> {
    #[derive(serde::Serialize)]
    struct Envelope<'a> {
        schema: u32,
        summary: &'a Summary,
    }
    serde_json::to_writer(
        &mut *out,
        &Envelope {
            schema: SCHEMA,
            summary: s,
        },
    )?;
    out.write_all(b"\n")
}

pub const CSV_HEADER: &str = "input,kind,outcome,rule,title,line,evidence,timestamp,error";

/// A CSV field, quoted when it must be (RFC 4180).
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One CSV row of a scanned input; none for an input that was skipped.
pub fn write_csv_row(out: &mut dyn Write, f: &FileResult) -> io::Result<()> {
    let Verdict::Scanned { report: r, .. } = &f.verdict else {
        return Ok(());
    };
    let rc = r.root_cause.as_ref();
    let first = rc
        .and_then(|rc| rc.evidence.first())
        .map(|e| (e.line.to_string(), e.text.as_str()))
        .or_else(|| {
            r.failure_point
                .as_ref()
                .map(|fp| (fp.line.to_string(), fp.text.as_str()))
        });
    let (line, text) = first.unwrap_or_default();
    let fields = [
        f.input.as_str(),
        r.kind.as_str(),
        if r.error.is_some() && r.lines == 0 {
            "unreadable"
        } else {
            r.outcome.as_str()
        },
        rc.and_then(|rc| rc.rule.as_deref()).unwrap_or(""),
        rc.map_or("", |rc| rc.title.as_str()),
        &line,
        text,
        f.at.as_deref().unwrap_or(""),
        r.error.as_deref().unwrap_or(""),
    ];
    let row: Vec<String> = fields.iter().map(|x| field(x)).collect();
    writeln!(out, "{}", row.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparklines_scale_to_the_maximum() {
        assert_eq!(sparkline(&[0, 1, 2, 4, 8]), " ▂▃▅█");
        assert_eq!(sparkline(&[0, 0]), "  ");
        assert_eq!(sparkline(&[]), "");
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
    }
}
