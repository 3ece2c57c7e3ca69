//! The etcd/Raft presets. Their names are part of the interface.

use serde_json::json;

use crate::fault::{FaultAction, ScheduledFault};
use crate::ids::Millis;
use crate::presets::{at, bx, isolate, isolate_together, p, Preset};
use crate::scenario::{BoxSpec, Scenario};

/// Every preset, the default first.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "raft-minority-leader",
        summary: "The leader is cut off with one follower of five: it commits nothing, the majority elects a new leader, no acknowledged write is lost.",
        build: minority_leader,
    },
    Preset {
        name: "raft-even-split",
        summary: "Four members split 2+2: no side has a majority, so no leader and no write until the heal.",
        build: even_split,
    },
    Preset {
        name: "raft-checkquorum",
        summary: "The leader is isolated and steps down after an election timeout (CheckQuorum); with check_quorum=false it believes it leads and commits nothing.",
        build: checkquorum,
    },
    Preset {
        name: "raft-prevote",
        summary: "A follower returns from isolation with a higher term and deposes a healthy leader (etcd 3.4); with pre_vote=true (3.5) nothing happens.",
        build: prevote,
    },
    Preset {
        name: "raft-slow-disk",
        summary: "The leader's fsync slows to 2 s: its heartbeats stall behind the disk, followers elect another leader, writes stall.",
        build: slow_disk,
    },
    Preset {
        name: "raft-leader-pause",
        summary: "The leader is paused for 3 s: the others elect a new leader; the old one steps down when it resumes.",
        build: leader_pause,
    },
    Preset {
        name: "etcd-lease-lock-pause",
        summary: "C1 holds an etcd lock (a key on a 10 s session lease) and is paused for 15 s: the lease expires, C2 takes the lock, C1 wakes and writes. Without fencing both writes land; with fencing=true the storage refuses C1's older revision.",
        build: lease_lock_pause,
    },
    Preset {
        name: "raft-stale-read",
        summary: "Serializable reads on a member cut off alone return old values; with client.consistency=linearizable they time out instead.",
        build: stale_read,
    },
];

fn base(
    boxes: Vec<BoxSpec>,
    settings: serde_json::Value,
    duration_ms: Millis,
    faults: Vec<ScheduledFault>,
) -> Scenario {
    crate::presets::scenario(super::SYSTEM, boxes, settings, duration_ms, faults)
}

fn lease_lock_pause() -> Scenario {
    let mut boxes = members(3, &[1, 2]);
    boxes.push(bx("db", vec![p("DB", "storage")]));
    base(
        boxes,
        json!({ "client": { "workload": "lock", "work_ms": 3000 } }),
        40_000,
        vec![at(
            LOCK_PAUSE_AT,
            FaultAction::Pause {
                process: "C1".into(),
                ms: 15_000,
            },
        )],
    )
}

/// While C1 holds the lock.
const LOCK_PAUSE_AT: Millis = 3_000;

/// `n` boxes with a member each; clients on the boxes listed.
fn members(n: usize, clients_on: &[usize]) -> Vec<BoxSpec> {
    (1..=n)
        .map(|i| {
            let mut procs = vec![p(&format!("N{i}"), "etcd")];
            if let Some(k) = clients_on.iter().position(|b| *b == i) {
                procs.push(p(&format!("C{}", k + 1), "client"));
            }
            bx(&format!("box{i}"), procs)
        })
        .collect()
}

fn minority_leader() -> Scenario {
    base(
        members(5, &[1, 3]),
        json!({}),
        45_000,
        vec![
            at(10_000, isolate_together(&["box1", "box2"])),
            at(30_000, FaultAction::Heal),
        ],
    )
}

fn even_split() -> Scenario {
    base(
        members(4, &[1, 3]),
        json!({}),
        45_000,
        vec![
            at(10_000, isolate_together(&["box3", "box4"])),
            at(30_000, FaultAction::Heal),
        ],
    )
}

fn checkquorum() -> Scenario {
    base(
        members(3, &[1, 2]),
        json!({}),
        45_000,
        vec![at(10_000, isolate("box1")), at(30_000, FaultAction::Heal)],
    )
}

fn prevote() -> Scenario {
    base(
        members(3, &[1]),
        json!({"pre_vote": false}),
        40_000,
        vec![at(10_000, isolate("box3")), at(20_000, FaultAction::Heal)],
    )
}

fn slow_disk() -> Scenario {
    base(
        members(3, &[1, 2]),
        json!({}),
        45_000,
        vec![
            at(
                10_000,
                FaultAction::SlowDisk {
                    process: "N1".into(),
                    ms: 2000,
                },
            ),
            at(
                30_000,
                FaultAction::RestoreDisk {
                    process: "N1".into(),
                },
            ),
        ],
    )
}

fn leader_pause() -> Scenario {
    base(
        members(3, &[1, 2]),
        json!({}),
        30_000,
        vec![at(
            10_000,
            FaultAction::Pause {
                process: "N1".into(),
                ms: 3000,
            },
        )],
    )
}

fn stale_read() -> Scenario {
    base(
        members(3, &[1, 3]),
        json!({"client": {"workload": "register", "consistency": "serializable"}}),
        40_000,
        vec![at(10_000, isolate("box3")), at(30_000, FaultAction::Heal)],
    )
}

/// A busy cluster for benchmarks: `n` members, each with a client on its box.
pub fn bench_cluster(n: usize, duration_ms: Millis) -> Scenario {
    let clients: Vec<usize> = (1..=n).collect();
    let mut s = base(
        members(n.clamp(1, super::MAX_MEMBERS), &clients),
        json!({}),
        duration_ms,
        Vec::new(),
    );
    s.name = format!("bench-raft-{n}");
    s
}
