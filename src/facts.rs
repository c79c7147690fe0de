//! Facts: the values a log reveals (proxies, HOST_IP, GIT_BASE, the phase,
//! a database password being set ...), each with the line it came from, for
//! signature conditions and fixes. Secret values are never kept.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::event::EventKind;
use crate::sanitize::mask_secrets;

/// One fact and where it was seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fact {
    pub value: String,
    pub line: u64,
    /// The source line, secrets masked (once the input has ended).
    pub text: String,
    /// How sure the source is: an explicit assignment beats a URL.
    #[serde(skip)]
    pub rank: u8,
    /// Set when the fact comes from another file than the input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

/// All facts of one input, by name.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facts {
    pub values: BTreeMap<String, Fact>,
    /// Services seen started or enabled, in order, without repeats.
    pub services: Vec<String>,
}

const MAX_SERVICES: usize = 64;

static PROXY_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:^|[\s;'"])(?:export\s+)?(?i:(http_proxy|https_proxy|no_proxy))=('[^']*'|"[^"]*"|[^\s;]*)"#).unwrap()
});
static HOST_IP_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:^|[\s;])(?:local\s+|export\s+)?(?:HOST_IP|SERVICE_HOST)=['"]?(\d{1,3}(?:\.\d{1,3}){3})\b"#).unwrap()
});
static URL_IP_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"https?://(\d{1,3}(?:\.\d{1,3}){3})(?::(?:5000|35357|80|443)\b|/identity\b|/dashboard\b)",
    )
    .unwrap()
});
static GIT_BASE_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?:^|\s)(?:export\s+)?GIT_BASE=['"]?([^\s'"$]+)"#).unwrap());
static CLONE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bgit(?:_timed)? clone (?:-\S+ )*((?:[a-z+]+://|/|git@)\S+)").unwrap()
});
static SUMMARY_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^echo_summary (?:'([^']*)'|"([^"]*)"|(.+))$"#).unwrap());
static PASSWORD_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|\s)(?:local\s+|export\s+)?((?:MYSQL|DATABASE)_PASSWORD)=\S").unwrap()
});
/// The commands that name a service as their first argument.
const SERVICE_WORDS: &[&str] = &[
    "run_process",
    "enable_service",
    "start_service",
    "_run_under_systemd",
    "write_uwsgi_user_unit_file",
    "service_check",
];

/// One of [`SERVICE_WORDS`] and the service it names. The words are also
/// tested before the regex runs, which would otherwise see every traced
/// command.
static SERVICE_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^(?:{}) ([\w.-]+)", SERVICE_WORDS.join("|"))).unwrap());

/// Every fact a traced command or an output line can reveal needs one of
/// these in the line (case aside): the prefilter's walk looks for them too,
/// and a line without any skips the fact readers ([`Facts::observe_gated`]).
pub const GATE_LITERALS: &[&str] = &[
    "proxy=",
    "host_ip=",
    "service_host=",
    "git_base=",
    "_password=",
    "http://",
    "https://",
    "clone ",
    "echo_summary ",
    "run_process ",
    "enable_service ",
    "start_service ",
    "_run_under_systemd ",
    "write_uwsgi_user_unit_file ",
    "service_check ",
];

/// Which value regexes can match a text, found in one pass over its `=`
/// and `:` bytes: each regex needs `NAME=` or `http(s)://` and a digit, so
/// a text without them (most lines) costs one memchr.
#[derive(Debug, Default)]
struct Triggers {
    /// `proxy=` in any case (the three proxy variables).
    proxy: bool,
    /// `HOST_IP=` or `SERVICE_HOST=`.
    host_ip: bool,
    git_base: bool,
    /// `MYSQL_PASSWORD=` or `DATABASE_PASSWORD=`.
    password: bool,
    /// `http://` or `https://` before a digit (an address, as
    /// [`URL_IP_RE`] needs).
    url: bool,
}

impl Triggers {
    fn of(s: &str) -> Triggers {
        let b = s.as_bytes();
        let mut t = Triggers::default();
        for at in memchr::memchr2_iter(b'=', b':', b) {
            let name = &b[..at];
            if b[at] == b':' {
                t.url |= b[at + 1..].starts_with(b"//")
                    && b.get(at + 3).is_some_and(u8::is_ascii_digit)
                    && (name.ends_with(b"http") || name.ends_with(b"https"));
                continue;
            }
            // the proxy variables' names are read in any case
            t.proxy |= name.len() >= 5 && name[name.len() - 5..].eq_ignore_ascii_case(b"proxy");
            t.host_ip |= name.ends_with(b"HOST_IP") || name.ends_with(b"SERVICE_HOST");
            t.git_base |= name.ends_with(b"GIT_BASE");
            t.password |= name.ends_with(b"_PASSWORD");
        }
        t
    }
}

fn unquote(v: &str) -> &str {
    v.trim_matches(|c| c == '\'' || c == '"')
}

impl Facts {
    pub fn get(&self, name: &str) -> Option<&Fact> {
        self.values.get(name)
    }

    /// The value of a fact, derived ones included (`proxy`,
    /// `no_proxy_suggested`).
    pub fn value(&self, name: &str) -> Option<String> {
        match name {
            "proxy" => self.proxy().map(|f| f.value.clone()),
            "no_proxy_suggested" => Some(self.no_proxy_suggested()),
            "services" => (!self.services.is_empty()).then(|| self.services.join(", ")),
            _ => self.values.get(name).map(|f| f.value.clone()),
        }
    }

    /// The fact behind a name, for evidence (derived names map to a source).
    pub fn source(&self, name: &str) -> Option<&Fact> {
        match name {
            "proxy" => self.proxy(),
            _ => self.values.get(name),
        }
    }

    fn proxy(&self) -> Option<&Fact> {
        ["https_proxy", "http_proxy"]
            .iter()
            .filter_map(|k| self.values.get(*k))
            .find(|f| !f.value.is_empty())
    }

    /// `no_proxy` plus localhost, 127.0.0.1 and HOST_IP, without repeats.
    pub fn no_proxy_suggested(&self) -> String {
        let mut items: Vec<String> = self
            .values
            .get("no_proxy")
            .map(|f| {
                f.value
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        for extra in ["localhost", "127.0.0.1"] {
            if !items.iter().any(|i| i == extra) {
                items.push(extra.to_string());
            }
        }
        match self.values.get("host_ip") {
            Some(h) if !items.contains(&h.value) => items.push(h.value.clone()),
            None => items.push("$HOST_IP".to_string()),
            _ => {}
        }
        items.join(",")
    }

    fn set(&mut self, name: &str, value: &str, line: u64, text: &str, rank: u8) {
        if self.values.get(name).is_some_and(|old| old.rank > rank) {
            return;
        }
        let mut end = text.len().min(2000);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let text = &text[..end];
        // a fact is set again and again as a log goes on: reuse its buffers;
        // secrets are masked once, by `mask_texts`, on the values that last
        match self.values.get_mut(name) {
            Some(old) => {
                old.value.clear();
                old.value.push_str(value);
                old.line = line;
                old.text.clear();
                old.text.push_str(text);
                old.rank = rank;
                old.file = None;
            }
            None => {
                let fact = Fact {
                    value: value.to_string(),
                    line,
                    text: text.to_string(),
                    rank,
                    file: None,
                };
                self.values.insert(name.to_string(), fact);
            }
        }
    }

    /// Masks the secrets in the source lines of the facts: called once when
    /// an input ends, before any fact is shown.
    pub fn mask_texts(&mut self) {
        for f in self.values.values_mut() {
            if let std::borrow::Cow::Owned(masked) = mask_secrets(&f.text) {
                f.text = masked;
            }
        }
    }

    /// A fact found by a format parser (worlddump, Go build).
    pub fn set_found(&mut self, name: &str, value: &str, line: u64, text: &str) {
        self.set(name, value, line, text, 2);
    }

    /// Adds another file's facts (the worlddump a log names), keeping this
    /// input's own values where both have one.
    pub fn merge_from(&mut self, other: &Facts, file: &str) {
        for (name, f) in &other.values {
            if !self.values.contains_key(name) {
                let mut f = f.clone();
                f.file = Some(file.to_string());
                self.values.insert(name.clone(), f);
            }
        }
    }

    /// [`Facts::observe`] of a line whose `gate` says whether it holds one
    /// of the [`GATE_LITERALS`]: a traced command or output line without
    /// any reveals nothing.
    pub fn observe_gated(&mut self, line: u64, kind: &EventKind<'_>, text: &str, gate: bool) {
        let gated = matches!(
            kind,
            EventKind::Xtrace { .. } | EventKind::Output { .. } | EventKind::Text { .. }
        );
        if gate || !gated {
            self.observe(line, kind, text);
        }
    }

    /// Looks at one event for facts. `text` is the whole line body.
    pub fn observe(&mut self, line: u64, kind: &EventKind<'_>, text: &str) {
        match kind {
            EventKind::Xtrace { command, .. } => self.observe_command(line, command, text),
            EventKind::Output { text: t, .. } | EventKind::Text { text: t } => {
                self.observe_values(line, t, t, 0)
            }
            EventKind::SuccessInfo { key, value } => {
                if *key == "This is your host IP address" {
                    self.set("host_ip", value, line, text, 3);
                } else if Triggers::of(value).url {
                    self.observe_urls(line, value, text);
                }
            }
            EventKind::WorldDump { path } => self.set("worlddump", path, line, text, 2),
            EventKind::ScriptFailed {
                logfile: Some(l), ..
            } => self.set("logfile", l, line, text, 2),
            _ => {}
        }
    }

    /// Assignments a line shows (proxies, HOST_IP, GIT_BASE) and service
    /// URLs. A traced command outranks echoed text by `lift`.
    fn observe_values(&mut self, line: u64, s: &str, text: &str, lift: u8) {
        self.observe_triggered(line, s, text, lift, &Triggers::of(s));
    }

    fn observe_triggered(&mut self, line: u64, s: &str, text: &str, lift: u8, seen: &Triggers) {
        if seen.proxy {
            for c in PROXY_RE.captures_iter(s) {
                let name = match c[1].to_ascii_lowercase().as_str() {
                    "http_proxy" => "http_proxy",
                    "https_proxy" => "https_proxy",
                    _ => "no_proxy",
                };
                self.set(name, unquote(&c[2]), line, text, 1 + lift);
            }
        }
        if seen.host_ip
            && let Some(c) = HOST_IP_RE.captures(s)
        {
            self.set("host_ip", &c[1], line, text, 2 + lift);
        }
        if seen.git_base
            && let Some(c) = GIT_BASE_RE.captures(s)
        {
            self.set("git_base", &c[1], line, text, 1 + lift);
        }
        if seen.url {
            self.observe_urls(line, s, text);
        }
    }

    fn observe_command(&mut self, line: u64, cmd: &str, text: &str) {
        let seen = Triggers::of(cmd);
        self.observe_triggered(line, cmd, text, 1, &seen);
        if cmd.contains("clone ")
            && let Some(c) = CLONE_RE.captures(cmd)
        {
            self.set("clone_url", unquote(&c[1]), line, text, 2);
        }
        if cmd.starts_with("echo_summary ")
            && let Some(c) = SUMMARY_RE.captures(cmd)
        {
            let v = c
                .get(1)
                .or(c.get(2))
                .or(c.get(3))
                .map_or("", |m| m.as_str());
            if !v.starts_with("stack.sh log ") {
                self.set("phase", v, line, text, 2);
            }
        }
        if seen.password
            && let Some(c) = PASSWORD_RE.captures(cmd)
        {
            self.set("db_password", &format!("set ({})", &c[1]), line, text, 2);
        }
        if SERVICE_WORDS
            .iter()
            .any(|w| cmd.strip_prefix(w).is_some_and(|r| r.starts_with(' ')))
            && let Some(c) = SERVICE_RE.captures(cmd)
        {
            let s = c[1].to_string();
            if self.services.len() < MAX_SERVICES && !self.services.contains(&s) {
                self.services.push(s);
            }
        }
    }

    fn observe_urls(&mut self, line: u64, s: &str, text: &str) {
        if let Some(c) = URL_IP_RE.captures(s)
            && &c[1] != "127.0.0.1"
        {
            self.set("host_ip", &c[1], line, text, 1);
        }
    }

    /// Records the failing command and its location.
    pub fn set_failure(&mut self, line: u64, command: &str, source: Option<&str>, text: &str) {
        self.set("command", command, line, text, 4);
        if let Some(s) = source {
            self.set("source", s, line, text, 4);
        }
    }
}

/// Whether the comma-separated `list` (a no_proxy value) covers `value`
/// (an address or host name): an exact entry, `*`, a CIDR holding the
/// address, or a `.domain` suffix.
pub fn list_covers(list: &str, value: &str) -> bool {
    list.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .any(|entry| {
            entry == "*"
                || entry == value
                || (entry.starts_with('.') && value.ends_with(entry))
                || cidr_contains(entry, value)
        })
}

fn parse_v4(s: &str) -> Option<u32> {
    let mut out = 0u32;
    let mut n = 0;
    for part in s.split('.') {
        out = out << 8 | part.parse::<u8>().ok()? as u32;
        n += 1;
    }
    (n == 4).then_some(out)
}

fn cidr_contains(entry: &str, value: &str) -> bool {
    let Some((net, bits)) = entry.split_once('/') else {
        return false;
    };
    let (Some(net), Ok(bits), Some(ip)) = (parse_v4(net), bits.parse::<u32>(), parse_v4(value))
    else {
        return false;
    };
    if bits > 32 {
        return false;
    }
    let mask = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    };
    net & mask == ip & mask
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::devstack::parse_line;

    /// Gated or not, every bundled stack.sh sample reveals the same facts.
    #[test]
    fn the_gate_loses_no_fact() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/devstack");
        let mut seen = 0;
        for entry in std::fs::read_dir(root).unwrap() {
            let path = entry.unwrap().path();
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let (mut all, mut gated) = (Facts::default(), Facts::default());
            let mut parser = crate::parse::devstack::DevstackParser::new();
            crate::lines::for_each_line(text.as_bytes(), 1, |n, raw| {
                let line = crate::lines::peel(n, raw);
                let kind = parser.parse_line(n, &line.body);
                let low = line.body.to_ascii_lowercase();
                let gate = GATE_LITERALS.iter().any(|g| low.contains(g));
                all.observe(n, &kind, &line.body);
                gated.observe_gated(n, &kind, &line.body, gate);
            });
            assert_eq!(all.values, gated.values, "{}", path.display());
            assert_eq!(all.services, gated.services, "{}", path.display());
            seen += 1;
        }
        assert!(seen > 40, "{seen}");
    }

    #[test]
    fn proxy_names_in_any_case() {
        let f = facts_of(&["export Http_Proxy=http://10.0.0.9:3128"]);
        assert_eq!(f.get("http_proxy").unwrap().value, "http://10.0.0.9:3128");
    }

    #[test]
    fn every_service_word_opens_the_gate() {
        for w in SERVICE_WORDS {
            let lit = format!("{w} ");
            assert!(GATE_LITERALS.contains(&lit.as_str()), "{lit:?}");
        }
    }

    fn facts_of(lines: &[&str]) -> Facts {
        let mut f = Facts::default();
        for (i, l) in lines.iter().enumerate() {
            f.observe(i as u64 + 1, &parse_line(l), l);
        }
        f.mask_texts();
        f
    }

    #[test]
    fn seed_sudo_line_reveals_proxies() {
        let f = facts_of(&[
            "+inc/python:pip_install:152               sudo -H http_proxy=http://10.10.126.187:3129 https_proxy=http://10.10.126.187:3129 no_proxy= PIP_FIND_LINKS= /usr/local/bin/pip2.7 install -U virtualenv",
        ]);
        assert_eq!(f.value("http_proxy").unwrap(), "http://10.10.126.187:3129");
        assert_eq!(f.value("no_proxy").unwrap(), "");
        assert_eq!(f.value("proxy").unwrap(), "http://10.10.126.187:3129");
    }

    #[test]
    fn host_ip_sources_rank() {
        let f = facts_of(&[
            "Keystone is serving at http://10.0.0.9:5000/",
            "+ .localrc.auto:source:12                 :   HOST_IP=10.10.105.71",
            "Keystone is serving at http://10.0.0.9:5000/",
        ]);
        assert_eq!(f.value("host_ip").unwrap(), "10.10.105.71");
        assert_eq!(f.no_proxy_suggested(), "localhost,127.0.0.1,10.10.105.71");
    }

    #[test]
    fn password_is_set_never_kept() {
        let f =
            facts_of(&["+ .localrc.auto:source:3                  :   MYSQL_PASSWORD=devstack"]);
        let p = f.get("db_password").unwrap();
        assert_eq!(p.value, "set (MYSQL_PASSWORD)");
        assert!(!p.text.contains("devstack"), "{}", p.text);
    }

    #[test]
    fn phase_and_clone() {
        let f = facts_of(&[
            "+ ./stack.sh:main:63                       :   echo_summary 'Installing OpenStack project source'",
            "+ functions-common:git_timed:101           :   timeout -s SIGINT 0 git clone git://git.openstack.org/openstack/requirements.git /opt/stack/requirements",
        ]);
        assert_eq!(
            f.value("phase").unwrap(),
            "Installing OpenStack project source"
        );
        assert_eq!(
            f.value("clone_url").unwrap(),
            "git://git.openstack.org/openstack/requirements.git"
        );
    }

    #[test]
    fn no_proxy_coverage() {
        assert!(list_covers("localhost,10.10.105.71", "10.10.105.71"));
        assert!(list_covers("10.10.0.0/16", "10.10.105.71"));
        assert!(list_covers("*", "x"));
        assert!(list_covers(".example.com", "keystone.example.com"));
        assert!(!list_covers("", "10.10.105.71"));
        assert!(!list_covers("10.10.105.7", "10.10.105.71"));
    }
}
