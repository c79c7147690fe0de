//! Finds the inputs of a scan: the paths given (files, directories walked
//! recursively in name order, or lists of paths from `--files-from`), with
//! the include/exclude globs applied and symbolic links met during the walk
//! left alone unless asked for. Every entry met comes out, either as a file
//! to scan or as a problem with its reason, so nothing is dropped silently.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::glob::Filter;

/// One entry of the walk.
#[derive(Debug, Clone)]
pub enum Entry {
    /// A file to scan, with its size on disk.
    File(PathBuf, u64),
    /// An entry not scanned on purpose.
    Skipped(PathBuf, String),
    /// An entry that could not be read.
    Broken(PathBuf, String),
}

/// How the walk goes.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    pub filter: Filter,
    /// Follow symbolic links met during the walk.
    pub follow: bool,
}

/// Reads `--files-from`: one path per line, blank lines ignored.
pub fn read_list(name: &str, reader: impl BufRead) -> Result<Vec<PathBuf>, String> {
    let mut out = vec![];
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| format!("{name}: line {}: {e}", i + 1))?;
        let line = line.trim_end_matches('\r');
        if !line.trim().is_empty() {
            out.push(PathBuf::from(line));
        }
    }
    Ok(out)
}

/// The path below `root`, `/`-separated, for the globs.
fn relative(root: &Path, p: &Path) -> String {
    let rel = p.strip_prefix(root).unwrap_or(p);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Every entry below the given paths, in order: the paths as given, each
/// directory's entries sorted by name.
pub fn entries<'a>(
    paths: &'a [PathBuf],
    opts: &'a WalkOptions,
) -> impl Iterator<Item = Entry> + 'a {
    paths.iter().flat_map(move |root| one_root(root, opts))
}

fn one_root<'a>(root: &'a Path, opts: &'a WalkOptions) -> Box<dyn Iterator<Item = Entry> + 'a> {
    let meta = match std::fs::metadata(root) {
        Ok(m) => m,
        Err(e) => {
            let why = if e.kind() == std::io::ErrorKind::NotFound {
                "no such file or directory".to_string()
            } else {
                e.to_string()
            };
            return Box::new(std::iter::once(Entry::Broken(root.to_path_buf(), why)));
        }
    };
    if !meta.is_dir() {
        // a path given by name is scanned whatever the globs say
        return Box::new(std::iter::once(Entry::File(root.to_path_buf(), meta.len())));
    }
    let walk = WalkDir::new(root)
        .follow_links(opts.follow)
        .sort_by_file_name()
        .min_depth(1)
        .into_iter()
        .filter_entry(move |e| {
            !e.file_type().is_dir() || opts.filter.enters(&relative(root, e.path()))
        });
    Box::new(walk.filter_map(move |item| match item {
        Ok(e) => {
            let ft = e.file_type();
            let rel = relative(root, e.path());
            if ft.is_dir() {
                None
            } else if ft.is_symlink() {
                // only met when links are not followed
                opts.filter.takes(&rel).then(|| {
                    Entry::Skipped(
                        e.into_path(),
                        "symbolic link, not followed (use --follow)".into(),
                    )
                })
            } else if !opts.filter.takes(&rel) {
                None
            } else if ft.is_file() {
                let len = e.metadata().map(|m| m.len()).unwrap_or(0);
                Some(Entry::File(e.into_path(), len))
            } else {
                Some(Entry::Skipped(
                    e.into_path(),
                    "not a regular file (FIFO, socket or device)".into(),
                ))
            }
        }
        Err(err) => {
            let path = err
                .path()
                .map_or_else(|| root.to_path_buf(), Path::to_path_buf);
            let why = if let Some(anc) = err.loop_ancestor() {
                format!("symbolic link loop (back to {})", anc.display())
            } else if let Some(io) = err.io_error() {
                io.to_string()
            } else {
                err.to_string()
            };
            Some(Entry::Broken(path, why))
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_skips_blank_lines() {
        let l = read_list("list", &b"a.log\n\n  \nb dir/c.log\r\n"[..]).unwrap();
        assert_eq!(l, [PathBuf::from("a.log"), PathBuf::from("b dir/c.log")]);
    }

    #[test]
    fn missing_root_is_broken_not_dropped() {
        let paths = vec![PathBuf::from("/nonexistent/stacklog/xyz")];
        let opts = WalkOptions::default();
        let got: Vec<Entry> = entries(&paths, &opts).collect();
        assert!(matches!(&got[..], [Entry::Broken(_, why)] if why.contains("no such")));
    }
}
