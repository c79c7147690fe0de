//! worlddump files (devstack-formats.md §5, §8): the host snapshot that
//! `tools/worlddump.py` writes when `stack.sh` fails. The grammar is
//! written bottom-up as nom parsers named after its productions, plus a
//! small state machine that knows which section and which command block a
//! line belongs to, and reads the command outputs that say something about
//! the host (`df`, `ps`, `ip addr`/`ip route`, `ovs-vsctl show`, `iptables`,
//! `ls /var/core`, the Guru Meditation sections) into facts and a summary.
//!
//! A section is a title line followed by a `=` line of the same length; a
//! command block is a command line followed by a `-` line of the same
//! length. The parser sees one line at a time and never looks ahead, so:
//!
//! - A line that is one of worlddump.py's own titles (`Process Listing`,
//!   `<svc> Guru Meditation Report` ...) or commands (`ps axo ...`, `ip
//!   route`, `sudo ovs-vsctl show` ...) is a `section`/`command` event at
//!   once, and the state moves to it on that line, so the title or command
//!   belongs to its own section and block. If the next line is not its rule
//!   the state moves back (the event already given stays as it was).
//! - Any other line followed by a rule of its length (a title or command
//!   from a worlddump.py this parser does not know) was an `output`/`text`
//!   event; the rule line's `section_rule`/`command_rule` event carries it,
//!   and the state moves on the rule line.
//! - Inside `Compute consoles` (guest console logs) and the Guru Meditation
//!   sections only worlddump.py's own titles and commands start anything,
//!   since arbitrary text there may look like a banner.
//!
//! The py2 literal `()` line of the 2016-04..2017-02 dumps stands for a
//! blank line. Memory is bounded: lists are capped, and only the previous
//! line is kept (cut at [`MAX_PREV`] bytes).

use std::collections::BTreeMap;

use nom::{
    IResult, Parser,
    branch::alt,
    bytes::complete::{tag, take_till1, take_until, take_while1},
    character::complete::{char, digit1, space0, space1},
    combinator::{all_consuming, map, map_res, opt, recognize, rest, verify},
    sequence::{preceded, terminated},
};
use serde::Serialize;

/// Longest previous line kept to test a following rule against.
const MAX_PREV: usize = 4096;
/// Longest text kept in a fact or a summary entry.
const MAX_TEXT: usize = 512;
/// Processes kept in the summary (kernel threads are counted, not kept).
const MAX_PROCESSES: usize = 256;
/// Entries kept in every other summary list.
const MAX_ROWS: usize = 64;
/// Facts with a name taken from the input (`gmr_<svc>`, `iptables_<t>_rules`).
const MAX_NAMED_FACTS: usize = 128;

/// One line of a worlddump.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WdEvent<'a> {
    /// A known section title (`File System Summary`, `<svc> Guru Meditation
    /// Report` ...); `service` for a Guru Meditation section.
    Section {
        title: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        service: Option<&'a str>,
    },
    /// The `=` line under a section title, with that title.
    SectionRule { title: String },
    /// A known command line (`df -Ph`, `ps axo ...`, `sudo ovs-vsctl show` ...).
    Command { command: &'a str },
    /// The `-` line under a command, with that command.
    CommandRule { command: String },
    /// A line printed by a command, or by the section itself (`df -Ph` is
    /// printed raw in `File System Summary`). `block` is [`WorlddumpParser::block`].
    Output {
        section: u32,
        block: u64,
        text: &'a str,
    },
    /// One `df` row.
    Disk {
        device: &'a str,
        size: &'a str,
        used: &'a str,
        avail: &'a str,
        percent: u8,
        mount: &'a str,
    },
    /// `WARN: Device DEV (MNT) is N% full, might be an issue`.
    DiskWarning {
        device: &'a str,
        mount: &'a str,
        percent: u8,
    },
    /// One row of the `ps axo user,ppid,pid,...,args` listing.
    Process {
        user: &'a str,
        pid: u32,
        stat: &'a str,
        command: &'a str,
    },
    /// `*** Failed to run 'CMD': Command 'CMD' returned non-zero exit status N[.]`.
    Failed {
        command: &'a str,
        error: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        rc: Option<i32>,
    },
    /// `*** CMD not found: skipping`.
    Skipped { command: &'a str },
    /// `Skipping as SVC does not appear to be running`.
    GmrSkipped { service: &'a str },
    /// `guru meditation report in SVC log` (the report went to the service's log).
    GmrRequested { service: &'a str },
    /// An exception or error line inside a Guru Meditation section.
    GmrException { text: &'a str },
    /// An empty line, or the py2 `()` line that stands for one.
    Blank,
    /// Anything else before the first section.
    Text { text: &'a str },
}

impl WdEvent<'_> {
    pub fn name(&self) -> &'static str {
        match self {
            WdEvent::Section { .. } => "section",
            WdEvent::SectionRule { .. } => "section_rule",
            WdEvent::Command { .. } => "command",
            WdEvent::CommandRule { .. } => "command_rule",
            WdEvent::Output { .. } => "output",
            WdEvent::Disk { .. } => "disk",
            WdEvent::DiskWarning { .. } => "disk_warning",
            WdEvent::Process { .. } => "process",
            WdEvent::Failed { .. } => "failed",
            WdEvent::Skipped { .. } => "skipped",
            WdEvent::GmrSkipped { .. } => "gmr_skipped",
            WdEvent::GmrRequested { .. } => "gmr_requested",
            WdEvent::GmrException { .. } => "gmr_exception",
            WdEvent::Blank => "blank",
            WdEvent::Text { .. } => "text",
        }
    }
}

/// A value the dump reveals, with the line that shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WdFact {
    pub name: String,
    pub value: String,
    pub line: u64,
    pub text: String,
}

/// The whole dump, structured (`stacklog parse`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WdSummary {
    pub sections: Vec<String>,
    pub disks: Vec<WdDisk>,
    pub disk_warnings: Vec<WdDisk>,
    /// Rows of the process listing, kernel threads left out, capped.
    pub processes: Vec<WdProcess>,
    /// Every row of the listing, kernel threads included.
    pub processes_total: u64,
    /// The infrastructure and OpenStack daemons seen running (`mysqld`, `nova_compute` ...).
    pub daemons: Vec<String>,
    pub zombies: Vec<WdProcess>,
    pub interfaces: Vec<WdInterface>,
    pub routes: Vec<String>,
    pub routes6: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_route: Option<String>,
    pub ovs: WdOvs,
    /// Rule rows per iptables table.
    pub iptables: BTreeMap<String, u32>,
    pub gmr: Vec<WdGmr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gmr_exception: Option<String>,
    pub core_dumps: Vec<String>,
    pub failed: Vec<WdFailed>,
    pub skipped: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WdDisk {
    pub line: u64,
    pub device: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub size: String,
    pub percent: u8,
    pub mount: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WdProcess {
    pub line: u64,
    pub user: String,
    pub pid: u32,
    pub stat: String,
    pub command: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WdInterface {
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub state: String,
    pub addresses: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WdOvs {
    /// `unreachable` (ovs-vsctl failed), `missing` (not installed), `up`
    /// (`ovs-vsctl show` answered); absent when the dump has no OVS section.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    pub bridges: Vec<String>,
    pub errors: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WdGmr {
    pub service: String,
    /// `skipped` (not running) or `requested` (USR2 sent).
    pub state: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WdFailed {
    pub line: u64,
    pub command: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rc: Option<i32>,
}

/// What a section holds, from its title.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum SectionKind {
    #[default]
    None,
    FileSystem,
    Processes,
    Network,
    Ovs,
    IpTables,
    EbTables,
    Consoles,
    Gmr,
    Core,
    Other,
}

/// What a command block prints, from its command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum BlockKind {
    /// Section-level lines (no command yet).
    #[default]
    None,
    Df,
    Ps,
    IpAddr,
    IpRoute,
    IpRoute6,
    OvsShow,
    IpTables,
    LsCore,
    Other,
}

/// Where the parser is: the part of the state that a title or command moves.
#[derive(Debug, Clone, Default)]
struct Place {
    section: u32,
    section_kind: SectionKind,
    service: String,
    block: u64,
    block_kind: BlockKind,
    table: String,
    command: String,
}

/// A title or command recognised on the previous line, waiting for its rule.
#[derive(Debug, Clone)]
struct Expect {
    rule: u8,
    len: usize,
    before: Place,
}

/// Parser state carried from line to line.
#[derive(Debug, Default, Clone)]
pub struct WorlddumpParser {
    place: Place,
    expect: Option<Expect>,
    /// The previous line, if it could be a title or a command.
    prev: Option<(u64, String, usize)>,
    /// A `df -h` device name printed alone on its line (the row wraps).
    df_device: Option<String>,
    facts: BTreeMap<String, WdFact>,
    named_facts: usize,
    summary: WdSummary,
    /// Highest use% of a real disk: (percent, line).
    disk_max: Option<(u8, u64)>,
    route_seen: bool,
    ovs_show_answered: bool,
    interface_current: Option<usize>,
    /// A Guru Meditation line named the exception (`pkg.SomeError: msg`).
    gmr_exception_named: bool,
}

impl WorlddumpParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// One peeled line (no newline, no CR) -> its event. Total: never
    /// panics, every line an event.
    pub fn parse_line<'a>(&mut self, number: u64, body: &'a str) -> WdEvent<'a> {
        let t = body.trim_end();
        let event = self.classify(number, t);
        self.prev = match event {
            WdEvent::Output { .. }
            | WdEvent::Text { .. }
            | WdEvent::Section { .. }
            | WdEvent::Command { .. }
                if could_head(t) =>
            {
                let mut keep = String::with_capacity(t.len().min(MAX_PREV));
                keep.push_str(cut_str(t, MAX_PREV));
                Some((number, keep, t.chars().count()))
            }
            _ => None,
        };
        event
    }

    /// Line number of the current command block (the command line that
    /// starts it, or the section title while a section has printed no
    /// command yet); 0 before any.
    pub fn block(&self) -> u64 {
        self.place.block
    }

    /// Index of the current section (0 before the first banner, then 1, 2, ...).
    pub fn section(&self) -> u32 {
        self.place.section
    }

    /// Facts the dump reveals so far, as (name, value, line, source line
    /// text). Names are snake_case.
    pub fn facts(&self) -> Vec<WdFact> {
        let mut out: Vec<WdFact> = self.facts.values().cloned().collect();
        let mut derive = |name: &str, value: &str, at: Option<&WdFact>| {
            if !self.facts.contains_key(name) {
                let (line, text) = at.map_or((0, String::new()), |f| (f.line, f.text.clone()));
                out.push(WdFact {
                    name: name.to_string(),
                    value: value.to_string(),
                    line,
                    text,
                });
            }
        };
        if self.route_seen {
            derive("default_route", "none", self.facts.get("route_block"));
        }
        if self.ovs_show_answered {
            derive("br_int", "missing", self.facts.get("ovs_show"));
        }
        out.retain(|f| f.name != "route_block" && f.name != "ovs_show");
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    /// A structured summary of the whole dump.
    pub fn summary(&self) -> WdSummary {
        let mut s = self.summary.clone();
        s.daemons = self
            .facts
            .keys()
            .filter_map(|k| k.strip_prefix("proc_"))
            .filter(|k| *k != "listing")
            .map(str::to_string)
            .collect();
        if s.default_route.is_none() && self.route_seen {
            s.default_route = Some("none".into());
        }
        s
    }

    fn classify<'a>(&mut self, number: u64, t: &'a str) -> WdEvent<'a> {
        if let Some(exp) = self.expect.take() {
            if is_rule(t, exp.rule, exp.len) {
                let text = self.prev_text();
                return if exp.rule == b'=' {
                    WdEvent::SectionRule { title: text }
                } else {
                    WdEvent::CommandRule { command: text }
                };
            }
            self.place = exp.before;
        }
        if t.is_empty() || t == "()" {
            return WdEvent::Blank;
        }
        if let Some(ev) = self.rule_of_previous(t) {
            return ev;
        }
        if let Some((title, service)) = section_title(t) {
            let before = self.place.clone();
            self.begin_section(number, title, service);
            self.expect = Some(Expect {
                rule: b'=',
                len: t.chars().count(),
                before,
            });
            return WdEvent::Section { title, service };
        }
        if self.known_command_here(t) {
            let before = self.place.clone();
            self.begin_block(number, t);
            self.expect = Some(Expect {
                rule: b'-',
                len: t.chars().count(),
                before,
            });
            return WdEvent::Command { command: t };
        }
        self.line_in_place(number, t)
    }

    /// A rule under a line that was not known as a title or command.
    fn rule_of_previous<'a>(&mut self, t: &'a str) -> Option<WdEvent<'a>> {
        let rule = *t.as_bytes().first()?;
        if !(rule == b'=' || rule == b'-') || t.len() < 2 {
            return None;
        }
        let (line, _, len) = self.prev.as_ref()?;
        let line = *line;
        if !is_rule(t, rule, *len)
            || matches!(
                self.place.section_kind,
                SectionKind::Consoles | SectionKind::Gmr
            )
        {
            return None;
        }
        let text = self.prev_text();
        if rule == b'=' {
            let (title, service) = match text.strip_suffix(" Guru Meditation Report") {
                Some(svc) if !svc.contains(' ') => (text.as_str(), Some(svc)),
                _ => (text.as_str(), None),
            };
            let (title, service) = (title.to_string(), service.map(str::to_string));
            self.begin_section(line, &title, service.as_deref());
            Some(WdEvent::SectionRule { title })
        } else {
            self.begin_block(line, &text);
            Some(WdEvent::CommandRule { command: text })
        }
    }

    fn prev_text(&self) -> String {
        self.prev
            .as_ref()
            .map(|(_, s, _)| s.clone())
            .unwrap_or_default()
    }

    /// Whether `t` is a command worlddump.py runs, where it may run it.
    fn known_command_here(&self, t: &str) -> bool {
        match self.place.section_kind {
            SectionKind::Consoles => t.starts_with("sudo cat "),
            SectionKind::Gmr => t.starts_with("killall "),
            _ => known_command(t),
        }
    }

    fn begin_section(&mut self, number: u64, title: &str, service: Option<&str>) {
        let kind = section_kind(title);
        self.place = Place {
            section: self.place.section.saturating_add(1),
            section_kind: kind,
            service: service
                .map(|s| cut_str(s, 128).to_string())
                .unwrap_or_default(),
            block: number,
            block_kind: if kind == SectionKind::FileSystem {
                BlockKind::Df
            } else {
                BlockKind::None
            },
            table: String::new(),
            command: String::new(),
        };
        self.df_device = None;
        push_capped(
            &mut self.summary.sections,
            cut_str(title, MAX_TEXT).to_string(),
        );
    }

    fn begin_block(&mut self, number: u64, command: &str) {
        let kind = block_kind(command);
        self.place.block = number;
        self.place.block_kind = kind;
        self.place.command = cut_str(command, MAX_TEXT).to_string();
        self.place.table = match kind {
            BlockKind::IpTables => iptables_table(command).unwrap_or("filter").to_string(),
            _ => String::new(),
        };
        self.df_device = None;
        self.interface_current = None;
        if kind == BlockKind::OvsShow {
            self.set_fact("ovs_installed", "yes", number, command);
        }
    }

    /// Lines that are neither blank, nor a rule, nor a title or command.
    fn line_in_place<'a>(&mut self, number: u64, t: &'a str) -> WdEvent<'a> {
        if t.starts_with("*** ") {
            if let Ok((_, (command, error, rc))) = failed_line(t) {
                self.on_failed(number, t, command, rc);
                return WdEvent::Failed { command, error, rc };
            }
            if let Ok((_, command)) = skipped_line(t) {
                self.on_skipped(number, t, command);
                return WdEvent::Skipped { command };
            }
        }
        if let Ok((_, (device, mount, percent))) = disk_warning(t) {
            push_capped(
                &mut self.summary.disk_warnings,
                WdDisk {
                    line: number,
                    device: cut_str(device, MAX_TEXT).into(),
                    size: String::new(),
                    percent,
                    mount: cut_str(mount, MAX_TEXT).into(),
                },
            );
            if is_real_disk(device, mount) && !self.facts.contains_key("disk_warn") {
                self.set_fact("disk_warn", mount, number, t);
            }
            return WdEvent::DiskWarning {
                device,
                mount,
                percent,
            };
        }
        if let Ok((_, service)) = gmr_skipped(t) {
            self.on_gmr(number, t, service, "skipped");
            return WdEvent::GmrSkipped { service };
        }
        if let Ok((_, service)) = gmr_requested(t) {
            self.on_gmr(number, t, service, "requested");
            return WdEvent::GmrRequested { service };
        }
        if self.place.section == 0 {
            return WdEvent::Text { text: t };
        }
        if let Some(ev) = self.block_line(number, t) {
            return ev;
        }
        WdEvent::Output {
            section: self.place.section,
            block: self.place.block,
            text: t,
        }
    }

    /// The command-specific reading of an output line.
    fn block_line<'a>(&mut self, number: u64, t: &'a str) -> Option<WdEvent<'a>> {
        if self.place.section_kind == SectionKind::Ovs && t.contains("database connection failed") {
            self.set_fact("ovs", "unreachable", number, t);
            self.summary.ovs.state = Some("unreachable".into());
        }
        if self.place.section_kind == SectionKind::Gmr && is_exception_line(t) {
            // `pkg.SomeError: message` names the exception; a bare
            // `Traceback` or `ERROR logger ...` line only until one does
            let inner = strip_log_prefix(t);
            let named = is_exception_name(inner);
            if named || !self.gmr_exception_named {
                self.gmr_exception_named |= named;
                let value = if named { inner } else { t };
                self.set_fact("gmr_exception", value, number, t);
                if !self.place.service.is_empty() {
                    let svc = self.place.service.clone();
                    self.set_fact("gmr_exception_service", &svc, number, t);
                }
                self.summary.gmr_exception = Some(cut_str(value, MAX_TEXT).into());
            }
            return Some(WdEvent::GmrException { text: t });
        }
        match self.place.block_kind {
            BlockKind::Df => self.df_line(number, t),
            BlockKind::Ps => self.ps_line(number, t),
            BlockKind::IpAddr => {
                self.ip_addr_line(t);
                None
            }
            BlockKind::IpRoute | BlockKind::IpRoute6 => {
                self.route_line(number, t);
                None
            }
            BlockKind::OvsShow => {
                self.ovs_line(number, t);
                None
            }
            BlockKind::IpTables => {
                self.iptables_line(number, t);
                None
            }
            BlockKind::LsCore => {
                self.core_line(number, t);
                None
            }
            BlockKind::None | BlockKind::Other => None,
        }
    }

    fn df_line<'a>(&mut self, number: u64, t: &'a str) -> Option<WdEvent<'a>> {
        let row = match df_row(t) {
            Ok((_, row)) => Some(row),
            Err(_) => match (self.df_device.take(), df_row_tail(t)) {
                (Some(dev), Ok((_, mut row))) => {
                    self.on_disk(number, t, &dev, &row);
                    row.device = "";
                    return Some(WdEvent::Disk {
                        device: row.device,
                        size: row.size,
                        used: row.used,
                        avail: row.avail,
                        percent: row.percent,
                        mount: row.mount,
                    });
                }
                _ => None,
            },
        };
        match row {
            Some(row) => {
                self.on_disk(number, t, row.device, &row);
                Some(WdEvent::Disk {
                    device: row.device,
                    size: row.size,
                    used: row.used,
                    avail: row.avail,
                    percent: row.percent,
                    mount: row.mount,
                })
            }
            None => {
                // `df -h` wraps a long device name onto its own line
                if !t.starts_with("Filesystem") && !t.contains(char::is_whitespace) {
                    self.df_device = Some(cut_str(t, MAX_TEXT).to_string());
                }
                None
            }
        }
    }

    fn on_disk(&mut self, number: u64, t: &str, device: &str, row: &DfRow<'_>) {
        push_capped(
            &mut self.summary.disks,
            WdDisk {
                line: number,
                device: cut_str(device, MAX_TEXT).into(),
                size: row.size.into(),
                percent: row.percent,
                mount: cut_str(row.mount, MAX_TEXT).into(),
            },
        );
        if !is_real_disk(device, row.mount) {
            return;
        }
        if self.disk_max.is_none_or(|(p, _)| row.percent > p) {
            self.disk_max = Some((row.percent, number));
            self.set_fact("disk_max_use", &row.percent.to_string(), number, t);
            self.set_fact("disk_max_mount", row.mount, number, t);
        }
        if row.percent >= 100 && !self.facts.contains_key("disk_full") {
            self.set_fact("disk_full", row.mount, number, t);
        }
    }

    fn ps_line<'a>(&mut self, number: u64, t: &'a str) -> Option<WdEvent<'a>> {
        let (_, row) = ps_row(t).ok()?;
        self.summary.processes_total += 1;
        if !self.facts.contains_key("proc_listing") {
            self.set_fact(
                "proc_listing",
                "yes",
                self.place.block,
                &self.place.command.clone(),
            );
        }
        let zombie = row.stat.contains('Z') || row.args.ends_with("<defunct>");
        let kernel = row.args.starts_with('[') && row.args.ends_with(']');
        let keep = || WdProcess {
            line: number,
            user: cut_str(row.user, 64).into(),
            pid: row.pid,
            stat: cut_str(row.stat, 16).into(),
            command: cut_str(row.args, MAX_TEXT).into(),
        };
        if !kernel && self.summary.processes.len() < MAX_PROCESSES {
            self.summary.processes.push(keep());
        }
        if zombie {
            push_capped(&mut self.summary.zombies, keep());
            let n = self.summary.zombies.len().to_string();
            self.set_fact("zombie_count", &n, number, t);
            // a zombie OpenStack service says more than a zombie helper
            if !self.facts.contains_key("zombie") || is_service_zombie(row.args) {
                self.set_fact("zombie", row.args, number, t);
            }
        } else {
            let mut names = Vec::new();
            daemons(row.args, &mut names);
            for name in names {
                let fact = format!("proc_{name}");
                if !self.facts.contains_key(&fact) {
                    self.set_fact(&fact, "running", number, t);
                }
                if is_openstack(name) && !self.facts.contains_key("openstack_running") {
                    self.set_fact("openstack_running", "yes", number, t);
                }
                if (name.starts_with("neutron_") || name == "ovn_controller")
                    && !self.facts.contains_key("neutron_running")
                {
                    self.set_fact("neutron_running", "yes", number, t);
                }
                // what DevStack starts after installing the database
                if (is_openstack(name) || name == "rabbitmq")
                    && !self.facts.contains_key("services_running")
                {
                    self.set_fact("services_running", "yes", number, t);
                }
                let derived = match name {
                    "apache2" | "httpd" => Some("web_server"),
                    "mysqld" | "mariadbd" | "postgres" => Some("db_server"),
                    _ => None,
                };
                if let Some(d) = derived
                    && !self.facts.contains_key(d)
                {
                    self.set_fact(d, name, number, t);
                }
            }
        }
        Some(WdEvent::Process {
            user: row.user,
            pid: row.pid,
            stat: row.stat,
            command: row.args,
        })
    }

    fn ip_addr_line(&mut self, t: &str) {
        if let Ok((_, (name, state))) = ip_link_header(t) {
            if self.summary.interfaces.len() < MAX_ROWS {
                self.summary.interfaces.push(WdInterface {
                    name: cut_str(name, 64).into(),
                    state: cut_str(state, 32).into(),
                    addresses: vec![],
                });
                self.interface_current = Some(self.summary.interfaces.len() - 1);
            } else {
                self.interface_current = None;
            }
        } else if let Ok((_, addr)) = ip_inet(t)
            && let Some(i) = self.interface_current
            && let Some(iface) = self.summary.interfaces.get_mut(i)
        {
            push_capped(&mut iface.addresses, cut_str(addr, 64).to_string());
        }
    }

    fn route_line(&mut self, number: u64, t: &str) {
        let v6 = self.place.block_kind == BlockKind::IpRoute6;
        if !is_route(t) {
            return;
        }
        if !v6 && !self.route_seen {
            // a routing table was printed: no `default` row in it means none
            self.route_seen = true;
            let (block, cmd) = (self.place.block, self.place.command.clone());
            self.set_fact("route_block", "seen", block, &cmd);
        }
        let list = if v6 {
            &mut self.summary.routes6
        } else {
            &mut self.summary.routes
        };
        push_capped(list, cut_str(t, MAX_TEXT).to_string());
        if !v6
            && let Ok((_, route)) = default_route(t)
            && !self.facts.contains_key("default_route")
        {
            self.summary.default_route = Some(route.clone());
            self.set_fact("default_route", &route, number, t);
        }
    }

    fn ovs_line(&mut self, number: u64, t: &str) {
        let s = t.trim();
        if is_uuid(s) || s.starts_with("ovs_version: ") {
            if !self.ovs_show_answered {
                self.ovs_show_answered = true;
                let cmd = self.place.command.clone();
                self.set_fact("ovs_show", "answered", self.place.block, &cmd);
                if self.summary.ovs.state.is_none() {
                    self.summary.ovs.state = Some("up".into());
                }
            }
            if let Some(v) = s.strip_prefix("ovs_version: ") {
                self.summary.ovs.version = Some(cut_str(v.trim_matches('"'), 64).into());
            }
            return;
        }
        if let Ok((_, bridge)) = ovs_bridge(s) {
            if !self.summary.ovs.bridges.iter().any(|b| b == bridge) {
                push_capped(
                    &mut self.summary.ovs.bridges,
                    cut_str(bridge, 64).to_string(),
                );
            }
            let list = self.summary.ovs.bridges.join(",");
            self.set_fact("ovs_bridges", &list, number, t);
            if bridge == "br-int" {
                self.set_fact("br_int", "present", number, t);
            }
        } else if let Some(err) = s.strip_prefix("error: ") {
            let err = err.trim_matches('"');
            push_capped(
                &mut self.summary.ovs.errors,
                cut_str(err, MAX_TEXT).to_string(),
            );
            self.set_fact("ovs_error", err, number, t);
        }
    }

    fn iptables_line(&mut self, number: u64, t: &str) {
        let name = format!("iptables_{}_rules", fact_name(&self.place.table));
        let is_row = iptables_row(t);
        if !(is_row || t.starts_with("Chain ")) {
            return;
        }
        let table = self.place.table.clone();
        let count = self.summary.iptables.entry(table).or_insert(0);
        if is_row {
            *count = count.saturating_add(1);
        }
        let value = count.to_string();
        let cmd = self.place.command.clone();
        let _ = number;
        self.set_named_fact(&name, &value, self.place.block, &cmd);
    }

    fn core_line(&mut self, number: u64, t: &str) {
        let Some(name) = ls_file(t) else { return };
        push_capped(
            &mut self.summary.core_dumps,
            cut_str(name, MAX_TEXT).to_string(),
        );
        let n = self.summary.core_dumps.len().to_string();
        self.set_fact("core_dumps", &n, number, t);
        self.set_fact("core_file", name, number, t);
    }

    fn on_failed(&mut self, number: u64, t: &str, command: &str, rc: Option<i32>) {
        push_capped(
            &mut self.summary.failed,
            WdFailed {
                line: number,
                command: cut_str(command, MAX_TEXT).into(),
                rc,
            },
        );
        if command.contains("ovs-vsctl show") {
            self.set_fact("ovs", "unreachable", number, t);
            self.set_fact("ovs_installed", "yes", number, t);
            self.summary.ovs.state = Some("unreachable".into());
        }
    }

    fn on_skipped(&mut self, number: u64, t: &str, command: &str) {
        push_capped(
            &mut self.summary.skipped,
            cut_str(command, MAX_TEXT).to_string(),
        );
        if command == "ovs-vsctl" {
            self.set_fact("ovs", "missing", number, t);
            self.summary.ovs.state = Some("missing".into());
        }
    }

    fn on_gmr(&mut self, number: u64, t: &str, service: &str, state: &str) {
        push_capped(
            &mut self.summary.gmr,
            WdGmr {
                service: cut_str(service, 128).into(),
                state: state.into(),
            },
        );
        let name = format!("gmr_{}", fact_name(service));
        self.set_named_fact(&name, state, number, t);
    }

    fn set_fact(&mut self, name: &str, value: &str, line: u64, text: &str) {
        let fact = WdFact {
            name: name.to_string(),
            value: cut_str(value, MAX_TEXT).to_string(),
            line,
            text: cut_str(text, MAX_TEXT).to_string(),
        };
        self.facts.insert(name.to_string(), fact);
    }

    /// A fact whose name comes from the input: bounded in number.
    fn set_named_fact(&mut self, name: &str, value: &str, line: u64, text: &str) {
        if !self.facts.contains_key(name) {
            if self.named_facts >= MAX_NAMED_FACTS {
                return;
            }
            self.named_facts += 1;
        }
        self.set_fact(name, value, line, text);
    }
}

/// Whether the first lines of an input (already peeled; up to ~64) look
/// like a worlddump: one of worlddump.py's section titles with its `=` rule.
pub fn sniff(first_lines: &[&str]) -> bool {
    first_lines.windows(2).any(|w| {
        let title = w[0].trim_end();
        section_title(title).is_some() && is_rule(w[1].trim_end(), b'=', title.chars().count())
    })
}

// ---------------------------------------------------------------------------
// The grammar: one function a production.

type Res<'a, T> = IResult<&'a str, T>;

fn word(i: &str) -> Res<'_, &str> {
    take_till1(char::is_whitespace).parse(i)
}

fn percent(i: &str) -> Res<'_, u8> {
    terminated(
        map_res(digit1, |d: &str| d.parse::<u16>().map(|n| n.min(255) as u8)),
        char('%'),
    )
    .parse(i)
}

/// `=` or `-` repeated exactly `len` times.
fn is_rule(t: &str, rule: u8, len: usize) -> bool {
    len > 0 && t.len() == len && t.bytes().all(|b| b == rule)
}

/// A line that could be a title or a command if a rule follows it.
fn could_head(t: &str) -> bool {
    !t.is_empty()
        && !t.starts_with(char::is_whitespace)
        && !t.starts_with('=')
        && !t.starts_with('-')
        && t != "()"
}

/// worlddump.py's section titles (`_header`), with the service of a Guru
/// Meditation section.
fn section_title(t: &str) -> Option<(&str, Option<&str>)> {
    const TITLES: &[&str] = &[
        "File System Summary",
        "Process Listing",
        "Network Dump",
        "Open vSwitch Dump",
        "IP Tables Dump",
        "EB Tables Dump",
        "Compute consoles",
        "/var/core dumps",
    ];
    if TITLES.contains(&t) {
        return Some((t, None));
    }
    gmr_title(t).ok().map(|(_, svc)| (t, Some(svc)))
}

/// `SVC Guru Meditation Report`.
fn gmr_title(i: &str) -> Res<'_, &str> {
    all_consuming(terminated(
        take_while1(|c: char| !c.is_whitespace()),
        tag(" Guru Meditation Report"),
    ))
    .parse(i)
}

fn section_kind(title: &str) -> SectionKind {
    match title {
        "File System Summary" => SectionKind::FileSystem,
        "Process Listing" => SectionKind::Processes,
        "Network Dump" => SectionKind::Network,
        "Open vSwitch Dump" => SectionKind::Ovs,
        "IP Tables Dump" => SectionKind::IpTables,
        "EB Tables Dump" => SectionKind::EbTables,
        "Compute consoles" => SectionKind::Consoles,
        "/var/core dumps" => SectionKind::Core,
        t if t.ends_with(" Guru Meditation Report") => SectionKind::Gmr,
        _ => SectionKind::Other,
    }
}

/// The commands worlddump.py runs (`_dump_cmd`), both eras.
fn known_command(t: &str) -> bool {
    const EXACT: &[&str] = &[
        "df -Ph",
        "df -h",
        "bridge link",
        "brctl show",
        "arp -n",
        "ip addr",
        "ip link",
        "ip route",
        "ip -6 route",
        "ip neigh",
        "ip netns",
        "ip link show type bridge",
        "ls -ltrah /var/core",
    ];
    const PREFIX: &[&str] = &[
        "ps axo ",
        "sudo ip netns exec ",
        "sudo ovs-vsctl ",
        "sudo ovs-ofctl ",
        "sudo iptables ",
        "sudo ebtables ",
        "sudo cat ",
        "killall ",
    ];
    EXACT.contains(&t) || PREFIX.iter().any(|p| t.starts_with(p))
}

fn block_kind(command: &str) -> BlockKind {
    let c = command.trim();
    let ip = c.strip_prefix("ip ").map(str::trim);
    match ip {
        Some("addr" | "a" | "address" | "addr show" | "address show" | "-4 addr") => {
            return BlockKind::IpAddr;
        }
        Some("route" | "r" | "route show" | "-4 route" | "ro") => return BlockKind::IpRoute,
        Some("-6 route" | "-6 r" | "-6 route show") => return BlockKind::IpRoute6,
        _ => {}
    }
    if c == "df" || c.starts_with("df ") {
        BlockKind::Df
    } else if c.starts_with("ps ") {
        BlockKind::Ps
    } else if c.ends_with("ovs-vsctl show") {
        BlockKind::OvsShow
    } else if (c.starts_with("sudo iptables ") || c.starts_with("iptables ")) && c.contains(" -L") {
        BlockKind::IpTables
    } else if c.starts_with("ls ") && c.contains("/var/core") {
        BlockKind::LsCore
    } else {
        BlockKind::Other
    }
}

/// The table of `iptables ... -t TABLE`.
fn iptables_table(command: &str) -> Option<&str> {
    let mut it = command.split_whitespace();
    while let Some(tok) = it.next() {
        if tok == "-t" || tok == "--table" {
            return it.next();
        }
    }
    None
}

/// `*** Failed to run 'CMD': ERROR` -> (cmd, error, exit status). Python 3
/// ends the error with a `.`.
fn failed_line(i: &str) -> Res<'_, (&str, &str, Option<i32>)> {
    map(
        preceded(
            tag("*** Failed to run '"),
            (take_until("': "), tag("': "), rest),
        ),
        |(cmd, _, err): (&str, &str, &str)| {
            let rc = err
                .strip_suffix('.')
                .unwrap_or(err)
                .rsplit_once("exit status ")
                .and_then(|(_, n)| n.trim().parse().ok());
            (cmd, err, rc)
        },
    )
    .parse(i)
}

/// `*** CMD not found: skipping`.
fn skipped_line(i: &str) -> Res<'_, &str> {
    all_consuming(preceded(
        tag("*** "),
        terminated(word, tag(" not found: skipping")),
    ))
    .parse(i)
}

/// `WARN: Device DEV (MNT) is N% full, might be an issue`.
fn disk_warning(i: &str) -> Res<'_, (&str, &str, u8)> {
    map(
        (
            tag("WARN: Device "),
            word,
            tag(" ("),
            take_until(") is "),
            tag(") is "),
            percent,
            tag(" full"),
        ),
        |(_, dev, _, mnt, _, pct, _)| (dev, mnt, pct),
    )
    .parse(i)
}

/// `Skipping as SVC does not appear to be running`.
fn gmr_skipped(i: &str) -> Res<'_, &str> {
    all_consuming(preceded(
        tag("Skipping as "),
        terminated(word, tag(" does not appear to be running")),
    ))
    .parse(i)
}

/// `guru meditation report in SVC log`.
fn gmr_requested(i: &str) -> Res<'_, &str> {
    all_consuming(preceded(
        tag("guru meditation report in "),
        terminated(word, tag(" log")),
    ))
    .parse(i)
}

/// One `df -P` row: `Filesystem Size Used Avail Use% Mounted on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DfRow<'a> {
    device: &'a str,
    size: &'a str,
    used: &'a str,
    avail: &'a str,
    percent: u8,
    mount: &'a str,
}

fn df_row(i: &str) -> Res<'_, DfRow<'_>> {
    map(
        (word, space1, df_row_tail),
        |(device, _, row): (&str, &str, DfRow<'_>)| DfRow { device, ..row },
    )
    .parse(i)
}

/// The columns after the device (a wrapped `df -h` row starts with them).
fn df_row_tail(i: &str) -> Res<'_, DfRow<'_>> {
    map(
        (
            space0,
            word,
            space1,
            word,
            space1,
            word,
            space1,
            percent,
            space1,
            verify(rest, |m: &str| m.starts_with('/')),
        ),
        |(_, size, _, used, _, avail, _, percent, _, mount)| DfRow {
            device: "",
            size,
            used,
            avail,
            percent,
            mount,
        },
    )
    .parse(i)
}

/// Real disks: loop devices (snaps, always 100%) are not.
fn is_real_disk(device: &str, mount: &str) -> bool {
    !device.starts_with("/dev/loop") && !mount.starts_with("/snap/")
}

/// One row of `ps axo user,ppid,pid,pcpu,pmem,vsz,rss,tty,stat,start,time,args`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PsRow<'a> {
    user: &'a str,
    pid: u32,
    stat: &'a str,
    args: &'a str,
}

fn ps_number(i: &str) -> Res<'_, &str> {
    take_while1(|c: char| c.is_ascii_digit() || c == '.').parse(i)
}

/// ps's STARTED: ` HH:MM:SS` within a day, else `Mmm dd` (or a year).
fn ps_start(i: &str) -> Res<'_, &str> {
    alt((
        recognize((digit1, char(':'), digit1, char(':'), digit1)),
        recognize((
            take_while1(|c: char| c.is_ascii_alphabetic()),
            space1,
            digit1,
        )),
        digit1,
    ))
    .parse(i)
}

fn ps_row(i: &str) -> Res<'_, PsRow<'_>> {
    map(
        (
            (space0, word, space1),
            (digit1, space1),
            (map_res(digit1, str::parse::<u32>), space1),
            (ps_number, space1, ps_number, space1),
            (digit1, space1, digit1, space1),
            (word, space1),
            (word, space1),
            (ps_start, space1),
            (word, opt(space1)),
            rest,
        ),
        |((_, user, _), _, (pid, _), _, _, _, (stat, _), _, _, args)| PsRow {
            user,
            pid,
            stat,
            args,
        },
    )
    .parse(i)
}

fn base(tok: &str) -> &str {
    tok.rsplit('/').next().unwrap_or(tok)
}

/// The daemons a process is (`mysqld`, `uwsgi` and `keystone` ...), by the
/// names fact `proc_<name>` uses.
fn daemons(args: &str, out: &mut Vec<&'static str>) {
    let mut push = |n: &'static str| {
        if !out.contains(&n) {
            out.push(n);
        }
    };
    let first = args.split_whitespace().next().unwrap_or("");
    let b0 = base(first).trim_end_matches(':');
    match b0 {
        "mysqld" => push("mysqld"),
        "mariadbd" => push("mariadbd"),
        "postgres" => push("postgres"),
        "ovsdb-server" if !args.contains("ovnnb") && !args.contains("ovnsb") => {
            push("ovsdb_server")
        }
        "ovs-vswitchd" => push("ovs_vswitchd"),
        "apache2" => push("apache2"),
        "httpd" => push("httpd"),
        "memcached" => push("memcached"),
        "etcd" => push("etcd"),
        "libvirtd" => push("libvirtd"),
        "virtqemud" => push("virtqemud"),
        "ovn-controller" => push("ovn_controller"),
        "ovn-northd" => push("ovn_northd"),
        "beam.smp" | "beam" if args.contains("rabbit") => push("rabbitmq"),
        "uwsgi" => {
            push("uwsgi");
            if let Some(s) = uwsgi_service(args) {
                push(s);
            }
        }
        _ => {}
    }
    if args.contains("rabbitmq-server") {
        push("rabbitmq");
    }
    // uWSGI's --procname-prefix: `keystoneuWSGI worker 1`
    if let Some(name) = first.strip_suffix("uWSGI") {
        push("uwsgi");
        if let Some(s) = service(name) {
            push(s);
        }
    }
    // mod_wsgi's display-name, cut to argv[0]'s length: `(wsgi:keystone-pu -k start`
    if let Some(group) = first.strip_prefix("(wsgi:")
        && let Some(s) = service(group.trim_end_matches(')'))
    {
        push(s);
    }
    // `/usr/bin/python3 /usr/local/bin/nova-compute --config-file ...`,
    // `sg libvirtd /usr/local/bin/nova-compute ...`,
    // `neutron-server: api worker (/usr/bin/python3 /usr/local/bin/neutron-server ...)`
    for tok in args.split_whitespace().take(4) {
        if tok.starts_with('-') {
            break;
        }
        let name = base(tok.trim_start_matches('(')).trim_end_matches([':', ')']);
        if let Some(s) = service(name) {
            push(s);
        }
    }
}

/// The service a uwsgi process serves: `--procname-prefix NAME` or the
/// `--ini` file (`/etc/keystone/keystone-uwsgi-public.ini`).
fn uwsgi_service(args: &str) -> Option<&'static str> {
    let mut it = args.split_whitespace();
    while let Some(tok) = it.next() {
        match tok {
            "--procname-prefix" | "--procname-prefix-spaced" => return service(it.next()?),
            "--ini" => {
                let file = base(it.next()?);
                let stem = file.split("-uwsgi").next().unwrap_or(file);
                return service(stem);
            }
            _ => {}
        }
    }
    None
}

/// An OpenStack service's process or WSGI group name -> its fact name.
fn service(name: &str) -> Option<&'static str> {
    let s = match name {
        "nova-api" | "nova-api-wsgi" | "nova-api-os-compute" => "nova_api",
        "nova-compute" => "nova_compute",
        "nova-conductor" => "nova_conductor",
        "nova-scheduler" => "nova_scheduler",
        "neutron-server" | "neutron-api" | "q-svc" => "neutron_server",
        "neutron-openvswitch-agent" => "neutron_openvswitch_agent",
        "neutron-dhcp-agent" => "neutron_dhcp_agent",
        "neutron-l3-agent" => "neutron_l3_agent",
        "neutron-metadata-agent" => "neutron_metadata_agent",
        "ovn-controller" => "ovn_controller",
        "ovn-northd" => "ovn_northd",
        "glance-api" => "glance_api",
        "cinder-volume" => "cinder_volume",
        "cinder-scheduler" => "cinder_scheduler",
        "cinder-api" => "cinder_api",
        "placement" | "placement-api" => "placement_api",
        n if n.starts_with("keystone") => "keystone",
        n if n.starts_with("placement") => "placement_api",
        _ => return None,
    };
    Some(s)
}

fn is_openstack(name: &str) -> bool {
    name == "uwsgi"
        || name == "keystone"
        || name == "placement_api"
        || name.starts_with("nova_")
        || name.starts_with("neutron_")
        || name.starts_with("glance_")
        || name.starts_with("cinder_")
}

/// `[nova-compute] <defunct>`: a zombie named after a service.
fn is_service_zombie(args: &str) -> bool {
    let name = args
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_matches(['[', ']']);
    service(name).is_some()
        || matches!(
            name,
            "mysqld" | "mariadbd" | "ovsdb-server" | "ovs-vswitchd" | "uwsgi" | "apache2" | "httpd"
        )
}

/// `N: NAME[@PEER]: <FLAGS> ... state STATE ...` -> (name, state).
fn ip_link_header(i: &str) -> Res<'_, (&str, &str)> {
    map(
        (
            digit1,
            tag(": "),
            take_till1(|c: char| c == ':' || c == '@' || c.is_whitespace()),
            opt(preceded(char('@'), take_till1(|c: char| c == ':'))),
            tag(": <"),
            rest,
        ),
        |(_, _, name, _, _, tail): (&str, &str, &str, Option<&str>, &str, &str)| {
            let state = tail
                .split_once(" state ")
                .map_or("", |(_, s)| s.split_whitespace().next().unwrap_or(""));
            (name, state)
        },
    )
    .parse(i)
}

/// `    inet ADDR/PREFIX ...` or `    inet6 ...`.
fn ip_inet(i: &str) -> Res<'_, &str> {
    preceded((space1, alt((tag("inet6 "), tag("inet ")))), word).parse(i)
}

/// A row of `ip route`: `default ...`, `unreachable ...`, or `DEST ... dev DEV ...`.
fn is_route(t: &str) -> bool {
    let first = t.split_whitespace().next().unwrap_or("");
    matches!(
        first,
        "default" | "unreachable" | "blackhole" | "prohibit" | "local" | "broadcast"
    ) || (first.starts_with(|c: char| c.is_ascii_hexdigit()) && t.contains(" dev "))
}

/// `default via GW dev DEV ...` -> `via GW dev DEV`.
fn default_route(i: &str) -> Res<'_, String> {
    map(preceded(tag("default "), rest), |r: &str| {
        let mut via = None;
        let mut dev = None;
        let mut it = r.split_whitespace();
        while let Some(tok) = it.next() {
            match tok {
                "via" => via = it.next(),
                "dev" => dev = it.next(),
                _ => {}
            }
        }
        let mut out = String::new();
        if let Some(v) = via {
            out.push_str("via ");
            out.push_str(v);
        }
        if let Some(d) = dev {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str("dev ");
            out.push_str(d);
        }
        if out.is_empty() {
            out.push_str(r.trim());
        }
        out
    })
    .parse(i)
}

/// `Bridge br-int` (old OVS quotes the name: `Bridge "br-int"`).
fn ovs_bridge(i: &str) -> Res<'_, &str> {
    map(all_consuming(preceded(tag("Bridge "), rest)), |b: &str| {
        b.trim().trim_matches('"')
    })
    .parse(i)
}

/// The first line of `ovs-vsctl show`: the Open_vSwitch row's UUID.
fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// A rule row of `iptables --line-numbers -L -nv`: it starts with its number.
fn iptables_row(t: &str) -> bool {
    let mut it = t.split_whitespace();
    it.next()
        .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
        && it.count() >= 8
}

/// The file name of a regular file in `ls -l` output.
fn ls_file(t: &str) -> Option<&str> {
    let perms = t.split_whitespace().next()?;
    if !perms.starts_with('-') || perms.len() < 10 {
        return None;
    }
    // perms links user group size month day time|year name
    let mut rest = t;
    for _ in 0..8 {
        rest = rest.trim_start();
        let end = rest.find(char::is_whitespace)?;
        rest = &rest[end..];
    }
    let name = rest.trim();
    (!name.is_empty() && name != "." && name != "..").then_some(name)
}

/// An exception or error line: `Traceback (most recent call last):`, an
/// oslo.log `ERROR ...` line with something after its logger name,
/// `pkg.module.SomeError: message`, or the oslo.reports `Exception: ...`
/// line.
fn is_exception_line(t: &str) -> bool {
    let s = t.trim_start();
    if s.starts_with("ERROR ") {
        return !strip_log_prefix(s).is_empty();
    }
    s.starts_with("Traceback (most recent call last)") || is_exception_name(s)
}

/// The text after oslo.log's `ERROR logger.name ` prefix (DevStack's
/// journal format and `logging_exception_prefix`), or the line itself.
fn strip_log_prefix(t: &str) -> &str {
    let s = t.trim_start();
    match s.strip_prefix("ERROR ") {
        Some(r) => r.split_once(' ').map_or("", |(_, msg)| msg.trim()),
        None => s,
    }
}

/// `pkg.module.SomeError: message` (or `...Exception:`, `...Timeout:`).
fn is_exception_name(s: &str) -> bool {
    let Some((name, _)) = s.split_once(':') else {
        return false;
    };
    let last = name.rsplit('.').next().unwrap_or(name);
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        && last.starts_with(|c: char| c.is_ascii_uppercase())
        && ["Error", "Exception", "Timeout", "Failure", "Fault", "Exit"]
            .iter()
            .any(|e| last.ends_with(e))
}

/// A fact name from input text: lower-case ASCII letters, digits and `_`.
fn fact_name(s: &str) -> String {
    cut_str(s, 64)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

fn cut_str(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn push_capped<T>(v: &mut Vec<T>, item: T) {
    if v.len() < MAX_ROWS {
        v.push(item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEW: &str = include_str!("../../samples/worlddump/worlddump-new-skeleton.txt");
    const OLD: &str = include_str!("../../samples/worlddump/worlddump-old-py2-skeleton.txt");

    fn run(text: &str) -> (WorlddumpParser, Vec<String>) {
        let mut p = WorlddumpParser::new();
        let mut kinds = vec![];
        for (i, l) in text.lines().enumerate() {
            kinds.push(p.parse_line(i as u64 + 1, l).name().to_string());
        }
        (p, kinds)
    }

    fn fact(p: &WorlddumpParser, name: &str) -> Option<String> {
        p.facts()
            .into_iter()
            .find(|f| f.name == name)
            .map(|f| f.value)
    }

    #[test]
    fn banner_and_rule() {
        let mut p = WorlddumpParser::new();
        assert_eq!(p.parse_line(1, ""), WdEvent::Blank);
        assert_eq!(
            p.parse_line(2, "Process Listing"),
            WdEvent::Section {
                title: "Process Listing",
                service: None
            }
        );
        assert_eq!((p.section(), p.block()), (1, 2));
        assert_eq!(
            p.parse_line(3, "==============="),
            WdEvent::SectionRule {
                title: "Process Listing".into()
            }
        );
        assert_eq!(p.parse_line(4, "()"), WdEvent::Blank);
        assert_eq!(
            p.parse_line(
                5,
                "ps axo user,ppid,pid,pcpu,pmem,vsz,rss,tty,stat,start,time,args"
            ),
            WdEvent::Command {
                command: "ps axo user,ppid,pid,pcpu,pmem,vsz,rss,tty,stat,start,time,args"
            }
        );
        assert_eq!(p.block(), 5);
        assert!(matches!(
            p.parse_line(
                6,
                "---------------------------------------------------------------"
            ),
            WdEvent::CommandRule { .. }
        ));
        assert_eq!((p.section(), p.block()), (1, 5));
    }

    #[test]
    fn gmr_title_carries_service() {
        let mut p = WorlddumpParser::new();
        assert_eq!(
            p.parse_line(1, "nova-compute Guru Meditation Report"),
            WdEvent::Section {
                title: "nova-compute Guru Meditation Report",
                service: Some("nova-compute")
            }
        );
        assert!(matches!(
            p.parse_line(2, "==================================="),
            WdEvent::SectionRule { .. }
        ));
        assert_eq!(
            p.parse_line(4, "Skipping as nova-compute does not appear to be running"),
            WdEvent::GmrSkipped {
                service: "nova-compute"
            }
        );
        assert_eq!(fact(&p, "gmr_nova_compute").as_deref(), Some("skipped"));
    }

    #[test]
    fn unknown_title_and_command_by_their_rules() {
        let mut p = WorlddumpParser::new();
        p.parse_line(1, "Process Listing");
        p.parse_line(2, "===============");
        assert!(matches!(
            p.parse_line(3, "Kernel Modules"),
            WdEvent::Output { .. }
        ));
        assert_eq!(
            p.parse_line(4, "=============="),
            WdEvent::SectionRule {
                title: "Kernel Modules".into()
            }
        );
        assert_eq!((p.section(), p.block()), (2, 3));
        assert!(matches!(p.parse_line(5, "lsmod"), WdEvent::Output { .. }));
        assert_eq!(
            p.parse_line(6, "-----"),
            WdEvent::CommandRule {
                command: "lsmod".into()
            }
        );
        assert_eq!(p.block(), 5);
        // a rule of another length is output
        assert!(matches!(p.parse_line(7, "x"), WdEvent::Output { .. }));
        assert!(matches!(p.parse_line(8, "----"), WdEvent::Output { .. }));
        assert_eq!(p.block(), 5);
    }

    #[test]
    fn known_line_without_rule_moves_back() {
        let mut p = WorlddumpParser::new();
        p.parse_line(1, "Network Dump");
        p.parse_line(2, "============");
        p.parse_line(3, "ip addr");
        p.parse_line(4, "-------");
        assert_eq!(p.block(), 3);
        // `ip route` printed as output, not followed by its rule
        assert!(matches!(
            p.parse_line(5, "ip route"),
            WdEvent::Command { .. }
        ));
        assert!(matches!(
            p.parse_line(6, "something else"),
            WdEvent::Output { .. }
        ));
        assert_eq!((p.section(), p.block()), (1, 3));
    }

    #[test]
    fn consoles_take_only_known_commands() {
        let mut p = WorlddumpParser::new();
        p.parse_line(1, "Compute consoles");
        p.parse_line(2, "================");
        p.parse_line(3, "sudo cat /opt/stack/data/nova/instances/x/console.log");
        p.parse_line(4, "-----------------------------------------------------");
        assert!(matches!(p.parse_line(5, "login"), WdEvent::Output { .. }));
        assert!(matches!(p.parse_line(6, "-----"), WdEvent::Output { .. }));
        assert_eq!(p.block(), 3);
    }

    #[test]
    fn failed_both_eras() {
        assert_eq!(
            failed_line(
                "*** Failed to run 'sudo ovs-vsctl show': Command 'sudo ovs-vsctl show' returned non-zero exit status 1."
            ),
            Ok((
                "",
                (
                    "sudo ovs-vsctl show",
                    "Command 'sudo ovs-vsctl show' returned non-zero exit status 1.",
                    Some(1)
                )
            ))
        );
        assert_eq!(
            failed_line("*** Failed to run 'brctl show': Command 'brctl show' returned non-zero exit status 127")
                .map(|(_, r)| r.2),
            Ok(Some(127))
        );
        let mut p = WorlddumpParser::new();
        p.parse_line(1, "Open vSwitch Dump");
        p.parse_line(2, "=================");
        p.parse_line(3, "sudo ovs-vsctl show");
        p.parse_line(4, "-------------------");
        assert!(matches!(
            p.parse_line(6, "*** Failed to run 'sudo ovs-vsctl show': Command 'sudo ovs-vsctl show' returned non-zero exit status 1."),
            WdEvent::Failed { rc: Some(1), .. }
        ));
        assert_eq!(fact(&p, "ovs").as_deref(), Some("unreachable"));
        assert_eq!(fact(&p, "br_int"), None);
        assert_eq!(p.summary().failed.len(), 1);
        assert!(is_route(
            "10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.5"
        ));
        assert!(is_route("default via 10.0.0.1 dev eth0"));
        assert!(!is_route("<command output elided>"));
    }

    #[test]
    fn skipped_tool() {
        assert_eq!(
            skipped_line("*** ebtables not found: skipping"),
            Ok(("", "ebtables"))
        );
        let mut p = WorlddumpParser::new();
        p.parse_line(1, "Open vSwitch Dump");
        p.parse_line(2, "=================");
        assert_eq!(
            p.parse_line(3, "*** ovs-vsctl not found: skipping"),
            WdEvent::Skipped {
                command: "ovs-vsctl"
            }
        );
        assert_eq!(fact(&p, "ovs").as_deref(), Some("missing"));
    }

    #[test]
    fn disk_warning_and_df_rows() {
        let mut p = WorlddumpParser::new();
        p.parse_line(1, "File System Summary");
        p.parse_line(2, "===================");
        assert_eq!(
            p.parse_line(
                4,
                "WARN: Device /dev/vda1 (/) is 100% full, might be an issue"
            ),
            WdEvent::DiskWarning {
                device: "/dev/vda1",
                mount: "/",
                percent: 100
            }
        );
        assert!(matches!(
            p.parse_line(5, "Filesystem      Size  Used Avail Use% Mounted on"),
            WdEvent::Output { .. }
        ));
        assert_eq!(
            p.parse_line(6, "/dev/vda1        78G   78G     0 100% /"),
            WdEvent::Disk {
                device: "/dev/vda1",
                size: "78G",
                used: "78G",
                avail: "0",
                percent: 100,
                mount: "/"
            }
        );
        p.parse_line(7, "/dev/loop0       64M   64M     0 100% /snap/core20/2015");
        p.parse_line(8, "/dev/vdb1       9.8G  9.5G  300M  97% /opt/stack/data");
        assert_eq!(fact(&p, "disk_warn").as_deref(), Some("/"));
        assert_eq!(fact(&p, "disk_full").as_deref(), Some("/"));
        assert_eq!(fact(&p, "disk_max_use").as_deref(), Some("100"));
        assert_eq!(fact(&p, "disk_max_mount").as_deref(), Some("/"));
        assert_eq!(p.summary().disks.len(), 3);
        // every df row is in the section's block
        assert_eq!(p.block(), 1);
    }

    #[test]
    fn loop_devices_are_not_full_disks() {
        let mut p = WorlddumpParser::new();
        p.parse_line(1, "File System Summary");
        p.parse_line(2, "===================");
        p.parse_line(
            3,
            "WARN: Device /dev/loop0 (/snap/core20/2015) is 100% full, might be an issue",
        );
        p.parse_line(4, "/dev/loop0       64M   64M     0 100% /snap/core20/2015");
        p.parse_line(5, "/dev/sda1        97G   31G   62G  34% /");
        assert_eq!(fact(&p, "disk_full"), None);
        assert_eq!(fact(&p, "disk_warn"), None);
        assert_eq!(fact(&p, "disk_max_use").as_deref(), Some("34"));
    }

    #[test]
    fn df_h_wrapped_row() {
        let mut p = WorlddumpParser::new();
        p.parse_line(1, "File System Summary");
        p.parse_line(2, "===================");
        assert!(matches!(
            p.parse_line(3, "/dev/mapper/ubuntu--vg-ubuntu--lv"),
            WdEvent::Output { .. }
        ));
        assert!(matches!(
            p.parse_line(4, "                       98G   93G     0 100% /"),
            WdEvent::Disk { percent: 100, .. }
        ));
        assert_eq!(fact(&p, "disk_full").as_deref(), Some("/"));
    }

    const PS_HEAD: &str =
        "USER         PPID     PID %CPU %MEM    VSZ   RSS TT       STAT  STARTED     TIME COMMAND";

    fn ps(rows: &[&str]) -> WorlddumpParser {
        let mut p = WorlddumpParser::new();
        p.parse_line(1, "Process Listing");
        p.parse_line(2, "===============");
        p.parse_line(3, "");
        p.parse_line(
            4,
            "ps axo user,ppid,pid,pcpu,pmem,vsz,rss,tty,stat,start,time,args",
        );
        p.parse_line(
            5,
            "---------------------------------------------------------------",
        );
        p.parse_line(6, "");
        p.parse_line(7, PS_HEAD);
        for (i, r) in rows.iter().enumerate() {
            p.parse_line(8 + i as u64, r);
        }
        p
    }

    #[test]
    fn ps_rows_both_start_forms() {
        assert_eq!(
            ps_row(
                "mysql          1     812  0.4  2.3 2412308 381204 ?      Ssl  12:01:33 00:00:41 /usr/sbin/mysqld"
            ),
            Ok((
                "",
                PsRow {
                    user: "mysql",
                    pid: 812,
                    stat: "Ssl",
                    args: "/usr/sbin/mysqld"
                }
            ))
        );
        let (_, r) = ps_row(
            "root           1    1022  0.0  0.0   6892  2944 ?        Ss     Nov 28 00:00:00 /usr/sbin/cron -f -P",
        )
        .unwrap();
        assert_eq!((r.pid, r.args), (1022, "/usr/sbin/cron -f -P"));
        assert!(ps_row(PS_HEAD).is_err());
    }

    #[test]
    fn daemons_from_the_listing() {
        let p = ps(&[
            "mysql          1     812  0.4  2.3 2412308 381204 ?      Ssl  12:01:33 00:00:41 /usr/sbin/mysqld",
            "rabbitmq    1130    1241  0.9  0.8 2318680 131200 ?      Sl   12:01:40 00:01:12 /usr/lib/erlang/erts-13.2.2.5/bin/beam.smp -W w -MBas ageffcbf -MHas ageffcbf -- -root /usr/lib/erlang -progname erl -- -home /var/lib/rabbitmq -- -pa  -noshell -noinput -s rabbit boot -boot start_sasl",
            "stack          1   30511  0.0  0.6 182212 104912 ?       Ss   12:20:05 00:00:02 keystoneuWSGI master",
            "stack          1   41188  2.1  1.1 1322456 188528 ?      Ssl  12:31:09 00:00:25 /opt/stack/data/venv/bin/python3.12 /opt/stack/data/venv/bin/nova-compute --config-file /etc/nova/nova-cpu.conf",
            "stack          1   40001  0.0  0.9 215432 150012 ?       Ss   12:30:01 00:00:03 neutron-server: api worker (/opt/stack/data/venv/bin/python3.12 /opt/stack/data/venv/bin/neutron-server --config-file /etc/neutron/neutron.conf)",
            "root           1     950  0.0  0.0  12316  6012 ?        S<s  12:01:20 00:00:00 ovsdb-server /etc/openvswitch/conf.db -vconsole:emer -vsyslog:err -vfile:info --remote=punix:/var/run/openvswitch/db.sock",
            "www-data   20881   20890  0.0  0.1 1212720 9284 ?        Sl   12:19:59 00:00:00 /usr/sbin/apache2 -k start",
            "stack      41188   41990  0.0  0.0      0     0 ?        Z    12:40:02 00:00:00 [nova-compute] <defunct>",
            "root           2       3  0.0  0.0      0     0 ?        I<   12:00:01 00:00:00 [rcu_gp]",
        ]);
        for f in [
            "proc_mysqld",
            "proc_rabbitmq",
            "proc_uwsgi",
            "proc_keystone",
            "proc_nova_compute",
            "proc_neutron_server",
            "proc_ovsdb_server",
            "proc_apache2",
        ] {
            assert_eq!(fact(&p, f).as_deref(), Some("running"), "{f}");
        }
        assert_eq!(fact(&p, "proc_listing").as_deref(), Some("yes"));
        assert_eq!(fact(&p, "openstack_running").as_deref(), Some("yes"));
        assert_eq!(fact(&p, "services_running").as_deref(), Some("yes"));
        assert_eq!(fact(&p, "neutron_running").as_deref(), Some("yes"));
        assert_eq!(fact(&p, "db_server").as_deref(), Some("mysqld"));
        assert_eq!(fact(&p, "web_server").as_deref(), Some("apache2"));
        assert_eq!(fact(&p, "proc_mariadbd"), None);
        assert_eq!(
            fact(&p, "zombie").as_deref(),
            Some("[nova-compute] <defunct>")
        );
        let s = p.summary();
        assert_eq!(s.processes_total, 9);
        assert_eq!(s.processes.len(), 8);
        assert!(s.daemons.contains(&"nova_compute".to_string()));
    }

    #[test]
    fn old_era_process_names() {
        let p = ps(&[
            "stack      12001   12006  0.1  1.9 170160 78760 pts/3    Ss+  08:01:27 00:00:03 /usr/bin/python /usr/local/bin/neutron-openvswitch-agent --config-file /etc/neutron/neutron.conf --config-file /etc/neutron/plugins/ml2/ml2_conf.ini",
            "stack      12001   12300  0.9  2.9 236800 120772 pts/9   Sl+  08:02:10 00:00:12 sg libvirtd /usr/local/bin/nova-compute --config-file /etc/nova/nova.conf",
            "stack       2811    2835  0.0  1.2 447656 51108 ?        Sl   07:58:41 00:00:01 (wsgi:keystone-pu -k start",
            "stack          1    2990  0.0  0.9 340212 40001 ?        Ssl  07:59:01 00:00:01 /usr/local/bin/uwsgi --procname-prefix placement --ini /etc/placement/placement-uwsgi.ini",
        ]);
        for f in [
            "proc_neutron_openvswitch_agent",
            "proc_nova_compute",
            "proc_keystone",
            "proc_placement_api",
        ] {
            assert_eq!(fact(&p, f).as_deref(), Some("running"), "{f}");
        }
    }

    #[test]
    fn ip_addr_and_route() {
        let mut p = WorlddumpParser::new();
        for (i, l) in [
            "Network Dump",
            "============",
            "",
            "ip addr",
            "-------",
            "",
            "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000",
            "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00",
            "    inet 127.0.0.1/8 scope host lo",
            "2: eth0@if7: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 qdisc pfifo_fast state UP group default qlen 1000",
            "    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0",
            "    inet6 fe80::fc:ff:fe00:1/64 scope link ",
            "",
            "ip route",
            "--------",
            "",
            "default via 192.0.2.1 dev eth0 ",
            "192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2 ",
        ]
        .iter()
        .enumerate()
        {
            p.parse_line(i as u64 + 1, l);
        }
        let s = p.summary();
        assert_eq!(s.interfaces.len(), 2);
        assert_eq!(s.interfaces[1].name, "eth0");
        assert_eq!(s.interfaces[1].state, "UP");
        assert_eq!(
            s.interfaces[1].addresses,
            vec!["192.0.2.2/24", "fe80::fc:ff:fe00:1/64"]
        );
        assert_eq!(
            fact(&p, "default_route").as_deref(),
            Some("via 192.0.2.1 dev eth0")
        );
        assert_eq!(s.routes.len(), 2);
    }

    #[test]
    fn route_block_without_default() {
        let mut p = WorlddumpParser::new();
        for (i, l) in [
            "Network Dump",
            "============",
            "ip route",
            "--------",
            "",
            "192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2",
            "",
            "sudo ip netns exec qrouter-1 ip route",
            "-------------------------------------",
            "default via 172.24.4.1 dev qg-1",
        ]
        .iter()
        .enumerate()
        {
            p.parse_line(i as u64 + 1, l);
        }
        assert_eq!(fact(&p, "default_route").as_deref(), Some("none"));
        assert_eq!(p.summary().default_route.as_deref(), Some("none"));
    }

    #[test]
    fn ovs_show() {
        let mut p = WorlddumpParser::new();
        for (i, l) in [
            "Open vSwitch Dump",
            "=================",
            "",
            "sudo ovs-vsctl show",
            "-------------------",
            "",
            "6a7f3e52-2d3c-4d67-9d8b-0f6c2b1c7d10",
            "    Manager \"ptcp:6640:127.0.0.1\"",
            "    Bridge br-ex",
            "        Port br-ex",
            "            Interface br-ex",
            "                type: internal",
            "                error: \"could not open network device br-ex (No such device)\"",
            "    Bridge \"br-tun\"",
            "    ovs_version: \"2.17.9\"",
        ]
        .iter()
        .enumerate()
        {
            p.parse_line(i as u64 + 1, l);
        }
        assert_eq!(fact(&p, "ovs_bridges").as_deref(), Some("br-ex,br-tun"));
        assert_eq!(fact(&p, "br_int").as_deref(), Some("missing"));
        assert_eq!(fact(&p, "ovs_installed").as_deref(), Some("yes"));
        assert_eq!(
            fact(&p, "ovs_error").as_deref(),
            Some("could not open network device br-ex (No such device)")
        );
        let s = p.summary();
        assert_eq!(s.ovs.state.as_deref(), Some("up"));
        assert_eq!(s.ovs.version.as_deref(), Some("2.17.9"));
        p.parse_line(20, "    Bridge br-int");
        assert_eq!(fact(&p, "br_int").as_deref(), Some("present"));
    }

    #[test]
    fn iptables_counts_rows() {
        let mut p = WorlddumpParser::new();
        for (i, l) in [
            "IP Tables Dump",
            "==============",
            "",
            "sudo iptables --line-numbers -L -nv -t nat",
            "------------------------------------------",
            "",
            "Chain PREROUTING (policy ACCEPT 0 packets, 0 bytes)",
            "num   pkts bytes target     prot opt in     out     source               destination         ",
            "",
            "Chain POSTROUTING (policy ACCEPT 0 packets, 0 bytes)",
            "num   pkts bytes target     prot opt in     out     source               destination         ",
            "1        0     0 MASQUERADE  0    --  *      eth0    172.24.4.0/24        0.0.0.0/0           ",
            "",
            "sudo iptables --line-numbers -L -nv -t mangle",
            "---------------------------------------------",
            "",
            "Chain PREROUTING (policy ACCEPT 0 packets, 0 bytes)",
        ]
        .iter()
        .enumerate()
        {
            p.parse_line(i as u64 + 1, l);
        }
        assert_eq!(fact(&p, "iptables_nat_rules").as_deref(), Some("1"));
        assert_eq!(fact(&p, "iptables_mangle_rules").as_deref(), Some("0"));
        assert_eq!(fact(&p, "iptables_filter_rules"), None);
    }

    #[test]
    fn gmr_section_with_report_text() {
        let mut p = WorlddumpParser::new();
        let lines = [
            "neutron-openvswitch-agent Guru Meditation Report",
            "================================================",
            "",
            "41377",
            "killall -e -USR2 neutron-openvswitch-agent",
            "------------------------------------------",
            "",
            "*** Failed to run 'killall -e -USR2 neutron-openvswitch-agent': Command 'killall -e -USR2 neutron-openvswitch-agent' returned non-zero exit status 1.",
            "guru meditation report in neutron-openvswitch-agent log",
            "========================================================================",
            "====                        Guru Meditation                         ====",
            "========================================================================",
            "------                  Thread #140417215547200                   ------",
            "/usr/lib/python3/dist-packages/eventlet/hubs/hub.py:355 in run",
            "    `self.wait(sleep_time)`",
            "ERROR neutron.plugins.ml2.drivers.openvswitch.agent.ovs_neutron_agent Traceback (most recent call last):",
            "ERROR neutron.plugins.ml2.drivers.openvswitch.agent.ovs_neutron_agent oslo_messaging.exceptions.MessagingTimeout: Timed out waiting for a reply to message ID 1c6c",
        ];
        let kinds: Vec<&str> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| p.parse_line(i as u64 + 1, l).name())
            .collect();
        assert_eq!(kinds[4], "command");
        assert_eq!(kinds[8], "gmr_requested");
        // oslo.reports banners are not worlddump sections
        assert_eq!(p.section(), 1);
        assert_eq!(kinds[10], "output");
        assert_eq!(kinds[15], "gmr_exception");
        assert_eq!(
            fact(&p, "gmr_exception").as_deref(),
            Some(
                "oslo_messaging.exceptions.MessagingTimeout: Timed out waiting for a reply to message ID 1c6c"
            )
        );
        // a bare `ERROR logger` line after it changes nothing
        assert!(matches!(
            p.parse_line(
                18,
                "ERROR neutron.plugins.ml2.drivers.openvswitch.agent.ovs_neutron_agent"
            ),
            WdEvent::Output { .. }
        ));
        p.parse_line(
            19,
            "ERROR neutron.agent.common.ovs_lib Traceback (most recent call last):",
        );
        assert!(
            fact(&p, "gmr_exception")
                .unwrap()
                .starts_with("oslo_messaging.exceptions.MessagingTimeout")
        );
        assert_eq!(
            fact(&p, "gmr_exception_service").as_deref(),
            Some("neutron-openvswitch-agent")
        );
        assert_eq!(
            fact(&p, "gmr_neutron_openvswitch_agent").as_deref(),
            Some("requested")
        );
    }

    #[test]
    fn exception_lines() {
        assert!(is_exception_line(
            "oslo_messaging.exceptions.MessagingTimeout: Timed out waiting for a reply"
        ));
        assert!(is_exception_line("Traceback (most recent call last):"));
        assert!(is_exception_line("ValueError: bad"));
        assert!(is_exception_line("Exception: {'type': <class 'X'>}"));
        assert!(!is_exception_line(
            "/usr/lib/python3/dist-packages/eventlet/hubs/hub.py:355 in run"
        ));
        assert!(!is_exception_line("product = OpenStack Neutron"));
        assert!(!is_exception_line("default: x"));
        assert!(!is_exception_line("ERROR neutron.agent"));
        assert_eq!(
            strip_log_prefix("ERROR neutron.agent ValueError: x"),
            "ValueError: x"
        );
    }

    #[test]
    fn core_dumps() {
        let mut p = WorlddumpParser::new();
        for (i, l) in [
            "/var/core dumps",
            "===============",
            "",
            "ls -ltrah /var/core",
            "-------------------",
            "",
            "total 1.1G",
            "drwxr-xr-x 14 root root 4.0K Nov 29 12:00 ..",
            "drwxrwxrwx  2 root root 4.0K Nov 29 13:12 .",
            "-rw-------  1 root root 1.1G Nov 29 13:12 core.qemu-system-x86.41872.devstack.1764421921",
        ]
        .iter()
        .enumerate()
        {
            p.parse_line(i as u64 + 1, l);
        }
        assert_eq!(fact(&p, "core_dumps").as_deref(), Some("1"));
        assert_eq!(
            fact(&p, "core_file").as_deref(),
            Some("core.qemu-system-x86.41872.devstack.1764421921")
        );
    }

    #[test]
    fn text_before_any_section() {
        let mut p = WorlddumpParser::new();
        assert_eq!(p.parse_line(1, "hello"), WdEvent::Text { text: "hello" });
        assert_eq!((p.section(), p.block()), (0, 0));
    }

    #[test]
    fn sniffs_both_skeletons_only() {
        let first: Vec<&str> = NEW.lines().take(64).collect();
        assert!(sniff(&first));
        let first: Vec<&str> = OLD.lines().take(64).collect();
        assert!(sniff(&first));
        assert!(!sniff(&["File System Summary", "==="]));
        assert!(!sniff(&[
            "2016-04-29 08:01:39.100 | World dumping... see /opt/stack/logs/worlddump-2016-04-29-080139.txt for details"
        ]));
    }

    #[test]
    fn new_skeleton() {
        let (p, kinds) = run(NEW);
        let count = |k: &str| kinds.iter().filter(|x| *x == k).count();
        assert_eq!(count("section"), 13);
        assert_eq!(count("section_rule"), 13);
        assert_eq!(count("command"), 11);
        assert_eq!(count("command_rule"), 11);
        assert_eq!(count("failed"), 3);
        assert_eq!(count("skipped"), 2);
        assert_eq!(count("gmr_skipped"), 6);
        assert_eq!(count("text"), 0);
        assert_eq!(p.section(), 13);
        assert_eq!(fact(&p, "ovs").as_deref(), Some("missing"));
        assert_eq!(fact(&p, "gmr_cinder_volume").as_deref(), Some("skipped"));
        let s = p.summary();
        assert_eq!(s.sections.len(), 13);
        assert_eq!(s.failed[0].rc, Some(127));
        // `ip route` ran but its output is elided: nothing known
        assert_eq!(fact(&p, "default_route"), None);
    }

    #[test]
    fn old_py2_skeleton() {
        let (p, kinds) = run(OLD);
        let count = |k: &str| kinds.iter().filter(|x| *x == k).count();
        assert_eq!(count("section"), 13);
        assert_eq!(count("section_rule"), 13);
        assert_eq!(count("command"), 10);
        assert_eq!(count("failed"), 4);
        assert_eq!(count("gmr_skipped"), 6);
        assert_eq!(count("text"), 0);
        // every `()` is a blank line
        assert_eq!(
            count("blank"),
            OLD.lines().filter(|l| l.is_empty() || *l == "()").count()
        );
        assert_eq!(p.summary().skipped, vec!["ovs-vsctl", "ebtables"]);
    }

    #[test]
    fn never_panics_on_odd_lines() {
        let mut p = WorlddumpParser::new();
        for (i, l) in [
            "",
            "=",
            "-",
            "==",
            "()",
            "*** ",
            "*** Failed to run '",
            "WARN: Device ",
            "WARN: Device x (",
            "Skipping as",
            "1: : <",
            "    inet",
            "default",
            "é",
            "Bridge ",
            "\u{0}",
            "ps axo",
            "----------------------------------",
        ]
        .iter()
        .enumerate()
        {
            p.parse_line(i as u64, l);
        }
        let long = "x".repeat(10_000);
        p.parse_line(99, &long);
        p.parse_line(100, &"-".repeat(10_000));
        let _ = (p.facts(), p.summary());
    }
}
