//! The input layer, the only code that touches files: memory-maps regular
//! files (falling back to plain reads), streams stdin, FIFOs and gzip
//! (recognised by its magic bytes, concatenated members included), and hands
//! out complete lines.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::error::InputError;

/// Where an input comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSpec {
    Stdin,
    Path(PathBuf),
}

impl InputSpec {
    pub fn parse(arg: &str) -> InputSpec {
        if arg == "-" {
            InputSpec::Stdin
        } else {
            InputSpec::Path(PathBuf::from(arg))
        }
    }

    /// How the input is named in reports: `-` for stdin.
    pub fn name(&self) -> String {
        match self {
            InputSpec::Stdin => "-".into(),
            InputSpec::Path(p) => p.display().to_string(),
        }
    }
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// Lines longer than this are cut (the rest of the line is skipped) so one
/// 100 MB line cannot hold the whole input in memory when streaming.
pub const MAX_LINE: usize = 1 << 20;

/// A memory map behind one small type.
struct Mapped(memmap2::Mmap);

impl Mapped {
    fn open(file: &File) -> io::Result<Mapped> {
        // SAFETY: the map is read-only and lives only while we scan. If
        // another process truncates the file meanwhile, reads past the new
        // end raise SIGBUS; that is the accepted trade-off of every mmap
        // based scanner (ripgrep makes the same one) for not copying logs.
        unsafe { memmap2::Mmap::map(file).map(Mapped) }
    }
}

/// Where the lines of an input go. A mapped file that is valid UTF-8 as a
/// whole is checked once and handed out as text (as plain text when it
/// holds no control byte either), so a sink that wants text need not check
/// every line again.
pub trait Lines {
    /// One line (without its newline), as read.
    fn raw(&mut self, number: u64, raw: &[u8]);
    /// One line known to be UTF-8.
    fn text(&mut self, number: u64, text: &str) {
        self.raw(number, text.as_bytes());
    }

    /// One line known to be UTF-8 without control bytes (tabs aside).
    fn plain(&mut self, number: u64, text: &str) {
        self.text(number, text);
    }
}

impl<F: FnMut(u64, &[u8])> Lines for F {
    fn raw(&mut self, number: u64, raw: &[u8]) {
        self(number, raw)
    }
}

/// Reads every line of `spec`, calling `f(line_number, bytes)` (without the
/// newline). Returns the number of lines.
pub fn for_each_line(spec: &InputSpec, mut f: impl FnMut(u64, &[u8])) -> Result<u64, InputError> {
    read(spec, &mut f)
}

/// Reads every line of `spec` into `sink`. Returns the number of lines.
pub fn read(spec: &InputSpec, sink: &mut dyn Lines) -> Result<u64, InputError> {
    let name = spec.name();
    match spec {
        InputSpec::Stdin => {
            let stdin = io::stdin();
            stream(&name, BufReader::with_capacity(1 << 16, stdin.lock()), sink)
        }
        InputSpec::Path(path) => from_path(&name, path, sink),
    }
}

fn from_path(name: &str, path: &Path, f: &mut dyn Lines) -> Result<u64, InputError> {
    let open_err = |source| InputError::Open {
        path: name.to_string(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(open_err)?;
    if meta.is_dir() {
        return Err(InputError::IsDirectory {
            path: name.to_string(),
        });
    }
    let file = File::open(path).map_err(open_err)?;
    if meta.is_file()
        && meta.len() > 0
        && let Ok(map) = Mapped::open(&file)
    {
        let bytes: &[u8] = &map.0;
        if !bytes.starts_with(&GZIP_MAGIC) {
            return Ok(read_buffer(bytes, f));
        }
        return stream(name, BufReader::with_capacity(1 << 16, bytes), f);
    }
    // FIFOs, character devices, empty or unmappable files: plain reads.
    stream(name, BufReader::with_capacity(1 << 16, file), f)
}

/// Hands out the lines of a whole input held in memory (a mapped file):
/// checked once for UTF-8 and for control bytes, so that its lines go out
/// as plain text, text, or raw bytes. Returns the number of lines.
pub fn read_buffer(bytes: &[u8], f: &mut dyn Lines) -> u64 {
    match std::str::from_utf8(bytes) {
        Ok(text) if crate::lines::is_plain(bytes) => {
            crate::lines::for_each_text_line(text, 1, |n, l| f.plain(n, l))
        }
        Ok(text) => crate::lines::for_each_text_line(text, 1, |n, l| f.text(n, l)),
        Err(_) => crate::lines::for_each_line(bytes, 1, |n, l| f.raw(n, l)),
    }
}

/// Up to `limit` first bytes of a file, unzipped when it is gzip. Errors
/// give fewer bytes (none for a file that cannot be opened): the full read
/// reports them, with the input's name.
pub fn head(path: &Path, limit: usize) -> Vec<u8> {
    use std::io::Read;
    let mut head = Vec::with_capacity(limit);
    let Ok(file) = File::open(path) else {
        return head;
    };
    let _ = file.take(limit as u64).read_to_end(&mut head);
    if head.starts_with(&GZIP_MAGIC) {
        let mut plain = Vec::with_capacity(limit);
        let gz = flate2::read::MultiGzDecoder::new(&head[..]);
        let _ = gz.take(limit as u64).read_to_end(&mut plain);
        return plain;
    }
    head
}

/// Streams lines from a reader, unwrapping gzip when the first bytes say so.
fn stream<R: BufRead>(name: &str, mut reader: R, f: &mut dyn Lines) -> Result<u64, InputError> {
    let head = reader.fill_buf().map_err(|source| InputError::Read {
        path: name.to_string(),
        lines: 0,
        source,
    })?;
    if head.starts_with(&GZIP_MAGIC) {
        let gz = BufReader::with_capacity(1 << 16, flate2::bufread::MultiGzDecoder::new(reader));
        return read_lines(gz, f).map_err(|(lines, source)| InputError::Gzip {
            path: name.to_string(),
            lines,
            source,
        });
    }
    read_lines(reader, f).map_err(|(lines, source)| InputError::Read {
        path: name.to_string(),
        lines,
        source,
    })
}

fn read_lines<R: BufRead>(mut reader: R, f: &mut dyn Lines) -> Result<u64, (u64, io::Error)> {
    let mut buf = Vec::with_capacity(256);
    let mut n = 0u64;
    loop {
        buf.clear();
        let got = read_capped_line(&mut reader, &mut buf).map_err(|e| (n, e))?;
        if got == 0 {
            return Ok(n);
        }
        n += 1;
        if buf.last() == Some(&b'\n') {
            buf.pop();
        }
        f.raw(n, &buf);
    }
}

/// Like `read_until(b'\n')`, but keeps at most [`MAX_LINE`] bytes of a line.
fn read_capped_line<R: BufRead>(reader: &mut R, buf: &mut Vec<u8>) -> io::Result<usize> {
    let mut total = 0;
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(total);
        }
        let (used, done) = match memchr::memchr(b'\n', available) {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        let room = MAX_LINE.saturating_sub(buf.len());
        buf.extend_from_slice(&available[..used.min(room)]);
        if done && used > room {
            buf.push(b'\n');
        }
        reader.consume(used);
        total += used;
        if done {
            return Ok(total);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn collect(spec: &InputSpec) -> Result<Vec<String>, InputError> {
        let mut out = vec![];
        for_each_line(spec, |_, l| {
            out.push(String::from_utf8_lossy(l).into_owned())
        })?;
        Ok(out)
    }

    #[test]
    fn gzip_by_magic_not_name() {
        let dir = std::env::temp_dir().join(format!("stacklog-input-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("plain-name.log");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"a\nb\n").unwrap();
        let mut bytes = gz.finish().unwrap();
        let mut gz2 = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz2.write_all(b"c\n").unwrap();
        bytes.extend(gz2.finish().unwrap());
        std::fs::write(&p, &bytes).unwrap();
        assert_eq!(
            collect(&InputSpec::Path(p.clone())).unwrap(),
            ["a", "b", "c"]
        );
        std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
        assert!(matches!(
            collect(&InputSpec::Path(p.clone())),
            Err(InputError::Gzip { .. })
        ));
        std::fs::write(&p, b"").unwrap();
        assert!(collect(&InputSpec::Path(p.clone())).unwrap().is_empty());
        assert!(matches!(
            collect(&InputSpec::Path(dir.clone())),
            Err(InputError::IsDirectory { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn long_lines_are_capped() {
        let mut text = vec![b'x'; MAX_LINE + 10];
        text.extend_from_slice(b"\nnext\n");
        let mut lens = vec![];
        read_lines(
            BufReader::with_capacity(4096, &text[..]),
            &mut |_, l: &[u8]| lens.push(l.len()),
        )
        .unwrap();
        assert_eq!(lens, [MAX_LINE, 4]);
    }
}
