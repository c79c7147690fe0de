//! `--draft-rules DIR`: one draft signature per cluster of unexplained
//! failures, in the grammars/ language, with the cluster's example line as
//! the example that must match. A person then names it, writes the summary
//! and fix, and checks it with `stacklog rules test DIR`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::cluster;
use super::summary::Cluster;

/// The family a draft belongs to, so it runs on inputs of its kind only.
fn family(kind: &str) -> &'static str {
    match kind {
        "go-build" => "go",
        "worlddump" => "worlddump",
        _ => "devstack",
    }
}

/// A line of a finished, healthy input of the family (from the samples),
/// as the draft's first `no_match` example.
fn healthy_line(family: &str) -> &'static str {
    match family {
        "go" => "ok  \texample.com/app/greet\t0.002s",
        "worlddump" => "Filesystem      Size  Used Avail Use% Mounted on",
        _ => "stack.sh completed in 2574 seconds.",
    }
}

/// The part of an id made from a function or phase name.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    let cut: String = out.chars().take(32).collect();
    let cut = cut.trim_end_matches('-').to_string();
    if cut.is_empty() {
        "failure".into()
    } else {
        cut
    }
}

/// A TOML string: a literal one (`'...'`, no escapes, so regexes stay
/// readable) unless the text holds a quote or a control character, then a
/// basic one with escapes.
fn literal(s: &str) -> String {
    if !s.contains('\'') && !s.chars().any(|c| c.is_control() && c != '\t') {
        return format!("'{s}'");
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The line the draft anchors on: the first evidence line that is not a
/// trace of a command (what a command printed tells more than the command).
fn anchor(c: &Cluster) -> usize {
    c.template
        .iter()
        .position(|t| !t.starts_with('+'))
        .unwrap_or(0)
}

/// The draft signature of one cluster.
pub fn render(c: &Cluster) -> String {
    let fam = family(&c.kind);
    let place = c
        .function
        .as_deref()
        .and_then(|f| f.rsplit(':').find(|p| !p.is_empty()))
        .or(c.phase.as_deref())
        .unwrap_or("failure");
    let id = format!("local.{}.{}-{}", fam, slug(place), c.id);
    let i = anchor(c);
    let template = c.template.get(i).cloned().unwrap_or_default();
    let pattern = cluster::pattern(&template);
    let where_ = match (&c.function, &c.phase) {
        (Some(f), Some(p)) => format!(" in {f} (phase: {p})"),
        (Some(f), None) => format!(" in {f}"),
        (None, Some(p)) => format!(" (phase: {p})"),
        (None, None) => String::new(),
    };
    let mut t = String::new();
    let _ = writeln!(
        t,
        "# Draft from `stacklog scan`: {} unexplained {} failure(s){where_}.",
        c.count, c.kind
    );
    if let (Some(a), Some(b)) = (&c.first_seen, &c.last_seen) {
        let _ = writeln!(t, "# Seen from {} to {}.", a.at, b.at);
    }
    let _ = writeln!(t, "# Example: {} line {}.", c.example.input, c.example.line);
    for (n, tl) in c.template.iter().enumerate() {
        let _ = writeln!(t, "# template line {}: {tl}", n + 1);
    }
    let _ = writeln!(
        t,
        "# Rename the id, tighten the pattern, write the summary and fix, add a\n\
         # no_match example, then run `stacklog rules test` on this file."
    );
    let _ = writeln!(t, "family = {}", literal(fam));
    let _ = writeln!(t);
    let _ = writeln!(t, "[[signature]]");
    let _ = writeln!(t, "id = {}", literal(&id));
    let _ = writeln!(t, "title = {}", literal(&format!("{}{where_}", template)));
    let _ = writeln!(t, "role = 'cause'");
    let _ = writeln!(t, "priority = 50");
    let _ = writeln!(t, "confidence = 0.6");
    let _ = writeln!(t, "any = [{}]", literal(&pattern));
    let _ = writeln!(
        t,
        "summary = {}",
        literal(&format!(
            "The run failed{where_} with a line like: {template}"
        ))
    );
    let fix = match &c.function {
        Some(f) => format!("Run the step that failed in {f} by hand and read its full output."),
        None => "Run the failing step by hand and read its full output.".to_string(),
    };
    let _ = writeln!(t, "fix = [{}]", literal(&fix));
    let _ = writeln!(t);
    let _ = writeln!(t, "[signature.examples]");
    let example = if i == 0 {
        c.example.text.clone()
    } else {
        // the example kept is the cluster's first line; the anchor's own
        // line is not kept, so the template stands in with its masks filled
        fill(&template)
    };
    let _ = writeln!(t, "match = [{}]", literal(&example));
    let _ = writeln!(t, "no_match = [{}]", literal(healthy_line(fam)));
    t
}

/// A line with each placeholder replaced by a value it stands for.
fn fill(template: &str) -> String {
    template
        .replace("<TIME>", "2026-01-01 00:00:00")
        .replace("<UUID>", "00000000-0000-0000-0000-000000000000")
        .replace("<URL>", "http://203.0.113.1/x")
        .replace("<IP>", "203.0.113.1")
        .replace("<PATH>", "/opt/stack/x")
        .replace("<HEX>", "0x1f")
        .replace("<N>", "1")
}

/// Writes one file per cluster into `dir` (created if needed). Returns the
/// files written.
pub fn write_all(dir: &Path, clusters: &[Cluster]) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut written = vec![];
    for (n, c) in clusters.iter().enumerate() {
        let name = format!("{:03}-{}-{}.toml", n + 1, family(&c.kind), c.id);
        let path = dir.join(name);
        std::fs::write(&path, render(c)).map_err(|e| format!("{}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::matched_ids;
    use crate::scan::summary::{Example, Seen};

    fn cluster(lines: &[&str], example: &str) -> Cluster {
        Cluster {
            id: "0a1b2c3d".into(),
            kind: "stack.sh".into(),
            phase: Some("Installing Glance".into()),
            function: Some("inc/python:pip_install".into()),
            template: lines.iter().map(|l| cluster::template(l)).collect(),
            count: 3,
            first_seen: Some(Seen {
                at: "2026-11-01 10:00:00".into(),
                input: "a".into(),
            }),
            last_seen: None,
            example: Example {
                input: "a/stack.sh.log".into(),
                line: 30,
                text: example.into(),
            },
        }
    }

    #[test]
    fn drafts_load_and_their_examples_match() {
        let line = "ls: cannot access '/opt/stack/nonexistent-1234': No such file or directory";
        for c in [
            cluster(&[line], line),
            cluster(
                &[
                    "+ inc/python:pip_install:9 : false install -e /opt/stack/glance",
                    line,
                ],
                "+ inc/python:pip_install:9 : false install -e /opt/stack/glance",
            ),
        ] {
            let text = render(&c);
            let dir = std::env::temp_dir().join(format!(
                "stacklog-draft-{}-{}",
                std::process::id(),
                c.template.len()
            ));
            let files = write_all(&dir, &[c]).unwrap();
            let rules =
                crate::rules::RuleSet::load(&files).unwrap_or_else(|e| panic!("{e}\n{text}"));
            let r = &rules.rules[rules.find(&rules.rules.last().unwrap().id).unwrap()];
            assert!(r.id.starts_with("local.devstack."), "{}", r.id);
            for ex in &r.examples.matching {
                assert!(matched_ids(&rules, ex).contains(&r.id), "{ex}\n{text}");
            }
            for ex in &r.examples.no_match {
                assert!(!matched_ids(&rules, ex).contains(&r.id), "{ex}\n{text}");
            }
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }

    #[test]
    fn slugs_are_id_safe() {
        assert_eq!(slug("inc/python:pip_install"), "inc-python-pip-install");
        assert_eq!(slug("::"), "failure");
    }
}
