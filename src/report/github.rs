//! `--format github`: GitHub Actions workflow commands, one `::error` for
//! the root cause and `::notice` lines for what was set aside. Log text is
//! escaped so it cannot inject workflow commands of its own.

use std::io::{self, Write};

use super::{Outcome, Report};

/// Escapes a message (data part of a workflow command).
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (`file=`, `title=`).
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn write(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let file = property(&report.input);
    if let Some(err) = &report.error {
        writeln!(
            out,
            "::error file={file},title={}::{}",
            property("stacklog: unreadable input"),
            data(err)
        )?;
    }
    if report.outcome != Outcome::Failure {
        return Ok(());
    }
    if let Some(rc) = &report.root_cause {
        let line = rc
            .evidence
            .iter()
            .find(|e| e.file.is_none())
            .map(|e| e.line)
            .or(report.failure_point.as_ref().map(|f| f.line))
            .unwrap_or(1);
        let id = rc.rule.as_deref().unwrap_or("no known signature");
        let mut msg = format!("{}\n", rc.summary);
        for e in &rc.evidence {
            msg.push_str(&format!("  {}: {}\n", e.line, e.text));
        }
        for (i, f) in rc.fix.iter().enumerate() {
            msg.push_str(&format!("fix {}: {}\n", i + 1, f));
        }
        let title = format!("{} ({id})", rc.title);
        writeln!(
            out,
            "::error file={file},line={line},title={}::{}",
            property(&title),
            data(msg.trim_end())
        )?;
    }
    for f in &report.findings {
        if let Some(e) = f.evidence.first() {
            let title = format!("{}: {} ({})", f.role.as_str(), f.title, f.rule);
            writeln!(
                out,
                "::notice file={file},line={},title={}::{}",
                e.line,
                property(&title),
                data(&e.text)
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_text_cannot_inject_commands() {
        assert_eq!(
            data("a\n::set-output name=x::y"),
            "a%0A::set-output name=x::y"
        );
        assert_eq!(property("a,b:c%"), "a%2Cb%3Ac%25");
    }
}
