//! Structured events: what one line of a log is, after its layers are
//! peeled. Events borrow from the line they describe; `stacklog parse`
//! serialises them as JSON Lines (schema in `docs/events.md`).

use serde::Serialize;

/// The PS4 form a trace line was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TraceForm {
    /// `+ file:func:line<pad> :   cmd` (2016-03 to now, LOG_COLOR=False).
    ShortSource,
    /// `+file:func:line<pad>  cmd`: the colour form with escapes stripped,
    /// which is also how the 2016 seed log reads.
    ShortSourceColour,
    /// `+ file:func:L123:   cmd` (2016-02).
    LineTagged,
    /// `+(file:123): func(): cmd` (2016-01).
    Parenthesised,
    /// bash's default `+ cmd`.
    Bare,
}

/// One event. `line` is the 1-based line number in the input.
#[derive(Debug, Clone, Serialize)]
pub struct Event<'a> {
    pub line: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ts: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<&'a str>,
    #[serde(flatten)]
    pub kind: EventKind<'a>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind<'a> {
    /// A traced command. `depth` is the number of `+`: command-substitution
    /// nesting, not call depth.
    Xtrace {
        depth: u8,
        form: TraceForm,
        #[serde(skip_serializing_if = "Option::is_none")]
        file: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        func: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        src_line: Option<u32>,
        command: &'a str,
    },
    /// Output printed by the traced command on line `of`.
    Output {
        of: u64,
        text: &'a str,
    },
    /// `[Call Trace]`.
    CallTrace,
    /// One frame under `[Call Trace]`: `file:line:func`, outermost first.
    Frame {
        file: &'a str,
        src_line: u32,
        func: &'a str,
    },
    /// `[ERROR] file:line message` (or `file:message` when `die` had no line).
    Error {
        file: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        src_line: Option<u32>,
        message: &'a str,
    },
    /// A further line of a multi-line `[ERROR]` message.
    ErrorContinuation {
        text: &'a str,
    },
    /// `[WARNING] file:line message`.
    Warning {
        file: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        src_line: Option<u32>,
        message: &'a str,
    },
    /// `WARNING: message` (deprecations, distro warnings).
    Deprecated {
        message: &'a str,
    },
    /// `stack.sh failed: full log in PATH` (the ERR trap).
    ScriptFailed {
        script: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        logfile: Option<&'a str>,
    },
    /// `Error on exit`.
    ErrorOnExit,
    /// `exit_trap: cleaning up child processes`.
    ExitCleanup,
    /// `World dumping... see PATH for details`.
    WorldDump {
        path: &'a str,
    },
    /// `SCRIPT: line N: generate-subunit: command not found`.
    SubunitMissing {
        script: &'a str,
        src_line: u32,
    },
    /// `SCRIPT: line N: message` from bash itself.
    BashError {
        script: &'a str,
        src_line: u32,
        message: &'a str,
    },
    /// One line of the `You are already running a stack.sh session.` block.
    AlreadyRunning {
        text: &'a str,
    },
    /// `Error: Service X is not running`.
    ServiceNotRunning {
        service: &'a str,
    },
    /// `Waiting for X to start...`.
    Waiting {
        what: &'a str,
    },
    /// `[PID Async NAME:PID]: message`.
    Async {
        name: &'a str,
        pid: &'a str,
        message: &'a str,
    },
    /// `DevStack Component Timing` / `DevStack Components Timed`.
    TimingHeader {
        title: &'a str,
    },
    /// One row of the timing table (`name  N` or `name - N secs`).
    TimingRow {
        name: &'a str,
        seconds: i64,
    },
    /// A `====` or `----` rule line.
    Rule,
    /// One line of the success block (`This is your host IP address: ...`).
    SuccessInfo {
        key: &'a str,
        value: &'a str,
    },
    /// `stack.sh completed in N seconds.`
    Completed {
        seconds: u64,
    },
    /// Known noise: tput without TERM, short_source in child shells.
    Noise {
        what: &'a str,
    },
    Blank,
    /// Anything else, outside any traced command.
    Text {
        text: &'a str,
    },
}

impl EventKind<'_> {
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Xtrace { .. } => "xtrace",
            EventKind::Output { .. } => "output",
            EventKind::CallTrace => "call_trace",
            EventKind::Frame { .. } => "frame",
            EventKind::Error { .. } => "error",
            EventKind::ErrorContinuation { .. } => "error_continuation",
            EventKind::Warning { .. } => "warning",
            EventKind::Deprecated { .. } => "deprecated",
            EventKind::ScriptFailed { .. } => "script_failed",
            EventKind::ErrorOnExit => "error_on_exit",
            EventKind::ExitCleanup => "exit_cleanup",
            EventKind::WorldDump { .. } => "world_dump",
            EventKind::SubunitMissing { .. } => "subunit_missing",
            EventKind::BashError { .. } => "bash_error",
            EventKind::AlreadyRunning { .. } => "already_running",
            EventKind::ServiceNotRunning { .. } => "service_not_running",
            EventKind::Waiting { .. } => "waiting",
            EventKind::Async { .. } => "async",
            EventKind::TimingHeader { .. } => "timing_header",
            EventKind::TimingRow { .. } => "timing_row",
            EventKind::Rule => "rule",
            EventKind::SuccessInfo { .. } => "success_info",
            EventKind::Completed { .. } => "completed",
            EventKind::Noise { .. } => "noise",
            EventKind::Blank => "blank",
            EventKind::Text { .. } => "text",
        }
    }
}
