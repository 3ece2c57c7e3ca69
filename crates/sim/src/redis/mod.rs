//! Redis with Sentinel and asynchronous replication, modelled on Redis 7.0.
//!
//! Sources: the Redis docs "High availability with Redis Sentinel" and "Redis
//! replication", and, where the docs are silent, `src/sentinel.c` and
//! `src/replication.c` at tag 7.0.15 (each rule cites its function).

pub mod client;
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
static INVARIANTS: [Invariant<RedisProc>; 1] = [Invariant {
    name: "one promotion per epoch",
    check: crate::system::one_leader_per_epoch,
}];

/// The settings with Redis's defaults filled in.
pub fn effective_settings(s: &Scenario) -> Result<serde_json::Value, ScenarioError> {
    crate::scenario::effective::<RedisSettings>(s)
}

/// Builds a Redis + Sentinel run from a scenario.
pub fn build(s: &Scenario, opts: RunOptions) -> Result<Box<dyn Simulation>, ScenarioError> {
    let set: RedisSettings = parse_settings(&s.settings)?;
    let mut warnings = Vec::new();
    DESC.check_kinds(s)?;
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
    let master = match &set.initial_master {
        None => servers[0],
        Some(n) => match names.iter().position(|x| x == n) {
            Some(i) if servers.contains(&ProcId(i as u16)) => ProcId(i as u16),
            _ => {
                return Err(ScenarioError::new(
                    "settings.initial_master",
                    format!("`{n}` is not a Redis server of this scenario"),
                ))
            }
        },
    };
    if set.quorum == 0 {
        return Err(ScenarioError::new(
            "settings.quorum",
            "must be at least 1 (Sentinel refuses `sentinel monitor` with quorum 0)",
        ));
    }
    DESC.check_ranges(&serde_json::to_value(&set).expect("settings serialize"))?;
    let c = &set.client;
    crate::system::check_budget(s, c.rate_per_s)?;
    crate::fencing::check(set.fencing, storage)?;
    let n_sentinels = sentinels.len() as u32;
    if n_sentinels > 0 && set.quorum > n_sentinels {
        warnings.push(format!(
            "quorum {} is larger than the {n_sentinels} Sentinels: Redis accepts it, but ODOWN can never be reached, so no failover will ever happen",
            set.quorum
        ));
    } else if n_sentinels > 0 && set.quorum < n_sentinels / 2 + 1 {
        warnings.push(format!(
            "quorum {} is below a majority of {n_sentinels} Sentinels: a single Sentinel that loses the master (even through a flaky link) can start a failover that the others then authorize",
            set.quorum
        ));
    }
    if c.wait_replicas as usize >= servers.len() && c.wait_replicas > 0 {
        warnings.push(format!(
            "WAIT {} asks for more replicas than exist ({}): every WAIT will time out",
            c.wait_replicas,
            servers.len() - 1
        ));
    }
    if c.discovery == config::Discovery::Sentinel && sentinels.is_empty() {
        return Err(ScenarioError::new(
            "settings.client.discovery",
            "clients ask Sentinel, but there is no Sentinel: add one or use `fixed`",
        ));
    }
    let backlog_writes = (set.repl_backlog_bytes / WRITE_BYTES) as usize;
    let interval = (1000 / c.rate_per_s as u64).max(1);
    let mut client_index = 0;
    let mut procs = Vec::new();
    for (k, (_, p)) in s.processes().enumerate() {
        let id = ProcId(k as u16);
        let proc = match p.kind.as_str() {
            "redis" => RedisProc::Server(Server::new(
                ServerCfg {
                    min_replicas: set.min_replicas_to_write,
                    max_lag_s: set.min_replicas_max_lag_s,
                    repl_timeout_ms: set.repl_timeout_s * 1000,
                    backlog_writes,
                    priority: p.priority.unwrap_or(100),
                    storage: if set.fencing { storage } else { None },
                },
                (id != master).then_some(master),
                0x1000 + k as u64,
            )),
            "sentinel" => RedisProc::Sentinel(Sentinel::new(
                id,
                SentinelCfg {
                    quorum: set.quorum,
                    down_after: set.down_after_ms,
                    failover_timeout: set.failover_timeout_ms,
                    parallel_syncs: set.parallel_syncs,
                },
                master,
                &servers,
                &sentinels,
            )),
            "client" => {
                client_index += 1;
                RedisProc::Client(Client::new(
                    ClientCfg {
                        index: client_index - 1,
                        interval,
                        timeout: c.timeout_ms,
                        discovery: c.discovery,
                        workload: c.workload,
                        wait: (c.wait_replicas > 0).then_some((c.wait_replicas, c.wait_timeout_ms)),
                        fixed: master,
                    },
                    sentinels.clone(),
                ))
            }
            "monitor" => RedisProc::Monitor(Monitor::new(sentinels.clone())),
            _ => RedisProc::Storage(Storage::default()),
        };
        procs.push(proc);
    }
    Ok(Box::new(Run::new(
        s.clone(),
        procs,
        warnings,
        set.persistence,
        opts,
    )?))
}
