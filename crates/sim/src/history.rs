//! The history of client operations, in the style of Jepsen: who invoked what,
//! when, and how it ended.

use serde::{Deserialize, Serialize};

use crate::ids::{Millis, ProcId};

/// A client operation, unique within a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OpId(pub u64);

impl OpId {
    /// The `seq`th operation of the client with index `client`: unique within a run,
    /// so clients also write it as their value (every lost write is then exact).
    pub fn of(client: u32, seq: u64) -> OpId {
        OpId(((client as u64 + 1) << 32) | seq)
    }
}

/// Read or write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    /// Adds a unique element (set workload) or sets the register.
    Write,
    /// Reads the register.
    Read,
}

/// How an operation ended, as the client saw it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", content = "reason", rename_all = "snake_case")]
pub enum OpResult {
    /// Acknowledged.
    Ok,
    /// Definitely refused, with the server's reason (`NOREPLICAS`, `READONLY`, ...).
    Error(String),
    /// No definite answer (timeout, WAIT short of its replicas): it may or may not have taken effect.
    Unknown(String),
}

/// One operation in the history.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Op {
    /// Its id.
    pub id: OpId,
    /// The client that ran it.
    pub process: ProcId,
    /// Read or write.
    pub kind: OpKind,
    /// Key touched.
    pub key: u32,
    /// The value written (0 for reads).
    pub value: u64,
    /// When it was invoked.
    pub invoke_ms: Millis,
    /// When it completed (None while in flight).
    pub complete_ms: Option<Millis>,
    /// How it ended (None while in flight).
    pub result: Option<OpResult>,
    /// What a read returned.
    pub read: Option<u64>,
}

/// A client's belief that it holds a lock: from when it acquired it until it let go.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LockHold {
    /// Which lock.
    pub lock: u32,
    /// The client.
    pub holder: ProcId,
    /// The token it writes with.
    pub token: u64,
    /// When it acquired the lock.
    pub acquired_ms: Millis,
    /// How long it believed the lock valid, by its own clock, when it acquired it.
    pub valid_ms: Millis,
    /// When it let go, learned it had lost the lock, or died (None: it still
    /// believes it holds it).
    pub released_ms: Option<Millis>,
}

/// All operations of a run, in invocation order.
#[derive(Clone, Debug, Default, Serialize)]
pub struct History {
    /// The operations.
    pub ops: Vec<Op>,
    /// Every lock acquisition, in order.
    pub locks: Vec<LockHold>,
    /// The values a shared storage took, in the order it took them.
    pub stored: Vec<u64>,
}

impl History {
    /// The history the client signals of a run record.
    pub fn from_signals<'a>(
        signals: impl IntoIterator<Item = &'a crate::engine::SignalRecord>,
    ) -> History {
        use crate::process::Signal;
        let mut h = History::default();
        for r in signals {
            match &r.signal {
                Signal::OpInvoke {
                    op,
                    kind,
                    key,
                    value,
                } => h.invoke(*op, r.proc, *kind, *key, *value, r.time_ms),
                Signal::OpComplete { op, result, read } => {
                    h.complete(*op, result.clone(), *read, r.time_ms)
                }
                Signal::LockAcquired {
                    lock,
                    token,
                    valid_ms,
                } => h.locks.push(LockHold {
                    lock: *lock,
                    holder: r.proc,
                    token: *token,
                    acquired_ms: r.time_ms,
                    valid_ms: *valid_ms,
                    released_ms: None,
                }),
                Signal::FencingAccepted { value, .. } => h.stored.push(*value),
                Signal::LockReleased { lock } => {
                    if let Some(hold) =
                        h.locks.iter_mut().rev().find(|l| {
                            l.holder == r.proc && l.lock == *lock && l.released_ms.is_none()
                        })
                    {
                        hold.released_ms = Some(r.time_ms);
                    }
                }
                _ => {}
            }
        }
        h
    }

    /// The hold under which `op` was invoked: the latest acquisition by its client
    /// of the lock its key names, still held when it was invoked.
    pub fn hold_of(&self, op: &Op) -> Option<&LockHold> {
        self.locks.iter().rev().find(|l| {
            l.holder == op.process
                && l.lock == op.key
                && l.acquired_ms <= op.invoke_ms
                && l.released_ms.is_none_or(|r| r >= op.invoke_ms)
        })
    }

    /// The acknowledged writes made under `hold`.
    pub fn writes_under<'a>(&'a self, hold: &'a LockHold) -> impl Iterator<Item = &'a Op> + 'a {
        self.ops.iter().filter(move |op| {
            op.kind == OpKind::Write
                && op.result == Some(OpResult::Ok)
                && self.hold_of(op) == Some(hold)
        })
    }

    /// Every pair of holds of one lock by different clients whose beliefs overlapped,
    /// with when the overlap began and ended (None: both still held it at the end):
    /// the lock held twice.
    pub fn overlapping_holds(
        &self,
    ) -> impl Iterator<Item = (&LockHold, &LockHold, Millis, Option<Millis>)> + '_ {
        self.locks.iter().enumerate().flat_map(move |(i, a)| {
            self.locks[i + 1..].iter().filter_map(move |b| {
                let from = a.acquired_ms.max(b.acquired_ms);
                let to = match (a.released_ms, b.released_ms) {
                    (Some(x), Some(y)) => Some(x.min(y)),
                    (x, y) => x.or(y),
                };
                let overlap = to.is_none_or(|t| from < t);
                (a.lock == b.lock && a.holder != b.holder && overlap).then_some((a, b, from, to))
            })
        })
    }

    /// Acknowledged writes the storage took after it had taken a write made under a
    /// later hold of the same lock: an older holder's write landing on a newer
    /// holder's, which is what a fencing token exists to stop. (A write that lands
    /// before the newer holder's first write is ordered before it, and no token check
    /// could refuse it.) The storage's own order of writes is used; a client paused
    /// between the storage's answer and reading it must not reorder them.
    pub fn stale_writes_accepted(&self) -> impl Iterator<Item = &Op> + '_ {
        let order: std::collections::HashMap<u64, usize> = self
            .stored
            .iter()
            .enumerate()
            .map(|(i, v)| (*v, i))
            .collect();
        let accepted: Vec<(usize, &Op, &LockHold)> = self
            .ops
            .iter()
            .filter(|op| op.kind == OpKind::Write && op.result == Some(OpResult::Ok))
            .filter_map(|op| Some((*order.get(&op.value)?, op, self.hold_of(op)?)))
            .collect();
        let stale: Vec<&Op> = accepted
            .iter()
            .filter(|(at, _, h)| {
                accepted.iter().any(|(newer_at, _, nh)| {
                    nh.lock == h.lock && nh.acquired_ms > h.acquired_ms && newer_at < at
                })
            })
            .map(|(_, op, _)| *op)
            .collect();
        stale.into_iter()
    }

    /// Records an invocation.
    pub fn invoke(
        &mut self,
        id: OpId,
        process: ProcId,
        kind: OpKind,
        key: u32,
        value: u64,
        at: Millis,
    ) {
        self.ops.push(Op {
            id,
            process,
            kind,
            key,
            value,
            invoke_ms: at,
            complete_ms: None,
            result: None,
            read: None,
        });
    }

    /// Records a completion; operations complete in roughly invocation order, so
    /// search from the end.
    pub fn complete(&mut self, id: OpId, result: OpResult, read: Option<u64>, at: Millis) {
        if let Some(op) = self.ops.iter_mut().rev().find(|o| o.id == id) {
            if op.result.is_none() {
                op.complete_ms = Some(at);
                op.result = Some(result);
                op.read = read;
            }
        }
    }
}
