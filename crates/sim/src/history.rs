//! The history of client operations, in the style of Jepsen: who invoked what,
//! when, and how it ended.

use serde::{Deserialize, Serialize};

use std::collections::HashMap;

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

    /// For each operation, the index in `locks` of the hold it was invoked under: the
    /// latest acquisition by its client of the lock its key names, still held when it
    /// was invoked. Built once, so that the outcome stays linear in the history while
    /// the page recomputes it.
    fn holds_of_ops(&self) -> Vec<Option<usize>> {
        let mut by: HashMap<(ProcId, u32), Vec<usize>> = HashMap::new();
        for (i, l) in self.locks.iter().enumerate() {
            by.entry((l.holder, l.lock)).or_default().push(i);
        }
        self.ops
            .iter()
            .map(|op| {
                // A client's holds are in acquisition order.
                let mine = by.get(&(op.process, op.key))?;
                let k = mine.partition_point(|&i| self.locks[i].acquired_ms <= op.invoke_ms);
                mine[..k]
                    .iter()
                    .rev()
                    .copied()
                    .find(|&i| self.locks[i].released_ms.is_none_or(|r| r >= op.invoke_ms))
            })
            .collect()
    }

    /// For each hold in `locks`, whether an acknowledged write was made under it.
    pub fn holds_that_wrote(&self) -> Vec<bool> {
        let mut wrote = vec![false; self.locks.len()];
        for (op, hold) in self.ops.iter().zip(self.holds_of_ops()) {
            if let (Some(h), true) = (hold, acked_write(op)) {
                wrote[h] = true;
            }
        }
        wrote
    }

    /// Every pair of holds of one lock by different clients whose beliefs overlapped,
    /// as indexes into `locks`, with when the overlap began and ended (None: both
    /// still held it at the end): the lock held twice.
    pub fn overlapping_holds(
        &self,
    ) -> impl Iterator<Item = (usize, usize, Millis, Option<Millis>)> + '_ {
        self.locks.iter().enumerate().flat_map(move |(i, a)| {
            // Holds are in acquisition order: none after the first acquired once `a`
            // was let go can overlap it.
            self.locks[i + 1..]
                .iter()
                .enumerate()
                .take_while(move |(_, b)| a.released_ms.is_none_or(|r| b.acquired_ms < r))
                .filter_map(move |(k, b)| {
                    let from = a.acquired_ms.max(b.acquired_ms);
                    let to = match (a.released_ms, b.released_ms) {
                        (Some(x), Some(y)) => Some(x.min(y)),
                        (x, y) => x.or(y),
                    };
                    let overlap = to.is_none_or(|t| from < t);
                    (a.lock == b.lock && a.holder != b.holder && overlap).then_some((
                        i,
                        i + 1 + k,
                        from,
                        to,
                    ))
                })
        })
    }

    /// Acknowledged writes the storage took after it had taken a write made under a
    /// later hold of the same lock: an older holder's write landing on a newer
    /// holder's, which is what a fencing token exists to stop. (A write that lands
    /// before the newer holder's first write is ordered before it, and no token check
    /// could refuse it.) The storage's own order of writes is used; a client paused
    /// between the storage's answer and reading it must not reorder them. In the
    /// history's order.
    pub fn stale_writes_accepted(&self) -> impl Iterator<Item = &Op> + '_ {
        let order: HashMap<u64, usize> = self
            .stored
            .iter()
            .enumerate()
            .map(|(i, v)| (*v, i))
            .collect();
        let mut taken: Vec<(usize, usize, &LockHold)> = self
            .ops
            .iter()
            .zip(self.holds_of_ops())
            .enumerate()
            .filter(|(_, (op, _))| acked_write(op))
            .filter_map(|(i, (op, h))| Some((*order.get(&op.value)?, i, &self.locks[h?])))
            .collect();
        taken.sort_unstable_by_key(|t| t.0);
        // In the storage's order: stale when a write under a later acquisition of the
        // same lock was taken before it.
        let mut newest: HashMap<u32, Millis> = HashMap::new();
        let mut stale = vec![false; self.ops.len()];
        for (_, i, h) in taken {
            let seen = newest.entry(h.lock).or_insert(h.acquired_ms);
            stale[i] = *seen > h.acquired_ms;
            *seen = (*seen).max(h.acquired_ms);
        }
        self.ops
            .iter()
            .zip(stale)
            .filter_map(|(op, stale)| stale.then_some(op))
    }

    /// Writes acknowledged, definitely refused, and without a definite answer (timed
    /// out, or still in flight).
    pub fn write_results(&self) -> (u64, u64, u64) {
        let (mut acked, mut rejected, mut unknown) = (0, 0, 0);
        for op in self.ops.iter().filter(|o| o.kind == OpKind::Write) {
            match op.result {
                Some(OpResult::Ok) => acked += 1,
                Some(OpResult::Error(_)) => rejected += 1,
                Some(OpResult::Unknown(_)) | None => unknown += 1,
            }
        }
        (acked, rejected, unknown)
    }

    /// Of the operations that ended (reads and writes), how many did, and how many of
    /// them were refused or got no definite answer.
    pub fn ended_and_failed(&self) -> (u64, u64) {
        let ended = self.ops.iter().filter(|o| o.result.is_some()).count();
        let failed = self
            .ops
            .iter()
            .filter(|o| matches!(o.result, Some(OpResult::Error(_) | OpResult::Unknown(_))))
            .count();
        (ended as u64, failed as u64)
    }

    /// The longest stretch without an acknowledged write, between the first invocation
    /// and the last moment the history records (0 without operations).
    pub fn longest_without_write(&self) -> Millis {
        let Some(start) = self.ops.iter().map(|o| o.invoke_ms).min() else {
            return 0;
        };
        let end = self
            .ops
            .iter()
            .map(|o| o.complete_ms.unwrap_or(o.invoke_ms))
            .max()
            .unwrap_or(start);
        let mut acks: Vec<Millis> = self
            .ops
            .iter()
            .filter(|o| o.kind == OpKind::Write && o.result == Some(OpResult::Ok))
            .filter_map(|o| o.complete_ms)
            .collect();
        acks.sort_unstable();
        let mut last = start;
        let mut longest = 0;
        for t in acks.into_iter().chain([end]) {
            longest = longest.max(t.saturating_sub(last));
            last = last.max(t);
        }
        longest
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

fn acked_write(op: &Op) -> bool {
    op.kind == OpKind::Write && op.result == Some(OpResult::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(kind: OpKind, invoke_ms: Millis, complete_ms: Millis, result: OpResult) -> Op {
        Op {
            id: OpId(invoke_ms),
            process: ProcId(0),
            kind,
            key: 1,
            value: invoke_ms,
            invoke_ms,
            complete_ms: Some(complete_ms),
            result: Some(result),
            read: None,
        }
    }

    #[test]
    fn unavailability_counts_refusals_and_timeouts_among_ended_operations() {
        let mut h = History::default();
        h.ops.push(op(OpKind::Write, 0, 5, OpResult::Ok));
        h.ops
            .push(op(OpKind::Write, 10, 15, OpResult::Error("REFUSED".into())));
        h.ops.push(op(
            OpKind::Read,
            20,
            900,
            OpResult::Unknown("timeout".into()),
        ));
        h.ops.push(op(OpKind::Write, 1_000, 1_004, OpResult::Ok));
        // In flight at the end: not counted either way.
        h.ops.push(Op {
            complete_ms: None,
            result: None,
            ..op(OpKind::Write, 1_100, 0, OpResult::Ok)
        });
        assert_eq!(h.ended_and_failed(), (4, 2));
        // No write acknowledged from 5 ms to 1,004 ms.
        assert_eq!(h.longest_without_write(), 999);
        assert_eq!(History::default().longest_without_write(), 0);
    }
}
