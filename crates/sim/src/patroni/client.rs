//! An application inserting one row at a time at a fixed rate, finding the primary one
//! of three ways: a fixed host (the old primary's address), a check of
//! `pg_is_in_recovery()` before each write (the seed's `ensurePrimary`), or libpq's
//! multi-host connection string with `target_session_attrs=read-write`, which tries
//! the hosts in order and keeps the first that is writable until the connection fails.
//!
//! A driver's query timeout may send a cancel request: PostgreSQL then ends a commit
//! that waits for a synchronous standby with *success* (and a warning the driver
//! usually only logs), so the row counts as acknowledged.

use serde::{Deserialize, Serialize};

use super::events::PatroniEvent;
use super::msg::{Msg, SqlResult};
use super::{PCtx, Timer};
use crate::history::{OpId, OpKind, OpResult};
use crate::ids::{Millis, ProcId};
use crate::process::Signal;
use crate::view::{ProcView, Role};

/// How a client finds the primary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Connect {
    /// One address, always (the host the primary was on).
    Fixed,
    /// `SELECT pg_is_in_recovery()` before each write; the next host when it says true.
    CheckRecovery,
    /// `host=a,b,c target_session_attrs=read-write`.
    MultiHost,
}

/// A client's fixed settings.
#[derive(Clone, Debug)]
pub struct ClientCfg {
    /// Its index among clients (makes written values unique).
    pub index: u32,
    /// Milliseconds between operation starts.
    pub interval: Millis,
    /// The driver's query timeout (0: none).
    pub timeout: Millis,
    /// Send a cancel request when the timeout passes.
    pub cancel: bool,
    /// How it finds the primary.
    pub connect: Connect,
    /// The hosts, in the order of its connection string; the first is the fixed one.
    pub hosts: Vec<ProcId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Waiting {
    Check(OpId),
    Write(OpId),
    Cancelled(OpId),
}

/// One client.
#[derive(Clone, Debug)]
pub struct Client {
    cfg: ClientCfg,
    seq: u64,
    host: usize,
    /// A session on a host known to be writable (multi-host).
    session: bool,
    waiting: Option<(Waiting, ProcId)>,
    pending_write: Option<OpId>,
    last_start: Millis,
    acked: u64,
    warned: u64,
    failed: u64,
    unknown: u64,
}

/// With no driver timeout, a client still gives up on a request after this long, so
/// that its history stays finite (the request stays open on the server).
const NO_TIMEOUT_MS: Millis = 600_000;

/// libpq's `connect_timeout` as such applications set it: a host that does not answer
/// is given up for the next one after this long.
const CONNECT_TIMEOUT_MS: Millis = 2_000;

impl Client {
    /// A client with these settings.
    pub fn new(cfg: ClientCfg) -> Self {
        Client {
            cfg,
            seq: 0,
            host: 0,
            session: false,
            waiting: None,
            pending_write: None,
            last_start: 0,
            acked: 0,
            warned: 0,
            failed: 0,
            unknown: 0,
        }
    }

    /// Starts its workload at a phase of its own.
    pub fn start(&mut self, ctx: &mut PCtx) {
        let offset = ctx.rng().below(self.cfg.interval.max(1));
        ctx.timer(offset, Timer::Next);
    }

    /// After a crash: nothing in flight.
    pub fn restart(&mut self, ctx: &mut PCtx) {
        self.waiting = None;
        self.pending_write = None;
        self.session = false;
        self.start(ctx);
    }

    fn target(&self) -> ProcId {
        self.cfg.hosts[self.host % self.cfg.hosts.len()]
    }

    fn timeout(&self) -> Millis {
        if self.cfg.timeout == 0 {
            NO_TIMEOUT_MS
        } else {
            self.cfg.timeout
        }
    }

    fn invoke(&mut self, ctx: &mut PCtx) {
        self.seq += 1;
        let op = OpId::of(self.cfg.index, self.seq);
        self.last_start = ctx.now;
        ctx.signal(Signal::OpInvoke {
            op,
            kind: OpKind::Write,
            key: 0,
            value: op.0,
        });
        let check = match self.cfg.connect {
            Connect::Fixed => false,
            Connect::CheckRecovery => true,
            Connect::MultiHost => !self.session,
        };
        if check {
            self.pending_write = Some(op);
            self.send_check(op, ctx);
        } else {
            self.send_write(op, ctx);
        }
    }

    fn send_check(&mut self, op: OpId, ctx: &mut PCtx) {
        let to = self.target();
        self.waiting = Some((Waiting::Check(op), to));
        ctx.send(to, Msg::IsInRecovery { op });
        ctx.timer(CONNECT_TIMEOUT_MS, Timer::OpTimeout(op));
    }

    fn send_write(&mut self, op: OpId, ctx: &mut PCtx) {
        let to = self.target();
        self.pending_write = None;
        self.waiting = Some((Waiting::Write(op), to));
        ctx.send(to, Msg::Insert { op, value: op.0 });
        ctx.timer(self.timeout(), Timer::OpTimeout(op));
    }

    fn complete(&mut self, op: OpId, result: OpResult, ctx: &mut PCtx) {
        match &result {
            OpResult::Ok => self.acked += 1,
            OpResult::Error(_) => self.failed += 1,
            OpResult::Unknown(_) => self.unknown += 1,
        }
        ctx.signal(Signal::OpComplete {
            op,
            result,
            read: None,
        });
        self.waiting = None;
        self.pending_write = None;
        let due = self.last_start + self.cfg.interval;
        ctx.timer(due.saturating_sub(ctx.now).max(1), Timer::Next);
    }

    /// The next host, for a client that looks for the primary.
    fn next_host(&mut self) {
        self.session = false;
        if self.cfg.connect != Connect::Fixed {
            self.host += 1;
        }
    }

    /// A SQL answer or a reset.
    pub fn on_msg(&mut self, from: ProcId, msg: Msg, ctx: &mut PCtx) {
        let Some((w, host)) = self.waiting else {
            return;
        };
        if host != from {
            return;
        }
        let result = match msg {
            Msg::Sql { op, result } => {
                let (Waiting::Check(o) | Waiting::Write(o) | Waiting::Cancelled(o)) = w;
                if o != op {
                    return;
                }
                result
            }
            Msg::Reset => SqlResult::Closed,
            _ => return,
        };
        match (w, result) {
            (Waiting::Check(op), SqlResult::InRecovery(false)) => {
                self.session = true;
                self.send_write(op, ctx);
            }
            (Waiting::Check(op), _) => {
                // Not the primary (or not running): the next host, next time.
                self.next_host();
                self.complete(op, OpResult::Error("no primary found".into()), ctx);
            }
            (Waiting::Write(op) | Waiting::Cancelled(op), SqlResult::Ok) => {
                self.complete(op, OpResult::Ok, ctx)
            }
            (Waiting::Write(op) | Waiting::Cancelled(op), SqlResult::OkCommittedLocally) => {
                self.warned += 1;
                ctx.event(PatroniEvent::SuccessWithWarning);
                self.complete(op, OpResult::Ok, ctx);
            }
            (Waiting::Write(op) | Waiting::Cancelled(op), SqlResult::ReadOnly) => {
                self.next_host();
                let e = "cannot execute INSERT in a read-only transaction";
                self.complete(op, OpResult::Error(e.into()), ctx);
            }
            (Waiting::Write(op) | Waiting::Cancelled(op), SqlResult::NotAccepting) => {
                self.next_host();
                let e = "FATAL: the database system is shutting down";
                self.complete(op, OpResult::Error(e.into()), ctx);
            }
            (Waiting::Write(op) | Waiting::Cancelled(op), _) => {
                self.next_host();
                let e = "server closed the connection unexpectedly";
                self.complete(op, OpResult::Unknown(e.into()), ctx);
            }
        }
    }

    /// A timer fired.
    pub fn on_timer(&mut self, t: Timer, ctx: &mut PCtx) {
        match t {
            Timer::Next if self.waiting.is_none() => self.invoke(ctx),
            Timer::OpTimeout(op) => match self.waiting {
                Some((Waiting::Check(o), _)) if o == op => {
                    self.next_host();
                    self.complete(op, OpResult::Error("connection timed out".into()), ctx);
                }
                Some((Waiting::Write(o), host)) if o == op => {
                    if self.cfg.cancel && self.cfg.timeout > 0 {
                        self.waiting = Some((Waiting::Cancelled(op), host));
                        ctx.send(host, Msg::Cancel { op });
                        ctx.timer(self.timeout(), Timer::OpTimeout(op));
                    } else {
                        self.next_host();
                        self.complete(op, OpResult::Unknown("query timeout".into()), ctx);
                    }
                }
                Some((Waiting::Cancelled(o), _)) if o == op => {
                    self.next_host();
                    self.complete(op, OpResult::Unknown("cancel unanswered".into()), ctx);
                }
                _ => {}
            },
            _ => {}
        }
    }

    /// What the page shows.
    pub fn view(&self) -> ProcView {
        let mode = match self.cfg.connect {
            Connect::Fixed => "fixed host",
            Connect::CheckRecovery => "checks pg_is_in_recovery()",
            Connect::MultiHost => "target_session_attrs=read-write",
        };
        let mut v = ProcView::new(Role::Client, "client")
            .leader(Some(self.target()))
            .proc("connects to", self.target())
            .fact("finds the primary by", mode)
            .num("acknowledged", self.acked)
            .num("refused", self.failed)
            .num("unknown", self.unknown);
        if self.warned > 0 {
            v = v.num("success with warning (local only)", self.warned);
        }
        v.fact(
            "state",
            match self.waiting {
                Some((Waiting::Write(_), _)) => "waiting for the commit",
                Some((Waiting::Cancelled(_), _)) => "sent a cancel request",
                Some((Waiting::Check(_), _)) => "checking the host",
                None => "idle",
            },
        )
    }
}
