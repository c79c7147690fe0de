//! The one integration-test binary: drives the real `stacklog` binary with
//! a cleared environment, plus library-level property tests.

mod cli;
mod contracts;
mod corpus;
mod props;
mod samples;
mod scan;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn sample(name: &str) -> PathBuf {
    root().join("samples").join(name)
}

/// The binary, run from the project root with an empty environment.
pub fn stacklog() -> Command {
    let mut cmd = Command::cargo_bin("stacklog").unwrap();
    cmd.env_clear().current_dir(root());
    cmd
}

/// Output of a successful-or-failing run (exit 0 or 1), as text.
pub fn run(args: &[&str]) -> (i32, String) {
    let out = stacklog().args(args).output().unwrap();
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1,
        "stacklog {args:?} exited {code}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, String::from_utf8(out.stdout).unwrap())
}

/// The JSON verdict for one sample.
pub fn verdict(rel: &str) -> serde_json::Value {
    let (_, out) = run(&["diagnose", "--format", "json", &format!("samples/{rel}")]);
    serde_json::from_str(out.trim()).unwrap()
}
