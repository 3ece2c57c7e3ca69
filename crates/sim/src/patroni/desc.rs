//! How a Patroni deployment describes itself to the lab: kinds, settings with
//! Patroni's and PostgreSQL's names, presets, glossary and legend.

use crate::process::{MsgKind, Words};
use crate::scenario::Scenario;
use crate::system::SizingSheet;
use crate::system::{KindDesc, SettingDesc, SettingKind::*, SystemDesc};
use crate::view::Role;

/// PostgreSQL under Patroni on etcd, described once.
pub static DESC: SystemDesc = SystemDesc {
    name: super::SYSTEM,
    title: "PostgreSQL + Patroni (etcd)",
    summary: "Patroni agents keep a leader key with a TTL in etcd; the primary must keep it alive or demote itself, and a standby takes it when it expires.",
    words: Words {
        epoch: "timeline",
        leader: "primary",
        elects: true,
        lost: "acknowledged writes lost",
    },
    kinds: &[
        KindDesc { kind: "postgres", label: "Patroni member (PostgreSQL)", letter: "pg", role: Role::Replica, add: Some("+ member"), count: (1, 7), disk: false, clock: false },
        KindDesc { kind: "etcd", label: "etcd member", letter: "etcd", role: Role::Watcher, add: Some("+ etcd"), count: (1, 7), disk: true, clock: false },
        KindDesc { kind: "client", label: "client", letter: "C", role: Role::Client, add: Some("+ client"), count: (0, usize::MAX), disk: false, clock: false },
    ],
    settings: SETTINGS,
    presets: super::presets::PRESETS,
    glossary: &[
        ("Leader key", "A key in etcd (/service/<scope>/leader) holding the primary's name, attached to a lease of `ttl` seconds. The primary's Patroni keeps the lease alive once per loop; when it expires, etcd deletes the key and a standby may take it."),
        ("HA loop", "Each Patroni agent wakes every loop_wait seconds: it reads the cluster from etcd, keeps its key alive if it holds it, and follows, promotes or demotes its PostgreSQL accordingly."),
        ("retry_timeout", "How long a DCS call is retried. A primary whose keep-alive fails for that long demotes itself (fast shutdown), so that it stops taking writes before its key expires: ttl must exceed loop_wait + retry_timeout."),
        ("Serializable read", "Patroni reads the cluster from its local etcd member without asking the etcd leader. A member cut off in a minority still answers, with what it last applied: the old primary keeps seeing itself as the key's owner."),
        ("Timeline", "PostgreSQL's history number. A promotion starts a new timeline; a server that wrote past the switch point must be rewound (pg_rewind) before it can follow the new primary, and what it wrote there is gone."),
        ("Synchronous commit", "With synchronous_standby_names set, a commit is written locally, then waits until the synchronous standby has flushed it. With no standby reachable it hangs; it is not refused. A cancel ends the wait with success and a warning: the row is committed locally only."),
        ("synchronous_mode", "Patroni picks a synchronous standby and sets synchronous_standby_names itself; only that standby may be promoted. Strict: with no standby, commits wait. Not strict: Patroni empties the setting and writes go on asynchronously, once PostgreSQL has noticed the standby is gone (wal_sender_timeout)."),
        ("failsafe_mode", "Patroni 3.0+: a primary that loses etcd keeps running as long as it can reach every other member's REST API."),
        ("Patroni 3.0.2", "After a heal, a former primary whose lease had expired granted a new one and rewrote the leader key without a condition, taking leadership back from the new primary and dropping what it had acknowledged. Fixed in 3.0.3 (patroni#2689)."),
    ],
    legend: &[
        (Role::Primary, "PostgreSQL primary"),
        (Role::Replica, "standby (or stopped)"),
        (Role::Watcher, "etcd member"),
        (Role::Client, "client"),
    ],
    messages: &[
        (MsgKind::Replication, "WAL stream, replies, pg_rewind"),
        (MsgKind::Heartbeat, "etcd heartbeats, walsender keepalives"),
        (MsgKind::Client, "SQL, and Patroni's etcd requests"),
        (MsgKind::Vote, "etcd votes, Patroni status checks"),
        (MsgKind::Control, "etcd forwards, failsafe"),
    ],
    try_first: "Try it: drag the primary's box (pg1 with etcd1) into a partition of its own, then press Play. pg1 keeps acknowledging writes until its keep-alive has failed for retry_timeout; a standby takes the key only when the lease expires.",
    build: super::build,
    effective_settings: super::effective_settings,
    facts,
    sizing,
    lessons: &[
        include_str!("lessons/patroni-demotes-itself.json"),
        include_str!("lessons/sync-hangs-writes.json"),
        include_str!("lessons/patroni-takes-the-key-back.json"),
    ],
    bench: super::presets::bench_cluster,
    bench_sizes: [3, 5],
    conf: None,
};

fn sizing(s: &Scenario) -> SizingSheet {
    let n = s.processes().filter(|(_, x)| x.kind == "etcd").count();
    SizingSheet::new(
        "etcd members",
        "to keep or take the leader key (a majority)",
        n,
        |n| n / 2 + 1,
    )
}

fn facts(s: &Scenario) -> Vec<String> {
    let n = s.processes().filter(|(_, x)| x.kind == "etcd").count();
    let majority = n / 2 + 1;
    vec![format!(
        "{n} etcd members: the leader key can be kept alive or taken only with {majority} of them reachable; a primary cut off from them demotes itself."
    )]
}

const SETTINGS: &[SettingDesc] = &[
    SettingDesc { path: "ttl", label: "TTL (s)", conf: "ttl", help: "The leader key's lease: a standby may take the key this long after the primary's last keep-alive.", kind: Number { min: 5, max: 3600 }, per: &[] },
    SettingDesc { path: "loop_wait", label: "Loop wait (s)", conf: "loop_wait", help: "How often each Patroni agent runs its HA loop.", kind: Number { min: 1, max: 3600 }, per: &[] },
    SettingDesc { path: "retry_timeout", label: "Retry timeout (s)", conf: "retry_timeout", help: "How long a DCS call is retried; a primary that cannot keep its key alive this long demotes itself.", kind: Number { min: 1, max: 3600 }, per: &[] },
    SettingDesc { path: "synchronous_mode", label: "Synchronous mode", conf: "synchronous_mode", help: "Patroni picks a synchronous standby, sets synchronous_standby_names, and promotes only that standby.", kind: Flag, per: &[] },
    SettingDesc { path: "synchronous_mode_strict", label: "Strict synchronous mode", conf: "synchronous_mode_strict", help: "With no synchronous standby, commits wait ('*') instead of going on asynchronously.", kind: Flag, per: &[] },
    SettingDesc { path: "failsafe_mode", label: "Failsafe mode", conf: "failsafe_mode", help: "A primary that loses etcd keeps running while it reaches every other member (Patroni 3.0+).", kind: Flag, per: &[] },
    SettingDesc { path: "use_pg_rewind", label: "Use pg_rewind", conf: "postgresql.use_pg_rewind", help: "A former primary whose history forked is rewound before it follows the new primary.", kind: Flag, per: &[] },
    SettingDesc { path: "remove_data_directory_on_diverged_timelines", label: "Base backup when histories fork", conf: "postgresql.remove_data_directory_on_diverged_timelines", help: "Without pg_rewind, a former primary whose history forked is wiped and copied afresh from the new primary; otherwise it cannot follow.", kind: Flag, per: &[] },
    SettingDesc { path: "maximum_lag_on_failover", label: "Maximum lag on failover (bytes)", conf: "maximum_lag_on_failover", help: "A standby further behind the leader's last reported WAL position than this does not take the key (the lab counts 128 bytes of WAL per row).", kind: Number { min: 0, max: 1 << 40 }, per: &[] },
    SettingDesc { path: "patroni_version", label: "Patroni release", conf: "(package)", help: "3.0.2 (Debian) rewrites the leader key without a condition after its lease expired; 3.0.3 fixed it (patroni#2689).", kind: Choice(&["3.0.2", "3.0.3"]), per: &[] },
    SettingDesc { path: "endpoints", label: "etcd endpoints", conf: "etcd3.host / hosts", help: "local: each agent asks its own host's etcd member first; all: every member in turn.", kind: Choice(&["local", "all"]), per: &[] },
    SettingDesc { path: "postgresql.synchronous_commit", label: "synchronous_commit", conf: "synchronous_commit", help: "on: wait for the standby's flush; local/off: never wait for standbys.", kind: Choice(&["off", "local", "remote_write", "on", "remote_apply"]), per: &[] },
    SettingDesc { path: "postgresql.synchronous_standby_names", label: "synchronous_standby_names", conf: "synchronous_standby_names", help: "Outside synchronous mode: e.g. 'ANY 1 (pg2, pg3)' or 'FIRST 1 (pg2, pg3)'. Patroni leaves it as configured.", kind: Text, per: &[] },
    SettingDesc { path: "postgresql.wal_sender_timeout_ms", label: "wal_sender_timeout (ms)", conf: "wal_sender_timeout", help: "A primary gives up on a silent standby after this; until then it still counts as streaming.", kind: Number { min: 0, max: 3_600_000 }, per: &[] },
    SettingDesc { path: "postgresql.wal_receiver_timeout_ms", label: "wal_receiver_timeout (ms)", conf: "wal_receiver_timeout", help: "A standby gives up on a silent primary after this.", kind: Number { min: 0, max: 3_600_000 }, per: &[] },
    SettingDesc { path: "etcd.election_timeout_ms", label: "etcd election timeout (ms)", conf: "--election-timeout", help: "The DCS's own Raft election timeout.", kind: Number { min: 5, max: 50_000 }, per: &[] },
    SettingDesc { path: "etcd.heartbeat_interval_ms", label: "etcd heartbeat (ms)", conf: "--heartbeat-interval", help: "The DCS's own Raft heartbeat.", kind: Number { min: 1, max: 10_000 }, per: &[] },
    SettingDesc { path: "etcd.pre_vote", label: "etcd pre-vote", conf: "--pre-vote", help: "Off in etcd 3.4: a member rejoining after a cut forces a new etcd election.", kind: Flag, per: &[] },
    SettingDesc { path: "etcd.initial_leader", label: "etcd leader at the start", conf: "(cluster)", help: "The etcd member that leads at the start (default: the one on the primary's host). When it is cut off with the primary, the new etcd leader extends the lease, and the failover comes about 10 s later.", kind: Text, per: &[] },
    SettingDesc { path: "client.connect", label: "Client finds the primary by", conf: "(application)", help: "fixed: one host; check_recovery: pg_is_in_recovery() before each write; multi_host: target_session_attrs=read-write.", kind: Choice(&["fixed", "check_recovery", "multi_host"]), per: &["client"] },
    SettingDesc { path: "client.timeout_ms", label: "Client query timeout (ms)", conf: "(driver)", help: "0: wait forever. statement_timeout would not help: PostgreSQL turns it off before a commit waits for standbys.", kind: Number { min: 0, max: 600_000 }, per: &["client"] },
    SettingDesc { path: "client.cancel_on_timeout", label: "Cancel on timeout", conf: "(driver)", help: "Send a cancel request when the timeout passes: a commit waiting for a standby then returns success, committed locally only.", kind: Flag, per: &["client"] },
    SettingDesc { path: "client.rate_per_s", label: "Client rate (ops/s)", conf: "(client)", help: "Rows inserted per second per client, one at a time.", kind: Number { min: 1, max: 1000 }, per: &["client"] },
    SettingDesc { path: "initial_primary", label: "Initial primary", conf: "(cluster)", help: "The member whose PostgreSQL is primary at the start (default: the first).", kind: Text, per: &[] },
];
