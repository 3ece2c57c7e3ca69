//! redis.conf and sentinel.conf in and out: what Redis refuses is refused in its
//! words, every line the lab does not model is named, and a scenario written out and
//! read back has the same settings.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sim::conf::{split_sections, ConfFile, NoteLevel};
use sim::redis::conf::{export, import, MODELLED};
use sim::redis::config::RedisSettings;
use sim::Scenario;

fn file(name: &str, text: &str) -> ConfFile {
    ConfFile {
        name: name.into(),
        text: text.into(),
    }
}

/// Each Redis server's and Sentinel's settings as it runs with them, by name.
fn effective(s: &Scenario) -> Vec<(String, Option<u32>, serde_json::Value)> {
    let own: Vec<RedisSettings> = sim::redis::DESC.per_process(s).unwrap();
    s.processes()
        .zip(own)
        .filter(|((_, p), _)| p.kind == "redis" || p.kind == "sentinel")
        .map(|((_, p), o)| {
            let mut v = serde_json::to_value(o).unwrap();
            // What a file holds: not the clients', the fencing's or the master's name.
            for k in ["client", "fencing", "initial_master"] {
                v.as_object_mut().unwrap().remove(k);
            }
            (p.name.clone(), p.priority.filter(|&x| x != 100), v)
        })
        .collect()
}

#[test]
fn export_then_import_gives_back_the_same_settings() {
    let mut checked = 0;
    for preset in sim::redis::DESC.presets {
        let mut s = preset.scenario();
        // Vary a few settings per process too.
        s.boxes[1].processes[0].settings =
            Some(serde_json::json!({"repl_diskless_sync_delay_s": 0, "repl_timeout_s": 30}));
        s.boxes[2].processes[1].settings = Some(serde_json::json!({"down_after_ms": 7000}));
        let files = export(&s).unwrap();
        let back = import(&files);
        let refused: Vec<_> = back
            .notes
            .iter()
            .filter(|n| n.level == NoteLevel::Refused)
            .collect();
        assert!(refused.is_empty(), "{}: {refused:?}", preset.name);
        let t = back.scenario.expect("imports");
        assert_eq!(effective(&t), effective(&s), "{}", preset.name);
        let master = |x: &Scenario| {
            let set: RedisSettings = sim::scenario::parse_settings(&x.settings).unwrap();
            set.initial_master.unwrap_or_else(|| {
                x.processes()
                    .find(|(_, p)| p.kind == "redis")
                    .unwrap()
                    .1
                    .name
                    .clone()
            })
        };
        assert_eq!(master(&t), master(&s));
        checked += 1;
    }
    println!("{checked} presets exported and read back");
}

#[test]
fn import_refuses_what_redis_refuses_in_its_words() {
    // (line, Redis's words), as redis-server 7.0.15 printed them (docs/real-redis).
    let redis = [
        (
            "min-replicas-to-write -1",
            "argument must be between 0 and 2147483647 inclusive",
        ),
        (
            "min-replicas-to-write abc",
            "argument couldn't be parsed into an integer",
        ),
        ("replicaof 10.0.0.1", "wrong number of arguments"),
        ("replicaof 10.0.0.1 notaport", "Invalid master port"),
        (
            "repl-timeout 0",
            "argument must be between 1 and 2147483647 inclusive",
        ),
        ("repl-backlog-size 1x", "argument must be a memory value"),
        ("appendonly maybe", "argument must be 'yes' or 'no'"),
        ("save 900", "Invalid save parameters"),
        (
            "frobnicate yes",
            "Bad directive or wrong number of arguments",
        ),
        (
            "replica-priority -5",
            "argument must be between 0 and 2147483647 inclusive",
        ),
        (
            "repl-diskless-sync-delay -1",
            "argument must be between 0 and 2147483647 inclusive",
        ),
        (
            "min-replicas-max-lag -1",
            "argument must be between 0 and 2147483647 inclusive",
        ),
        (
            "port 70000",
            "argument must be between 0 and 65535 inclusive",
        ),
        ("maxmemory \"1gb", "Unbalanced quotes in configuration line"),
    ];
    for (line, words) in redis {
        let r = import(&[file("box1/M1", &format!("port 6379\n{line}\n"))]);
        assert!(r.scenario.is_none(), "{line}");
        let refused = r
            .notes
            .iter()
            .find(|n| n.level == NoteLevel::Refused)
            .unwrap_or_else(|| panic!("{line}: {:?}", r.notes));
        assert_eq!(refused.line, 2, "{line}");
        assert!(refused.text.ends_with(words), "{line}: {}", refused.text);
    }
    let sentinel = [
        (
            "sentinel monitor mymaster 10.0.0.1 6379 0",
            "Quorum must be 1 or greater.",
        ),
        (
            "sentinel monitor mymaster 10.0.0.1 6379",
            "Unrecognized sentinel configuration statement.",
        ),
        (
            "sentinel down-after-milliseconds mymaster 0",
            "negative or zero time parameter.",
        ),
        (
            "sentinel failover-timeout mymaster abc",
            "negative or zero time parameter.",
        ),
        (
            "sentinel frob mymaster 1",
            "Unrecognized sentinel configuration statement.",
        ),
    ];
    for (line, words) in sentinel {
        let text = if line.contains("monitor") {
            format!("{line}\n")
        } else {
            format!("sentinel monitor mymaster 10.0.0.1 6379 2\n{line}\n")
        };
        let r = import(&[file("box1/M1", "bind 10.0.0.1\n"), file("box1/S1", &text)]);
        assert!(r.scenario.is_none(), "{line}");
        let refused = r
            .notes
            .iter()
            .find(|n| n.level == NoteLevel::Refused)
            .unwrap();
        assert!(refused.text.ends_with(words), "{line}: {}", refused.text);
    }
    // A Sentinel setting for a master it has not been told to monitor yet.
    let r = import(&[file(
        "S1.conf",
        "sentinel down-after-milliseconds othermaster 5000\n",
    )]);
    assert!(r
        .notes
        .iter()
        .any(|n| n.text.ends_with("No such master with specified name.")));
}

#[test]
fn a_deployment_by_addresses_becomes_boxes_with_per_node_settings() {
    let conf = "\
#> 10.0.0.1 redis.conf
bind 10.0.0.1
port 6379
min-replicas-to-write 1
appendonly yes
#> 10.0.0.1 sentinel.conf
bind 10.0.0.1
sentinel monitor mymaster 10.0.0.1 6379 2
sentinel down-after-milliseconds mymaster 5000
#> 10.0.0.2 redis.conf
bind 10.0.0.2
replicaof 10.0.0.1 6379
replica-read-only no
maxmemory 2gb
#> 10.0.0.2 sentinel.conf
bind 10.0.0.2
sentinel monitor mymaster 10.0.0.1 6379 2
sentinel down-after-milliseconds mymaster 5000
sentinel known-replica mymaster 10.0.0.2 6379
";
    let r = import(&split_sections("pasted", conf));
    let s = r
        .scenario
        .clone()
        .unwrap_or_else(|| panic!("{:#?}", r.notes));
    let names: Vec<Vec<&str>> = s
        .boxes
        .iter()
        .map(|b| b.processes.iter().map(|p| p.name.as_str()).collect())
        .collect();
    assert_eq!(names, vec![vec!["M1", "S1", "C1"], vec!["R1", "S2", "C2"]]);
    assert_eq!(s.settings["down_after_ms"], 5000);
    // min-replicas-to-write is M1's alone, and so is its AOF.
    let m1 = s.boxes[0].processes[0].settings.as_ref().unwrap();
    assert_eq!(m1["min_replicas_to_write"], 1);
    assert_eq!(m1["persistence"], true);
    assert!(
        s.boxes[1].processes[0].settings.is_none(),
        "R1 runs with the defaults"
    );
    let notes: Vec<String> = r
        .notes
        .iter()
        .map(|n| format!("{}:{} {:?} {}", n.file, n.line, n.level, n.text))
        .collect();
    let has = |needle: &str| notes.iter().any(|n| n.contains(needle));
    assert!(
        has("replica-read-only: not modelled, and it matters"),
        "{notes:#?}"
    );
    assert!(has("maxmemory: not modelled, and it matters"), "{notes:#?}");
    assert!(
        has("10.0.0.1 sentinel.conf:0 Info no known-replica or known-sentinel lines"),
        "{notes:#?}"
    );
    // S2 lists a replica, so it starts knowing the deployment; S1 discovers it.
    assert_eq!(
        s.boxes[0].processes[1].settings,
        Some(serde_json::json!({"known_topology": false}))
    );
    assert_eq!(s.boxes[1].processes[1].settings, None);
    assert!(has("appendfsync everysec"), "{notes:#?}");
    assert!(has("added clients"), "{notes:#?}");
}

#[test]
fn debians_own_configuration_files_import() {
    // The files Debian's redis-server and redis-sentinel 7.0.15 ship (trimmed of
    // comments): both start real Redis, so both must import.
    let redis = "bind 127.0.0.1 -::1\nprotected-mode yes\nport 6379\ntcp-backlog 511\ntimeout 0\ntcp-keepalive 300\ndaemonize yes\npidfile /run/redis/redis-server.pid\nloglevel notice\nlogfile /var/log/redis/redis-server.log\ndatabases 16\nalways-show-logo no\nset-proc-title yes\nproc-title-template \"{title} {listen-addr} {server-mode}\"\nstop-writes-on-bgsave-error yes\nrdbcompression yes\nrdbchecksum yes\ndbfilename dump.rdb\nrdb-del-sync-files no\ndir /var/lib/redis\nreplica-serve-stale-data yes\nreplica-read-only yes\nrepl-diskless-sync yes\nrepl-diskless-sync-delay 5\nrepl-diskless-sync-max-replicas 0\nrepl-diskless-load disabled\nrepl-disable-tcp-nodelay no\nreplica-priority 100\nappendonly no\nappendfilename \"appendonly.aof\"\nappenddirname \"appendonlydir\"\nappendfsync everysec\nclient-output-buffer-limit normal 0 0 0\nclient-output-buffer-limit replica 256mb 64mb 60\nhz 10\n";
    let sentinel = "protected-mode no\nport 26379\ndaemonize yes\npidfile /run/sentinel/redis-sentinel.pid\nlogfile /var/log/redis/redis-sentinel.log\ndir /var/lib/redis\nsentinel monitor mymaster 127.0.0.1 6379 2\nsentinel down-after-milliseconds mymaster 30000\nacllog-max-len 128\nsentinel parallel-syncs mymaster 1\nsentinel failover-timeout mymaster 180000\nsentinel deny-scripts-reconfig yes\nSENTINEL resolve-hostnames no\nSENTINEL announce-hostnames no\nSENTINEL master-reboot-down-after-period mymaster 0\n";
    let r = import(&[file("redis.conf", redis), file("sentinel.conf", sentinel)]);
    let refused: Vec<_> = r
        .notes
        .iter()
        .filter(|n| n.level == NoteLevel::Refused)
        .collect();
    assert!(refused.is_empty(), "{refused:?}");
    let s = r.scenario.expect("imports");
    assert_eq!(
        s.settings["down_after_ms"],
        serde_json::Value::Null,
        "30000 is the default"
    );
    let notes: Vec<&str> = r.notes.iter().map(|n| n.text.as_str()).collect();
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("client-output-buffer-limit: not modelled")),
        "{notes:?}"
    );
}

/// Lines of a real-looking config, to mangle.
const SAMPLE: &str = "\
bind 10.0.0.1 -::1
port 6379
replicaof 10.0.0.9 6379
min-replicas-to-write 1
min-replicas-max-lag 10
repl-backlog-size 1mb
save 3600 1 300 100
appendonly no
sentinel monitor mymaster 10.0.0.1 6379 2
sentinel down-after-milliseconds mymaster 5000
maxmemory-policy noeviction
tcp-keepalive 300
";

#[test]
fn mangled_configuration_files_never_panic_and_every_line_is_answered() {
    let mangle = (
        proptest::collection::vec(0..SAMPLE.lines().count(), 1..8),
        proptest::collection::vec((0..12usize, any::<char>(), "[ a-z0-9\"'\\\\-]{0,8}"), 0..6),
    );
    let mut runner = TestRunner::new(Config {
        cases: 400,
        failure_persistence: None,
        ..Config::default()
    });
    let lines: Vec<&str> = SAMPLE.lines().collect();
    let answered = std::cell::Cell::new(0);
    runner
        .run(&mangle, |(pick, edits)| {
            let mut text: Vec<String> = pick.iter().map(|&i| lines[i].to_string()).collect();
            for (at, c, junk) in edits {
                let i = at % text.len();
                let l = &mut text[i];
                let cut = l
                    .char_indices()
                    .nth(at % (l.chars().count() + 1))
                    .map_or(l.len(), |(b, _)| b);
                l.insert_str(cut, &format!("{c}{junk}"));
            }
            let text = text.join("\n");
            let files = [
                file("box1/M1", &text),
                file("box1/S1", "sentinel monitor mymaster 10.0.0.1 6379 2\n"),
            ];
            let r = import(&files);
            for (i, l) in text.lines().enumerate() {
                let t = l.trim();
                if t.is_empty() || t.starts_with('#') {
                    continue;
                }
                let d = t
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase();
                let noted = r
                    .notes
                    .iter()
                    .any(|n| n.file == "box1/M1" && n.line == i + 1);
                let sentinel_modelled = d == "sentinel";
                prop_assert!(
                    noted || MODELLED.contains(&d.as_str()) || sentinel_modelled,
                    "line {} `{l}` got no answer: {:?}",
                    i + 1,
                    r.notes
                );
                answered.set(answered.get() + 1);
            }
            if r.scenario.is_none() {
                prop_assert!(
                    r.notes.iter().any(|n| n.level == NoteLevel::Refused),
                    "no scenario and no reason: {:?}",
                    r.notes
                );
            }
            Ok(())
        })
        .unwrap();
    println!("400 mangled files, {} lines answered", answered.get());
}

#[test]
fn files_in_a_directory_per_node_make_a_box_per_node() {
    let server = |extra: &str| format!("port 6379\n{extra}");
    let sentinel = "sentinel monitor mymaster 10.0.0.1 6379 2\nsentinel known-replica mymaster 10.0.0.2 6379\n";
    let files = [
        file("node1/redis.conf", &server("min-replicas-to-write 1\n")),
        file("node1/sentinel.conf", sentinel),
        file("node2/redis.conf", &server("replicaof 10.0.0.1 6379\n")),
        file("node2/sentinel.conf", sentinel),
        file("cache-a.conf", &server("replicaof 10.0.0.1 6379\n")),
    ];
    let r = import(&files);
    let s = r.scenario.unwrap_or_else(|| panic!("{:#?}", r.notes));
    let names: Vec<(String, Vec<String>)> = s
        .boxes
        .iter()
        .map(|b| {
            (
                b.name.clone(),
                b.processes.iter().map(|p| p.name.clone()).collect(),
            )
        })
        .collect();
    let want = |b: &str, ps: &[&str]| {
        (
            b.to_string(),
            ps.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        names,
        vec![
            want("node1", &["M1", "S1", "C1"]),
            want("node2", &["R1", "S2", "C2"]),
            want("cache-a-host", &["cache-a"]),
        ]
    );
}
