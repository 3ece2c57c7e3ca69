//! etcd's Raft (go.etcd.io/raft, as etcd 3.4 and 3.5 run it), modelled message by
//! message: terms, randomized election timeouts, pre-vote, CheckQuorum, the log
//! up-to-date rule, AppendEntries with conflict truncation, the current-term commit
//! rule, ReadIndex reads, proposal forwarding and the WAL's fsync-before-send order.
//!
//! Sources: etcd v3.4.23 `raft/raft.go`, `raft/log.go`, `raft/node.go`,
//! `etcdserver/raft.go`, `etcdserver/v3_server.go` and `embed/config.go` (each rule
//! in [`node`] names its function). Where the Raft paper and etcd differ, this follows
//! etcd: a leader with CheckQuorum ignores vote requests while in its lease, a
//! lower-term heartbeat is answered with the higher term, the leader fsyncs in
//! parallel with replicating.

pub mod client;
pub mod desc;
pub mod events;
pub mod kv;
pub mod lock;
pub mod msg;
pub mod node;
pub mod presets;

use serde::{Deserialize, Serialize};

use crate::fencing::FencedStore;
use crate::history::{OpId, OpKind, OpResult};
use crate::ids::{Millis, ProcId};
use crate::process::{Ctx, DataSet, Process};
use crate::scenario::{parse_settings, Scenario, ScenarioError};
use crate::simulation::{Run, RunOptions, RunState, Simulation, System};
use crate::system::{Invariant, SystemDesc};
use crate::view::ProcView;

use client::{Client, ClientCfg, Consistency, Workload};
pub use desc::DESC;
use lock::{LockCfg, LockClient};
use msg::Msg;
use node::{HardState, Node, NodeCfg, State};

/// The `system` name in scenario files.
pub const SYSTEM: &str = "etcd-raft";

/// The most members a cluster may have (etcd recommends 3, 5 or 7).
pub const MAX_MEMBERS: usize = 9;

/// The timers of the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// One Raft tick (`--heartbeat-interval`).
    Tick,
    /// The WAL's fsync finished.
    Synced,
    /// etcd resends a read's ReadIndex.
    ReadRetry,
    /// A client's next operation.
    Next,
    /// A client's `--command-timeout` for an operation.
    OpTimeout(OpId),
    /// A lock client's `--command-timeout` for a request to etcd's KV or lease API.
    KvTimeout(u64),
    /// A lock client's keep-alive of its session lease is due.
    KeepAlive(u64),
    /// A lock client's work under the lock is done.
    WorkDone,
    /// A lock client asks again for a lock it found taken.
    Poll,
}

pub(crate) type NCtx<'a> = Ctx<'a, Msg, Timer>;

/// Client settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClientSettings {
    /// Operations per second per client (one at a time).
    pub rate_per_s: u32,
    /// etcdctl's `--command-timeout`: no answer within this is an unknown outcome.
    pub timeout_ms: Millis,
    /// The workload.
    pub workload: Workload,
    /// `--consistency`: `linearizable` (ReadIndex) or `serializable` (local).
    pub consistency: Consistency,
    /// The lock workload: `etcdctl lock --ttl`, the session lease's TTL.
    pub lock_ttl_ms: Millis,
    /// The lock workload: how long a holder works before it writes to the storage.
    pub work_ms: Millis,
}

impl Default for ClientSettings {
    fn default() -> Self {
        ClientSettings {
            rate_per_s: 10,
            timeout_ms: 5000,
            workload: Workload::Set,
            consistency: Consistency::Linearizable,
            lock_ttl_ms: 10_000,
            work_ms: 1000,
        }
    }
}

/// Every setting, with etcd's flag names and defaults (3.4; 3.5 turns pre-vote on).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RaftSettings {
    /// `--heartbeat-interval` (ms): one tick; the leader sends heartbeats every tick.
    pub heartbeat_interval_ms: Millis,
    /// `--election-timeout` (ms); each member draws its own from [timeout, 2×timeout).
    pub election_timeout_ms: Millis,
    /// `--pre-vote` (false in 3.4, true in 3.5).
    pub pre_vote: bool,
    /// CheckQuorum: always on in etcd; off here only to show what it prevents.
    pub check_quorum: bool,
    /// Raft's `ReadOnlyLeaseBased` reads (the leader answers from its lease) instead of
    /// etcd's `ReadOnlySafe` (a heartbeat round per read).
    pub lease_reads: bool,
    /// Time of one WAL write-and-fsync, per member (a local SSD takes a few ms).
    pub fsync_ms: Millis,
    /// The WAL survives a restart (a restart without it is a member whose disk was lost).
    pub persistence: bool,
    /// The leader writes through to a storage that checks its term as a fencing token.
    pub fencing: bool,
    /// The member that leads term 1 (default: the first).
    pub initial_leader: Option<String>,
    /// Clients.
    pub client: ClientSettings,
}

impl Default for RaftSettings {
    fn default() -> Self {
        RaftSettings {
            heartbeat_interval_ms: 100,
            election_timeout_ms: 1000,
            pre_vote: false,
            check_quorum: true,
            lease_reads: false,
            fsync_ms: 2,
            persistence: true,
            fencing: false,
            initial_leader: None,
            client: ClientSettings::default(),
        }
    }
}

/// One process of the model.
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum RaftProc {
    /// An etcd member.
    Node(Node),
    /// A client application.
    Client(Client),
    /// A client holding a lock (the lock workload).
    Lock(LockClient),
    /// Fenced shared storage.
    Storage(FencedStore),
}

impl Process for RaftProc {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Option<HardState>;

    fn on_start(&mut self, ctx: &mut NCtx) {
        match self {
            RaftProc::Node(n) => n.start(ctx),
            RaftProc::Client(c) => c.start(ctx),
            RaftProc::Lock(c) => c.start(ctx),
            RaftProc::Storage(_) => {}
        }
    }

    fn on_msg(&mut self, from: ProcId, msg: Msg, ctx: &mut NCtx) {
        match self {
            RaftProc::Node(n) => n.on_msg(from, msg, ctx),
            RaftProc::Client(c) => c.on_msg(msg, ctx),
            RaftProc::Lock(c) => c.on_msg(msg, ctx),
            RaftProc::Storage(s) => match msg {
                Msg::Store { token, value } => {
                    s.write(from, token, value, ctx);
                }
                Msg::LockWrite { op, token, value } => {
                    let (accepted, _) = s.write(from, token, value, ctx);
                    ctx.send(from, Msg::LockWriteReply { op, accepted });
                }
                _ => {}
            },
        }
    }

    fn on_timer(&mut self, t: Timer, ctx: &mut NCtx) {
        match self {
            RaftProc::Node(n) => n.on_timer(t, ctx),
            RaftProc::Client(c) => c.on_timer(t, ctx),
            RaftProc::Lock(c) => c.on_timer(t, ctx),
            RaftProc::Storage(_) => {}
        }
    }

    fn durable(&self) -> Option<HardState> {
        match self {
            RaftProc::Node(n) => Some(n.durable()),
            _ => None,
        }
    }

    fn on_restart(&mut self, durable: Option<Option<HardState>>, ctx: &mut NCtx) {
        match self {
            RaftProc::Node(n) => n.restart(durable.flatten(), ctx),
            RaftProc::Client(c) => c.restart(ctx),
            RaftProc::Lock(c) => c.restart(ctx),
            RaftProc::Storage(_) => {}
        }
    }

    fn on_disk_latency(&mut self, ms: Option<Millis>, _ctx: &mut NCtx) {
        if let RaftProc::Node(n) = self {
            n.set_disk(ms);
        }
    }

    fn view(&self) -> ProcView {
        match self {
            RaftProc::Node(n) => n.view(),
            RaftProc::Client(c) => c.view(),
            RaftProc::Lock(c) => c.view(),
            RaftProc::Storage(s) => s.view(),
        }
    }

    /// Raft's safety allows a deposed leader of an older term to believe it still leads
    /// (it can commit nothing); two leaders of one term would be split-brain.
    fn split_brain(writers: &[(ProcId, u64)]) -> bool {
        writers
            .iter()
            .enumerate()
            .any(|(i, a)| writers[i + 1..].iter().any(|b| b.1 == a.1))
    }
}

fn nodes<'a>(procs: &'a [RaftProc], alive: &'a [bool]) -> impl Iterator<Item = (usize, &'a Node)> {
    procs.iter().enumerate().filter_map(move |(i, p)| match p {
        RaftProc::Node(n) if alive[i] => Some((i, n)),
        _ => None,
    })
}

impl System for RaftProc {
    fn desc() -> &'static SystemDesc {
        &DESC
    }

    /// A linearizable read at the end: answered by the leader of the newest term, or,
    /// with no leader, by the member that has committed most.
    fn final_read(procs: &[Self], alive: &[bool]) -> Option<(usize, DataSet)> {
        // Lock clients write to the storage the lock protects: that is the data.
        if procs.iter().any(|p| matches!(p, RaftProc::Lock(_))) {
            return procs.iter().enumerate().find_map(|(i, p)| match p {
                RaftProc::Storage(s) => Some((i, s.data().clone())),
                _ => None,
            });
        }
        let leader = nodes(procs, alive)
            .filter(|(_, n)| n.state() == State::Leader)
            .max_by_key(|(_, n)| n.term());
        let (i, n) = leader.or_else(|| nodes(procs, alive).max_by_key(|(_, n)| n.commit()))?;
        Some((i, n.values().clone()))
    }

    fn invariants() -> &'static [Invariant<Self>] {
        &INVARIANTS
    }
}

/// Raft's safety properties (the Raft paper's Figure 3, as etcd keeps them).
static INVARIANTS: [Invariant<RaftProc>; 5] = {
    // The lock workload's (Jepsen's etcd 3.4.3 lock test): a lease-based lock is not
    // a mutex, and only fencing with the lock's revision keeps the storage safe.
    let [one_holder, no_stale] = crate::system::lock_invariants();
    [
        Invariant {
            name: "at most one leader per term",
            check: crate::system::one_leader_per_epoch,
        },
        Invariant {
            name: "every member's committed prefix agrees",
            check: |r| {
                let all = vec![true; r.procs.len()];
                let ns: Vec<(usize, &Node)> = nodes(r.procs, &all).collect();
                for (k, (i, a)) in ns.iter().enumerate() {
                    for (j, b) in &ns[k + 1..] {
                        let differ = a
                            .committed()
                            .zip(b.committed())
                            .position(|(x, y)| (x.term, x.value) != (y.term, y.value));
                        if let Some(at) = differ {
                            return Err(format!(
                                "#{i} and #{j} committed different entries at index {}",
                                at + 1
                            ));
                        }
                    }
                }
                Ok(())
            },
        },
        Invariant {
            name: "no acknowledged write is lost",
            check: committed_writes_kept,
        },
        one_holder,
        no_stale,
    ]
};

fn committed_writes_kept(r: &RunState<RaftProc>) -> Result<(), String> {
    let Some((_, data)) = RaftProc::final_read(r.procs, r.alive) else {
        return Ok(());
    };
    let history = crate::history::History::from_signals(r.signals);
    let lost = history.ops.iter().find(|op| {
        op.kind == OpKind::Write && op.result == Some(OpResult::Ok) && !data.contains(&op.value)
    });
    match lost {
        Some(op) => Err(format!(
            "acknowledged write {:x} is not in the final read",
            op.value
        )),
        None => Ok(()),
    }
}

/// The settings with etcd's defaults filled in.
pub fn effective_settings(s: &Scenario) -> Result<serde_json::Value, ScenarioError> {
    crate::scenario::effective::<RaftSettings>(s)
}

/// Builds an etcd run from a scenario.
pub fn build(s: &Scenario, opts: RunOptions) -> Result<Box<dyn Simulation>, ScenarioError> {
    let set: RaftSettings = parse_settings(&s.settings)?;
    DESC.check_kinds(s)?;
    let mut members = Vec::new();
    let mut storage = None;
    for (k, (_, p)) in s.processes().enumerate() {
        match p.kind.as_str() {
            "etcd" => members.push(ProcId(k as u16)),
            "storage" => storage = Some(ProcId(k as u16)),
            _ => {}
        }
        if p.priority.is_some() {
            let (bi, pj) = s.locate(k);
            return Err(ScenarioError::new(
                format!("boxes[{bi}].processes[{pj}].priority"),
                "etcd members have no priority: any up-to-date member may win an election",
            ));
        }
    }
    DESC.check_ranges(&serde_json::to_value(&set).expect("settings serialize"))?;
    let tick = set.heartbeat_interval_ms;
    // embed/config.go: "--election-timeout[…] should be at least as 5 times as
    // --heartbeat-interval".
    if set.election_timeout_ms < 5 * tick {
        return Err(ScenarioError::new(
            "settings.election_timeout_ms",
            format!(
                "must be at least 5 times heartbeat_interval_ms ({} ms), as etcd requires",
                5 * tick
            ),
        ));
    }
    let c = &set.client;
    crate::system::check_budget(s, c.rate_per_s)?;
    crate::fencing::check(set.fencing, storage)?;
    let locks = c.workload == Workload::Lock;
    crate::fencing::check_lock_storage(locks, storage)?;
    let leader = s.named_among(
        set.initial_leader.as_deref(),
        &members,
        "settings.initial_leader",
        "an etcd member",
    )?;
    let mut warnings = Vec::new();
    if members.len() % 2 == 0 {
        warnings.push(format!(
            "{} members: a majority is {}, so an even cluster tolerates no more failures than {} members would, and a split into two halves leaves no majority anywhere",
            members.len(),
            members.len() / 2 + 1,
            members.len() - 1
        ));
    }
    if !set.check_quorum {
        warnings.push("CheckQuorum off: etcd always runs with it on; an isolated leader will keep believing it leads".into());
    }
    let cfg = NodeCfg {
        tick_ms: tick,
        election_ticks: set.election_timeout_ms / tick,
        pre_vote: set.pre_vote,
        check_quorum: set.check_quorum,
        lease_reads: set.lease_reads,
        fsync_ms: set.fsync_ms,
        // With the lock workload the storage checks the lock's revision instead.
        storage: if set.fencing && !locks { storage } else { None },
    };
    let box_of: Vec<usize> = s.processes().map(|(b, _)| b).collect();
    let interval = (1000 / c.rate_per_s as u64).max(1);
    let mut client_index = 0;
    let mut procs = Vec::new();
    for (k, (b, p)) in s.processes().enumerate() {
        let id = ProcId(k as u16);
        procs.push(match p.kind.as_str() {
            "etcd" => RaftProc::Node(Node::new(id, members.clone(), cfg.clone(), leader)),
            "client" => {
                client_index += 1;
                // The member on its own box, else members in turn.
                let endpoint = members
                    .iter()
                    .copied()
                    .find(|m| box_of[m.idx()] == b)
                    .unwrap_or(members[(client_index as usize - 1) % members.len()]);
                if let (true, Some(storage)) = (locks, storage) {
                    RaftProc::Lock(LockClient::new(LockCfg {
                        index: client_index - 1,
                        endpoint,
                        storage,
                        ttl: c.lock_ttl_ms,
                        work: c.work_ms,
                        think: interval,
                        timeout: c.timeout_ms,
                    }))
                } else {
                    RaftProc::Client(Client::new(ClientCfg {
                        index: client_index - 1,
                        interval,
                        timeout: c.timeout_ms,
                        workload: c.workload,
                        consistency: c.consistency,
                        endpoint,
                    }))
                }
            }
            _ => RaftProc::Storage(FencedStore::new(set.fencing || !locks)),
        });
    }
    Ok(Box::new(Run::new(
        s.clone(),
        procs,
        warnings,
        vec![set.persistence; s.processes().count()],
        opts,
    )?))
}
