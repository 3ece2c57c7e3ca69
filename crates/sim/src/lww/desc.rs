//! How the last-write-wins store describes itself to the lab: kinds, settings with
//! Cassandra's names, presets, glossary and legend.

use super::{Consistency, LwwSettings};
use crate::process::{MsgKind, Words};
use crate::scenario::Scenario;
use crate::system::{KindDesc, SettingDesc, SettingKind::*, SizingSheet, SystemDesc};
use crate::view::Role;

/// The leaderless last-write-wins store, described once.
pub static DESC: SystemDesc = SystemDesc {
    name: super::SYSTEM,
    title: "Last-write-wins store (Cassandra, Dynamo style)",
    summary: "Every node takes writes: a write goes to all replicas stamped with the coordinator's clock and is acknowledged after W of them; on conflict the later timestamp wins.",
    words: Words {
        epoch: "timestamp",
        leader: "coordinator",
        elects: false,
        lost: "acknowledged writes silently overwritten",
    },
    kinds: &[
        KindDesc { kind: "node", label: "node", letter: "N", role: Role::Replica, add: Some("+ node"), count: (1, super::MAX_NODES), disk: false, clock: true },
        KindDesc { kind: "client", label: "client", letter: "C", role: Role::Client, add: Some("+ client"), count: (0, usize::MAX), disk: false, clock: false },
    ],
    settings: SETTINGS,
    presets: super::presets::PRESETS,
    glossary: &[
        ("Leaderless", "No node is in charge: whichever node a client talks to coordinates its request, sending writes to every replica and reading from some. Both sides of a partition keep taking writes if enough replicas answer there."),
        ("Consistency level", "How many replicas must answer: ONE, QUORUM (a majority) or ALL. W for writes, R for reads. With W + R > N every read asks at least one replica that took the latest acknowledged write, as long as those replicas can be reached and the clocks agree."),
        ("Last-write-wins", "Each write carries the coordinator's clock as its timestamp; of two versions, every replica keeps the one with the larger timestamp. Not the one written last in real time, and not one that includes the other: the other is dropped, and nobody is told."),
        ("Read-modify-write", "The clients read the document, add an item, and write the whole document back. Two clients doing this at once each write a version without the other's item: one of them is overwritten (a lost update), even with no fault at all."),
        ("Version check", "The seed's ConflictAwareStore: before saving, read the stored version again; if it is newer than the one the change was made on, merge instead of overwriting. On this store the check and the write are two requests, so a write that lands between them, or on the other side of a partition, still slips through."),
        ("Hinted handoff", "A coordinator keeps a write for a replica that is down or did not answer in time, and replays it when gossip says the replica is back (for up to max_hint_window_in_ms)."),
        ("Read repair", "A read that finds replicas disagreeing sends them the version with the larger timestamp."),
        ("Failure detector", "Nodes gossip once a second; a peer silent long enough (phi above phi_convict_threshold, about 18 s at 8) is marked down. Until then requests keep going to it and time out."),
        ("Clock skew", "A coordinator whose clock is ahead stamps its writes in the future: for that long, every write through a correct clock loses to it, however much later it really happened."),
    ],
    legend: &[(Role::Replica, "node: replica and coordinator"), (Role::Client, "client")],
    messages: &[
        (MsgKind::Client, "read and write the document"),
        (MsgKind::Replication, "writes to replicas, reads, hints, repair"),
        (MsgKind::Heartbeat, "gossip"),
    ],
    try_first: "Try it: press Play, then drag a node with its client into a partition of its own. Both sides keep taking writes; heal, and watch which side's writes the later timestamps drop.",
    build: super::build,
    effective_settings: super::effective_settings,
    facts,
    sizing,
    lessons: &[include_str!("lessons/last-write-wins-is-not-the-last-write.json")],
    bench: super::presets::bench_cluster,
    bench_sizes: [5, 9],
    conf: None,
};

fn nodes(s: &Scenario) -> usize {
    s.processes().filter(|(_, x)| x.kind == "node").count()
}

fn sizing(s: &Scenario) -> SizingSheet {
    SizingSheet::new(
        "replicas",
        "to answer at QUORUM (a majority)",
        nodes(s),
        |n| Consistency::Quorum.needed(n),
    )
}

fn facts(s: &Scenario) -> Vec<String> {
    let n = nodes(s);
    let Ok(set) = crate::scenario::parse_settings::<LwwSettings>(&s.settings) else {
        return Vec::new();
    };
    let (w, r) = (set.write_consistency, set.read_consistency);
    let (wn, rn) = (w.needed(n), r.needed(n));
    let overlap = if wn + rn > n {
        format!("W + R = {} > N = {n}: a read overlaps the latest acknowledged write — while both sides can reach those replicas and the clocks agree. It does not stop two clients overwriting each other.", wn + rn)
    } else {
        format!("W + R = {} ≤ N = {n}: a read may miss the latest acknowledged write, with no fault at all.", wn + rn)
    };
    vec![
        format!(
            "{n} replicas; writes at {} need {wn}, reads at {} need {rn}. A side of a partition with {wn} replicas keeps taking writes.",
            w.name(),
            r.name()
        ),
        overlap,
    ]
}

const SETTINGS: &[SettingDesc] = &[
    SettingDesc { path: "write_consistency", label: "Write consistency (W)", conf: "CONSISTENCY (cqlsh)", help: "How many replicas must acknowledge a write: ONE, QUORUM (a majority) or ALL.", kind: Choice(&["ONE", "QUORUM", "ALL"]), per: &["client"] },
    SettingDesc { path: "read_consistency", label: "Read consistency (R)", conf: "CONSISTENCY (cqlsh)", help: "How many replicas a read asks: ONE, QUORUM or ALL. W + R > N makes a read overlap every acknowledged write when nothing is cut.", kind: Choice(&["ONE", "QUORUM", "ALL"]), per: &["client"] },
    SettingDesc { path: "concurrency", label: "Conflict check", conf: "(application)", help: "none: read, change, write back. version_check: the seed's ConflictAwareStore: read the version again before writing and merge if it changed (two requests, not an atomic compare-and-set).", kind: Choice(&["none", "version_check"]), per: &["client"] },
    SettingDesc { path: "work_ms", label: "Time to compute a change (ms)", conf: "(application)", help: "How long a client takes between reading the document and writing it back.", kind: Number { min: 0, max: 3_600_000 }, per: &["client"] },
    SettingDesc { path: "think_ms", label: "Time between updates (ms)", conf: "(application)", help: "How long a client waits after an update before the next.", kind: Number { min: 1, max: 3_600_000 }, per: &["client"] },
    SettingDesc { path: "timeout_ms", label: "Driver timeout (ms)", conf: "basic.request.timeout", help: "How long the client waits for its coordinator.", kind: Number { min: 1, max: 3_600_000 }, per: &["client"] },
    SettingDesc { path: "hinted_handoff_enabled", label: "Hinted handoff", conf: "hinted_handoff_enabled", help: "A coordinator keeps writes for replicas that are down or slow, and replays them when they are back.", kind: Flag, per: &["node"] },
    SettingDesc { path: "max_hint_window_in_ms", label: "Hint window (ms)", conf: "max_hint_window_in_ms", help: "No hints are kept for a replica down longer than this (3 hours by default); it then needs a repair.", kind: Number { min: 0, max: 604_800_000 }, per: &["node"] },
    SettingDesc { path: "read_repair", label: "Read repair", conf: "read_repair (table option)", help: "BLOCKING: a read that finds replicas disagreeing sends them the latest-stamped version. NONE: it does not.", kind: Choice(&["BLOCKING", "NONE"]), per: &[] },
    SettingDesc { path: "repair_interval_ms", label: "Anti-entropy repair every (ms)", conf: "nodetool repair (scheduled)", help: "Each node pushes its version to the others this often, so replicas converge without reads; 0: never.", kind: Number { min: 0, max: 604_800_000 }, per: &[] },
    SettingDesc { path: "write_request_timeout_in_ms", label: "Write timeout (ms)", conf: "write_request_timeout_in_ms", help: "How long a coordinator waits for W acknowledgements before answering WriteTimeout (the write may have been applied anyway).", kind: Number { min: 1, max: 600_000 }, per: &["node"] },
    SettingDesc { path: "read_request_timeout_in_ms", label: "Read timeout (ms)", conf: "read_request_timeout_in_ms", help: "How long a coordinator waits for R answers before ReadTimeout.", kind: Number { min: 1, max: 600_000 }, per: &["node"] },
    SettingDesc { path: "phi_convict_threshold", label: "phi_convict_threshold", conf: "phi_convict_threshold", help: "How sure the failure detector must be before it marks a silent node down: at 8 (the default), about 18 s of silence with gossip once a second.", kind: Number { min: 1, max: 16 }, per: &["node"] },
    SettingDesc { path: "clock_ahead_ms", label: "Clock ahead by (ms)", conf: "(host clock)", help: "How far this node's clock is ahead of real time (NTP not running, or a bad step). Its writes carry timestamps in the future.", kind: Number { min: 0, max: 31_536_000_000 }, per: &["node"] },
    SettingDesc { path: "clock_drift_ppm", label: "Clock runs fast by (ppm)", conf: "(host clock)", help: "How much faster this node's clock runs than real time, in parts per million.", kind: Number { min: 0, max: 200_000 }, per: &["node"] },
];
