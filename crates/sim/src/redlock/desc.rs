//! How RedLock describes itself to the lab: kinds, settings with Redis's and
//! redlock-py's names, presets, glossary and legend.

use crate::process::{MsgKind, Words};
use crate::scenario::Scenario;
use crate::system::SizingSheet;
use crate::system::{KindDesc, SettingDesc, SettingKind::*, SystemDesc};
use crate::view::Role;

/// RedLock on independent Redis masters, described once.
pub static DESC: SystemDesc = SystemDesc {
    name: super::SYSTEM,
    title: "RedLock (independent Redis masters)",
    summary: "A client holds the lock when a majority of independent Redis masters set its key with SET NX PX in time; the lock expires by each master's clock.",
    words: Words {
        epoch: "token",
        leader: "lock holder",
        elects: false,
        lost: "acknowledged writes lost",
    },
    kinds: &[
        KindDesc { kind: "redis", label: "Redis master", letter: "M", role: Role::Watcher, add: Some("+ master"), count: (1, super::MAX_MASTERS), disk: false, clock: true },
        KindDesc { kind: "client", label: "lock client", letter: "C", role: Role::Client, add: Some("+ client"), count: (0, usize::MAX), disk: false, clock: true },
        KindDesc { kind: "storage", label: "storage", letter: "DB", role: Role::Storage, add: None, count: (1, 1), disk: false, clock: false },
    ],
    settings: SETTINGS,
    presets: super::presets::PRESETS,
    glossary: &[
        ("RedLock", "The lock on N independent Redis masters (no replication between them): SET the key with a random value, NX (only if absent) and PX (a time to live) on each master in turn; the lock is held if a majority said OK."),
        ("Validity", "How long the client may consider the lock its own: the TTL minus the time the attempt took, minus an allowance for the masters' clocks running faster (1% of the TTL plus 2 ms). The seed's version leaves the allowance out."),
        ("Release", "A script deletes the key only if it still holds the client's own value, on every master, so a client never frees a lock someone else took since."),
        ("Expiry", "Each master deletes the key when its own clock passes the key's expiry. A clock that runs fast, or is stepped forward, expires the key early, and another client may take the lock while the first still believes it holds it."),
        ("Fencing token", "A number the lock service hands out with each grant, larger every time; the storage refuses a write with a token smaller than one it has seen. RedLock has no such number: its value is random, so a storage comparing them lets stale writes through and refuses good ones (Kleppmann, 2016)."),
        ("Pause", "A client stopped for longer than its lock's validity (a garbage collection, a VM migration, SIGSTOP) wakes believing it holds the lock, and writes."),
    ],
    legend: &[
        (Role::Watcher, "Redis master"),
        (Role::Primary, "client holding the lock"),
        (Role::Client, "client"),
        (Role::Storage, "storage"),
    ],
    messages: &[
        (MsgKind::Client, "SET NX PX, release"),
        (MsgKind::Storage, "write with token"),
    ],
    try_first: "Try it: press Play. The ring around each master is the lock key's time to live, by that master's own clock; the client that holds the lock wears the crown. Watch for two crowns at once.",
    build: super::build,
    effective_settings: super::effective_settings,
    facts,
    sizing,
    lessons: &[
        include_str!("lessons/redlock-and-the-pause.json"),
        include_str!("lessons/fencing-needs-a-monotonic-token.json"),
    ],
    bench: super::presets::bench_cluster,
    bench_sizes: [5, 9],
    conf: None,
};

fn sizing(s: &Scenario) -> SizingSheet {
    let n = s.processes().filter(|(_, x)| x.kind == "redis").count();
    SizingSheet::new("masters", "to hold the lock (a majority)", n, |n| n / 2 + 1)
}

fn facts(s: &Scenario) -> Vec<String> {
    let n = s.processes().filter(|(_, x)| x.kind == "redis").count();
    let majority = n / 2 + 1;
    vec![format!(
        "{n} masters: a client holds the lock with {majority} of them, so the lock survives {} master failure(s) — if no master forgets a key it granted.",
        n.saturating_sub(majority)
    )]
}

const SETTINGS: &[SettingDesc] = &[
    SettingDesc { path: "ttl_ms", label: "Lock TTL (ms)", conf: "SET ... PX", help: "The lock key's time to live on each master.", kind: Number { min: 10, max: 3_600_000 }, per: &["client"] },
    SettingDesc { path: "validity", label: "Validity check", conf: "(client library)", help: "redis.io: held if a majority said OK and TTL − elapsed − (1% of TTL + 2 ms) > 0. seed: held if elapsed < TTL, with no allowance for clock drift.", kind: Choice(&["redis.io", "seed"]), per: &["client"] },
    SettingDesc { path: "retry_count", label: "Attempts", conf: "retry_count (redlock-py)", help: "Attempts before the client gives up for now and waits its think time.", kind: Number { min: 1, max: 100 }, per: &["client"] },
    SettingDesc { path: "retry_delay_ms", label: "Retry delay (ms)", conf: "retry_delay (redlock-py)", help: "After a failed attempt the client waits a random time up to this, so that clients do not keep colliding.", kind: Number { min: 1, max: 60_000 }, per: &["client"] },
    SettingDesc { path: "request_timeout_ms", label: "Per-master timeout (ms)", conf: "socket_timeout", help: "How long the client waits for one master before it asks the next (redis.io: a few ms to 50 ms for a 10 s TTL).", kind: Number { min: 1, max: 60_000 }, per: &["client"] },
    SettingDesc { path: "work_ms", label: "Work under the lock (ms)", conf: "(application)", help: "How long the client works while holding the lock before it writes. It does not look at its clock again before writing, as most code does not.", kind: Number { min: 0, max: 3_600_000 }, per: &["client"] },
    SettingDesc { path: "think_ms", label: "Time between locks (ms)", conf: "(application)", help: "How long the client waits after releasing before it wants the lock again.", kind: Number { min: 1, max: 3_600_000 }, per: &["client"] },
    SettingDesc { path: "check_before_write", label: "Check the clock before writing", conf: "(application)", help: "The client looks at its clock before writing and gives the write up if its validity ran out. It does not help against a pause that falls between the look and the write.", kind: Flag, per: &["client"] },
    SettingDesc { path: "fencing", label: "Fencing check", conf: "(storage)", help: "The storage refuses a write whose token is below the newest it has seen. RedLock's token is the lock's random value: the check needs a number that grows with each grant, which RedLock does not give.", kind: Flag, per: &[] },
    SettingDesc { path: "appendonly", label: "appendonly", conf: "appendonly", help: "The master logs its writes to a file and reloads them on restart; without it (and with snapshots minutes apart) a restarted master forgets the lock.", kind: Flag, per: &["redis"] },
    SettingDesc { path: "appendfsync", label: "appendfsync", conf: "appendfsync", help: "always: every write is on disk before it is answered; everysec: a crash loses up to the last second.", kind: Choice(&["always", "everysec"]), per: &["redis"] },
    SettingDesc { path: "restart_delay_ms", label: "Restart delay (ms)", conf: "(operations)", help: "A restarted master stays unavailable this long. redis.io asks for at least the longest TTL, so that it cannot grant a lock it forgot while the old holder still has it.", kind: Number { min: 0, max: 3_600_000 }, per: &["redis"] },
    SettingDesc { path: "clock_drift_ppm", label: "Clock runs fast by (ppm)", conf: "(host clock)", help: "How much faster this host's clock runs than real time, in parts per million: 10,000 is 1%. A fast master expires the key early.", kind: Number { min: 0, max: 200_000 }, per: &["redis", "client"] },
];
