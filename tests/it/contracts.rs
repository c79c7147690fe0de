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
