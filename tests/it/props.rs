//! Property tests on the library: the stack.sh parser, the line layer and
//! the whole diagnosis never panic on hostile input, and a report always
//! keeps its JSON contract.

use std::sync::LazyLock;

use proptest::prelude::*;
use stacklog::parse::devstack::DevstackParser;
use stacklog::rules::RuleSet;

static RULES: LazyLock<RuleSet> = LazyLock::new(|| RuleSet::builtin().expect("builtin rules load"));

/// Real log lines (mostly `samples/devstack/seed-problem5-keystone-dbsock.log`,
/// plus the other shapes stack.sh prints: new-style xtrace, `[Call Trace]`,
/// `[ERROR]`, the timing table, the success banner).
const REAL: &[&str] = &[
    "+lib/keystone:create_keystone_accounts:368  local admin_project",
    "++lib/keystone:create_keystone_accounts:369  openstack project show admin -f value -c id",
    "Discovering versions from the identity service failed when creating the password plugin. Attempting to determine version from URL.",
    "Could not determine a suitable URL for the plugin",
    "+lib/keystone:create_keystone_accounts:369  admin_project=",
    "+lib/keystone:create_keystone_accounts:1   exit_trap",
    "+./stack.sh:exit_trap:474                  local r=1",
    "++./stack.sh:exit_trap:475                  jobs -p",
    "+./stack.sh:exit_trap:475                  jobs=",
    "+./stack.sh:exit_trap:478                  [[ -n '' ]]",
    "+./stack.sh:exit_trap:484                  kill_spinner",
    "+./stack.sh:kill_spinner:370               '[' '!' -z '' ']'",
    "+./stack.sh:exit_trap:486                  [[ 1 -ne 0 ]]",
    "+./stack.sh:exit_trap:487                  echo 'Error on exit'",
    "Error on exit",
    "+./stack.sh:exit_trap:488                  generate-subunit 1461920296 413 fail",
    "+./stack.sh:exit_trap:489                  [[ -z /opt/stack/logs ]]",
    "+./stack.sh:exit_trap:492                  /home/baiming/devstack/tools/worlddump.py -d /opt/stack/logs",
    "World dumping... see /opt/stack/logs/worlddump-2016-04-29-090510.txt for details",
    "2016-04-29T09:05:10Z|00001|reconnect|WARN|unix:/var/run/openvswitch/db.sock: connection attempt failed (Permission denied)",
    "ovs-vsctl: unix:/var/run/openvswitch/db.sock: database connection failed (Permission denied)",
    "+./stack.sh:exit_trap:498                  exit 1",
    "+lib/databases/mysql:configure_database_mysql:91  sudo mysql -u root -p devstack -h 127.0.0.1 -e 'GRANT ALL PRIVILEGES ON *.* TO '\\''root'\\''@'\\''%'\\'' identified by '\\''devstack'\\'';'",
    "ERROR 1045 (28000): Access denied for user 'root'@'localhost' (using password: YES)",
    "+ functions-common:git_timed:105           :   die 105 'git call failed: [git clone' /opt/stack/mirror/openstack/glance.git '/opt/stack/devstack/glance]'",
    "+ functions-common:die:24                  :   local exitcode=0",
    "[Call Trace]",
    "./stack.sh:67:install_glance",
    "/opt/stack/devstack/functions-common:105:die",
    "[ERROR] /opt/stack/devstack/functions-common:105 git call failed: [git clone /opt/stack/mirror/openstack/glance.git /opt/stack/devstack/glance]",
    "fatal: unable to connect to git.openstack.org:",
    "=========================",
    "DevStack Component Timing",
    "Total runtime         1502",
    "git_timed             217",
    "This is your host IP address: 10.0.0.5",
    "stack.sh completed in 1502 seconds.",
];

/// Pieces a trace-shaped line is made of.
const FRAGMENTS: &[&str] = &[
    "+",
    "++",
    "+++",
    "+ ",
    ":",
    "::",
    " : ",
    "   ",
    " ",
    "0",
    "1",
    "42",
    "4294967296",
    "99999999999999999999",
    "./stack.sh",
    "functions-common",
    "lib/keystone",
    "main",
    "die",
    "exit_trap",
    "()",
    "(): ",
    "[ERROR] ",
    "[WARNING] ",
    "[Call Trace]",
    "World dumping... see ",
    " for details",
    "Error on exit",
    "stack.sh failed: full log in ",
    "WARNING: ",
    "line ",
    "Took ",
    "=====",
    "\x1b",
    "\x1b[",
    "\x1b[0m",
    "\x1b[38;5;242m",
    "\x1b(B",
    "\x1b]0;t\x07",
    "\x08",
    "\x0e",
    "\x0f",
    "\r",
    "\t",
    "|",
    " | ",
    "'",
    "\"",
    "\\",
    "é",
    "\u{fffd}",
    "\u{10ffff}",
    "😀",
];

/// Wrapper prefixes the line layer peels.
const PREFIXES: &[&str] = &[
    "",
    "2016-04-29 08:01:39.123 | ",
    "2026-11-29 04:38:03.185123 | controller | ",
    "2026-11-29 04:38:03.185123 | controller | 2026-11-29 04:38:03.185 | ",
    "| ",
    "2016-04-29 08:01:39.123 |",
];

/// A string built from trace-like fragments and arbitrary characters.
fn trace_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => prop::sample::select(FRAGMENTS).prop_map(String::from),
        1 => "[0-9]{1,6}",
        1 => any::<char>().prop_map(String::from),
        1 => prop::sample::select(REAL).prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..16).prop_map(|v| v.concat())
}

/// Any string at all, or a trace-like one.
fn body() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), trace_like()]
}

/// A slice of a real line, by character positions.
fn real_fragment() -> impl Strategy<Value = String> {
    (
        prop::sample::select(REAL),
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(l, a, b)| {
            let n = l.chars().count() + 1;
            let (a, b) = (a.index(n), b.index(n));
            l.chars().skip(a.min(b)).take(a.max(b) - a.min(b)).collect()
        })
}

/// One line of a log made from real lines, pieces of them and junk.
fn log_line() -> impl Strategy<Value = String> {
    let content = prop_oneof![
        4 => prop::sample::select(REAL).prop_map(String::from),
        2 => real_fragment(),
        1 => (real_fragment(), real_fragment()).prop_map(|(a, b)| a + &b),
        1 => trace_like(),
        1 => "[^\n]{0,40}",
    ];
    (prop::sample::select(PREFIXES), content).prop_map(|(p, c)| format!("{p}{c}"))
}

fn log_text() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(log_line(), 0..48),
        prop::sample::select(&["\n", "\r\n"][..]),
        any::<bool>(),
    )
        .prop_map(|(lines, eol, trailing)| {
            let mut s = lines.join(eol);
            if trailing {
                s.push_str(eol);
            }
            s
        })
}

/// Byte runs that are not UTF-8 (lone, truncated, surrogate, after ESC).
const INVALID_UTF8: &[&[u8]] = &[
    b"\xff",
    b"\xc3",
    b"\xe2\x82",
    b"\xed\xa0\x80",
    b"\x1b\xff",
    b"\r\xfe",
];

/// What may follow a line's text before its `\n`.
const LINE_ENDS: &[&str] = &["\r", "\r", "\x1b[0m", "\x1b[K", "\x1b(B\x1b[m", "\x0f"];

/// Raw bytes: arbitrary, or wrapper/ESC/CR pieces with invalid UTF-8 mixed in.
fn raw_line() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        3 => prop::sample::select(FRAGMENTS).prop_map(|s| s.as_bytes().to_vec()),
        1 => prop::sample::select(PREFIXES).prop_map(|s| s.as_bytes().to_vec()),
        1 => prop::sample::select(REAL).prop_map(|s| s.as_bytes().to_vec()),
        1 => prop::collection::vec(any::<u8>(), 0..4),
        1 => prop::sample::select(INVALID_UTF8).prop_map(<[u8]>::to_vec),
    ];
    // How lines really end: CR (or several, from `\r\n` written through a
    // tty), colour resets and erase-line sequences, in any order.
    let tail = prop::collection::vec(prop::sample::select(LINE_ENDS), 0..4)
        .prop_map(|v| v.concat().into_bytes());
    (
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..200),
            prop::collection::vec(piece, 0..16).prop_map(|v| v.concat()),
        ],
        tail,
    )
        .prop_map(|(mut head, tail)| {
            head.extend_from_slice(&tail);
            head
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn parser_never_panics_on_one_line(n in any::<u64>(), s in body()) {
        let _ = DevstackParser::new().parse_line(n, &s);
        let _ = stacklog::parse::devstack::parse_line(&s);
    }

    #[test]
    fn parser_never_panics_on_a_sequence(start in 1u64..1_000_000, lines in prop::collection::vec(body(), 0..64)) {
        let mut p = DevstackParser::new();
        for (i, s) in lines.iter().enumerate() {
            let _ = p.parse_line(start + i as u64, s);
        }
    }

    #[test]
    fn peel_never_panics_and_strips_cr_and_esc(n in any::<u64>(), raw in raw_line()) {
        let line = stacklog::lines::peel(n, &raw);
        prop_assert_eq!(line.number, n);
        prop_assert!(!line.body.ends_with('\r'), "body ends with CR: {:?} from {:?}", line.body, raw);
        prop_assert!(!line.body.contains('\x1b'), "body keeps ESC: {:?} from {:?}", line.body, raw);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn diagnose_keeps_its_json_contract(text in log_text()) {
        let report = stacklog::diagnose_text(&RULES, "p", &text);
        let json = serde_json::to_string(&report).expect("report serialises");
        let v: serde_json::Value = serde_json::from_str(&json).expect("report JSON parses");
        prop_assert_eq!(&v["schema"], &serde_json::json!(1), "{}", json);
        let outcome = v["outcome"].as_str();
        prop_assert!(matches!(outcome, Some("failure" | "success" | "inconclusive")), "outcome: {}", json);
        if outcome == Some("failure") {
            prop_assert!(!v["root_cause"].is_null(), "failure without a root cause: {}", json);
        }
    }
}

#[test]
fn long_non_ascii_lines_do_not_panic() {
    // multi-byte characters straddling the evidence cut-off
    let line = format!("+ lib/nova:start_nova:1 :   echo {}", "é".repeat(3000));
    let text = format!(
        "{line}\nERROR 1045 (28000): Access denied for user '{}'@'localhost' (using password: YES)\n{line}\n+ lib/nova:start_nova:1 :   exit_trap\n",
        "ü".repeat(2500)
    );
    let report = stacklog::diagnose_text(&RULES, "long", &text);
    assert_eq!(report.outcome, stacklog::report::Outcome::Failure);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn worlddump_and_go_parsers_are_total(lines in proptest::collection::vec(format_line(), 0..64)) {
        let mut wd = stacklog::parse::worlddump::WorlddumpParser::new();
        let mut go = stacklog::parse::gobuild::GoParser::new();
        for (i, l) in lines.iter().enumerate() {
            let n = i as u64 + 1;
            let _ = serde_json::to_string(&wd.parse_line(n, l)).unwrap();
            let _ = serde_json::to_string(&go.parse_line(n, l)).unwrap();
        }
        let _ = serde_json::to_string(&wd.summary()).unwrap();
        let _ = serde_json::to_string(&go.summary()).unwrap();
        let _ = go.failure();
        let _ = wd.facts();
    }
}

/// Fragments of real worlddump and Go build lines, cut and joined at random.
fn format_line() -> impl Strategy<Value = String> {
    const PIECES: &[&str] = &[
        "File System Summary",
        "===================",
        "Process Listing",
        "ps axo user,ppid,pid,pcpu,pmem,vsz,rss,tty,stat,start,time,args",
        "---------------",
        "()",
        "/dev/vda1        78G   78G     0 100% /",
        "WARN: Device /dev/vda1 (/) is 100% full, might be an issue",
        "mysql     2101  2463  0.3  3.4 1245336 138300 ?        Sl   07:35:53 00:00:04 /usr/sbin/mysqld",
        "*** Failed to run 'sudo ovs-vsctl show': Command 'sudo ovs-vsctl show' returned non-zero exit status 1.",
        "    Bridge br-int",
        "Skipping as nova-compute does not appear to be running",
        "nova-compute Guru Meditation Report",
        "WORK=/tmp/go-build2119212121",
        "mkdir -p $WORK/b002/",
        "cat >$WORK/b002/importcfg << 'EOF' # internal",
        "EOF",
        "\tEOF",
        "packagefile fmt=/usr/lib/go-1.19/pkg/linux_amd64/fmt.a",
        "cd /home/gopher/golog/gopath",
        "/usr/lib/go-1.19/pkg/tool/linux_amd64/compile -o $WORK/b002/_pkg_.a -trimpath \"$WORK/b002=>\" -p libproj1/foo -pack ./src/x.go",
        "# app2b",
        "src/app2b/main.go:4:2: imported and not used: \"libproj2/foo\" as bar",
        "\t/usr/lib/go-1.19/src/libproj1/foo (from $GOROOT)",
        "go: example.com/dep@v9.9.9: reading file:///x: no such file or directory",
        "=== RUN   TestX",
        "--- FAIL: TestX (0.00s)",
        "FAIL\tpkg\t0.01s",
        "6g -o $WORK/libproj1/foo.a -trimpath $WORK -p libproj1/foo -I $WORK -pack ./foo1.go",
        ":",
        "\"",
        "'",
        "(",
        "\u{1b}[31m",
        "é",
    ];
    proptest::collection::vec((0..PIECES.len(), 0usize..80, 0usize..80), 1..4).prop_map(|parts| {
        parts
            .into_iter()
            .map(|(i, a, b)| {
                let p = PIECES[i];
                let (a, b) = (a.min(p.len()), b.min(p.len()));
                let (a, b) = if a <= b { (a, b) } else { (b, a) };
                if p.is_char_boundary(a)
                    && p.is_char_boundary(b)
                    && b > a
                    && (a, b) != (0, p.len())
                    && a % 3 == 0
                {
                    p[a..b].to_string()
                } else {
                    p.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("")
    })
}
