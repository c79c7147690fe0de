//! What the benches share: the sample logs of a family.

use std::path::{Path, PathBuf};

/// `samples/FAMILY` in this checkout.
pub fn samples_dir(family: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(family)
}

/// The sample logs (`*.log`) of a family, in name order, each ending with a
/// newline.
pub fn sample_logs(family: &str) -> Vec<(String, Vec<u8>)> {
    let dir = samples_dir(family);
    let mut logs: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "log"))
        .map(|p| {
            let mut bytes =
                std::fs::read(&p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()));
            if !bytes.is_empty() && !bytes.ends_with(b"\n") {
                bytes.push(b'\n');
            }
            (p.file_name().unwrap().to_string_lossy().into_owned(), bytes)
        })
        .filter(|(_, b)| !b.is_empty())
        .collect();
    logs.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!logs.is_empty(), "no sample logs in {}", dir.display());
    logs
}
