//! A Patroni member: the Patroni agent and the PostgreSQL it manages, on one host.
//!
//! The HA loop follows Patroni 3.0.2's `ha.py` (`_run_cycle`, `process_healthy_cluster`,
//! `process_unhealthy_cluster`, `_handle_dcs_error`) and `dcs/etcd3.py`:
//! - The loop runs every `loop_wait` from its previous start (`schedule_next_run` in
//!   `__main__.py`); a loop that took longer starts the next at once. A standby's
//!   watch on the leader key wakes it early when the key changes or goes.
//! - The cluster is read with a *serializable* range from the member's local etcd
//!   member (etcd3.py: "We can tolerate stale reads"), which a member cut off in a
//!   minority still answers, with what it last applied.
//! - The key's owner keeps its lease alive once per loop (`_update_leader`); every DCS
//!   call is retried until `retry_timeout` (`Retry(deadline=retry_timeout,
//!   max_delay=1)`), each try asking the etcd members in turn with `retry_timeout /
//!   members` each. When the deadline passes, a primary demotes itself
//!   (`demote('offline')`: fast shutdown, the key is left to expire), unless
//!   `failsafe_mode` is on and it reaches every other member.
//! - When the key is gone, the healthiest standby (asked over the REST API with a 2 s
//!   timeout: nobody still primary, nobody ahead of it; in synchronous mode only the
//!   synchronous standby) creates it (`create_revision == 0`) and promotes.
//! - Patroni 3.0.2 writes the key *without a condition* when its lease was not found
//!   and it had to grant a new one; 3.0.3 (patroni#2689, #2693) writes it only if it
//!   still holds its own name or is absent.

use super::events::PatroniEvent;
use super::msg::{Msg, Rec, Tl};
use super::pg::{Pg, PgRole, SyncNames};
use super::{PCtx, Timer};
use crate::ids::{Millis, ProcId};
use crate::raft::kv::{Compare, Key, KvCmd, KvOp, KvResult};
use crate::raft::msg::Msg as EtcdMsg;
use crate::view::{LogStrip, ProcView, Role};

/// The leader key (`/service/<scope>/leader`).
pub const LEADER: Key = "/service/demo/leader";
/// The synchronous-standby key (`/service/<scope>/sync`).
pub const SYNC: Key = "/service/demo/sync";
/// The leader's last WAL position (`/service/<scope>/status`, its `optime`).
pub const STATUS: Key = "/service/demo/status";

/// Bytes of WAL one row's `INSERT` and its commit write (a heap-insert record and a
/// commit record of a one-row transaction come to about this): the lab counts WAL in
/// records, Patroni's `maximum_lag_on_failover` in bytes.
pub const WAL_BYTES_PER_ROW: u64 = 128;

/// How long Patroni waits for another member's REST API (`fetch_node_status`,
/// `timeout=2`; the failsafe POST uses the same).
pub const REST_TIMEOUT_MS: Millis = 2000;

/// The agent's fixed settings, with Patroni's names.
#[derive(Clone, Debug)]
pub struct HaCfg {
    /// `ttl`.
    pub ttl: Millis,
    /// `loop_wait`.
    pub loop_wait: Millis,
    /// `retry_timeout`.
    pub retry_timeout: Millis,
    /// `synchronous_mode`.
    pub sync_mode: bool,
    /// `synchronous_mode_strict`.
    pub strict: bool,
    /// `failsafe_mode`.
    pub failsafe: bool,
    /// A Patroni release with patroni#2689 (3.0.3 and later).
    pub fixed: bool,
    /// `use_pg_rewind`.
    pub use_pg_rewind: bool,
    /// `remove_data_directory_on_diverged_timelines`: a fresh base backup when the
    /// histories forked and `pg_rewind` is not used.
    pub reinit_on_diverged: bool,
    /// The etcd members it talks to, its own first.
    pub etcd: Vec<ProcId>,
    /// The other Patroni members.
    pub peers: Vec<ProcId>,
    /// `synchronous_standby_names` as configured (used outside synchronous mode).
    pub user_ssn: SyncNames,
    /// Every process's name.
    pub names: Vec<String>,
    /// `maximum_lag_on_failover`, in bytes.
    pub max_lag: u64,
}

/// Time to start PostgreSQL in recovery.
const START_MS: Millis = 1000;
/// Time `pg_rewind` takes (measured 3.3 s here).
const REWIND_MS: Millis = 3000;
/// Time a fresh base backup of the lab's small data set takes.
const BASEBACKUP_MS: Millis = 5000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Idle,
    Load,
    LoadSync,
    KeepAlive,
    Grant { acquire: bool },
    Put { acquire: bool },
    LoadOptime,
    Statuses,
    Failsafe,
}

#[derive(Clone, Copy, Debug)]
struct Call {
    req: u64,
    op: KvOp,
    deadline: Millis,
    i: usize,
    delay: Millis,
    tries: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Busy {
    Starting(Option<ProcId>),
    Rewinding(ProcId),
}

/// One member.
#[derive(Clone, Debug)]
pub struct Member {
    me: ProcId,
    cfg: HaCfg,
    pg: Pg,
    step: Step,
    call: Option<Call>,
    seq: u64,
    next_run: Millis,
    gen: u64,
    lease: Option<u64>,
    leases: u64,
    /// The leader key as last read: owner and lease.
    leader: Option<(ProcId, u64)>,
    sync: Option<ProcId>,
    round: u64,
    pending: Vec<ProcId>,
    healthy: bool,
    failsafe_until: Millis,
    busy: Option<(Busy, Millis)>,
    busy_gen: u64,
    /// After a demotion: start PostgreSQL as a standby once it has stopped.
    restart_as_standby: bool,
    /// It has been primary: check the timelines before following anyone.
    check_rewind: bool,
    rewinding_from: Option<ProcId>,
    stranded: bool,
    promotions: u32,
    watching: bool,
    /// When its keep-alive of the key's lease last succeeded.
    renewed: Option<Millis>,
    now: Millis,
}

impl Member {
    /// A member whose PostgreSQL starts as primary or standby with `wal`.
    pub fn new(me: ProcId, cfg: HaCfg, pg: Pg) -> Member {
        Member {
            me,
            cfg,
            pg,
            step: Step::Idle,
            call: None,
            seq: 0,
            next_run: 0,
            gen: 0,
            lease: None,
            leases: 0,
            leader: None,
            sync: None,
            round: 0,
            pending: Vec::new(),
            healthy: true,
            failsafe_until: 0,
            busy: None,
            busy_gen: 0,
            restart_as_standby: false,
            check_rewind: false,
            rewinding_from: None,
            stranded: false,
            promotions: 0,
            watching: false,
            renewed: None,
            now: 0,
        }
    }

    /// Its PostgreSQL.
    pub fn pg(&self) -> &Pg {
        &self.pg
    }

    /// Its lease id when it starts holding the key (the primary of a cluster that has
    /// been up a while holds it from the start).
    pub fn with_lease(mut self, lease: u64) -> Member {
        self.lease = Some(lease);
        self.leader = Some((self.me, lease));
        self
    }

    /// A standby that has read `owner` as the key's owner.
    pub fn with_leader(mut self, owner: ProcId, lease: u64) -> Member {
        self.leader = Some((owner, lease));
        self
    }

    fn name(&self, p: ProcId) -> &str {
        &self.cfg.names[p.idx()]
    }

    /// At time 0: a loop at a phase of its own, the PostgreSQL timers.
    pub fn start(&mut self, ctx: &mut PCtx) {
        self.pg.start(ctx);
        if self.pg.role() == PgRole::Primary {
            let ssn = if self.cfg.sync_mode {
                SyncNames::None
            } else {
                self.cfg.user_ssn.clone()
            };
            self.pg.set_ssn(ssn, ctx);
        }
        let phase = ctx.rng().below(self.cfg.loop_wait.max(1));
        self.next_run = ctx.now + phase;
        self.schedule(ctx);
    }

    fn schedule(&mut self, ctx: &mut PCtx) {
        self.gen += 1;
        let after = self.next_run.saturating_sub(ctx.now).max(1);
        ctx.timer(after, Timer::Loop(self.gen));
    }

    // ---- the HA loop ----

    fn run_cycle(&mut self, ctx: &mut PCtx) {
        if self.step != Step::Idle {
            return;
        }
        if !self.watching {
            self.watching = true;
            let req = self.next_req();
            ctx.send(
                self.cfg.etcd[0],
                Msg::Etcd(EtcdMsg::KvReq {
                    req,
                    op: KvOp::Watch { key: LEADER },
                }),
            );
        }
        self.step = Step::Load;
        self.dcs(KvOp::Range { key: LEADER }, ctx);
    }

    fn end_cycle(&mut self, ctx: &mut PCtx) {
        self.step = Step::Idle;
        self.next_run += self.cfg.loop_wait;
        if self.next_run <= ctx.now {
            // "Loop time exceeded, rescheduling immediately."
            self.next_run = ctx.now;
        }
        self.schedule(ctx);
    }

    fn next_req(&mut self) -> u64 {
        self.seq += 1;
        ((self.me.0 as u64 + 1) << 32) | self.seq
    }

    /// Starts a DCS call, retried until `retry_timeout`.
    fn dcs(&mut self, op: KvOp, ctx: &mut PCtx) {
        let req = self.next_req();
        self.call = Some(Call {
            req,
            op,
            deadline: ctx.now + self.cfg.retry_timeout,
            i: 0,
            delay: 100,
            tries: 0,
        });
        self.attempt(ctx);
    }

    fn attempt(&mut self, ctx: &mut PCtx) {
        let Some(c) = self.call.as_mut() else { return };
        c.tries += 1;
        let per = (self.cfg.retry_timeout / self.cfg.etcd.len() as u64).max(1);
        let left = c.deadline.saturating_sub(ctx.now).max(1);
        let (to, req, op, tries) = (self.cfg.etcd[c.i], c.req, c.op, c.tries);
        ctx.send(to, Msg::Etcd(EtcdMsg::KvReq { req, op }));
        ctx.timer(per.min(left), Timer::Dcs(req, tries));
    }

    /// The member being asked did not answer in time, or refused the connection.
    fn attempt_failed(&mut self, ctx: &mut PCtx) {
        let Some(c) = self.call.as_mut() else { return };
        c.i += 1;
        if ctx.now >= c.deadline {
            self.dcs_failed(ctx);
            return;
        }
        if c.i < self.cfg.etcd.len() {
            self.attempt(ctx);
            return;
        }
        // Every member failed this pass: sleep, unless that would pass the deadline.
        let sleep = c.delay + ctx.rng().below(800);
        if ctx.now + sleep >= c.deadline {
            self.dcs_failed(ctx);
            return;
        }
        c.delay = (c.delay * 2).min(1000);
        c.i = 0;
        c.tries += 1;
        let (req, tries) = (c.req, c.tries);
        ctx.timer(sleep, Timer::Retry(req, tries));
    }

    fn dcs_failed(&mut self, ctx: &mut PCtx) {
        self.call = None;
        ctx.event(PatroniEvent::DcsError);
        // `_handle_dcs_error`.
        if self.pg.role() == PgRole::Primary {
            if self.cfg.failsafe && !self.cfg.peers.is_empty() {
                self.step = Step::Failsafe;
                self.round += 1;
                self.pending = self.cfg.peers.clone();
                let round = self.round;
                for p in self.cfg.peers.clone() {
                    ctx.send(p, Msg::Failsafe { round });
                }
                ctx.timer(REST_TIMEOUT_MS, Timer::Rest(round));
                return;
            }
            ctx.event(PatroniEvent::DemoteNoDcs);
            self.demote(true, ctx);
        }
        self.end_cycle(ctx);
    }

    fn dcs_answer(&mut self, result: KvResult, ctx: &mut PCtx) {
        self.call = None;
        match (self.step, result) {
            (Step::Load, KvResult::Range(v)) => {
                self.leader = v.map(|kv| (ProcId((kv.value - 1) as u16), kv.lease));
                if self.cfg.sync_mode {
                    self.step = Step::LoadSync;
                    self.dcs(KvOp::Range { key: SYNC }, ctx);
                } else {
                    self.decide(ctx);
                }
            }
            (Step::LoadSync, KvResult::Range(v)) => {
                self.sync = v
                    .filter(|kv| kv.value != 0)
                    .map(|kv| ProcId((kv.value - 1) as u16));
                self.decide(ctx);
            }
            (Step::LoadOptime, KvResult::Range(v)) => {
                self.check_health(v.map(|kv| kv.value), ctx);
            }
            (Step::KeepAlive, KvResult::KeepAlive(ttl)) => {
                if ttl.is_some() {
                    self.renewed = Some(ctx.now);
                }
                if ttl.is_some() && self.leader.map(|l| l.1) == self.lease {
                    self.lock_held(ctx);
                } else {
                    // "lease not found": `_do_refresh_lease` grants a new one.
                    if ttl.is_none() {
                        self.lease = None;
                    }
                    self.grant(false, ctx);
                }
            }
            (Step::Grant { acquire }, KvResult::Granted) => {
                self.step = Step::Put { acquire };
                let me = self.me.0 as u64 + 1;
                let cmp = if acquire {
                    Compare::Absent
                } else if self.cfg.fixed {
                    Compare::IsOrAbsent(me)
                } else {
                    ctx.event(PatroniEvent::KeyOverwritten);
                    Compare::Any
                };
                let lease = self.lease.unwrap_or(0);
                self.dcs(
                    KvOp::Cmd(KvCmd::Put {
                        key: LEADER,
                        value: me,
                        lease,
                        cmp,
                    }),
                    ctx,
                );
            }
            (Step::Put { acquire }, KvResult::Txn(ok)) => {
                if ok {
                    self.renewed = Some(ctx.now);
                    self.leader = Some((self.me, self.lease.unwrap_or(0)));
                    if acquire && self.pg.role() != PgRole::Primary {
                        ctx.event(PatroniEvent::Acquired);
                        self.promote(ctx);
                        self.end_cycle(ctx);
                    } else {
                        self.lock_held(ctx);
                    }
                } else {
                    ctx.event(PatroniEvent::LockFailed);
                    if self.pg.role() == PgRole::Primary {
                        ctx.event(PatroniEvent::DemoteNoLock);
                        self.demote(false, ctx);
                    }
                    self.end_cycle(ctx);
                }
            }
            _ => self.end_cycle(ctx),
        }
    }

    fn grant(&mut self, acquire: bool, ctx: &mut PCtx) {
        self.step = Step::Grant { acquire };
        if self.lease.is_none() {
            self.leases += 1;
            self.lease = Some(((self.me.0 as u64 + 1) << 16) | self.leases);
        }
        let (id, ttl_ms) = (self.lease.unwrap_or(0), self.cfg.ttl);
        self.dcs(KvOp::Cmd(KvCmd::Grant { id, ttl_ms }), ctx);
    }

    /// What the loop does with the cluster it read.
    fn decide(&mut self, ctx: &mut PCtx) {
        match self.leader {
            Some((owner, _)) if owner == self.me => {
                // `update_lock`: keep the lease alive (or get one), then own the key.
                match self.lease {
                    Some(id) => {
                        self.step = Step::KeepAlive;
                        self.dcs(KvOp::KeepAlive { id }, ctx);
                    }
                    None => self.grant(false, ctx),
                }
            }
            Some((owner, _)) => {
                if self.pg.role() == PgRole::Primary {
                    ctx.event(PatroniEvent::DemoteNoLock);
                    self.demote(false, ctx);
                }
                self.follow(owner, ctx);
                self.end_cycle(ctx);
            }
            None => {
                if self.pg.role() == PgRole::Primary {
                    // A primary that finds no key tries to take it back.
                    self.grant(true, ctx);
                    return;
                }
                if self.busy.is_some() || self.pg.role() != PgRole::Standby {
                    self.end_cycle(ctx);
                    return;
                }
                if self.cfg.sync_mode && self.sync != Some(self.me) {
                    ctx.event(PatroniEvent::NotHealthiest {
                        why: "not the synchronous standby",
                    });
                    self.end_cycle(ctx);
                    return;
                }
                if self.cfg.failsafe && ctx.now < self.failsafe_until {
                    self.end_cycle(ctx);
                    return;
                }
                // `_is_healthiest_node`: first its lag behind the leader's last
                // optime, then the others.
                self.step = Step::LoadOptime;
                self.dcs(KvOp::Range { key: STATUS }, ctx);
            }
        }
    }

    /// `is_lagging`, then `fetch_nodes_statuses`.
    fn check_health(&mut self, optime: Option<u64>, ctx: &mut PCtx) {
        let lag = optime.unwrap_or(0).saturating_sub(self.pg.lsn()) * WAL_BYTES_PER_ROW;
        if lag > self.cfg.max_lag {
            ctx.event(PatroniEvent::NotHealthiest {
                why: "my wal position exceeds maximum replication lag",
            });
            self.end_cycle(ctx);
            return;
        }
        self.step = Step::Statuses;
        self.round += 1;
        self.healthy = true;
        self.pending = self.cfg.peers.clone();
        let round = self.round;
        for p in self.cfg.peers.clone() {
            ctx.send(p, Msg::StatusReq { round });
        }
        ctx.timer(REST_TIMEOUT_MS, Timer::Rest(round));
        if self.pending.is_empty() {
            self.statuses_done(ctx);
        }
    }

    fn statuses_done(&mut self, ctx: &mut PCtx) {
        if self.healthy {
            self.grant(true, ctx);
        } else {
            self.end_cycle(ctx);
        }
    }

    /// The key is ours and the lease alive.
    fn lock_held(&mut self, ctx: &mut PCtx) {
        match self.pg.role() {
            PgRole::Primary => {
                // `update_lock` also writes the leader's WAL position (`last_lsn`).
                let req = self.next_req();
                let value = self.pg.lsn();
                ctx.send(
                    self.cfg.etcd[0],
                    Msg::Etcd(EtcdMsg::KvReq {
                        req,
                        op: KvOp::Cmd(KvCmd::Put {
                            key: STATUS,
                            value,
                            lease: 0,
                            cmp: Compare::Any,
                        }),
                    }),
                );
                self.sync_replication(ctx)
            }
            PgRole::Standby | PgRole::Stopped => {
                if self.busy.is_none() {
                    ctx.event(PatroniEvent::RePromoted);
                    self.promote(ctx);
                }
            }
            PgRole::ShuttingDown => {}
        }
        self.end_cycle(ctx);
    }

    /// `process_sync_replication` on the primary.
    fn sync_replication(&mut self, ctx: &mut PCtx) {
        if !self.cfg.sync_mode {
            return;
        }
        let current = self.sync;
        let mut streaming: Vec<(ProcId, u64)> = self.pg.streaming().collect();
        streaming.sort_by_key(|(p, flush)| (Some(*p) != current, u64::MAX - flush, p.0));
        let picked = streaming.first().map(|(p, _)| *p);
        let ssn = match picked {
            Some(p) => SyncNames::First(1, vec![self.name(p).to_string()]),
            None if self.cfg.strict => SyncNames::First(1, vec!["*".into()]),
            None => SyncNames::None,
        };
        if &ssn != self.pg.ssn() {
            ctx.event(PatroniEvent::SyncStandby { ssn: ssn.show() });
            self.pg.set_ssn(ssn, ctx);
        }
        if picked != self.sync {
            self.sync = picked;
            let req = self.next_req();
            let value = picked.map_or(0, |p| p.0 as u64 + 1);
            ctx.send(
                self.cfg.etcd[0],
                Msg::Etcd(EtcdMsg::KvReq {
                    req,
                    op: KvOp::Cmd(KvCmd::Put {
                        key: SYNC,
                        value,
                        lease: 0,
                        cmp: Compare::Any,
                    }),
                }),
            );
        }
    }

    fn promote(&mut self, ctx: &mut PCtx) {
        self.promotions += 1;
        let uid = ((self.me.0 as u32 + 1) << 8) | self.promotions;
        self.pg.promote(uid, ctx);
        self.busy = None;
        self.restart_as_standby = false;
        self.check_rewind = false;
        self.stranded = false;
        // `enforce_primary_role` in synchronous mode: '*' if strict, else empty,
        // until a standby is seen streaming.
        let ssn = if !self.cfg.sync_mode {
            self.cfg.user_ssn.clone()
        } else if self.cfg.strict {
            SyncNames::First(1, vec!["*".into()])
        } else {
            SyncNames::None
        };
        self.pg.set_ssn(ssn, ctx);
        self.sync = None;
    }

    /// `demote('offline')` (fast, key left to expire) or `demote('immediate-nolock')`.
    fn demote(&mut self, fast: bool, ctx: &mut PCtx) {
        self.pg.stop(fast, ctx);
        self.restart_as_standby = true;
        self.check_rewind = true;
        self.after(ctx);
    }

    /// Follows the key's owner: restart, rewind or repoint as needed.
    fn follow(&mut self, owner: ProcId, ctx: &mut PCtx) {
        if self.busy.is_some() || self.rewinding_from.is_some() {
            return;
        }
        match self.pg.role() {
            PgRole::Stopped | PgRole::Standby if self.check_rewind || self.pg.cannot_stream() => {
                if self.stranded {
                    return;
                }
                // `_check_timeline_and_lsn` asks the leader for its timeline history.
                self.rewinding_from = Some(owner);
                ctx.send(owner, Msg::RewindReq);
            }
            PgRole::Standby => self.pg.follow(Some(owner), ctx),
            _ => {}
        }
    }

    /// The leader's timeline and WAL arrived: rewind if the histories forked.
    fn rewind_answer(
        &mut self,
        from: ProcId,
        tl: Tl,
        wal: imbl::Vector<Rec>,
        history: Vec<(Tl, u64)>,
        ctx: &mut PCtx,
    ) {
        if self.rewinding_from != Some(from) {
            return;
        }
        self.rewinding_from = None;
        if self.pg.needs_rewind(tl, &history) {
            let took = if self.cfg.use_pg_rewind {
                ctx.event(PatroniEvent::Rewind { source: from });
                REWIND_MS
            } else if self.cfg.reinit_on_diverged {
                // "reinitializing due to diverged timelines": the data directory is
                // removed and copied afresh from the leader, with the same result.
                ctx.event(PatroniEvent::Reinit { source: from });
                BASEBACKUP_MS
            } else {
                self.stranded = true;
                ctx.event(PatroniEvent::CannotRewind);
                return;
            };
            if self.pg.role() != PgRole::Stopped {
                self.pg.stop(false, ctx);
            }
            self.pg.rewind(tl, wal, history, ctx);
            self.check_rewind = false;
            self.set_busy(Busy::Rewinding(from), took, ctx);
        } else {
            self.check_rewind = false;
            if self.pg.role() == PgRole::Stopped {
                self.set_busy(Busy::Starting(Some(from)), START_MS, ctx);
            } else {
                self.pg.follow(Some(from), ctx);
                if self.pg.cannot_stream() {
                    self.stranded = true;
                }
            }
        }
    }

    fn set_busy(&mut self, b: Busy, ms: Millis, ctx: &mut PCtx) {
        self.busy_gen += 1;
        self.busy = Some((b, ctx.now + ms));
        ctx.timer(ms, Timer::Busy(self.busy_gen));
    }

    fn busy_done(&mut self, ctx: &mut PCtx) {
        let Some((b, _)) = self.busy.take() else {
            return;
        };
        match b {
            Busy::Starting(upstream) => {
                self.pg.start_standby(upstream, ctx);
                self.watching = false;
            }
            Busy::Rewinding(src) => self.set_busy(Busy::Starting(Some(src)), START_MS, ctx),
        }
    }

    /// After any input: a stopped server that should run as a standby is started
    /// (`follow(None)` after `demote('offline')`).
    fn after(&mut self, ctx: &mut PCtx) {
        if self.restart_as_standby && self.pg.role() == PgRole::Stopped && self.busy.is_none() {
            self.restart_as_standby = false;
            let upstream = self.leader.map(|l| l.0).filter(|l| *l != self.me);
            let upstream = if self.check_rewind { None } else { upstream };
            self.set_busy(Busy::Starting(upstream), START_MS, ctx);
        }
    }

    // ---- input ----

    /// A message arrived.
    pub fn on_msg(&mut self, from: ProcId, msg: Msg, ctx: &mut PCtx) {
        self.now = ctx.now;
        match msg {
            Msg::Etcd(EtcdMsg::KvResp { req, result }) => {
                if self.call.is_some_and(|c| c.req == req) {
                    self.dcs_answer(result, ctx);
                }
            }
            Msg::Etcd(EtcdMsg::WatchEvent { key, .. }) => {
                if key == LEADER && self.step == Step::Idle {
                    self.next_run = ctx.now;
                    self.schedule(ctx);
                }
            }
            Msg::Etcd(_) => {}
            Msg::StartRepl { stream, tl, lsn } => self.pg.start_repl(from, stream, tl, lsn, ctx),
            Msg::ReplRefused { stream } => self.pg.repl_refused(stream, ctx),
            Msg::Wal {
                stream,
                from: start,
                recs,
                prev,
                reply,
                ..
            } => self.pg.wal(from, stream, (start, recs, prev), reply, ctx),
            Msg::WalReply { stream, flush } => self.pg.wal_reply(from, stream, flush, ctx),
            Msg::RewindReq => {
                if self.pg.role() == PgRole::Primary {
                    ctx.send(from, self.pg.rewind_source());
                }
            }
            Msg::RewindResp { tl, wal, history } => self.rewind_answer(from, tl, wal, history, ctx),
            Msg::Insert { op, value } => self.pg.insert(from, op, value, ctx),
            Msg::IsInRecovery { op } => self.pg.is_in_recovery(from, op, ctx),
            Msg::Cancel { op } => self.pg.cancel(op, ctx),
            Msg::StatusReq { round } => {
                let in_recovery = self.pg.role() != PgRole::Primary;
                let (wal, tl) = (self.pg.lsn(), self.pg.tl().n);
                ctx.send(
                    from,
                    Msg::Status {
                        round,
                        in_recovery,
                        wal,
                        tl,
                    },
                );
            }
            Msg::Status {
                round,
                in_recovery,
                wal,
                ..
            } => {
                if self.step == Step::Statuses && round == self.round {
                    self.pending.retain(|p| *p != from);
                    if !in_recovery {
                        self.healthy = false;
                        ctx.event(PatroniEvent::NotHealthiest {
                            why: "another member is still primary",
                        });
                    } else if wal > self.pg.lsn() {
                        self.healthy = false;
                        ctx.event(PatroniEvent::NotHealthiest {
                            why: "another standby has more WAL",
                        });
                    }
                    if self.pending.is_empty() {
                        self.statuses_done(ctx);
                    }
                }
            }
            Msg::Failsafe { round } => {
                self.failsafe_until = ctx.now + self.cfg.ttl;
                ctx.send(from, Msg::FailsafeOk { round });
            }
            Msg::FailsafeOk { round } => {
                if self.step == Step::Failsafe && round == self.round {
                    self.pending.retain(|p| *p != from);
                    if self.pending.is_empty() {
                        ctx.event(PatroniEvent::FailsafeKept);
                        self.end_cycle(ctx);
                    }
                }
            }
            Msg::Reset => {
                self.pg.reset_from(from, ctx);
                if let Some(c) = self.call {
                    if self.cfg.etcd.get(c.i) == Some(&from) {
                        self.attempt_failed(ctx);
                    }
                }
            }
            Msg::Sql { .. } => {}
        }
        self.after(ctx);
    }

    /// A timer fired.
    pub fn on_timer(&mut self, t: Timer, ctx: &mut PCtx) {
        self.now = ctx.now;
        match t {
            Timer::Loop(g) if g == self.gen => self.run_cycle(ctx),
            Timer::Dcs(req, tries)
                if self.call.is_some_and(|c| c.req == req && c.tries == tries) =>
            {
                self.attempt_failed(ctx)
            }
            Timer::Retry(req, tries)
                if self.call.is_some_and(|c| c.req == req && c.tries == tries) =>
            {
                self.attempt(ctx)
            }
            Timer::Rest(round) if round == self.round => match self.step {
                Step::Statuses => self.statuses_done(ctx),
                Step::Failsafe => {
                    ctx.event(PatroniEvent::DemoteNoDcs);
                    self.demote(true, ctx);
                    self.end_cycle(ctx);
                }
                _ => {}
            },
            Timer::Busy(g) if g == self.busy_gen => self.busy_done(ctx),
            Timer::PgTick => self.pg.tick(ctx),
            _ => {}
        }
        self.after(ctx);
    }

    /// What survives a crash: PostgreSQL's data directory.
    pub fn disk(&self) -> Pg {
        self.pg.clone()
    }

    /// Restarts after a crash: Patroni starts again with no lease, PostgreSQL is
    /// started as a standby and the loop decides the rest.
    pub fn restart(&mut self, pg: Option<Pg>, ctx: &mut PCtx) {
        let mut pg = pg.unwrap_or_else(|| self.pg.clone());
        pg.stop(false, ctx);
        let mut fresh = Member::new(self.me, self.cfg.clone(), pg);
        fresh.check_rewind = true;
        fresh.restart_as_standby = false;
        *self = fresh;
        self.next_run = ctx.now;
        self.schedule(ctx);
        self.pg.start(ctx);
        self.set_busy(Busy::Starting(None), START_MS, ctx);
    }

    /// What the page shows.
    pub fn view(&self) -> ProcView {
        let pg = &self.pg;
        let (role, label) = match pg.role() {
            PgRole::Primary => (Role::Primary, "primary"),
            PgRole::Standby => (Role::Replica, "standby"),
            PgRole::ShuttingDown => (Role::Replica, "stopping"),
            PgRole::Stopped => (Role::Replica, "stopped"),
        };
        let lsn = pg.lsn();
        let mut v = ProcView::new(role, label)
            .epoch(pg.tl().n as u64)
            .leader(self.leader.map(|l| l.0))
            .writable(pg.role() == PgRole::Primary, pg.accepted())
            .data(pg.rows().len())
            .num("timeline", pg.tl().n as u64)
            .num("WAL position", lsn);
        match self.leader {
            Some((p, _)) => v = v.proc("leader key (as read)", p),
            None => v = v.fact("leader key (as read)", "none"),
        }
        if let (Some(at), Some((owner, _))) = (self.renewed, self.leader) {
            if owner == self.me {
                let left = (at + self.cfg.ttl).saturating_sub(self.now);
                v = v.fact(
                    "its lease, as last renewed",
                    format!(
                        "{} s left ({} s ago)",
                        left.div_ceil(1000),
                        (self.now - at) / 1000
                    ),
                );
                v = v.gauge(
                    "its leader key's lease, as last renewed",
                    left,
                    self.cfg.ttl,
                );
            }
        }
        if pg.replicated() < lsn {
            v = v.num("WAL on this server alone", lsn - pg.replicated());
        }
        if pg.role() == PgRole::Primary {
            v = v.fact("synchronous_standby_names", pg.ssn().show());
            for (s, flush) in pg.streaming() {
                v = v.num(&format!("{} flushed", self.name(s)), flush);
            }
            if pg.waiting() > 0 {
                v = v
                    .num("commits waiting for a standby", pg.waiting() as u64)
                    .fact("commit", "waiting for a synchronous standby");
            }
        }
        if let Some(u) = pg.upstream() {
            v = v.proc("streams from", u);
        }
        if self.stranded || pg.cannot_stream() {
            v = v.fact("replication", "cannot stream: histories forked");
        }
        if let Some((b, until)) = self.busy {
            v = v.fact(
                "busy",
                match b {
                    Busy::Starting(_) => format!("starting PostgreSQL (until {} ms)", until),
                    Busy::Rewinding(_) => format!("pg_rewind (until {} ms)", until),
                },
            );
        }
        let shown = 18u64;
        let first = lsn.saturating_sub(shown) + 1;
        // Hollow cells: WAL no standby has confirmed, which this server alone holds.
        v.log(LogStrip {
            first,
            epochs: pg.recent_timelines(shown),
            commit: pg.replicated(),
        })
    }
}
