//! A Redis server: master or replica, asynchronous replication with offsets, the
//! backlog and PSYNC, `min-replicas-to-write`, `WAIT`, and the write-through to a
//! fenced storage. Rules cite Redis 7.0 `replication.c` and `server.c`.

use super::msg::{Cmd, Info, LockKey, Msg, Repl, Reply, WRITE_BYTES};
use super::{RCtx, Timer};
use crate::history::OpId;
use crate::ids::{Millis, ProcId};
use crate::process::{DataSet, Signal};
use crate::view::{ProcView, Role};

/// `replicationCron` runs once a second (`run_with_period(1000)`).
pub const CRON_MS: Millis = 1000;
/// `repl-ping-replica-period` default: the master pings its replicas every 10 s.
pub const REPL_PING_MS: Millis = 10_000;

/// The fixed settings of one server.
#[derive(Clone, Debug)]
pub struct ServerCfg {
    /// `min-replicas-to-write`.
    pub min_replicas: u32,
    /// `min-replicas-max-lag` (seconds).
    pub max_lag_s: u64,
    /// `repl-timeout` (ms).
    pub repl_timeout_ms: Millis,
    /// Backlog capacity in writes (`repl-backlog-size` / bytes per write).
    pub backlog_writes: usize,
    /// `replica-priority`.
    pub priority: u32,
    /// The fenced storage to write through to, when fencing is on.
    pub storage: Option<ProcId>,
    /// `repl-diskless-sync`: stream the RDB to replicas straight from the fork.
    pub diskless_sync: bool,
    /// `repl-diskless-sync-delay` (seconds): how long a diskless full sync waits for
    /// more replicas before it starts.
    pub diskless_delay_s: u64,
    /// How long streaming and loading the RDB of a full resync takes.
    pub transfer_ms: Millis,
}

/// A full resync's RDB on its way: the snapshot taken when the transfer started.
#[derive(Clone, Debug)]
struct Transfer {
    to: ProcId,
    replid: u64,
    offset: u64,
    data: DataSet,
    register: Option<u64>,
    lock: Option<LockKey>,
}

#[derive(Clone, Debug)]
struct ReplicaLink {
    id: ProcId,
    ack_offset: u64,
    ack_time: Millis,
}

/// How many replicas acknowledged at least `target` bytes (what `WAIT` counts:
/// `repl_ack_off >= c->woff`).
fn acked_at(replicas: &[ReplicaLink], target: u64) -> u32 {
    replicas.iter().filter(|r| r.ack_offset >= target).count() as u32
}

#[derive(Clone, Debug)]
struct PendingWait {
    client: ProcId,
    op: OpId,
    target: u64,
    need: u32,
}

/// (op, client, offset after the write, WAIT).
type FencedWrite = (OpId, ProcId, u64, Option<(u32, Millis)>);

#[derive(Clone, Copy, Debug, PartialEq)]
enum Link {
    /// Waiting for the master's answer to PSYNC since this time.
    Connecting(Millis),
    /// Streaming; last data from the master at this time.
    Up(Millis),
    /// Timed out (`repl-timeout`) at this time; PSYNC is retried every cron tick.
    Down(Millis),
    /// The master answered `+FULLRESYNC` at this time; the RDB is still to come.
    Transfer(Millis),
}

/// One Redis server.
#[derive(Clone, Debug)]
pub struct Server {
    cfg: ServerCfg,
    run_id: u64,
    master: Option<ProcId>,
    replid: u64,
    /// `replid2` and `second_replid_offset` (bytes): the history this server shares
    /// with its former master, set by `shiftReplicationId` on promotion.
    replid2: Option<(u64, u64)>,
    offset: u64,
    data: DataSet,
    register: Option<u64>,
    /// The lock key (the lock workload).
    lock: Option<LockKey>,
    /// Its clock at its last input, for drawing the lock key's time to live.
    clock: i64,
    /// The backlog: writes in order; `backlog_start` is the offset before the first.
    backlog: imbl::Vector<Repl>,
    backlog_start: u64,
    replicas: Vec<ReplicaLink>,
    /// Replicas waiting for a full sync to start (`SLAVE_STATE_WAIT_BGSAVE_START`),
    /// since when.
    pending_full: Vec<(ProcId, Millis)>,
    /// RDBs being streamed.
    transfers: Vec<Transfer>,
    waits: Vec<PendingWait>,
    /// Writes waiting for the storage's answer before the client is told.
    fenced: Vec<FencedWrite>,
    subscribers: Vec<ProcId>,
    link: Link,
    writable: bool,
    good_replicas: u32,
    token: u64,
    writes_accepted: u64,
    last_repl_ping: Millis,
}

impl Server {
    /// A server that starts as master (`master` None) or as a replica of `master`.
    pub fn new(cfg: ServerCfg, master: Option<ProcId>, run_id: u64) -> Self {
        Server {
            cfg,
            run_id,
            master,
            replid: run_id,
            replid2: None,
            offset: 0,
            data: DataSet::new(),
            register: None,
            lock: None,
            clock: 0,
            backlog: imbl::Vector::new(),
            backlog_start: 0,
            replicas: Vec::new(),
            pending_full: Vec::new(),
            transfers: Vec::new(),
            waits: Vec::new(),
            fenced: Vec::new(),
            subscribers: Vec::new(),
            link: Link::Connecting(0),
            writable: false,
            good_replicas: 0,
            token: 0,
            writes_accepted: 0,
            last_repl_ping: 0,
        }
    }

    /// The data set.
    pub fn data(&self) -> &DataSet {
        &self.data
    }

    /// The master it follows (None: it is a master).
    pub fn master(&self) -> Option<ProcId> {
        self.master
    }

    /// A replica of a deployment that has been up for a while: it already shares the
    /// master's replication history (`replid`), so its first PSYNC continues.
    pub fn in_sync_with(mut self, master_replid: u64) -> Self {
        self.replid = master_replid;
        self
    }

    pub(super) fn start(&mut self, ctx: &mut RCtx) {
        // Processes start at different moments, so each cron has its own phase and the
        // NOREPLICAS moments of different seeds spread over a second, as on real hosts.
        let phase = 1 + ctx.rng().below(CRON_MS);
        ctx.timer(phase, Timer::Cron);
        match self.master {
            Some(m) => self.connect(m, ctx),
            None => self.refresh_good_replicas(ctx),
        }
    }

    /// What its RDB/AOF holds: the data set, the register and the offset.
    pub(super) fn durable(&self) -> Rdb {
        Rdb {
            data: self.data.clone(),
            register: self.register,
            lock: self.lock,
            offset: self.offset,
        }
    }

    pub(super) fn restart(&mut self, rdb: Option<Rdb>, ctx: &mut RCtx) {
        // A restart is a new process: new run id and, per initServerConfig's
        // changeReplicationId(), a new replication id. Without persistence the data is gone.
        let run_id = ctx.rng().next_u64();
        let persist = rdb.is_some();
        let keep = rdb.map(|r| (r.data, r.register, r.lock, r.offset));
        let master = self.master;
        *self = Server::new(self.cfg.clone(), master, run_id);
        if let Some((data, register, lock, offset)) = keep {
            // Loading an RDB with replication info keeps its history as replid2.
            self.data = data;
            self.register = register;
            self.lock = lock;
            self.offset = offset;
            self.backlog_start = offset;
        }
        ctx.note(|| {
            if persist {
                "restarted and loaded its data from disk".to_string()
            } else {
                "restarted empty: no persistence, new replication id".to_string()
            }
        });
        self.start(ctx);
    }

    fn set_writable(&mut self, w: bool, ctx: &mut RCtx) {
        if self.writable != w {
            self.writable = w;
            ctx.signal(Signal::Writable {
                writable: w,
                epoch: self.token,
            });
        }
    }

    /// `refreshGoodSlavesCount`: a replica is good if online and its last ACK is at
    /// most `min-replicas-max-lag` whole seconds old (`lag <= max_lag`).
    fn refresh_good_replicas(&mut self, ctx: &mut RCtx) {
        if self.master.is_some() {
            self.set_writable(false, ctx);
            return;
        }
        let now_s = ctx.now / 1000;
        let good = self
            .replicas
            .iter()
            .filter(|r| now_s - r.ack_time / 1000 <= self.cfg.max_lag_s)
            .count() as u32;
        if good != self.good_replicas && self.cfg.min_replicas > 0 {
            let (was, max_lag, need) = (
                self.good_replicas,
                self.cfg.max_lag_s,
                self.cfg.min_replicas,
            );
            ctx.note(move || {
                format!("good replicas {was} -> {good} (acked within {max_lag} s; min-replicas-to-write {need})")
            });
        }
        self.good_replicas = good;
        let ok = self.cfg.min_replicas == 0 || good >= self.cfg.min_replicas;
        self.set_writable(ok, ctx);
    }

    fn connect(&mut self, m: ProcId, ctx: &mut RCtx) {
        self.link = Link::Connecting(ctx.now);
        ctx.send(
            m,
            Msg::Psync {
                replid: self.replid,
                offset: self.offset,
            },
        );
    }

    /// `SLAVEOF host port` / `SLAVEOF NO ONE`.
    fn slave_of(&mut self, master: Option<ProcId>, epoch: u64, ctx: &mut RCtx) {
        match master {
            None => {
                if self.master.is_none() {
                    return;
                }
                // replicationUnsetMaster frees the master client: the connection closes.
                if let Some(old) = self.master {
                    ctx.send(old, Msg::ConnClose);
                }
                // replicationUnsetMaster -> shiftReplicationId: keep the old history as
                // replid2 up to the current offset, so other replicas can PSYNC partially.
                self.replid2 = Some((self.replid, self.offset));
                self.replid = ctx.rng().next_u64();
                self.master = None;
                self.token = epoch;
                self.backlog_start = self.backlog_start.min(self.offset);
                ctx.note(|| format!("SLAVEOF NO ONE: now a master (fencing token {epoch})"));
                self.refresh_good_replicas(ctx);
            }
            Some(m) => {
                if self.master == Some(m) {
                    return;
                }
                let was_master = self.master.is_none();
                if let Some(old) = self.master {
                    ctx.send(old, Msg::ConnClose);
                }
                self.master = Some(m);
                self.replicas.clear();
                self.pending_full.clear();
                self.transfers.clear();
                self.fail_waits(ctx);
                self.set_writable(false, ctx);
                ctx.note(move || {
                    if was_master {
                        format!("SLAVEOF {}: demoted, will PSYNC with its own history", m)
                    } else {
                        format!("SLAVEOF {}: following a new master", m)
                    }
                });
                self.connect(m, ctx);
            }
        }
    }

    fn fail_waits(&mut self, ctx: &mut RCtx) {
        for w in self.waits.drain(..) {
            let acked = acked_at(&self.replicas, w.target);
            ctx.send(
                w.client,
                Msg::Reply {
                    op: w.op,
                    reply: Reply::Waited(acked),
                },
            );
        }
    }

    fn apply_write(&mut self, value: Repl) {
        match value {
            Repl::Add(v) => {
                self.data.insert(v);
                self.register = Some(v);
            }
            Repl::Lock(k) => self.lock = k,
        }
        self.offset += WRITE_BYTES;
        self.backlog.push_back(value);
        if self.backlog.len() > self.cfg.backlog_writes {
            self.backlog.pop_front();
            self.backlog_start += WRITE_BYTES;
        }
    }

    fn client_write(
        &mut self,
        client: ProcId,
        op: OpId,
        value: u64,
        wait: Option<(u32, Millis)>,
        ctx: &mut RCtx,
    ) {
        // processCommand: the NOREPLICAS check comes before READONLY, and is skipped on replicas.
        if self.master.is_some() {
            ctx.send(
                client,
                Msg::Reply {
                    op,
                    reply: Reply::ReadOnly,
                },
            );
            return;
        }
        if !self.writable {
            ctx.send(
                client,
                Msg::Reply {
                    op,
                    reply: Reply::NoReplicas,
                },
            );
            return;
        }
        self.propagate(Repl::Add(value), ctx);
        self.writes_accepted += 1;
        if let Some(storage) = self.cfg.storage {
            self.fenced.push((op, client, self.offset, wait));
            ctx.send(
                storage,
                Msg::Store {
                    op,
                    token: self.token,
                    value,
                },
            );
            return;
        }
        self.after_write(client, op, self.offset, wait, ctx);
    }

    /// Applies a write as master and streams it to every replica.
    fn propagate(&mut self, value: Repl, ctx: &mut RCtx) {
        let from = self.offset;
        self.apply_write(value);
        for r in &self.replicas {
            ctx.send(r.id, Msg::Stream { from, value });
        }
    }

    /// A master deletes the lock key once its own clock is past the key's expiry
    /// (`keyIsExpired`: `now > when`), and propagates the `DEL`; a replica never
    /// expires a key itself, it waits for its master's `DEL` (`expireIfNeeded`).
    fn expire_lock(&mut self, ctx: &mut RCtx) {
        self.clock = ctx.clock;
        if self.master.is_none() && self.lock.is_some_and(|k| ctx.clock > k.expire_at) {
            self.propagate(Repl::Lock(None), ctx);
        }
    }

    /// `SET lock value NX PX ttl` and the release script (the lock workload).
    fn lock_command(&mut self, client: ProcId, op: OpId, cmd: Cmd, ctx: &mut RCtx) {
        let reply = if self.master.is_some() {
            Reply::ReadOnly
        } else if !self.writable {
            Reply::NoReplicas
        } else {
            self.expire_lock(ctx);
            match cmd {
                Cmd::LockSet { .. } if self.lock.is_some() => Reply::NotSet,
                Cmd::LockSet { value, px } => {
                    let k = LockKey {
                        value,
                        expire_at: ctx.clock + px as i64,
                        owner: client,
                    };
                    self.propagate(Repl::Lock(Some(k)), ctx);
                    self.writes_accepted += 1;
                    Reply::Ok
                }
                Cmd::Unlock { value } => {
                    if self.lock.is_some_and(|k| k.value == value) {
                        self.propagate(Repl::Lock(None), ctx);
                    }
                    Reply::Ok
                }
                _ => return,
            }
        };
        ctx.send(client, Msg::Reply { op, reply });
    }

    fn after_write(
        &mut self,
        client: ProcId,
        op: OpId,
        target: u64,
        wait: Option<(u32, Millis)>,
        ctx: &mut RCtx,
    ) {
        match wait {
            None => ctx.send(
                client,
                Msg::Reply {
                    op,
                    reply: Reply::Ok,
                },
            ),
            Some((need, timeout)) => {
                // WAIT counts replicas with repl_ack_off >= the client's write offset;
                // it asks them to ACK now (REPLCONF GETACK) and blocks up to `timeout`.
                let acked = acked_at(&self.replicas, target);
                if acked >= need {
                    ctx.send(
                        client,
                        Msg::Reply {
                            op,
                            reply: Reply::Waited(acked),
                        },
                    );
                } else {
                    for r in &self.replicas {
                        ctx.send(r.id, Msg::GetAck);
                    }
                    self.waits.push(PendingWait {
                        client,
                        op,
                        target,
                        need,
                    });
                    ctx.timer(timeout, Timer::WaitTimeout(op));
                }
            }
        }
    }

    fn check_waits(&mut self, ctx: &mut RCtx) {
        let replicas = &self.replicas;
        self.waits.retain(|w| {
            let acked = acked_at(replicas, w.target);
            if acked >= w.need {
                ctx.send(
                    w.client,
                    Msg::Reply {
                        op: w.op,
                        reply: Reply::Waited(acked),
                    },
                );
                false
            } else {
                true
            }
        });
    }

    fn info(&self, now: Millis) -> Info {
        let (link_up, link_down_ms) = match (self.master, self.link) {
            (None, _) => (true, 0),
            (Some(_), Link::Up(_)) => (true, 0),
            (Some(_), Link::Connecting(since))
            | (Some(_), Link::Down(since))
            | (Some(_), Link::Transfer(since)) => (false, now - since),
        };
        Info {
            run_id: self.run_id,
            master_of: self.master,
            link_up,
            link_down_ms,
            offset: self.offset,
            priority: self.cfg.priority,
            replicas: self.replicas.iter().map(|r| r.id).collect(),
        }
    }

    /// `masterTryPartialResynchronization`: partial if the replica's history is ours
    /// (replid, or replid2 up to second_replid_offset) and its offset is in the backlog.
    fn psync(&mut self, from: ProcId, replid: u64, offset: u64, ctx: &mut RCtx) {
        if self.master.is_some() {
            return; // chained replication is not modelled: the replica retries
        }
        let ours = replid == self.replid
            || matches!(self.replid2, Some((id2, upto)) if id2 == replid && offset <= upto);
        let in_backlog = offset >= self.backlog_start && offset <= self.offset;
        self.replicas.retain(|r| r.id != from);
        let start_offset = if ours && in_backlog {
            self.pending_full.retain(|p| p.0 != from);
            let skip = ((offset - self.backlog_start) / WRITE_BYTES) as usize;
            let values: Vec<Repl> = self.backlog.iter().skip(skip).copied().collect();
            let n = values.len();
            ctx.note(move || {
                format!(
                    "PSYNC from {}: partial resync (+CONTINUE, {n} writes)",
                    from
                )
            });
            ctx.send(
                from,
                Msg::Continue {
                    replid: self.replid,
                    from: offset,
                    values,
                },
            );
            offset
        } else {
            let why = if !ours {
                "replication id differs"
            } else {
                "offset outside the backlog"
            };
            if self.cfg.diskless_sync && self.cfg.diskless_delay_s > 0 {
                // replicationSetupSlaveForFullResync answers +FULLRESYNC at once; the
                // diskless transfer starts from replicationCron once the replicas have
                // waited repl-diskless-sync-delay (shouldStartChildReplication).
                let delay = self.cfg.diskless_delay_s;
                ctx.note(move || {
                    format!("PSYNC from {from}: full resync ({why}); the transfer waits repl-diskless-sync-delay {delay} s")
                });
                ctx.send(from, Msg::FullResyncWait);
                if !self.pending_full.iter().any(|p| p.0 == from) {
                    self.pending_full.push((from, ctx.now));
                }
                self.refresh_good_replicas(ctx);
                return;
            }
            ctx.note(move || format!("PSYNC from {}: full resync ({why})", from));
            self.send_rdb(from, ctx);
            return;
        };
        self.replicas.push(ReplicaLink {
            id: from,
            ack_offset: start_offset,
            ack_time: ctx.now,
        });
        self.refresh_good_replicas(ctx);
    }

    /// Sends the RDB of a full resync and counts the replica online from now.
    fn send_rdb(&mut self, to: ProcId, ctx: &mut RCtx) {
        self.pending_full.retain(|p| p.0 != to);
        // The fork's snapshot is what the replica loads; what is written while it
        // streams follows from the backlog once the transfer is done.
        let t = Transfer {
            to,
            replid: self.replid,
            offset: self.offset,
            data: self.data.clone(),
            register: self.register,
            lock: self.lock,
        };
        if self.cfg.transfer_ms == 0 {
            return self.rdb_arrives(t, ctx);
        }
        self.transfers.retain(|x| x.to != to);
        self.transfers.push(t);
        let ms = self.cfg.transfer_ms;
        ctx.note(move || {
            format!(
                "streaming the RDB to {to}: {:.1} s to send and load",
                ms as f64 / 1000.0
            )
        });
        ctx.timer(ms, Timer::RdbDone(to));
    }

    /// The end of a full resync's transfer: the replica gets the snapshot, then what
    /// was written since the fork, and counts as online from now.
    fn rdb_arrives(&mut self, t: Transfer, ctx: &mut RCtx) {
        let to = t.to;
        ctx.send(
            to,
            Msg::FullResync {
                replid: t.replid,
                offset: t.offset,
                data: t.data,
                register: t.register,
                lock: t.lock,
            },
        );
        if t.replid == self.replid && t.offset >= self.backlog_start {
            let skip = ((t.offset - self.backlog_start) / WRITE_BYTES) as usize;
            for (k, &value) in self.backlog.iter().skip(skip).enumerate() {
                let from = t.offset + k as u64 * WRITE_BYTES;
                ctx.send(to, Msg::Stream { from, value });
            }
        }
        self.replicas.retain(|r| r.id != to);
        self.replicas.push(ReplicaLink {
            id: to,
            ack_offset: t.offset,
            ack_time: ctx.now,
        });
        self.refresh_good_replicas(ctx);
    }

    /// `replicationStartPendingFork`, from the cron: a diskless sync starts once the
    /// longest-waiting replica has waited the delay, counted in whole seconds of
    /// `server.unixtime` as Redis counts it.
    fn start_pending_sync(&mut self, ctx: &mut RCtx) {
        let now_s = ctx.now / 1000;
        let waited = self.pending_full.iter().map(|p| now_s - p.1 / 1000).max();
        if waited.is_some_and(|w| w >= self.cfg.diskless_delay_s) {
            let waiting: Vec<ProcId> = self.pending_full.iter().map(|p| p.0).collect();
            let n = waiting.len();
            ctx.note(move || format!("starting the diskless RDB transfer to {n} replica(s)"));
            for r in waiting {
                self.send_rdb(r, ctx);
            }
        }
    }

    pub(super) fn on_msg(&mut self, from: ProcId, msg: Msg, ctx: &mut RCtx) {
        match msg {
            Msg::Cmd { op, cmd } => match cmd {
                Cmd::Write { value, wait } => self.client_write(from, op, value, wait, ctx),
                Cmd::LockSet { .. } | Cmd::Unlock { .. } => self.lock_command(from, op, cmd, ctx),
                Cmd::Read => ctx.send(
                    from,
                    Msg::Reply {
                        op,
                        reply: Reply::Value(self.register),
                    },
                ),
            },
            Msg::Ping => ctx.send(from, Msg::Pong),
            Msg::InfoReq => ctx.send(from, Msg::Info(Box::new(self.info(ctx.now)))),
            Msg::SlaveOf { master, epoch } => self.slave_of(master, epoch, ctx),
            Msg::Hello(h) => {
                // PUBLISH __sentinel__:hello: forwarded to every subscribed Sentinel.
                if !self.subscribers.contains(&from) {
                    self.subscribers.push(from);
                }
                for &s in &self.subscribers {
                    if s != from {
                        ctx.send(s, Msg::Hello(h));
                    }
                }
            }
            Msg::Psync { replid, offset } => self.psync(from, replid, offset, ctx),
            Msg::FullResync {
                replid,
                offset,
                data,
                register,
                lock,
            } if self.master == Some(from) => {
                let discarded = self.data.iter().filter(|&v| !data.contains(v)).count() as u64;
                if discarded > 0 {
                    ctx.signal(Signal::Discarded { count: discarded });
                    ctx.note(move || {
                        format!("full resync from {from}: the values it alone had are gone")
                    });
                }
                self.data = data;
                self.register = register;
                self.lock = lock;
                self.replid = replid;
                self.replid2 = None;
                self.offset = offset;
                self.backlog.clear();
                self.backlog_start = offset;
                self.link = Link::Up(ctx.now);
                ctx.send(
                    from,
                    Msg::Ack {
                        offset: self.offset,
                    },
                );
            }
            Msg::FullResyncWait if self.master == Some(from) => {
                self.link = Link::Transfer(ctx.now);
            }
            Msg::Continue {
                replid,
                from: at,
                values,
            } if self.master == Some(from) => {
                if at != self.offset {
                    return;
                }
                self.replid = replid;
                self.replid2 = None;
                for v in values {
                    self.apply_write(v);
                }
                self.link = Link::Up(ctx.now);
                ctx.send(
                    from,
                    Msg::Ack {
                        offset: self.offset,
                    },
                );
            }
            Msg::Stream { from: at, value } if self.master == Some(from) => {
                if !matches!(self.link, Link::Up(_)) {
                    return;
                }
                if at == self.offset {
                    self.apply_write(value);
                    self.link = Link::Up(ctx.now);
                } else if at > self.offset {
                    // A gap: the connection lost data; reconnect and PSYNC from our offset.
                    self.connect(from, ctx);
                }
            }
            Msg::ReplPing if self.master == Some(from) => {
                if matches!(self.link, Link::Up(_)) {
                    self.link = Link::Up(ctx.now);
                }
            }
            Msg::GetAck if self.master == Some(from) => {
                ctx.send(
                    from,
                    Msg::Ack {
                        offset: self.offset,
                    },
                );
            }
            Msg::Ack { offset } => {
                if let Some(r) = self.replicas.iter_mut().find(|r| r.id == from) {
                    r.ack_offset = r.ack_offset.max(offset);
                    r.ack_time = ctx.now;
                    self.check_waits(ctx);
                } else {
                    // A replica still talking on a connection this process never had (it
                    // restarted, or demoted it): TCP answers with a reset, and the replica
                    // reconnects and sends PSYNC.
                    ctx.send(from, Msg::ConnReset);
                }
            }
            Msg::ConnReset if self.master == Some(from) && !matches!(self.link, Link::Down(_)) => {
                self.link = Link::Down(ctx.now);
                ctx.note(|| "connection with master lost; reconnecting".into());
            }
            Msg::ConnReset | Msg::ConnClose if self.master.is_none() => {
                // A replica's connection closed (it died): freeClient drops it at once,
                // and refreshGoodSlavesCount counts one fewer.
                let before = self.replicas.len() + self.pending_full.len();
                self.replicas.retain(|r| r.id != from);
                self.pending_full.retain(|p| p.0 != from);
                if self.replicas.len() + self.pending_full.len() < before {
                    ctx.note(move || format!("connection with replica {from} lost"));
                    self.refresh_good_replicas(ctx);
                }
            }
            Msg::StoreReply {
                op,
                accepted,
                newest,
            } => {
                if let Some(i) = self.fenced.iter().position(|f| f.0 == op) {
                    let (op, client, target, wait) = self.fenced.remove(i);
                    if accepted {
                        self.after_write(client, op, target, wait, ctx);
                    } else {
                        let token = self.token;
                        ctx.send(
                            client,
                            Msg::Reply {
                                op,
                                reply: Reply::Fenced { token, newest },
                            },
                        );
                    }
                }
            }
            _ => {}
        }
    }

    pub(super) fn on_timer(&mut self, t: Timer, ctx: &mut RCtx) {
        match t {
            Timer::Cron => {
                ctx.timer(CRON_MS, Timer::Cron);
                self.expire_lock(ctx);
                match self.master {
                    Some(m) => match self.link {
                        Link::Up(last) => {
                            // replicationCron: `time(NULL) - lastinteraction > repl_timeout`,
                            // in whole seconds.
                            if ctx.now / 1000 - last / 1000 > self.cfg.repl_timeout_ms / 1000 {
                                self.link = Link::Down(ctx.now);
                                ctx.note(|| {
                                    "MASTER timeout: no data nor PING received (repl-timeout)"
                                        .into()
                                });
                            } else {
                                // replicationSendAck: REPLCONF ACK every second.
                                ctx.send(
                                    m,
                                    Msg::Ack {
                                        offset: self.offset,
                                    },
                                );
                            }
                        }
                        Link::Transfer(since) => {
                            if ctx.now - since > self.cfg.repl_timeout_ms {
                                self.link = Link::Down(ctx.now);
                                ctx.note(|| {
                                    "timeout receiving the RDB from the master (repl-timeout)"
                                        .into()
                                });
                            }
                        }
                        Link::Connecting(since) | Link::Down(since) => {
                            self.link = Link::Down(since);
                            ctx.send(
                                m,
                                Msg::Psync {
                                    replid: self.replid,
                                    offset: self.offset,
                                },
                            );
                        }
                    },
                    None => {
                        // `server.unixtime - repl_ack_time > repl_timeout`, in whole seconds.
                        let timeout_s = self.cfg.repl_timeout_ms / 1000;
                        let now = ctx.now;
                        self.replicas.retain(|r| {
                            let alive = now / 1000 - r.ack_time / 1000 <= timeout_s;
                            if !alive {
                                let id = r.id;
                                ctx.note(move || {
                                    format!("Disconnecting timedout replica {id} (repl-timeout)")
                                });
                            }
                            alive
                        });
                        self.start_pending_sync(ctx);
                        if now - self.last_repl_ping >= REPL_PING_MS {
                            self.last_repl_ping = now;
                            for r in &self.replicas {
                                ctx.send(r.id, Msg::ReplPing);
                            }
                        }
                        self.refresh_good_replicas(ctx);
                    }
                }
            }
            Timer::RdbDone(to) => {
                let Some(i) = self.transfers.iter().position(|t| t.to == to) else {
                    return;
                };
                let t = self.transfers.remove(i);
                if self.master.is_none() {
                    self.rdb_arrives(t, ctx);
                }
            }
            Timer::WaitTimeout(op) => {
                if let Some(i) = self.waits.iter().position(|w| w.op == op) {
                    let w = self.waits.remove(i);
                    let acked = acked_at(&self.replicas, w.target);
                    ctx.send(
                        w.client,
                        Msg::Reply {
                            op,
                            reply: Reply::Waited(acked),
                        },
                    );
                }
            }
            _ => {}
        }
    }

    pub(super) fn view(&self) -> ProcView {
        let v = match self.master {
            None => ProcView::new(Role::Primary, "master")
                .epoch(self.token)
                .num("replication offset", self.offset)
                .fact("run id", format!("{:04x}", self.run_id & 0xffff))
                .num("replicas", self.replicas.len() as u64)
                .num("good replicas", self.good_replicas as u64)
                .num("writes accepted", self.writes_accepted),
            Some(m) => {
                let link = match self.link {
                    Link::Up(_) => "up",
                    Link::Connecting(_) => "connecting",
                    Link::Transfer(_) => "waiting for the RDB",
                    Link::Down(_) => "down",
                };
                ProcView::new(Role::Replica, "replica")
                    .leader(Some(m))
                    .num("replication offset", self.offset)
                    .fact("run id", format!("{:04x}", self.run_id & 0xffff))
                    .proc("master", m)
                    .fact("master link", link)
            }
        };
        let v = match self.lock {
            Some(k) => {
                let left = (k.expire_at - self.clock).max(0) as Millis;
                v.proc("lock key set by", k.owner)
                    .fact(
                        "lock key expires",
                        format!("at {} ms (its master's clock)", k.expire_at),
                    )
                    .num("lock key: ms left, as last seen", left)
            }
            None => v,
        };
        v.writable(self.writable, self.writes_accepted)
            .data(self.data.len())
    }
}

/// A server's persisted state (RDB or AOF).
#[derive(Clone, Debug)]
pub struct Rdb {
    data: DataSet,
    register: Option<u64>,
    lock: Option<LockKey>,
    offset: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::testing::Harness;

    fn cfg(min_replicas: u32) -> ServerCfg {
        ServerCfg {
            min_replicas,
            max_lag_s: 10,
            repl_timeout_ms: 60_000,
            backlog_writes: 100,
            priority: 100,
            storage: None,
            diskless_sync: true,
            diskless_delay_s: 0,
            transfer_ms: 0,
        }
    }

    fn psync(
        h: &mut Harness<Msg, Timer>,
        s: &mut Server,
        from: u16,
        replid: u64,
        offset: u64,
    ) -> Vec<(ProcId, Msg)> {
        h.run(|ctx| s.on_msg(ProcId(from), Msg::Psync { replid, offset }, ctx))
    }

    fn write(h: &mut Harness<Msg, Timer>, s: &mut Server, value: u64) -> Vec<(ProcId, Msg)> {
        h.run(|ctx| {
            s.on_msg(
                ProcId(9),
                Msg::Cmd {
                    op: OpId(value),
                    cmd: Cmd::Write { value, wait: None },
                },
                ctx,
            )
        })
    }

    #[test]
    fn min_replicas_counts_replicas_acked_within_max_lag() {
        let mut m = Server::new(cfg(1), None, 1);
        let mut h = Harness::new(ProcId(0));
        h.run(|ctx| m.start(ctx));
        assert!(!m.writable, "no replica yet");
        psync(&mut h, &mut m, 1, 0, 0);
        assert!(m.writable);
        // Lag is in whole seconds and a replica is good while lag <= max-lag.
        h.now = 10_999;
        h.run(|ctx| m.on_timer(Timer::Cron, ctx));
        assert!(m.writable, "10 s of lag is still good");
        h.now = 11_000;
        h.run(|ctx| m.on_timer(Timer::Cron, ctx));
        assert!(!m.writable, "11 s of lag is not");
        let sent = write(&mut h, &mut m, 42);
        assert_eq!(
            sent,
            vec![(
                ProcId(9),
                Msg::Reply {
                    op: OpId(42),
                    reply: Reply::NoReplicas
                }
            )]
        );
        assert!(!m.data.contains(&42), "a refused write is not applied");
        h.run(|ctx| m.on_msg(ProcId(1), Msg::Ack { offset: 0 }, ctx));
        h.run(|ctx| m.on_timer(Timer::Cron, ctx));
        assert!(m.writable, "a fresh ACK makes it good again");
    }

    #[test]
    fn a_replica_refuses_writes_with_readonly() {
        let mut r = Server::new(cfg(0), Some(ProcId(0)), 2);
        let mut h = Harness::new(ProcId(1));
        let sent = write(&mut h, &mut r, 7);
        assert_eq!(
            sent,
            vec![(
                ProcId(9),
                Msg::Reply {
                    op: OpId(7),
                    reply: Reply::ReadOnly
                }
            )]
        );
    }

    #[test]
    fn psync_is_partial_for_shared_history_within_the_backlog() {
        let mut m = Server::new(cfg(0), None, 1);
        let mut h = Harness::new(ProcId(0));
        h.run(|ctx| m.start(ctx));
        for v in 1..=3 {
            write(&mut h, &mut m, v);
        }
        let id = m.replid;
        let sent = psync(&mut h, &mut m, 1, id, WRITE_BYTES);
        assert_eq!(
            sent,
            vec![(
                ProcId(1),
                Msg::Continue {
                    replid: m.replid,
                    from: WRITE_BYTES,
                    values: vec![Repl::Add(2), Repl::Add(3)]
                }
            )]
        );
    }

    #[test]
    fn psync_is_full_for_another_history_or_outside_the_backlog() {
        let mut m = Server::new(
            ServerCfg {
                backlog_writes: 2,
                ..cfg(0)
            },
            None,
            1,
        );
        let mut h = Harness::new(ProcId(0));
        h.run(|ctx| m.start(ctx));
        for v in 1..=5 {
            write(&mut h, &mut m, v);
        }
        let other = psync(&mut h, &mut m, 1, 999, 5 * WRITE_BYTES);
        assert!(matches!(other[0].1, Msg::FullResync { .. }));
        let id = m.replid;
        let old = psync(&mut h, &mut m, 2, id, WRITE_BYTES);
        assert!(
            matches!(old[0].1, Msg::FullResync { .. }),
            "offset 48 fell out of a two-write backlog"
        );
    }

    #[test]
    fn a_demoted_master_with_divergent_writes_gets_a_full_resync_and_loses_them() {
        // R follows M; R is promoted (shiftReplicationId keeps M's history as replid2 up
        // to the promotion offset); M, which took one more write meanwhile, is demoted.
        let mut m = Server::new(cfg(0), None, 1);
        let mut r = Server::new(cfg(0), Some(ProcId(0)), 2);
        let (mut hm, mut hr) = (Harness::new(ProcId(0)), Harness::new(ProcId(1)));
        hm.run(|ctx| m.start(ctx));
        write(&mut hm, &mut m, 1);
        r.replid = m.replid;
        r.offset = m.offset;
        r.data = m.data.clone();
        hr.run(|ctx| {
            r.on_msg(
                ProcId(5),
                Msg::SlaveOf {
                    master: None,
                    epoch: 1,
                },
                ctx,
            )
        });
        assert_eq!(r.replid2, Some((m.replid, WRITE_BYTES)));
        write(&mut hm, &mut m, 2); // acknowledged by the isolated old master
        let psync = hm.run(|ctx| {
            m.on_msg(
                ProcId(5),
                Msg::SlaveOf {
                    master: Some(ProcId(1)),
                    epoch: 1,
                },
                ctx,
            )
        });
        let Msg::Psync { replid, offset } = psync[0].1.clone() else {
            panic!("expected PSYNC")
        };
        let answer = hr.run(|ctx| r.on_msg(ProcId(0), Msg::Psync { replid, offset }, ctx));
        assert!(
            matches!(answer[0].1, Msg::FullResync { .. }),
            "its offset is past the promotion point"
        );
        hm.run(|ctx| m.on_msg(ProcId(1), answer[0].1.clone(), ctx));
        assert!(
            m.data.contains(&1) && !m.data.contains(&2),
            "the divergent write is gone"
        );
        assert!(matches!(
            hm.signals()[..],
            [.., Signal::Discarded { count: 1 }, Signal::Note { .. }]
                | [.., Signal::Discarded { count: 1 }]
        ));
    }

    #[test]
    fn wait_returns_the_replicas_that_acked_and_the_write_stays_applied() {
        let mut m = Server::new(cfg(0), None, 1);
        let mut h = Harness::new(ProcId(0));
        h.run(|ctx| m.start(ctx));
        psync(&mut h, &mut m, 1, 0, 0);
        let sent = h.run(|ctx| {
            m.on_msg(
                ProcId(9),
                Msg::Cmd {
                    op: OpId(1),
                    cmd: Cmd::Write {
                        value: 5,
                        wait: Some((1, 500)),
                    },
                },
                ctx,
            )
        });
        assert!(
            sent.iter()
                .any(|(to, msg)| *to == ProcId(1) && *msg == Msg::GetAck),
            "WAIT asks for ACKs"
        );
        let sent = h.run(|ctx| m.on_timer(Timer::WaitTimeout(OpId(1)), ctx));
        assert_eq!(
            sent,
            vec![(
                ProcId(9),
                Msg::Reply {
                    op: OpId(1),
                    reply: Reply::Waited(0)
                }
            )]
        );
        assert!(
            m.data.contains(&5),
            "WAIT falling short does not undo the write"
        );
    }
}
