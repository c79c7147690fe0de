//! One test per contract signature id (DESIGN.md §6) and the seed's story:
//! the answer is the cause, not the loudest line.

use crate::{run, verdict};

fn root_rule(v: &serde_json::Value) -> Option<&str> {
    v["root_cause"]["rule"].as_str()
}

fn finding<'a>(v: &'a serde_json::Value, rule: &str) -> Option<&'a serde_json::Value> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
}

#[test]
fn seed_problem1_git_protocol_blocked_with_subunit_as_noise() {
    let v = verdict("devstack/seed-problem1-git-protocol.log");
    assert_eq!(v["outcome"], "failure");
    assert_eq!(root_rule(&v), Some("devstack.git.protocol-blocked"));
    assert_eq!(
        v["failure_point"]["source"],
        "functions-common:git_timed:599"
    );
    assert_eq!(
        finding(&v, "devstack.exit.subunit-missing").unwrap()["role"],
        "noise"
    );
    let fix = v["root_cause"]["fix"].to_string();
    assert!(fix.contains("GIT_BASE=https://"), "{fix}");
}

#[test]
fn seed_problem4_mysql_access_denied() {
    for s in [
        "devstack/seed-problem4-mysql-1045.log",
        "devstack/seed-mysql-1045-3lines.log",
    ] {
        let v = verdict(s);
        assert_eq!(root_rule(&v), Some("devstack.mysql.access-denied"), "{s}");
        assert_eq!(v["root_cause"]["evidence"][0]["line"], 2);
        assert!(
            !v.to_string().contains("identified by '\\\\''devstack"),
            "password leaked: {v}"
        );
    }
}

#[test]
fn a_lone_mysql_line_is_diagnosed() {
    let dir = crate::cli::tempdir("lone");
    let p = dir.join("paste.txt");
    std::fs::write(
        &p,
        "ERROR 1045 (28000): Access denied for user 'root'@'localhost' (using password: YES)\n",
    )
    .unwrap();
    let (code, out) = run(&["diagnose", "--format", "json", p.to_str().unwrap()]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(root_rule(&v), Some("devstack.mysql.access-denied"));
    assert_eq!(v["failure_point"]["line"], 1);
}

#[test]
fn seed_problem5_keystone_unreachable_and_db_sock_is_worlddump_noise() {
    let v = verdict("devstack/seed-problem5-keystone-dbsock.log");
    assert_eq!(root_rule(&v), Some("devstack.keystone.unreachable"));
    let dbsock = finding(&v, "devstack.ovs.db-sock-denied").expect("db.sock finding");
    assert_eq!(dbsock["role"], "noise");
    assert_eq!(
        v["failure_point"]["command"],
        "openstack project show admin -f value -c id"
    );
}

#[test]
fn seed_problem6_proxy_without_host_in_no_proxy() {
    let v = verdict("devstack/seed-problem6-proxy.log");
    assert_eq!(root_rule(&v), Some("devstack.proxy.host-not-excluded"));
    let fix = v["root_cause"]["fix"].to_string();
    assert!(
        fix.contains("export no_proxy=") && fix.contains("10.10.105.71"),
        "{fix}"
    );
    let ku = finding(&v, "devstack.keystone.unreachable").expect("explained symptom");
    assert_eq!(ku["role"], "contributing");
    let ev = v["root_cause"]["evidence"].to_string();
    assert!(ev.contains("no_proxy="), "{ev}");
}

#[test]
fn already_running() {
    let v = verdict("devstack/console-already-running.log");
    assert_eq!(root_rule(&v), Some("devstack.stack.already-running"));
}

#[test]
fn apt_fetch_failed() {
    let v = verdict("devstack/new-apt-fetch-failed.log");
    assert_eq!(root_rule(&v), Some("devstack.apt.fetch-failed"));
}

#[test]
fn db_sock_denied_before_the_failure_is_the_cause() {
    // the same lines as worlddump's noise, but printed by the failing command
    let dir = crate::cli::tempdir("dbsock");
    let p = dir.join("ovs.log");
    std::fs::write(
        &p,
        "+ lib/neutron_plugins/ovs_base:_neutron_ovs_base_setup_bridge:29 :   sudo ovs-vsctl --no-wait -- --may-exist add-br br-int\n\
2016-04-29T09:05:10Z|00001|reconnect|WARN|unix:/var/run/openvswitch/db.sock: connection attempt failed (Permission denied)\n\
ovs-vsctl: unix:/var/run/openvswitch/db.sock: database connection failed (Permission denied)\n\
+ lib/neutron_plugins/ovs_base:_neutron_ovs_base_setup_bridge:1 :   exit_trap\n",
    )
    .unwrap();
    let (_, out) = run(&["diagnose", "--format", "json", p.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(root_rule(&v), Some("devstack.ovs.db-sock-denied"));
}

#[test]
fn success_is_success() {
    for s in [
        "devstack/seed-success-tail.log",
        "devstack/sim-new-success.tail.log",
        "devstack/sim-old-success.tail.log",
    ] {
        let v = verdict(s);
        assert_eq!(v["outcome"], "success", "{s}");
        assert!(v["root_cause"].is_null());
    }
}

#[test]
fn unknown_failure_has_null_rule_and_no_cascade_in_evidence() {
    let v = verdict("devstack/sim-new-main.stack.sh.log");
    assert_eq!(v["outcome"], "failure");
    assert!(v["root_cause"]["rule"].is_null());
    let ev = v["root_cause"]["evidence"].as_array().unwrap();
    assert!(
        ev.iter()
            .any(|e| e["text"].as_str().unwrap().contains("cannot access"))
    );
    for e in ev {
        let t = e["text"].as_str().unwrap();
        assert!(
            !t.contains("Error on exit") && !t.contains("World dumping"),
            "{t}"
        );
    }
}

#[test]
fn go_gopath_package_not_found_names_the_directories_tried() {
    let v = verdict("go/06-gopath-source-removed-a-kept.log");
    assert_eq!(v["kind"], "go-build");
    assert_eq!(root_rule(&v), Some("go.gopath.package-not-found"));
    let s = v["root_cause"]["summary"].as_str().unwrap();
    assert!(
        s.contains("/home/gopher/golog/gopath/src/libproj1/foo"),
        "{s}"
    );
}

#[test]
fn go_package_multiple_says_which_file_to_move() {
    let v = verdict("go/11-gopath-two-packages-one-dir.log");
    assert_eq!(root_rule(&v), Some("go.package.multiple"));
    assert!(
        v["root_cause"]["fix"][0]
            .as_str()
            .unwrap()
            .contains("bar1.go")
    );
}

#[test]
fn go_package_name_mismatch_is_one_finding() {
    let v = verdict("go/09-gopath-pkgname-as-identifier.log");
    assert_eq!(root_rule(&v), Some("go.package.name-mismatch"));
    assert!(
        v["root_cause"]["summary"]
            .as_str()
            .unwrap()
            .contains("holds package bar")
    );
    // the `undefined: foo` it explains is not a second finding
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["rule"] != "go.compile.undefined")
    );
}

#[test]
fn go_module_not_provided() {
    let v = verdict("go/24-mod-no-required-module.log");
    assert_eq!(root_rule(&v), Some("go.module.not-provided"));
    assert!(
        v["root_cause"]["fix"][0]
            .as_str()
            .unwrap()
            .contains("go get example.com/notthere/pkg")
    );
}

#[test]
fn a_clean_go_build_is_success() {
    for s in ["go/00-go14-blog-sample.log", "go/01-gopath-build-app1.log"] {
        let v = verdict(s);
        assert_eq!(v["kind"], "go-build", "{s}");
        assert_eq!(v["outcome"], "success", "{s}");
    }
}

#[test]
fn worlddump_alone_and_as_companion() {
    let v = verdict("worlddump/disk-full-new.txt");
    assert_eq!(v["kind"], "worlddump");
    assert_eq!(root_rule(&v), Some("worlddump.disk.full"));
    // keystone did not start + a full / in the dump beside the log: the disk
    let v = verdict("worlddump/pairs/keystone-disk/stack.sh.log");
    assert_eq!(root_rule(&v), Some("worlddump.disk.full"));
    let ev = v["root_cause"]["evidence"].as_array().unwrap();
    assert!(
        ev[0]["file"]
            .as_str()
            .unwrap()
            .ends_with("worlddump-2026-11-29-131329.txt")
    );
    assert!(ev.iter().any(|e| {
        e["file"].is_null()
            && e["text"]
                .as_str()
                .unwrap()
                .contains("keystone did not start")
    }));
    // without the dump, the log alone
    let (_, out) = run(&[
        "diagnose",
        "--format",
        "json",
        "--no-worlddump",
        "samples/worlddump/pairs/keystone-disk/stack.sh.log",
    ]);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(root_rule(&v), Some("devstack.service.did-not-start"));
    // ERROR 1045 with mysqld running: still the password, the dump as evidence
    let v = verdict("worlddump/pairs/mysql-1045/stack.sh.log");
    assert_eq!(root_rule(&v), Some("devstack.mysql.access-denied"));
    assert!(
        v["root_cause"]["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["file"].is_string())
    );
}

#[test]
fn a_missing_worlddump_is_a_note_not_an_error() {
    let (code, out) = run(&[
        "diagnose",
        "--color",
        "never",
        "samples/devstack/seed-problem5-keystone-dbsock.log",
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("which is not here"), "{out}");
    let dir = crate::cli::tempdir("nodump");
    let (code, out) = run(&[
        "diagnose",
        "--format",
        "json",
        "--worlddump",
        dir.join("absent.txt").to_str().unwrap(),
        "samples/devstack/seed-problem5-keystone-dbsock.log",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert!(v["error"].is_null());
}
