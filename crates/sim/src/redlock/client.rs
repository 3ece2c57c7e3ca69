//! A client taking the lock with RedLock, as redis.io's "Distributed Locks with
//! Redis" describes it and redlock-py implements it: `SET resource value NX PX ttl`
//! on each master in turn, each with a short timeout; the lock is held if a majority
//! said OK and time is left. Then it works, writes to the shared storage with its
//! token, and releases the lock on every master with the compare-and-delete script.

use super::events::RedlockEvent;
use super::msg::Msg;
use super::{RCtx, Timer, Validity};
use crate::history::{OpId, OpKind, OpResult};
use crate::ids::{Millis, ProcId};
use crate::process::Signal;
use crate::view::{ProcView, Role};

/// The lock's number in the history (one resource).
pub const LOCK: u32 = 1;

/// A client's fixed settings.
#[derive(Clone, Debug)]
pub struct ClientCfg {
    /// Its index among clients (makes written values unique).
    pub index: u32,
    /// The masters, in the order it asks them.
    pub masters: Vec<ProcId>,
    /// The shared storage.
    pub storage: ProcId,
    /// `PX`.
    pub ttl: Millis,
    /// How the validity is computed.
    pub validity: Validity,
    /// Attempts before it gives up for now (redlock-py's `retry_count`, 3).
    pub retry_count: u32,
    /// The most it waits between attempts; it waits a random time up to this
    /// (redlock-py's `retry_delay`, 200 ms).
    pub retry_delay: Millis,
    /// How long it waits for one master (redis.io: "5-50 milliseconds").
    pub request_timeout: Millis,
    /// How long it works while holding the lock, before it writes.
    pub work: Millis,
    /// How long it waits after releasing before it wants the lock again.
    pub think: Millis,
    /// How long it waits for the storage.
    pub store_timeout: Millis,
    /// It looks at its clock before writing, and gives the write up if the lock's
    /// validity has run out.
    pub check_before_write: bool,
}

/// The validity redis.io computes: `ttl - elapsed - drift`, with `drift = ttl × 0.01
/// + 2 ms` (redlock-py's `clock_drift_factor` 0.01 and its 2 ms "for Redis expires
/// precision"). The seed checks `elapsed < ttl` only.
pub fn validity(v: Validity, ttl: Millis, elapsed: i64) -> i64 {
    let ttl = ttl as i64;
    match v {
        Validity::RedisIo => ttl - elapsed - (ttl / 100 + 2),
        Validity::Seed => ttl - elapsed,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Waiting to try.
    Idle,
    /// Asking master `next`.
    Acquiring { next: usize, got: u32 },
    /// Holding the lock, working.
    Working,
    /// Waiting for the storage's answer.
    Writing(OpId),
}

/// One client.
#[derive(Clone, Debug)]
pub struct LockClient {
    cfg: ClientCfg,
    phase: Phase,
    req: u64,
    seq: u64,
    /// This attempt's random value.
    value: u64,
    /// When the attempt started, by its clock.
    start: i64,
    tries: u32,
    /// When the lock runs out by its clock, while it holds it.
    valid_until: Option<i64>,
    /// Whether it believes it holds the lock (a client that checks its clock stops
    /// believing when the validity runs out, before it releases).
    believes: bool,
    acquired: u64,
    failed: u64,
}

impl LockClient {
    /// A client with these settings.
    pub fn new(cfg: ClientCfg) -> Self {
        LockClient {
            cfg,
            phase: Phase::Idle,
            req: 0,
            seq: 0,
            value: 0,
            start: 0,
            tries: 0,
            valid_until: None,
            believes: false,
            acquired: 0,
            failed: 0,
        }
    }

    pub(super) fn start(&mut self, ctx: &mut RCtx) {
        // Clients start a little apart so that they do not act in lockstep.
        let offset = ctx.rng().below(self.cfg.think.max(1));
        ctx.timer(offset, Timer::Next);
    }

    pub(super) fn restart(&mut self, ctx: &mut RCtx) {
        self.phase = Phase::Idle;
        self.valid_until = None;
        self.believes = false;
        self.tries = 0;
        self.start(ctx);
    }

    fn attempt(&mut self, ctx: &mut RCtx) {
        // A value no other client can draw, as redis.io asks ("unique across all
        // clients and all lock requests"): six random digits to stay readable, then
        // the client's number. Two clients drawing the same digits would release
        // each other's locks.
        self.value = (100_000 + ctx.rng().below(900_000)) * 1000 + self.cfg.index as u64 + 1;
        self.start = ctx.clock;
        self.phase = Phase::Acquiring { next: 0, got: 0 };
        self.ask(0, ctx);
    }

    fn ask(&mut self, i: usize, ctx: &mut RCtx) {
        self.req += 1;
        ctx.send(
            self.cfg.masters[i],
            Msg::Set {
                req: self.req,
                value: self.value,
                px: self.cfg.ttl,
            },
        );
        ctx.timer(self.cfg.request_timeout, Timer::Request(self.req));
    }

    /// One master answered (or did not in time): the next, or the verdict.
    fn advance(&mut self, ok: bool, ctx: &mut RCtx) {
        let Phase::Acquiring { next, got } = self.phase else {
            return;
        };
        let got = got + ok as u32;
        if next + 1 < self.cfg.masters.len() {
            self.phase = Phase::Acquiring {
                next: next + 1,
                got,
            };
            self.ask(next + 1, ctx);
            return;
        }
        let needed = (self.cfg.masters.len() / 2 + 1) as u32;
        let elapsed = ctx.clock - self.start;
        let valid = validity(self.cfg.validity, self.cfg.ttl, elapsed);
        if got >= needed && valid > 0 {
            self.acquired += 1;
            self.tries = 0;
            self.phase = Phase::Working;
            self.valid_until = Some(ctx.clock + valid);
            self.believes = true;
            ctx.signal(Signal::LockAcquired {
                lock: LOCK,
                token: self.value,
                valid_ms: valid as Millis,
            });
            ctx.timer(self.cfg.work, Timer::WorkDone);
            if self.cfg.check_before_write {
                ctx.timer(valid as Millis, Timer::ValidityEnd(self.acquired));
            }
            return;
        }
        self.failed += 1;
        ctx.event(RedlockEvent::NotAcquired {
            got,
            needed,
            elapsed_ms: elapsed,
            validity_ms: valid,
        });
        // "The client will try to unlock all the instances (even the instances it
        // believed it was not able to lock)."
        self.unlock_all(ctx);
        self.phase = Phase::Idle;
        self.tries += 1;
        if self.tries < self.cfg.retry_count {
            let wait = ctx.rng().below(self.cfg.retry_delay.max(1));
            ctx.timer(wait, Timer::Next);
        } else {
            self.tries = 0;
            ctx.timer(self.cfg.think, Timer::Next);
        }
    }

    fn unlock_all(&mut self, ctx: &mut RCtx) {
        for m in &self.cfg.masters {
            ctx.send(*m, Msg::Unlock { value: self.value });
        }
    }

    /// Work done: write under the lock, looking at the clock first only if told to.
    fn write(&mut self, ctx: &mut RCtx) {
        if let Some(until) = self.valid_until.filter(|u| ctx.clock > *u) {
            let late_ms = (ctx.clock - until) as Millis;
            if self.cfg.check_before_write {
                ctx.event(RedlockEvent::ValidityRanOut { late_ms });
                self.release(ctx);
                return;
            }
            ctx.event(RedlockEvent::WritesAfterExpiry { late_ms });
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
            Msg::Store {
                op,
                token: self.value,
                value: op.0,
            },
        );
        ctx.timer(self.cfg.store_timeout, Timer::Store(op));
    }

    /// Stops believing it holds the lock.
    fn let_go(&mut self, ctx: &mut RCtx) {
        if self.believes {
            self.believes = false;
            ctx.signal(Signal::LockReleased { lock: LOCK });
        }
    }

    fn release(&mut self, ctx: &mut RCtx) {
        self.let_go(ctx);
        self.unlock_all(ctx);
        self.valid_until = None;
        self.phase = Phase::Idle;
        ctx.timer(self.cfg.think, Timer::Next);
    }

    pub(super) fn on_msg(&mut self, msg: Msg, ctx: &mut RCtx) {
        match msg {
            Msg::SetReply { req, ok } if req == self.req => self.advance(ok, ctx),
            Msg::StoreReply {
                op,
                accepted,
                newest,
            } if self.phase == Phase::Writing(op) => {
                let result = if accepted {
                    OpResult::Ok
                } else {
                    ctx.note(move || {
                        format!("storage fenced the write off: it has seen token {newest}")
                    });
                    OpResult::Error("FENCED".into())
                };
                ctx.signal(Signal::OpComplete {
                    op,
                    result,
                    read: None,
                });
                self.release(ctx);
            }
            _ => {}
        }
    }

    pub(super) fn on_timer(&mut self, t: Timer, ctx: &mut RCtx) {
        match t {
            Timer::Next if self.phase == Phase::Idle => self.attempt(ctx),
            Timer::Request(req) if req == self.req => self.advance(false, ctx),
            Timer::WorkDone if self.phase == Phase::Working => self.write(ctx),
            Timer::ValidityEnd(n) if n == self.acquired && self.phase == Phase::Working => {
                self.let_go(ctx)
            }
            Timer::Store(op) if self.phase == Phase::Writing(op) => {
                ctx.signal(Signal::OpComplete {
                    op,
                    result: OpResult::Unknown("timeout".into()),
                    read: None,
                });
                self.release(ctx);
            }
            _ => {}
        }
    }

    pub(super) fn view(&self) -> ProcView {
        // The lock holder is who is in charge here, crowned as a leader is; two
        // clients that both believe they hold the lock both wear the crown.
        let mut v = if self.believes {
            ProcView::new(Role::Primary, "lock holder")
        } else {
            ProcView::new(Role::Client, "client")
        };
        v = match self.phase {
            Phase::Idle => v.fact("lock", "not held"),
            Phase::Acquiring { next, got } => v.fact(
                "lock",
                format!(
                    "asking master {} of {}: {got} OK so far",
                    next + 1,
                    self.cfg.masters.len()
                ),
            ),
            Phase::Working | Phase::Writing(_) => {
                let mut v = v.fact("lock", format!("held, token {}", self.value));
                if let Some(u) = self.valid_until {
                    v = v.fact("valid until (its clock)", format!("{u} ms"));
                }
                v
            }
        };
        v.num("locks acquired", self.acquired)
            .num("attempts failed", self.failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redis_io_validity_leaves_a_drift_allowance_the_seed_omits() {
        // ttl 10 s, 30 ms spent acquiring: drift = 10_000 × 0.01 + 2 = 102 ms.
        assert_eq!(validity(Validity::RedisIo, 10_000, 30), 10_000 - 30 - 102);
        assert_eq!(validity(Validity::Seed, 10_000, 30), 9_970);
        // An attempt that took the whole TTL is too late under both.
        assert!(validity(Validity::RedisIo, 10_000, 9_950) < 0);
        assert_eq!(validity(Validity::Seed, 10_000, 10_000), 0);
    }
}
