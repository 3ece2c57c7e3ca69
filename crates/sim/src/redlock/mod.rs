//! RedLock: a lock taken on a majority of N independent Redis masters (no
//! replication, no Sentinel), as redis.io's "Distributed Locks with Redis" specifies
//! it, and as the seed writes it (without the clock drift allowance). Clients take
//! the lock, work, write to a shared storage with a token and release it; the
//! storage may check the token (fencing). Clocks may drift or be stepped, clients may
//! pause: Martin Kleppmann's "How to do distributed locking" (2016) cases.
//!
//! Sources: redis.io/docs/manual/patterns/distributed-locks (the algorithm, the
//! release script, the delayed restart), redlock-py 1.2 (`retry_count` 3,
//! `retry_delay` 200 ms, `clock_drift_factor` 0.01 plus 2 ms), Redis 7.0 `expire.c`
//! and `db.c` (`keyIsExpired`: a key expires when the server's clock passes it).

pub mod client;
pub mod desc;
pub mod events;
pub mod master;
pub mod msg;
pub mod presets;

use serde::{Deserialize, Serialize};

use crate::fencing::FencedStore;
use crate::history::OpId;
use crate::ids::{Millis, ProcId};
use crate::process::{Ctx, DataSet, Process};
use crate::scenario::{Scenario, ScenarioError};
use crate::simulation::{Run, RunOptions, Simulation, System};
use crate::system::{Invariant, SystemDesc};
use crate::view::ProcView;

use client::{ClientCfg, LockClient};
pub use desc::DESC;
use master::{LockKey, Master, MasterCfg};
use msg::Msg;

/// The `system` name in scenario files.
pub const SYSTEM: &str = "redlock";

/// The most masters (redis.io's example uses 5).
pub const MAX_MASTERS: usize = 9;

/// The timers of the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// A master's `serverCron` (active expiry, the once-a-second fsync).
    Cron,
    /// A client's next attempt.
    Next,
    /// A client's wait for one master's answer.
    Request(u64),
    /// A client's work under the lock is done.
    WorkDone,
    /// The validity of a client's `n`th lock ran out (clients that check their clock).
    ValidityEnd(u64),
    /// A client's wait for the storage.
    Store(OpId),
}

pub(crate) type RCtx<'a> = Ctx<'a, Msg, Timer>;

/// How a client computes how long its lock is valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Validity {
    /// redis.io: `ttl − elapsed − (ttl × 0.01 + 2 ms)`, held only if positive.
    #[serde(rename = "redis.io")]
    RedisIo,
    /// The seed: held if `elapsed < ttl`, valid for `ttl − elapsed`: no allowance
    /// for the masters' clocks running faster than the client's.
    #[serde(rename = "seed")]
    Seed,
}

/// `appendfsync`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppendFsync {
    /// Every write is synced before it is answered.
    Always,
    /// The file is synced once a second.
    Everysec,
}

/// Every setting: Redis's names where Redis has them, redlock-py's for the client.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RedlockSettings {
    /// `PX`: the lock key's time to live.
    pub ttl_ms: Millis,
    /// How the client decides the lock is held and for how long.
    pub validity: Validity,
    /// Attempts before a client gives up for now.
    pub retry_count: u32,
    /// The longest random wait between attempts.
    pub retry_delay_ms: Millis,
    /// How long a client waits for one master.
    pub request_timeout_ms: Millis,
    /// How long a client works under the lock before it writes.
    pub work_ms: Millis,
    /// How long a client waits after releasing before it wants the lock again.
    pub think_ms: Millis,
    /// A client looks at its clock before writing and gives up if its lock ran out.
    pub check_before_write: bool,
    /// The storage rejects a write whose token is below the newest it has seen.
    pub fencing: bool,
    /// `appendonly`: a master keeps its keys across a restart.
    pub appendonly: bool,
    /// `appendfsync`.
    pub appendfsync: AppendFsync,
    /// How long a restarted master waits before it answers.
    pub restart_delay_ms: Millis,
    /// How fast this host's clock runs, in parts per million (10,000 is 1%).
    pub clock_drift_ppm: u64,
}

impl Default for RedlockSettings {
    fn default() -> Self {
        RedlockSettings {
            ttl_ms: 10_000,
            validity: Validity::RedisIo,
            retry_count: 3,
            retry_delay_ms: 200,
            request_timeout_ms: 50,
            work_ms: 1000,
            think_ms: 1000,
            check_before_write: false,
            fencing: false,
            appendonly: false,
            appendfsync: AppendFsync::Everysec,
            restart_delay_ms: 0,
            clock_drift_ppm: 0,
        }
    }
}

/// One process of the model.
#[derive(Clone, Debug)]
pub enum RedlockProc {
    /// An independent Redis master.
    Master(Master),
    /// A client that takes the lock.
    Client(LockClient),
    /// The shared storage the lock protects.
    Storage(FencedStore),
}

impl Process for RedlockProc {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Option<LockKey>;

    fn on_start(&mut self, ctx: &mut RCtx) {
        match self {
            RedlockProc::Master(m) => m.start(ctx),
            RedlockProc::Client(c) => c.start(ctx),
            RedlockProc::Storage(_) => {}
        }
    }

    fn on_msg(&mut self, from: ProcId, msg: Msg, ctx: &mut RCtx) {
        match self {
            RedlockProc::Master(m) => m.on_msg(from, msg, ctx),
            RedlockProc::Client(c) => c.on_msg(msg, ctx),
            RedlockProc::Storage(s) => {
                if let Msg::Store { op, token, value } = msg {
                    let (accepted, newest) = s.write(from, token, value, ctx);
                    ctx.send(
                        from,
                        Msg::StoreReply {
                            op,
                            accepted,
                            newest,
                        },
                    );
                }
            }
        }
    }

    fn on_timer(&mut self, t: Timer, ctx: &mut RCtx) {
        match self {
            RedlockProc::Master(m) => m.on_timer(t, ctx),
            RedlockProc::Client(c) => c.on_timer(t, ctx),
            RedlockProc::Storage(_) => {}
        }
    }

    fn durable(&self) -> Option<LockKey> {
        match self {
            RedlockProc::Master(m) => m.durable(),
            _ => None,
        }
    }

    fn on_restart(&mut self, durable: Option<Option<LockKey>>, ctx: &mut RCtx) {
        match self {
            RedlockProc::Master(m) => m.restart(durable.flatten(), ctx),
            RedlockProc::Client(c) => c.restart(ctx),
            RedlockProc::Storage(_) => {}
        }
    }

    fn view(&self) -> ProcView {
        match self {
            RedlockProc::Master(m) => m.view(),
            RedlockProc::Client(c) => c.view(),
            RedlockProc::Storage(s) => s.view(),
        }
    }
}

impl System for RedlockProc {
    fn desc() -> &'static SystemDesc {
        &DESC
    }

    /// The storage is the data: what the lock protects.
    fn final_read(procs: &[Self], _alive: &[bool]) -> Option<(usize, DataSet)> {
        procs.iter().enumerate().find_map(|(i, p)| match p {
            RedlockProc::Storage(s) => Some((i, s.data().clone())),
            _ => None,
        })
    }

    fn invariants() -> &'static [Invariant<Self>] {
        &INVARIANTS
    }
}

/// What a lock promises, and what fencing adds.
static INVARIANTS: [Invariant<RedlockProc>; 2] = crate::system::lock_invariants();

/// The settings with the defaults filled in.
pub fn effective_settings(s: &Scenario) -> Result<serde_json::Value, ScenarioError> {
    crate::scenario::effective::<RedlockSettings>(s)
}

/// Builds a RedLock run from a scenario.
pub fn build(s: &Scenario, opts: RunOptions) -> Result<Box<dyn Simulation>, ScenarioError> {
    DESC.check_kinds(s)?;
    let per: Vec<RedlockSettings> = DESC.per_process(s)?;
    let set: RedlockSettings = crate::scenario::parse_settings(&s.settings)?;
    DESC.check_ranges(&serde_json::to_value(&set).expect("settings serialize"))?;
    let mut masters = Vec::new();
    let mut storage = None;
    for (k, (_, p)) in s.processes().enumerate() {
        match p.kind.as_str() {
            "redis" => masters.push(ProcId(k as u16)),
            "storage" => storage = Some(ProcId(k as u16)),
            _ => {}
        }
        if p.priority.is_some() {
            let (bi, pj) = s.locate(k);
            return Err(ScenarioError::new(
                format!("boxes[{bi}].processes[{pj}].priority"),
                "RedLock's masters are independent: none fails over to another",
            ));
        }
    }
    let Some(storage) = storage else {
        return Err(ScenarioError::new(
            "boxes",
            "the lock's clients write to a shared storage: add a process of kind `storage`",
        ));
    };
    // About one write per work-and-think cycle.
    let cycle = (set.work_ms + set.think_ms).max(1);
    crate::system::check_budget(s, (1000 / cycle).max(1) as u32)?;
    let mut warnings = Vec::new();
    if masters.len() % 2 == 0 {
        warnings.push(format!(
            "{} masters: a majority is {}, so an even number tolerates no more failures than {} masters would",
            masters.len(),
            masters.len() / 2 + 1,
            masters.len() - 1
        ));
    }
    if set.validity == Validity::Seed {
        warnings.push("validity = seed: the client allows nothing for the masters' clocks running faster than its own".into());
    }
    let mut procs = Vec::new();
    let mut client_index = 0;
    for (k, (_, p)) in s.processes().enumerate() {
        let c = &per[k];
        procs.push(match p.kind.as_str() {
            "redis" => RedlockProc::Master(Master::new(MasterCfg {
                appendonly: c.appendonly,
                appendfsync: c.appendfsync,
                restart_delay: c.restart_delay_ms,
            })),
            "client" => {
                client_index += 1;
                RedlockProc::Client(LockClient::new(ClientCfg {
                    index: client_index - 1,
                    masters: masters.clone(),
                    storage,
                    ttl: c.ttl_ms,
                    validity: c.validity,
                    retry_count: c.retry_count,
                    retry_delay: c.retry_delay_ms,
                    request_timeout: c.request_timeout_ms,
                    work: c.work_ms,
                    think: c.think_ms,
                    store_timeout: 1000,
                    check_before_write: c.check_before_write,
                }))
            }
            _ => RedlockProc::Storage(FencedStore::new(set.fencing)),
        });
    }
    let persist: Vec<bool> = per.iter().map(|c| c.appendonly).collect();
    let drift = per.iter().map(|c| c.clock_drift_ppm as i64).collect();
    Ok(Box::new(
        Run::new(s.clone(), procs, warnings, persist, opts)?.with_clock_drift(drift),
    ))
}
