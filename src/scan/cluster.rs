//! Templates of unexplained failures: the evidence lines with what differs
//! from run to run masked (times, UUIDs, URLs, IPs, paths, hex ids and
//! numbers) and the words kept, so two runs that failed the same way share a
//! template while a service that "Started" and one that "Paused" do not.

use std::sync::LazyLock;

use regex::{Captures, Regex};

/// The longest template kept, in characters.
const MAX_TEMPLATE: usize = 240;

/// One alternation, tried left to right at each position: the first
/// alternative that matches there wins, so a timestamp is not cut into
/// numbers and a URL is not cut into a host and a path.
static VOLATILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?P<ts>\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)",
        r"|(?P<uuid>\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b)",
        r"|(?P<url>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\x22<>\]\)]+)",
        r"|(?P<ip>\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b)",
        r"|(?P<path>(?:~|\.{1,2})?/[^\s:'\x22(),;\]\[=]+|\b[\w.-]+/[\w.-]+(?:/[\w.-]+)*)",
        r"|(?P<hex>\b0x[0-9a-fA-F]+\b|\b[0-9a-fA-F]{7,}\b)",
        r"|(?P<num>\d+(?:\.\d+)*)",
    ))
    .expect("the masking pattern compiles")
});

/// Placeholders and the regex a draft signature uses for each.
pub const PLACEHOLDERS: [(&str, &str); 7] = [
    ("<TIME>", r"\d{4}-\d{2}-\d{2}\S*(?: [\d:.,]+\S*)?"),
    ("<UUID>", r"[0-9a-fA-F-]{36}"),
    ("<URL>", r"\S+"),
    ("<IP>", r"[0-9.]+(?::\d+)?"),
    ("<PATH>", r"\S+"),
    ("<HEX>", r"[0-9a-fA-Fx]+"),
    ("<N>", r"\d+(?:\.\d+)*"),
];

/// The template of one line: volatile parts masked, runs of white space
/// made one space, cut to [`MAX_TEMPLATE`] characters.
pub fn template(line: &str) -> String {
    let masked = VOLATILE.replace_all(line, |c: &Captures<'_>| {
        let which = if c.name("ts").is_some() {
            "<TIME>"
        } else if c.name("uuid").is_some() {
            "<UUID>"
        } else if c.name("url").is_some() {
            "<URL>"
        } else if c.name("ip").is_some() {
            "<IP>"
        } else if c.name("path").is_some() {
            "<PATH>"
        } else if let Some(h) = c.name("hex") {
            let h = h.as_str();
            // a long run of hex letters only is a word ("deadbeef" aside)
            if h.bytes().all(|b| b.is_ascii_digit()) {
                "<N>"
            } else if h.starts_with("0x") || h.bytes().any(|b| b.is_ascii_digit()) {
                "<HEX>"
            } else {
                return h.to_string();
            }
        } else {
            "<N>"
        };
        which.to_string()
    });
    let mut out = String::with_capacity(masked.len());
    for word in masked.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.chars().count() > MAX_TEMPLATE {
        out = out.chars().take(MAX_TEMPLATE).collect();
    }
    out
}

/// A regex that matches every line with this template: literal words
/// escaped, placeholders widened, white space runs allowed.
pub fn pattern(template: &str) -> String {
    let mut re = String::new();
    let mut rest = template;
    'outer: while !rest.is_empty() {
        for (ph, class) in PLACEHOLDERS {
            if let Some(after) = rest.strip_prefix(ph) {
                re.push_str(class);
                rest = after;
                continue 'outer;
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        if c == ' ' {
            re.push_str(r"\s+");
        } else {
            re.push_str(&regex::escape(&c.to_string()));
        }
        rest = &rest[c.len_utf8()..];
    }
    re
}

/// A stable short name for a template (FNV-1a, 32 bits, in hex): the same
/// template gets the same name in every scan.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0)) {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        }
    }
    format!("{h:08x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_masked_and_words_kept() {
        let a = template(
            "2026-11-03 10:42:10.123 | Instance 4f1c2d9e-8a7b-4c3d-9e8f-0a1b2c3d4e5f failed on 10.0.0.5:8774 after 30 s",
        );
        let b = template(
            "2026-11-04 09:00:01.999 | Instance 0b9f8e7d-6c5b-4a39-8271-605f4e3d2c1b failed on 192.168.1.20:8774 after 120 s",
        );
        assert_eq!(a, b);
        assert_eq!(a, "<TIME> | Instance <UUID> failed on <IP> after <N> s");
        let started = template("Unit devstack@n-cpu.service Started at 12:00");
        let paused = template("Unit devstack@n-cpu.service Paused at 12:00");
        assert_ne!(started, paused);
    }

    #[test]
    fn paths_urls_and_hex() {
        assert_eq!(
            template("ls: cannot access '/opt/stack/nonexistent-1234': No such file or directory"),
            "ls: cannot access '<PATH>': No such file or directory"
        );
        assert_eq!(
            template("curl: (22) http://10.0.0.5/identity/v3 returned 503"),
            "curl: (<N>) <URL> returned <N>"
        );
        assert_eq!(
            template("commit 3f9a2c1d0e deadbeefcafe"),
            "commit <HEX> deadbeefcafe"
        );
        assert_eq!(
            template("+ inc/python:pip_install:9   :   false install"),
            "+ <PATH>:pip_install:<N> : false install"
        );
    }

    #[test]
    fn a_template_pattern_matches_its_lines() {
        for line in [
            "2026-11-03 10:42:10.123 | Instance 4f1c2d9e-8a7b-4c3d-9e8f-0a1b2c3d4e5f failed on 10.0.0.5:8774",
            "ls: cannot access '/opt/stack/x y': No such file or directory (errno 2, 0x1f)",
            "+ inc/python:pip_install:9   :   env a=http://proxy.example.com:3128 false install -e /opt/stack/glance",
            "weird [brackets] (parens) $dollar ^caret *star?",
        ] {
            let re = Regex::new(&pattern(&template(line))).unwrap();
            assert!(re.is_match(line), "{line}\n{}", pattern(&template(line)));
        }
    }

    #[test]
    fn fingerprints_are_stable() {
        assert_eq!(fingerprint(&["a", "b"]), fingerprint(&["a", "b"]));
        assert_ne!(fingerprint(&["ab"]), fingerprint(&["a", "b"]));
    }
}
