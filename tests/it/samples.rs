//! Every sample: its expected verdict (samples/expected.tsv) and snapshots
//! of the human and JSON reports.

use crate::{root, run};

/// `samples/expected.tsv` and every `samples/*/expected.tsv`: file,
/// outcome, rule.
fn rows() -> Vec<(String, String, String)> {
    let mut tables = vec![root().join("samples/expected.tsv")];
    let mut dirs: Vec<_> = std::fs::read_dir(root().join("samples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    tables.extend(
        dirs.into_iter()
            .map(|d| d.join("expected.tsv"))
            .filter(|p| p.is_file()),
    );
    let mut out = vec![];
    for t in tables {
        let text = std::fs::read_to_string(t).unwrap();
        out.extend(
            text.lines()
                .skip(1)
                .filter(|l| !l.trim().is_empty())
                .map(|l| {
                    let c: Vec<&str> = l.split('\t').collect();
                    (c[0].to_string(), c[1].to_string(), c[2].to_string())
                }),
        );
    }
    out
}

/// Sample files under `dir` (relative to samples/), recursively.
fn files_under(dir: &str) -> Vec<String> {
    let mut out = vec![];
    let mut todo = vec![root().join("samples").join(dir)];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
                continue;
            }
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if name == "expected.tsv" || name.ends_with(".md") {
                continue;
            }
            out.push(
                p.strip_prefix(root().join("samples"))
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
    out
}

#[test]
fn every_sample_has_its_expected_verdict() {
    let mut wrong = vec![];
    for (file, outcome, rule) in rows() {
        let v = crate::verdict(&file);
        let got_rule = v["root_cause"]["rule"].as_str().unwrap_or("-").to_string();
        let got_outcome = v["outcome"].as_str().unwrap().to_string();
        let want_rule = if outcome == "failure" {
            rule.clone()
        } else {
            "-".into()
        };
        if got_outcome != outcome || got_rule != want_rule {
            wrong.push(format!(
                "{file}: want {outcome}/{want_rule}, got {got_outcome}/{got_rule}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_sample_file_is_listed() {
    let listed: Vec<String> = rows().into_iter().map(|r| r.0).collect();
    for dir in ["devstack", "worlddump", "go"] {
        for name in files_under(dir) {
            // a pair's worlddump is read through its stack.sh log
            let companion = name.contains("/pairs/") && name.contains("worlddump-");
            assert!(
                companion || listed.contains(&name),
                "{name} has no row in an expected.tsv"
            );
        }
    }
}

#[test]
fn snapshots() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root().join("tests/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for (file, _, _) in rows() {
            let path = format!("samples/{file}");
            let name = file.replace('/', "__");
            let (_, human) = run(&["diagnose", "--color", "never", &path]);
            insta::assert_snapshot!(format!("{name}.human"), human);
            let (_, json) = run(&["diagnose", "--format", "json", &path]);
            let v: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
            insta::assert_snapshot!(
                format!("{name}.json"),
                serde_json::to_string_pretty(&v).unwrap()
            );
        }
    });
}
