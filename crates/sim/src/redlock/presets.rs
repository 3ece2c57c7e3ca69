//! The RedLock presets. Their names are part of the interface.

use serde_json::json;

use crate::fault::{FaultAction, ScheduledFault};
use crate::ids::Millis;
use crate::presets::{at, bx, isolate, p, Preset};
use crate::scenario::{BoxSpec, Scenario};

/// Every preset, the default first.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "redlock-majority",
        summary: "Five masters, one cut off: clients still take the lock on the other four, one at a time; no lock is held twice.",
        build: majority,
    },
    Preset {
        name: "redlock-gc-pause",
        summary: "C1 is paused for 15 s while it holds the lock: the keys expire, C2 takes the lock, and C1 wakes up believing it still holds it and writes. Both writes land.",
        build: gc_pause,
    },
    Preset {
        name: "redlock-fencing",
        summary: "The same pause with a fencing check at the storage: RedLock's token is a random value, so the check lets C1's stale write through and then refuses the current holders' writes. Fencing needs a token that grows with each grant.",
        build: fencing,
    },
    Preset {
        name: "redlock-clock-jump",
        summary: "C1 reaches only M1-M3 and C2 only M3-M5. C2 holds the lock when M3's clock is stepped 10 s forward: M3 expires C2's key early and C1 takes the lock on M1-M3 while C2 still holds it.",
        build: clock_jump,
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

/// `n` masters on boxes of their own, `clients` clients on boxes of their own, and
/// the storage.
fn cluster(n: usize, clients: usize) -> Vec<BoxSpec> {
    let mut boxes: Vec<BoxSpec> = (1..=n)
        .map(|i| bx(&format!("redis{i}"), vec![p(&format!("M{i}"), "redis")]))
        .collect();
    for c in 1..=clients {
        boxes.push(bx(&format!("app{c}"), vec![p(&format!("C{c}"), "client")]));
    }
    boxes.push(bx("db", vec![p("DB", "storage")]));
    boxes
}

fn majority() -> Scenario {
    base(
        cluster(5, 2),
        json!({}),
        40_000,
        vec![at(10_000, isolate("redis3")), at(30_000, FaultAction::Heal)],
    )
}

/// The moment C1 holds the lock, 15 s of pause: longer than the 10 s TTL.
const PAUSE_AT: Millis = 5_000;

fn pause() -> Vec<ScheduledFault> {
    vec![at(
        PAUSE_AT,
        FaultAction::Pause {
            process: "C1".into(),
            ms: 15_000,
        },
    )]
}

/// The seed of the pause presets: C1 holds the lock when the pause strikes, and its
/// random value is larger than C2's, so a check on it lets the stale write through.
const PAUSE_SEED: u64 = 11;

fn gc_pause() -> Scenario {
    // A long critical section, so that the pause falls inside it.
    let mut s = base(cluster(5, 2), json!({ "work_ms": 3000 }), 40_000, pause());
    s.seed = PAUSE_SEED;
    s
}

fn fencing() -> Scenario {
    let mut s = base(
        cluster(5, 2),
        json!({ "work_ms": 3000, "fencing": true }),
        40_000,
        pause(),
    );
    s.seed = PAUSE_SEED;
    s
}

fn clock_jump() -> Scenario {
    let cut = |a: &str, b: &str| FaultAction::CutLink {
        a: a.into(),
        b: b.into(),
        one_way: false,
    };
    base(
        cluster(5, 2),
        json!({ "work_ms": 5000 }),
        40_000,
        vec![
            at(0, cut("C1", "M4")),
            at(0, cut("C1", "M5")),
            at(0, cut("C2", "M1")),
            at(0, cut("C2", "M2")),
            at(
                JUMP_AT,
                FaultAction::ClockJump {
                    process: "M3".into(),
                    by_ms: 10_000,
                },
            ),
        ],
    )
}

/// While C1 holds the lock on M1-M3.
const JUMP_AT: Millis = 2_500;

/// `n` masters and `n` clients, for the benchmark.
pub fn bench_cluster(n: usize, duration_ms: Millis) -> Scenario {
    let mut s = base(
        cluster(n.clamp(1, super::MAX_MASTERS), n),
        json!({ "work_ms": 10, "think_ms": 10 }),
        duration_ms,
        Vec::new(),
    );
    s.name = format!("bench-redlock-{n}");
    s
}
