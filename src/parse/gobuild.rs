//! Go build logs: the output of `go build/install/get/test/vet -x -v`, from
//! the go1.4 `6g`/`6l` era to go1.23 (go-build-formats.md §3-§8). One peeled
//! line in, one [`GoEvent`] out: nom parsers named after the line kinds of
//! §3.2, and a small state machine for what spans lines — heredoc bodies,
//! `# pkg` error groups, import stacks, the stateful `cd`, test output and
//! panics. Along the way the parser keeps what the log reveals: facts (Go
//! version, GOPATH or module mode, GOROOT, `$WORK` ...), where the build
//! failed, and a bounded summary of the build (packages, action dirs,
//! importcfg edges, the link step) for `stacklog parse`.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use nom::{
    IResult, Parser,
    branch::alt,
    bytes::complete::{tag, take_till, take_till1, take_while1},
    character::complete::{char, digit1, space1},
    combinator::{all_consuming, map, map_res, opt, rest, value, verify},
    sequence::{delimited, preceded, terminated},
};
use serde::Serialize;

/// Bounds on what the summary keeps, so memory stays flat on huge logs.
const MAX_PACKAGES: usize = 4096;
const MAX_ENTRIES: usize = 4096;
const MAX_ACTIONS: usize = 8192;
const MAX_LINKS: usize = 256;
const MAX_GROUPS: usize = 1024;
const MAX_TESTS: usize = 4096;
const MAX_OUTPUTS: usize = 1024;
const MAX_CANDIDATES: usize = 64;
const MAX_FILES: usize = 1024;
/// At most this many importcfg lines and file names are kept in all (about
/// 20 MB), however many packages a log builds.
const MAX_KEPT: usize = 200_000;
const MAX_SEARCHED: usize = 16;
/// Fact and failure texts are cut to this many bytes.
const MAX_TEXT: usize = 1000;

// ---------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------

/// What one line of a Go build log is.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GoEvent<'a> {
    /// `WORK=/tmp/go-build123`: the temporary work directory (`-x`, `-n`, `-work`).
    Work {
        dir: &'a str,
    },
    /// A `-v` package line: the package starts building (`command-line-arguments`
    /// for files named on the command line, `_/abs/dir` for GOPATH-mode local dirs).
    Package {
        path: &'a str,
    },
    /// A go command as typed or echoed: `$ go build -x -v app1`, a make recipe echo.
    GoCommand {
        command: &'a str,
    },
    /// `go version go1.21.0 linux/amd64`.
    GoVersion {
        version: &'a str,
        os_arch: &'a str,
    },
    /// `mkdir -p $WORK/b002/`.
    Mkdir {
        dir: &'a str,
    },
    /// `cat >$WORK/b002/importcfg << 'EOF' # internal`.
    HeredocBegin {
        file: &'a str,
    },
    /// A line of a heredoc body that is not an importcfg directive.
    HeredocLine {
        text: &'a str,
    },
    /// `packagefile path=archive` inside an importcfg heredoc.
    ImportcfgEntry {
        import: &'a str,
        archive: &'a str,
    },
    /// `importmap path=real` inside an importcfg heredoc (vendoring, test variants).
    Importmap {
        import: &'a str,
        target: &'a str,
    },
    /// `modinfo "..."` inside importcfg.link: the module list and build settings.
    Modinfo {
        text: &'a str,
    },
    /// The heredoc terminator (`EOF`, or go1.15's `\tEOF`).
    HeredocEnd,
    /// go1.22+ `echo -n > F # internal`, `echo 'text' > F`, and the cgo
    /// `dynimportfail` marker.
    EchoWrite {
        file: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        text: Option<&'a str>,
    },
    /// `cd DIR`: the directory of the following commands.
    Cd {
        dir: &'a str,
    },
    /// A tool invocation: compile, asm, cgo, link, pack, buildid, vet, a C compiler, 6g/6l ...
    Tool(Box<ToolCall<'a>>),
    /// `cp A B`: a cache store when `internal`, else an install copy.
    Cp {
        from: &'a str,
        to: &'a str,
        internal: bool,
    },
    /// `mv A B`: the final placement of a binary or an installed archive.
    Mv {
        from: &'a str,
        to: &'a str,
    },
    /// `rm -r $WORK/b001/`.
    Rm {
        path: &'a str,
    },
    /// Rare echoes: `touch`, `ln -s`, `cat F  # internal` replays, VCS commands, `# get URL`.
    Shell {
        command: &'a str,
    },
    /// `$WORK/b001/x.test -test.v=true ...`: a test binary runs.
    TestExec {
        binary: &'a str,
        args: &'a str,
    },
    /// The `-n` banner: bare `#` lines around `# pkg`.
    Banner {
        #[serde(skip_serializing_if = "Option::is_none")]
        package: Option<&'a str>,
    },
    /// `# pkg` or `# pkg [pkg.test]`: a tool-output block follows.
    ErrorHeader {
        package: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        variant: Option<&'a str>,
    },
    /// go1.20+: `go build pkg:` before a `# desc` block.
    BuildPrefix {
        package: &'a str,
    },
    /// `file:line[:col]: message` from the compiler, vet, asm, gcc or ld.
    CompileError {
        file: &'a str,
        /// Serialised as `src_line`: `line` is the event's own line number.
        #[serde(rename = "src_line")]
        line: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        col: Option<u32>,
        message: &'a str,
    },
    /// An error line without a position: ld, collect2, the linker, cgo.
    ToolError {
        text: &'a str,
    },
    /// Other tool output inside an error group.
    ToolOutput {
        text: &'a str,
    },
    /// gcc's source excerpt and caret (`    4 | #include "x.h"`).
    SourceExcerpt {
        text: &'a str,
    },
    /// A tab- or space-indented line continuing the previous message.
    Continuation {
        text: &'a str,
    },
    /// A go command loading error (`cannot find package`, `found packages`, ...).
    LoadError {
        error: LoadKind,
        #[serde(skip_serializing_if = "Option::is_none")]
        file: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[serde(rename = "src_line")]
        line: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        col: Option<u32>,
        /// The import path, module, or directory the error is about.
        #[serde(skip_serializing_if = "Option::is_none")]
        path: Option<&'a str>,
        message: &'a str,
    },
    /// `package X`: the first line of an import stack.
    ImportStack {
        package: &'a str,
    },
    /// `\timports Y` / `\timports Y: import cycle not allowed`.
    Imports {
        package: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        message: Option<&'a str>,
    },
    /// `go: ...` errors and `can't load package`-style messages not classified further.
    GoError {
        message: &'a str,
    },
    /// `go: warning: ...`.
    GoWarning {
        message: &'a str,
    },
    /// `go: downloading module version` (also toolchains: `go1.22.0 (linux/amd64)`).
    ModuleDownload {
        module: &'a str,
        version: &'a str,
    },
    /// `go: finding module for package X` (and go1.11-era `go: finding m v`).
    ModuleFinding {
        what: &'a str,
    },
    /// `go: found P in M V`, `go: added M V`, `go: upgraded M v1 => v2` ...
    ModuleChange {
        action: &'a str,
        module: &'a str,
        version: &'a str,
    },
    /// `note: module requires Go 1.99` (≤1.20).
    Note {
        message: &'a str,
    },
    /// `=== RUN   TestX` (also PAUSE, CONT, NAME).
    TestRun {
        action: &'a str,
        test: &'a str,
    },
    /// `--- FAIL: TestX (0.00s)`, indented 4 spaces per subtest level.
    TestResult {
        status: TestStatus,
        test: &'a str,
        duration: &'a str,
        depth: u8,
    },
    /// `    x_test.go:13: message`: t.Log/t.Error output.
    TestLog {
        file: &'a str,
        /// Serialised as `src_line`: `line` is the event's own line number.
        #[serde(rename = "src_line")]
        line: u32,
        message: &'a str,
    },
    /// A lone `PASS` or `FAIL` from a test binary.
    TestVerdict {
        passed: bool,
    },
    /// `ok  \tpkg\t0.01s`, `FAIL\tpkg [build failed]`, `?   \tpkg\t[no test files]`.
    TestSummary {
        status: SummaryStatus,
        package: &'a str,
        detail: &'a str,
    },
    /// `panic: message [recovered]`.
    Panic {
        message: &'a str,
        recovered: bool,
    },
    /// `fatal error: all goroutines are asleep - deadlock!` (the runtime, no position).
    Fatal {
        message: &'a str,
    },
    /// `goroutine 18 [running]:`.
    Goroutine {
        id: u64,
        state: &'a str,
    },
    /// A call in a goroutine dump: `pkg.Func(...)`, `created by ...`.
    StackFrame {
        call: &'a str,
    },
    /// `\t/path/file.go:12 +0x1d` in a goroutine dump.
    StackLocation {
        file: &'a str,
        /// Serialised as `src_line`: `line` is the event's own line number.
        #[serde(rename = "src_line")]
        line: u32,
    },
    /// `exit status 2`.
    ExitStatus {
        code: i32,
    },
    /// `make: *** [Makefile:3: build] Error 1` and other make chatter.
    Make {
        text: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        target: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        code: Option<&'a str>,
    },
    Blank,
    /// Anything else (program output, pasted prose).
    Text {
        text: &'a str,
    },
}

impl GoEvent<'_> {
    /// The snake_case name of the event kind (as serialised in `kind`).
    pub fn name(&self) -> &'static str {
        match self {
            GoEvent::Work { .. } => "work",
            GoEvent::Package { .. } => "package",
            GoEvent::GoCommand { .. } => "go_command",
            GoEvent::GoVersion { .. } => "go_version",
            GoEvent::Mkdir { .. } => "mkdir",
            GoEvent::HeredocBegin { .. } => "heredoc_begin",
            GoEvent::HeredocLine { .. } => "heredoc_line",
            GoEvent::ImportcfgEntry { .. } => "importcfg_entry",
            GoEvent::Importmap { .. } => "importmap",
            GoEvent::Modinfo { .. } => "modinfo",
            GoEvent::HeredocEnd => "heredoc_end",
            GoEvent::EchoWrite { .. } => "echo_write",
            GoEvent::Cd { .. } => "cd",
            GoEvent::Tool(_) => "tool",
            GoEvent::Cp { .. } => "cp",
            GoEvent::Mv { .. } => "mv",
            GoEvent::Rm { .. } => "rm",
            GoEvent::Shell { .. } => "shell",
            GoEvent::TestExec { .. } => "test_exec",
            GoEvent::Banner { .. } => "banner",
            GoEvent::ErrorHeader { .. } => "error_header",
            GoEvent::BuildPrefix { .. } => "build_prefix",
            GoEvent::CompileError { .. } => "compile_error",
            GoEvent::ToolError { .. } => "tool_error",
            GoEvent::ToolOutput { .. } => "tool_output",
            GoEvent::SourceExcerpt { .. } => "source_excerpt",
            GoEvent::Continuation { .. } => "continuation",
            GoEvent::LoadError { .. } => "load_error",
            GoEvent::ImportStack { .. } => "import_stack",
            GoEvent::Imports { .. } => "imports",
            GoEvent::GoError { .. } => "go_error",
            GoEvent::GoWarning { .. } => "go_warning",
            GoEvent::ModuleDownload { .. } => "module_download",
            GoEvent::ModuleFinding { .. } => "module_finding",
            GoEvent::ModuleChange { .. } => "module_change",
            GoEvent::Note { .. } => "note",
            GoEvent::TestRun { .. } => "test_run",
            GoEvent::TestResult { .. } => "test_result",
            GoEvent::TestLog { .. } => "test_log",
            GoEvent::TestVerdict { .. } => "test_verdict",
            GoEvent::TestSummary { .. } => "test_summary",
            GoEvent::Panic { .. } => "panic",
            GoEvent::Fatal { .. } => "fatal",
            GoEvent::Goroutine { .. } => "goroutine",
            GoEvent::StackFrame { .. } => "stack_frame",
            GoEvent::StackLocation { .. } => "stack_location",
            GoEvent::ExitStatus { .. } => "exit_status",
            GoEvent::Make { .. } => "make",
            GoEvent::Blank => "blank",
            GoEvent::Text { .. } => "text",
        }
    }
}

/// One tool invocation echoed by `-x`, with the flags worth keeping (§3.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToolCall<'a> {
    /// `compile`, `asm`, `cgo`, `link`, `pack`, `buildid`, `vet`, `6g`, `6l`, `gcc` ...
    pub tool: &'a str,
    /// The program as printed.
    pub path: &'a str,
    /// Environment prefix (`TERM='dumb'`, `CGO_LDFLAGS=...`, `GOROOT=...`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<&'a str>,
    /// The action directory (`b001`), or for go1.4 the object path under `$WORK`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<&'a str>,
    /// `-p` (compile, asm) or `-importpath` (cgo).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub importcfg: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trimpath: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goversion: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pack: bool,
    /// `-I`/`-L` search directories (go1.4-go1.9 and C compilers).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub search: Vec<&'a str>,
    /// Inputs, resolved against the current `cd` directory.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// The echo ended in `# internal` (done in-process by the go command).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub internal: bool,
}

/// Which go-command loading error a [`GoEvent::LoadError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadKind {
    CannotFindPackage,
    MultiplePackages,
    NoRequiredModule,
    CannotFindModule,
    MissingGoSum,
    ImportCycle,
    BuildConstraints,
    NotInGoroot,
    InternalPackage,
    ImportMain,
    NoGoFiles,
    ChecksumMismatch,
    BinaryOnly,
    Pattern,
    AmbiguousImport,
    MalformedPath,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TestStatus {
    Pass,
    Fail,
    Skip,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SummaryStatus {
    Ok,
    Fail,
    NoTests,
}

// ---------------------------------------------------------------------------
// Facts, failure, summary
// ---------------------------------------------------------------------------

/// One value the log reveals, with the line it came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GoFact {
    pub name: String,
    pub value: String,
    pub line: u64,
    pub text: String,
}

/// Where the build failed: the first error of the last failing error group,
/// go-command error or test.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GoFailure {
    pub line: u64,
    pub text: String,
    /// The tool invocation (or go command) that failed, when the log shows it.
    pub command: Option<String>,
    /// `file:line:col` of the first error.
    pub source: Option<String>,
    pub package: Option<String>,
}

/// The build as structured data (`stacklog parse`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GoSummary {
    pub go_version: Option<String>,
    pub go_mode: Option<String>,
    pub work: Option<String>,
    /// Packages in the order they started building.
    pub packages: Vec<GoPackage>,
    pub links: Vec<GoLink>,
    /// Files moved or copied out of `$WORK`: binaries and installed archives.
    pub outputs: Vec<GoOutput>,
    pub error_groups: Vec<GoErrorGroup>,
    /// `go test` package summaries.
    pub tests: Vec<GoTestSummary>,
    pub failed_package: Option<String>,
    pub failure: Option<GoFailure>,
    pub succeeded: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GoPackage {
    pub path: String,
    /// The `-v` line (or the first tool line naming the package).
    pub line: u64,
    /// The action directory (`b002`; go1.4: the object path under `$WORK`).
    pub action: Option<String>,
    /// The source directory, from the resolved files.
    pub dir: Option<String>,
    pub tools: Vec<String>,
    pub files: Vec<String>,
    pub output: Option<String>,
    /// The importcfg: each direct import and the archive it came from.
    pub imports: Vec<GoImport>,
    /// go1.4-go1.9 `-I` search path, in order (`$WORK` first shadows installed archives).
    pub search_paths: Vec<String>,
    /// `buildid -w` stamped the archive: the compile succeeded.
    pub built: bool,
    /// Stored in the build cache.
    pub cached: bool,
    pub failed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoImport {
    pub import: String,
    pub archive: String,
    /// `work` (built in this run), `cache`, `goroot`, `installed` (a `.a`
    /// under `$GOPATH/pkg`), or `other`.
    pub origin: &'static str,
    /// The action that built it, for `work`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GoLink {
    pub line: u64,
    pub action: Option<String>,
    pub output: Option<String>,
    /// The main archive(s) on the command line.
    pub inputs: Vec<String>,
    /// importcfg.link: every package linked and its archive.
    pub packages: Vec<GoImport>,
    /// go1.4-go1.9 `-L` search path.
    pub search_paths: Vec<String>,
    /// Where the binary was moved (`mv $WORK/b001/exe/a.out app1`).
    pub binary: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoOutput {
    pub line: u64,
    pub from: String,
    pub to: String,
    /// `binary`, `archive` or `file`.
    pub what: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoErrorGroup {
    /// The `# pkg` header line.
    pub line: u64,
    pub package: String,
    pub variant: Option<String>,
    pub first_error_line: Option<u64>,
    pub first_error: Option<String>,
    pub errors: u32,
    /// False for the cgo trial-link block that the go command survives.
    pub fatal: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoTestSummary {
    pub line: u64,
    pub package: String,
    pub status: SummaryStatus,
    pub detail: String,
}

// ---------------------------------------------------------------------------
// Parser state
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Heredoc {
    importcfg: bool,
    link: bool,
    action: Option<String>,
}

#[derive(Debug, Clone)]
struct Group {
    index: usize,
    package: String,
    /// The previous line was `link: running gcc failed`: 1.21+ print the
    /// external linker's command line next, as part of the block.
    expect_command: bool,
    first_error: Option<(u64, String)>,
    errors: u32,
    mentions_link: bool,
    positioned: bool,
    /// Candidate index of this group's failure.
    candidate: Option<usize>,
}

#[derive(Debug, Clone)]
struct Candidate {
    failure: GoFailure,
    nonfatal: bool,
    /// An import stack header waiting for the line that says what is wrong.
    placeholder: bool,
}

#[derive(Debug, Clone, Default)]
struct PkgRec {
    path: String,
    line: u64,
    action: Option<String>,
    files: Vec<String>,
    output: Option<String>,
    search: Vec<String>,
    tools: Vec<String>,
    built: bool,
    cached: bool,
}

#[derive(Debug, Clone, Default)]
struct LinkRec {
    line: u64,
    action: Option<String>,
    output: Option<String>,
    inputs: Vec<String>,
    search: Vec<String>,
    binary: Option<String>,
}

#[derive(Debug, Clone)]
struct FactRec {
    fact: GoFact,
    rank: u8,
}

#[derive(Debug, Clone, Default)]
struct TestState {
    /// The failing test batch is open (its first `--- FAIL` is the candidate).
    failing: Option<usize>,
    /// `file:line` and message of the first t.Log/t.Error line of the current test.
    last_log: Option<String>,
    last_message: Option<String>,
    /// The first failing test has its name and message as facts.
    named: bool,
    /// A candidate still waiting for a source (non-verbose output prints the
    /// t.Error lines after `--- FAIL`; panics print their frames after).
    wants_source: Option<usize>,
    panic: bool,
    /// The last t.Error line had no text: testify prints it on the lines below.
    message_follows: bool,
    /// The last goroutine frame's function is outside the standard library.
    frame_is_user: bool,
    exec: Option<String>,
}

/// Parser state carried from line to line.
#[derive(Debug, Default, Clone)]
pub struct GoParser {
    work: Option<String>,
    /// The directory of the last `cd` (None: the go command's own cwd).
    cwd: Option<String>,
    heredoc: Option<Heredoc>,
    group: Option<Group>,
    groups: Vec<GoErrorGroup>,
    /// A run of loader errors printed together; its first line is the candidate.
    batch: bool,
    block: u64,
    phase: u32,
    phases: HashMap<String, u32>,
    /// A binary was placed or a test binary ran: bare words are program output.
    after_build: bool,
    prev_bare_hash: bool,
    in_test: bool,
    test: TestState,
    last_tool: Option<(String, Option<String>, Option<String>)>,
    candidates: Vec<Candidate>,
    make_failure: Option<GoFailure>,
    facts: Vec<FactRec>,
    packages: Vec<PkgRec>,
    by_action: HashMap<String, usize>,
    importcfgs: HashMap<String, Vec<(String, String)>>,
    links: Vec<LinkRec>,
    link_by_action: HashMap<String, usize>,
    outputs: Vec<GoOutput>,
    /// Installed archives seen: import path -> `.a` path.
    installed: HashMap<String, String>,
    dynimport_packages: HashSet<String>,
    failed_groups: HashSet<String>,
    tests: Vec<GoTestSummary>,
    /// Importcfg lines and file names kept for the summary.
    kept: usize,
    searched: Vec<String>,
    last_missing: Option<String>,
    /// Positive evidence of success (binary placed, install, `ok` tests, go get).
    success_line: Option<u64>,
    test_failed: bool,
    saw_build_output: bool,
}

impl GoParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// One peeled line (no newline, no CR) -> its event. Total: never panics,
    /// every line an event.
    pub fn parse_line<'a>(&mut self, number: u64, body: &'a str) -> GoEvent<'a> {
        let body = strip_layers(body);
        if let Some(ev) = self.heredoc_body(number, body) {
            self.prev_bare_hash = false;
            return ev;
        }
        let ev = self.classify(body);
        self.absorb(number, body, &ev);
        ev
    }

    /// Line that starts the current block: the current `# pkg` error group
    /// header, the current package's `-v` line, a loader error batch, an
    /// import stack, a test binary run or a top-level `=== RUN`; 0 before any.
    pub fn block(&self) -> u64 {
        self.block
    }

    /// Index of the current package being built (0 before any).
    pub fn phase(&self) -> u32 {
        self.phase
    }

    /// Facts revealed so far.
    pub fn facts(&self) -> Vec<GoFact> {
        let mut out: Vec<GoFact> = self.facts.iter().map(|f| f.fact.clone()).collect();
        if let Some(f) = self.failure() {
            if let Some(p) = &f.package {
                out.push(GoFact {
                    name: "failed_package".into(),
                    value: p.clone(),
                    line: f.line,
                    text: f.text.clone(),
                });
            }
            if let Some(src) = &f.source {
                if let Some(file) = source_file(src) {
                    out.push(GoFact {
                        name: "failed_file".into(),
                        value: file.to_string(),
                        line: f.line,
                        text: f.text.clone(),
                    });
                }
                out.push(GoFact {
                    name: "failed_source".into(),
                    value: src.clone(),
                    line: f.line,
                    text: f.text.clone(),
                });
            }
        }
        out
    }

    /// Where the build failed, if it did.
    pub fn failure(&self) -> Option<GoFailure> {
        self.candidates
            .iter()
            .rev()
            .find(|c| !c.nonfatal)
            .map(|c| c.failure.clone())
            .or_else(|| self.make_failure.clone())
    }

    /// Whether the log shows a successful end.
    pub fn succeeded(&self) -> bool {
        self.success_line.is_some() && !self.test_failed && self.failure().is_none()
    }

    /// The build as structured data.
    pub fn summary(&self) -> GoSummary {
        let goroot = self.fact("goroot");
        let classify = |import: &str, archive: &str| -> GoImport {
            let (origin, action) = archive_origin(archive, self.work.as_deref(), goroot);
            GoImport {
                import: import.to_string(),
                archive: archive.to_string(),
                origin,
                action,
            }
        };
        let mut packages: Vec<GoPackage> = self
            .packages
            .iter()
            .map(|p| {
                let imports = p
                    .action
                    .as_ref()
                    .and_then(|a| self.importcfgs.get(a))
                    .map(|v| v.iter().map(|(i, a)| classify(i, a)).collect())
                    .unwrap_or_default();
                GoPackage {
                    path: p.path.clone(),
                    line: p.line,
                    action: p.action.clone(),
                    dir: p.files.iter().find(|f| f.ends_with(".go")).and_then(|f| {
                        f.rsplit_once('/')
                            .map(|(d, _)| d.to_string())
                            .filter(|d| !d.is_empty() && d != ".")
                    }),
                    tools: p.tools.clone(),
                    files: p.files.clone(),
                    output: p.output.clone(),
                    imports,
                    search_paths: p.search.clone(),
                    built: p.built,
                    cached: p.cached,
                    failed: self.failed_groups.contains(&p.path),
                }
            })
            .collect();
        let links: Vec<GoLink> = self
            .links
            .iter()
            .map(|l| GoLink {
                line: l.line,
                action: l.action.clone(),
                output: l.output.clone(),
                inputs: l.inputs.clone(),
                packages: l
                    .action
                    .as_ref()
                    .and_then(|a| self.importcfgs.get(&format!("{a}.link")))
                    .map(|v| v.iter().map(|(i, a)| classify(i, a)).collect())
                    .unwrap_or_default(),
                search_paths: l.search.clone(),
                binary: l.binary.clone(),
            })
            .collect();
        // `-p main` packages get their import path from importcfg.link
        for p in packages.iter_mut().filter(|p| p.path == "main") {
            let Some(action) = &p.action else { continue };
            let own = format!("{action}/_pkg_.a");
            if let Some(g) = links
                .iter()
                .flat_map(|l| l.packages.iter())
                .find(|g| g.archive.ends_with(&own) && g.origin == "work")
            {
                p.path = g.import.clone();
            }
        }
        let failure = self.failure();
        GoSummary {
            go_version: self.fact("go_version").map(str::to_string),
            go_mode: self.fact("go_mode").map(str::to_string),
            work: self.work.clone(),
            packages,
            links,
            outputs: self.outputs.clone(),
            error_groups: self.groups.clone(),
            tests: self.tests.clone(),
            failed_package: failure.as_ref().and_then(|f| f.package.clone()),
            failure,
            succeeded: self.succeeded(),
        }
    }

    fn fact(&self, name: &str) -> Option<&str> {
        self.facts
            .iter()
            .find(|f| f.fact.name == name)
            .map(|f| f.fact.value.as_str())
    }

    // -- heredocs ------------------------------------------------------------

    fn heredoc_body<'a>(&mut self, number: u64, body: &'a str) -> Option<GoEvent<'a>> {
        let h = self.heredoc.as_ref()?;
        if body.trim() == "EOF" {
            self.heredoc = None;
            return Some(GoEvent::HeredocEnd);
        }
        if ends_heredoc_early(body) {
            // a truncated log: the terminator never came
            self.heredoc = None;
            return None;
        }
        if h.importcfg {
            let key = h.action.as_ref().map(|a| {
                if h.link {
                    format!("{a}.link")
                } else {
                    a.clone()
                }
            });
            if let Ok((_, (import, archive))) = packagefile(body) {
                if let Some(key) = key {
                    self.record_import(number, body, key, import, archive);
                }
                return Some(GoEvent::ImportcfgEntry { import, archive });
            }
            if let Ok((_, (import, target))) = importmap(body) {
                return Some(GoEvent::Importmap { import, target });
            }
            if let Some(text) = body.strip_prefix("modinfo ") {
                self.modinfo_facts(number, body, text);
                return Some(GoEvent::Modinfo { text });
            }
        }
        Some(GoEvent::HeredocLine { text: body })
    }

    fn record_import(&mut self, number: u64, body: &str, key: String, import: &str, archive: &str) {
        if self.kept < MAX_KEPT
            && (self.importcfgs.len() < MAX_ACTIONS || self.importcfgs.contains_key(&key))
        {
            let v = self.importcfgs.entry(key).or_default();
            if v.len() < MAX_ENTRIES {
                v.push((import.to_string(), archive.to_string()));
                self.kept += 1;
            }
        }
        if let Some((root, os_arch, rel)) = split_pkg_dir(archive)
            && let Some(path) = rel.strip_suffix(".a")
            && !archive.starts_with("$WORK")
            && !self.is_work_path(archive)
        {
            self.set_fact("os_arch", os_arch, number, body, 1);
            if self.fact("goroot").is_some_and(|g| g == root) || path == import && is_std(import) {
                // a precompiled standard library archive (≤1.19)
                self.set_fact("goroot", root, number, body, 1);
            } else if path == import {
                self.installed_archive(number, body, import, archive, root);
            }
        }
    }

    fn installed_archive(
        &mut self,
        number: u64,
        body: &str,
        import: &str,
        archive: &str,
        root: &str,
    ) {
        if self.installed.len() < MAX_PACKAGES {
            self.installed
                .insert(import.to_string(), archive.to_string());
        }
        self.set_fact("installed_archive", archive, number, body, 2);
        self.set_fact("gopath", root, number, body, 1);
        self.set_fact("go_mode", "gopath", number, body, 1);
    }

    fn modinfo_facts(&mut self, number: u64, body: &str, text: &str) {
        // Go-quoted: `path\tapp\nmod\texample.com/app\t(devel)\t\ndep\t...`
        if let Some(i) = text.find("\\nmod\\t") {
            let rest = &text[i + 7..];
            let module = rest.split("\\t").next().unwrap_or("");
            if !module.is_empty() {
                self.set_fact("module", module, number, body, 2);
                self.set_fact("go_mode", "module", number, body, 2);
            }
        }
    }

    fn is_work_path(&self, p: &str) -> bool {
        self.work
            .as_deref()
            .is_some_and(|w| w != "$WORK" && p.starts_with(w))
    }

    // -- classification ------------------------------------------------------

    fn classify<'a>(&self, body: &'a str) -> GoEvent<'a> {
        let Some(first) = body.chars().next() else {
            return GoEvent::Blank;
        };
        if body.trim().is_empty() {
            return GoEvent::Blank;
        }
        if first == '\t' {
            return self.tabbed(body);
        }
        if first.is_whitespace() {
            return self.indented(body);
        }
        if first == '#' {
            return self.hash_line(body);
        }
        if self.group.as_ref().is_some_and(|g| g.expect_command) {
            return GoEvent::ToolOutput { text: body };
        }
        if let Some(ev) = self.echo_line(body) {
            return ev;
        }
        if let Some(ev) = go_message(body) {
            return ev;
        }
        if let Some(ev) = self.test_line(body) {
            return ev;
        }
        if let Some(ev) = go_command_line(body) {
            return ev;
        }
        if let Some(ev) = load_or_diag(body) {
            return ev;
        }
        if let Some(message) = body.strip_prefix("note: ") {
            return GoEvent::Note { message };
        }
        if let Ok((_, ev)) = make_line(body) {
            return ev;
        }
        if let Some(ev) = self.in_panic_frame(body) {
            return ev;
        }
        if self.group.is_some() {
            return if is_tool_error(body) {
                GoEvent::ToolError { text: body }
            } else if self.package_line(body) {
                GoEvent::Package { path: body }
            } else {
                GoEvent::ToolOutput { text: body }
            };
        }
        if is_standalone_tool_error(body) {
            return GoEvent::ToolError { text: body };
        }
        if self.package_line(body) {
            return GoEvent::Package { path: body };
        }
        GoEvent::Text { text: body }
    }

    fn tabbed<'a>(&self, body: &'a str) -> GoEvent<'a> {
        let t = &body[1..];
        if self.test.panic
            && let Ok((_, (file, line))) = stack_location(t)
        {
            return GoEvent::StackLocation { file, line };
        }
        if let Ok((_, (package, message))) = imports_line(t) {
            return GoEvent::Imports { package, message };
        }
        if self.in_test
            && let Ok((_, (file, line, message))) = test_log(t)
        {
            return GoEvent::TestLog {
                file,
                line,
                message,
            };
        }
        if let Ok((_, (file, line, col, message))) = diag(t)
            && let Some((error, path)) = load_kind(message)
        {
            return GoEvent::LoadError {
                error,
                file: Some(file),
                line: Some(line),
                col,
                path,
                message,
            };
        }
        // `go mod tidy`: `\tgithub.com/pkg/errors: cannot find module providing package ...`
        if let Some((pkg, message)) = t.split_once(": ")
            && !pkg.contains(' ')
            && let Some((error, path)) = load_kind(message)
        {
            return GoEvent::LoadError {
                error,
                file: None,
                line: None,
                col: None,
                path: path.or(Some(pkg)),
                message: t,
            };
        }
        GoEvent::Continuation { text: t.trim() }
    }

    fn indented<'a>(&self, body: &'a str) -> GoEvent<'a> {
        let t = body.trim_start();
        let indent = body.len() - t.len();
        if let Ok((_, (status, test, duration))) = test_result(t) {
            return GoEvent::TestResult {
                status,
                test,
                duration,
                depth: (indent / 4).min(255) as u8,
            };
        }
        if is_source_excerpt(body) {
            return GoEvent::SourceExcerpt { text: body };
        }
        if indent >= 4
            && (self.in_test || self.group.is_none())
            && let Ok((_, (file, line, message))) = test_log(t)
            && file.ends_with(".go")
        {
            return GoEvent::TestLog {
                file,
                line,
                message,
            };
        }
        if self.group.is_some() {
            return GoEvent::ToolOutput { text: body };
        }
        GoEvent::Continuation { text: t.trim_end() }
    }

    fn hash_line<'a>(&self, body: &'a str) -> GoEvent<'a> {
        let t = body.trim_end();
        if t == "#" {
            return GoEvent::Banner { package: None };
        }
        if t.starts_with("# get ") {
            return GoEvent::Shell { command: t };
        }
        if let Ok((_, (package, variant))) = err_header(t) {
            if self.prev_bare_hash {
                return GoEvent::Banner {
                    package: Some(package),
                };
            }
            return GoEvent::ErrorHeader { package, variant };
        }
        if t.ends_with(" not created") {
            return GoEvent::Shell { command: t };
        }
        if let Some(desc) = t.strip_prefix("# ")
            && desc.starts_with("pkg-config ")
        {
            return GoEvent::ErrorHeader {
                package: desc,
                variant: None,
            };
        }
        GoEvent::Text { text: body }
    }

    /// The `-x` echoes: WORK=, mkdir, heredocs, cd, cp/mv/rm, echo, tools.
    fn echo_line<'a>(&self, body: &'a str) -> Option<GoEvent<'a>> {
        let b = body.as_bytes();
        match b[0] {
            b'W' => {
                if let Ok((_, dir)) = work_line(body) {
                    return Some(GoEvent::Work { dir });
                }
            }
            b'm' => {
                if let Ok((_, dir)) = mkdir_line(body) {
                    return Some(GoEvent::Mkdir { dir });
                }
                if let Ok((_, (from, to))) = two_paths("mv ", body) {
                    return Some(GoEvent::Mv { from, to });
                }
            }
            b'c' => {
                if let Ok((_, file)) = heredoc_begin(body) {
                    return Some(GoEvent::HeredocBegin { file });
                }
                if body.starts_with("cat ") && body.ends_with("  # internal") {
                    return Some(GoEvent::Shell { command: body });
                }
                if let Some(dir) = body.strip_prefix("cd ") {
                    if dir.contains("; ") {
                        return Some(GoEvent::Shell { command: body });
                    }
                    return Some(GoEvent::Cd { dir: dir.trim() });
                }
                if let Some(r) = body.strip_prefix("cp ") {
                    let (r, internal) = match r.strip_suffix(" # internal") {
                        Some(r) => (r, true),
                        None => (r, false),
                    };
                    if let Some((from, to)) = r.split_once(' ')
                        && !to.contains(' ')
                    {
                        return Some(GoEvent::Cp { from, to, internal });
                    }
                }
            }
            b'r' => {
                if let Ok((_, path)) = rm_line(body) {
                    return Some(GoEvent::Rm { path });
                }
            }
            b'e' => {
                if let Ok((_, (text, file))) = echo_write(body) {
                    return Some(GoEvent::EchoWrite { file, text });
                }
            }
            b't' | b'l' if body.starts_with("touch ") || body.starts_with("ln -s ") => {
                return Some(GoEvent::Shell { command: body });
            }
            _ => {}
        }
        self.tool_call(body)
    }

    fn tool_call<'a>(&self, body: &'a str) -> Option<GoEvent<'a>> {
        let (line, internal) = match body.strip_suffix(" # internal") {
            Some(l) => (l, true),
            None => (body, false),
        };
        let line = line.strip_suffix(" || true").unwrap_or(line);
        let ws = words(line);
        let mut i = 0;
        while i < ws.len() && is_env_assign(ws[i]) {
            i += 1;
        }
        let first = *ws.get(i)?;
        let tool_at = (i..ws.len().min(i + 3)).find(|&j| ws[j].contains("/pkg/tool/"));
        let (at, tool) = match tool_at {
            Some(j) => (j, basename(ws[j])),
            None => {
                let name = basename(first);
                if is_c_compiler(name) && ws.len() > i + 1 {
                    (i, name)
                } else if name.ends_with(".test")
                    && (first.starts_with('$') || first.starts_with('/') || first.starts_with("./"))
                {
                    let args = line
                        .find(first)
                        .map(|p| line[p + first.len()..].trim_start())
                        .unwrap_or("");
                    return Some(GoEvent::TestExec {
                        binary: first,
                        args,
                    });
                } else {
                    return None;
                }
            }
        };
        if tool.is_empty() || tool.contains(':') {
            return None;
        }
        let mut call = ToolCall {
            tool,
            path: ws[at],
            env: ws[..i].to_vec(),
            action: None,
            output: None,
            package: None,
            importcfg: None,
            trimpath: None,
            lang: None,
            goversion: None,
            pack: false,
            search: vec![],
            files: vec![],
            internal,
        };
        let mut objdir = None;
        let mut positional: Vec<&str> = vec![];
        let mut it = ws[at + 1..].iter().copied();
        while let Some(w) = it.next() {
            let flag = unquote(w);
            match flag.as_ref() {
                "-o" => call.output = it.next(),
                "-p" | "-importpath" => call.package = it.next(),
                "-importcfg" => call.importcfg = it.next(),
                "-trimpath" => call.trimpath = it.next().map(unquote),
                "-goversion" => call.goversion = it.next(),
                "-objdir" => objdir = it.next(),
                "-I" | "-L" => {
                    if let Some(d) = it.next() {
                        call.search.push(d);
                    }
                }
                "-pack" => call.pack = true,
                "-dynimport" | "-dynout" => {
                    let v = it.next();
                    objdir = objdir.or(v);
                }
                "-buildid" | "-D" | "-symabis" | "-asmhdr" | "-embedcfg" | "-installsuffix"
                | "-pgoprofile" | "-dynpackage" | "-x" | "-MF" | "-include" | "-isystem"
                | "-coveragecfg" | "-r" | "-extar" => {
                    it.next();
                }
                f if f.starts_with("-lang=") => call.lang = Some(&w[6..]),
                f if f.starts_with('-') => {}
                _ => positional.push(w),
            }
        }
        let base = tool;
        if base == "pack" {
            // pack r ARCHIVE objs...
            let mut p = positional.into_iter();
            if p.clone()
                .next()
                .is_some_and(|op| op.chars().all(|c| c.is_ascii_alphabetic()))
            {
                p.next();
            }
            call.output = p.next();
            positional = p.collect();
        } else if base == "buildid" && call.output.is_none() {
            call.output = positional.first().copied();
        }
        call.files = positional
            .iter()
            .filter(|f| **f != "-" && **f != "/dev/null")
            .take(MAX_FILES)
            .map(|f| resolve(self.cwd.as_deref(), f))
            .collect();
        let action_src = objdir
            .map(str::to_string)
            .or_else(|| call.output.map(|o| resolve(self.cwd.as_deref(), o)))
            .or_else(|| call.files.first().cloned());
        call.action =
            action_src.and_then(|p| action_key(&p, self.work.as_deref()).map(str::to_string));
        Some(GoEvent::Tool(Box::new(call)))
    }

    fn test_line<'a>(&self, body: &'a str) -> Option<GoEvent<'a>> {
        let b = body.as_bytes();
        match b[0] {
            b'=' => {
                if let Ok((_, (action, test))) = test_run(body) {
                    return Some(GoEvent::TestRun { action, test });
                }
            }
            b'-' => {
                if let Ok((_, (status, test, duration))) = test_result(body) {
                    return Some(GoEvent::TestResult {
                        status,
                        test,
                        duration,
                        depth: 0,
                    });
                }
            }
            b'P' if body == "PASS" => return Some(GoEvent::TestVerdict { passed: true }),
            b'F' if body == "FAIL" => return Some(GoEvent::TestVerdict { passed: false }),
            b'p' => {
                if let Some(m) = body.strip_prefix("panic: ") {
                    let (message, recovered) = match m.strip_suffix(" [recovered]") {
                        Some(m) => (m, true),
                        None => (m, false),
                    };
                    return Some(GoEvent::Panic { message, recovered });
                }
            }
            b'f' => {
                if let Some(message) = body.strip_prefix("fatal error: ") {
                    return Some(GoEvent::Fatal { message });
                }
            }
            b'g' => {
                if let Ok((_, (id, state))) = goroutine_header(body) {
                    return Some(GoEvent::Goroutine { id, state });
                }
            }
            b'e' => {
                if let Some(code) = body.strip_prefix("exit status ")
                    && let Ok(code) = code.trim().parse()
                {
                    return Some(GoEvent::ExitStatus { code });
                }
            }
            _ => {}
        }
        if let Ok((_, (status, package, detail))) = test_summary(body) {
            return Some(GoEvent::TestSummary {
                status,
                package,
                detail,
            });
        }
        None
    }

    fn in_panic_frame<'a>(&self, body: &'a str) -> Option<GoEvent<'a>> {
        if !self.test.panic {
            return None;
        }
        let call_shaped = body.ends_with(')')
            && body
                .find('(')
                .is_some_and(|p| p > 0 && !body[..p].contains(' '));
        if call_shaped || body.starts_with("created by ") {
            return Some(GoEvent::StackFrame { call: body });
        }
        None
    }

    /// `-v` package lines are only trusted while a build is under way.
    fn package_line(&self, body: &str) -> bool {
        if self.after_build || self.in_test || self.test.panic {
            return false;
        }
        if body == "command-line-arguments" {
            return true;
        }
        if let Some(abs) = body.strip_prefix("_/") {
            return is_import_path(abs);
        }
        let path = body;
        if !is_import_path(path) {
            return false;
        }
        let first = path.split('/').next().unwrap_or("");
        if path.contains('/') {
            return true;
        }
        if first.contains('.') {
            // a domain-like single element: `gopkg.in`-style, not a sentence
            return !first.ends_with('.') && !first.starts_with('.');
        }
        // one word: only when the log is clearly a build
        self.saw_build_output
            && first
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
            && first.chars().next().is_some_and(|c| c.is_ascii_lowercase())
    }

    // -- state ---------------------------------------------------------------

    fn absorb(&mut self, n: u64, body: &str, ev: &GoEvent<'_>) {
        self.prev_bare_hash = matches!(ev, GoEvent::Banner { package: None });
        if let Some(g) = self.group.as_mut() {
            g.expect_command = matches!(ev, GoEvent::ToolError { text } if text.contains(": running ") && text.contains(" failed"));
        }
        if self.group.is_some() && ends_group(ev) {
            self.close_group(ev);
        }
        if closes_batch(ev) {
            self.batch = false;
        }
        match ev {
            GoEvent::Work { dir } => {
                self.work = Some(dir.to_string());
                self.set_fact("work", dir, n, body, 3);
                self.after_build = false;
                self.in_test = false;
                self.test.panic = false;
                self.saw_build_output = true;
                self.cwd = None;
            }
            GoEvent::Package { path } => {
                self.saw_build_output = true;
                self.block = n;
                self.enter_phase(path);
                self.add_package(n, path);
                if path.starts_with("_/") {
                    self.set_fact("go_mode", "gopath", n, body, 2);
                }
            }
            GoEvent::GoCommand { command } => {
                self.set_fact("go_command", command, n, body, 1);
                self.after_build = false;
                self.in_test = false;
                self.test.panic = false;
                self.env_facts(n, body);
            }
            GoEvent::GoVersion { version, os_arch } => {
                self.set_fact("go_version", version, n, body, 3);
                self.set_fact("os_arch", &os_arch.replace('/', "_"), n, body, 3);
            }
            GoEvent::Mkdir { dir } => {
                self.saw_build_output = true;
                // a new action dir starts a block, unless a `-v` line just did
                let action_dir = action_key(dir, self.work.as_deref())
                    .is_some_and(|a| dir.trim_end_matches('/').ends_with(a) && a.starts_with('b'));
                let after_v_line = self.packages.last().is_some_and(|p| p.action.is_none());
                if action_dir && !after_v_line {
                    self.block = n;
                }
            }
            GoEvent::HeredocBegin { file } => {
                self.saw_build_output = true;
                let action = action_key(file, self.work.as_deref()).map(str::to_string);
                let importcfg = file.ends_with("/importcfg") || file.ends_with("/importcfg.link");
                let link = file.ends_with(".link");
                if link && let Some(a) = &action {
                    self.link_record(n, a);
                }
                if file.ends_with("/_gomod_.go") {
                    self.set_fact("go_version", "go1.15-or-older", n, body, 1);
                }
                self.heredoc = Some(Heredoc {
                    importcfg,
                    link,
                    action,
                });
            }
            GoEvent::EchoWrite { file, text } => {
                if text.is_none() && body.starts_with("echo -n ") && body.ends_with("# internal") {
                    self.set_fact("go_version", "go1.22+", n, body, 1);
                }
                if file.ends_with("/dynimportfail") {
                    self.dynimport(file);
                }
            }
            GoEvent::Cd { dir } => {
                self.cwd = if *dir == "." {
                    None
                } else {
                    Some(resolve(self.cwd.as_deref(), dir))
                };
            }
            GoEvent::Tool(call) => self.tool(n, body, call),
            GoEvent::TestExec { .. } => {
                self.in_test = true;
                self.after_build = true;
                self.block = n;
                self.test.exec = Some(clip(body));
            }
            GoEvent::Cp { from, to, internal } => self.placed(n, body, from, to, *internal),
            GoEvent::Mv { from, to } => self.placed(n, body, from, to, false),
            GoEvent::Rm { path } if body.starts_with("rm -rf ") && path.starts_with("$WORK") => {
                self.set_fact("go_version", "go1.22+", n, body, 1);
            }
            GoEvent::Banner {
                package: Some(package),
            } => self.enter_phase(package),
            GoEvent::ErrorHeader { package, variant } => self.open_group(n, package, *variant),
            GoEvent::CompileError { .. }
            | GoEvent::ToolError { .. }
            | GoEvent::LoadError { .. }
            | GoEvent::GoError { .. }
            | GoEvent::ImportStack { .. }
            | GoEvent::Fatal { .. } => self.error_line(n, body, ev),
            GoEvent::Imports {
                message: Some(_), ..
            } => self.error_line(n, body, ev),
            GoEvent::Continuation { text } => {
                if self.test.message_follows
                    && let Some(m) = text.trim().strip_prefix("Error:")
                {
                    // testify: `Error:      \tNot equal:`
                    self.test.message_follows = false;
                    let m = m.trim();
                    if self.test.last_message.as_deref() == Some("") {
                        self.test.last_message = Some(m.to_string());
                    }
                    self.put_fact("test_message", m, n, body);
                }
                self.continuation(n, body, text)
            }
            GoEvent::Note { message } => {
                if let Some(v) = message.strip_prefix("module requires Go ") {
                    self.set_fact("go_required", v.trim(), n, body, 2);
                    self.set_fact("go_mode", "module", n, body, 2);
                }
            }
            GoEvent::ModuleDownload { module, .. } if !module.starts_with("go1.") => {
                self.set_fact("go_mode", "module", n, body, 2);
            }
            GoEvent::ModuleFinding { .. } => self.set_fact("go_mode", "module", n, body, 2),
            GoEvent::ModuleChange { action, .. } => {
                self.set_fact("go_mode", "module", n, body, 2);
                if *action != "found" {
                    self.success_line.get_or_insert(n);
                }
            }
            GoEvent::TestRun { test, .. } => {
                self.in_test = true;
                if !test.contains('/') {
                    self.test.last_log = None;
                    self.test.last_message = None;
                    self.block = n;
                }
            }
            GoEvent::TestLog {
                file,
                line,
                message,
            } => {
                let src = format!("{file}:{line}");
                if let Some(c) = self.test.wants_source.take() {
                    self.set_source(c, &src);
                    self.set_fact("test_message", message, n, body, 2);
                }
                if self.test.last_log.is_none() {
                    self.test.last_log = Some(src);
                    self.test.last_message = Some(message.to_string());
                }
                self.test.message_follows = message.is_empty();
            }
            GoEvent::TestResult {
                status,
                depth,
                test,
                ..
            } => {
                self.in_test = true;
                if *status == TestStatus::Fail {
                    if !self.test.named {
                        self.test.named = true;
                        self.set_fact("failed_test", test, n, body, 2);
                        if let Some(m) = self.test.last_message.clone() {
                            self.set_fact("test_message", &m, n, body, 2);
                        }
                    }
                    self.test_failure(n, body);
                }
                if *depth == 0 {
                    self.test.last_log = None;
                    self.test.last_message = None;
                }
            }
            GoEvent::Panic { message, .. } => {
                self.test.panic = true;
                if !self.test.named {
                    self.test.named = true;
                    self.set_fact("test_message", &format!("panic: {message}"), n, body, 2);
                }
                self.test_failure(n, body);
            }
            GoEvent::StackFrame { call } => {
                let call = call.strip_prefix("created by ").unwrap_or(call);
                let func = call.split('(').next().unwrap_or(call);
                let func = func.split(" in goroutine").next().unwrap_or(func);
                // `example.com/p.F` -> `example.com/p`; a bare `panic` is the runtime
                let pkg = func
                    .rsplit_once('/')
                    .map(|(dir, last)| format!("{dir}/{}", last.split('.').next().unwrap_or(last)))
                    .unwrap_or_else(|| func.split('.').next().unwrap_or(func).to_string());
                // `main.main` of _testmain.go is excluded by its file name
                self.test.frame_is_user = func.contains('.') && !is_std(&pkg);
            }
            GoEvent::StackLocation { file, line } => {
                if let Some(c) = self.test.wants_source
                    && self.test.frame_is_user
                    && self.user_frame(file)
                {
                    self.test.wants_source = None;
                    self.set_source(c, &format!("{file}:{line}"));
                }
            }
            GoEvent::TestSummary {
                status,
                package,
                detail,
            } => self.test_summary(n, body, *status, package, detail),
            GoEvent::Make { code: Some(_), .. } if self.make_failure.is_none() => {
                self.make_failure = Some(GoFailure {
                    line: n,
                    text: clip(body),
                    command: self.fact("go_command").map(str::to_string),
                    source: None,
                    package: None,
                });
            }
            GoEvent::Text { .. } => self.env_facts(n, body),
            _ => {}
        }
    }

    fn enter_phase(&mut self, package: &str) {
        let package = package.trim_start_matches("_/");
        if let Some(&p) = self.phases.get(package) {
            self.phase = p;
            return;
        }
        let next = self
            .phases
            .values()
            .copied()
            .max()
            .unwrap_or(0)
            .max(self.phase)
            + 1;
        self.phase = next;
        if self.phases.len() < MAX_PACKAGES {
            self.phases.insert(package.to_string(), next);
        }
    }

    fn add_package(&mut self, n: u64, path: &str) -> Option<usize> {
        if self.packages.len() >= MAX_PACKAGES {
            return None;
        }
        self.packages.push(PkgRec {
            path: path.to_string(),
            line: n,
            ..PkgRec::default()
        });
        Some(self.packages.len() - 1)
    }

    /// The package a tool line belongs to: by action, by `-p`, or the last
    /// `-v` package still without an action.
    fn package_for(
        &mut self,
        n: u64,
        action: Option<&str>,
        package: Option<&str>,
    ) -> Option<usize> {
        if let Some(a) = action
            && let Some(&i) = self.by_action.get(a)
        {
            return Some(i);
        }
        let named = package.filter(|p| *p != "main");
        let idx = match named {
            Some(p) => self
                .packages
                .iter()
                .rposition(|r| r.path == p && r.action.is_none())
                .or_else(|| {
                    let i = self.add_package(n, p)?;
                    self.enter_phase(p);
                    Some(i)
                }),
            None => self
                .packages
                .iter()
                .rposition(|r| r.action.is_none())
                .or_else(|| self.add_package(n, package.unwrap_or("main"))),
        }?;
        if let Some(a) = action
            && self.by_action.len() < MAX_ACTIONS
        {
            self.by_action.insert(a.to_string(), idx);
            self.packages[idx].action = Some(a.to_string());
        }
        Some(idx)
    }

    fn tool(&mut self, n: u64, body: &str, call: &ToolCall<'_>) {
        self.saw_build_output = true;
        self.last_tool = Some((
            clip(body),
            call.action.clone(),
            call.package.map(str::to_string),
        ));
        if let Some((root, rest)) = call.path.split_once("/pkg/tool/") {
            if !root.is_empty() {
                self.set_fact("goroot", root, n, body, 2);
            }
            if let Some(os_arch) = rest.split('/').next().filter(|s| s.contains('_')) {
                self.set_fact("os_arch", os_arch, n, body, 2);
            }
            if let Some(v) = version_in_path(root) {
                self.set_fact("go_version", &v, n, body, 2);
            }
        }
        for e in &call.env {
            if let Some(v) = e.strip_prefix("GOROOT=") {
                self.set_fact("goroot", &unquote(v), n, body, 3);
            }
        }
        if let Some(v) = call.goversion {
            self.set_fact("go_version", v, n, body, 3);
        }
        let old_toolchain = matches!(
            call.tool.as_bytes(),
            [b'5' | b'6' | b'8', b'g' | b'l' | b'a' | b'c']
        );
        if old_toolchain {
            self.set_fact("go_version", "go1.4-era", n, body, 1);
            self.set_fact("go_mode", "gopath", n, body, 1);
        }
        let compiles = matches!(call.tool, "compile" | "5g" | "6g" | "8g");
        let links = matches!(call.tool, "link" | "5l" | "6l" | "8l");
        if links {
            let key = call.action.clone().unwrap_or_default();
            let i = match self.link_by_action.get(&key) {
                Some(&i) => Some(i),
                None => self.link_record(n, &key),
            };
            if let Some(i) = i {
                let l = &mut self.links[i];
                l.line = n;
                l.output = call.output.map(str::to_string);
                l.inputs = call.files.clone();
                l.search = call.search.iter().map(|s| s.to_string()).collect();
            }
            return;
        }
        if call.tool == "vet" || is_c_compiler(call.tool) {
            return;
        }
        if call.action.is_none() && call.package.is_none() {
            return;
        }
        let pkg = if call.tool == "buildid" || call.tool == "pack" {
            call.action
                .as_deref()
                .and_then(|a| self.by_action.get(a).copied())
        } else {
            self.package_for(n, call.action.as_deref(), call.package)
        };
        let Some(i) = pkg else { return };
        let gopath_hint = {
            let rec = &mut self.packages[i];
            if !rec.tools.iter().any(|t| t == call.tool) && rec.tools.len() < 16 {
                rec.tools.push(call.tool.to_string());
            }
            match call.tool {
                "buildid" => rec.built = true,
                _ if compiles => {
                    rec.output = call.output.map(str::to_string);
                    if self.kept < MAX_KEPT {
                        self.kept += call.files.len();
                        rec.files = call.files.clone();
                    }
                    rec.search = call.search.iter().map(|s| s.to_string()).collect();
                    if old_toolchain {
                        // go1.4 has no buildid step: a compile that printed no error succeeded
                        rec.built = true;
                    }
                }
                _ => {}
            }
            if compiles {
                gopath_of(&rec.path, &rec.files)
            } else {
                None
            }
        };
        if let Some(gp) = gopath_hint {
            self.set_fact("gopath", &gp, n, body, 2);
            self.set_fact("go_mode", "gopath", n, body, 2);
        }
        if compiles {
            for s in &call.search {
                if let Some((root, os_arch, "")) =
                    split_pkg_dir(&format!("{}/", s.trim_end_matches('/')))
                    && self.fact("goroot") != Some(root)
                {
                    self.set_fact("gopath", root, n, body, 2);
                    self.set_fact("os_arch", os_arch, n, body, 2);
                }
            }
            if call
                .files
                .iter()
                .any(|f| f.contains("/pkg/mod/") && f.contains('@'))
            {
                self.set_fact("go_mode", "module", n, body, 1);
            }
        }
    }

    fn link_record(&mut self, n: u64, action: &str) -> Option<usize> {
        if let Some(&i) = self.link_by_action.get(action) {
            return Some(i);
        }
        if self.links.len() >= MAX_LINKS {
            return None;
        }
        self.links.push(LinkRec {
            line: n,
            action: (!action.is_empty()).then(|| action.to_string()),
            ..LinkRec::default()
        });
        let i = self.links.len() - 1;
        self.link_by_action.insert(action.to_string(), i);
        Some(i)
    }

    fn placed(&mut self, n: u64, body: &str, from: &str, to: &str, internal: bool) {
        if internal {
            // a cache store
            if let Some(a) = action_key(from, self.work.as_deref())
                && let Some(&i) = self.by_action.get(a)
            {
                self.packages[i].cached = true;
            }
            return;
        }
        let from_work = from.starts_with("$WORK") || self.is_work_path(from);
        if !from_work || to.starts_with("$WORK") || self.is_work_path(to) {
            return;
        }
        let what = if from.ends_with("/a.out") || from.contains("/exe/") {
            "binary"
        } else if to.ends_with(".a") {
            "archive"
        } else {
            "file"
        };
        if self.outputs.len() < MAX_OUTPUTS {
            self.outputs.push(GoOutput {
                line: n,
                from: from.to_string(),
                to: to.to_string(),
                what,
            });
        }
        match what {
            "binary" => {
                self.after_build = true;
                self.success_line.get_or_insert(n);
                if let Some(a) = action_key(from, self.work.as_deref())
                    && let Some(&i) = self.link_by_action.get(a)
                {
                    self.links[i].binary = Some(to.to_string());
                }
            }
            "archive" => {
                self.success_line.get_or_insert(n);
                if let Some((root, _, rel)) = split_pkg_dir(to)
                    && let Some(import) = rel.strip_suffix(".a")
                    && self.fact("goroot") != Some(root)
                {
                    self.installed_archive(n, body, import, to, root);
                }
            }
            _ => {}
        }
    }

    fn dynimport(&mut self, file: &str) {
        let Some(a) = action_key(file, self.work.as_deref()) else {
            return;
        };
        // 1.19: the trial-link block was printed just before this echo
        if let Some(last) = self.groups.last_mut()
            && last.fatal
            && self
                .by_action
                .get(a)
                .is_some_and(|&i| self.packages[i].path == last.package)
        {
            last.fatal = false;
            if let Some(c) = self.candidates.last_mut()
                && c.failure.package.as_deref() == Some(last.package.as_str())
            {
                c.nonfatal = true;
            }
            self.failed_groups.remove(&last.package);
        }
        if let Some(&i) = self.by_action.get(a) {
            let p = self.packages[i].path.clone();
            if self.dynimport_packages.len() < MAX_PACKAGES {
                self.dynimport_packages.insert(p);
            }
        }
    }

    fn open_group(&mut self, n: u64, package: &str, variant: Option<&str>) {
        self.block = n;
        self.batch = false;
        self.enter_phase(package);
        let index = self.groups.len();
        self.group = Some(Group {
            index,
            package: package.to_string(),
            expect_command: false,
            first_error: None,
            errors: 0,
            mentions_link: false,
            positioned: false,
            candidate: None,
        });
        if self.groups.len() < MAX_GROUPS {
            self.groups.push(GoErrorGroup {
                line: n,
                package: package.to_string(),
                variant: variant.map(str::to_string),
                first_error_line: None,
                first_error: None,
                errors: 0,
                fatal: true,
            });
        }
    }

    fn close_group(&mut self, closer: &GoEvent<'_>) {
        let Some(g) = self.group.take() else { return };
        let dynimport_echo =
            matches!(closer, GoEvent::EchoWrite { file, .. } if file.ends_with("/dynimportfail"));
        // 1.23 prints the trial-link block late, after the package's own pack/buildid
        let late_trial_link = self.dynimport_packages.contains(&g.package)
            && !g.mentions_link
            && !g.positioned
            && g.first_error.is_some();
        let fatal = g.first_error.is_some() && !dynimport_echo && !late_trial_link;
        if let Some(rec) = self.groups.get_mut(g.index) {
            rec.fatal = fatal || g.first_error.is_none();
            rec.errors = g.errors;
        }
        if !fatal && let Some(c) = g.candidate {
            self.candidates[c].nonfatal = true;
        }
        if fatal {
            if self.failed_groups.len() < MAX_GROUPS {
                self.failed_groups.insert(g.package.clone());
            }
        } else if g.first_error.is_some() {
            self.failed_groups.remove(&g.package);
        }
    }

    fn error_line(&mut self, n: u64, body: &str, ev: &GoEvent<'_>) {
        self.wording_facts(n, body);
        // go1.9 and older: `undefined: fmt in fmt.Println` names the member used
        if let GoEvent::CompileError { message, .. } = ev
            && let Some(r) = message.strip_prefix("undefined: ")
            && let Some((ident, sel)) = r.split_once(" in ")
            && let Some(member) = sel.strip_prefix(ident).and_then(|m| m.strip_prefix('.'))
        {
            self.set_fact("undefined_ident", ident, n, body, 2);
            self.set_fact("undefined_member", member, n, body, 2);
        }
        if let GoEvent::LoadError { error, path, .. } = ev {
            self.load_facts(n, body, *error, *path);
        }
        if let GoEvent::GoError { message } = ev {
            self.go_error_facts(n, body, message);
        }
        let source = event_source(ev);
        if let Some(g) = self.group.as_mut() {
            g.errors += 1;
            // the Go linker's own block (the cgo trial link prints only gcc/ld lines)
            g.mentions_link |= body.contains("/link: ")
                || body.contains(": relocation target")
                || body.contains("undeclared in the main package")
                || body.contains("duplicated definition of symbol");
            g.positioned |=
                matches!(ev, GoEvent::CompileError { file, .. } if file.ends_with(".go"));
            let g_index = g.index;
            let errors = g.errors;
            if let Some(rec) = self.groups.get_mut(g_index) {
                rec.errors = errors;
            }
            let Some(g) = self.group.as_mut() else { return };
            if g.first_error.is_none() {
                g.first_error = Some((n, clip(body)));
                let package = g.package.clone();
                let command = self.group_command(&package);
                let c = self.push_candidate(GoFailure {
                    line: n,
                    text: clip(body),
                    command,
                    source,
                    package: Some(package),
                });
                if let Some(g) = self.group.as_mut() {
                    g.candidate = Some(c);
                }
                if let Some(rec) = self.groups.get_mut(g_index) {
                    rec.first_error_line = Some(n);
                    rec.first_error = Some(clip(body));
                }
                if let Some(g) = self.groups.get(g_index)
                    && self.failed_groups.len() < MAX_GROUPS
                {
                    self.failed_groups.insert(g.package.clone());
                }
            }
            return;
        }
        if self.batch {
            // the rest of a batch printed together: enrich its first line
            if let Some(c) = self.candidates.last_mut() {
                if c.placeholder && !matches!(ev, GoEvent::ImportStack { .. }) {
                    c.placeholder = false;
                    c.failure.line = n;
                    c.failure.text = clip(body);
                    if source.is_some() {
                        c.failure.source = source;
                    }
                } else if c.failure.source.is_none() && source.is_some() {
                    c.failure.source = source;
                }
            }
            return;
        }
        self.batch = true;
        self.block = n;
        let package = event_package(ev);
        let placeholder = matches!(ev, GoEvent::ImportStack { .. });
        let command = self.fact("go_command").map(str::to_string);
        let c = self.push_candidate(GoFailure {
            line: n,
            text: clip(body),
            command,
            source,
            package,
        });
        self.candidates[c].placeholder = placeholder;
    }

    fn group_command(&self, package: &str) -> Option<String> {
        let by_package = |(text, action, pkg): &(String, Option<String>, Option<String>)| {
            let mine = pkg.as_deref() == Some(package)
                || action
                    .as_deref()
                    .and_then(|a| self.by_action.get(a))
                    .is_some_and(|&i| self.packages[i].path == package);
            mine.then(|| text.clone())
        };
        self.last_tool
            .as_ref()
            .and_then(by_package)
            .or_else(|| self.last_tool.as_ref().map(|t| t.0.clone()))
            .or_else(|| self.fact("go_command").map(str::to_string))
    }

    fn push_candidate(&mut self, failure: GoFailure) -> usize {
        if self.candidates.len() >= MAX_CANDIDATES {
            self.candidates.remove(0);
            for g in self.group.iter_mut() {
                g.candidate = g.candidate.and_then(|c| c.checked_sub(1));
            }
            self.test.failing = self.test.failing.and_then(|c| c.checked_sub(1));
            self.test.wants_source = self.test.wants_source.and_then(|c| c.checked_sub(1));
        }
        self.candidates.push(Candidate {
            failure,
            nonfatal: false,
            placeholder: false,
        });
        self.candidates.len() - 1
    }

    fn set_source(&mut self, c: usize, src: &str) {
        if let Some(c) = self.candidates.get_mut(c)
            && c.failure.source.is_none()
        {
            c.failure.source = Some(src.to_string());
        }
    }

    fn test_failure(&mut self, n: u64, body: &str) {
        self.test_failed = true;
        if self.test.failing.is_some() {
            return;
        }
        let source = self.test.last_log.clone();
        let command = self
            .test
            .exec
            .clone()
            .or_else(|| self.fact("go_command").map(str::to_string));
        let c = self.push_candidate(GoFailure {
            line: n,
            text: clip(body),
            command,
            source: source.clone(),
            package: None,
        });
        self.test.failing = Some(c);
        if source.is_none() {
            self.test.wants_source = Some(c);
        }
    }

    fn test_summary(
        &mut self,
        n: u64,
        body: &str,
        status: SummaryStatus,
        package: &str,
        detail: &str,
    ) {
        self.in_test = false;
        self.test.panic = false;
        self.test.last_log = None;
        self.enter_phase(package);
        if self.tests.len() < MAX_TESTS {
            self.tests.push(GoTestSummary {
                line: n,
                package: package.to_string(),
                status,
                detail: detail.to_string(),
            });
        }
        match status {
            SummaryStatus::Ok | SummaryStatus::NoTests => {
                self.test.failing = None;
                self.test.wants_source = None;
                if status == SummaryStatus::Ok {
                    self.success_line.get_or_insert(n);
                }
            }
            SummaryStatus::Fail => {
                self.test_failed = true;
                if let Some(c) = self.test.failing.take() {
                    if let Some(c) = self.candidates.get_mut(c) {
                        c.failure.package.get_or_insert_with(|| package.to_string());
                    }
                } else if let Some(c) = self.candidates.last_mut()
                    && !c.nonfatal
                    && c.failure
                        .package
                        .as_deref()
                        .is_some_and(|p| package_matches(p, package))
                {
                    // [build failed]: the `# pkg [pkg.test]` group above is the failure
                } else {
                    let command = self.fact("go_command").map(str::to_string);
                    self.push_candidate(GoFailure {
                        line: n,
                        text: clip(body),
                        command,
                        source: None,
                        package: Some(package.to_string()),
                    });
                }
                self.test.wants_source = None;
            }
        }
    }

    fn continuation(&mut self, n: u64, body: &str, text: &str) {
        if let Some(dir) = text.strip_suffix(" (from $GOROOT)") {
            self.searched_dir(n, body, text);
            if let Some(root) = self.strip_missing(dir) {
                self.set_fact("goroot", &root, n, body, 2);
            }
        } else if let Some(dir) = text.strip_suffix(" (from $GOPATH)") {
            self.searched_dir(n, body, text);
            self.set_fact("go_mode", "gopath", n, body, 2);
            if let Some(root) = self.strip_missing(dir) {
                self.set_fact("gopath", &root, n, body, 2);
            }
        } else if let Some(declared) = text.strip_prefix("module declares its path as: ") {
            self.set_fact("declared_module", declared.trim(), n, body, 2);
        } else if let Some(required) = text.strip_prefix("but was required as: ") {
            self.set_fact("required_module", required.trim(), n, body, 2);
        } else if self.batch {
            self.wording_facts(n, body);
        }
    }

    fn searched_dir(&mut self, n: u64, body: &str, text: &str) {
        if self.searched.len() < MAX_SEARCHED {
            self.searched.push(text.to_string());
        }
        let joined = self.searched.join(", ");
        self.put_fact("searched_dirs", &joined, n, body);
    }

    /// `/usr/lib/go-1.19/src/libproj1/foo` -> `/usr/lib/go-1.19` for the missing package.
    fn strip_missing(&self, dir: &str) -> Option<String> {
        let p = self.last_missing.as_deref()?;
        let root = dir.strip_suffix(p)?.strip_suffix("/src/")?;
        (!root.is_empty()).then(|| root.to_string())
    }

    fn load_facts(&mut self, n: u64, body: &str, kind: LoadKind, path: Option<&str>) {
        match kind {
            LoadKind::MultiplePackages => {
                if let Some(i) = body.find("found packages ")
                    && let Ok((_, (a, fa, b, fb, dir))) = found_packages(&body[i..])
                {
                    // go1.4 printed `file (pkg)`, later `pkg (file)`
                    let (pa, fa) = if a.ends_with(".go") { (fa, a) } else { (a, fa) };
                    let (pb, fb) = if b.ends_with(".go") { (fb, b) } else { (b, fb) };
                    let dir_name = basename(dir.trim_end_matches('/'));
                    let stray = match (pa == dir_name, pb == dir_name) {
                        (true, false) => Some((fb, pb, pa)),
                        (false, true) => Some((fa, pa, pb)),
                        _ => None,
                    };
                    if let Some((file, stray_pkg, dir_pkg)) = stray {
                        self.put_fact("stray_file", file, n, body);
                        self.put_fact("stray_package", stray_pkg, n, body);
                        self.put_fact("dir_package", dir_pkg, n, body);
                    }
                }
            }
            LoadKind::CannotFindPackage => {
                self.searched.clear();
                self.last_missing = path.map(str::to_string);
                if body.contains("in any of:") {
                    self.set_fact("go_mode", "gopath", n, body, 2);
                }
                if let Some(p) = path {
                    self.put_fact("missing_package", p, n, body);
                    if let Some(a) = self.installed.get(p).cloned() {
                        self.put_fact("archive_without_source", &a, n, body);
                    }
                }
            }
            LoadKind::NoRequiredModule
            | LoadKind::CannotFindModule
            | LoadKind::MissingGoSum
            | LoadKind::ChecksumMismatch
            | LoadKind::NotInGoroot
            | LoadKind::AmbiguousImport => {
                self.set_fact("go_mode", "module", n, body, 2);
                if let Some(p) = path {
                    self.put_fact("missing_package", p, n, body);
                }
            }
            _ => {}
        }
        if body.starts_with("can't load package: ") {
            self.set_fact("go_version", "go1.13-or-older", n, body, 1);
        }
    }

    fn go_error_facts(&mut self, n: u64, body: &str, message: &str) {
        if message.contains("go.mod file not found") || message.contains("cannot find main module")
        {
            self.set_fact("go_mode", "module", n, body, 1);
        }
        if let Some(i) = message.find("go.mod requires go >= ") {
            let rest = &message[i + 22..];
            if let Some((need, tail)) = rest.split_once(" (running go ") {
                self.set_fact("go_required", need, n, body, 3);
                let (have, tc) = tail
                    .split_once("; GOTOOLCHAIN=")
                    .unwrap_or((tail.trim_end_matches(')'), ""));
                self.set_fact("go_version", &format!("go{have}"), n, body, 3);
                let tc = tc.trim_end_matches(')');
                if !tc.is_empty() {
                    self.set_fact("gotoolchain", tc, n, body, 3);
                }
            }
            self.set_fact("go_mode", "module", n, body, 2);
        }
        if message.contains("GOPROXY=off") {
            self.set_fact("goproxy", "off", n, body, 2);
        }
        if message.contains("updates to go.mod needed")
            || message.contains("inconsistent vendoring")
            || message.contains("errors parsing go.mod")
            || message.contains("@")
        {
            self.set_fact("go_mode", "module", n, body, 1);
        }
    }

    /// Version and mode hints from message wording (§6).
    fn wording_facts(&mut self, n: u64, body: &str) {
        let hints: [(&str, &str); 7] = [
            (" imported as ", "go1.20+"),
            ("declared and not used: ", "go1.23+"),
            (" is not in std (", "go1.21+"),
            ("can't load package: ", "go1.13-or-older"),
            (" (untyped ", "go1.18+"),
            (" (type untyped ", "go1.17-or-older"),
            ("no required module provides package", "go1.16+"),
        ];
        for (needle, v) in hints {
            if body.contains(needle) {
                self.set_fact("go_version", v, n, body, 1);
                break;
            }
        }
        if body.contains("GOPROXY=off") {
            self.set_fact("goproxy", "off", n, body, 2);
        }
        if let Some(i) = body.find("cgo: C compiler \"") {
            let rest = &body[i + 17..];
            if let Some(cc) = rest.split('"').next() {
                self.set_fact("cc", cc, n, body, 3);
            }
        }
    }

    /// `GOPATH=...`, `GO111MODULE=off` and friends (go env output, exports,
    /// make echoes, the `env -i` of a wrapper script).
    fn env_facts(&mut self, n: u64, body: &str) {
        if !body.contains("GO") && !body.contains("CGO_") {
            return;
        }
        for w in body.split_whitespace() {
            let w = w.trim_start_matches("set ");
            let Some((k, v)) = w.split_once('=') else {
                continue;
            };
            let v = v.trim_matches(|c| c == '\'' || c == '"');
            match k {
                "GOPATH" if !v.is_empty() => self.set_fact("gopath", v, n, body, 3),
                "GOROOT" if !v.is_empty() => self.set_fact("goroot", v, n, body, 3),
                "GO111MODULE" => {
                    self.set_fact("go111module", v, n, body, 3);
                    match v {
                        "off" => self.set_fact("go_mode", "gopath", n, body, 3),
                        "on" => self.set_fact("go_mode", "module", n, body, 3),
                        _ => {}
                    }
                }
                "GOFLAGS" => self.set_fact("goflags", v, n, body, 3),
                "GOPROXY" => self.set_fact("goproxy", v, n, body, 3),
                "GOPRIVATE" => self.set_fact("goprivate", v, n, body, 3),
                "CGO_ENABLED" => self.set_fact("cgo_enabled", v, n, body, 3),
                "GOOS" | "GOARCH" if !v.is_empty() => {
                    self.set_fact(&k.to_ascii_lowercase(), v, n, body, 3)
                }
                _ => {}
            }
        }
    }

    fn user_frame(&self, file: &str) -> bool {
        let goroot = self.fact("goroot");
        file.ends_with(".go")
            && !file.ends_with("_testmain.go")
            && !goroot.is_some_and(|g| file.starts_with(g))
            && !file.contains("/src/runtime/")
            && !file.contains("/src/testing/")
    }

    /// Keeps the first value of a fact unless a surer source (higher rank) comes.
    fn set_fact(&mut self, name: &str, value: &str, line: u64, text: &str, rank: u8) {
        if value.is_empty() {
            return;
        }
        if let Some(f) = self.facts.iter_mut().find(|f| f.fact.name == name) {
            if rank > f.rank {
                f.fact.value = value.to_string();
                f.fact.line = line;
                f.fact.text = clip(text);
                f.rank = rank;
            }
            return;
        }
        self.facts.push(FactRec {
            fact: GoFact {
                name: name.to_string(),
                value: value.to_string(),
                line,
                text: clip(text),
            },
            rank,
        });
    }

    /// Replaces a fact: the latest value is the one that matters.
    fn put_fact(&mut self, name: &str, value: &str, line: u64, text: &str) {
        if let Some(f) = self.facts.iter_mut().find(|f| f.fact.name == name) {
            f.fact.value = value.to_string();
            f.fact.line = line;
            f.fact.text = clip(text);
            return;
        }
        self.set_fact(name, value, line, text, 2);
    }
}

/// Whether the first lines (already peeled) look like Go build output.
pub fn sniff(first_lines: &[&str]) -> bool {
    let lines: Vec<&str> = first_lines
        .iter()
        .take(64)
        .map(|l| strip_layers(l))
        .collect();
    if lines.iter().any(|l| sniff_line(l)) {
        return true;
    }
    // `# pkg` followed by tool output (a linker or cgo block without -x)
    let block = lines.windows(2).any(|w| {
        err_header(w[0].trim_end()).is_ok()
            && (is_tool_error(w[1])
                || diag(w[1]).is_ok()
                || is_standalone_tool_error(w[1])
                || w[1].contains("warning: "))
    });
    // `go build -v ./...` of a module: nothing but import paths
    let shown: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| !l.trim().is_empty())
        .collect();
    let paths = shown
        .iter()
        .filter(|l| is_import_path(l) && l.contains('/'))
        .count();
    let domain = shown
        .iter()
        .any(|l| is_import_path(l) && l.split('/').next().is_some_and(|f| f.contains('.')));
    block || (paths >= 2 && domain && paths * 10 >= shown.len() * 8)
}

fn sniff_line(l: &str) -> bool {
    if l.is_empty() {
        return false;
    }
    if work_line(l).is_ok()
        || l.starts_with("mkdir -p $WORK/")
        || heredoc_begin(l).is_ok()
        || l.contains("/pkg/tool/")
        || l.starts_with("can't load package: ")
    {
        return true;
    }
    if let Some(m) = l.strip_prefix("go: ") {
        // the go command's own prefix; messages start lower-case or quoted
        return m
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '\'' || c == '"' || c == '-');
    }
    if [
        "unrecognized import path \"",
        "GOCACHE is not defined",
        "no required module provides package",
        "missing go.sum entry",
        "cannot find module providing package",
    ]
    .iter()
    .any(|k| l.contains(k))
    {
        return true;
    }
    if go_command_line(l).is_some() {
        return true;
    }
    if let Ok((_, (file, _, _, msg))) = diag(l) {
        return file.ends_with(".go") || load_kind(msg).is_some() || file.ends_with("go.mod");
    }
    if test_run(l).is_ok() || test_summary(l).is_ok() {
        return true;
    }
    if let Ok((_, (_, test, _))) = test_result(l) {
        return test.starts_with("Test") || test.starts_with("Example") || test.starts_with("Fuzz");
    }
    if l.starts_with("panic: ") && l.ends_with(" [recovered]") {
        return true;
    }
    if l.starts_with("cgo: C compiler \"") {
        return true;
    }
    if l.starts_with("# cd ") && (l.contains("; git ") || l.contains("; hg ")) {
        return true;
    }
    if let Some(r) = l.strip_prefix("pattern ")
        && let Some((pat, _)) = r.split_once(": ")
    {
        return pat.contains("...") || pat.starts_with("./");
    }
    load_kind(l).is_some_and(|(k, _)| k != LoadKind::Other && k != LoadKind::Pattern)
        || l.contains("no required module provides package")
        || l.contains("missing go.sum entry")
}

// ---------------------------------------------------------------------------
// Line-level helpers
// ---------------------------------------------------------------------------

/// Strips what editors, CI runners and pasting put in front of a line: a
/// quickfix or quote marker (`|| `, `> `, `|  > `), GitHub Actions'
/// `##[error]` and its `2024-05-01T10:00:00.1234567Z ` stamp.
fn strip_layers(body: &str) -> &str {
    let mut s = body;
    if let Some(r) = strip_iso_stamp(s) {
        s = r;
    }
    if let Some(r) = strip_buildkit_step(s) {
        s = r;
    }
    if let Some(r) = s.strip_prefix("##[")
        && let Some(i) = r.find(']')
    {
        s = &r[i + 1..];
    }
    let lead = s.len() - s.trim_start_matches(' ').len();
    if lead <= 3 {
        let t = &s[lead..];
        if t.starts_with('|') || t.starts_with('>') {
            let marks = t
                .bytes()
                .take_while(|b| matches!(b, b'|' | b'>' | b' '))
                .count();
            let last_mark = t.as_bytes()[..marks]
                .iter()
                .rposition(|b| *b != b' ')
                .unwrap_or(0);
            let r = &t[last_mark + 1..];
            s = r.strip_prefix(' ').unwrap_or(r);
        }
    }
    s
}

/// Docker BuildKit's `#12 3.456 ` step and time prefix.
fn strip_buildkit_step(s: &str) -> Option<&str> {
    let r = s.strip_prefix('#')?;
    let (step, r) = r.split_once(' ')?;
    let (time, r) = r.split_once(' ').unwrap_or((r, ""));
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let timed = time
        .split_once('.')
        .is_some_and(|(a, b)| digits(a) && digits(b));
    (digits(step) && timed).then_some(r)
}

fn strip_iso_stamp(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    if b.len() < 21 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    if !b[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let z = s[..40.min(s.len())].find("Z ")?;
    Some(&s[z + 2..])
}

/// A heredoc body never holds an echo: one means the terminator was lost.
fn ends_heredoc_early(body: &str) -> bool {
    body.starts_with("WORK=")
        || body.starts_with("mkdir -p ")
        || heredoc_begin(body).is_ok()
        || (body.contains("/pkg/tool/")
            && !body.starts_with(' ')
            && !body.starts_with('\t')
            && !body.starts_with('"'))
}

fn ends_group(ev: &GoEvent<'_>) -> bool {
    !matches!(
        ev,
        GoEvent::Blank
            | GoEvent::CompileError { .. }
            | GoEvent::ToolError { .. }
            | GoEvent::ToolOutput { .. }
            | GoEvent::SourceExcerpt { .. }
            | GoEvent::Continuation { .. }
            | GoEvent::LoadError { .. }
            | GoEvent::Note { .. }
            | GoEvent::Text { .. }
            | GoEvent::ImportStack { .. }
            | GoEvent::Imports { .. }
            | GoEvent::Panic { .. }
            | GoEvent::Fatal { .. }
            | GoEvent::Goroutine { .. }
            | GoEvent::StackFrame { .. }
            | GoEvent::StackLocation { .. }
            | GoEvent::ExitStatus { .. }
    )
}

fn closes_batch(ev: &GoEvent<'_>) -> bool {
    !matches!(
        ev,
        GoEvent::Blank
            | GoEvent::CompileError { .. }
            | GoEvent::ToolError { .. }
            | GoEvent::ToolOutput { .. }
            | GoEvent::SourceExcerpt { .. }
            | GoEvent::Continuation { .. }
            | GoEvent::LoadError { .. }
            | GoEvent::GoError { .. }
            | GoEvent::Note { .. }
            | GoEvent::Text { .. }
            | GoEvent::ImportStack { .. }
            | GoEvent::Imports { .. }
            | GoEvent::ExitStatus { .. }
            | GoEvent::Make { .. }
    )
}

fn event_source(ev: &GoEvent<'_>) -> Option<String> {
    match ev {
        GoEvent::CompileError {
            file, line, col, ..
        }
        | GoEvent::LoadError {
            file: Some(file),
            line: Some(line),
            col,
            ..
        } => Some(match col {
            Some(c) => format!("{file}:{line}:{c}"),
            None => format!("{file}:{line}"),
        }),
        _ => None,
    }
}

fn event_package(ev: &GoEvent<'_>) -> Option<String> {
    match ev {
        GoEvent::ImportStack { package } => Some(package.to_string()),
        GoEvent::LoadError {
            error:
                LoadKind::CannotFindPackage
                | LoadKind::NoRequiredModule
                | LoadKind::CannotFindModule
                | LoadKind::MissingGoSum
                | LoadKind::NotInGoroot
                | LoadKind::InternalPackage
                | LoadKind::ImportMain
                | LoadKind::BuildConstraints
                | LoadKind::Other,
            path,
            message,
            ..
        } => package_in(message).or(*path).map(str::to_string),
        _ => None,
    }
}

/// `package X: ...` at the start of a message names the package.
fn package_in(message: &str) -> Option<&str> {
    let r = message.strip_prefix("package ")?;
    let (p, _) = r.split_once(": ")?;
    (!p.contains(' ')).then_some(p)
}

fn source_file(src: &str) -> Option<&str> {
    let mut it = src.rsplitn(3, ':');
    let last = it.next()?;
    let mid = it.next();
    match (mid, it.next()) {
        (Some(_), Some(file)) if last.bytes().all(|b| b.is_ascii_digit()) => Some(file),
        (Some(file), None) => Some(file),
        _ => None,
    }
}

fn package_matches(group_pkg: &str, summary_pkg: &str) -> bool {
    group_pkg == summary_pkg
        || group_pkg
            .strip_prefix(summary_pkg)
            .is_some_and(|r| r.starts_with('_') || r.starts_with('.'))
}

fn clip(s: &str) -> String {
    if s.len() <= MAX_TEXT {
        return s.to_string();
    }
    let mut end = MAX_TEXT;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

fn basename(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

fn is_env_assign(w: &str) -> bool {
    let Some((k, _)) = w.split_once('=') else {
        return false;
    };
    !k.is_empty()
        && k.chars()
            .next()
            .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
        && k.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn is_c_compiler(name: &str) -> bool {
    matches!(name, "gcc" | "cc" | "clang" | "g++" | "c++" | "clang++")
        || ["-gcc", "-g++", "-clang", "-cc"]
            .iter()
            .any(|s| name.ends_with(s))
        || ["gcc-", "clang-", "g++-"].iter().any(|p| {
            name.strip_prefix(p).is_some_and(|v| {
                !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            })
        })
}

/// The top-level directories of the standard library (go1.4 to go1.23).
const STD_ROOTS: &[&str] = &[
    "archive",
    "bufio",
    "builtin",
    "bytes",
    "cmp",
    "compress",
    "container",
    "context",
    "crypto",
    "database",
    "debug",
    "embed",
    "encoding",
    "errors",
    "expvar",
    "flag",
    "fmt",
    "go",
    "hash",
    "html",
    "image",
    "index",
    "internal",
    "io",
    "iter",
    "log",
    "maps",
    "math",
    "mime",
    "net",
    "os",
    "path",
    "plugin",
    "reflect",
    "regexp",
    "runtime",
    "slices",
    "sort",
    "strconv",
    "strings",
    "structs",
    "sync",
    "syscall",
    "testing",
    "text",
    "time",
    "unicode",
    "unique",
    "unsafe",
    "vendor",
    "weak",
    "cmd",
];

fn is_std(import: &str) -> bool {
    STD_ROOTS.contains(&import.split('/').next().unwrap_or(""))
}

fn is_import_path(p: &str) -> bool {
    !p.is_empty()
        && !p.starts_with('/')
        && !p.ends_with('/')
        && !p.contains("//")
        && !matches!(p, "PASS" | "FAIL" | "EOF" | "ok")
        && p.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '~' | '+' | '-' | '/'))
        && p.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_source_file(f: &str) -> bool {
    const EXT: &[&str] = &[
        ".go", ".s", ".S", ".sx", ".c", ".h", ".cc", ".cpp", ".cxx", ".hh", ".hpp", ".m", ".f",
        ".F", ".f90", ".swig", ".swigcxx", ".syso", "go.mod", "go.work", "go.sum", ".y",
    ];
    EXT.iter().any(|e| f.ends_with(e)) && f.len() > 2
}

/// gcc's excerpt (`    4 | #include "x.h"`) and caret (`      |   ^~~`) lines.
fn is_source_excerpt(body: &str) -> bool {
    let t = body.trim_start();
    if body.len() - t.len() < 2 {
        return false;
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    let r = t[digits..].trim_start();
    r.starts_with('|') || r.starts_with('+')
}

/// Error lines that only occur inside a tool-output block but are printed
/// with no position: the linker, ld, collect2, cgo.
fn is_tool_error(t: &str) -> bool {
    const KEYS: &[&str] = &[
        "error:",
        "Error:",
        ": running ",
        "relocation target",
        "undefined reference to",
        "multiple definition of",
        "undeclared in the main package",
        "duplicated definition of symbol",
        "redeclared",
        "defined in both Go and assembly",
        "cannot find -l",
        "library not found for -l",
        "Undefined symbols for architecture",
        "signal: killed",
        "out of memory",
        "cannot allocate memory",
        "does not match go tool version",
        "object is [",
        "too many errors",
        "ld returned",
        "not found: exec:",
        "No such file or directory",
        "not found in the pkg-config search path",
        "No package '",
        ": exit status ",
    ];
    t.starts_with("cgo: ") || KEYS.iter().any(|k| t.contains(k))
}

fn is_standalone_tool_error(t: &str) -> bool {
    let head = t.split(": ").next().unwrap_or("");
    let tool = basename(head);
    (matches!(
        tool,
        "ld" | "ld.gold"
            | "ld.lld"
            | "ld.bfd"
            | "collect2"
            | "cgo"
            | "link"
            | "compile"
            | "asm"
            | "gcc"
            | "clang"
    ) || is_c_compiler(tool))
        && t.len() > head.len()
        || t.contains(": relocation target ")
        || t.contains("undefined reference to")
        || t.contains("signal: killed")
}

/// `/usr/lib/go-1.19` -> `go1.19`, `/opt/go1.21.5` -> `go1.21.5`.
fn version_in_path(root: &str) -> Option<String> {
    for part in root.split('/').rev() {
        let v = part
            .strip_prefix("go-")
            .or_else(|| part.strip_prefix("golang-"))
            .or_else(|| part.strip_prefix("go"));
        if let Some(v) = v
            && v.starts_with("1.")
            && v[2..].bytes().next().is_some_and(|b| b.is_ascii_digit())
            && v.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        {
            return Some(format!("go{v}"));
        }
    }
    None
}

/// `/home/u/go/pkg/linux_amd64/libproj1/foo.a` -> (`/home/u/go`, `linux_amd64`, `libproj1/foo.a`).
fn split_pkg_dir(p: &str) -> Option<(&str, &str, &str)> {
    let i = p.rfind("/pkg/")?;
    let root = &p[..i];
    let rest = &p[i + 5..];
    let (os_arch, rel) = rest.split_once('/')?;
    let ok = os_arch.contains('_')
        && os_arch
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    (ok && !root.is_empty()).then_some((root, os_arch, rel))
}

/// The GOPATH of a compiled package whose files live in `<GOPATH>/src/<path>`.
fn gopath_of(path: &str, files: &[String]) -> Option<String> {
    if path == "main" || path.starts_with("_/") {
        return None;
    }
    let f = files
        .iter()
        .find(|f| f.ends_with(".go") && f.starts_with('/'))?;
    let dir = f.rsplit_once('/')?.0;
    let root = dir.strip_suffix(path)?.strip_suffix("/src/")?;
    (!root.is_empty() && !root.contains("/pkg/mod/")).then(|| root.to_string())
}

/// The action a path belongs to: `$WORK/b002/_pkg_.a` -> `b002`; go1.4
/// `$WORK/libproj1/foo.a` -> `libproj1/foo`, `$WORK/app1/_obj/exe/a.out` -> `app1`.
fn action_key<'p>(p: &'p str, work: Option<&str>) -> Option<&'p str> {
    let rest = p.strip_prefix("$WORK/").or_else(|| {
        let w = work.filter(|w| *w != "$WORK")?;
        p.strip_prefix(w)?.strip_prefix('/')
    })?;
    let first = rest.split('/').next().unwrap_or("");
    if first.len() >= 4 && first.starts_with('b') && first[1..].bytes().all(|b| b.is_ascii_digit())
    {
        return Some(first);
    }
    let rest = rest.split("/_obj/").next().unwrap_or(rest);
    let rest = rest
        .strip_suffix(".a")
        .unwrap_or(rest)
        .trim_end_matches('/');
    (!rest.is_empty()).then_some(rest)
}

/// Where an archive in an importcfg came from.
fn archive_origin(
    archive: &str,
    work: Option<&str>,
    goroot: Option<&str>,
) -> (&'static str, Option<String>) {
    if let Some(a) = action_key(archive, work)
        && (archive.starts_with("$WORK") || work.is_some_and(|w| archive.starts_with(w)))
    {
        return ("work", Some(a.to_string()));
    }
    if goroot.is_some_and(|g| archive.starts_with(&format!("{g}/pkg/"))) {
        return ("goroot", None);
    }
    let name = basename(archive);
    if let Some(h) = name.strip_suffix("-d")
        && h.len() == 64
        && h.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return ("cache", None);
    }
    if archive.ends_with(".a") && split_pkg_dir(archive).is_some() {
        return ("installed", None);
    }
    ("other", None)
}

/// Resolves a tool argument against the current `cd` directory.
fn resolve(cwd: Option<&str>, f: &str) -> String {
    let f = unquote(f);
    if f.starts_with('/') || f.starts_with('$') {
        return f.into_owned();
    }
    match cwd {
        Some(d) if d != "." => {
            let rel = f.strip_prefix("./").unwrap_or(&f);
            if rel == "." || rel.is_empty() {
                d.to_string()
            } else {
                format!("{}/{rel}", d.trim_end_matches('/'))
            }
        }
        _ => f.into_owned(),
    }
}

/// Splits a command echo into words, keeping quoted parts whole: Go-quoted
/// `"..."` (backslash escapes) and shell `'...'`.
fn words(s: &str) -> Vec<&str> {
    let b = s.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let start = i;
        while i < b.len() && b[i] != b' ' {
            match b[i] {
                b'"' => {
                    i += 1;
                    while i < b.len() && b[i] != b'"' {
                        if b[i] == b'\\' {
                            i += 1;
                        }
                        i += 1;
                    }
                    i += 1;
                }
                b'\'' => {
                    i += 1;
                    while i < b.len() && b[i] != b'\'' {
                        i += 1;
                    }
                    i += 1;
                }
                _ => i += 1,
            }
        }
        let end = i.min(b.len());
        if s.is_char_boundary(start) && s.is_char_boundary(end) {
            out.push(&s[start..end]);
        }
    }
    out
}

/// Removes Go (`"a\"b"`) or shell (`'a b'`) quoting.
fn unquote(w: &str) -> Cow<'_, str> {
    if w.len() >= 2 && w.starts_with('\'') && w.ends_with('\'') {
        return Cow::Borrowed(&w[1..w.len() - 1]);
    }
    if w.len() >= 2 && w.starts_with('"') && w.ends_with('"') {
        let inner = &w[1..w.len() - 1];
        if !inner.contains('\\') {
            return Cow::Borrowed(inner);
        }
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(o) => out.push(o),
                    None => {}
                }
            } else {
                out.push(c);
            }
        }
        return Cow::Owned(out);
    }
    Cow::Borrowed(w)
}

// ---------------------------------------------------------------------------
// nom productions (§3.2)
// ---------------------------------------------------------------------------

type Res<'a, T> = IResult<&'a str, T>;

fn number(i: &str) -> Res<'_, u32> {
    map_res(digit1, str::parse).parse(i)
}

fn not_space(c: char) -> bool {
    !c.is_whitespace()
}

fn token(i: &str) -> Res<'_, &str> {
    take_while1(not_space).parse(i)
}

/// `WORK=/tmp/go-build123` (`WORK=$WORK` with -n).
fn work_line(i: &str) -> Res<'_, &str> {
    all_consuming(preceded(tag("WORK="), token)).parse(i)
}

/// `mkdir -p DIR[ # git3 URL]`.
fn mkdir_line(i: &str) -> Res<'_, &str> {
    terminated(
        preceded(tag("mkdir -p "), token),
        opt(preceded(tag(" # "), rest)),
    )
    .parse(i)
}

/// `cat >FILE << 'EOF'[ # internal]`.
fn heredoc_begin(i: &str) -> Res<'_, &str> {
    all_consuming(terminated(
        preceded(tag("cat >"), token),
        (tag(" << 'EOF'"), opt(tag(" # internal"))),
    ))
    .parse(i)
}

/// `echo[ -n][ 'text'] >[>] FILE[ # internal]` (go1.22+ and the cgo marker).
fn echo_write(i: &str) -> Res<'_, (Option<&str>, &str)> {
    all_consuming(map(
        (
            tag("echo"),
            opt(tag(" -n")),
            opt(preceded(
                char(' '),
                delimited(char('\''), take_till(|c| c == '\''), char('\'')),
            )),
            tag(" "),
            alt((tag(">>"), tag(">"))),
            tag(" "),
            token,
            opt(tag(" # internal")),
        ),
        |(_, _, text, _, _, _, file, _)| (text, file),
    ))
    .parse(i)
}

/// `rm -r DIR` (≤1.21), `rm -rf DIR` (1.22+), `rm -f FILE`.
fn rm_line(i: &str) -> Res<'_, &str> {
    all_consuming(preceded(
        (tag("rm "), alt((tag("-rf "), tag("-r "), tag("-f ")))),
        token,
    ))
    .parse(i)
}

/// `mv A B` / `cp A B`.
fn two_paths<'a>(cmd: &'static str, i: &'a str) -> Res<'a, (&'a str, &'a str)> {
    all_consuming(preceded(tag(cmd), (terminated(token, char(' ')), token))).parse(i)
}

/// `# pkg` / `# pkg [pkg.test]`.
fn err_header(i: &str) -> Res<'_, (&str, Option<&str>)> {
    all_consuming(preceded(
        tag("# "),
        (
            take_while1(|c: char| !c.is_whitespace() && c != '['),
            opt(delimited(tag(" ["), take_till1(|c| c == ']'), char(']'))),
        ),
    ))
    .parse(i)
}

/// `file:line[:col]` where file looks like a source file (a Windows
/// path keeps its drive letter: `C:\src\main.go:9:14`).
fn position(i: &str) -> Res<'_, (&str, u32, Option<u32>)> {
    (
        verify(source_path, is_source_file),
        preceded(char(':'), number),
        opt(preceded(char(':'), number)),
    )
        .parse(i)
}

fn source_path(i: &str) -> Res<'_, &str> {
    let b = i.as_bytes();
    let drive = b.len() > 3
        && b[0].is_ascii_alphabetic()
        && b[1] == b':'
        && (b[2] == b'\\' || b[2] == b'/');
    let start = if drive { 2 } else { 0 };
    let (_, path) = take_while1(|c: char| c != ':' && !c.is_whitespace()).parse(&i[start..])?;
    let end = start + path.len();
    Ok((&i[end..], &i[..end]))
}

/// `file:line[:col]: message`.
fn diag(i: &str) -> Res<'_, (&str, u32, Option<u32>, &str)> {
    map(
        (position, tag(": "), rest),
        |((file, line, col), _, msg): ((&str, u32, Option<u32>), _, &str)| (file, line, col, msg),
    )
    .parse(i)
}

/// Vim's quickfix form: `main.go|9 col 14| undefined: x`.
fn quickfix(i: &str) -> Res<'_, (&str, u32, Option<u32>, &str)> {
    map(
        (
            verify(take_till1(|c| c == '|'), is_source_file),
            preceded(char('|'), number),
            opt(preceded(tag(" col "), number)),
            preceded(tag("| "), rest),
        ),
        |(file, line, col, msg)| (file, line, col, msg),
    )
    .parse(i)
}

/// `=== RUN   TestX`.
fn test_run(i: &str) -> Res<'_, (&str, &str)> {
    all_consuming(preceded(
        tag("=== "),
        (
            alt((tag("RUN"), tag("PAUSE"), tag("CONT"), tag("NAME"))),
            preceded(space1, token),
        ),
    ))
    .parse(i)
}

/// `--- FAIL: TestX (0.00s)` (go1.4: `(0.00 seconds)`).
fn test_result(i: &str) -> Res<'_, (TestStatus, &str, &str)> {
    all_consuming(preceded(
        tag("--- "),
        (
            alt((
                value(TestStatus::Pass, tag("PASS")),
                value(TestStatus::Fail, tag("FAIL")),
                value(TestStatus::Skip, tag("SKIP")),
            )),
            preceded(tag(": "), token),
            delimited(tag(" ("), take_till1(|c| c == ')'), char(')')),
        ),
    ))
    .parse(i)
}

/// `x_test.go:13: message` (indentation already removed).
fn test_log(i: &str) -> Res<'_, (&str, u32, &str)> {
    (
        verify(
            take_while1(|c: char| c != ':' && !c.is_whitespace()),
            |f: &str| f.ends_with(".go"),
        ),
        preceded(char(':'), number),
        // testify's `x_test.go:25: ` ends in a space that pasting may drop
        preceded(char(':'), map(rest, str::trim)),
    )
        .parse(i)
}

/// `ok  \tpkg\t0.01s`, `FAIL\tpkg [build failed]`, `?   \tpkg\t[no test files]`.
fn test_summary(i: &str) -> Res<'_, (SummaryStatus, &str, &str)> {
    map(
        (
            alt((
                value(SummaryStatus::Ok, tag("ok  \t")),
                value(SummaryStatus::Fail, tag("FAIL\t")),
                value(SummaryStatus::NoTests, tag("?   \t")),
            )),
            take_till1(|c: char| c == '\t' || c == ' '),
            rest,
        ),
        |(s, p, d): (SummaryStatus, &str, &str)| (s, p, d.trim()),
    )
    .parse(i)
}

/// `goroutine 18 [running]:`.
fn goroutine_header(i: &str) -> Res<'_, (u64, &str)> {
    all_consuming(map(
        (
            tag("goroutine "),
            map_res(digit1, str::parse::<u64>),
            delimited(tag(" ["), take_till1(|c| c == ']'), tag("]:")),
        ),
        |(_, id, state)| (id, state),
    ))
    .parse(i)
}

/// `/path/file.go:12 +0x1d` (tab removed).
fn stack_location(i: &str) -> Res<'_, (&str, u32)> {
    terminated(
        (
            take_while1(|c: char| c != ':' && !c.is_whitespace()),
            preceded(char(':'), number),
        ),
        opt(preceded(tag(" +0x"), rest)),
    )
    .parse(i)
}

/// `imports Y` / `imports Y: message` (tab removed).
fn imports_line(i: &str) -> Res<'_, (&str, Option<&str>)> {
    preceded(
        tag("imports "),
        alt((
            map(
                (
                    take_till1(|c: char| c == ':' || c.is_whitespace()),
                    preceded(tag(": "), rest),
                ),
                |(p, m)| (p, Some(m)),
            ),
            map(all_consuming(token), |p| (p, None)),
        )),
    )
    .parse(i)
}

/// `packagefile path=archive`.
fn packagefile(i: &str) -> Res<'_, (&str, &str)> {
    preceded(
        tag("packagefile "),
        (take_till1(|c| c == '='), preceded(char('='), rest)),
    )
    .parse(i)
}

/// `importmap path=real`.
fn importmap(i: &str) -> Res<'_, (&str, &str)> {
    preceded(
        tag("importmap "),
        (take_till1(|c| c == '='), preceded(char('='), rest)),
    )
    .parse(i)
}

/// `found packages A (a.go) and B (b.go) in DIR` (go1.4: `a.go (A)`).
fn found_packages(i: &str) -> Res<'_, (&str, &str, &str, &str, &str)> {
    let paren = || delimited(tag(" ("), take_till1(|c| c == ')'), char(')'));
    map(
        (
            preceded(tag("found packages "), take_till1(|c: char| c == ' ')),
            paren(),
            preceded(tag(" and "), take_till1(|c: char| c == ' ')),
            paren(),
            preceded(tag(" in "), rest),
        ),
        |(a, fa, b, fb, dir)| (a, fa, b, fb, dir),
    )
    .parse(i)
}

/// `cannot find package "X" in any of:` / `in:`.
fn cannot_find_package(i: &str) -> Res<'_, &str> {
    delimited(
        tag("cannot find package \""),
        take_till(|c| c == '"'),
        char('"'),
    )
    .parse(i)
}

/// `make: *** [Makefile:3: build] Error 1`, `make[1]: Entering directory ...`.
fn make_line(i: &str) -> Res<'_, GoEvent<'_>> {
    let (i, _) = (
        tag("make"),
        opt(delimited(char('['), digit1, char(']'))),
        tag(": "),
    )
        .parse(i)?;
    let text = i;
    let target = text
        .strip_prefix("*** [")
        .and_then(|r| r.split_once(']'))
        .map(|(t, _)| t.rsplit(": ").next().unwrap_or(t));
    let code = text
        .rsplit_once(" Error ")
        .map(|(_, c)| c.trim())
        .filter(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit()));
    let code = code.or_else(|| text.starts_with("*** ").then_some("stop"));
    Ok(("", GoEvent::Make { text, target, code }))
}

/// `go: ...` lines.
fn go_message(body: &str) -> Option<GoEvent<'_>> {
    let msg = body.strip_prefix("go: ")?;
    if let Some(r) = msg
        .strip_prefix("downloading ")
        .or_else(|| msg.strip_prefix("extracting "))
    {
        let (module, version) = r.split_once(' ').unwrap_or((r, ""));
        return Some(GoEvent::ModuleDownload { module, version });
    }
    if let Some(what) = msg
        .strip_prefix("finding module for package ")
        .or_else(|| msg.strip_prefix("finding "))
    {
        return Some(GoEvent::ModuleFinding { what });
    }
    for action in ["found", "added", "upgraded", "downgraded", "removed"] {
        if let Some(r) = msg.strip_prefix(action).and_then(|r| r.strip_prefix(' ')) {
            let (module, version) = match action {
                "found" => r
                    .split_once(" in ")
                    .map(|(_, m)| m.split_once(' ').unwrap_or((m, "")))
                    .unwrap_or((r, "")),
                _ => r.split_once(' ').unwrap_or((r, "")),
            };
            return Some(GoEvent::ModuleChange {
                action,
                module,
                version,
            });
        }
    }
    if let Some(message) = msg.strip_prefix("warning: ") {
        return Some(GoEvent::GoWarning { message });
    }
    if msg.starts_with("to add module requirements and sums:") || msg.starts_with("to update it:") {
        return Some(GoEvent::Continuation { text: body });
    }
    Some(GoEvent::GoError { message: msg })
}

const GO_SUBCOMMANDS: &[&str] = &[
    "build", "install", "get", "test", "run", "vet", "mod", "generate", "list", "env", "clean",
    "work", "fmt", "tool", "version",
];

/// `$ go build -x -v app1`, `go test ./...` (a make recipe echo), `+ go vet`;
/// also `go build pkg:` (1.20+ error prefix) and `go version goX os/arch`.
fn go_command_line(body: &str) -> Option<GoEvent<'_>> {
    let t = body
        .strip_prefix("$ ")
        .or_else(|| body.strip_prefix('$'))
        .or_else(|| body.strip_prefix("+ "))
        .or_else(|| body.strip_prefix("> "))
        .unwrap_or(body);
    let r = t.strip_prefix("go ")?;
    let sub = r.split(' ').next()?;
    // `go get: ...`, `go install: ...`, `go mod tidy: ...` (pre-1.18 error prefixes)
    if let Some(s) = sub.strip_suffix(':')
        && GO_SUBCOMMANDS.contains(&s)
    {
        return Some(GoEvent::GoError { message: body });
    }
    if !GO_SUBCOMMANDS.contains(&sub) {
        return None;
    }
    if sub == "version"
        && let Some(v) = r.strip_prefix("version go")
    {
        let (version, os_arch) = v.split_once(' ').unwrap_or((v, ""));
        return Some(GoEvent::GoVersion {
            version: &t[11..11 + version.len() + 2],
            os_arch,
        });
    }
    let args = &r[sub.len()..];
    if let Some(p) = args.strip_prefix(' ').and_then(|a| a.strip_suffix(':'))
        && !p.contains(' ')
        && sub == "build"
    {
        return Some(GoEvent::BuildPrefix { package: p });
    }
    if args.contains(": ") {
        return Some(GoEvent::GoError { message: body });
    }
    Some(GoEvent::GoCommand { command: t })
}

/// Loading errors and `file:line:col: message` diagnostics.
fn load_or_diag(body: &str) -> Option<GoEvent<'_>> {
    let msg_body = body
        .strip_prefix("can't load package: ")
        .or_else(|| body.strip_prefix("vet: "))
        .or_else(|| body.strip_prefix("Error: "))
        .unwrap_or(body);
    if let Ok((_, (file, line, col, message))) = diag(msg_body).or_else(|_| quickfix(msg_body)) {
        if let Some((error, path)) = load_kind(message) {
            return Some(GoEvent::LoadError {
                error,
                file: Some(file),
                line: Some(line),
                col,
                path,
                message,
            });
        }
        return Some(GoEvent::CompileError {
            file,
            line,
            col,
            message,
        });
    }
    if let Some(r) = msg_body.strip_prefix("package ") {
        if let Some((pkg, message)) = r.split_once(": ")
            && !pkg.contains(' ')
        {
            let (error, path) = load_kind(message).unwrap_or((LoadKind::Other, Some(pkg)));
            return Some(GoEvent::LoadError {
                error,
                file: None,
                line: None,
                col: None,
                path: path.or(Some(pkg)),
                message: msg_body,
            });
        }
        if !r.is_empty() && !r.contains(' ') && !r.contains(':') {
            return Some(GoEvent::ImportStack { package: r });
        }
    }
    // `go mod tidy` / `go mod why`: `example.com/m imports` + tab-indented stack
    if let Some(p) = msg_body.strip_suffix(" imports")
        && is_import_path(p)
    {
        return Some(GoEvent::ImportStack { package: p });
    }
    if let Some((error, path)) = load_kind(msg_body) {
        return Some(GoEvent::LoadError {
            error,
            file: None,
            line: None,
            col: None,
            path,
            message: msg_body,
        });
    }
    if msg_body.len() != body.len() {
        return Some(GoEvent::GoError { message: body });
    }
    None
}

/// Which loading error a message is, and the path it is about.
fn load_kind(msg: &str) -> Option<(LoadKind, Option<&str>)> {
    let m = package_in(msg)
        .map(|p| &msg[8 + p.len() + 2..])
        .unwrap_or(msg);
    if let Some(i) = m.find("cannot find package \"") {
        let path = cannot_find_package(&m[i..]).ok().map(|(_, p)| p);
        return Some((LoadKind::CannotFindPackage, path));
    }
    if let Some(i) = m.find("found packages ") {
        let dir = found_packages(&m[i..]).ok().map(|(_, (.., d))| d);
        return Some((LoadKind::MultiplePackages, dir));
    }
    let after = |needle: &str| -> Option<&str> {
        let i = m.find(needle)?;
        let r = &m[i + needle.len()..];
        let end = r
            .find(|c: char| c.is_whitespace() || c == ';' || c == ':')
            .unwrap_or(r.len());
        Some(&r[..end])
    };
    if let Some(p) = after("no required module provides package ") {
        return Some((LoadKind::NoRequiredModule, Some(p)));
    }
    if let Some(p) = after("cannot find module providing package ") {
        return Some((LoadKind::CannotFindModule, Some(p)));
    }
    if m.contains("missing go.sum entry") {
        return Some((
            LoadKind::MissingGoSum,
            after("providing package ").or_else(|| after("to verify package ")),
        ));
    }
    if m.contains("import cycle not allowed") {
        return Some((LoadKind::ImportCycle, None));
    }
    if let Some(d) = after("build constraints exclude all Go files in ") {
        return Some((LoadKind::BuildConstraints, Some(d)));
    }
    if m.contains(" is not in GOROOT") || m.contains(" is not in std") {
        return Some((LoadKind::NotInGoroot, after("package ")));
    }
    if let Some(p) = after("use of internal package ") {
        return Some((LoadKind::InternalPackage, Some(p)));
    }
    if m.contains("is a program, not an importable package") {
        return Some((
            LoadKind::ImportMain,
            after("import \"").map(|p| p.trim_end_matches('"')),
        ));
    }
    if let Some(d) = after("no Go files in ") {
        return Some((LoadKind::NoGoFiles, Some(d)));
    }
    if m.starts_with("verifying ") && m.contains(": checksum mismatch") {
        return Some((LoadKind::ChecksumMismatch, m[10..].split(':').next()));
    }
    if m.contains("binary-only packages are no longer supported") {
        return Some((LoadKind::BinaryOnly, None));
    }
    if let Some(r) = m.strip_prefix("pattern ") {
        return Some((LoadKind::Pattern, r.split(": ").next()));
    }
    if let Some(p) = after("ambiguous import: found package ") {
        return Some((LoadKind::AmbiguousImport, Some(p)));
    }
    if m.starts_with("malformed import path")
        || m.starts_with("malformed module path")
        || m.contains("invalid import path")
    {
        return Some((LoadKind::MalformedPath, None));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(body: &str) -> GoEvent<'_> {
        GoParser::new().parse_line(1, body)
    }

    /// Runs a whole log; returns the parser and the event names.
    fn run(text: &str) -> (GoParser, Vec<String>) {
        let mut p = GoParser::new();
        let mut names = vec![];
        for (i, line) in text.lines().enumerate() {
            names.push(p.parse_line(i as u64 + 1, line).name().to_string());
        }
        (p, names)
    }

    fn fact(p: &GoParser, name: &str) -> Option<String> {
        p.facts()
            .into_iter()
            .find(|f| f.name == name)
            .map(|f| f.value)
    }

    #[test]
    fn work_package_mkdir() {
        assert_eq!(
            one("WORK=/tmp/go-build2119212121"),
            GoEvent::Work {
                dir: "/tmp/go-build2119212121"
            }
        );
        assert_eq!(
            one("mkdir -p $WORK/b002/"),
            GoEvent::Mkdir { dir: "$WORK/b002/" }
        );
        assert_eq!(
            one("mkdir -p /home/g/modcache/cache/vcs/abc # git3 https://github.com/x/y"),
            GoEvent::Mkdir {
                dir: "/home/g/modcache/cache/vcs/abc"
            }
        );
        let mut p = GoParser::new();
        p.parse_line(1, "WORK=/tmp/x");
        assert_eq!(
            p.parse_line(2, "libproj1/foo"),
            GoEvent::Package {
                path: "libproj1/foo"
            }
        );
        assert_eq!(p.parse_line(3, "app1"), GoEvent::Package { path: "app1" });
        assert_eq!(
            p.parse_line(4, "command-line-arguments"),
            GoEvent::Package {
                path: "command-line-arguments"
            }
        );
        assert_eq!(
            p.parse_line(5, "_/home/u/src/app"),
            GoEvent::Package {
                path: "_/home/u/src/app"
            }
        );
        assert_eq!(p.block(), 5);
        assert_eq!(p.phase(), 4);
        assert!(matches!(p.parse_line(6, "Bar1"), GoEvent::Text { .. }));
        assert!(matches!(p.parse_line(7, "done."), GoEvent::Text { .. }));
        // no build context: a bare word is text
        assert!(matches!(one("hello"), GoEvent::Text { .. }));
        assert!(matches!(
            one("example.com/app/cinfo"),
            GoEvent::Package { .. }
        ));
    }

    #[test]
    fn heredocs_and_importcfg() {
        let mut p = GoParser::new();
        p.parse_line(1, "WORK=/tmp/go-build1");
        assert_eq!(
            p.parse_line(2, "cat >$WORK/b002/importcfg << 'EOF' # internal"),
            GoEvent::HeredocBegin {
                file: "$WORK/b002/importcfg"
            }
        );
        assert_eq!(
            p.parse_line(3, "# import config"),
            GoEvent::HeredocLine {
                text: "# import config"
            }
        );
        assert_eq!(
            p.parse_line(4, "packagefile fmt=/usr/lib/go-1.19/pkg/linux_amd64/fmt.a"),
            GoEvent::ImportcfgEntry {
                import: "fmt",
                archive: "/usr/lib/go-1.19/pkg/linux_amd64/fmt.a"
            }
        );
        assert_eq!(
            p.parse_line(5, "importmap golang.org/x/net=vendor/golang.org/x/net"),
            GoEvent::Importmap {
                import: "golang.org/x/net",
                target: "vendor/golang.org/x/net"
            }
        );
        assert_eq!(p.parse_line(6, "EOF"), GoEvent::HeredocEnd);
        // go1.15: the terminator is glued to a body ending in a tab
        p.parse_line(7, "cat >$WORK/b001/_gomod_.go << 'EOF' # internal");
        assert!(matches!(
            p.parse_line(8, "package main"),
            GoEvent::HeredocLine { .. }
        ));
        assert_eq!(p.parse_line(9, "\tEOF"), GoEvent::HeredocEnd);
        assert_eq!(fact(&p, "go_version").as_deref(), Some("go1.15-or-older"));
        // go1.20+: the file is not $WORK-abbreviated
        assert!(matches!(
            p.parse_line(
                10,
                "cat >/tmp/go-build1/b003/importcfg.link << 'EOF' # internal"
            ),
            GoEvent::HeredocBegin { .. }
        ));
        assert!(matches!(
            p.parse_line(11, "modinfo \"0w\\xaf\\f\\x92t\\b\\x02A\\xe1path\\tx\\nmod\\texample.com/x\\t(devel)\\t\\n\""),
            GoEvent::Modinfo { .. }
        ));
        assert_eq!(p.parse_line(12, "EOF"), GoEvent::HeredocEnd);
        assert_eq!(fact(&p, "module").as_deref(), Some("example.com/x"));
        assert_eq!(fact(&p, "go_mode").as_deref(), Some("module"));
        // go1.22: empty files are `echo -n >`
        assert_eq!(
            p.parse_line(13, "echo -n > $WORK/b010/go_asm.h # internal"),
            GoEvent::EchoWrite {
                file: "$WORK/b010/go_asm.h",
                text: None
            }
        );
        assert_eq!(
            one("echo 'TEXT ·x(SB),0,$0' > $WORK/b001/symabis # internal"),
            GoEvent::EchoWrite {
                file: "$WORK/b001/symabis",
                text: Some("TEXT ·x(SB),0,$0")
            }
        );
    }

    #[test]
    fn unterminated_heredoc_does_not_swallow_the_log() {
        let mut p = GoParser::new();
        p.parse_line(1, "cat >$WORK/b001/importcfg << 'EOF' # internal");
        p.parse_line(2, "packagefile fmt=/x/fmt.a");
        assert!(matches!(
            p.parse_line(
                3,
                "/usr/lib/go/pkg/tool/linux_amd64/compile -o $WORK/b001/_pkg_.a -p main ./main.go"
            ),
            GoEvent::Tool(_)
        ));
    }

    #[test]
    fn stateful_cd_resolves_files() {
        let mut p = GoParser::new();
        p.parse_line(1, "WORK=/tmp/go-build1");
        p.parse_line(2, "cd /home/gopher/golog/gopath");
        let GoEvent::Tool(t) = p.parse_line(
            3,
            "/usr/lib/go-1.19/pkg/tool/linux_amd64/compile -o $WORK/b002/_pkg_.a -trimpath \"$WORK/b002=>\" -p libproj1/foo -complete -buildid A/A -goversion go1.19.8 -c=2 -nolocalimports -importcfg $WORK/b002/importcfg -pack ./src/libproj1/foo/foo1.go ./src/libproj1/foo/foo2.go",
        ) else {
            panic!("not a tool")
        };
        assert_eq!(t.tool, "compile");
        assert_eq!(t.action.as_deref(), Some("b002"));
        assert_eq!(t.output, Some("$WORK/b002/_pkg_.a"));
        assert_eq!(t.package, Some("libproj1/foo"));
        assert_eq!(t.importcfg, Some("$WORK/b002/importcfg"));
        assert_eq!(t.trimpath.as_deref(), Some("$WORK/b002=>"));
        assert_eq!(t.goversion, Some("go1.19.8"));
        assert!(t.pack);
        assert_eq!(
            t.files,
            vec![
                "/home/gopher/golog/gopath/src/libproj1/foo/foo1.go",
                "/home/gopher/golog/gopath/src/libproj1/foo/foo2.go"
            ]
        );
        assert_eq!(
            fact(&p, "gopath").as_deref(),
            Some("/home/gopher/golog/gopath")
        );
        assert_eq!(fact(&p, "go_mode").as_deref(), Some("gopath"));
        assert_eq!(fact(&p, "go_version").as_deref(), Some("go1.19.8"));
        assert_eq!(fact(&p, "goroot").as_deref(), Some("/usr/lib/go-1.19"));
        assert_eq!(fact(&p, "os_arch").as_deref(), Some("linux_amd64"));
        assert_eq!(
            p.parse_line(4, "cd $WORK/b002"),
            GoEvent::Cd { dir: "$WORK/b002" }
        );
        let GoEvent::Tool(t) = p.parse_line(
            5,
            "TERM='dumb' gcc -I /x -fPIC -m64 -pthread -g -O2 -o ./_x001.o -c _cgo_export.c",
        ) else {
            panic!("not a tool")
        };
        assert_eq!(t.tool, "gcc");
        assert_eq!(t.env, vec!["TERM='dumb'"]);
        assert_eq!(t.files, vec!["$WORK/b002/_cgo_export.c"]);
        assert_eq!(t.action.as_deref(), Some("b002"));
        assert_eq!(p.parse_line(6, "cd ."), GoEvent::Cd { dir: "." });
    }

    #[test]
    fn tools_of_every_kind() {
        let GoEvent::Tool(t) = one(
            "TERM='dumb' CGO_LDFLAGS='\"-g\" \"-O2\"' /usr/lib/go-1.19/pkg/tool/linux_amd64/cgo -objdir $WORK/b002/ -importpath example.com/app/cinfo -- -I $WORK/b002/ -g -O2 ./cinfo.go",
        ) else {
            panic!()
        };
        assert_eq!((t.tool, t.package), ("cgo", Some("example.com/app/cinfo")));
        assert_eq!(t.env.len(), 2);
        assert_eq!(t.action.as_deref(), Some("b002"));
        let GoEvent::Tool(t) = one(
            "/usr/lib/go-1.19/pkg/tool/linux_amd64/pack r $WORK/b031/_pkg_.a $WORK/b031/add_amd64.o # internal",
        ) else {
            panic!()
        };
        assert_eq!(
            (t.tool, t.output, t.internal),
            ("pack", Some("$WORK/b031/_pkg_.a"), true)
        );
        assert_eq!(t.files, vec!["$WORK/b031/add_amd64.o"]);
        let GoEvent::Tool(t) =
            one("/usr/lib/go-1.19/pkg/tool/linux_amd64/buildid -w $WORK/b002/_pkg_.a # internal")
        else {
            panic!()
        };
        assert_eq!((t.tool, t.action.as_deref()), ("buildid", Some("b002")));
        let GoEvent::Tool(t) = one(
            "GOROOT='/opt/go' /opt/go/pkg/tool/linux_amd64/link -o $WORK/b001/exe/a.out -importcfg $WORK/b001/importcfg.link -buildmode=exe -buildid=a/b/c/d -extld=gcc $WORK/b001/_pkg_.a",
        ) else {
            panic!()
        };
        assert_eq!((t.tool, t.action.as_deref()), ("link", Some("b001")));
        assert_eq!(t.files, vec!["$WORK/b001/_pkg_.a"]);
        let GoEvent::Tool(t) = one(
            "/Users/tony/.Bin/go14/pkg/tool/darwin_amd64/6l -o $WORK/app1/_obj/exe/a.out -L $WORK -L /Users/tony/Test/Go/pkgtest/pkg/darwin_amd64 -extld=clang $WORK/app1.a",
        ) else {
            panic!()
        };
        assert_eq!((t.tool, t.action.as_deref()), ("6l", Some("app1")));
        assert_eq!(
            t.search,
            vec!["$WORK", "/Users/tony/Test/Go/pkgtest/pkg/darwin_amd64"]
        );
        assert!(matches!(
            one("gcc -fno-caret-diagnostics -c -x c - -o /dev/null || true"),
            GoEvent::Tool(t) if t.tool == "gcc" && t.files.is_empty()
        ));
        assert_eq!(
            one("$WORK/b001/calc.test -test.testlogfile=$WORK/b001/testlog.txt -test.v=true"),
            GoEvent::TestExec {
                binary: "$WORK/b001/calc.test",
                args: "-test.testlogfile=$WORK/b001/testlog.txt -test.v=true"
            }
        );
        // gcc's own messages are not invocations
        assert!(!matches!(
            one("gcc: error: unrecognized option"),
            GoEvent::Tool(_)
        ));
    }

    #[test]
    fn cp_mv_rm() {
        assert_eq!(
            one("cp $WORK/b002/_pkg_.a /c/a7/a71e-d # internal"),
            GoEvent::Cp {
                from: "$WORK/b002/_pkg_.a",
                to: "/c/a7/a71e-d",
                internal: true
            }
        );
        assert_eq!(
            one("mv $WORK/b001/exe/a.out app1"),
            GoEvent::Mv {
                from: "$WORK/b001/exe/a.out",
                to: "app1"
            }
        );
        assert_eq!(
            one("rm -r $WORK/b001/"),
            GoEvent::Rm {
                path: "$WORK/b001/"
            }
        );
        assert_eq!(
            one("rm -rf $WORK/b001/"),
            GoEvent::Rm {
                path: "$WORK/b001/"
            }
        );
    }

    #[test]
    fn error_group_and_diagnostics() {
        let mut p = GoParser::new();
        assert_eq!(
            p.parse_line(1, "# app2b"),
            GoEvent::ErrorHeader {
                package: "app2b",
                variant: None
            }
        );
        assert_eq!(
            p.parse_line(
                2,
                "src/app2b/main.go:4:2: imported and not used: \"libproj2/foo\" as bar"
            ),
            GoEvent::CompileError {
                file: "src/app2b/main.go",
                line: 4,
                col: Some(2),
                message: "imported and not used: \"libproj2/foo\" as bar"
            }
        );
        assert!(matches!(
            p.parse_line(3, "src/app2b/main.go:8:2: undefined: foo"),
            GoEvent::CompileError { .. }
        ));
        assert_eq!(p.block(), 1);
        let f = p.failure().unwrap();
        assert_eq!(f.line, 2);
        assert_eq!(f.source.as_deref(), Some("src/app2b/main.go:4:2"));
        assert_eq!(f.package.as_deref(), Some("app2b"));
        assert_eq!(
            fact(&p, "failed_file").as_deref(),
            Some("src/app2b/main.go")
        );
        assert_eq!(
            one("# example.com/x/calc [example.com/x/calc.test]"),
            GoEvent::ErrorHeader {
                package: "example.com/x/calc",
                variant: Some("example.com/x/calc.test")
            }
        );
        // old compilers printed no column; ld prints file.c:4:
        assert!(matches!(
            one("./main.go:8: undefined: foo"),
            GoEvent::CompileError {
                col: None,
                line: 8,
                ..
            }
        ));
        assert!(matches!(
            one("main.go|9 col 14| undefined: x"),
            GoEvent::CompileError {
                file: "main.go",
                line: 9,
                col: Some(14),
                ..
            }
        ));
    }

    #[test]
    fn dry_run_banner_is_not_an_error_header() {
        let mut p = GoParser::new();
        assert_eq!(p.parse_line(1, ""), GoEvent::Blank);
        assert_eq!(p.parse_line(2, "#"), GoEvent::Banner { package: None });
        assert_eq!(
            p.parse_line(3, "# example.com/app/greet"),
            GoEvent::Banner {
                package: Some("example.com/app/greet")
            }
        );
        assert_eq!(p.parse_line(4, "#"), GoEvent::Banner { package: None });
        assert!(p.failure().is_none());
    }

    #[test]
    fn loader_errors() {
        assert_eq!(
            one("src/app1/main.go:4:2: cannot find package \"libproj1/foo\" in any of:"),
            GoEvent::LoadError {
                error: LoadKind::CannotFindPackage,
                file: Some("src/app1/main.go"),
                line: Some(4),
                col: Some(2),
                path: Some("libproj1/foo"),
                message: "cannot find package \"libproj1/foo\" in any of:"
            }
        );
        assert!(matches!(
            one(
                "src/app2/main.go:4:2: found packages bar (bar1.go) and foo (foo1.go) in /g/src/libproj2/foo"
            ),
            GoEvent::LoadError {
                error: LoadKind::MultiplePackages,
                path: Some("/g/src/libproj2/foo"),
                ..
            }
        ));
        assert!(matches!(
            one(
                "can't load package: package libproj1/foo: found packages bar1.go (bar) and foo1.go (foo) in /U/src/libproj1/foo"
            ),
            GoEvent::LoadError {
                error: LoadKind::MultiplePackages,
                ..
            }
        ));
        assert!(matches!(
            one(
                "main.go:3:8: no required module provides package example.com/notthere/pkg; to add it:"
            ),
            GoEvent::LoadError {
                error: LoadKind::NoRequiredModule,
                path: Some("example.com/notthere/pkg"),
                ..
            }
        ));
        assert!(matches!(
            one(
                "main.go:6:2: missing go.sum entry for module providing package example.com/dep (imported by example.com/gosum); to add:"
            ),
            GoEvent::LoadError {
                error: LoadKind::MissingGoSum,
                path: Some("example.com/dep"),
                ..
            }
        ));
        assert!(matches!(
            one(
                "package example.com/constraints: build constraints exclude all Go files in /m/constraints"
            ),
            GoEvent::LoadError {
                error: LoadKind::BuildConstraints,
                path: Some("/m/constraints"),
                ..
            }
        ));
        assert!(matches!(
            one("main.go:3:8: package libfoo/bar is not in std (/usr/lib/go-1.23/src/libfoo/bar)"),
            GoEvent::LoadError {
                error: LoadKind::NotInGoroot,
                path: Some("libfoo/bar"),
                ..
            }
        ));
        assert!(matches!(
            one("verifying example.com/dep@v1.0.0: checksum mismatch"),
            GoEvent::LoadError {
                error: LoadKind::ChecksumMismatch,
                path: Some("example.com/dep@v1.0.0"),
                ..
            }
        ));
        assert!(matches!(
            one("no Go files in /m/nogofiles/empty"),
            GoEvent::LoadError {
                error: LoadKind::NoGoFiles,
                ..
            }
        ));
        assert!(matches!(
            one("pattern ./nothing/...: lstat ./nothing/: no such file or directory"),
            GoEvent::LoadError {
                error: LoadKind::Pattern,
                path: Some("./nothing/..."),
                ..
            }
        ));
        assert_eq!(
            one("package example.com/cycle"),
            GoEvent::ImportStack {
                package: "example.com/cycle"
            }
        );
        assert_eq!(
            one("\timports example.com/cycle/a: import cycle not allowed"),
            GoEvent::Imports {
                package: "example.com/cycle/a",
                message: Some("import cycle not allowed")
            }
        );
        assert_eq!(
            one("\timports example.com/cycle/b"),
            GoEvent::Imports {
                package: "example.com/cycle/b",
                message: None
            }
        );
    }

    #[test]
    fn import_stack_failure_points_at_the_message() {
        let (p, _) = run(
            "WORK=/tmp/go-build1\npackage example.com/cycle\n\timports example.com/cycle/a\n\timports example.com/cycle/b\n\timports example.com/cycle/a: import cycle not allowed\n",
        );
        let f = p.failure().unwrap();
        assert_eq!(f.line, 5);
        assert_eq!(f.package.as_deref(), Some("example.com/cycle"));
        assert_eq!(p.block(), 2);
    }

    #[test]
    fn go_messages() {
        assert_eq!(
            one("go: downloading example.com/dep v1.0.0"),
            GoEvent::ModuleDownload {
                module: "example.com/dep",
                version: "v1.0.0"
            }
        );
        assert_eq!(
            one("go: finding module for package example.com/x"),
            GoEvent::ModuleFinding {
                what: "example.com/x"
            }
        );
        assert_eq!(
            one("go: found example.com/x in example.com/x v1.2.0"),
            GoEvent::ModuleChange {
                action: "found",
                module: "example.com/x",
                version: "v1.2.0"
            }
        );
        assert_eq!(
            one("go: added example.com/dep v1.0.0"),
            GoEvent::ModuleChange {
                action: "added",
                module: "example.com/dep",
                version: "v1.0.0"
            }
        );
        assert_eq!(
            one("go: warning: \"./empty/...\" matched no packages"),
            GoEvent::GoWarning {
                message: "\"./empty/...\" matched no packages"
            }
        );
        assert_eq!(
            one("go: inconsistent vendoring in /m/vendorbad:"),
            GoEvent::GoError {
                message: "inconsistent vendoring in /m/vendorbad:"
            }
        );
        let (p, _) = run(
            "WORK=/tmp/x\ngo: go.mod requires go >= 1.99 (running go 1.23.5; GOTOOLCHAIN=local)\n",
        );
        assert_eq!(fact(&p, "go_version").as_deref(), Some("go1.23.5"));
        assert_eq!(fact(&p, "go_required").as_deref(), Some("1.99"));
        assert_eq!(fact(&p, "gotoolchain").as_deref(), Some("local"));
        assert_eq!(p.failure().unwrap().line, 2);
    }

    #[test]
    fn go_commands_and_prefixes() {
        assert_eq!(
            one("$go build -x -v app1"),
            GoEvent::GoCommand {
                command: "go build -x -v app1"
            }
        );
        assert_eq!(
            one("go build -o bin/app ."),
            GoEvent::GoCommand {
                command: "go build -o bin/app ."
            }
        );
        assert_eq!(
            one("go build example.com/x:"),
            GoEvent::BuildPrefix {
                package: "example.com/x"
            }
        );
        assert_eq!(
            one("go version go1.21.0 linux/amd64"),
            GoEvent::GoVersion {
                version: "go1.21.0",
                os_arch: "linux/amd64"
            }
        );
        assert!(matches!(
            one("go build example.com/x: /usr/lib/go/pkg/tool/linux_amd64/compile: signal: killed"),
            GoEvent::GoError { .. }
        ));
        assert!(matches!(one("go 1.19"), GoEvent::Text { .. }));
    }

    #[test]
    fn test_output() {
        let mut p = GoParser::new();
        assert_eq!(
            p.parse_line(1, "=== RUN   TestAdd"),
            GoEvent::TestRun {
                action: "RUN",
                test: "TestAdd"
            }
        );
        assert_eq!(
            p.parse_line(2, "    calc_test.go:13: Add(2, 3) = -1, want 5"),
            GoEvent::TestLog {
                file: "calc_test.go",
                line: 13,
                message: "Add(2, 3) = -1, want 5"
            }
        );
        assert_eq!(
            p.parse_line(3, "--- FAIL: TestAdd (0.00s)"),
            GoEvent::TestResult {
                status: TestStatus::Fail,
                test: "TestAdd",
                duration: "0.00s",
                depth: 0
            }
        );
        assert_eq!(
            p.parse_line(4, "    --- FAIL: TestSub/case1 (0.00s)"),
            GoEvent::TestResult {
                status: TestStatus::Fail,
                test: "TestSub/case1",
                duration: "0.00s",
                depth: 1
            }
        );
        assert_eq!(
            p.parse_line(5, "FAIL"),
            GoEvent::TestVerdict { passed: false }
        );
        assert_eq!(
            p.parse_line(6, "FAIL\texample.com/testfail/calc\t0.002s"),
            GoEvent::TestSummary {
                status: SummaryStatus::Fail,
                package: "example.com/testfail/calc",
                detail: "0.002s"
            }
        );
        let f = p.failure().unwrap();
        assert_eq!((f.line, f.source.as_deref()), (3, Some("calc_test.go:13")));
        assert_eq!(f.package.as_deref(), Some("example.com/testfail/calc"));
        assert!(!p.succeeded());
        assert_eq!(
            one("?   \texample.com/app/cinfo\t[no test files]"),
            GoEvent::TestSummary {
                status: SummaryStatus::NoTests,
                package: "example.com/app/cinfo",
                detail: "[no test files]"
            }
        );
        assert_eq!(
            one("FAIL\texample.com/vet [build failed]"),
            GoEvent::TestSummary {
                status: SummaryStatus::Fail,
                package: "example.com/vet",
                detail: "[build failed]"
            }
        );
        assert_eq!(
            one("panic: runtime error: index out of range [5] with length 2 [recovered]"),
            GoEvent::Panic {
                message: "runtime error: index out of range [5] with length 2",
                recovered: true
            }
        );
        assert_eq!(
            one("goroutine 18 [running]:"),
            GoEvent::Goroutine {
                id: 18,
                state: "running"
            }
        );
        assert_eq!(one("exit status 2"), GoEvent::ExitStatus { code: 2 });
        assert_eq!(
            one("--- FAIL: TestOld (0.00 seconds)"),
            GoEvent::TestResult {
                status: TestStatus::Fail,
                test: "TestOld",
                duration: "0.00 seconds",
                depth: 0
            }
        );
    }

    #[test]
    fn make_wrapper_and_prefixes() {
        assert_eq!(
            one("make: *** [Makefile:5: build] Error 2"),
            GoEvent::Make {
                text: "*** [Makefile:5: build] Error 2",
                target: Some("build"),
                code: Some("2")
            }
        );
        assert!(matches!(
            one("make[1]: Entering directory '/src'"),
            GoEvent::Make { code: None, .. }
        ));
        // editor / quote / CI prefixes are stripped
        assert!(matches!(
            one("|  > # app2b"),
            GoEvent::ErrorHeader {
                package: "app2b",
                ..
            }
        ));
        assert!(matches!(
            one(" > ./main.go:9:14: undefined: x"),
            GoEvent::CompileError { .. }
        ));
        assert!(matches!(
            one("|| ./main.go:9:14: undefined: x"),
            GoEvent::CompileError { .. }
        ));
        assert!(matches!(
            one("##[error]./main.go:9:14: undefined: x"),
            GoEvent::CompileError { .. }
        ));
        assert!(matches!(
            one("2024-05-01T10:00:00.1234567Z ./main.go:9:14: undefined: x"),
            GoEvent::CompileError { .. }
        ));
        assert!(matches!(
            one(">     calc_test.go:13: boom"),
            GoEvent::TestLog { .. }
        ));
    }

    #[test]
    fn cgo_caret_and_continuations() {
        let mut p = GoParser::new();
        p.parse_line(1, "# example.com/cgoheader");
        assert!(matches!(
            p.parse_line(
                2,
                "./main.go:4:10: fatal error: nothere.h: No such file or directory"
            ),
            GoEvent::CompileError { .. }
        ));
        assert!(matches!(
            p.parse_line(3, "    4 | #include \"nothere.h\""),
            GoEvent::SourceExcerpt { .. }
        ));
        assert!(matches!(
            p.parse_line(4, "      |          ^~~~~~~~~~~"),
            GoEvent::SourceExcerpt { .. }
        ));
        assert!(matches!(
            p.parse_line(5, "compilation terminated."),
            GoEvent::ToolOutput { .. }
        ));
        assert!(matches!(
            one("\t/usr/lib/go-1.19/src/libproj1/foo (from $GOROOT)"),
            GoEvent::Continuation {
                text: "/usr/lib/go-1.19/src/libproj1/foo (from $GOROOT)"
            }
        ));
        // the seed pasted its continuation lines with no-break spaces
        assert!(matches!(
            one("\u{a0} \u{a0} \u{a0}  /Users/tony/.Bin/go14/src/libproj1/foo (from $GOROOT)"),
            GoEvent::Continuation { .. }
        ));
    }

    #[test]
    fn never_panics_on_odd_input() {
        let mut p = GoParser::new();
        for (i, l) in [
            "",
            " ",
            "\t",
            "#",
            "# ",
            "# [",
            "cat >",
            "cat > << 'EOF'",
            "mkdir -p",
            "WORK=",
            "go: ",
            "go ",
            "$",
            "$ go",
            "=== RUN",
            "--- FAIL: (",
            "ok  \t",
            "FAIL\t",
            "panic: ",
            "goroutine x [",
            "\timports",
            "package ",
            "package :",
            "a.go:",
            "a.go:1",
            "a.go:1:",
            "a.go:99999999999: x",
            "make",
            "make: ",
            "echo",
            "echo '",
            "cp",
            "mv x",
            "rm -r",
            "|",
            ">",
            "||",
            "##[",
            "é.go:1: ü",
            "/pkg/tool/",
            "X=1 /pkg/tool/",
            "\"\\",
            "'",
            "found packages ",
            "cannot find package \"",
            "verifying : checksum mismatch",
            "2024-05-01T10:00:00.1Z",
            "\u{a0}",
            "go version go",
        ]
        .iter()
        .enumerate()
        {
            p.parse_line(i as u64, l);
        }
        let _ = p.summary();
        let _ = p.facts();
    }

    #[test]
    fn wrappers_windows_paths_and_vet_prefix() {
        assert!(matches!(
            one(r"C:\Users\dev\app\main.go:9:14: undefined: x"),
            GoEvent::CompileError {
                file: r"C:\Users\dev\app\main.go",
                line: 9,
                col: Some(14),
                ..
            }
        ));
        assert!(matches!(
            one("vet: ./main.go:9:2: undefined: x"),
            GoEvent::CompileError {
                file: "./main.go",
                ..
            }
        ));
        // Docker BuildKit step prefix
        assert!(matches!(
            one("#12 3.456 main.go:3:8: no required module provides package x.org/y; to add it:"),
            GoEvent::LoadError {
                error: LoadKind::NoRequiredModule,
                ..
            }
        ));
        assert!(matches!(
            one("#12 3.456 # example.com/x"),
            GoEvent::ErrorHeader { .. }
        ));
        // pre-1.18 `go get: ...` / `go install: ...` errors
        assert!(matches!(
            one("go install: version is required when current directory is not in a module"),
            GoEvent::GoError { .. }
        ));
    }

    #[test]
    fn go_mod_tidy_import_stack() {
        let (p, names) = run(
            "go: finding module for package github.com/pkg/errors\nexample.com/tidyoff imports\n\tgithub.com/pkg/errors: cannot find module providing package github.com/pkg/errors: module lookup disabled by GOPROXY=off\n",
        );
        assert_eq!(names, ["module_finding", "import_stack", "load_error"]);
        let f = p.failure().unwrap();
        assert_eq!(f.line, 3);
        assert_eq!(f.package.as_deref(), Some("example.com/tidyoff"));
    }

    #[test]
    fn pkg_config_block() {
        let (p, names) = run(
            "go build github.com/giorgisio/goav/avcodec:\n# pkg-config --cflags  -- libavcodec\nPackage libavcodec was not found in the pkg-config search path.\nNo package 'libavcodec' found\npkg-config: exit status 1\n",
        );
        assert_eq!(names[..2], ["build_prefix", "error_header"]);
        assert_eq!(p.failure().unwrap().line, 3);
    }

    #[test]
    fn facts_for_fixes() {
        // which file of a two-package directory is the stray one
        let (p, _) = run(TWO_PACKAGES);
        assert_eq!(fact(&p, "stray_file").as_deref(), Some("bar1.go"));
        assert_eq!(fact(&p, "stray_package").as_deref(), Some("bar"));
        assert_eq!(fact(&p, "dir_package").as_deref(), Some("foo"));
        let (p, _) = run(SEED_TWO);
        assert_eq!(fact(&p, "stray_file").as_deref(), Some("bar1.go"));
        // go1.9 and older name the member: `undefined: foo in foo.Bar1`
        let (p, _) = run(
            "# app2\n./main.go:4: imported and not used: \"libproj2/foo\" as bar\n./main.go:8: undefined: foo in foo.Bar1\n",
        );
        assert_eq!(fact(&p, "undefined_member").as_deref(), Some("Bar1"));
        // the failing test, its message and source
        let (p, _) = run(TEST_NONVERBOSE);
        assert_eq!(fact(&p, "failed_test").as_deref(), Some("TestTitle"));
        assert_eq!(
            fact(&p, "test_message").as_deref(),
            Some("Title(\"go\") = \"GO\", want \"Go\"")
        );
        assert_eq!(
            fact(&p, "failed_source").as_deref(),
            Some("strutil_test.go:16")
        );
        // env assignments
        let (p, _) = run("$ export GO111MODULE=off GOPATH=/home/u/go\n$ go build ./...\n");
        assert_eq!(fact(&p, "go_mode").as_deref(), Some("gopath"));
        assert_eq!(fact(&p, "gopath").as_deref(), Some("/home/u/go"));
    }

    #[test]
    fn every_prefix_of_every_sample_line_is_total() {
        for log in [
            GO14,
            NAME_MISMATCH,
            CGO_LIB_123,
            TEST_PANIC,
            GO115_UNUSED,
            CHECKSUM,
            SEED_REMOVED,
        ] {
            for line in log.lines() {
                let mut p = GoParser::new();
                for (i, _) in line.char_indices() {
                    p.parse_line(1, &line[..i]);
                    p.parse_line(2, &line[i..]);
                }
                let _ = p.summary();
            }
        }
    }

    // -- whole logs ------------------------------------------------------------

    const GO14: &str = include_str!("../../samples/go/00-go14-blog-sample.log");
    const GOPATH_BUILD: &str = include_str!("../../samples/go/01-gopath-build-app1.log");
    const AFTER_INSTALL: &str =
        include_str!("../../samples/go/05-gopath-build-app1-after-install.log");
    const SOURCE_REMOVED: &str =
        include_str!("../../samples/go/06-gopath-source-removed-a-kept.log");
    const NAME_MISMATCH: &str =
        include_str!("../../samples/go/09-gopath-pkgname-as-identifier.log");
    const TWO_PACKAGES: &str = include_str!("../../samples/go/11-gopath-two-packages-one-dir.log");
    const CGO_DUP: &str = include_str!("../../samples/go/41-mod-cgo-duplicate-c-symbol.log");
    const CGO_LIB_123: &str = include_str!("../../samples/go/89-go123-mod-cgo-missing-library.log");
    const TEST_FAIL_X: &str = include_str!("../../samples/go/59-mod-test-fail-x-v.log");
    const TEST_PANIC: &str = include_str!("../../samples/go/61-mod-test-panic.log");
    const GO115_BUILD: &str = include_str!("../../samples/go/90-go115-gopath-build-app1.log");
    const GO115_UNUSED: &str = include_str!("../../samples/go/97-go115-mod-unused-import-var.log");
    const GO123_BUILD: &str = include_str!("../../samples/go/74-go123-mod-build-multipkg.log");
    const CHECKSUM: &str = include_str!("../../samples/go/31-mod-checksum-mismatch.log");
    const NEWER_GO: &str = include_str!("../../samples/go/52-mod-requires-newer-go.log");
    const TEST_BUILD_FAILED: &str = include_str!("../../samples/go/60-mod-test-build-failed.log");
    const SEED_REMOVED: &str = include_str!("../../samples/go/seed-go14-source-removed.log");
    const SEED_TWO: &str = include_str!("../../samples/go/seed-go14-two-packages-one-dir.log");
    const MAKE_WRAP: &str = include_str!("../../samples/go/c14-make-wrapper.log");
    const TEST_NONVERBOSE: &str = include_str!("../../samples/go/c09-mod-test-fail.log");
    const DRY_RUN: &str = include_str!("../../samples/go/64-mod-build-n-dry-run.log");

    #[test]
    fn go14_sample() {
        let (p, names) = run(GO14);
        assert!(!names.contains(&"text".to_string()), "{names:?}");
        assert!(p.succeeded());
        let s = p.summary();
        assert_eq!(s.go_version.as_deref(), Some("go1.4-era"));
        assert_eq!(s.go_mode.as_deref(), Some("gopath"));
        assert_eq!(
            s.packages
                .iter()
                .map(|p| p.path.as_str())
                .collect::<Vec<_>>(),
            ["libproj1/foo", "app1"]
        );
        let foo = &s.packages[0];
        assert_eq!(foo.action.as_deref(), Some("libproj1/foo"));
        assert_eq!(
            foo.files,
            [
                "/Users/tony/Test/Go/pkgtest/src/libproj1/foo/foo1.go",
                "/Users/tony/Test/Go/pkgtest/src/libproj1/foo/foo2.go"
            ]
        );
        assert_eq!(
            s.packages[1].search_paths,
            ["$WORK", "/Users/tony/Test/Go/pkgtest/pkg/darwin_amd64"]
        );
        assert_eq!(s.links.len(), 1);
        assert_eq!(s.links[0].binary.as_deref(), Some("app1"));
        assert_eq!(
            s.links[0].search_paths,
            ["$WORK", "/Users/tony/Test/Go/pkgtest/pkg/darwin_amd64"]
        );
        assert_eq!(
            fact(&p, "gopath").as_deref(),
            Some("/Users/tony/Test/Go/pkgtest")
        );
        assert_eq!(fact(&p, "os_arch").as_deref(), Some("darwin_amd64"));
    }

    #[test]
    fn gopath_build_summary() {
        let (p, names) = run(GOPATH_BUILD);
        assert!(!names.contains(&"text".to_string()));
        assert!(p.succeeded());
        let s = p.summary();
        assert_eq!(s.packages.len(), 2);
        let app = &s.packages[1];
        assert_eq!(
            (app.path.as_str(), app.action.as_deref()),
            ("app1", Some("b001"))
        );
        assert!(app.built && app.cached);
        let foo_edge = app
            .imports
            .iter()
            .find(|i| i.import == "libproj1/foo")
            .unwrap();
        assert_eq!(
            (foo_edge.origin, foo_edge.action.as_deref()),
            ("work", Some("b002"))
        );
        let rt = app.imports.iter().find(|i| i.import == "runtime").unwrap();
        assert_eq!(rt.origin, "goroot");
        assert_eq!(s.links[0].binary.as_deref(), Some("app1"));
        assert!(s.links[0].packages.len() > 2);
        assert_eq!(s.outputs[0].what, "binary");
    }

    #[test]
    fn stale_installed_archive_is_visible() {
        let (p, _) = run(AFTER_INSTALL);
        let s = p.summary();
        let app = s.packages.iter().find(|p| p.path == "app1").unwrap();
        let foo = app
            .imports
            .iter()
            .find(|i| i.import == "libproj1/foo")
            .unwrap();
        assert_eq!(foo.origin, "installed");
        assert_eq!(
            foo.archive,
            "/home/gopher/golog/gopath/pkg/linux_amd64/libproj1/foo.a"
        );
        assert_eq!(
            fact(&p, "gopath").as_deref(),
            Some("/home/gopher/golog/gopath")
        );
        // the same log, then the source removed: the .a is named in the facts
        let both = format!("{AFTER_INSTALL}{SOURCE_REMOVED}");
        let (p, _) = run(&both);
        assert_eq!(
            fact(&p, "archive_without_source").as_deref(),
            Some("/home/gopher/golog/gopath/pkg/linux_amd64/libproj1/foo.a")
        );
    }

    #[test]
    fn source_removed() {
        let (p, _) = run(SOURCE_REMOVED);
        let f = p.failure().unwrap();
        assert_eq!(f.line, 2);
        assert_eq!(f.source.as_deref(), Some("src/app1/main.go:4:2"));
        assert_eq!(f.package.as_deref(), Some("libproj1/foo"));
        assert_eq!(fact(&p, "go_mode").as_deref(), Some("gopath"));
        assert_eq!(
            fact(&p, "gopath").as_deref(),
            Some("/home/gopher/golog/gopath")
        );
        assert_eq!(fact(&p, "goroot").as_deref(), Some("/usr/lib/go-1.19"));
        assert_eq!(
            fact(&p, "searched_dirs").as_deref(),
            Some(
                "/usr/lib/go-1.19/src/libproj1/foo (from $GOROOT), /home/gopher/golog/gopath/src/libproj1/foo (from $GOPATH)"
            )
        );
        assert!(!p.succeeded());
        // the seed's go1.4 paste: prompt line and no-break-space indents
        let (p, _) = run(SEED_REMOVED);
        assert_eq!(p.failure().unwrap().line, 2);
        assert_eq!(
            fact(&p, "gopath").as_deref(),
            Some("/Users/tony/Test/Go/pkgtest")
        );
        assert_eq!(fact(&p, "go_command").as_deref(), Some("go build app1"));
    }

    #[test]
    fn name_mismatch_group() {
        let (p, _) = run(NAME_MISMATCH);
        let f = p.failure().unwrap();
        assert_eq!(f.line, 21);
        assert!(
            f.text
                .contains("imported and not used: \"libproj2/foo\" as bar")
        );
        assert!(f.command.as_deref().unwrap().contains("-p main"));
        assert_eq!(p.block(), 20);
        let s = p.summary();
        assert_eq!(s.failed_package.as_deref(), Some("app2b"));
        assert!(s.packages.iter().any(|p| p.path == "app2b" && p.failed));
        assert_eq!(s.error_groups.len(), 1);
        assert_eq!(s.error_groups[0].errors, 2);
    }

    #[test]
    fn two_packages_seed_and_modern() {
        let (p, _) = run(TWO_PACKAGES);
        assert_eq!(p.failure().unwrap().line, 2);
        let (p, names) = run(SEED_TWO);
        assert_eq!(names, ["go_command", "load_error"]);
        assert!(p.failure().is_some());
        assert_eq!(fact(&p, "go_version").as_deref(), Some("go1.13-or-older"));
    }

    #[test]
    fn cgo_trial_link_block_is_not_the_failure() {
        let (p, _) = run(CGO_DUP);
        let s = p.summary();
        assert_eq!(s.error_groups.len(), 2);
        assert!(!s.error_groups[0].fatal);
        assert!(s.error_groups[1].fatal);
        let f = p.failure().unwrap();
        assert_eq!(f.line, s.error_groups[1].first_error_line.unwrap());
        assert!(f.text.contains("running gcc failed"));
        assert!(f.command.unwrap().contains("/link "));
        // 1.23 prints the trial-link block late, after pack/buildid
        let (p, _) = run(CGO_LIB_123);
        let s = p.summary();
        assert_eq!(s.error_groups.len(), 2);
        assert!(!s.error_groups[0].fatal, "{:?}", s.error_groups);
        assert!(p.failure().unwrap().text.contains("running gcc failed"));
        assert_eq!(fact(&p, "go_version").as_deref(), Some("go1.23.5"));
    }

    #[test]
    fn go_test_x_v() {
        let (p, names) = run(TEST_FAIL_X);
        let f = p.failure().unwrap();
        assert!(f.text.starts_with("--- FAIL: TestAdd"));
        assert_eq!(f.source.as_deref(), Some("calc_test.go:13"));
        assert_eq!(f.package.as_deref(), Some("example.com/testfail/calc"));
        assert!(f.command.unwrap().contains("calc.test"));
        assert!(!names.contains(&"package".to_string()));
        let (p, _) = run(TEST_NONVERBOSE);
        let f = p.failure().unwrap();
        assert_eq!(f.source.as_deref(), Some("strutil_test.go:16"));
        assert_eq!(f.package.as_deref(), Some("example.com/testfail/strutil"));
    }

    #[test]
    fn test_panic_points_at_user_frame() {
        let (p, names) = run(TEST_PANIC);
        assert!(names.contains(&"stack_location".to_string()));
        let f = p.failure().unwrap();
        assert_eq!(f.line, 2);
        assert_eq!(
            f.source.as_deref(),
            Some("/home/gopher/golog/mod/testpanic/p/p.go:3")
        );
        assert_eq!(f.package.as_deref(), Some("example.com/testpanic/p"));
    }

    #[test]
    fn test_build_failed_keeps_the_group() {
        let (p, _) = run(TEST_BUILD_FAILED);
        let f = p.failure().unwrap();
        assert_eq!(f.line, 2);
        assert_eq!(f.package.as_deref(), Some("example.com/testbuildfail/calc"));
    }

    #[test]
    fn successful_builds_across_versions() {
        for (name, log) in [("go1.15", GO115_BUILD), ("go1.23", GO123_BUILD)] {
            let (p, names) = run(log);
            assert!(p.succeeded(), "{name}");
            assert!(p.failure().is_none(), "{name}");
            let heredoc_lines = names
                .iter()
                .filter(|n| n.starts_with("heredoc") || *n == "importcfg_entry")
                .count();
            assert!(heredoc_lines > 3, "{name}");
        }
        let (p, _) = run(GO123_BUILD);
        let s = p.summary();
        assert!(
            s.packages
                .iter()
                .any(|p| p.path == "example.com/app/cinfo" && p.tools.contains(&"cgo".to_string()))
        );
        assert!(
            s.packages.iter().all(|p| p.path != "main"),
            "{:?}",
            s.packages.iter().map(|p| &p.path).collect::<Vec<_>>()
        );
        let (p, _) = run(GO115_UNUSED);
        assert!(
            p.failure()
                .unwrap()
                .text
                .contains("imported and not used: \"os\"")
        );
    }

    #[test]
    fn checksum_and_note() {
        let (p, names) = run(CHECKSUM);
        assert_eq!(p.failure().unwrap().line, 2);
        assert_eq!(names[1], "load_error");
        let (p, _) = run(NEWER_GO);
        assert!(p.failure().unwrap().text.contains("undefinedThing"));
        assert_eq!(fact(&p, "go_required").as_deref(), Some("1.99"));
        assert_eq!(p.block(), 10);
    }

    #[test]
    fn make_wrapper_is_not_the_failure() {
        let (p, names) = run(MAKE_WRAP);
        assert_eq!(names[0], "go_command");
        let f = p.failure().unwrap();
        assert!(f.text.contains("undefined: version"));
        assert_eq!(
            fact(&p, "go_command").as_deref(),
            Some("go build -o bin/app .")
        );
        let (p, _) = run("make: *** [Makefile:3: build] Error 1\n");
        assert_eq!(p.failure().unwrap().line, 1);
    }

    #[test]
    fn dry_run_is_not_a_failure() {
        let (p, names) = run(DRY_RUN);
        assert!(p.failure().is_none());
        assert!(names.contains(&"banner".to_string()));
        assert!(!names.contains(&"error_header".to_string()));
    }

    #[test]
    fn sniffing() {
        let yes = [
            "WORK=/tmp/go-build1",
            "# example.com/x\n./main.go:9:14: undefined: notDeclared",
            "main.go:3:8: no required module provides package example.com/x; to add it:",
            "go: downloading example.com/dep v1.0.0",
            "go: example.com/nothere@latest: module lookup disabled by GOPROXY=off",
            "=== RUN   TestAdd",
            "ok  \texample.com/x\t0.01s",
            "$go build app1\nmain.go:5:2: cannot find package \"libproj1/foo\" in any of:",
            "can't load package: package x: found packages a (a.go) and b (b.go) in /d",
            "package example.com/constraints: build constraints exclude all Go files in /m",
            "main.go:6:2: cannot find package \".\" in:",
            "# cd .; git clone -- https://github.com/acme/private /home/u/go/src/github.com/acme/private",
            "go: -race requires cgo; enable cgo by setting CGO_ENABLED=1",
            "#14 2.871 go: downloading github.com/lib/pq v1.10.9",
            "2024-03-05T10:21:40.1234567Z --- FAIL: TestParse (0.00s)",
            "example.com/app/internal/util\nexample.com/app/greet\nexample.com/app/cmd/app",
            "# example.com/cgolib\n/usr/bin/ld: cannot find -lfoo: No such file or directory",
        ];
        for y in yes {
            let lines: Vec<&str> = y.lines().collect();
            assert!(sniff(&lines), "{y}");
        }
        let no = [
            "+ ./stack.sh:main:60                       :   uname -s",
            "2016-04-29 08:01:39.123 | Cloning into '/opt/stack/requirements'...",
            "ERROR 1045 (28000): Access denied for user 'root'@'localhost'",
            "Traceback (most recent call last):\n  File \"x.py\", line 3, in <module>",
            "# comment line\nsome text",
            "gcc -O2 -c foo.c\nfoo.c:3:10: fatal error: zlib.h: No such file or directory",
            "",
        ];
        for n in no {
            let lines: Vec<&str> = n.lines().collect();
            assert!(!sniff(&lines), "{n}");
        }
    }
}
