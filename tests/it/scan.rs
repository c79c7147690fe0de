//! `stacklog scan` and `stacklog merge` over a generated tree: nested
//! directories, gzip, a corrupt gzip, an empty file, a binary file, a
//! symbolic link loop, a non-log text file, a log with its worlddump, and
//! unexplained failures that differ only in ids (or in a word).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::{sample, stacklog};

/// A scratch directory removed on drop.
struct Tree(PathBuf);

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// 2026-11-02 00:00:00 UTC, the mtime of every file of the tree.
fn fixed_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_793_577_600)
}

fn put(root: &Path, rel: &str, bytes: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, bytes).unwrap();
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

fn read(name: &str) -> String {
    std::fs::read_to_string(sample(name)).unwrap()
}

/// The unexplained failure of `new-unknown-failure.log` with its values
/// changed: other timestamps and numbers (same cluster), or another word
/// (another cluster).
fn unknown_variant(day: &str, numbers: &str, word: &str) -> String {
    read("devstack/new-unknown-failure.log")
        .replace("2026-11-29 ", &format!("{day} "))
        .replace("(3 != 4)", numbers)
        .replace("widget count mismatch", &format!("widget count {word}"))
}

/// Sets every file's mtime (links excluded) so dates do not depend on when
/// the test runs.
fn fix_times(dir: &Path) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let ft = e.file_type().unwrap();
        if ft.is_dir() {
            fix_times(&e.path());
        } else if ft.is_file() {
            let f = std::fs::File::options().write(true).open(e.path()).unwrap();
            f.set_modified(fixed_time()).unwrap();
        }
    }
}

fn tree(tag: &str) -> Tree {
    let root = std::env::temp_dir().join(format!("stacklog-scan-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let r = &root;
    // stack.sh logs: an unexplained failure three times (two differ only in
    // ids, one in a word), known causes, a success; one gzip
    put(
        r,
        "jobs/a/job-1/stack.sh.log",
        read("devstack/new-unknown-failure.log").as_bytes(),
    );
    put(
        r,
        "jobs/a/job-2/stack.sh.log.gz",
        &gzip(unknown_variant("2026-11-12", "(17 != 120)", "mismatch").as_bytes()),
    );
    put(
        r,
        "jobs/a/job-3/stack.sh.log",
        unknown_variant("2026-11-20", "(3 != 4)", "drifted").as_bytes(),
    );
    put(
        r,
        "jobs/b/job-5/console.log",
        read("devstack/console-already-running.log").as_bytes(),
    );
    put(
        r,
        "jobs/b/job-6/stack.sh.log",
        read("devstack/seed-problem4-mysql-1045.log").as_bytes(),
    );
    put(
        r,
        "jobs/b/job-7/stack.sh.log",
        read("devstack/new-success.stack.sh.log").as_bytes(),
    );
    // a log and the worlddump it names
    put(
        r,
        "jobs/c/job-4/stack.sh.log",
        read("worlddump/pairs/mysql-2003/stack.sh.log").as_bytes(),
    );
    put(
        r,
        "jobs/c/job-4/worlddump-2026-11-29-203357.txt",
        read("worlddump/pairs/mysql-2003/worlddump-2026-11-29-203357.txt").as_bytes(),
    );
    // Go builds
    put(
        r,
        "go/build-1.log",
        read("go/11-gopath-two-packages-one-dir.log").as_bytes(),
    );
    put(
        r,
        "go/build-2.log.gz",
        &gzip(read("go/12-gopath-import-alias.log").as_bytes()),
    );
    // what a log archive also holds
    put(r, "misc/empty.log", b"");
    put(r, "misc/blob.bin", b"\x7fELF\x02\x01\x01\x00\x00\x00binary");
    put(
        r,
        "misc/notes.txt",
        b"Remember to rotate the job logs.\nNothing else.\n",
    );
    let broken = gzip(read("devstack/seed-problem4-mysql-1045.log").as_bytes());
    put(r, "misc/broken.log.gz", &broken[..broken.len() / 2]);
    fix_times(r);
    #[cfg(unix)]
    std::os::unix::fs::symlink("..", r.join("misc/loop")).unwrap();
    Tree(root)
}

/// Runs `stacklog` in `dir`; returns the exit code and stdout.
fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = stacklog().current_dir(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn summary_of(json_lines: &str) -> Value {
    let last = json_lines.lines().last().unwrap();
    let v: Value = serde_json::from_str(last).unwrap();
    assert_eq!(v["schema"], 1);
    v["summary"].clone()
}

#[test]
fn counts_of_a_mixed_tree() {
    let t = tree("counts");
    let (code, out, err) = run_in(&t.0, &["scan", "-q", "--format", "json", "-j", "2", "."]);
    assert_eq!(code, 2, "a corrupt gzip makes the exit code 2: {err}");
    let lines: Vec<&str> = out.lines().collect();
    // one object per input read or unreadable (skipped ones are only in the
    // summary), then the summary
    let s = summary_of(&out);
    let per_file = lines.len() - 1;
    assert_eq!(per_file, 13, "{out}");
    for l in &lines[..per_file] {
        let v: Value = serde_json::from_str(l).unwrap();
        assert_eq!(
            v.as_object().unwrap().len(),
            8,
            "diagnose's object, exactly: {l}"
        );
    }
    // the worlddump comes last: it waits for its log
    assert!(lines[per_file - 1].contains("worlddump-2026-11-29-203357.txt"));
    assert_eq!(s["files"], 15);
    assert_eq!(s["kinds"]["stack.sh"]["failure"], 6 + 1, "{s}"); // the corrupt gzip's part
    assert_eq!(s["kinds"]["stack.sh"]["success"], 1);
    assert_eq!(s["kinds"]["go-build"]["failure"], 1);
    assert_eq!(s["kinds"]["go-build"]["success"], 1);
    assert_eq!(s["kinds"]["worlddump"]["failure"], 1);
    assert_eq!(s["kinds"]["unknown"]["inconclusive"], 2);
    assert_eq!(s["companions"], 1);
    assert_eq!(s["failures"], 8);
    assert_eq!(s["explained"], 5);
    assert_eq!(s["classification_rate"], 0.625);
    let causes: Vec<(&str, u64)> = s["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["rule"].as_str().unwrap(), c["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        causes,
        [
            ("devstack.mysql.access-denied", 2),
            ("devstack.stack.already-running", 1),
            ("go.package.multiple", 1),
            ("worlddump.mysql.not-running", 1),
        ]
    );
    let unreadable = s["unreadable"].as_array().unwrap();
    assert_eq!(unreadable.len(), 1);
    assert_eq!(unreadable[0]["input"], "./misc/broken.log.gz");
    assert!(
        unreadable[0]["reason"].as_str().unwrap().contains("gzip"),
        "{s}"
    );
    let skipped: Vec<(&str, &str)> = s["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["input"].as_str().unwrap(), p["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(skipped[0].0.ends_with("blob.bin") && skipped[0].1.starts_with("binary file"));
    assert!(skipped[1].0.ends_with("loop") && skipped[1].1.contains("not followed"));
}

#[test]
fn ids_differ_same_cluster_words_differ_other_cluster() {
    let t = tree("clusters");
    let (_, out, _) = run_in(&t.0, &["scan", "-q", "--format", "json", "jobs/a"]);
    let s = summary_of(&out);
    let clusters = s["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), 2, "{s}");
    assert_eq!(clusters[0]["count"], 2);
    assert_eq!(
        clusters[0]["template"][0],
        "check-foo: widget count mismatch (<N> != <N>)"
    );
    assert_eq!(clusters[0]["example"]["input"], "jobs/a/job-1/stack.sh.log");
    assert_eq!(clusters[0]["function"], "./stack.sh:main");
    assert_eq!(
        clusters[0]["first_seen"]["input"],
        "jobs/a/job-2/stack.sh.log.gz"
    );
    assert_eq!(clusters[0]["first_seen"]["at"], "2026-11-12 18:00:05");
    assert_eq!(
        clusters[0]["last_seen"]["input"],
        "jobs/a/job-1/stack.sh.log"
    );
    assert_eq!(clusters[1]["count"], 1);
    assert!(
        clusters[1]["template"]
            .as_array()
            .unwrap()
            .contains(&Value::from("check-foo: widget count drifted (<N> != <N>)")),
        "{s}"
    );
}

#[test]
fn same_output_for_any_thread_count() {
    let t = tree("threads");
    for format in ["json", "csv", "human"] {
        let (_, one, _) = run_in(
            &t.0,
            &[
                "scan", "-q", "--color", "never", "--format", format, "-j", "1", ".",
            ],
        );
        let (_, four, _) = run_in(
            &t.0,
            &[
                "scan", "-q", "--color", "never", "--format", format, "-j", "4", ".",
            ],
        );
        assert_eq!(one, four, "--format {format}");
    }
}

#[test]
fn csv_has_a_row_per_input_read() {
    let t = tree("csv");
    let (_, out, _) = run_in(&t.0, &["scan", "-q", "--format", "csv", "jobs/b", "misc"]);
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(
        rows[0],
        "input,kind,outcome,rule,title,line,evidence,timestamp,error"
    );
    assert_eq!(rows.len(), 1 + 3 + 3, "{out}");
    let mysql = rows
        .iter()
        .find(|r| r.starts_with("jobs/b/job-6/"))
        .unwrap();
    assert!(
        mysql.starts_with(
            "jobs/b/job-6/stack.sh.log,stack.sh,failure,devstack.mysql.access-denied,"
        ),
        "{mysql}"
    );
    assert!(mysql.contains("ERROR 1045 (28000)"), "{mysql}");
    let broken = rows.iter().find(|r| r.contains("broken.log.gz")).unwrap();
    assert!(
        broken.contains(",failure,") && broken.contains("gzip"),
        "read in part: {broken}"
    );
    let empty = rows.iter().find(|r| r.contains("empty.log")).unwrap();
    assert_eq!(
        *empty,
        "misc/empty.log,unknown,inconclusive,,,,,2026-11-02 00:00:00,"
    );
}

#[test]
fn merged_shards_equal_the_whole() {
    let t = tree("merge");
    let (_, whole, _) = run_in(
        &t.0,
        &["scan", "-q", "--format", "json", "jobs", "go", "misc"],
    );
    let (_, a, _) = run_in(&t.0, &["scan", "-q", "--format", "json", "jobs/a", "go"]);
    let list = t.0.join("shard-b.txt");
    std::fs::write(&list, "jobs/b\njobs/c\n\nmisc\n").unwrap();
    let (_, b, _) = run_in(
        &t.0,
        &[
            "scan",
            "-q",
            "--format",
            "json",
            "--files-from",
            "shard-b.txt",
        ],
    );
    std::fs::write(t.0.join("a.jsonl"), &a).unwrap();
    std::fs::write(t.0.join("b.jsonl"), &b).unwrap();
    let (code, merged, err) = run_in(&t.0, &["merge", "a.jsonl", "b.jsonl"]);
    assert_eq!(
        code, 2,
        "the merged summary still has an unreadable input: {err}"
    );
    let merged: Value = serde_json::from_str(merged.trim()).unwrap();
    assert_eq!(merged["summary"], summary_of(&whole));
    // stdin works too, and the order of the shards does not matter
    let out = stacklog()
        .current_dir(&t.0)
        .args(["merge", "-"])
        .write_stdin(format!("{b}{a}"))
        .output()
        .unwrap();
    let again: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(again, merged);
}

#[test]
fn merge_refuses_what_is_not_a_summary() {
    let t = tree("merge-bad");
    let (code, _, err) = run_in(&t.0, &["merge", "misc/notes.txt"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("misc/notes.txt") && err.contains("no scan summary"),
        "{err}"
    );
    let (_, day, _) = run_in(
        &t.0,
        &["scan", "-q", "--format", "json", "--by", "day", "go"],
    );
    let (_, week, _) = run_in(&t.0, &["scan", "-q", "--format", "json", "go"]);
    std::fs::write(t.0.join("d.jsonl"), day).unwrap();
    std::fs::write(t.0.join("w.jsonl"), week).unwrap();
    let (code, _, err) = run_in(&t.0, &["merge", "d.jsonl", "w.jsonl"]);
    assert_eq!(code, 2);
    assert!(err.contains("--by"), "{err}");
}

#[test]
fn dates_select_runs() {
    let t = tree("dates");
    let (_, out, _) = run_in(
        &t.0,
        &[
            "scan",
            "-q",
            "--format",
            "json",
            "--since",
            "2026-11-10",
            "--until",
            "2026-11-25",
            "jobs/a",
        ],
    );
    let s = summary_of(&out);
    assert_eq!(s["outside_dates"], 1, "{s}");
    assert_eq!(s["failures"], 2);
    let (code, _, err) = run_in(&t.0, &["scan", "--since", "yesterday", "."]);
    assert_eq!(code, 2);
    assert!(err.contains("yesterday"), "{err}");
}

#[test]
fn filters_and_links() {
    let t = tree("filters");
    let (_, out, _) = run_in(
        &t.0,
        &[
            "scan",
            "-q",
            "--format",
            "csv",
            "--include",
            "*.log",
            "--exclude",
            "jobs/b",
            ".",
        ],
    );
    let inputs: Vec<&str> = out
        .lines()
        .skip(1)
        .map(|r| r.split(',').next().unwrap())
        .collect();
    assert_eq!(
        inputs,
        [
            "./go/build-1.log",
            "./jobs/a/job-1/stack.sh.log",
            "./jobs/a/job-3/stack.sh.log",
            "./jobs/c/job-4/stack.sh.log",
            "./misc/empty.log",
        ]
    );
    // following links meets the loop: reported, never a hang
    let (code, out, _) = run_in(&t.0, &["scan", "-q", "--format", "json", "-L", "misc"]);
    assert_eq!(code, 2);
    let s = summary_of(&out);
    assert!(
        s["unreadable"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["reason"].as_str().unwrap().contains("loop")),
        "{s}"
    );
}

#[test]
fn drafts_pass_the_rule_self_test() {
    let t = tree("drafts");
    let (_, _, err) = run_in(&t.0, &["scan", "-q", "--draft-rules", "drafts", "jobs/a"]);
    assert!(err.contains("2 draft signature(s) written"), "{err}");
    let (code, out, _) = run_in(&t.0, &["rules", "test", "drafts"]);
    assert_eq!(code, 0, "{out}");
    // and a scan with them explains what was unexplained
    let (_, out, _) = run_in(
        &t.0,
        &[
            "scan", "-q", "--format", "json", "--rules", "drafts", "jobs/a",
        ],
    );
    assert_eq!(summary_of(&out)["explained"], 3);
}

#[test]
fn human_report() {
    let t = tree("human");
    let (code, out, _) = run_in(
        &t.0,
        &["scan", "-q", "--color", "never", "--by", "day", "."],
    );
    assert_eq!(code, 2);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(crate::root().join("tests/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!("scan.human", out));
}

#[test]
fn nothing_to_scan_is_a_usage_error() {
    let (code, _, err) = run_in(&std::env::temp_dir(), &["scan"]);
    assert_eq!(code, 2);
    assert!(err.contains("nothing to scan"), "{err}");
}
