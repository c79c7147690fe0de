//! Line layer: splits raw bytes into lines and peels the wrapper layers
//! (CR, ANSI colour, Zuul `DATE TIME | host | `, a pasted `| `, and the
//! LOGFILE `YYYY-MM-DD HH:MM:SS.mmm | ` stamp) before any format parser sees
//! the text. What a layer carried (timestamp, host) is kept as data.

use std::borrow::Cow;

/// Which wrapper layers were found on a line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Layers {
    pub crlf: bool,
    pub ansi: bool,
    pub zuul: bool,
    pub pasted_bar: bool,
    pub timestamp: bool,
    pub invalid_utf8: bool,
}

/// One input line with its layers peeled.
#[derive(Debug, Clone)]
pub struct Line<'a> {
    /// 1-based line number in the input as given.
    pub number: u64,
    /// What the program printed, after every layer is removed.
    pub body: Cow<'a, str>,
    /// The outfilter timestamp (`2016-04-29 08:01:39.123`), else the Zuul one.
    pub ts: Option<&'a str>,
    /// The Zuul host column.
    pub host: Option<&'a str>,
    pub layers: Layers,
}

/// Peels one raw line (without its `\n`).
pub fn peel(number: u64, raw: &[u8]) -> Line<'_> {
    let mut layers = Layers::default();
    let mut raw = raw;
    if let [rest @ .., b'\r'] = raw {
        raw = rest;
        layers.crlf = true;
    }
    match std::str::from_utf8(raw) {
        Ok(s) => peel_valid(number, s, layers),
        Err(_) => {
            // Rare: keep going with replacement characters; the stamp and
            // host stay inside the owned text.
            layers.invalid_utf8 = true;
            let owned = String::from_utf8_lossy(raw).into_owned();
            let (body, _, _) = peel_prefixes(&owned, &mut layers);
            let body = clean(body, &mut layers).into_owned();
            Line {
                number,
                body: Cow::Owned(body),
                ts: None,
                host: None,
                layers,
            }
        }
    }
}

/// Peels one line already known to be UTF-8: the same as [`peel`] of its
/// bytes, without checking them again.
pub fn peel_text(number: u64, text: &str) -> Line<'_> {
    let mut layers = Layers::default();
    let text = match text.strip_suffix('\r') {
        Some(rest) => {
            layers.crlf = true;
            rest
        }
        None => text,
    };
    peel_valid(number, text, layers)
}

/// Peels one line known to be UTF-8 without control bytes (but tabs): the
/// same as [`peel`] of its bytes, with nothing to clean.
pub fn peel_plain(number: u64, text: &str) -> Line<'_> {
    let mut layers = Layers::default();
    let (body, ts, host) = peel_prefixes(text, &mut layers);
    Line {
        number,
        body: Cow::Borrowed(body),
        ts,
        host,
        layers,
    }
}

/// A control byte other than a tab: the bytes [`clean`] acts on are all
/// among them.
fn is_control(b: u8) -> bool {
    (b < 0x20) & (b != b'\t')
}

/// Whether `bytes` hold no control byte but tabs and newlines, so that no
/// line of them needs cleaning.
pub fn is_plain(bytes: &[u8]) -> bool {
    // whole blocks without early exit (they vectorise); a log with CRs or
    // colour stops at its first block
    bytes.chunks(1 << 16).all(|block| {
        !block
            .iter()
            .fold(false, |seen, &b| seen | (is_control(b) & (b != b'\n')))
    })
}

fn peel_valid(number: u64, s: &str, mut layers: Layers) -> Line<'_> {
    let (body, ts, host) = peel_prefixes(s, &mut layers);
    let body = clean(body, &mut layers);
    Line {
        number,
        body,
        ts,
        host,
        layers,
    }
}

/// Whether `b` is a byte [`clean`] acts on: CR, ESC, SO, SI or backspace.
fn is_layer_byte(b: u8) -> bool {
    matches!(b, b'\r' | 0x1b | 0x0e | 0x0f | 0x08)
}

fn clean<'s>(body: &'s str, layers: &mut Layers) -> Cow<'s, str> {
    // Almost every line has no control byte but tabs (and so none of the
    // layer bytes): one pass without early exit settles it and vectorises.
    if !body.bytes().fold(false, |seen, b| seen | is_control(b)) {
        return Cow::Borrowed(body);
    }
    // `\r\r\n` (CRLF through a tty) and `\r` before a colour reset both
    // leave carriage returns at the end once the rest is peeled.
    let trim = |s: &str, layers: &mut Layers| -> usize {
        let t = s.trim_end_matches('\r').len();
        if t != s.len() {
            layers.crlf = true;
        }
        t
    };
    // progress meters (curl, pip, git) redraw with `\r`: keep what a
    // terminal would finally show, the text after the last one
    let body = match body.trim_end_matches('\r').rfind('\r') {
        Some(i) => {
            layers.crlf = true;
            &body[i + 1..]
        }
        None => body,
    };
    if body.bytes().any(|b| is_layer_byte(b) && b != b'\r') {
        layers.ansi = true;
        let mut s = strip_ansi(body);
        let t = trim(&s, layers);
        s.truncate(t);
        Cow::Owned(s)
    } else {
        let t = trim(body, layers);
        Cow::Borrowed(&body[..t])
    }
}

fn peel_prefixes<'s>(
    mut s: &'s str,
    layers: &mut Layers,
) -> (&'s str, Option<&'s str>, Option<&'s str>) {
    let mut ts = None;
    let mut host = None;
    // Zuul job-output: `2019-04-16 18:07:38.443862 | controller | body`
    if let Some((stamp, rest)) = split_stamp(s, 6) {
        if let Some((h, body)) = split_bar(rest) {
            if !h.is_empty() && h.len() <= 64 && !h.contains(' ') {
                host = Some(h);
                ts = Some(stamp);
                s = body;
                layers.zuul = true;
            }
        } else if let Some(h) = rest
            .strip_suffix(" |")
            .filter(|h| !h.contains(' ') && !h.is_empty())
        {
            host = Some(h);
            ts = Some(stamp);
            s = "";
            layers.zuul = true;
        }
    }
    // Copy-pasted console output: `| body`, but not a table row `| a | b |`.
    if let Some(rest) = s.strip_prefix("| ") {
        if !s.trim_end().ends_with('|') {
            s = rest;
            layers.pasted_bar = true;
        }
    } else if s == "|" {
        s = "";
        layers.pasted_bar = true;
    }
    if let Some((stamp, rest)) = split_stamp(s, 3) {
        ts = Some(stamp);
        s = rest;
        layers.timestamp = true;
    }
    (s, ts, host)
}

/// `s.split_once(" | ")`, without building a substring searcher for every
/// line.
fn split_bar(s: &str) -> Option<(&str, &str)> {
    let b = s.as_bytes();
    memchr::memchr_iter(b'|', b)
        .find(|&i| i > 0 && b[i - 1] == b' ' && b.get(i + 1) == Some(&b' '))
        .map(|i| (&s[..i - 1], &s[i + 2..]))
}

/// Splits `YYYY-MM-DD HH:MM:SS.f{frac} |` (plus one optional space) off `s`.
fn split_stamp(s: &str, frac: usize) -> Option<(&str, &str)> {
    let b = s.as_bytes();
    let n = 20 + frac;
    if b.len() < n + 1 {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    // the separators first: a stamp of the other length fails at once
    let ok = b.get(n + 1) == Some(&b'|')
        && b[n] == b' '
        && b[19] == b'.'
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b' '
        && b[13] == b':'
        && b[16] == b':'
        && digits(0..4)
        && digits(5..7)
        && digits(8..10)
        && digits(11..13)
        && digits(14..16)
        && digits(17..19)
        && digits(20..n);
    if !ok {
        return None;
    }
    let rest = &s[n + 2..];
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    Some((&s[..n], rest))
}

/// Removes ANSI escape sequences, SI/SO shifts and backspace spinners.
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => match chars.peek() {
                Some('[') => {
                    chars.next();
                    // parameters and intermediates, then one final byte @..~
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
                Some('(') | Some(')') => {
                    chars.next();
                    chars.next();
                }
                Some(']') => {
                    // OSC: up to BEL or ST
                    chars.next();
                    while let Some(c) = chars.next() {
                        if c == '\x07' {
                            break;
                        }
                        if c == '\x1b' {
                            chars.next();
                            break;
                        }
                    }
                }
                Some(_) => {
                    chars.next();
                }
                None => {}
            },
            '\x0e' | '\x0f' => {}
            '\x08' => {
                out.pop();
            }
            _ => out.push(c),
        }
    }
    out
}

/// The byte ranges of the lines of `buf`: split on `\n` (left out), the
/// last line may lack one.
struct LineRanges<'a> {
    len: usize,
    ends: memchr::Memchr<'a>,
    start: usize,
}

impl Iterator for LineRanges<'_> {
    type Item = std::ops::Range<usize>;

    fn next(&mut self) -> Option<Self::Item> {
        let end = match self.ends.next() {
            Some(end) => end,
            None if self.start < self.len => self.len,
            None => return None,
        };
        let line = self.start..end;
        self.start = end + 1;
        Some(line)
    }
}

fn line_ranges(buf: &[u8]) -> LineRanges<'_> {
    LineRanges {
        len: buf.len(),
        ends: memchr::memchr_iter(b'\n', buf),
        start: 0,
    }
}

/// Calls `f` for every line of `buf` (split on `\n`, the last line may lack
/// one). Returns the number of lines seen.
pub fn for_each_line(buf: &[u8], first: u64, mut f: impl FnMut(u64, &[u8])) -> u64 {
    let mut n = first;
    for line in line_ranges(buf) {
        f(n, &buf[line]);
        n += 1;
    }
    n - first
}

/// [`for_each_line`] over text: every line is text too (a newline is
/// never inside a character).
pub fn for_each_text_line<'t>(text: &'t str, first: u64, mut f: impl FnMut(u64, &'t str)) -> u64 {
    let mut n = first;
    for line in line_ranges(text.as_bytes()) {
        f(n, &text[line]);
        n += 1;
    }
    n - first
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_bytes_peel_alike() {
        for raw in [
            "2016-04-29 08:01:39.123 | + ./stack.sh:main:1 :   true\r",
            "2026-11-29 04:38:03.185123 | controller | 2026-11-29 04:38:03.185 | Error on exit\r\r",
            "\x1b[31mred\x1b[0m\r",
            "| ERROR 1045 (28000): x",
            "2016-04-29 08:01:39.123 | \tindented",
            "\r",
            "",
        ] {
            let (a, b) = (peel(7, raw.as_bytes()), peel_text(7, raw));
            if is_plain(raw.as_bytes()) {
                let c = peel_plain(7, raw);
                assert_eq!(
                    (&a.body, a.ts, a.host, a.layers),
                    (&c.body, c.ts, c.host, c.layers),
                    "{raw:?}"
                );
            }
            assert_eq!(
                (a.body, a.ts, a.host, a.layers),
                (b.body, b.ts, b.host, b.layers),
                "{raw:?}"
            );
        }
        let (mut bytes, mut text) = (vec![], vec![]);
        for_each_line(b"a\r\n\nb", 1, |n, l| bytes.push((n, l.to_vec())));
        for_each_text_line("a\r\n\nb", 1, |n, l| text.push((n, l.as_bytes().to_vec())));
        assert_eq!(bytes, text);
    }

    #[test]
    fn split_bar_is_split_once() {
        for s in [
            "a | b",
            " | ",
            "a |b | c",
            "|| | x",
            "a|b",
            "",
            "a | ",
            "é | ü | x",
            "a  |  b",
        ] {
            assert_eq!(split_bar(s), s.split_once(" | "), "{s:?}");
        }
    }

    #[test]
    fn peels_outfilter_stamp() {
        let l = peel(1, b"2016-04-29 08:01:39.123 | + ./stack.sh:main:1 :   true");
        assert_eq!(l.body, "+ ./stack.sh:main:1 :   true");
        assert_eq!(l.ts, Some("2016-04-29 08:01:39.123"));
        assert!(l.layers.timestamp);
    }

    #[test]
    fn blank_stamped_line_has_empty_body() {
        let l = peel(1, b"2016-04-29 08:01:39.123 | ");
        assert_eq!(l.body, "");
        let l = peel(1, b"2016-04-29 08:01:39.123 |");
        assert_eq!(l.body, "");
    }

    #[test]
    fn peels_zuul_then_stamp() {
        let l = peel(
            3,
            b"2026-11-29 04:38:03.185123 | controller | 2026-11-29 04:38:03.185 | Error on exit\r",
        );
        assert_eq!(l.body, "Error on exit");
        assert_eq!(l.host, Some("controller"));
        assert_eq!(l.ts, Some("2026-11-29 04:38:03.185"));
        assert!(l.layers.zuul && l.layers.crlf);
    }

    #[test]
    fn pasted_bar_but_not_table_rows() {
        assert_eq!(
            peel(1, b"| ERROR 1045 (28000): x").body,
            "ERROR 1045 (28000): x"
        );
        assert_eq!(peel(1, b"| ID | Name |").body, "| ID | Name |");
    }

    #[test]
    fn strips_colour_ps4() {
        let l = peel(
            1,
            b"+\x1b[38;5;242m./stack.sh:main:11                       \x1b(B\x1b[m trap",
        );
        assert_eq!(l.body, "+./stack.sh:main:11                        trap");
        assert!(l.layers.ansi);
    }

    #[test]
    fn progress_meters_keep_the_last_redraw() {
        let l = peel(
            1,
            b"  0     0    0     0\r100  1234    0     0\rcurl: (7) Failed to connect\r",
        );
        assert_eq!(l.body, "curl: (7) Failed to connect");
    }

    #[test]
    fn invalid_utf8_does_not_stop() {
        let l = peel(1, b"caf\xe9 ok");
        assert!(l.layers.invalid_utf8);
        assert!(l.body.ends_with(" ok"));
    }

    #[test]
    fn counts_lines_without_final_newline() {
        let mut seen = vec![];
        let n = for_each_line(b"a\nb\nc", 1, |i, l| seen.push((i, l.to_vec())));
        assert_eq!(n, 3);
        assert_eq!(seen[2], (3, b"c".to_vec()));
    }
}
