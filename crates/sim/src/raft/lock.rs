//! A client holding a lock in etcd the way clientv3's `concurrency` package does
//! (`etcdctl lock`): a session is a lease with a TTL, kept alive every TTL/3
//! (`clientv3/lease.go` `sendKeepAliveLoop`); the lock is a key attached to the lease,
//! created only if absent, and the revision of that put is the lock's fencing token
//! (`Mutex.Header().Revision`, which grows with every grant). The client works,
//! writes to the storage with the revision, and releases by revoking the lease.
//!
//! A holder paused longer than its lease sends no keep-alive: the leader's lessor
//! revokes the lease, the key goes, and another client takes the lock. The paused
//! client wakes and writes before any keep-alive answer can tell it (Jepsen, etcd
//! 3.4.3: "locks are not safe without fencing"). With the revision checked at the
//! storage, its write is refused.

use super::events::RaftEvent;
use super::kv::{Compare, KvCmd, KvOp, KvResult};
use super::msg::Msg;
use super::{NCtx, Timer};
use crate::history::{OpId, OpKind, OpResult};
use crate::ids::{Millis, ProcId};
use crate::process::Signal;
use crate::view::{ProcView, Role};

/// The lock's key.
pub const LOCK_KEY: &str = "/lock/resource";
/// The lock's number in the history.
pub const LOCK: u32 = 1;
/// A client whose `Txn` found the key taken watches it and asks again when it is
/// deleted (`concurrency.Mutex` waits on a watch, `waitDeletes`); it also asks again
/// after this long, in case the watch's member is cut off.
const POLL_MS: Millis = 1000;

/// A lock client's fixed settings.
#[derive(Clone, Debug)]
pub struct LockCfg {
    /// Its index among clients.
    pub index: u32,
    /// The member it talks to.
    pub endpoint: ProcId,
    /// The storage.
    pub storage: ProcId,
    /// `etcdctl lock --ttl`: the session lease's TTL.
    pub ttl: Millis,
    /// How long it works while holding the lock, before it writes.
    pub work: Millis,
    /// How long it waits after releasing before it wants the lock again.
    pub think: Millis,
    /// `--command-timeout`.
    pub timeout: Millis,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Idle,
    Granting,
    Putting,
    Reading,
    Working,
    Writing(OpId),
}

/// One client.
#[derive(Clone, Debug)]
pub struct LockClient {
    cfg: LockCfg,
    phase: Phase,
    req: u64,
    /// The request the current phase waits for.
    pending: u64,
    /// The last keep-alive sent, and for which lease.
    keep_alive: (u64, u64),
    seq: u64,
    lease: u64,
    leases: u64,
    token: u64,
    believes: bool,
    /// When the lease runs out, as of its last keep-alive answer.
    lease_until: Millis,
    acquired: u64,
}

impl LockClient {
    /// A client with these settings.
    pub fn new(cfg: LockCfg) -> Self {
        LockClient {
            cfg,
            phase: Phase::Idle,
            req: 0,
            pending: 0,
            keep_alive: (0, 0),
            seq: 0,
            lease: 0,
            leases: 0,
            token: 0,
            believes: false,
            lease_until: 0,
            acquired: 0,
        }
    }

    pub(super) fn start(&mut self, ctx: &mut NCtx) {
        let offset = ctx.rng().below(self.cfg.think.max(1));
        ctx.timer(offset, Timer::Next);
    }

    pub(super) fn restart(&mut self, ctx: &mut NCtx) {
        self.phase = Phase::Idle;
        self.believes = false;
        self.lease = 0;
        self.start(ctx);
    }

    /// A request id of its own, apart from other clients' and from operation ids.
    fn ask(&mut self, op: KvOp, ctx: &mut NCtx) -> u64 {
        self.req += 1;
        let req = (1 << 48) | ((self.cfg.index as u64 + 1) << 32) | self.req;
        ctx.send(self.cfg.endpoint, Msg::KvReq { req, op });
        req
    }

    fn request(&mut self, op: KvOp, phase: Phase, ctx: &mut NCtx) {
        let req = self.ask(op, ctx);
        self.pending = req;
        self.phase = phase;
        ctx.timer(self.cfg.timeout, Timer::KvTimeout(req));
    }

    fn put(&mut self, ctx: &mut NCtx) {
        let cmd = KvCmd::Put {
            key: LOCK_KEY,
            value: self.cfg.index as u64 + 1,
            lease: self.lease,
            cmp: Compare::Absent,
        };
        self.request(KvOp::Cmd(cmd), Phase::Putting, ctx);
    }

    /// Gives up this round: the lease is revoked, and the next round starts later.
    fn give_up(&mut self, wait: Millis, ctx: &mut NCtx) {
        self.let_go(ctx);
        if self.lease != 0 {
            let id = self.lease;
            self.ask(KvOp::Cmd(KvCmd::Revoke { id }), ctx);
            self.lease = 0;
        }
        self.phase = Phase::Idle;
        ctx.timer(wait, Timer::Next);
    }

    fn let_go(&mut self, ctx: &mut NCtx) {
        if self.believes {
            self.believes = false;
            ctx.signal(Signal::LockReleased { lock: LOCK });
        }
    }

    fn current(&self, req: u64) -> bool {
        req == self.pending
    }

    pub(super) fn on_msg(&mut self, msg: Msg, ctx: &mut NCtx) {
        match msg {
            Msg::KvResp {
                req,
                result: KvResult::KeepAlive(ttl),
            } if self.lease != 0 && (req, self.lease) == self.keep_alive => match ttl {
                Some(ttl) => self.lease_until = ctx.now + ttl,
                None => {
                    // The lease is gone: so is the lock, and the client learns it only now.
                    if self.believes {
                        ctx.event(RaftEvent::LockLeaseLost);
                    }
                    if let Phase::Writing(_) = self.phase {
                        // Too late for the write already sent: it waits for its answer.
                        self.let_go(ctx);
                    } else {
                        let think = self.cfg.think;
                        self.give_up(think, ctx);
                    }
                }
            },
            Msg::KvResp { req, result } if self.current(req) => match (self.phase, result) {
                (Phase::Granting, KvResult::Granted) => {
                    self.lease_until = ctx.now + self.cfg.ttl;
                    ctx.timer(self.cfg.ttl / 3, Timer::KeepAlive(self.lease));
                    self.put(ctx);
                }
                (Phase::Putting, KvResult::Txn(true)) => {
                    let key = LOCK_KEY;
                    self.request(KvOp::Range { key }, Phase::Reading, ctx);
                }
                // Taken: wait for the key's deletion.
                (Phase::Putting, KvResult::Txn(false)) => {
                    self.phase = Phase::Idle;
                    self.ask(KvOp::Watch { key: LOCK_KEY }, ctx);
                    ctx.timer(POLL_MS, Timer::Poll);
                }
                (Phase::Reading, KvResult::Range(Some(kv))) if kv.lease == self.lease => {
                    self.token = kv.mod_revision;
                    self.believes = true;
                    self.acquired += 1;
                    self.phase = Phase::Working;
                    ctx.signal(Signal::LockAcquired {
                        lock: LOCK,
                        token: self.token,
                        valid_ms: self.lease_until.saturating_sub(ctx.now),
                    });
                    ctx.timer(self.cfg.work, Timer::WorkDone);
                }
                (Phase::Reading, _) => {
                    let think = self.cfg.think;
                    self.give_up(think, ctx);
                }
                _ => {}
            },
            Msg::WatchEvent { key, value: None }
                if key == LOCK_KEY && self.phase == Phase::Idle && self.lease != 0 =>
            {
                self.put(ctx)
            }
            Msg::LockWriteReply { op, accepted } if self.phase == Phase::Writing(op) => {
                let result = if accepted {
                    OpResult::Ok
                } else {
                    OpResult::Error("FENCED".into())
                };
                ctx.signal(Signal::OpComplete {
                    op,
                    result,
                    read: None,
                });
                let think = self.cfg.think;
                self.give_up(think, ctx);
            }
            _ => {}
        }
    }

    pub(super) fn on_timer(&mut self, t: Timer, ctx: &mut NCtx) {
        match t {
            Timer::Next if self.phase == Phase::Idle && self.lease == 0 => {
                self.leases += 1;
                self.lease = ((self.cfg.index as u64 + 1) << 32) | self.leases;
                let cmd = KvCmd::Grant {
                    id: self.lease,
                    ttl_ms: self.cfg.ttl,
                };
                self.request(KvOp::Cmd(cmd), Phase::Granting, ctx);
            }
            Timer::Poll if self.phase == Phase::Idle && self.lease != 0 => self.put(ctx),
            // A request of etcd's that timed out: this round is over (never while
            // it works or writes: those wait for their own answers).
            Timer::KvTimeout(req)
                if self.current(req)
                    && matches!(
                        self.phase,
                        Phase::Granting | Phase::Putting | Phase::Reading
                    ) =>
            {
                self.give_up(POLL_MS, ctx);
            }
            Timer::KeepAlive(id) if id == self.lease => {
                let req = self.ask(KvOp::KeepAlive { id }, ctx);
                self.keep_alive = (req, id);
                ctx.timer(self.cfg.ttl / 3, Timer::KeepAlive(id));
            }
            Timer::WorkDone if self.phase == Phase::Working => {
                if ctx.now > self.lease_until {
                    ctx.event(RaftEvent::LockWriteAfterLease {
                        late_ms: ctx.now - self.lease_until,
                    });
                }
                self.seq += 1;
                let op = OpId::of(self.cfg.index, self.seq);
                ctx.signal(Signal::OpInvoke {
                    op,
                    kind: OpKind::Write,
                    key: LOCK,
                    value: op.0,
                });
                self.phase = Phase::Writing(op);
                ctx.send(
                    self.cfg.storage,
                    Msg::LockWrite {
                        op,
                        token: self.token,
                        value: op.0,
                    },
                );
                ctx.timer(self.cfg.timeout, Timer::OpTimeout(op));
            }
            Timer::OpTimeout(op) if self.phase == Phase::Writing(op) => {
                ctx.signal(Signal::OpComplete {
                    op,
                    result: OpResult::Unknown("context deadline exceeded".into()),
                    read: None,
                });
                let think = self.cfg.think;
                self.give_up(think, ctx);
            }
            _ => {}
        }
    }

    pub(super) fn view(&self) -> ProcView {
        let v = if self.believes {
            ProcView::new(Role::Client, "lock holder")
                .fact("lock", format!("held, revision {}", self.token))
        } else {
            ProcView::new(Role::Client, "client").fact("lock", "not held")
        };
        v.proc("endpoint", self.cfg.endpoint)
            .num("locks acquired", self.acquired)
    }
}
