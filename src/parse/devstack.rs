//! The stack.sh log grammar (devstack-formats.md §1-§8), written bottom-up
//! as nom parsers named after the productions they parse, plus a small state
//! machine for the multi-line blocks (`[Call Trace]` frames, multi-line
//! `[ERROR]` messages, the timing table) and for attaching output to the
//! traced command that printed it.

use nom::{
    IResult, Parser,
    branch::alt,
    bytes::complete::{tag, take_till, take_while, take_while1},
    character::complete::{char, digit0, digit1, space0, space1},
    combinator::{all_consuming, map, map_res, opt, rest, verify},
    sequence::{delimited, preceded, terminated},
};

use crate::event::{EventKind, TraceForm};

/// Parser state carried from line to line.
#[derive(Debug, Default, Clone)]
pub struct DevstackParser {
    in_call_trace: bool,
    /// Lines left that may continue an `[ERROR]` message.
    error_continuation: u8,
    in_timing: bool,
    already_running: bool,
    /// Line number of the most recent trace line.
    last_command: Option<u64>,
}

impl DevstackParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Turns one peeled line body into an event kind.
    pub fn parse_line<'a>(&mut self, number: u64, body: &'a str) -> EventKind<'a> {
        let kind = self.classify(body);
        match &kind {
            EventKind::Xtrace { .. } => {
                self.last_command = Some(number);
                self.in_timing = false;
            }
            EventKind::CallTrace => self.in_call_trace = true,
            EventKind::Error { .. } => self.error_continuation = 16,
            _ => {}
        }
        if !matches!(kind, EventKind::CallTrace | EventKind::Frame { .. }) {
            self.in_call_trace = false;
        }
        if !matches!(
            kind,
            EventKind::Error { .. } | EventKind::ErrorContinuation { .. }
        ) {
            self.error_continuation = 0;
        }
        match kind {
            EventKind::Text { text } => match self.last_command {
                Some(of) => EventKind::Output { of, text },
                None => EventKind::Text { text },
            },
            k => k,
        }
    }

    fn classify<'a>(&mut self, body: &'a str) -> EventKind<'a> {
        if body.trim().is_empty() {
            return EventKind::Blank;
        }
        if self.in_call_trace
            && let Ok((_, (file, src_line, func))) = frame(body)
        {
            return EventKind::Frame {
                file,
                src_line,
                func,
            };
        }
        if body.starts_with('+')
            && let Some(k) = xtrace_short_source_fast(body).or_else(|| xtrace(body))
        {
            return k;
        }
        if let Some(k) = marker(body) {
            match k {
                EventKind::TimingHeader { .. } => self.in_timing = true,
                EventKind::Completed { .. } | EventKind::SuccessInfo { .. } => {
                    self.in_timing = false
                }
                EventKind::AlreadyRunning { .. } => self.already_running = true,
                _ => {}
            }
            return k;
        }
        if self.already_running && (body.starts_with("To rejoin") || body.starts_with("To destroy"))
        {
            return EventKind::AlreadyRunning { text: body };
        }
        if self.in_timing
            && let Ok((_, (name, seconds))) = timing_row(body)
        {
            return EventKind::TimingRow { name, seconds };
        }
        if self.error_continuation > 0 && !body.starts_with('[') {
            self.error_continuation -= 1;
            return EventKind::ErrorContinuation { text: body };
        }
        EventKind::Text { text: body }
    }
}

/// Parses a single line with no context (used by property tests and for
/// one-off classification).
pub fn parse_line(body: &str) -> EventKind<'_> {
    DevstackParser::new().parse_line(1, body)
}

type Res<'a, T> = IResult<&'a str, T>;

fn depth(i: &str) -> Res<'_, u8> {
    map(take_while1(|c| c == '+'), |s: &str| s.len().min(255) as u8).parse(i)
}

fn is_loc_char(c: char) -> bool {
    !c.is_whitespace() && c != ':'
}

fn number(i: &str) -> Res<'_, u32> {
    map_res(digit1, str::parse).parse(i)
}

fn opt_number(i: &str) -> Res<'_, Option<u32>> {
    map(digit0, |d: &str| d.parse().ok()).parse(i)
}

/// `file:func:line` as printed by `short_source` (any part may be empty in
/// child shells: `::`).
fn location(i: &str) -> Res<'_, (&str, &str, Option<u32>)> {
    (
        terminated(take_while(is_loc_char), char(':')),
        terminated(take_while(is_loc_char), char(':')),
        opt_number,
    )
        .parse(i)
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

fn trace<'a>(
    depth: u8,
    form: TraceForm,
    file: &'a str,
    func: &'a str,
    src_line: Option<u32>,
    command: &'a str,
) -> EventKind<'a> {
    EventKind::Xtrace {
        depth,
        form,
        file: non_empty(file),
        func: non_empty(func),
        src_line,
        command,
    }
}

/// `+ file:func:line<pad> :   cmd`
fn xtrace_short_source(i: &str) -> Res<'_, EventKind<'_>> {
    map(
        (
            depth,
            char(' '),
            location,
            space1,
            tag(":"),
            opt(tag("   ")),
            rest,
        ),
        |(d, _, (file, func, line), _, _, _, cmd)| {
            trace(d, TraceForm::ShortSource, file, func, line, cmd)
        },
    )
    .parse(i)
}

/// [`xtrace_short_source`] written out by hand for the common all-ASCII
/// line (three of four lines of a stack.sh log): the same event, or None to
/// let the grammar decide (another form, or a location that is not ASCII).
fn xtrace_short_source_fast(i: &str) -> Option<EventKind<'_>> {
    let b = i.as_bytes();
    let depth = b.iter().position(|&c| c != b'+').unwrap_or(b.len());
    if depth == 0 || b.get(depth) != Some(&b' ') {
        return None;
    }
    // `take_while(is_loc_char)` then `:`; a non-ASCII byte goes to nom,
    // whose whitespace is Unicode's
    let field = |from: usize| -> Option<usize> {
        let len = b[from..].iter().position(|&c| {
            c == b':' || c >= 0x80 || matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
        })?;
        (b[from + len] == b':').then_some(from + len)
    };
    let file = depth + 1;
    let file_end = field(file)?;
    let func = file_end + 1;
    let func_end = field(func)?;
    let num = func_end + 1;
    let num_end = num + b[num..].iter().take_while(|c| c.is_ascii_digit()).count();
    let pad_end = num_end
        + b[num_end..]
            .iter()
            .take_while(|&&c| c == b' ' || c == b'\t')
            .count();
    if pad_end == num_end || b.get(pad_end) != Some(&b':') {
        return None;
    }
    let mut cmd = pad_end + 1;
    if b[cmd..].starts_with(b"   ") {
        cmd += 3;
    }
    Some(trace(
        depth.min(255) as u8,
        TraceForm::ShortSource,
        &i[file..file_end],
        &i[func..func_end],
        ascii_u32(&b[num..num_end]),
        &i[cmd..],
    ))
}

/// ASCII digits as a number, as `str::parse::<u32>` reads them: none when
/// empty or too big.
fn ascii_u32(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u32, |n, &d| {
        n.checked_mul(10)?.checked_add(u32::from(d - b'0'))
    })
}

/// `+ file:func:L123:   cmd`
fn xtrace_line_tagged(i: &str) -> Res<'_, EventKind<'_>> {
    map(
        (
            depth,
            char(' '),
            terminated(take_while(is_loc_char), char(':')),
            terminated(take_while(is_loc_char), char(':')),
            delimited(char('L'), opt_number, char(':')),
            space1,
            rest,
        ),
        |(d, _, file, func, line, _, cmd)| trace(d, TraceForm::LineTagged, file, func, line, cmd),
    )
    .parse(i)
}

/// `+(file:123): func(): cmd`
fn xtrace_parenthesised(i: &str) -> Res<'_, EventKind<'_>> {
    map(
        (
            depth,
            delimited(
                char('('),
                (
                    terminated(
                        take_while1(|c: char| c != ':' && c != '(' && c != ')'),
                        char(':'),
                    ),
                    number,
                ),
                char(')'),
            ),
            char(':'),
            space0,
            opt(terminated(
                take_while1(|c: char| !c.is_whitespace() && c != '(' && c != ')'),
                tag("(): "),
            )),
            rest,
        ),
        |(d, (file, line), _, _, func, cmd)| {
            trace(
                d,
                TraceForm::Parenthesised,
                file,
                func.unwrap_or(""),
                Some(line),
                cmd,
            )
        },
    )
    .parse(i)
}

/// `+file:func:line<pad>  cmd` (colour form, escapes stripped; the seed's form)
fn xtrace_short_source_colour(i: &str) -> Res<'_, EventKind<'_>> {
    map(
        (
            depth,
            verify(location, |(file, _, line): &(&str, &str, Option<u32>)| {
                line.is_some() || file.is_empty()
            }),
            space1,
            rest,
        ),
        |(d, (file, func, line), _, cmd)| {
            trace(d, TraceForm::ShortSourceColour, file, func, line, cmd)
        },
    )
    .parse(i)
}

/// `+ cmd` (bash's default PS4). Table borders (`+----+`) are not traces.
fn xtrace_bare(i: &str) -> Res<'_, EventKind<'_>> {
    map(
        (
            depth,
            char(' '),
            verify(rest, |c: &str| !c.trim().is_empty()),
        ),
        |(d, _, cmd)| trace(d, TraceForm::Bare, "", "", None, cmd),
    )
    .parse(i)
}

fn xtrace(body: &str) -> Option<EventKind<'_>> {
    alt((
        xtrace_short_source,
        xtrace_line_tagged,
        xtrace_parenthesised,
        xtrace_short_source_colour,
        xtrace_bare,
    ))
    .parse(body)
    .ok()
    .map(|(_, k)| k)
}

/// A `[Call Trace]` frame: `file:line:func`.
fn frame(i: &str) -> Res<'_, (&str, u32, &str)> {
    all_consuming((
        terminated(take_while1(is_loc_char), char(':')),
        terminated(number, char(':')),
        take_while1(|c: char| !c.is_whitespace()),
    ))
    .parse(i)
}

/// `[ERROR] file:line msg` or `[ERROR] file:msg` (die without $LINENO).
fn error_line(i: &str) -> Res<'_, EventKind<'_>> {
    map(
        preceded(
            tag("[ERROR] "),
            (
                terminated(take_while1(is_loc_char), char(':')),
                opt(terminated(number, opt(char(' ')))),
                rest,
            ),
        ),
        |(file, src_line, message)| EventKind::Error {
            file,
            src_line,
            message: message.trim_end(),
        },
    )
    .parse(i)
}

fn warning_line(i: &str) -> Res<'_, EventKind<'_>> {
    map(
        preceded(
            tag("[WARNING] "),
            (
                terminated(take_while1(is_loc_char), char(':')),
                opt(terminated(number, opt(char(' ')))),
                rest,
            ),
        ),
        |(file, src_line, message)| EventKind::Warning {
            file,
            src_line,
            message: message.trim_end(),
        },
    )
    .parse(i)
}

/// `SCRIPT: line N: message` from bash.
fn bash_error(i: &str) -> Res<'_, (&str, u32, &str)> {
    (
        terminated(
            take_till(|c: char| c == ':' || c.is_whitespace()),
            tag(": line "),
        ),
        terminated(number, tag(": ")),
        rest,
    )
        .parse(i)
}

/// `stack.sh failed: full log in PATH` / `stack.sh failed`.
fn script_failed(i: &str) -> Res<'_, EventKind<'_>> {
    map(
        (
            verify(take_till(|c: char| c.is_whitespace()), |s: &str| {
                s.ends_with(".sh")
            }),
            tag(" failed"),
            opt(preceded(
                tag(": full log in "),
                take_while1(|c: char| !c.is_whitespace()),
            )),
        ),
        |(script, _, logfile)| EventKind::ScriptFailed { script, logfile },
    )
    .parse(i)
}

/// `name   N` or `name - N secs` inside the timing table.
fn timing_row(i: &str) -> Res<'_, (&str, i64)> {
    alt((
        all_consuming(map(
            (
                take_till(|c: char| c.is_whitespace()),
                tag(" - "),
                digit1,
                tag(" secs"),
            ),
            |(name, _, n, _): (&str, _, &str, _)| (name, n.parse().unwrap_or(0)),
        )),
        map_res(all_consuming(rest), |s: &str| {
            let t = s.trim_end();
            let (name, n) = t.rsplit_once(|c: char| c.is_whitespace()).ok_or(())?;
            let secs: i64 = n.parse().map_err(|_| ())?;
            let name = name.trim();
            if name.is_empty() {
                Err(())
            } else {
                Ok((name, secs))
            }
        }),
    ))
    .parse(i)
}

const SUCCESS_KEYS: &[&str] = &[
    "This is your host IP address",
    "This is your host IPv6 address",
    "Horizon is now available at",
    "Keystone is serving at",
    "The default users are",
    "The password",
    "DevStack Version",
    "OS Version",
    "Change",
];

/// Fixed-text and simple-shape lines of the failure and success machinery.
fn marker(body: &str) -> Option<EventKind<'_>> {
    let t = body.trim_end();
    let kind = match t {
        "[Call Trace]" => EventKind::CallTrace,
        "Error on exit" => EventKind::ErrorOnExit,
        "exit_trap: cleaning up child processes" => EventKind::ExitCleanup,
        "You are already running a stack.sh session." => EventKind::AlreadyRunning { text: t },
        "DevStack Component Timing" | "DevStack Components Timed" => {
            EventKind::TimingHeader { title: t }
        }
        "Services are running under systemd unit files." | "*** FINISHED ***" => {
            EventKind::SuccessInfo { key: t, value: "" }
        }
        "tput: No value for $TERM and no -T specified" => EventKind::Noise { what: "tput" },
        _ => return marker_shaped(t),
    };
    Some(kind)
}

fn marker_shaped(t: &str) -> Option<EventKind<'_>> {
    let b = t.as_bytes();
    match b.first()? {
        b'[' => {
            if let Ok((_, k)) = error_line(t) {
                return Some(k);
            }
            if let Ok((_, k)) = warning_line(t) {
                return Some(k);
            }
            if let Ok((_, (pid, name, apid, msg))) = async_line(t) {
                let _ = pid;
                return Some(EventKind::Async {
                    name,
                    pid: apid,
                    message: msg,
                });
            }
            None
        }
        b'=' | b'-' if b.iter().all(|&c| c == b'=') || b.iter().all(|&c| c == b'-') => {
            Some(EventKind::Rule)
        }
        _ => {
            if let Some(path) = t
                .strip_prefix("World dumping... see ")
                .and_then(|r| r.strip_suffix(" for details"))
            {
                return Some(EventKind::WorldDump { path });
            }
            if let Some(msg) = t.strip_prefix("WARNING: ") {
                return Some(EventKind::Deprecated { message: msg });
            }
            if let Some(svc) = t
                .strip_prefix("Error: Service ")
                .and_then(|r| r.strip_suffix(" is not running"))
            {
                return Some(EventKind::ServiceNotRunning { service: svc });
            }
            if let Some(what) = t
                .strip_prefix("Waiting for ")
                .and_then(|r| r.strip_suffix(" to start..."))
            {
                return Some(EventKind::Waiting { what });
            }
            if let Some(n) = t
                .strip_prefix("stack.sh completed in ")
                .and_then(|r| r.strip_suffix(" seconds."))
                && let Ok(seconds) = n.parse()
            {
                return Some(EventKind::Completed { seconds });
            }
            if t.ends_with("short_source: command not found") {
                return Some(EventKind::Noise {
                    what: "short_source",
                });
            }
            if let Ok((_, (script, src_line, message))) = bash_error(t) {
                if message == "generate-subunit: command not found" {
                    return Some(EventKind::SubunitMissing { script, src_line });
                }
                return Some(EventKind::BashError {
                    script,
                    src_line,
                    message,
                });
            }
            if let Ok((_, k)) = script_failed(t) {
                if let EventKind::ScriptFailed { logfile: None, .. } = k
                    && !t.ends_with(" failed")
                {
                    return None;
                }
                return Some(k);
            }
            for key in SUCCESS_KEYS {
                if let Some(value) = t.strip_prefix(key).and_then(|r| r.strip_prefix(':')) {
                    return Some(EventKind::SuccessInfo {
                        key,
                        value: value.trim(),
                    });
                }
            }
            None
        }
    }
}

/// `[BASHPID Async NAME:PID]: message`
fn async_line(i: &str) -> Res<'_, (&str, &str, &str, &str)> {
    (
        preceded(char('['), terminated(digit1, tag(" Async "))),
        terminated(take_while1(|c: char| c != ':' && c != ']'), char(':')),
        terminated(take_while1(|c: char| c != ']'), tag("]: ")),
        rest,
    )
        .parse(i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Trace lines built field by field, each field drawn from real and
    /// awkward pieces (tabs, Unicode spaces, empty parts, a number too big
    /// for u32): the fast path and the grammar must agree on every one the
    /// fast path accepts, and it must accept every ASCII one the grammar
    /// reads as the short-source form.
    fn trace_like() -> impl Strategy<Value = String> {
        fn one(pieces: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
            prop::sample::select(pieces)
        }
        (
            one(&["+", "++", "+++", "", "-"]),
            one(&[" ", "", "  ", "\t"]),
            one(&[
                "functions-common",
                "./stack.sh",
                "",
                "lib/é",
                "a b",
                "x\u{a0}y",
            ]),
            one(&[":", "", "::"]),
            one(&["git_clone", "main", "", "f\u{2003}g", "(x)"]),
            one(&[":", "", ":L"]),
            one(&["617", "", "4294967296", "12a"]),
            one(&["           ", " ", "\t", "", " \t "]),
            one(&[":", "", " :"]),
            one(&["   ", "", "  ", "    ", " \x0b"]),
            one(&["echo hi", "", "[[ -n x ]]", "é", "exit_trap"]),
        )
            .prop_map(|t| [t.0, t.1, t.2, t.3, t.4, t.5, t.6, t.7, t.8, t.9, t.10].concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn fast_short_source_agrees_with_the_grammar(s in trace_like()) {
            let fast = xtrace_short_source_fast(&s);
            let slow = xtrace_short_source(&s).ok().map(|(_, k)| k);
            match fast {
                Some(k) => prop_assert_eq!(Some(k), slow, "{:?}", s),
                None => prop_assert!(
                    slow.is_none() || !s.is_ascii(),
                    "grammar reads {:?} but the fast path does not", s
                ),
            }
        }
    }

    fn xt(body: &str) -> (u8, TraceForm, Option<&str>, Option<&str>, Option<u32>, &str) {
        match parse_line(body) {
            EventKind::Xtrace {
                depth,
                form,
                file,
                func,
                src_line,
                command,
            } => (depth, form, file, func, src_line, command),
            other => panic!("not a trace: {other:?}"),
        }
    }

    #[test]
    fn short_source_plain() {
        let (d, f, file, func, line, cmd) =
            xt("++ lib/glance:get_project_id:12             :   id=5f2b");
        assert_eq!((d, f), (2, TraceForm::ShortSource));
        assert_eq!(
            (file, func, line),
            (Some("lib/glance"), Some("get_project_id"), Some(12))
        );
        assert_eq!(cmd, "id=5f2b");
    }

    #[test]
    fn seed_form() {
        let (d, f, file, func, line, cmd) = xt(
            "+functions-common:git_timed:599            timeout -s SIGINT 0 git clone git://git.openstack.org/openstack/requirements.git /opt/stack/requirements",
        );
        assert_eq!((d, f), (1, TraceForm::ShortSourceColour));
        assert_eq!(
            (file, func, line),
            (Some("functions-common"), Some("git_timed"), Some(599))
        );
        assert!(cmd.starts_with("timeout -s SIGINT 0 git clone"));
    }

    #[test]
    fn child_shell_location() {
        let (_, f, file, func, line, cmd) =
            xt("+ ::                                       :   sleep 1");
        assert_eq!(f, TraceForm::ShortSource);
        assert_eq!((file, func, line, cmd), (None, None, None, "sleep 1"));
    }

    #[test]
    fn line_tagged_and_parenthesised() {
        let (_, f, file, func, line, cmd) =
            xt("+ /opt/stack/new/devstack/functions-common:get_field:L675:   local data field");
        assert_eq!(f, TraceForm::LineTagged);
        assert_eq!(
            (file, func, line, cmd),
            (
                Some("/opt/stack/new/devstack/functions-common"),
                Some("get_field"),
                Some(675),
                "local data field"
            )
        );
        let (d, f, file, func, line, cmd) =
            xt("+++(/opt/stack/old/devstack/functions-common:675): get_field(): local data field");
        assert_eq!((d, f), (3, TraceForm::Parenthesised));
        assert_eq!(
            (file, func, line, cmd),
            (
                Some("/opt/stack/old/devstack/functions-common"),
                Some("get_field"),
                Some(675),
                "local data field"
            )
        );
        let (_, _, _, func, _, cmd) = xt("+(./stack.sh:6): true");
        assert_eq!((func, cmd), (None, "true"));
    }

    #[test]
    fn bare_and_not_table_border() {
        let (d, f, _, _, _, cmd) = xt("++ echo in-subst");
        assert_eq!((d, f, cmd), (2, TraceForm::Bare, "echo in-subst"));
        assert!(matches!(
            parse_line("+----+------+"),
            EventKind::Text { .. }
        ));
    }

    #[test]
    fn error_lines() {
        assert_eq!(
            parse_line(
                "[ERROR] /opt/stack/devstack/functions-common:603 git call failed: [git clone x]"
            ),
            EventKind::Error {
                file: "/opt/stack/devstack/functions-common",
                src_line: Some(603),
                message: "git call failed: [git clone x]"
            }
        );
        assert_eq!(
            parse_line(
                "[ERROR] /opt/stack/devstack/functions-common:Detected fatal package install failure "
            ),
            EventKind::Error {
                file: "/opt/stack/devstack/functions-common",
                src_line: None,
                message: "Detected fatal package install failure"
            }
        );
    }

    #[test]
    fn call_trace_frames_then_error() {
        let mut p = DevstackParser::new();
        assert_eq!(p.parse_line(1, "[Call Trace]"), EventKind::CallTrace);
        assert_eq!(
            p.parse_line(2, "./stack.sh:708:git_clone"),
            EventKind::Frame {
                file: "./stack.sh",
                src_line: 708,
                func: "git_clone"
            }
        );
        assert!(matches!(
            p.parse_line(3, "[ERROR] /x/functions-common:603 boom"),
            EventKind::Error { .. }
        ));
        assert!(matches!(
            p.parse_line(4, "second line of the message"),
            EventKind::ErrorContinuation { .. }
        ));
        assert_eq!(p.parse_line(5, "Error on exit"), EventKind::ErrorOnExit);
    }

    #[test]
    fn tail_markers() {
        assert_eq!(
            parse_line(
                "World dumping... see /opt/stack/logs/worlddump-2016-04-29-080139.txt for details"
            ),
            EventKind::WorldDump {
                path: "/opt/stack/logs/worlddump-2016-04-29-080139.txt"
            }
        );
        assert_eq!(
            parse_line("./stack.sh: line 488: generate-subunit: command not found"),
            EventKind::SubunitMissing {
                script: "./stack.sh",
                src_line: 488
            }
        );
        assert_eq!(
            parse_line(
                "stack.sh failed: full log in /opt/stack/logs/stack.sh.log.2026-11-29-043808"
            ),
            EventKind::ScriptFailed {
                script: "stack.sh",
                logfile: Some("/opt/stack/logs/stack.sh.log.2026-11-29-043808")
            }
        );
        assert_eq!(
            parse_line("stack.sh completed in 2574 seconds."),
            EventKind::Completed { seconds: 2574 }
        );
        assert_eq!(
            parse_line("[1234 Async install_nova:5678]: FAILED with rc 1"),
            EventKind::Async {
                name: "install_nova",
                pid: "5678",
                message: "FAILED with rc 1"
            }
        );
    }

    #[test]
    fn ascii_u32_reads_as_parse_does() {
        for s in [
            "",
            "0",
            "007",
            "617",
            "4294967295",
            "4294967296",
            "99999999999",
        ] {
            assert_eq!(ascii_u32(s.as_bytes()), s.parse::<u32>().ok(), "{s:?}");
        }
    }

    #[test]
    fn timing_tables_both_eras() {
        let mut p = DevstackParser::new();
        assert!(matches!(
            p.parse_line(1, "DevStack Component Timing"),
            EventKind::TimingHeader { .. }
        ));
        assert_eq!(
            p.parse_line(2, "Total runtime         1502"),
            EventKind::TimingRow {
                name: "Total runtime",
                seconds: 1502
            }
        );
        assert_eq!(
            p.parse_line(3, "pip_install - 309 secs"),
            EventKind::TimingRow {
                name: "pip_install",
                seconds: 309
            }
        );
        assert_eq!(
            p.parse_line(4, "========================="),
            EventKind::Rule
        );
    }

    #[test]
    fn output_attaches_to_last_command() {
        let mut p = DevstackParser::new();
        p.parse_line(7, "+ ./stack.sh:main:60                       :   uname -s");
        assert_eq!(
            p.parse_line(8, "Linux"),
            EventKind::Output {
                of: 7,
                text: "Linux"
            }
        );
    }
}
