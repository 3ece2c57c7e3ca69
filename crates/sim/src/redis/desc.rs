//! How Redis with Sentinel describes itself to the lab: kinds, settings with their
//! redis.conf and sentinel.conf names, presets, glossary and legend.

use crate::conf::ConfDesc;
use crate::process::{MsgKind, Words};
use crate::scenario::Scenario;
use crate::system::SizingSheet;
use crate::system::{KindDesc, SettingDesc, SettingKind::*, SystemDesc};
use crate::view::Role;

/// Redis with Sentinel, described once.
pub static DESC: SystemDesc = SystemDesc {
    name: super::SYSTEM,
    title: "Redis with Sentinel",
    summary: "Asynchronous replication; Sentinels vote to promote a replica when the master goes quiet.",
    words: Words {
        epoch: "epoch",
        leader: "master",
        elects: true,
        lost: "acknowledged writes lost",
    },
    kinds: &[
        KindDesc { kind: "redis", label: "Redis server", letter: "R", role: Role::Replica, add: Some("+ Redis"), count: (1, usize::MAX), disk: false, clock: false },
        KindDesc { kind: "sentinel", label: "Sentinel", letter: "S", role: Role::Watcher, add: Some("+ Sentinel"), count: (0, usize::MAX), disk: false, clock: false },
        KindDesc { kind: "client", label: "client", letter: "C", role: Role::Client, add: Some("+ client"), count: (0, usize::MAX), disk: false, clock: false },
        KindDesc { kind: "monitor", label: "monitor", letter: "MON", role: Role::Monitor, add: None, count: (0, usize::MAX), disk: false, clock: false },
        KindDesc { kind: "storage", label: "storage", letter: "DB", role: Role::Storage, add: None, count: (0, 1), disk: false, clock: false },
    ],
    settings: SETTINGS,
    presets: super::presets::PRESETS,
    glossary: &[
        ("Master and replicas", "Clients write to the master; it copies each write to its replicas afterwards (asynchronously), so a write can be acknowledged before any replica has it."),
        ("Sentinel", "A watcher. It pings the servers every second and, with the other Sentinels, decides when to replace the master."),
        ("SDOWN, ODOWN", "One Sentinel that got no answer for down-after-milliseconds thinks the master is down (subjectively down). When quorum Sentinels agree, it is objectively down."),
        ("Election, epoch", "Before a failover one Sentinel must win the votes of a majority of all Sentinels. Each attempt has a new number, the epoch; each Sentinel votes once per epoch."),
        ("Failover", "The winner promotes a replica to master and points the others at it."),
        ("TILT", "A Sentinel whose timer ran more than 2 s late (it was paused, or the clock jumped) distrusts what it saw: for 30 s it judges nothing down and starts no failover, though it still votes."),
        ("Own settings", "Each server reads its own redis.conf and each Sentinel its own sentinel.conf: a failover moves the master role, not the old master's settings. A process's panel shows its own."),
        ("Split-brain", "Two masters accept writes at once, usually the old one cut off with some clients and the new one. When the network heals, the old master becomes a replica and throws away what only it had: those writes are lost, though clients were told OK."),
    ],
    legend: &[
        (Role::Primary, "master"),
        (Role::Replica, "replica"),
        (Role::Watcher, "Sentinel"),
        (Role::Candidate, "Sentinel asking for votes"),
        (Role::Client, "client"),
        (Role::Storage, "storage"),
        (Role::Monitor, "monitor"),
    ],
    messages: &[
        (MsgKind::Heartbeat, "PING / INFO"),
        (MsgKind::Gossip, "hello"),
        (MsgKind::Vote, "vote"),
        (MsgKind::Replication, "replication"),
        (MsgKind::Client, "client request"),
        (MsgKind::Control, "SLAVEOF"),
        (MsgKind::Storage, "storage write"),
    ],
    try_first: "Try it: drag the master's box (M1, the orange diamond) away from the others, then press Play.",
    build: super::build,
    effective_settings: super::effective_settings,
    facts,
    sizing,
    lessons: &[
        include_str!("lessons/sentinel-split-brain.json"),
        include_str!("lessons/min-replicas-bounds-the-loss.json"),
        include_str!("lessons/min-replicas-is-per-server.json"),
        include_str!("lessons/quorum-1-corrected.json"),
        include_str!("lessons/wait-is-not-consensus.json"),
        include_str!("lessons/master-restarts-empty.json"),
        include_str!("lessons/two-lock-holders.json"),
    ],
    bench: super::presets::bench_cluster,
    bench_sizes: [3, 15],
    conf: Some(ConfDesc {
        import: super::conf::import,
        export: super::conf::export,
        help: "Paste one redis.conf and one sentinel.conf per node, each after a line \"#> box/name\" (#> box1/M1), or open the files. The lab builds that deployment: servers that share a bind address share a box. Every line it does not model is listed; a line Redis would refuse is refused, in Redis's words.",
        example: "#> box1/M1\nport 6379\nmin-replicas-to-write 1\n#> box1/S1\nsentinel monitor mymaster 10.0.0.1 6379 2",
        program: "Redis",
    }),
};

fn quorum(s: &Scenario) -> usize {
    s.settings
        .get("quorum")
        .and_then(|q| q.as_u64())
        .unwrap_or(2) as usize
}

/// The votes a failover leader needs among `n` Sentinels: a majority of them, or the
/// quorum if that is larger (sentinel.c, sentinelGetLeader: `max_votes < voters_quorum
/// || max_votes < master->quorum` elects nobody).
fn failover_votes(n: usize, quorum: usize) -> usize {
    (n / 2 + 1).max(quorum)
}

/// The two numbers that matter: the quorum that declares the master down, and the
/// votes a failover needs.
fn facts(s: &Scenario) -> Vec<String> {
    let sentinels = s.processes().filter(|(_, x)| x.kind == "sentinel").count();
    let q = quorum(s);
    let needed = failover_votes(sentinels, q);
    vec![format!(
        "{sentinels} Sentinels, quorum {q}: {q} must agree that the master is down (ODOWN), and the failover needs {needed} votes (a majority of all Sentinels, or the quorum if larger), so it survives {} Sentinel failure(s).",
        sentinels.saturating_sub(needed)
    )]
}

fn sizing(s: &Scenario) -> SizingSheet {
    let sentinels = s.processes().filter(|(_, x)| x.kind == "sentinel").count();
    let q = quorum(s);
    SizingSheet::new(
        "Sentinels",
        "votes to fail over (with this quorum)",
        sentinels,
        |n| failover_votes(n, q),
    )
}

const SETTINGS: &[SettingDesc] = &[
    SettingDesc { path: "quorum", label: "Quorum", conf: "sentinel monitor mymaster <ip> <port> <quorum>", help: "Sentinels that must agree the master is down (ODOWN). A failover still needs a majority vote.", kind: Number { min: 1, max: u32::MAX as u64 }, per: &["sentinel"] },
    SettingDesc { path: "down_after_ms", label: "Down after (ms)", conf: "sentinel down-after-milliseconds", help: "Silence before a Sentinel judges an instance down (SDOWN).", kind: Number { min: 1, max: 3_600_000 }, per: &["sentinel"] },
    SettingDesc { path: "failover_timeout_ms", label: "Failover timeout (ms)", conf: "sentinel failover-timeout", help: "Limits each failover step; a new attempt waits twice this.", kind: Number { min: 1, max: 86_400_000 }, per: &["sentinel"] },
    SettingDesc { path: "min_replicas_to_write", label: "Min replicas to write", conf: "min-replicas-to-write", help: "The master refuses writes (NOREPLICAS) with fewer good replicas than this.", kind: Number { min: 0, max: u32::MAX as u64 }, per: &["redis"] },
    SettingDesc { path: "min_replicas_max_lag_s", label: "Min replicas max lag (s)", conf: "min-replicas-max-lag", help: "A replica is good if it acknowledged within this many seconds.", kind: Number { min: 0, max: 86_400 }, per: &["redis"] },
    SettingDesc { path: "client.wait_replicas", label: "WAIT replicas", conf: "WAIT numreplicas timeout", help: "Clients wait for this many replicas after each write; short of it, the outcome is unknown.", kind: Number { min: 0, max: u32::MAX as u64 }, per: &["client"] },
    SettingDesc { path: "client.wait_timeout_ms", label: "WAIT timeout (ms)", conf: "WAIT numreplicas timeout", help: "How long each WAIT blocks at most.", kind: Number { min: 0, max: 600_000 }, per: &["client"] },
    SettingDesc { path: "parallel_syncs", label: "Parallel syncs", conf: "sentinel parallel-syncs", help: "Replicas reconfigured at once after a failover.", kind: Number { min: 1, max: u32::MAX as u64 }, per: &["sentinel"] },
    SettingDesc { path: "repl_timeout_s", label: "Replication timeout (s)", conf: "repl-timeout", help: "Silence after which master and replica drop their link.", kind: Number { min: 1, max: 86_400 }, per: &["redis"] },
    SettingDesc { path: "repl_backlog_bytes", label: "Backlog size (bytes)", conf: "repl-backlog-size", help: "History kept for partial resyncs; beyond it a replica needs a full resync.", kind: Number { min: 48, max: 1 << 34 }, per: &["redis"] },
    SettingDesc { path: "repl_diskless_sync", label: "Diskless sync", conf: "repl-diskless-sync", help: "A full resync streams the RDB straight from a fork to the replicas (the default).", kind: Flag, per: &["redis"] },
    SettingDesc { path: "repl_diskless_sync_delay_s", label: "Diskless sync delay (s)", conf: "repl-diskless-sync-delay", help: "A diskless full resync waits this long for more replicas before it starts; the replica is out of sync meanwhile.", kind: Number { min: 0, max: 3600 }, per: &["redis"] },
    SettingDesc { path: "client.rate_per_s", label: "Client rate (ops/s)", conf: "(client)", help: "Operations per second per client, one at a time.", kind: Number { min: 1, max: 1000 }, per: &["client"] },
    SettingDesc { path: "client.timeout_ms", label: "Client timeout (ms)", conf: "socket_timeout", help: "No reply within this: the outcome is unknown and the client asks Sentinel again.", kind: Number { min: 1, max: 600_000 }, per: &["client"] },
    SettingDesc { path: "client.workload", label: "Client workload", conf: "set | register", help: "set: unique SADDs, so every lost write is exact; register: SET and GET one key, to see stale reads; lock: SET lock value NX PX on the master, work, write to the storage, release with a compare-and-delete script.", kind: Choice(&["set", "register", "lock"]), per: &["client"] },
    SettingDesc { path: "client.lock_ttl_ms", label: "Lock TTL (ms)", conf: "SET ... PX", help: "The lock workload: the lock key's time to live. Redis 7 replicates it as an absolute time (PXAT); a promoted replica expires it by its own clock.", kind: Number { min: 10, max: 3_600_000 }, per: &["client"] },
    SettingDesc { path: "client.work_ms", label: "Work under the lock (ms)", conf: "(application)", help: "The lock workload: how long a holder works before it writes to the storage.", kind: Number { min: 0, max: 3_600_000 }, per: &["client"] },
    SettingDesc { path: "initial_master", label: "Initial master", conf: "sentinel monitor mymaster <ip> <port>", help: "The Redis server that starts as master (default: the first).", kind: Text, per: &[] },
    SettingDesc { path: "client.discovery", label: "Client discovery", conf: "sentinel | first_answer | local_sentinel | fixed", help: "sentinel: ask each Sentinel in turn, skipping one that flags the master down (redis-py); first_answer: take the first answer whatever it flags (clients that only call get-master-addr-by-name); local_sentinel: ask only the Sentinel on the client's own box; fixed: always the initial master.", kind: Choice(&["sentinel", "first_answer", "local_sentinel", "fixed"]), per: &["client"] },
    SettingDesc { path: "fencing", label: "Fencing tokens", conf: "(storage)", help: "Masters write through to a storage that rejects a token (config epoch) older than the newest it has seen.", kind: Flag, per: &[] },
    SettingDesc { path: "known_topology", label: "Sentinels start knowing everyone", conf: "sentinel known-replica / known-sentinel", help: "On: a deployment that has been up a while (its rewritten sentinel.conf lists the replicas and Sentinels). Off: brought up now, each Sentinel discovers replicas from INFO and the other Sentinels from hello messages.", kind: Flag, per: &["sentinel"] },
    SettingDesc { path: "dataset_mb", label: "Data set (MB)", conf: "(your data)", help: "What the master holds besides the clients' writes: a full resync streams and loads it at about 100 MB/s (measured on Redis 7.0.15), and the replica is out of sync meanwhile.", kind: Number { min: 0, max: 1_000_000 }, per: &[] },
    SettingDesc { path: "persistence", label: "Persistence", conf: "appendonly / save", help: "RDB/AOF: a server's data survives a restart.", kind: Flag, per: &["redis"] },
];
