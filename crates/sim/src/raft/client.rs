//! A client application using etcd's clientv3 against one endpoint (as `etcdctl
//! --endpoints` with one address does): one operation at a time at a fixed rate. A
//! request with no answer within the timeout (etcdctl's `--command-timeout`, 5 s) is
//! recorded as unknown: the write may still commit later.

use super::events::RaftEvent;
use super::msg::Msg;
use super::{NCtx, Timer};
use crate::history::{OpId, OpKind, OpResult};
use crate::ids::{Millis, ProcId};
use crate::process::Signal;
use crate::view::{ProcView, Role};

/// What clients do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Workload {
    /// Put unique values (Jepsen's set test): a lost acknowledged write is exact.
    Set,
    /// Put and get one key in turn, to see stale reads.
    Register,
    /// Take a lock (a key on a session lease), work, write to the storage with the
    /// lock's revision, release it (see [`super::lock`]).
    Lock,
    /// Update one document by optimistic concurrency, as clientv3's `concurrency.STM`
    /// does: read the key and its `mod_revision`, then a `Txn` that puts the new
    /// version only if `mod_revision` is unchanged; if it changed, read again and
    /// retry. The document's items are the values put on the key.
    Document,
}

/// How reads are served.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consistency {
    /// `--consistency=l` (the default): ReadIndex through the leader.
    Linearizable,
    /// `--consistency=s`: whatever the member asked has applied.
    Serializable,
}

/// A client's fixed settings.
#[derive(Clone, Debug)]
pub struct ClientCfg {
    /// Its index among clients (makes written values unique).
    pub index: u32,
    /// Milliseconds between operation starts.
    pub interval: Millis,
    /// `--command-timeout`.
    pub timeout: Millis,
    /// The workload.
    pub workload: Workload,
    /// How it reads.
    pub consistency: Consistency,
    /// The member it talks to.
    pub endpoint: ProcId,
}

/// One client.
#[derive(Clone, Debug)]
pub struct Client {
    cfg: ClientCfg,
    seq: u64,
    in_flight: Option<(OpId, OpKind)>,
    /// The document's revision its next write compares against (document workload).
    read_rev: Option<u64>,
    /// The revision its last read returned.
    last_read_rev: u64,
    last_start: Millis,
    acked: u64,
    unknown: u64,
}

impl Client {
    /// A client with these settings.
    pub fn new(cfg: ClientCfg) -> Self {
        Client {
            cfg,
            seq: 0,
            in_flight: None,
            read_rev: None,
            last_read_rev: 0,
            last_start: 0,
            acked: 0,
            unknown: 0,
        }
    }

    pub(super) fn start(&mut self, ctx: &mut NCtx) {
        // Clients start a little apart so that they do not act in lockstep.
        let offset = ctx.rng().below(self.cfg.interval.max(1));
        ctx.timer(offset, Timer::Next);
    }

    pub(super) fn restart(&mut self, ctx: &mut NCtx) {
        self.in_flight = None;
        self.read_rev = None;
        self.start(ctx);
    }

    fn invoke(&mut self, ctx: &mut NCtx) {
        self.last_start = ctx.now;
        self.send_op(ctx);
    }

    /// Sends the next operation: a read or a write as the workload says.
    fn send_op(&mut self, ctx: &mut NCtx) {
        self.seq += 1;
        let op = OpId::of(self.cfg.index, self.seq);
        let read = match self.cfg.workload {
            Workload::Register => self.seq.is_multiple_of(2),
            Workload::Document => self.read_rev.is_none(),
            _ => false,
        };
        let (kind, value, msg) = if read {
            let serializable = self.cfg.consistency == Consistency::Serializable;
            (OpKind::Read, 0, Msg::Get { op, serializable })
        } else {
            let expect = self.read_rev.take();
            (
                OpKind::Write,
                op.0,
                Msg::Put {
                    op,
                    value: op.0,
                    expect,
                },
            )
        };
        ctx.signal(Signal::OpInvoke {
            op,
            kind,
            key: 0,
            value,
        });
        self.in_flight = Some((op, kind));
        ctx.send(self.cfg.endpoint, msg);
        ctx.timer(self.cfg.timeout, Timer::OpTimeout(op));
    }

    fn next_op(&mut self, ctx: &mut NCtx) {
        let due = self.last_start + self.cfg.interval;
        ctx.timer(due.saturating_sub(ctx.now), Timer::Next);
    }

    pub(super) fn on_msg(&mut self, msg: Msg, ctx: &mut NCtx) {
        let Msg::Reply {
            op,
            read,
            rev,
            succeeded,
        } = msg
        else {
            return;
        };
        let Some((_, kind)) = self.in_flight.filter(|f| f.0 == op) else {
            return;
        };
        self.in_flight = None;
        if !succeeded {
            ctx.signal(Signal::OpComplete {
                op,
                result: OpResult::Error("compare failed".into()),
                read: None,
            });
            // Whatever revision the failed write compared against is gone: read again.
            ctx.event(RaftEvent::CompareFailed {
                read_rev: self.last_read_rev,
                rev,
            });
            self.send_op(ctx);
            return;
        }
        self.acked += 1;
        ctx.signal(Signal::OpComplete {
            op,
            result: OpResult::Ok,
            read,
        });
        if self.cfg.workload == Workload::Document && kind == OpKind::Read {
            // Read-modify-write: the write follows the read at once, compared against
            // the revision read.
            self.read_rev = Some(rev);
            self.last_read_rev = rev;
            self.send_op(ctx);
        } else {
            self.next_op(ctx);
        }
    }

    pub(super) fn on_timer(&mut self, t: Timer, ctx: &mut NCtx) {
        match t {
            Timer::Next if self.in_flight.is_none() => self.invoke(ctx),
            Timer::OpTimeout(op) if self.in_flight.map(|f| f.0) == Some(op) => {
                self.in_flight = None;
                self.unknown += 1;
                ctx.signal(Signal::OpComplete {
                    op,
                    result: OpResult::Unknown("context deadline exceeded".into()),
                    read: None,
                });
                self.next_op(ctx);
            }
            _ => {}
        }
    }

    pub(super) fn view(&self) -> ProcView {
        ProcView::new(Role::Client, "client")
            .leader(Some(self.cfg.endpoint))
            .proc("endpoint", self.cfg.endpoint)
            .num("acknowledged", self.acked)
            .num("timed out (unknown)", self.unknown)
            .fact(
                "state",
                if self.in_flight.is_some() {
                    "waiting for reply"
                } else {
                    "idle"
                },
            )
    }
}
