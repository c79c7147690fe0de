//! The default report for a person at a terminal: verdict, root cause,
//! evidence with line numbers, the fix, then what was set aside. Colour only
//! when asked for; log text always passes through the terminal sanitiser.

use std::io::{self, Write};

use comfy_table::{ContentArrangement, Table, presets};

use super::{Evidence, Outcome, Report};
use crate::sanitize::for_terminal;

/// Styling switches for the human report.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    pub(crate) fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    pub(crate) fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
}

const MAX_SHOWN: usize = 400;

fn clip(s: &str) -> String {
    let s = for_terminal(s);
    if s.chars().count() <= MAX_SHOWN {
        return s.into_owned();
    }
    let mut t: String = s.chars().take(MAX_SHOWN).collect();
    t.push('…');
    t
}

/// The file name of a companion path (the full path is in the notes).
fn short_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn write_evidence(
    out: &mut dyn Write,
    st: &Style,
    ev: &[Evidence],
    width: usize,
) -> io::Result<()> {
    for e in ev {
        let loc = match &e.file {
            Some(f) => format!("{}:{}", short_name(f), e.line),
            None => e.line.to_string(),
        };
        writeln!(
            out,
            "  {} │ {}",
            st.dim(&format!("{loc:>width$}")),
            clip(&e.text)
        )?;
    }
    Ok(())
}

pub fn write(out: &mut dyn Write, report: &Report, st: &Style) -> io::Result<()> {
    let verdict = match report.outcome {
        Outcome::Failure => st.paint("1;31", "FAILURE"),
        Outcome::Success => st.paint("1;32", "SUCCESS"),
        Outcome::Inconclusive => st.paint("1;33", "INCONCLUSIVE"),
    };
    writeln!(
        out,
        "{}  {verdict}  {}",
        st.bold(&for_terminal(&report.input)),
        st.dim(&format!(
            "({}, {} lines)",
            report.kind.as_str(),
            report.lines
        ))
    )?;
    if let Some(err) = &report.error {
        writeln!(
            out,
            "  {} {}",
            st.paint("1;31", "error:"),
            for_terminal(err)
        )?;
    }
    for note in &report.notes {
        writeln!(out, "  {}", st.dim(&for_terminal(note)))?;
    }
    match report.outcome {
        Outcome::Success => {
            writeln!(out, "  stack.sh finished: no failure found")?;
            return Ok(());
        }
        Outcome::Inconclusive => {
            if report.error.is_none() {
                writeln!(
                    out,
                    "  no failure and no sign of success: the log may be cut short"
                )?;
            }
            return Ok(());
        }
        Outcome::Failure => {}
    }
    let width = report
        .root_cause
        .iter()
        .flat_map(|r| r.evidence.iter())
        .chain(report.findings.iter().flat_map(|f| f.evidence.iter()))
        .map(|e| {
            e.line.to_string().len() + e.file.as_deref().map_or(0, |f| short_name(f).len() + 1)
        })
        .max()
        .unwrap_or(1);
    if let Some(rc) = &report.root_cause {
        writeln!(out)?;
        let id = match &rc.rule {
            Some(id) => st.paint("36", id),
            None => st.paint("33", "no known signature"),
        };
        writeln!(
            out,
            "{}  {}",
            st.bold("Root cause"),
            st.bold(&for_terminal(&rc.title))
        )?;
        writeln!(
            out,
            "            {id}  {}",
            st.dim(&format!("confidence {:.2}", rc.confidence))
        )?;
        writeln!(out, "            {}", for_terminal(&rc.summary))?;
    }
    if let Some(fp) = &report.failure_point {
        writeln!(out)?;
        let what = fp.command.as_deref().unwrap_or(&fp.text);
        // a worlddump shows the host's state, not a failing step
        let label = if report.kind == super::Kind::Worlddump {
            "Seen at  "
        } else {
            "Failed at"
        };
        writeln!(out, "{}   line {}: {}", st.bold(label), fp.line, clip(what))?;
        if let Some(src) = &fp.source {
            writeln!(out, "            {}", st.dim(&for_terminal(src)))?;
        }
    }
    if let Some(phase) = &report.phase {
        writeln!(out, "{}       {}", st.bold("Phase"), for_terminal(phase))?;
    }
    if let Some(rc) = &report.root_cause {
        if !rc.evidence.is_empty() {
            writeln!(out)?;
            writeln!(out, "{}", st.bold("Evidence"))?;
            write_evidence(out, st, &rc.evidence, width)?;
        }
        if !rc.fix.is_empty() {
            writeln!(out)?;
            writeln!(out, "{}", st.bold("Fix"))?;
            for (i, f) in rc.fix.iter().enumerate() {
                writeln!(out, "  {}. {}", i + 1, for_terminal(f))?;
            }
        }
    }
    if !report.facts.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", st.bold("Facts"))?;
        for f in &report.facts {
            writeln!(
                out,
                "  {:<12} {}  {}",
                f.name,
                for_terminal(&f.value),
                st.dim(&format!("(line {})", f.line))
            )?;
        }
    }
    if !report.findings.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", st.bold("Also found"))?;
        let mut t = Table::new();
        t.load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(120)
            .set_header(vec!["line", "role", "signature", "text"]);
        for f in &report.findings {
            let first = f.evidence.first();
            t.add_row(vec![
                first.map(|e| e.line.to_string()).unwrap_or_default(),
                format!("{}\n{}", f.role.as_str(), f.why),
                format!("{}\n{}", f.rule, f.title),
                first.map(|e| clip(&e.text)).unwrap_or_default(),
            ]);
        }
        writeln!(out, "{t}")?;
    }
    Ok(())
}
