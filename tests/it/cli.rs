//! Command-line behaviour: exit codes, inputs, formats, bad input.

use std::io::Write;

use crate::{run, sample, stacklog};

#[test]
fn exit_codes_follow_the_design() {
    assert_eq!(
        run(&["diagnose", "samples/devstack/sim-new-success.tail.log"]).0,
        0
    );
    assert_eq!(
        run(&["diagnose", "samples/devstack/seed-problem4-mysql-1045.log"]).0,
        1
    );
    let out = stacklog()
        .args(["diagnose", "no/such/file.log"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no/such/file.log"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(
        stacklog()
            .args(["diagnose", "--format", "yaml", "x"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn one_unreadable_input_does_not_hide_the_others() {
    let out = stacklog()
        .args([
            "diagnose",
            "--format",
            "json",
            "missing.log",
            "samples/devstack/seed-problem4-mysql-1045.log",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0]["error"].as_str().unwrap().contains("missing.log"));
    assert_eq!(
        lines[1]["root_cause"]["rule"],
        "devstack.mysql.access-denied"
    );
}

#[test]
fn a_directory_is_a_clear_error() {
    let out = stacklog().args(["diagnose", "samples"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("samples: is a directory"));
}

#[test]
fn stdin_streams() {
    let text = std::fs::read(sample("devstack/seed-problem4-mysql-1045.log")).unwrap();
    let out = stacklog()
        .args(["diagnose", "--format", "json", "-"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["input"], "-");
    assert_eq!(v["root_cause"]["rule"], "devstack.mysql.access-denied");
}

#[test]
fn gzip_is_recognised_by_magic_bytes() {
    let dir = tempdir("gz");
    let text = std::fs::read(sample("devstack/seed-problem1-git-protocol.log")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&text).unwrap();
    let bytes = gz.finish().unwrap();
    let p = dir.join("stack.sh.log");
    std::fs::write(&p, &bytes).unwrap();
    let (_, out) = run(&["diagnose", "--format", "json", p.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["root_cause"]["rule"], "devstack.git.protocol-blocked");
    // truncated gzip: named, exit 2, no panic
    std::fs::write(&p, &bytes[..bytes.len() - 20]).unwrap();
    let out = stacklog()
        .args(["diagnose", "--format", "json", p.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("gzip"));
}

#[test]
fn empty_and_binary_inputs_are_inconclusive() {
    let dir = tempdir("bin");
    let empty = dir.join("empty.log");
    std::fs::write(&empty, b"").unwrap();
    let bin = dir.join("bin.log");
    std::fs::write(&bin, (0..=255u8).cycle().take(5000).collect::<Vec<_>>()).unwrap();
    for p in [empty, bin] {
        let (code, out) = run(&["diagnose", "--format", "json", p.to_str().unwrap()]);
        assert_eq!(code, 0);
        let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(v["outcome"], "inconclusive");
    }
    let (_, human) = run(&["diagnose", dir.join("bin.log").to_str().unwrap()]);
    assert!(
        human.contains("binary file (a NUL byte at offset 0)"),
        "{human}"
    );
}

#[test]
fn no_colour_when_piped_and_escapes_are_neutralised() {
    let dir = tempdir("esc");
    let p = dir.join("evil.log");
    std::fs::write(&p, "ERROR 1045 (28000): Access denied for user 'root'@'localhost' (using password: YES)\x1b]0;owned\x07\n").unwrap();
    let (_, out) = run(&["diagnose", p.to_str().unwrap()]);
    assert!(!out.contains('\x1b'), "{out:?}");
    assert!(!out.contains('\x07'), "{out:?}");
    let out = stacklog()
        .args(["diagnose", "--color", "always", p.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("\x1b[1;31mFAILURE"));
}

#[test]
fn parse_prints_json_lines_and_facts() {
    let (code, out) = run(&["parse", "samples/devstack/seed-problem1-git-protocol.log"]);
    assert_eq!(code, 0);
    let events: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events[0]["kind"], "xtrace");
    assert_eq!(events[0]["line"], 1);
    assert_eq!(events[0]["func"], "git_timed");
    assert!(events.iter().any(|e| e["kind"] == "call_trace"));
    assert!(
        events
            .iter()
            .any(|e| e["kind"] == "frame" && e["func"] == "die")
    );
    assert!(events.iter().any(|e| e["kind"] == "subunit_missing"));
    let last = events.last().unwrap();
    assert_eq!(last["kind"], "facts");
    assert_eq!(
        last["facts"]["clone_url"]["value"],
        "git://git.openstack.org/openstack/requirements.git"
    );
}

#[test]
fn rules_commands() {
    let (code, out) = run(&["rules", "list"]);
    assert_eq!(code, 0);
    assert!(out.contains("devstack.proxy.host-not-excluded"));
    let (code, out) = run(&["rules", "show", "devstack.mysql.access-denied"]);
    assert_eq!(code, 0);
    assert!(out.contains("ERROR 1045"));
    assert_eq!(
        stacklog()
            .args(["rules", "show", "no.such.rule"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
    let (code, out) = run(&["rules", "test"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(" 0 failed"), "{out}");
}

#[test]
fn user_rules_extend_and_are_tested() {
    let dir = tempdir("rules");
    let p = dir.join("mine.toml");
    std::fs::write(
        &p,
        r#"
[[signature]]
id = "local.widget.mismatch"
title = "Widget count mismatch"
priority = 70
any = ['check-foo: widget count mismatch \((?P<have>\d+) != (?P<want>\d+)\)']
summary = "{have} widgets where {want} are needed"
fix = ["Add {want} widgets"]
[signature.examples]
match = ["check-foo: widget count mismatch (3 != 4)"]
no_match = ["check-foo: widget count ok"]
"#,
    )
    .unwrap();
    let (code, out) = run(&["rules", "test", p.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    let log = dir.join("x.log");
    std::fs::write(&log, "+ ./stack.sh:main:12                       :   ./check-foo\ncheck-foo: widget count mismatch (3 != 4)\n++ ./stack.sh:main:12                       :   err_trap\n").unwrap();
    let (_, out) = run(&[
        "diagnose",
        "--format",
        "json",
        "--rules",
        p.to_str().unwrap(),
        log.to_str().unwrap(),
    ]);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["root_cause"]["rule"], "local.widget.mismatch");
    assert_eq!(v["root_cause"]["fix"][0], "Add 4 widgets");
    // a broken rule file names the file and line
    std::fs::write(
        &p,
        "[[signature]]\nid = \"a.b\"\ntitle = \"t\"\nany = ['(']\nsummary = \"s\"\nfix = [\"f\"]\n",
    )
    .unwrap();
    let out = stacklog()
        .args(["rules", "test", p.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("mine.toml:1"));
}

pub fn tempdir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("stacklog-it-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn github_annotations_escape_log_text() {
    let dir = tempdir("gh");
    let p = dir.join("inject.log");
    std::fs::write(&p, "ERROR 1045 (28000): Access denied for user 'root'@'localhost' (using password: YES) %0A::add-mask::x\n").unwrap();
    let (code, out) = run(&["diagnose", "--format", "github", p.to_str().unwrap()]);
    assert_eq!(code, 1);
    let first = out.lines().next().unwrap();
    assert!(first.starts_with("::error file="), "{first}");
    assert!(first.contains("%250A::add-mask::x"), "{first}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("::")).count(),
        out.lines().count()
    );
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::process::Stdio;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("stacklog"))
        .args([
            "parse",
            "samples/devstack/long-proxy-keystone-unreachable.log",
        ])
        .current_dir(crate::root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // read one line, then close our end of the pipe
    let mut first = [0u8; 64];
    use std::io::Read;
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn symlink_loops_and_fifos() {
    let dir = tempdir("links");
    let a = dir.join("a.log");
    let b = dir.join("b.log");
    let _ = std::fs::remove_file(&a);
    let _ = std::fs::remove_file(&b);
    std::os::unix::fs::symlink(&b, &a).unwrap();
    std::os::unix::fs::symlink(&a, &b).unwrap();
    let out = stacklog()
        .args(["diagnose", a.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("a.log"));
    // a FIFO is streamed, not mapped
    let fifo = dir.join("pipe.log");
    let _ = std::fs::remove_file(&fifo);
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            std::fs::write(&fifo, "ERROR 1045 (28000): Access denied for user 'root'@'localhost' (using password: YES)\n").unwrap();
        })
    };
    let (code, out) = run(&["diagnose", "--format", "json", fifo.to_str().unwrap()]);
    writer.join().unwrap();
    assert_eq!(code, 1);
    assert!(out.contains("devstack.mysql.access-denied"));
}
