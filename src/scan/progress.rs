//! The progress line of a scan on a terminal: files done, bytes, throughput
//! and, once a background count of the inputs has finished, the ETA.
//! Redrawn in place on stderr a few times a second; erased at the end.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::walk::{self, Entry, WalkOptions};

/// Shared counters, updated by the scan and read by the drawing thread.
#[derive(Debug, Default)]
pub struct Counters {
    files: AtomicU64,
    bytes: AtomicU64,
    total_files: AtomicU64,
    total_bytes: AtomicU64,
    counted: AtomicBool,
}

impl Counters {
    pub fn file_done(&self, bytes: u64) {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }
}

/// A running progress display; [`Progress::finish`] erases it.
pub struct Progress {
    counters: Arc<Counters>,
    stop: Arc<AtomicBool>,
    drawer: Option<JoinHandle<()>>,
}

/// `1.5 GB`, `820 MB`, `12 kB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

fn clock(d: Duration) -> String {
    let s = d.as_secs();
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

fn line(c: &Counters, started: Instant) -> String {
    let files = c.files.load(Ordering::Relaxed);
    let bytes = c.bytes.load(Ordering::Relaxed);
    let secs = started.elapsed().as_secs_f64().max(0.001);
    let rate = bytes as f64 / secs;
    let mut s = format!(
        "scanning: {files} files, {}, {}/s",
        human_bytes(bytes),
        human_bytes(rate as u64)
    );
    if c.counted.load(Ordering::Relaxed) {
        let total_files = c.total_files.load(Ordering::Relaxed);
        let total = c.total_bytes.load(Ordering::Relaxed);
        let done = if total > 0 {
            bytes as f64 / total as f64
        } else {
            1.0
        };
        let width = 24;
        let filled = ((done.min(1.0)) * width as f64) as usize;
        let eta = if rate > 0.0 {
            clock(Duration::from_secs_f64(
                total.saturating_sub(bytes) as f64 / rate,
            ))
        } else {
            "?".into()
        };
        s = format!(
            "[{}{}] {files}/{total_files} files, {} of {}, {}/s, ETA {eta}",
            "#".repeat(filled),
            "-".repeat(width - filled),
            human_bytes(bytes),
            human_bytes(total),
            human_bytes(rate as u64),
        );
    }
    s
}

impl Progress {
    /// Starts counting the inputs in the background and drawing on stderr.
    pub fn start(paths: Vec<PathBuf>, walk_opts: WalkOptions) -> Progress {
        let counters = Arc::new(Counters::default());
        let stop = Arc::new(AtomicBool::new(false));
        let (c2, s2) = (Arc::clone(&counters), Arc::clone(&stop));
        let drawer = std::thread::spawn(move || {
            let started = Instant::now();
            let c3 = Arc::clone(&c2);
            let s3 = Arc::clone(&s2);
            // the count is only for the ETA: it gives up when the scan ends
            std::thread::spawn(move || {
                for e in walk::entries(&paths, &walk_opts) {
                    if s3.load(Ordering::Relaxed) {
                        return;
                    }
                    if let Entry::File(_, n) = e {
                        c3.total_files.fetch_add(1, Ordering::Relaxed);
                        c3.total_bytes.fetch_add(n, Ordering::Relaxed);
                    }
                }
                c3.counted.store(true, Ordering::Relaxed);
            });
            let mut err = std::io::stderr();
            while !s2.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(200));
                if s2.load(Ordering::Relaxed) {
                    break;
                }
                let _ = write!(err, "\r\x1b[2K{}", line(&c2, started));
                let _ = err.flush();
            }
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        });
        Progress {
            counters,
            stop,
            drawer: Some(drawer),
        }
    }

    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Stops drawing and erases the line.
    pub fn finish(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(d) = self.drawer.take() {
            let _ = d.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1_500_000), "1.5 MB");
        assert_eq!(human_bytes(2_000_000_000), "2.0 GB");
    }

    #[test]
    fn eta_appears_once_counted() {
        let c = Counters::default();
        c.file_done(500);
        assert!(line(&c, Instant::now()).starts_with("scanning: 1 files"));
        c.total_files.store(2, Ordering::Relaxed);
        c.total_bytes.store(1000, Ordering::Relaxed);
        c.counted.store(true, Ordering::Relaxed);
        let l = line(&c, Instant::now());
        assert!(l.contains("1/2 files") && l.contains("ETA"), "{l}");
    }
}
