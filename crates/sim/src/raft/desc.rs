//! How etcd/Raft describes itself to the lab: kinds, settings with etcd's flag names,
//! presets, glossary and legend.

use crate::process::{MsgKind, Words};
use crate::scenario::Scenario;
use crate::system::SizingSheet;
use crate::system::{KindDesc, SettingDesc, SettingKind::*, SystemDesc};
use crate::view::Role;

/// etcd's Raft, described once.
pub static DESC: SystemDesc = SystemDesc {
    name: super::SYSTEM,
    title: "etcd (Raft)",
    summary: "Consensus: a leader elected by a majority per term commits a write once a majority holds it.",
    words: Words {
        epoch: "term",
        leader: "leader",
        elects: true,
        lost: "acknowledged writes lost",
    },
    kinds: &[
        KindDesc { kind: "etcd", label: "etcd member", letter: "N", role: Role::Replica, add: Some("+ member"), count: (1, super::MAX_MEMBERS), disk: true, clock: false },
        KindDesc { kind: "client", label: "client", letter: "C", role: Role::Client, add: Some("+ client"), count: (0, usize::MAX), disk: false, clock: false },
        KindDesc { kind: "storage", label: "storage", letter: "DB", role: Role::Storage, add: None, count: (0, 1), disk: false, clock: false },
    ],
    settings: SETTINGS,
    presets: super::presets::PRESETS,
    glossary: &[
        ("Leader, followers", "One member leads. Clients may ask any member; followers forward writes to the leader, which appends them to its log and copies them to the others."),
        ("Term", "Every election starts a new term, a number that only grows. A member votes at most once per term, and writes its vote to disk before it answers."),
        ("Committed", "A write is committed, and acknowledged, once a majority of members hold it in their logs. A majority of 3 is 2, of 4 is 3, of 5 is 3."),
        ("Election timeout", "A follower that hears no leader for its timeout (drawn between 1 and 2 election timeouts) asks for votes. The candidate with an up-to-date log and a majority wins."),
        ("Pre-vote, CheckQuorum", "With pre-vote, a member first asks whether it could win before raising its term, so a member coming back from isolation does not depose a healthy leader. With CheckQuorum, a leader that has not heard from a majority for an election timeout steps down."),
        ("Split-brain?", "A leader cut off with a minority may still believe it leads, but it cannot commit anything: no majority will ever hold its new entries. They are dropped when it rejoins, and clients that sent them only saw a timeout."),
    ],
    legend: &[
        (Role::Primary, "leader"),
        (Role::Replica, "follower"),
        (Role::Candidate, "candidate"),
        (Role::Client, "client"),
        (Role::Storage, "storage"),
    ],
    messages: &[
        (MsgKind::Heartbeat, "heartbeat"),
        (MsgKind::Vote, "vote / pre-vote"),
        (MsgKind::Replication, "append entries"),
        (MsgKind::Control, "forwarded put / read index"),
        (MsgKind::Client, "client request"),
        (MsgKind::Storage, "storage write"),
    ],
    try_first: "Try it: drag the leader's box (N1, the orange diamond) into a partition of its own, then press Play. Under each member, its log: filled entries are committed, hollow ones are not yet.",
    build: super::build,
    effective_settings: super::effective_settings,
    facts,
    sizing,
    // Raft's lessons come with the systems that build on it (issue 12's Patroni).
    lessons: &[],
    bench: super::presets::bench_cluster,
    bench_sizes: [5, 9],
    conf: None,
};

fn sizing(s: &Scenario) -> SizingSheet {
    let n = s.processes().filter(|(_, x)| x.kind == "etcd").count();
    SizingSheet::new("members", "votes to elect or commit (a majority)", n, |n| {
        n / 2 + 1
    })
}

fn facts(s: &Scenario) -> Vec<String> {
    let n = s.processes().filter(|(_, x)| x.kind == "etcd").count();
    let majority = n / 2 + 1;
    vec![format!(
        "{n} members: a write and an election need {majority} (a majority), so the cluster survives {} member failure(s).",
        n.saturating_sub(majority)
    )]
}

const SETTINGS: &[SettingDesc] = &[
    SettingDesc { path: "heartbeat_interval_ms", label: "Heartbeat interval (ms)", conf: "--heartbeat-interval", help: "One Raft tick: the leader sends a heartbeat to every follower each tick.", kind: Number { min: 1, max: 10_000 }, per: &[] },
    SettingDesc { path: "election_timeout_ms", label: "Election timeout (ms)", conf: "--election-timeout", help: "A follower that hears no leader for a random time between this and twice this starts an election. At least 5 heartbeats.", kind: Number { min: 5, max: 50_000 }, per: &[] },
    SettingDesc { path: "pre_vote", label: "Pre-vote", conf: "--pre-vote", help: "Ask whether an election could be won before raising the term (off in etcd 3.4, on in 3.5).", kind: Flag, per: &[] },
    SettingDesc { path: "check_quorum", label: "CheckQuorum", conf: "(always on in etcd)", help: "A leader that has not heard from a majority for an election timeout steps down.", kind: Flag, per: &[] },
    SettingDesc { path: "lease_reads", label: "Lease-based reads", conf: "ReadOnlyLeaseBased (raft)", help: "The leader answers linearizable reads from its lease instead of a heartbeat round (etcd uses the heartbeat round).", kind: Flag, per: &[] },
    SettingDesc { path: "fsync_ms", label: "WAL fsync (ms)", conf: "(disk: wal_fsync_duration_seconds)", help: "How long each write-and-sync of the log takes; members write their log before they answer.", kind: Number { min: 0, max: 60_000 }, per: &[] },
    SettingDesc { path: "client.consistency", label: "Read consistency", conf: "etcdctl get --consistency", help: "linearizable: asks the leader for a read index (the default); serializable: the member's own data, possibly stale.", kind: Choice(&["linearizable", "serializable"]), per: &[] },
    SettingDesc { path: "client.workload", label: "Client workload", conf: "put | put and get | lock | txn", help: "set: unique puts, so every lost write is exact; register: put and get one key in turn, to see stale reads; lock: take a lock as etcdctl lock does (a key on a session lease), work, write to the storage with the lock's revision, release; document: read-modify-write one document by optimistic concurrency, a Txn that puts only if the key's mod_revision is unchanged, retried on conflict.", kind: Choice(&["set", "register", "lock", "document"]), per: &[] },
    SettingDesc { path: "client.lock_ttl_ms", label: "Lock session TTL (ms)", conf: "etcdctl lock --ttl", help: "The lock workload: the session lease's TTL. The client keeps it alive every third of it; a client paused longer loses the lock without knowing it.", kind: Number { min: 1000, max: 3_600_000 }, per: &[] },
    SettingDesc { path: "client.work_ms", label: "Work under the lock (ms)", conf: "(application)", help: "The lock workload: how long a holder works before it writes to the storage. It does not watch its session while it works, as most code does not.", kind: Number { min: 0, max: 3_600_000 }, per: &[] },
    SettingDesc { path: "client.rate_per_s", label: "Client rate (ops/s)", conf: "(client)", help: "Operations per second per client, one at a time.", kind: Number { min: 1, max: 1000 }, per: &[] },
    SettingDesc { path: "client.timeout_ms", label: "Client timeout (ms)", conf: "etcdctl --command-timeout", help: "No answer within this: the outcome is unknown (the write may still commit).", kind: Number { min: 1, max: 600_000 }, per: &[] },
    SettingDesc { path: "initial_leader", label: "Initial leader", conf: "(cluster)", help: "The member that leads term 1 (default: the first).", kind: Text, per: &[] },
    SettingDesc { path: "fencing", label: "Fencing tokens", conf: "(storage)", help: "The leader also writes to a storage that rejects a term older than the newest it has seen. With the lock workload, the storage checks the lock's revision instead.", kind: Flag, per: &[] },
    SettingDesc { path: "persistence", label: "WAL survives restart", conf: "--data-dir", help: "Off: a restarted member has lost its disk and starts empty (unsafe in real etcd).", kind: Flag, per: &[] },
];
