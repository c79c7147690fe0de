//! The command line: clap definitions, conversion into plain settings, and
//! exit codes. The only module that knows about either.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use stacklog::diagnose::{matched_ids, pattern_kind_name};
use stacklog::input::InputSpec;
use stacklog::report::{self, human::Style};
use stacklog::rules::{RuleSet, rule_files};
use stacklog::scan::{
    self, dates,
    dates::Bucketing,
    glob::{Filter, Glob},
    progress::Progress,
    walk,
};

/// Exit codes (DESIGN.md §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitCode {
    /// No failure found.
    Clean = 0,
    /// A failure was found (diagnosed or not), or a rule example failed.
    Failure = 1,
    /// Usage error, or an input that could not be read.
    Error = 2,
}

impl ExitCode {
    /// The code for several inputs: an unreadable input wins, then a failure.
    pub fn worst(self, other: ExitCode) -> ExitCode {
        self.max(other)
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "stacklog",
    version,
    about = "Root cause of failed DevStack stack.sh runs, from their logs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
    /// GitHub Actions annotations
    Github,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ScanFormat {
    Human,
    /// One diagnose object per input, then the summary object
    Json,
    /// One row per input
    Csv,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum MergeFormat {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum By {
    Day,
    Week,
    Month,
}

#[derive(Debug, clap::Args)]
struct ScanArgs {
    /// Files and directories (walked recursively, in name order)
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Also scan the paths listed in FILE, one per line (- for stdin)
    #[arg(long, value_name = "FILE|-")]
    files_from: Vec<String>,
    /// Scan only files matching GLOB (name, or path below the directory
    /// given when it holds a /); repeatable
    #[arg(long, value_name = "GLOB")]
    include: Vec<String>,
    /// Skip files and directories matching GLOB; repeatable
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Follow symbolic links met in directories
    #[arg(short = 'L', long)]
    follow: bool,
    /// Worker threads (default: one per core)
    #[arg(
        short = 'j',
        long,
        value_name = "N",
        default_value_t = 0,
        hide_default_value = true
    )]
    threads: usize,
    /// Only runs at or after DATE (the log's first timestamp, else the
    /// file's mtime): YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS]
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Only runs at or before DATE (a bare date includes that whole day)
    #[arg(long, value_name = "DATE")]
    until: Option<String>,
    /// Timeline buckets
    #[arg(long, value_enum, default_value = "week")]
    by: By,
    #[arg(long, value_enum, default_value = "human")]
    format: ScanFormat,
    /// Causes and clusters listed in the human report
    #[arg(long, default_value_t = 10, value_name = "N")]
    top: usize,
    /// Write one draft signature per cluster of unexplained failures
    #[arg(long, value_name = "DIR")]
    draft_rules: Option<PathBuf>,
    /// No progress line on stderr
    #[arg(short, long)]
    quiet: bool,
    /// More signature files (a file or a directory of *.toml)
    #[arg(long = "rules", value_name = "PATH")]
    rules: Vec<PathBuf>,
    /// Do not read the worlddumps that stack.sh logs name
    #[arg(long)]
    no_worlddump: bool,
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The verdict for each input: root cause, evidence, fix
    Diagnose {
        /// Log files (plain or gzip), or - for stdin
        #[arg(required = true, value_name = "PATH|-")]
        inputs: Vec<String>,
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// More signature files (a file or a directory of *.toml)
        #[arg(long = "rules", value_name = "PATH")]
        rules: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "auto")]
        color: ColorChoice,
        /// The worlddump to use as evidence (default: the one the log names,
        /// found at that path or beside the log)
        #[arg(long, value_name = "FILE", conflicts_with = "no_worlddump")]
        worlddump: Option<PathBuf>,
        /// Do not read any worlddump
        #[arg(long)]
        no_worlddump: bool,
    },
    /// The structured events of a log, as JSON Lines
    Parse {
        #[arg(value_name = "PATH|-")]
        input: String,
    },
    /// Bulk analysis of many logs: causes, trends, unexplained clusters
    Scan(ScanArgs),
    /// Combine the summaries of several `scan --format json` runs
    Merge {
        /// Outputs of `scan --format json` (their final summary objects are
        /// read), or - for stdin
        #[arg(required = true, value_name = "SUMMARY|-")]
        summaries: Vec<String>,
        #[arg(long, value_enum, default_value = "json")]
        format: MergeFormat,
        /// Causes and clusters listed in the human report
        #[arg(long, default_value_t = 10, value_name = "N")]
        top: usize,
        #[arg(long, value_enum, default_value = "auto")]
        color: ColorChoice,
    },
    /// The signature catalogue and its self-test
    Rules {
        #[command(subcommand)]
        action: RulesAction,
    },
}

#[derive(Debug, Subcommand)]
enum RulesAction {
    /// Every signature: id, role, priority, title
    List {
        #[arg(long = "rules", value_name = "PATH")]
        rules: Vec<PathBuf>,
    },
    /// One signature in full
    Show {
        id: String,
        #[arg(long = "rules", value_name = "PATH")]
        rules: Vec<PathBuf>,
    },
    /// Every signature's regexes, one per line (for grep -E / rg -f)
    Patterns {
        #[arg(long = "rules", value_name = "PATH")]
        rules: Vec<PathBuf>,
    },
    /// Run every signature's examples (built-in, and the files given)
    Test {
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
}

/// Settings for `diagnose`, free of clap.
struct DiagnoseConfig {
    inputs: Vec<InputSpec>,
    options: stacklog::DiagnoseOptions,
    format: Format,
    style: Style,
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && io::stdout().is_terminal()
        }
    }
}

fn fail(msg: impl std::fmt::Display) -> i32 {
    eprintln!("stacklog: {msg}");
    ExitCode::Error as i32
}

/// Writes and maps a closed pipe to "stop quietly".
fn emit(r: io::Result<()>) -> Result<(), ()> {
    match r {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(()),
        Err(e) => {
            eprintln!("stacklog: cannot write output: {e}");
            Err(())
        }
    }
}

pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                ExitCode::Error as i32
            } else {
                0
            };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Diagnose {
            inputs,
            format,
            rules,
            color,
            worlddump,
            no_worlddump,
        } => {
            let rules = match RuleSet::load(&rules) {
                Ok(r) => r,
                Err(e) => return fail(e),
            };
            let cfg = DiagnoseConfig {
                inputs: inputs.iter().map(|s| InputSpec::parse(s)).collect(),
                options: stacklog::DiagnoseOptions {
                    worlddump,
                    no_worlddump,
                },
                format,
                style: Style {
                    color: use_color(color),
                },
            };
            diagnose(&rules, &cfg) as i32
        }
        Command::Parse { input } => parse(&InputSpec::parse(&input)) as i32,
        Command::Rules { action } => rules_cmd(action) as i32,
        Command::Scan(args) => scan(args) as i32,
        Command::Merge {
            summaries,
            format,
            top,
            color,
        } => merge(&summaries, format, top, color) as i32,
    }
}

/// Settings for `scan`, checked and free of clap.
struct ScanConfig {
    paths: Vec<PathBuf>,
    options: scan::Options,
    format: ScanFormat,
    shown: report::scan::Shown,
    draft_rules: Option<PathBuf>,
    progress: bool,
    style: Style,
}

fn scan_config(a: ScanArgs) -> Result<ScanConfig, String> {
    let mut paths = a.paths;
    for list in &a.files_from {
        let got = if list == "-" {
            walk::read_list("-", io::stdin().lock())?
        } else {
            let f = std::fs::File::open(list).map_err(|e| format!("{list}: {e}"))?;
            walk::read_list(list, io::BufReader::new(f))?
        };
        paths.extend(got);
    }
    if paths.is_empty() {
        return Err("nothing to scan: give paths, or --files-from FILE".into());
    }
    let globs = |list: &[String]| -> Result<Vec<Glob>, String> {
        list.iter().map(|g| Glob::new(g)).collect()
    };
    let since = a
        .since
        .as_deref()
        .map(|d| dates::parse_bound(d, false))
        .transpose()?;
    let until = a
        .until
        .as_deref()
        .map(|d| dates::parse_bound(d, true))
        .transpose()?;
    if let (Some(s), Some(u)) = (&since, &until)
        && s > u
    {
        return Err(format!("--since {s} is after --until {u}"));
    }
    Ok(ScanConfig {
        paths,
        options: scan::Options {
            walk: walk::WalkOptions {
                filter: Filter {
                    include: globs(&a.include)?,
                    exclude: globs(&a.exclude)?,
                },
                follow: a.follow,
            },
            diagnose: stacklog::DiagnoseOptions {
                worlddump: None,
                no_worlddump: a.no_worlddump,
            },
            threads: a.threads,
            since,
            until,
            by: match a.by {
                By::Day => Bucketing::Day,
                By::Week => Bucketing::Week,
                By::Month => Bucketing::Month,
            },
        },
        format: a.format,
        shown: report::scan::Shown {
            top: a.top,
            ..Default::default()
        },
        draft_rules: a.draft_rules,
        progress: !a.quiet && io::stderr().is_terminal(),
        style: Style {
            color: use_color(a.color),
        },
    })
}

fn scan(args: ScanArgs) -> ExitCode {
    let rules = match RuleSet::load(&args.rules) {
        Ok(r) => r,
        Err(e) => return ExitCode::from_fail(e),
    };
    let cfg = match scan_config(args) {
        Ok(c) => c,
        Err(e) => return ExitCode::from_fail(e),
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut open = true;
    if let ScanFormat::Csv = cfg.format {
        open = emit(writeln!(out, "{}", report::scan::CSV_HEADER)).is_ok();
    }
    let progress = cfg
        .progress
        .then(|| Progress::start(cfg.paths.clone(), cfg.options.walk.clone()));
    let mut code = ExitCode::Clean;
    let mut each = |f: &scan::FileResult| -> bool {
        if let Some(r) = f.report() {
            if r.error.is_some() {
                code = code.worst(ExitCode::Error);
            }
            if r.outcome == report::Outcome::Failure && !f.is_companion() {
                code = code.worst(ExitCode::Failure);
            }
        }
        if !open {
            return false;
        }
        let written = match cfg.format {
            ScanFormat::Human => Ok(()),
            ScanFormat::Json => match f.report() {
                Some(r) => report::json::write(&mut out, r),
                None => Ok(()),
            },
            ScanFormat::Csv => report::scan::write_csv_row(&mut out, f),
        };
        open = emit(written).is_ok();
        open
    };
    let result = scan::run(
        &rules,
        &cfg.paths,
        &cfg.options,
        progress.as_ref().map(Progress::counters),
        &mut each,
    );
    if let Some(p) = progress {
        p.finish();
    }
    let summary = match result {
        Ok(s) => s,
        Err(e) => return ExitCode::from_fail(e),
    };
    if let Some(dir) = &cfg.draft_rules {
        match scan::draft::write_all(dir, &summary.clusters) {
            Ok(files) => eprintln!(
                "stacklog: {} draft signature(s) written to {}",
                files.len(),
                dir.display()
            ),
            Err(e) => {
                eprintln!("stacklog: cannot write draft signatures: {e}");
                code = code.worst(ExitCode::Error);
            }
        }
    }
    if !open {
        return code;
    }
    let written = match cfg.format {
        ScanFormat::Human => report::scan::write_human(&mut out, &summary, &cfg.style, cfg.shown),
        ScanFormat::Json => report::scan::write_json(&mut out, &summary),
        ScanFormat::Csv => Ok(()),
    };
    let _ = emit(written.and_then(|_| out.flush()));
    code
}

fn merge(inputs: &[String], format: MergeFormat, top: usize, color: ColorChoice) -> ExitCode {
    let mut parts = vec![];
    for name in inputs {
        let text = if name == "-" {
            let mut s = String::new();
            io::Read::read_to_string(&mut io::stdin().lock(), &mut s).map(|_| s)
        } else {
            std::fs::read_to_string(name)
        };
        let text = match text {
            Ok(t) => t,
            Err(e) => return ExitCode::from_fail(format!("{name}: {e}")),
        };
        match scan::read_summaries(name, &text) {
            Ok(s) => parts.extend(s),
            Err(e) => return ExitCode::from_fail(e),
        }
    }
    let summary = match scan::summary::Summary::merge(&parts) {
        Ok(s) => s,
        Err(e) => return ExitCode::from_fail(e),
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let written = match format {
        MergeFormat::Json => report::scan::write_json(&mut out, &summary),
        MergeFormat::Human => report::scan::write_human(
            &mut out,
            &summary,
            &Style {
                color: use_color(color),
            },
            report::scan::Shown {
                top,
                ..Default::default()
            },
        ),
    };
    let _ = emit(written.and_then(|_| out.flush()));
    if !summary.unreadable.is_empty() {
        ExitCode::Error
    } else if summary.failures > 0 {
        ExitCode::Failure
    } else {
        ExitCode::Clean
    }
}

fn diagnose(rules: &RuleSet, cfg: &DiagnoseConfig) -> ExitCode {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut code = ExitCode::Clean;
    for (i, spec) in cfg.inputs.iter().enumerate() {
        let r = stacklog::diagnose_input_with(rules, spec, &cfg.options);
        if let Some(err) = &r.error {
            eprintln!("stacklog: {err}");
            code = code.worst(ExitCode::Error);
        }
        if r.outcome == report::Outcome::Failure {
            code = code.worst(ExitCode::Failure);
        }
        let written = match cfg.format {
            Format::Json => report::json::write(&mut out, &r),
            Format::Github => report::github::write(&mut out, &r),
            Format::Human => {
                let sep = if i > 0 { writeln!(out) } else { Ok(()) };
                sep.and_then(|_| report::human::write(&mut out, &r, &cfg.style))
            }
        };
        if emit(written.and_then(|_| out.flush())).is_err() {
            return code;
        }
    }
    code
}

fn parse(spec: &InputSpec) -> ExitCode {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match report::events::write(spec, &mut out) {
        Ok(()) => ExitCode::Clean,
        Err(report::events::EventsError::Input(e)) => {
            eprintln!("stacklog: {e}");
            ExitCode::Error
        }
        Err(report::events::EventsError::Write(e)) => {
            // a closed pipe is not an error
            if e.kind() != io::ErrorKind::BrokenPipe {
                eprintln!("stacklog: cannot write output: {e}");
            }
            ExitCode::Clean
        }
    }
}

fn rules_cmd(action: RulesAction) -> ExitCode {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match action {
        RulesAction::List { rules } => {
            let rs = match RuleSet::load(&rules) {
                Ok(r) => r,
                Err(e) => return ExitCode::from_fail(e),
            };
            let mut t = comfy_table::Table::new();
            t.load_style(comfy_table::presets::UTF8_FULL_CONDENSED)
                .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
                .set_width(120)
                .set_header(vec!["id", "role", "priority", "title"]);
            for r in &rs.rules {
                t.add_row(vec![
                    r.id.clone(),
                    r.role.as_str().into(),
                    r.priority.to_string(),
                    r.title.clone(),
                ]);
            }
            let _ = emit(writeln!(out, "{t}\n{} signatures", rs.rules.len()));
            ExitCode::Clean
        }
        RulesAction::Patterns { rules } => {
            let rs = match RuleSet::load(&rules) {
                Ok(r) => r,
                Err(e) => return ExitCode::from_fail(e),
            };
            for p in &rs.patterns {
                if emit(writeln!(out, "{}", p.source)).is_err() {
                    break;
                }
            }
            ExitCode::Clean
        }
        RulesAction::Show { id, rules } => {
            let rs = match RuleSet::load(&rules) {
                Ok(r) => r,
                Err(e) => return ExitCode::from_fail(e),
            };
            let Some(i) = rs.find(&id) else {
                eprintln!("stacklog: no signature `{id}` (see `stacklog rules list`)");
                return ExitCode::Error;
            };
            let r = &rs.rules[i];
            let mut s = String::new();
            use std::fmt::Write as _;
            let _ = writeln!(
                s,
                "id          {}\ntitle       {}\nrole        {}\npriority    {}\nconfidence  {}\nscope       {:?}{}\ndefined at  {}",
                r.id,
                r.title,
                r.role.as_str(),
                r.priority,
                r.confidence,
                r.scope,
                if r.scope == stacklog::rules::Scope::Window {
                    format!(" ({} lines)", r.window)
                } else {
                    String::new()
                },
                r.origin
            );
            for p in r.any.iter().chain(&r.all).chain(&r.none) {
                let p = &rs.patterns[*p];
                let _ = writeln!(s, "{:<11} {}", pattern_kind_name(p.kind), p.source);
            }
            if !r.when.is_empty() {
                let _ = writeln!(s, "when        {:?}", r.when);
            }
            if !r.explains.is_empty() {
                let _ = writeln!(s, "explains    {}", r.explains.join(", "));
            }
            if !r.suppresses.is_empty() {
                let _ = writeln!(s, "suppresses  {}", r.suppresses.join(", "));
            }
            let _ = writeln!(s, "summary     {}", r.summary);
            for f in &r.fix {
                let _ = writeln!(s, "fix         {f}");
            }
            let _ = writeln!(
                s,
                "examples    {} match, {} no_match",
                r.examples.matching.len(),
                r.examples.no_match.len()
            );
            let _ = emit(out.write_all(s.as_bytes()));
            ExitCode::Clean
        }
        RulesAction::Test { paths } => {
            let rs = match RuleSet::load(&paths) {
                Ok(r) => r,
                Err(e) => return ExitCode::from_fail(e),
            };
            // which signatures to test: all built-in ones, plus every one
            // defined in the given files
            let mut failures = 0usize;
            let mut checked = 0usize;
            for rule in &rs.rules {
                for (want, list) in [
                    (true, &rule.examples.matching),
                    (false, &rule.examples.no_match),
                ] {
                    for (n, ex) in list.iter().enumerate() {
                        checked += 1;
                        let ids = matched_ids(&rs, ex);
                        let got = ids.contains(&rule.id);
                        if got != want {
                            failures += 1;
                            let what = if want { "match" } else { "no_match" };
                            let _ = writeln!(
                                out,
                                "FAIL {} ({}) {what} example {}: {}; matched: [{}]",
                                rule.id,
                                rule.origin,
                                n + 1,
                                if want { "did not match" } else { "matched" },
                                ids.join(", ")
                            );
                        }
                    }
                }
                if rule.examples.matching.is_empty() || rule.examples.no_match.is_empty() {
                    failures += 1;
                    let _ = writeln!(
                        out,
                        "FAIL {} ({}): needs at least one match and one no_match example",
                        rule.id, rule.origin
                    );
                }
            }
            for p in &paths {
                if rule_files(p).map(|f| f.is_empty()).unwrap_or(false) {
                    let _ = writeln!(out, "note: {} holds no *.toml files", p.display());
                }
            }
            let _ = writeln!(
                out,
                "{} signatures, {checked} examples: {} passed, {failures} failed",
                rs.rules.len(),
                checked.saturating_sub(failures)
            );
            if failures > 0 {
                ExitCode::Failure
            } else {
                ExitCode::Clean
            }
        }
    }
}

impl ExitCode {
    fn from_fail(e: impl std::fmt::Display) -> ExitCode {
        eprintln!("stacklog: {e}");
        ExitCode::Error
    }
}

#[cfg(test)]
mod tests {
    use super::ExitCode;

    #[test]
    fn exit_codes_are_the_documented_numbers() {
        assert_eq!(ExitCode::Clean as i32, 0);
        assert_eq!(ExitCode::Failure as i32, 1);
        assert_eq!(ExitCode::Error as i32, 2);
    }

    #[test]
    fn an_unreadable_input_outranks_a_failure() {
        assert_eq!(ExitCode::Clean.worst(ExitCode::Failure), ExitCode::Failure);
        assert_eq!(ExitCode::Failure.worst(ExitCode::Error), ExitCode::Error);
        assert_eq!(ExitCode::Error.worst(ExitCode::Clean), ExitCode::Error);
    }
}
