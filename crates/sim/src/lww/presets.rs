//! The last-write-wins presets. Their names are part of the interface.

use serde_json::json;

use crate::fault::FaultAction;
use crate::ids::Millis;
use crate::presets::{at, bx, isolate, p, Preset};
use crate::scenario::{BoxSpec, ProcSpec, Scenario};

/// Every preset, the default first.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "lww-partition",
        summary: "Three nodes at W = R = ONE; N3 and its client are cut off for 30 s. Both sides keep acknowledging writes. On heal, the later timestamps win and one side's acknowledged updates are silently overwritten.",
        build: partition,
    },
    Preset {
        name: "lww-clock-skew",
        summary: "No fault at all, and QUORUM writes and reads, but N1's clock is 5 s ahead. Every update C2 makes through N3 within 5 s of one of C1's is acknowledged, and loses: the later write has the smaller timestamp.",
        build: clock_skew,
    },
    Preset {
        name: "optimistic-conflict",
        summary: "Two clients update one document at once, at QUORUM. With the seed's version check they detect each other's changes and merge; switch the check off and the same run loses updates.",
        build: optimistic,
    },
];

/// Three nodes on three boxes; C1 beside N1, C2 beside N3.
fn three() -> Vec<BoxSpec> {
    vec![
        bx("box1", vec![p("N1", "node"), p("C1", "client")]),
        bx("box2", vec![p("N2", "node")]),
        bx("box3", vec![p("N3", "node"), p("C2", "client")]),
    ]
}

fn base(
    settings: serde_json::Value,
    duration_ms: Millis,
    faults: Vec<crate::fault::ScheduledFault>,
) -> Scenario {
    crate::presets::scenario(super::SYSTEM, three(), settings, duration_ms, faults)
}

fn partition() -> Scenario {
    base(
        json!({}),
        60_000,
        vec![at(10_000, isolate("box3")), at(40_000, FaultAction::Heal)],
    )
}

fn clock_skew() -> Scenario {
    let mut s = base(
        json!({ "write_consistency": "QUORUM", "read_consistency": "QUORUM" }),
        30_000,
        Vec::new(),
    );
    s.boxes[0].processes[0].settings = Some(json!({ "clock_ahead_ms": 5000 }));
    s
}

fn optimistic() -> Scenario {
    base(
        json!({
            "write_consistency": "QUORUM",
            "read_consistency": "QUORUM",
            "concurrency": "version_check",
            "work_ms": 400,
            "think_ms": 300
        }),
        30_000,
        Vec::new(),
    )
}

/// `n` nodes, each with a busy client beside it, for the benchmark.
pub fn bench_cluster(n: usize, duration_ms: Millis) -> Scenario {
    let n = n.clamp(1, super::MAX_NODES);
    let boxes = (1..=n)
        .map(|i| {
            let procs: Vec<ProcSpec> =
                vec![p(&format!("N{i}"), "node"), p(&format!("C{i}"), "client")];
            bx(&format!("box{i}"), procs)
        })
        .collect();
    let mut s = crate::presets::scenario(
        super::SYSTEM,
        boxes,
        json!({ "write_consistency": "QUORUM", "read_consistency": "QUORUM", "work_ms": 5, "think_ms": 5 }),
        duration_ms,
        Vec::new(),
    );
    s.name = format!("bench-lww-{n}");
    s
}
