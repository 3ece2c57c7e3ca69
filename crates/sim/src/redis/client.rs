//! A client application: runs a workload at a fixed rate, one operation at a time,
//! and finds the master through Sentinel, by default the way redis-py's `Sentinel`
//! does (`discover_master`: ask each Sentinel in turn, skip one that flags the master
//! s_down/o_down, move the one that answered to the front; ask again after a
//! connection error, a timeout or `READONLY`). Each client has its own way
//! (`client.discovery`): the first answer whatever it flags, only its own box's
//! Sentinel, or a fixed address.

use super::config::{Discovery, Workload};
use super::msg::{Cmd, Msg, Reply};
use super::{RCtx, Timer};
use crate::history::{OpId, OpKind, OpResult};
use crate::ids::{Millis, ProcId};
use crate::process::Signal;
use crate::view::{ProcView, Role};

/// How long a client waits for one Sentinel's answer before trying the next.
pub const SENTINEL_TIMEOUT_MS: Millis = 500;
/// Pause before asking all Sentinels again when none named a usable master.
pub const DISCOVERY_RETRY_MS: Millis = 1000;

/// A client's fixed settings.
#[derive(Clone, Debug)]
pub struct ClientCfg {
    /// Its index among clients (makes written values unique).
    pub index: u32,
    /// Milliseconds between operation starts.
    pub interval: Millis,
    /// Socket timeout.
    pub timeout: Millis,
    /// Sentinel or fixed address.
    pub discovery: Discovery,
    /// Set or register.
    pub workload: Workload,
    /// `WAIT n timeout` after each write.
    pub wait: Option<(u32, Millis)>,
    /// The initial master (used by fixed discovery).
    pub fixed: ProcId,
    /// The storage the lock workload writes to.
    pub storage: Option<ProcId>,
    /// The lock workload's `PX`.
    pub lock_ttl: Millis,
    /// The lock workload's work under the lock.
    pub work: Millis,
}

/// The lock's number in the history (the lock workload).
pub const LOCK: u32 = 1;

#[derive(Clone, Copy, Debug, PartialEq)]
enum State {
    Idle,
    Discovering {
        req: u64,
        k: usize,
    },
    InFlight {
        op: OpId,
        kind: OpKind,
    },
    /// The lock workload: `SET NX PX` sent.
    Acquiring {
        op: OpId,
    },
    /// The lock workload: holding the lock, working.
    Working,
}

/// One client.
#[derive(Clone, Debug)]
pub struct Client {
    cfg: ClientCfg,
    sentinels: Vec<ProcId>,
    master: Option<ProcId>,
    state: State,
    seq: u64,
    req: u64,
    last_start: Millis,
    acked: u64,
    failed: u64,
    /// The lock workload: the value of its lock, while it holds it.
    holds: Option<u64>,
}

impl Client {
    /// A client that knows these Sentinels (in configuration order).
    pub fn new(cfg: ClientCfg, sentinels: Vec<ProcId>) -> Self {
        Client {
            cfg,
            sentinels,
            master: None,
            state: State::Idle,
            seq: 0,
            req: 0,
            last_start: 0,
            acked: 0,
            failed: 0,
            holds: None,
        }
    }

    pub(super) fn start(&mut self, ctx: &mut RCtx) {
        // Clients start a little apart so that they do not act in lockstep.
        let offset = ctx.rng().below(self.cfg.interval.max(1));
        ctx.timer(offset, Timer::Tick);
    }

    pub(super) fn restart(&mut self, ctx: &mut RCtx) {
        self.master = None;
        self.state = State::Idle;
        self.holds = None;
        self.start(ctx);
    }

    fn discover(&mut self, k: usize, ctx: &mut RCtx) {
        match self.cfg.discovery {
            Discovery::Fixed => {
                self.master = Some(self.cfg.fixed);
                self.state = State::Idle;
                self.next_op(ctx);
            }
            Discovery::Sentinel | Discovery::LocalSentinel | Discovery::FirstAnswer => {
                if k >= self.sentinels.len() {
                    self.state = State::Idle;
                    ctx.note(|| "no Sentinel named a usable master; asking again in 1 s".into());
                    ctx.timer(DISCOVERY_RETRY_MS, Timer::Tick);
                    return;
                }
                self.req += 1;
                let req = self.req;
                self.state = State::Discovering { req, k };
                ctx.send(self.sentinels[k], Msg::GetMaster { req });
                ctx.timer(SENTINEL_TIMEOUT_MS, Timer::Discover(req));
            }
        }
    }

    fn next_op(&mut self, ctx: &mut RCtx) {
        let due = self.last_start + self.cfg.interval;
        ctx.timer(due.saturating_sub(ctx.now), Timer::Tick);
    }

    /// Its next operation's id.
    fn new_op(&mut self) -> OpId {
        self.seq += 1;
        OpId::of(self.cfg.index, self.seq)
    }

    /// The lock workload: `SET lock value NX PX ttl`, with a value no other client
    /// draws (redis-py's `Lock` uses a uuid).
    fn acquire(&mut self, master: ProcId, ctx: &mut RCtx) {
        let op = self.new_op();
        self.last_start = ctx.now;
        let value = (100_000 + ctx.rng().below(900_000)) * 1000 + self.cfg.index as u64 + 1;
        let px = self.cfg.lock_ttl;
        ctx.send(
            master,
            Msg::Cmd {
                op,
                cmd: Cmd::LockSet { value, px },
            },
        );
        self.holds = Some(value);
        self.state = State::Acquiring { op };
        ctx.timer(self.cfg.timeout, Timer::OpTimeout(op));
    }

    /// Work done: the write to the storage under the lock, with its value as token.
    fn store(&mut self, ctx: &mut RCtx) {
        let (Some(storage), Some(token)) = (self.cfg.storage, self.holds) else {
            return;
        };
        let op = self.new_op();
        ctx.signal(Signal::OpInvoke {
            op,
            kind: OpKind::Write,
            key: LOCK,
            value: op.0,
        });
        ctx.send(
            storage,
            Msg::Store {
                op,
                token,
                value: op.0,
            },
        );
        self.state = State::InFlight {
            op,
            kind: OpKind::Write,
        };
        ctx.timer(self.cfg.timeout, Timer::OpTimeout(op));
    }

    /// Lets go of the lock: the release script on the master it knows, fire and forget.
    fn release(&mut self, ctx: &mut RCtx) {
        if let Some(value) = self.holds.take() {
            ctx.signal(Signal::LockReleased { lock: LOCK });
            if let Some(m) = self.master {
                let op = self.new_op();
                ctx.send(
                    m,
                    Msg::Cmd {
                        op,
                        cmd: Cmd::Unlock { value },
                    },
                );
            }
        }
    }

    fn invoke(&mut self, master: ProcId, ctx: &mut RCtx) {
        if self.cfg.workload == Workload::Lock {
            return self.acquire(master, ctx);
        }
        let op = self.new_op();
        self.last_start = ctx.now;
        let (kind, cmd, value) = match self.cfg.workload {
            Workload::Register if self.seq.is_multiple_of(2) => (OpKind::Read, Cmd::Read, 0),
            _ => (
                OpKind::Write,
                Cmd::Write {
                    value: op.0,
                    wait: self.cfg.wait,
                },
                op.0,
            ),
        };
        ctx.signal(Signal::OpInvoke {
            op,
            kind,
            key: 0,
            value,
        });
        ctx.send(master, Msg::Cmd { op, cmd });
        self.state = State::InFlight { op, kind };
        ctx.timer(self.cfg.timeout, Timer::OpTimeout(op));
    }

    fn complete(&mut self, op: OpId, result: OpResult, read: Option<u64>, ctx: &mut RCtx) {
        match result {
            OpResult::Ok => self.acked += 1,
            _ => self.failed += 1,
        }
        ctx.signal(Signal::OpComplete { op, result, read });
        self.state = State::Idle;
    }

    pub(super) fn on_timer(&mut self, t: Timer, ctx: &mut RCtx) {
        match t {
            Timer::Tick => {
                if self.state != State::Idle {
                    return;
                }
                match self.master {
                    Some(m) => self.invoke(m, ctx),
                    None => self.discover(0, ctx),
                }
            }
            Timer::OpTimeout(op) if self.state == (State::Acquiring { op }) => {
                // No answer to SET NX: it may hold the key; it does not count it held.
                self.holds = None;
                self.state = State::Idle;
                self.master = None;
                self.discover(0, ctx);
            }
            Timer::WorkDone if self.state == State::Working => self.store(ctx),
            Timer::OpTimeout(op) => {
                if let State::InFlight { op: cur, .. } = self.state {
                    if cur == op {
                        let t = self.cfg.timeout;
                        self.complete(
                            op,
                            OpResult::Unknown(format!("timeout after {t} ms")),
                            None,
                            ctx,
                        );
                        // redis-py: a connection error makes the pool ask Sentinel again.
                        self.release(ctx);
                        self.master = None;
                        self.discover(0, ctx);
                    }
                }
            }
            Timer::Discover(req) => {
                if let State::Discovering { req: cur, k } = self.state {
                    if cur == req {
                        self.discover(k + 1, ctx);
                    }
                }
            }
            _ => {}
        }
    }

    pub(super) fn on_msg(&mut self, from: ProcId, msg: Msg, ctx: &mut RCtx) {
        match msg {
            Msg::MasterIs { req, master, down } => {
                let State::Discovering { req: cur, k } = self.state else {
                    return;
                };
                if cur != req {
                    return;
                }
                if down && self.cfg.discovery != Discovery::FirstAnswer {
                    // check_master_state: a master flagged s_down/o_down is not used.
                    self.discover(k + 1, ctx);
                    return;
                }
                self.sentinels.swap(0, k);
                if self.master != Some(master) {
                    ctx.note(move || format!("Sentinel {} says the master is {}", from, master));
                }
                self.master = Some(master);
                self.state = State::Idle;
                self.next_op(ctx);
            }
            Msg::ConnReset => match self.state {
                // The server died under the request: it may or may not have applied it.
                State::InFlight { op, .. } if self.master == Some(from) => {
                    self.complete(
                        op,
                        OpResult::Unknown("connection reset by peer".into()),
                        None,
                        ctx,
                    );
                    self.master = None;
                    self.discover(0, ctx);
                }
                // The Sentinel asked is dead: try the next at once.
                State::Discovering { k, .. } if self.sentinels.get(k) == Some(&from) => {
                    self.discover(k + 1, ctx);
                }
                _ => {}
            },
            Msg::Reply { op, reply } if self.state == (State::Acquiring { op }) => match reply {
                Reply::Ok => {
                    let token = self.holds.unwrap_or(0);
                    ctx.signal(Signal::LockAcquired {
                        lock: LOCK,
                        token,
                        valid_ms: self.cfg.lock_ttl,
                    });
                    self.state = State::Working;
                    ctx.timer(self.cfg.work, Timer::WorkDone);
                }
                Reply::ReadOnly => {
                    self.holds = None;
                    self.state = State::Idle;
                    self.master = None;
                    self.discover(0, ctx);
                }
                _ => {
                    // Held by another client, or NOREPLICAS: try again at the next tick.
                    self.holds = None;
                    self.state = State::Idle;
                    self.next_op(ctx);
                }
            },
            Msg::StoreReply { op, accepted, .. } if matches!(self.state, State::InFlight { op: cur, .. } if cur == op) =>
            {
                let result = if accepted {
                    OpResult::Ok
                } else {
                    OpResult::Error("FENCED".into())
                };
                self.complete(op, result, None, ctx);
                self.release(ctx);
                self.next_op(ctx);
            }
            Msg::Reply { op, reply } => {
                let State::InFlight { op: cur, .. } = self.state else {
                    return;
                };
                if cur != op {
                    return;
                }
                let (result, read, rediscover) = match reply {
                    Reply::Ok => (OpResult::Ok, None, false),
                    Reply::Value(v) => (OpResult::Ok, Some(v.unwrap_or(0)), false),
                    Reply::Waited(n) => match self.cfg.wait {
                        Some((need, _)) if n < need => (
                            OpResult::Unknown(format!(
                                "WAIT {need} returned {n}: applied on the master, not confirmed on {need} replica(s)"
                            )),
                            None,
                            false,
                        ),
                        _ => (OpResult::Ok, None, false),
                    },
                    Reply::ReadOnly => (OpResult::Error("READONLY".into()), None, true),
                    Reply::NoReplicas => (OpResult::Error("NOREPLICAS".into()), None, false),
                    Reply::Fenced { .. } => (OpResult::Error("FENCED".into()), None, false),
                    Reply::NotSet => (OpResult::Error("NOT SET".into()), None, false),
                };
                self.complete(op, result, read, ctx);
                if rediscover {
                    self.master = None;
                    self.discover(0, ctx);
                } else {
                    self.next_op(ctx);
                }
            }
            _ => {}
        }
    }

    pub(super) fn view(&self) -> ProcView {
        let held =
            matches!(self.state, State::Working | State::InFlight { .. }) && self.holds.is_some();
        ProcView::new(Role::Client, if held { "lock holder" } else { "client" })
            .leader(self.master)
            .num("acknowledged", self.acked)
            .num("failed or unknown", self.failed)
            .fact(
                "state",
                match self.state {
                    State::Idle => "idle",
                    State::Discovering { .. } => "asking Sentinel",
                    State::InFlight { .. } => "waiting for reply",
                    State::Acquiring { .. } => "asking for the lock",
                    State::Working => "holds the lock, working",
                },
            )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::testing::Harness;

    fn client(discovery: Discovery) -> Client {
        Client::new(
            ClientCfg {
                index: 0,
                interval: 100,
                timeout: 1000,
                discovery,
                workload: Workload::Set,
                wait: None,
                fixed: ProcId(0),
                storage: None,
                lock_ttl: 10_000,
                work: 1000,
            },
            vec![ProcId(1), ProcId(2)],
        )
    }

    /// The client asks its first Sentinel, which names M (#0) but flags it down.
    fn after_a_down_answer(discovery: Discovery) -> Vec<(ProcId, Msg)> {
        let mut c = client(discovery);
        let mut h = Harness::new(ProcId(9));
        let asked = h.run(|ctx| c.on_timer(Timer::Tick, ctx));
        assert_eq!(asked, vec![(ProcId(1), Msg::GetMaster { req: 1 })]);
        let answer = Msg::MasterIs {
            req: 1,
            master: ProcId(0),
            down: true,
        };
        h.run(|ctx| c.on_msg(ProcId(1), answer, ctx))
    }

    #[test]
    fn redis_py_skips_a_sentinel_that_flags_the_master_down() {
        assert_eq!(
            after_a_down_answer(Discovery::Sentinel),
            vec![(ProcId(2), Msg::GetMaster { req: 2 })],
            "it asks the next Sentinel"
        );
    }

    #[test]
    fn a_first_answer_client_takes_a_master_flagged_down() {
        let mut c = client(Discovery::FirstAnswer);
        let mut h = Harness::new(ProcId(9));
        h.run(|ctx| c.on_timer(Timer::Tick, ctx));
        h.run(|ctx| {
            c.on_msg(
                ProcId(1),
                Msg::MasterIs {
                    req: 1,
                    master: ProcId(0),
                    down: true,
                },
                ctx,
            )
        });
        assert_eq!(c.master, Some(ProcId(0)), "it writes to the flagged master");
        assert!(after_a_down_answer(Discovery::FirstAnswer).is_empty());
    }
}
