//! The Patroni presets. Their names are part of the interface.
//!
//! Each has three hosts, each with a PostgreSQL under Patroni and an etcd member (as in
//! the real runs of `docs/real-patroni/`), and two clients: C1 on the primary's host
//! writing to it by its fixed address, C2 on another host with a multi-host connection
//! string and a 2 s query timeout. The cut comes at 20 s and heals at 80 s. The etcd
//! member on the primary's host leads the DCS at the start (the real runs had both
//! placements; this one is the slower failover: the new etcd leader extends the lease).

use serde_json::json;

use crate::fault::FaultAction;
use crate::ids::Millis;
use crate::presets::{at, bx, isolate, p, Preset};
use crate::scenario::{BoxSpec, ProcSpec, Scenario};

/// Every preset, the default first.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "patroni-primary-isolated",
        summary: "Asynchronous: the cut-off primary keeps acknowledging writes until its keep-alive has failed for retry_timeout, then demotes itself; a standby takes the key when the lease expires. What the old primary acknowledged after the cut is lost.",
        build: primary_isolated,
    },
    Preset {
        name: "patroni-sync-isolated",
        summary: "Synchronous mode: writes on the cut-off primary hang instead of being refused, nothing it acknowledged is lost, the synchronous standby is promoted. With Patroni 3.0.2 the old primary takes the key back after the heal; set patroni_version=3.0.3 to see the fix.",
        build: sync_isolated,
    },
    Preset {
        name: "patroni-sync-strict-no-standby",
        summary: "Strict synchronous mode, both standbys down: commits hang until one returns. C1 cancels after 5 s and is told \"success\" for rows that only the primary holds.",
        build: strict_no_standby,
    },
    Preset {
        name: "patroni-sync-nonstrict-no-standby",
        summary: "Synchronous mode, not strict, both standbys down: commits hang until the next HA loop empties synchronous_standby_names, then go on asynchronously.",
        build: nonstrict_no_standby,
    },
    Preset {
        name: "patroni-dcs-only-cut",
        summary: "Only the primary's etcd traffic is cut; replication still flows. The primary demotes itself all the same, on the same schedule, and a standby takes over; nothing is lost.",
        build: dcs_only_cut,
    },
    Preset {
        name: "patroni-failsafe",
        summary: "Every etcd member goes down for a minute. With failsafe_mode the primary, which still reaches every member, keeps running; set failsafe_mode=false and it demotes itself, leaving no primary at all.",
        build: failsafe,
    },
];

fn base(
    boxes: Vec<BoxSpec>,
    settings: serde_json::Value,
    duration_ms: Millis,
    faults: Vec<crate::fault::ScheduledFault>,
) -> Scenario {
    crate::presets::scenario(super::SYSTEM, boxes, settings, duration_ms, faults)
}

fn own(mut p: ProcSpec, settings: serde_json::Value) -> ProcSpec {
    p.settings = Some(settings);
    p
}

/// `n` hosts with a member and an etcd member each; C1 writes to pg1 by address, C2
/// (on host 2) finds the primary with a multi-host connection string.
fn hosts(n: usize, c1: serde_json::Value) -> Vec<BoxSpec> {
    (1..=n)
        .map(|i| {
            let mut procs = vec![
                p(&format!("pg{i}"), "postgres"),
                p(&format!("etcd{i}"), "etcd"),
            ];
            if i == 1 {
                procs.push(own(p("C1", "client"), c1.clone()));
            }
            if i == 2 {
                procs.push(own(
                    p("C2", "client"),
                    json!({"client": {"connect": "multi_host", "timeout_ms": 2000}}),
                ));
            }
            bx(&format!("host{i}"), procs)
        })
        .collect()
}

fn fixed() -> serde_json::Value {
    json!({"client": {"connect": "fixed"}})
}

fn cut_and_heal() -> Vec<crate::fault::ScheduledFault> {
    vec![at(20_000, isolate("host1")), at(80_000, FaultAction::Heal)]
}

fn primary_isolated() -> Scenario {
    base(hosts(3, fixed()), json!({}), 140_000, cut_and_heal())
}

fn sync_isolated() -> Scenario {
    base(
        hosts(3, fixed()),
        json!({"synchronous_mode": true}),
        140_000,
        cut_and_heal(),
    )
}

fn crash(name: &str) -> FaultAction {
    FaultAction::Crash {
        process: name.into(),
    }
}

fn restart(name: &str) -> FaultAction {
    FaultAction::Restart {
        process: name.into(),
        persist: None,
    }
}

fn strict_no_standby() -> Scenario {
    base(
        hosts(
            3,
            json!({"client": {"connect": "fixed", "timeout_ms": 5000, "cancel_on_timeout": true}}),
        ),
        json!({"synchronous_mode": true, "synchronous_mode_strict": true}),
        100_000,
        vec![
            at(20_000, crash("pg2")),
            at(20_000, crash("pg3")),
            at(60_000, restart("pg2")),
        ],
    )
}

fn nonstrict_no_standby() -> Scenario {
    base(
        hosts(3, fixed()),
        json!({"synchronous_mode": true}),
        100_000,
        vec![
            at(20_000, crash("pg2")),
            at(20_000, crash("pg3")),
            at(60_000, restart("pg2")),
        ],
    )
}

fn cut(a: &str, b: &str) -> FaultAction {
    FaultAction::CutLink {
        a: a.into(),
        b: b.into(),
        one_way: false,
    }
}

fn dcs_only_cut() -> Scenario {
    let mut faults = vec![
        at(20_000, cut("etcd1", "etcd2")),
        at(20_000, cut("etcd1", "etcd3")),
        at(20_000, cut("pg1", "etcd2")),
        at(20_000, cut("pg1", "etcd3")),
    ];
    faults.push(at(80_000, FaultAction::Heal));
    base(hosts(3, fixed()), json!({}), 140_000, faults)
}

fn failsafe() -> Scenario {
    let mut faults = Vec::new();
    for e in ["etcd1", "etcd2", "etcd3"] {
        faults.push(at(20_000, crash(e)));
    }
    for e in ["etcd1", "etcd2", "etcd3"] {
        faults.push(at(80_000, restart(e)));
    }
    base(
        hosts(3, fixed()),
        json!({"failsafe_mode": true}),
        140_000,
        faults,
    )
}

/// A busy deployment of `n` hosts with no faults, for benchmarks: each host's client
/// writes to the primary through a multi-host connection string.
pub fn bench_cluster(n: usize, duration_ms: Millis) -> Scenario {
    let boxes = (1..=n)
        .map(|i| {
            bx(
                &format!("host{i}"),
                vec![
                    p(&format!("pg{i}"), "postgres"),
                    p(&format!("etcd{i}"), "etcd"),
                    p(&format!("C{i}"), "client"),
                ],
            )
        })
        .collect();
    let mut s = base(
        boxes,
        json!({"client": {"connect": "multi_host", "rate_per_s": 100}}),
        duration_ms,
        vec![],
    );
    s.name = "bench".into();
    s
}
