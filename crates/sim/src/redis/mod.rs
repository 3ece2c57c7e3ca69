//! Redis with Sentinel and asynchronous replication, modelled on Redis 7.0.
//!
//! Sources: the Redis docs "High availability with Redis Sentinel" and "Redis
//! replication", and, where the docs are silent, `src/sentinel.c` and
//! `src/replication.c` at tag 7.0.15 (each rule cites its function).

pub mod client;
pub mod conf;
pub mod config;
pub mod desc;
pub mod events;
pub mod monitor;
pub mod msg;
pub mod presets;
pub mod sentinel;
pub mod server;
pub mod storage;

use crate::history::OpId;
use crate::ids::ProcId;
use crate::process::{Ctx, DataSet, Process};
use crate::scenario::{parse_settings, Scenario, ScenarioError};
use crate::simulation::{Run, RunOptions, Simulation, System};
use crate::system::{Invariant, SystemDesc};
use crate::view::ProcView;

pub use desc::DESC;

use client::{Client, ClientCfg};
use config::RedisSettings;
use monitor::Monitor;
use msg::{Msg, WRITE_BYTES};
use sentinel::{Sentinel, SentinelCfg};
use server::{Server, ServerCfg};
use storage::Storage;

/// The `system` name in scenario files.
pub const SYSTEM: &str = "redis-sentinel";

/// The timers of the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// `replicationCron` (servers).
    Cron,
    /// `sentinelTimer` (Sentinels), the next operation (clients), a round (monitor).
    Tick,
    /// A client's socket timeout for an operation.
    OpTimeout(OpId),
    /// A client's wait for one Sentinel's answer.
    Discover(u64),
    /// A blocked `WAIT` reaches its timeout.
    WaitTimeout(OpId),
    /// A master has streamed a full resync's RDB to this replica.
    RdbDone(ProcId),
    /// A lock client's work under the lock is done.
    WorkDone,
}

pub(crate) type RCtx<'a> = Ctx<'a, Msg, Timer>;

/// One process of the model.
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum RedisProc {
    /// A Redis server.
    Server(Server),
    /// A Sentinel.
    Sentinel(Sentinel),
    /// A client application.
    Client(Client),
    /// A split-brain monitor.
    Monitor(Monitor),
    /// Fenced shared storage.
    Storage(Storage),
}

/// What a Redis process keeps across a crash.
#[derive(Clone, Debug)]
pub enum RedisDurable {
    /// A server's RDB/AOF.
    Server(server::Rdb),
    /// Nothing on disk that the model needs: a Sentinel rewrites its config file on
    /// every change, so it keeps what it knew across any restart; clients, the monitor
    /// and the storage keep nothing.
    Nothing,
}

impl Process for RedisProc {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = RedisDurable;

    fn on_start(&mut self, ctx: &mut RCtx) {
        match self {
            RedisProc::Server(s) => s.start(ctx),
            RedisProc::Sentinel(s) => s.start(ctx),
            RedisProc::Client(c) => c.start(ctx),
            RedisProc::Monitor(m) => m.start(ctx),
            RedisProc::Storage(_) => {}
        }
    }

    fn on_msg(&mut self, from: ProcId, msg: Msg, ctx: &mut RCtx) {
        match self {
            RedisProc::Server(s) => s.on_msg(from, msg, ctx),
            RedisProc::Sentinel(s) => s.on_msg(from, msg, ctx),
            RedisProc::Client(c) => c.on_msg(from, msg, ctx),
            RedisProc::Monitor(m) => m.on_msg(msg),
            RedisProc::Storage(s) => s.on_msg(from, msg, ctx),
        }
    }

    fn on_timer(&mut self, t: Timer, ctx: &mut RCtx) {
        match self {
            RedisProc::Server(s) => s.on_timer(t, ctx),
            RedisProc::Sentinel(s) => s.on_timer(t, ctx),
            RedisProc::Client(c) => c.on_timer(t, ctx),
            RedisProc::Monitor(m) => m.on_timer(t, ctx),
            RedisProc::Storage(_) => {}
        }
    }

    fn durable(&self) -> RedisDurable {
        match self {
            RedisProc::Server(s) => RedisDurable::Server(s.durable()),
            _ => RedisDurable::Nothing,
        }
    }

    fn on_restart(&mut self, durable: Option<RedisDurable>, ctx: &mut RCtx) {
        match self {
            RedisProc::Server(s) => s.restart(
                match durable {
                    Some(RedisDurable::Server(rdb)) => Some(rdb),
                    _ => None,
                },
                ctx,
            ),
            RedisProc::Sentinel(s) => s.restart(ctx),
            RedisProc::Client(c) => c.restart(ctx),
            RedisProc::Monitor(m) => m.start(ctx),
            RedisProc::Storage(_) => {}
        }
    }

    fn view(&self) -> ProcView {
        match self {
            RedisProc::Server(s) => s.view(),
            RedisProc::Sentinel(s) => s.view(),
            RedisProc::Client(c) => c.view(),
            RedisProc::Monitor(m) => m.view(),
            RedisProc::Storage(s) => s.view(),
        }
    }
}

impl System for RedisProc {
    fn desc() -> &'static SystemDesc {
        &DESC
    }

    /// With fencing, the storage is the system of record. Otherwise a client's final
    /// read goes to the master named by the Sentinel with the newest config epoch (the
    /// config all Sentinels converge to); without Sentinels, the first server that is a
    /// master.
    fn final_read(procs: &[Self], _alive: &[bool]) -> Option<(usize, DataSet)> {
        let holder = if let Some(i) = procs
            .iter()
            .position(|p| matches!(p, RedisProc::Storage(_)))
        {
            Some(i)
        } else {
            let named = procs
                .iter()
                .filter_map(|p| match p {
                    RedisProc::Sentinel(s) => Some((s.config_epoch(), s.current_master())),
                    _ => None,
                })
                .max_by_key(|(e, m)| (*e, std::cmp::Reverse(*m)));
            match named {
                Some((_, m)) => Some(m.idx()),
                None => procs
                    .iter()
                    .position(|p| matches!(p, RedisProc::Server(s) if s.master().is_none())),
            }
        }?;
        let data = match &procs[holder] {
            RedisProc::Server(s) => s.data().clone(),
            RedisProc::Storage(s) => s.data().clone(),
            _ => return None,
        };
        Some((holder, data))
    }

    fn invariants() -> &'static [Invariant<Self>] {
        &INVARIANTS
    }
}

/// Sentinel's safety property: a failover's epoch is won by one Sentinel
/// (`sentinelVoteLeader` votes once per epoch), so one promotion per epoch.
static INVARIANTS: [Invariant<RedisProc>; 3] = {
    // The lock workload's: a lock on one Redis master is only as single as the master.
    let [one_holder, no_stale] = crate::system::lock_invariants();
    [
        Invariant {
            name: "one promotion per epoch",
            check: crate::system::one_leader_per_epoch,
        },
        one_holder,
        no_stale,
    ]
};

/// The settings with Redis's defaults filled in.
pub fn effective_settings(s: &Scenario) -> Result<serde_json::Value, ScenarioError> {
    crate::scenario::effective::<RedisSettings>(s)
}

/// Builds a Redis + Sentinel run from a scenario. Each process runs with its own
/// settings (the scenario's, with the process's own over them), as each real server
/// and Sentinel reads its own redis.conf or sentinel.conf.
pub fn build(s: &Scenario, opts: RunOptions) -> Result<Box<dyn Simulation>, ScenarioError> {
    let set: RedisSettings = parse_settings(&s.settings)?;
    let mut warnings = Vec::new();
    DESC.check_kinds(s)?;
    if set.quorum == 0 {
        return Err(ScenarioError::new(
            "settings.quorum",
            "must be at least 1 (Sentinel refuses `sentinel monitor` with quorum 0)",
        ));
    }
    DESC.check_ranges(&serde_json::to_value(&set).expect("settings serialize"))?;
    let own: Vec<RedisSettings> = DESC.per_process(s)?;
    let mut servers = Vec::new();
    let mut sentinels = Vec::new();
    let mut storage = None;
    for (k, (_, p)) in s.processes().enumerate() {
        match p.kind.as_str() {
            "redis" => servers.push(ProcId(k as u16)),
            "sentinel" => sentinels.push(ProcId(k as u16)),
            "storage" => storage = Some(ProcId(k as u16)),
            _ => {}
        }
        if p.priority.is_some() && p.kind != "redis" {
            let (bi, pj) = s.locate(k);
            return Err(ScenarioError::new(
                format!("boxes[{bi}].processes[{pj}].priority"),
                "only Redis servers have a replica-priority",
            ));
        }
    }
    let names: Vec<&str> = s.processes().map(|(_, p)| p.name.as_str()).collect();
    let master = s.named_among(
        set.initial_master.as_deref(),
        &servers,
        "settings.initial_master",
        "a Redis server",
    )?;
    let clients: Vec<usize> = (0..own.len())
        .filter(|&k| matches!(s.processes().nth(k), Some((_, p)) if p.kind == "client"))
        .collect();
    let busiest = clients.iter().map(|&k| own[k].client.rate_per_s).max();
    crate::system::check_budget(s, busiest.unwrap_or(set.client.rate_per_s))?;
    crate::fencing::check(set.fencing, storage)?;
    let locks = clients
        .iter()
        .any(|&k| own[k].client.workload == config::Workload::Lock);
    crate::fencing::check_lock_storage(locks, storage)?;
    warnings.extend(quorum_warning(&sentinels, &own));
    for &k in &clients {
        let c = &own[k].client;
        if c.wait_replicas as usize >= servers.len() && c.wait_replicas > 0 {
            warnings.push(format!(
                "{}: WAIT {} asks for more replicas than exist ({}): every WAIT will time out",
                names[k],
                c.wait_replicas,
                servers.len() - 1
            ));
        }
        if c.discovery != config::Discovery::Fixed && sentinels.is_empty() {
            return Err(ScenarioError::new(
                "settings.client.discovery",
                "clients ask Sentinel, but there is no Sentinel: add one or use `fixed`",
            ));
        }
    }
    warnings.dedup();
    // Run ids are random in Redis (getRandomHexChars), so a tie on replication offset
    // goes either way from one deployment to the next: drawn from the seed here.
    let mut ids = crate::rng::SimRng::new(s.seed ^ 0x7275_6e69_6473);
    let run_ids: Vec<u64> = (0..own.len()).map(|_| ids.next_u64()).collect();
    let mut client_index = 0;
    let mut procs = Vec::new();
    for (k, (b, p)) in s.processes().enumerate() {
        let id = ProcId(k as u16);
        let o = &own[k];
        let proc = match p.kind.as_str() {
            "redis" => RedisProc::Server(
                Server::new(
                    ServerCfg {
                        min_replicas: o.min_replicas_to_write,
                        max_lag_s: o.min_replicas_max_lag_s,
                        repl_timeout_ms: o.repl_timeout_s * 1000,
                        backlog_writes: (o.repl_backlog_bytes / WRITE_BYTES) as usize,
                        priority: p.priority.unwrap_or(100),
                        storage: if set.fencing { storage } else { None },
                        diskless_sync: o.repl_diskless_sync,
                        diskless_delay_s: o.repl_diskless_sync_delay_s,
                        transfer_ms: set.dataset_mb * 1000 / config::TRANSFER_MB_PER_S,
                    },
                    (id != master).then_some(master),
                    run_ids[k],
                )
                .in_sync_with(run_ids[master.idx()]),
            ),
            "sentinel" => RedisProc::Sentinel(Sentinel::new(
                id,
                SentinelCfg {
                    quorum: o.quorum,
                    down_after: o.down_after_ms,
                    failover_timeout: o.failover_timeout_ms,
                    parallel_syncs: o.parallel_syncs,
                },
                master,
                if o.known_topology { &servers } else { &[] },
                if o.known_topology { &sentinels } else { &[] },
            )),
            "client" => {
                client_index += 1;
                let c = &o.client;
                // A client configured with its own host's Sentinel only.
                let known = match c.discovery {
                    config::Discovery::LocalSentinel => {
                        let local: Vec<ProcId> = sentinels
                            .iter()
                            .copied()
                            .filter(|q| s.processes().nth(q.idx()).is_some_and(|(qb, _)| qb == b))
                            .collect();
                        if local.is_empty() {
                            let (bi, pj) = s.locate(k);
                            return Err(ScenarioError::new(
                                format!("boxes[{bi}].processes[{pj}]"),
                                format!("{} asks its local Sentinel, but its box has none", p.name),
                            ));
                        }
                        local
                    }
                    _ => sentinels.clone(),
                };
                RedisProc::Client(Client::new(
                    ClientCfg {
                        index: client_index - 1,
                        interval: (1000 / c.rate_per_s as u64).max(1),
                        timeout: c.timeout_ms,
                        discovery: c.discovery,
                        workload: c.workload,
                        wait: (c.wait_replicas > 0).then_some((c.wait_replicas, c.wait_timeout_ms)),
                        fixed: master,
                        storage,
                        lock_ttl: c.lock_ttl_ms,
                        work: c.work_ms,
                    },
                    known,
                ))
            }
            "monitor" => RedisProc::Monitor(Monitor::new(sentinels.clone())),
            // Without fencing, a storage that lock clients write to takes every write.
            _ => RedisProc::Storage(Storage::new(set.fencing || !locks)),
        };
        procs.push(proc);
    }
    let persist = own.iter().map(|o| o.persistence).collect();
    Ok(Box::new(Run::new(
        s.clone(),
        procs,
        warnings,
        persist,
        opts,
    )?))
}

/// What the Sentinels' quorums mean for a failover, when it is not what people expect.
/// Each Sentinel has its own quorum (sentinel.conf); the smallest decides how few
/// can declare the master down.
fn quorum_warning(sentinels: &[ProcId], own: &[RedisSettings]) -> Option<String> {
    let n = sentinels.len() as u32;
    let q = sentinels.iter().map(|k| own[k.idx()].quorum).min()?;
    let majority = n / 2 + 1;
    if q > n {
        Some(format!(
            "quorum {q} is larger than the {n} Sentinels: Redis accepts it, but ODOWN can never be reached, so no failover will ever happen"
        ))
    } else if q == 1 {
        Some(format!(
            "quorum 1 with {n} Sentinels: a single Sentinel that loses the master (even through a flaky link) can start a failover that the others then authorize"
        ))
    } else if q < majority {
        Some(format!(
            "quorum {q} is below a majority of {n} Sentinels: {q} Sentinels that lose the master (even through flaky links) can start a failover that the others then authorize"
        ))
    } else {
        None
    }
}
