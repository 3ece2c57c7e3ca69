//! PostgreSQL under Patroni, with its leader key in an etcd cluster that is the lab's
//! own etcd/Raft model, running unchanged inside this system (`Ctx::nest`).
//!
//! Sources: Patroni v3.0.2 and v3.0.3 (`patroni/ha.py`, `patroni/dcs/etcd3.py`,
//! `patroni/postgresql/sync.py`, `patroni/postgresql/rewind.py`, `patroni/__main__.py`),
//! PostgreSQL 15 (`syncrep.c`, `walsender.c`, `walreceiver.c`, `postmaster.c`,
//! `postgres.c`) and etcd v3.4.23; each rule names its place. Real runs of Debian's
//! Patroni 3.0.2, PostgreSQL 15 and etcd 3.4.23 across network namespaces are in
//! `docs/real-patroni/`.

pub mod client;
pub mod desc;
pub mod events;
pub mod member;
pub mod msg;
pub mod pg;
pub mod presets;

use serde::{Deserialize, Serialize};

use crate::history::OpId;
use crate::ids::{Millis, ProcId};
use crate::process::{Ctx, DataSet, Process, Signal, SystemEvent};
use crate::raft::node::{HardState, Node, NodeCfg, State};
use crate::scenario::{parse_settings, Scenario, ScenarioError};
use crate::simulation::{Run, RunOptions, RunState, Simulation, System};
use crate::system::{Invariant, SystemDesc};
use crate::view::ProcView;

use client::{Client, ClientCfg, Connect};
pub use desc::DESC;
use events::PatroniEvent;
use member::{HaCfg, Member, LEADER};
use msg::{Msg, Rec, Tl};
use pg::{Pg, PgCfg, PgRole, SyncCommit, SyncNames};

/// The `system` name in scenario files.
pub const SYSTEM: &str = "patroni";

/// The timers of the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// An etcd member's own.
    Etcd(crate::raft::Timer),
    /// The HA loop is due (its generation).
    Loop(u64),
    /// A DCS request got no answer in time (request, try).
    Dcs(u64, u32),
    /// A DCS retry's sleep ended (request, try).
    Retry(u64, u32),
    /// Other members' REST answers are due (round).
    Rest(u64),
    /// A start or a rewind finished (its generation).
    Busy(u64),
    /// PostgreSQL looks at its replication timeouts.
    PgTick,
    /// A client's next operation.
    Next,
    /// A client's timeout for an operation.
    OpTimeout(OpId),
}

pub(crate) type PCtx<'a> = Ctx<'a, Msg, Timer>;

/// Client settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClientSettings {
    /// Rows inserted per second per client (one at a time).
    pub rate_per_s: u32,
    /// The driver's query timeout (0: none).
    pub timeout_ms: Millis,
    /// Send a cancel request when the timeout passes.
    pub cancel_on_timeout: bool,
    /// How it finds the primary.
    pub connect: Connect,
}

impl Default for ClientSettings {
    fn default() -> Self {
        ClientSettings {
            rate_per_s: 10,
            timeout_ms: 0,
            cancel_on_timeout: false,
            connect: Connect::Fixed,
        }
    }
}

/// PostgreSQL's settings, with its names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PgSettings {
    /// `synchronous_commit`.
    pub synchronous_commit: SyncCommit,
    /// `synchronous_standby_names` (Patroni sets it itself in synchronous mode).
    pub synchronous_standby_names: String,
    /// `wal_sender_timeout` (ms).
    pub wal_sender_timeout_ms: Millis,
    /// `wal_receiver_timeout` (ms).
    pub wal_receiver_timeout_ms: Millis,
}

impl Default for PgSettings {
    fn default() -> Self {
        PgSettings {
            synchronous_commit: SyncCommit::On,
            synchronous_standby_names: String::new(),
            wal_sender_timeout_ms: 60_000,
            wal_receiver_timeout_ms: 60_000,
        }
    }
}

/// The etcd cluster's settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EtcdSettings {
    /// `--heartbeat-interval` (ms).
    pub heartbeat_interval_ms: Millis,
    /// `--election-timeout` (ms).
    pub election_timeout_ms: Millis,
    /// `--pre-vote` (off in 3.4).
    pub pre_vote: bool,
    /// The etcd member that leads at the start (default: the one on the primary's host).
    pub initial_leader: Option<String>,
}

impl Default for EtcdSettings {
    fn default() -> Self {
        EtcdSettings {
            heartbeat_interval_ms: 100,
            election_timeout_ms: 1000,
            pre_vote: false,
            initial_leader: None,
        }
    }
}

/// The Patroni release.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Version {
    /// Debian's 3.0.2: the leader key is rewritten without a condition after a new lease.
    #[serde(rename = "3.0.2")]
    V302,
    /// 3.0.3 and later (patroni#2689, #2693).
    #[serde(rename = "3.0.3")]
    V303,
}

/// Which etcd members a Patroni agent talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoints {
    /// Its own host's member first, then the others it learned (etcd3's member list).
    Local,
    /// Every member, in order.
    All,
}

/// Every setting, with Patroni's names and defaults (times in seconds, as Patroni's).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PatroniSettings {
    /// `ttl` (s): the leader key's lease.
    pub ttl: u64,
    /// `loop_wait` (s).
    pub loop_wait: u64,
    /// `retry_timeout` (s).
    pub retry_timeout: u64,
    /// `synchronous_mode`.
    pub synchronous_mode: bool,
    /// `synchronous_mode_strict`.
    pub synchronous_mode_strict: bool,
    /// `failsafe_mode`.
    pub failsafe_mode: bool,
    /// `use_pg_rewind`.
    pub use_pg_rewind: bool,
    /// `remove_data_directory_on_diverged_timelines`.
    pub remove_data_directory_on_diverged_timelines: bool,
    /// `maximum_lag_on_failover` (bytes).
    pub maximum_lag_on_failover: u64,
    /// The Patroni release.
    pub patroni_version: Version,
    /// Which etcd members each agent talks to.
    pub endpoints: Endpoints,
    /// The member whose PostgreSQL is primary at the start (default: the first).
    pub initial_primary: Option<String>,
    /// PostgreSQL.
    pub postgresql: PgSettings,
    /// The etcd cluster.
    pub etcd: EtcdSettings,
    /// Clients.
    pub client: ClientSettings,
}

impl Default for PatroniSettings {
    fn default() -> Self {
        PatroniSettings {
            ttl: 30,
            loop_wait: 10,
            retry_timeout: 10,
            synchronous_mode: false,
            synchronous_mode_strict: false,
            failsafe_mode: false,
            use_pg_rewind: true,
            remove_data_directory_on_diverged_timelines: false,
            maximum_lag_on_failover: 1_048_576,
            patroni_version: Version::V302,
            endpoints: Endpoints::Local,
            initial_primary: None,
            postgresql: PgSettings::default(),
            etcd: EtcdSettings::default(),
            client: ClientSettings::default(),
        }
    }
}

/// One process of the model.
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum PatroniProc {
    /// An etcd member of the DCS, the etcd system's own.
    Etcd(Node),
    /// Patroni and its PostgreSQL.
    Member(Box<Member>),
    /// An application.
    Client(Client),
}

/// What survives a crash.
#[derive(Clone, Debug)]
pub enum Durable {
    /// An etcd member's WAL.
    Etcd(HardState),
    /// PostgreSQL's data directory.
    Pg(Box<Pg>),
    /// Nothing.
    None,
}

/// etcd's signals inside Patroni: an etcd leader is not a PostgreSQL primary, so its
/// election is an event of the DCS and its writability is not a writer's.
fn etcd_signal(s: Signal) -> Option<Signal> {
    match s {
        Signal::NewLeader { epoch, .. } => Some(Signal::Event(
            PatroniEvent::EtcdLeader { term: epoch }.present(),
        )),
        Signal::Writable { .. }
        | Signal::Elected { .. }
        | Signal::ElectionStarted { .. }
        | Signal::Voted { .. } => None,
        s => Some(s),
    }
}

impl Process for PatroniProc {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Durable;

    fn on_start(&mut self, ctx: &mut PCtx) {
        match self {
            PatroniProc::Etcd(n) => ctx.nest(Msg::Etcd, Timer::Etcd, etcd_signal, |c| n.start(c)),
            PatroniProc::Member(m) => m.start(ctx),
            PatroniProc::Client(c) => c.start(ctx),
        }
    }

    fn on_msg(&mut self, from: ProcId, msg: Msg, ctx: &mut PCtx) {
        match self {
            PatroniProc::Etcd(n) => {
                if let Msg::Etcd(m) = msg {
                    ctx.nest(Msg::Etcd, Timer::Etcd, etcd_signal, |c| {
                        n.on_msg(from, m, c)
                    });
                }
            }
            PatroniProc::Member(m) => m.on_msg(from, msg, ctx),
            PatroniProc::Client(c) => c.on_msg(from, msg, ctx),
        }
    }

    fn on_timer(&mut self, t: Timer, ctx: &mut PCtx) {
        match (self, t) {
            (PatroniProc::Etcd(n), Timer::Etcd(t)) => {
                ctx.nest(Msg::Etcd, Timer::Etcd, etcd_signal, |c| n.on_timer(t, c))
            }
            (PatroniProc::Member(m), t) => m.on_timer(t, ctx),
            (PatroniProc::Client(c), t) => c.on_timer(t, ctx),
            _ => {}
        }
    }

    fn durable(&self) -> Durable {
        match self {
            PatroniProc::Etcd(n) => Durable::Etcd(n.durable()),
            PatroniProc::Member(m) => Durable::Pg(Box::new(m.disk())),
            PatroniProc::Client(_) => Durable::None,
        }
    }

    fn on_restart(&mut self, durable: Option<Durable>, ctx: &mut PCtx) {
        match self {
            PatroniProc::Etcd(n) => {
                let hs = match durable {
                    Some(Durable::Etcd(h)) => Some(h),
                    _ => None,
                };
                ctx.nest(Msg::Etcd, Timer::Etcd, etcd_signal, |c| n.restart(hs, c))
            }
            PatroniProc::Member(m) => {
                let pg = match durable {
                    Some(Durable::Pg(p)) => Some(*p),
                    _ => None,
                };
                m.restart(pg, ctx)
            }
            PatroniProc::Client(c) => c.restart(ctx),
        }
    }

    fn on_disk_latency(&mut self, ms: Option<Millis>, _ctx: &mut PCtx) {
        if let PatroniProc::Etcd(n) = self {
            n.set_disk(ms);
        }
    }

    fn view(&self) -> ProcView {
        match self {
            PatroniProc::Etcd(n) => {
                // Drawn as the DCS, not as a database that takes writes.
                let mut v = n.view();
                v.role = crate::view::Role::Watcher;
                v.writable = false;
                // The keys in Patroni's words: whose name the leader key holds.
                if let Some(kv) = n.kv().get(LEADER) {
                    v = v.proc("leader key", ProcId((kv.value - 1) as u16));
                    if let Some(ms) = n.kv().remaining(kv.lease, n.now()) {
                        v = v.num("its lease: seconds left", ms.div_ceil(1000));
                        let ttl = n.kv().ttl(kv.lease).unwrap_or(ms);
                        v = v.gauge("leader key's lease, as this etcd leader counts it", ms, ttl);
                    }
                } else {
                    v = v.fact("leader key", "none");
                }
                v
            }
            PatroniProc::Member(m) => m.view(),
            PatroniProc::Client(c) => c.view(),
        }
    }
}

fn members<'a>(
    procs: &'a [PatroniProc],
    alive: &'a [bool],
) -> impl Iterator<Item = (usize, &'a Member)> {
    procs.iter().enumerate().filter_map(move |(i, p)| match p {
        PatroniProc::Member(m) if alive[i] => Some((i, &**m)),
        _ => None,
    })
}

/// The leader key's owner in the DCS's committed state: as the etcd leader of the
/// newest term applied it (or the member that applied most).
fn key_owner(procs: &[PatroniProc], alive: &[bool]) -> Option<usize> {
    let etcd = procs.iter().enumerate().filter_map(|(i, p)| match p {
        PatroniProc::Etcd(n) if alive[i] => Some(n),
        _ => None,
    });
    let n = etcd.max_by_key(|n| (n.state() == State::Leader, n.term(), n.commit()))?;
    n.kv().get(LEADER).map(|kv| (kv.value - 1) as usize)
}

impl System for PatroniProc {
    fn desc() -> &'static SystemDesc {
        &DESC
    }

    /// A read at the end through a multi-host connection string: the primary that owns
    /// the leader key, else any primary, else the standby with the most WAL.
    fn final_read(procs: &[Self], alive: &[bool]) -> Option<(usize, DataSet)> {
        let primaries: Vec<(usize, &Member)> = members(procs, alive)
            .filter(|(_, m)| m.pg().role() == PgRole::Primary)
            .collect();
        let owner = key_owner(procs, alive);
        let pick = primaries
            .iter()
            .find(|(i, _)| Some(*i) == owner)
            .or_else(|| primaries.iter().max_by_key(|(_, m)| m.pg().tl().n))
            .copied()
            .or_else(|| members(procs, alive).max_by_key(|(_, m)| m.pg().lsn()))?;
        Some((pick.0, pick.1.pg().rows().clone()))
    }

    fn invariants() -> &'static [Invariant<Self>] {
        &INVARIANTS
    }
}

static INVARIANTS: [Invariant<PatroniProc>; 3] = [
    Invariant {
        name: "the leader key has at most one owner in the DCS's committed state",
        check: one_key_owner,
    },
    Invariant {
        name: "never two primaries acknowledging synchronous commits at once",
        check: one_synchronous_primary,
    },
    Invariant {
        name: "one primary per timeline",
        check: crate::system::one_leader_per_epoch,
    },
];

/// No two members' periods of acknowledging synchronous commits overlap.
fn one_synchronous_primary(r: &RunState<PatroniProc>) -> Result<(), String> {
    let acks: Vec<(usize, (u32, Millis, Millis))> = r
        .procs
        .iter()
        .enumerate()
        .filter_map(|(i, p)| match p {
            PatroniProc::Member(m) => Some(m.pg().sync_acks().iter().map(move |a| (i, *a))),
            _ => None,
        })
        .flatten()
        .collect();
    for (k, (i, a)) in acks.iter().enumerate() {
        for (j, b) in &acks[k + 1..] {
            if i != j && a.1 <= b.2 && b.1 <= a.2 {
                return Err(format!(
                    "#{i} (from {} to {} ms) and #{j} (from {} to {} ms) both acknowledged synchronous commits",
                    a.1, a.2, b.1, b.2
                ));
            }
        }
    }
    Ok(())
}

/// etcd members that have applied the same prefix hold the same leader key.
fn one_key_owner(r: &RunState<PatroniProc>) -> Result<(), String> {
    let etcd: Vec<(usize, &Node)> = r
        .procs
        .iter()
        .enumerate()
        .filter_map(|(i, p)| match p {
            PatroniProc::Etcd(n) => Some((i, n)),
            _ => None,
        })
        .collect();
    for (k, (i, a)) in etcd.iter().enumerate() {
        for (j, b) in &etcd[k + 1..] {
            if a.commit() == b.commit() && a.kv().get(LEADER) != b.kv().get(LEADER) {
                return Err(format!(
                    "#{i} and #{j} applied the same entries but hold different leader keys"
                ));
            }
        }
    }
    Ok(())
}

/// The settings with Patroni's defaults filled in.
pub fn effective_settings(s: &Scenario) -> Result<serde_json::Value, ScenarioError> {
    crate::scenario::effective::<PatroniSettings>(s)
}

/// Builds a Patroni run from a scenario.
pub fn build(s: &Scenario, opts: RunOptions) -> Result<Box<dyn Simulation>, ScenarioError> {
    let set: PatroniSettings = parse_settings(&s.settings)?;
    DESC.check_kinds(s)?;
    let per: Vec<PatroniSettings> = DESC.per_process(s)?;
    DESC.check_ranges(&serde_json::to_value(&set).expect("settings serialize"))?;
    let names: Vec<String> = s.processes().map(|(_, p)| p.name.clone()).collect();
    let box_of: Vec<usize> = s.processes().map(|(b, _)| b).collect();
    let ids = |kind: &str| -> Vec<ProcId> {
        s.processes()
            .enumerate()
            .filter(|(_, (_, p))| p.kind == kind)
            .map(|(k, _)| ProcId(k as u16))
            .collect()
    };
    let etcd = ids("etcd");
    let pgs = ids("postgres");
    for (k, (_, p)) in s.processes().enumerate() {
        if p.priority.is_some() {
            let (bi, pj) = s.locate(k);
            return Err(ScenarioError::new(
                format!("boxes[{bi}].processes[{pj}].priority"),
                "the lab models no Patroni failover priority (it came in Patroni 3.1)",
            ));
        }
    }
    let e = &set.etcd;
    if e.election_timeout_ms < 5 * e.heartbeat_interval_ms {
        return Err(ScenarioError::new(
            "settings.etcd.election_timeout_ms",
            format!(
                "must be at least 5 times etcd.heartbeat_interval_ms ({} ms), as etcd requires",
                5 * e.heartbeat_interval_ms
            ),
        ));
    }
    let user_ssn = SyncNames::parse(&set.postgresql.synchronous_standby_names)
        .map_err(|e| ScenarioError::new("settings.postgresql.synchronous_standby_names", e))?;
    crate::system::check_budget(s, set.client.rate_per_s)?;
    let primary = s.named_among(
        set.initial_primary.as_deref(),
        &pgs,
        "settings.initial_primary",
        "a PostgreSQL member",
    )?;
    let mut warnings = Vec::new();
    // Patroni's docs: "loop_wait + 2*retry_timeout <= ttl".
    if set.loop_wait + 2 * set.retry_timeout > set.ttl {
        warnings.push(format!(
            "loop_wait + 2 × retry_timeout = {} s exceeds ttl = {} s: the primary's key may expire before it gives up on the DCS, so two primaries can overlap",
            set.loop_wait + 2 * set.retry_timeout,
            set.ttl
        ));
    }
    if etcd.len() % 2 == 0 {
        warnings.push(format!(
            "{} etcd members: a majority is {}, so an even cluster tolerates no more failures than {} members would",
            etcd.len(),
            etcd.len() / 2 + 1,
            etcd.len() - 1
        ));
    }
    if set.synchronous_mode && !set.postgresql.synchronous_standby_names.is_empty() {
        warnings.push("synchronous_mode is on: Patroni sets synchronous_standby_names itself and ignores the configured value".into());
    }
    if let SyncNames::First(_, n) | SyncNames::Any(_, n) = &user_ssn {
        for name in n {
            if name != "*" && !pgs.iter().any(|p| names[p.idx()] == *name) {
                warnings.push(format!("synchronous_standby_names names `{name}`, which is no member: PostgreSQL accepts it and waits for a standby that never comes"));
            }
        }
    }
    // The etcd leader of term 1: as set, else the member on the primary's box, if any.
    let mut etcd_first = etcd.clone();
    if let Some(k) = etcd
        .iter()
        .position(|m| box_of[m.idx()] == box_of[primary.idx()])
    {
        etcd_first.swap(0, k);
    }
    let etcd_leader = s.named_among(
        e.initial_leader.as_deref(),
        &etcd_first,
        "settings.etcd.initial_leader",
        "an etcd member",
    )?;
    let node_cfg = NodeCfg {
        tick_ms: e.heartbeat_interval_ms,
        election_ticks: e.election_timeout_ms / e.heartbeat_interval_ms,
        pre_vote: e.pre_vote,
        check_quorum: true,
        lease_reads: false,
        fsync_ms: 1,
        storage: None,
    };
    let pg_cfg = PgCfg {
        wal_sender_timeout: set.postgresql.wal_sender_timeout_ms,
        wal_receiver_timeout: set.postgresql.wal_receiver_timeout_ms,
        status_interval: 10_000,
        retry_interval: 5_000,
        sync_commit: set.postgresql.synchronous_commit,
        names: names.clone(),
    };
    // A cluster that has been up a while: one checkpoint record on timeline 1.
    let wal: imbl::Vector<Rec> = std::iter::once(Rec {
        tl: Tl { n: 1, uid: 1 },
        value: 0,
    })
    .collect();
    let primary_lease = ((primary.0 as u64 + 1) << 16) | 1;
    let mut procs = Vec::new();
    let mut client_index = 0;
    for (k, (b, p)) in s.processes().enumerate() {
        let id = ProcId(k as u16);
        procs.push(match p.kind.as_str() {
            "etcd" => {
                let mut n = Node::new(id, etcd.clone(), node_cfg.clone(), etcd_leader);
                // The leader key and its lease, committed before the run starts.
                n.preload(&[
                    crate::raft::kv::KvCmd::Grant {
                        id: primary_lease,
                        ttl_ms: set.ttl * 1000,
                    },
                    crate::raft::kv::KvCmd::Put {
                        key: LEADER,
                        value: primary.0 as u64 + 1,
                        lease: primary_lease,
                        cmp: crate::raft::kv::Compare::Any,
                    },
                ]);
                PatroniProc::Etcd(n)
            }
            "postgres" => {
                let local = etcd.iter().copied().find(|m| box_of[m.idx()] == b);
                let mut endpoints: Vec<ProcId> = match (set.endpoints, local) {
                    (Endpoints::Local, Some(l)) => std::iter::once(l)
                        .chain(etcd.iter().copied().filter(|m| *m != l))
                        .collect(),
                    _ => etcd.clone(),
                };
                endpoints.dedup();
                let cfg = HaCfg {
                    ttl: set.ttl * 1000,
                    loop_wait: set.loop_wait * 1000,
                    retry_timeout: set.retry_timeout * 1000,
                    sync_mode: set.synchronous_mode,
                    strict: set.synchronous_mode_strict,
                    failsafe: set.failsafe_mode,
                    fixed: set.patroni_version == Version::V303,
                    use_pg_rewind: set.use_pg_rewind,
                    reinit_on_diverged: set.remove_data_directory_on_diverged_timelines,
                    etcd: endpoints,
                    peers: pgs.iter().copied().filter(|q| *q != id).collect(),
                    user_ssn: user_ssn.clone(),
                    names: names.clone(),
                    max_lag: set.maximum_lag_on_failover,
                };
                let role = if id == primary {
                    PgRole::Primary
                } else {
                    PgRole::Standby
                };
                let mut pg = Pg::new(id, pg_cfg.clone(), role, wal.clone());
                let member = if id == primary {
                    Member::new(id, cfg, pg).with_lease(primary_lease)
                } else {
                    pg.set_upstream(primary);
                    Member::new(id, cfg, pg).with_leader(primary, primary_lease)
                };
                PatroniProc::Member(Box::new(member))
            }
            _ => {
                client_index += 1;
                let c = &per[k].client;
                // A fixed client uses its own box's PostgreSQL, else the primary's.
                let own = pgs.iter().copied().find(|q| box_of[q.idx()] == b);
                let first = match c.connect {
                    Connect::Fixed => own.unwrap_or(primary),
                    _ => pgs[0],
                };
                let hosts: Vec<ProcId> = std::iter::once(first)
                    .chain(pgs.iter().copied().filter(|q| *q != first))
                    .collect();
                PatroniProc::Client(Client::new(ClientCfg {
                    index: client_index - 1,
                    interval: (1000 / c.rate_per_s as u64).max(1),
                    timeout: c.timeout_ms,
                    cancel: c.cancel_on_timeout,
                    connect: c.connect,
                    hosts,
                }))
            }
        });
    }
    let persist = vec![true; procs.len()];
    Ok(Box::new(Run::new(
        s.clone(),
        procs,
        warnings,
        persist,
        opts,
    )?))
}
