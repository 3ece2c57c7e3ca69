//! The Redis + Sentinel presets. Their names are part of the interface.

use serde_json::json;

use crate::fault::{FaultAction, ScheduledFault};
use crate::presets::{at, bx, isolate, p, Preset};
use crate::scenario::{BoxSpec, Scenario};

/// Every preset, the default first.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "sentinel-old-master-isolated",
        summary: "The master's box is cut off: Sentinels fail over, and what the old master acknowledged meanwhile is lost on heal.",
        build: old_master_isolated,
    },
    Preset {
        name: "sentinel-min-replicas",
        summary: "Same cut with min-replicas-to-write 1: the isolated master refuses writes about max-lag after the cut, bounding the loss.",
        build: min_replicas,
    },
    Preset {
        name: "sentinel-min-replicas-on-master-only",
        summary: "min-replicas-to-write 1 only in the first master's redis.conf: the replica promoted in its place is unprotected, and when it is cut off in turn it goes on acknowledging writes that are lost.",
        build: min_replicas_on_master_only,
    },
    Preset {
        name: "sentinel-quorum-1-isolated-sentinel",
        summary: "Quorum 1 and one Sentinel cut off: it reaches ODOWN but cannot win a majority vote, so nothing fails over.",
        build: quorum_1_isolated_sentinel,
    },
    Preset {
        name: "sentinel-quorum-1-flaky-link",
        summary: "Quorum 1 and only one Sentinel's link to a healthy master cut: the others vote for it and the healthy master is failed over.",
        build: quorum_1_flaky_link,
    },
    Preset {
        name: "sentinel-wait",
        summary: "Clients use WAIT 1: acks need a replica, yet a replica cut off with the master still lets acknowledged writes be lost.",
        build: wait,
    },
    Preset {
        name: "sentinel-restart-empty",
        summary: "A master without persistence restarts empty before Sentinel notices; its replicas resync to the empty data set.",
        build: restart_empty,
    },
    Preset {
        name: "sentinel-lock-split-brain",
        summary: "Clients take a lock with SET NX PX on the master. The master's box is cut off with C1; after the failover C2 takes the lock on the promoted replica while C1 goes on taking it on the old master: two holders, both writing to the storage (the seed's LockManager).",
        build: lock_split_brain,
    },
    Preset {
        name: "sentinel-fencing",
        summary: "Fencing tokens on: storage rejects the stale master's writes once the new master has written with a newer epoch.",
        build: fencing,
    },
];

/// Three boxes: master + Sentinel + client, replica + Sentinel + client, replica + Sentinel.
fn three_boxes() -> Vec<BoxSpec> {
    vec![
        bx(
            "box1",
            vec![p("M1", "redis"), p("S1", "sentinel"), p("C1", "client")],
        ),
        bx(
            "box2",
            vec![p("R1", "redis"), p("S2", "sentinel"), p("C2", "client")],
        ),
        bx(
            "box3",
            vec![p("R2", "redis"), p("S3", "sentinel"), p("MON", "monitor")],
        ),
    ]
}

fn base(
    boxes: Vec<BoxSpec>,
    settings: serde_json::Value,
    duration_ms: u64,
    faults: Vec<ScheduledFault>,
) -> Scenario {
    crate::presets::scenario(super::SYSTEM, boxes, settings, duration_ms, faults)
}

fn old_master_isolated() -> Scenario {
    base(
        three_boxes(),
        json!({"quorum": 2, "down_after_ms": 5000}),
        90_000,
        vec![at(10_000, isolate("box1")), at(40_000, FaultAction::Heal)],
    )
}

fn min_replicas() -> Scenario {
    base(
        three_boxes(),
        json!({"quorum": 2, "down_after_ms": 5000, "min_replicas_to_write": 1, "min_replicas_max_lag_s": 10}),
        90_000,
        vec![at(10_000, isolate("box1")), at(40_000, FaultAction::Heal)],
    )
}

/// `min-replicas-to-write` lives in each server's own redis.conf: set on M1 only, it
/// does not follow the master role to R1 (which `replica-priority 1` makes the
/// replica Sentinel promotes). R1's box is cut off 20 s after the first heal.
fn min_replicas_on_master_only() -> Scenario {
    let mut boxes = three_boxes();
    boxes[0].processes[0].settings = Some(json!({"min_replicas_to_write": 1}));
    boxes[1].processes[0].priority = Some(1);
    base(
        boxes,
        json!({"quorum": 2, "down_after_ms": 5000, "min_replicas_max_lag_s": 10}),
        120_000,
        vec![
            at(10_000, isolate("box1")),
            at(40_000, FaultAction::Heal),
            at(60_000, isolate("box2")),
            at(90_000, FaultAction::Heal),
        ],
    )
}

fn quorum_1_isolated_sentinel() -> Scenario {
    base(
        three_boxes(),
        json!({"quorum": 1, "down_after_ms": 5000}),
        90_000,
        vec![at(10_000, isolate("box2")), at(60_000, FaultAction::Heal)],
    )
}

fn quorum_1_flaky_link() -> Scenario {
    base(
        three_boxes(),
        json!({"quorum": 1, "down_after_ms": 5000}),
        90_000,
        vec![
            at(
                10_000,
                FaultAction::CutLink {
                    a: "S2".into(),
                    b: "M1".into(),
                    one_way: false,
                },
            ),
            at(60_000, FaultAction::Heal),
        ],
    )
}

fn wait() -> Scenario {
    let mut boxes = three_boxes();
    boxes[0].processes.insert(1, p("R3", "redis"));
    base(
        boxes,
        json!({"quorum": 2, "down_after_ms": 5000, "client": {"wait_replicas": 1, "wait_timeout_ms": 500}}),
        90_000,
        vec![at(10_000, isolate("box1")), at(40_000, FaultAction::Heal)],
    )
}

fn restart_empty() -> Scenario {
    base(
        three_boxes(),
        json!({"quorum": 2, "down_after_ms": 5000, "persistence": false}),
        40_000,
        vec![
            at(
                15_000,
                FaultAction::Crash {
                    process: "M1".into(),
                },
            ),
            at(
                16_000,
                FaultAction::Restart {
                    process: "M1".into(),
                    persist: None,
                },
            ),
        ],
    )
}

/// The three boxes and a storage box; at 10 s box1 loses box2 and box3 but still
/// reaches the storage, as a stale master would; healed at 40 s.
fn box1_cut_but_reaching_storage(settings: serde_json::Value) -> Scenario {
    let mut boxes = three_boxes();
    boxes.push(bx("store", vec![p("DB", "storage")]));
    let cut = |a: &str, b: &str| FaultAction::CutOneWay {
        from: a.into(),
        to: b.into(),
    };
    base(
        boxes,
        settings,
        90_000,
        vec![
            at(10_000, cut("box1", "box2")),
            at(10_000, cut("box2", "box1")),
            at(10_000, cut("box1", "box3")),
            at(10_000, cut("box3", "box1")),
            at(40_000, FaultAction::Heal),
        ],
    )
}

fn lock_split_brain() -> Scenario {
    box1_cut_but_reaching_storage(json!({"quorum": 2, "down_after_ms": 5000,
        "client": {"workload": "lock", "rate_per_s": 1, "lock_ttl_ms": 10000, "work_ms": 1000}}))
}

fn fencing() -> Scenario {
    box1_cut_but_reaching_storage(json!({"quorum": 2, "down_after_ms": 5000, "fencing": true}))
}

/// A busy cluster for benchmarks: `boxes` boxes, each with a Redis server, a Sentinel
/// and a client; the first holds the master. No faults.
pub fn bench_cluster(boxes: usize, duration_ms: crate::ids::Millis) -> Scenario {
    let boxes = (1..=boxes)
        .map(|i| {
            bx(
                &format!("box{i}"),
                vec![
                    p(&format!("R{i}"), "redis"),
                    p(&format!("S{i}"), "sentinel"),
                    p(&format!("C{i}"), "client"),
                ],
            )
        })
        .collect();
    let mut s = base(
        boxes,
        json!({"quorum": 2, "down_after_ms": 5000}),
        duration_ms,
        Vec::new(),
    );
    s.name = format!("bench-{}-boxes", s.boxes.len());
    s
}
