//! A linearizability checker for key-value histories: reads, writes and
//! compare-and-sets on registers, each key checked on its own (linearizability is
//! compositional: Herlihy and Wing, 1990).
//!
//! The search is Wing and Gong's (1993) as improved by Lowe (2017): walk the history
//! in time order, linearize a pending operation whenever the register allows it, undo
//! the last choice when an operation's completion is reached before it could be
//! placed, and remember every (set of operations placed, register value) already
//! explored so that no state is searched twice. This is what Knossos and Porcupine do.
//! The set of placed operations is hashed incrementally (Zobrist: one random 128-bit
//! word per operation, xored in and out), so a step costs the same however long the
//! history is, and the memo holds 24 bytes per state.
//!
//! Operations whose outcome is unknown (a timeout, Jepsen's `:info`) may have taken
//! effect at any moment after their invocation, or never: they complete at infinity,
//! so the search may place them last, which is the same as never. An unknown read
//! says nothing and is dropped; a definite failure (`:fail`) did not happen and is
//! dropped too.

pub mod columns;
pub mod formats;
pub mod lanes;

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::history::{History, OpKind, OpResult};
use crate::process::DataSet;

/// A register's value: None is nil (never written).
pub type Value = Option<u64>;

/// A process in words: a number (as Jepsen names its processes) reads as "process 3".
pub fn who(process: &str) -> String {
    if !process.is_empty() && process.bytes().all(|b| b.is_ascii_digit()) {
        format!("process {process}")
    } else {
        process.to_string()
    }
}

/// What an operation asks of its key's register.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "f", rename_all = "snake_case")]
pub enum Call {
    /// Read the value (what it returned is [`Operation::read`]).
    Read,
    /// Write a value.
    Write {
        /// The value.
        value: u64,
    },
    /// Set `to` if the value is `from`; a compare-and-set that found another value
    /// failed definitely and is not in the history to check.
    Cas {
        /// The value it compares with.
        from: u64,
        /// The value it sets.
        to: u64,
    },
}

/// How an operation ended, as its client saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// It took effect (Jepsen's `:ok`).
    Ok,
    /// It definitely did not take effect (`:fail`).
    Fail,
    /// Unknown: it may have taken effect, or not (`:info`, a timeout).
    Info,
}

/// One operation of a history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Operation {
    /// The client that ran it.
    pub process: String,
    /// The key (the register) it touches.
    pub key: String,
    /// What it did.
    #[serde(flatten)]
    pub call: Call,
    /// What a read returned.
    pub read: Value,
    /// When it was invoked.
    pub invoke: i64,
    /// When it completed (None: never, as for an unknown outcome).
    pub complete: Option<i64>,
    /// How it ended.
    pub status: Status,
}

impl Operation {
    /// The value it writes, if it writes one.
    pub fn written(&self) -> Option<u64> {
        match self.call {
            Call::Write { value } | Call::Cas { to: value, .. } => Some(value),
            Call::Read => None,
        }
    }

    /// Who ran it, in words: a number (as Jepsen names its processes) reads as
    /// "process 3".
    pub fn who(&self) -> String {
        who(&self.process)
    }

    /// In plain words: "C1's write 3 (invoked at 10, answered at 20)".
    pub fn describe(&self) -> String {
        let what = match self.call {
            Call::Read => match self.read {
                Some(x) => format!("read of {x}"),
                None => "read that found nothing".to_string(),
            },
            Call::Write { value } => format!("write {value}"),
            Call::Cas { from, to } => format!("compare-and-set {from} → {to}"),
        };
        let until = self
            .complete
            .map_or("never answered".to_string(), |c| format!("answered at {c}"));
        format!(
            "{}'s {what} (invoked at {}, {until})",
            self.who(),
            self.invoke
        )
    }
}

/// Why a history is not linearizable: the operation that no order of the others
/// could place before it completed, with what the register held in the longest
/// order found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Violation {
    /// The key.
    pub key: String,
    /// The operation, as an index into the history checked.
    pub op: usize,
    /// When it completed: the moment the history stops being linearizable.
    pub at: i64,
    /// The value the register held in the longest valid order found, just before.
    pub value: Value,
    /// The last operations of that order (indexes), oldest first.
    pub before: Vec<usize>,
    /// In plain words.
    pub explanation: String,
    /// When the operations it names ran, as (invoked, completed): the one no order can
    /// place, then the last step of the longest valid order (an operation that never
    /// answered spans its invocation alone). The lab highlights them on its timeline.
    pub involved: Vec<(i64, i64)>,
}

/// The verdict on a history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Verdict {
    /// Whether the history is linearizable; None when the search gave up (see
    /// [`MAX_STATES`]).
    pub linearizable: Option<bool>,
    /// Operations checked (definite failures and unknown reads dropped).
    pub ops: usize,
    /// Keys checked.
    pub keys: usize,
    /// States the search explored.
    pub states: u64,
    /// Why not, when it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub violation: Option<Violation>,
}

/// The most states the search explores per key before it gives up: the problem is
/// NP-complete, and a history with many concurrent unknown writes can be out of reach.
pub const MAX_STATES: u64 = 20_000_000;

/// Checks a history, key by key.
pub fn check(history: &[Operation]) -> Verdict {
    let mut by_key: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, op) in history.iter().enumerate() {
        let dropped =
            op.status == Status::Fail || (op.status == Status::Info && op.call == Call::Read);
        if !dropped {
            by_key.entry(op.key.as_str()).or_default().push(i);
        }
    }
    // Unknown writes narrowed by what was read (see `narrow_unknown`).
    let by_key: BTreeMap<&str, (Vec<usize>, Vec<Option<i64>>)> = by_key
        .into_iter()
        .map(|(k, ids)| (k, narrow_unknown(history, &ids)))
        .collect();
    let mut verdict = Verdict {
        linearizable: Some(true),
        ops: by_key.values().map(|(ids, _)| ids.len()).sum(),
        keys: by_key.len(),
        states: 0,
        violation: None,
    };
    // Of the keys that fail, the one whose stuck operation completed first.
    let mut first: Option<(i64, Violation)> = None;
    for (key, (ids, complete)) in by_key {
        let (result, states) = check_key(history, &ids, &complete);
        verdict.states += states;
        match result {
            KeyResult::Linearizable => {}
            KeyResult::GaveUp => {
                if verdict.linearizable == Some(true) {
                    verdict.linearizable = None;
                }
            }
            KeyResult::Not {
                stuck,
                value,
                before,
            } => {
                let at = history[stuck].complete.unwrap_or(i64::MAX);
                if first.as_ref().is_none_or(|(t, _)| at < *t) {
                    first = Some((
                        at,
                        Violation {
                            key: key.to_string(),
                            op: stuck,
                            at,
                            value,
                            explanation: explain(history, stuck, value, &before),
                            involved: std::iter::once(stuck)
                                .chain(before.last().copied())
                                .map(|i| {
                                    let o = &history[i];
                                    (o.invoke, o.complete.unwrap_or(o.invoke))
                                })
                                .collect(),
                            before,
                        },
                    ));
                }
            }
        }
    }
    if let Some((_, v)) = first {
        verdict.linearizable = Some(false);
        verdict.violation = Some(v);
    }
    verdict
}

fn explain(history: &[Operation], stuck: usize, value: Value, before: &[usize]) -> String {
    let op = &history[stuck];
    let v = |x: Value| x.map_or("nil".to_string(), |v| v.to_string());
    let last = before
        .last()
        .map_or("no operation".to_string(), |&i| history[i].describe());
    let why = match op.call {
        Call::Read => format!(
            "no order of the operations before it leaves {} in the register: the longest valid order leaves {} (its last step: {last})",
            v(op.read),
            v(value)
        ),
        Call::Cas { from, .. } => format!(
            "the register could not have held {from} then: the longest valid order leaves {} (its last step: {last})",
            v(value)
        ),
        Call::Write { .. } => format!(
            "it had to take effect before it was answered, and no order of it and the operations before it agrees with what was read (the longest valid order leaves {}; its last step: {last})",
            v(value)
        ),
    };
    format!("{} cannot be placed: {why}", op.describe())
}

enum KeyResult {
    Linearizable,
    GaveUp,
    Not {
        stuck: usize,
        value: Value,
        before: Vec<usize>,
    },
}

/// One key's operations to search, with when each must have taken effect by. An
/// unknown write (or compare-and-set) whose value nobody read or compared against
/// is left out: in any valid order it is followed at once by another write, so
/// leaving it out changes no verdict. One whose value was read, and that is the only
/// write of that value, must have taken effect before the first of those reads
/// completed: it gets that as its completion. Without this, every unknown write
/// stays pending to the end and the search grows with two to the power of their
/// number (Jepsen's `:info` problem).
fn narrow_unknown(history: &[Operation], ids: &[usize]) -> (Vec<usize>, Vec<Option<i64>>) {
    let mut referenced: HashSet<u64> = HashSet::new();
    let mut seen_by: std::collections::HashMap<u64, i64> = Default::default();
    let mut writers: std::collections::HashMap<u64, u32> = Default::default();
    for &i in ids {
        let op = &history[i];
        let observed = match op.call {
            Call::Read => op.read,
            Call::Cas { from, .. } => Some(from),
            Call::Write { .. } => None,
        };
        if let Some(v) = observed {
            referenced.insert(v);
            if let (Status::Ok, Some(c)) = (op.status, op.complete) {
                let t = seen_by.entry(v).or_insert(c);
                *t = (*t).min(c);
            }
        }
        if let Some(v) = op.written() {
            *writers.entry(v).or_default() += 1;
        }
    }
    let mut keep = Vec::with_capacity(ids.len());
    let mut complete = Vec::with_capacity(ids.len());
    for &i in ids {
        let op = &history[i];
        match (op.status, op.written()) {
            (Status::Info, Some(v)) if !referenced.contains(&v) => continue,
            (Status::Info, Some(v)) if writers.get(&v) == Some(&1) => {
                keep.push(i);
                complete.push(seen_by.get(&v).copied().filter(|c| *c >= op.invoke));
            }
            _ => {
                keep.push(i);
                complete.push(op.complete);
            }
        }
    }
    (keep, complete)
}

/// One register step: whether `op` may take effect on `value`, and the value after.
fn step(op: &Operation, value: Value) -> Option<Value> {
    match op.call {
        Call::Read => (op.read == value).then_some(value),
        Call::Write { value: w } => Some(Some(w)),
        Call::Cas { from, to } => (value == Some(from)).then_some(Some(to)),
    }
}

const NIL: usize = usize::MAX;

/// Lowe's search on one key's operations (`ids` index `history`).
fn check_key(history: &[Operation], ids: &[usize], complete: &[Option<i64>]) -> (KeyResult, u64) {
    let n = ids.len();
    // Entries 0..n are calls, n..2n returns; the list is threaded through them in
    // time order, calls before returns at equal times (the more permissive order).
    let mut order: Vec<(i64, u8, usize)> = Vec::with_capacity(2 * n);
    for (k, &i) in ids.iter().enumerate() {
        let op = &history[i];
        order.push((op.invoke, 0, k));
        order.push((complete[k].unwrap_or(i64::MAX), 1, n + k));
    }
    order.sort_unstable();
    let mut next = vec![NIL; 2 * n + 1];
    let mut prev = vec![NIL; 2 * n + 1];
    let head = 2 * n;
    let mut last = head;
    for &(_, _, e) in &order {
        next[last] = e;
        prev[e] = last;
        last = e;
    }
    // Zobrist keys for the set of placed operations, from a fixed generator so that
    // a verdict never depends on the run.
    let mut rng = crate::rng::SimRng::new(0x5eed_1ea7);
    let zob: Vec<u128> = (0..n)
        .map(|_| ((rng.next_u64() as u128) << 64) | rng.next_u64() as u128)
        .collect();
    let mut placed: u128 = 0;
    let mut seen: HashSet<(u128, Value)> = HashSet::new();
    let mut calls: Vec<(usize, Value)> = Vec::new();
    let mut value: Value = None;
    let mut states = 0u64;
    // The longest order found, and the operation it got stuck on.
    let mut best: (usize, usize, Value, Vec<usize>) = (0, NIL, None, Vec::new());
    let mut e = next[head];
    let lift = |e: usize, next: &mut Vec<usize>, prev: &mut Vec<usize>| {
        let r = e + n;
        next[prev[e]] = next[e];
        if next[e] != NIL {
            prev[next[e]] = prev[e];
        }
        next[prev[r]] = next[r];
        if next[r] != NIL {
            prev[next[r]] = prev[r];
        }
    };
    let unlift = |e: usize, next: &mut Vec<usize>, prev: &mut Vec<usize>| {
        let r = e + n;
        if next[r] != NIL {
            prev[next[r]] = r;
        }
        next[prev[r]] = r;
        if next[e] != NIL {
            prev[next[e]] = e;
        }
        next[prev[e]] = e;
    };
    while next[head] != NIL {
        if e == NIL {
            // Only unknown operations' completions are left: place them never.
            break;
        }
        if e < n {
            states += 1;
            if states > MAX_STATES {
                return (KeyResult::GaveUp, states);
            }
            let op = &history[ids[e]];
            if let Some(after) = step(op, value) {
                let now = placed ^ zob[e];
                if seen.insert((now, after)) {
                    calls.push((e, value));
                    placed = now;
                    value = after;
                    lift(e, &mut next, &mut prev);
                    e = next[head];
                    continue;
                }
            }
            e = next[e];
        } else {
            let stuck = e - n;
            if complete[stuck].is_none() {
                // An unknown operation's completion at infinity: everything before
                // it is placed; it may simply never have happened.
                break;
            }
            if best.1 == NIL || calls.len() > best.0 {
                let tail: Vec<usize> = calls
                    .iter()
                    .rev()
                    .take(8)
                    .rev()
                    .map(|(c, _)| ids[*c])
                    .collect();
                best = (calls.len(), ids[stuck], value, tail);
            }
            let Some((c, before)) = calls.pop() else {
                let (_, stuck, value, before) = best;
                return (
                    KeyResult::Not {
                        stuck,
                        value,
                        before,
                    },
                    states,
                );
            };
            placed ^= zob[c];
            value = before;
            unlift(c, &mut next, &mut prev);
            e = next[c];
        }
    }
    (KeyResult::Linearizable, states)
}

/// The lab's own history as operations to check. Keys with reads are registers
/// (reads return the value of the write they saw). Keys without reads hold a set of
/// unique additions (the set and lock workloads): each addition is a write of its own
/// register, and the final read of the converged state (`final_data`, just after
/// `end_ms`) reads each register back, so that an acknowledged addition missing at the
/// end is a violation. Each lock is a register too (see [`lock_ops`]).
pub fn ops_of_history(h: &History, final_data: Option<&DataSet>, end_ms: i64) -> Vec<Operation> {
    let with_reads: HashSet<u32> = h
        .ops
        .iter()
        .filter(|o| o.kind == OpKind::Read)
        .map(|o| o.key)
        .collect();
    let mut out = Vec::with_capacity(h.ops.len());
    for o in &h.ops {
        let status = match o.result {
            Some(OpResult::Ok) => Status::Ok,
            Some(OpResult::Error(_)) => Status::Fail,
            Some(OpResult::Unknown(_)) | None => Status::Info,
        };
        let process = format!("#{}", o.process.0);
        let complete =
            (status == Status::Ok).then_some(o.complete_ms.unwrap_or(o.invoke_ms) as i64);
        let register = with_reads.contains(&o.key);
        let key = if register {
            o.key.to_string()
        } else {
            format!("{}/{}", o.key, o.value)
        };
        let (call, read) = match o.kind {
            OpKind::Read => (Call::Read, o.read.filter(|v| *v != 0)),
            OpKind::Write if register => (Call::Write { value: o.value }, None),
            // A set's addition writes its element to the element's own register.
            OpKind::Write => (Call::Write { value: o.value }, None),
        };
        out.push(Operation {
            process,
            key,
            call,
            read,
            invoke: o.invoke_ms as i64,
            complete,
            status,
        });
        if let (Some(data), false, OpKind::Write) = (final_data, register, o.kind) {
            out.push(Operation {
                process: "the final read".into(),
                key: format!("{}/{}", o.key, o.value),
                call: Call::Read,
                read: data.contains(&o.value).then_some(o.value),
                invoke: end_ms + 1,
                complete: Some(end_ms + 1),
                status: Status::Ok,
            });
        }
    }
    out.extend(lock_ops(h));
    out
}

/// Positions of `ops` in the order they were invoked (ties by position). Lanes of
/// 100,000 operations are sorted with it, so it is the standard sort, and one copy of
/// it serves every such sort.
pub(crate) fn by_invoke(order: &mut [usize], ops: &[Operation]) {
    order.sort_unstable_by_key(|&i| (ops[i].invoke, i));
}

/// Renumbers a history's values 1, 2, 3… in the order they were first written (by
/// invocation), in values, reads and the per-element keys of a set (`key/value`), so
/// that a person can read them: the lab's values are operation ids, unique but ten
/// digits long. Equal values stay equal and different ones different, so the verdict
/// is the same.
pub fn renumber(ops: &mut [Operation]) {
    let mut order: Vec<usize> = (0..ops.len()).collect();
    by_invoke(&mut order, ops);
    let mut to: std::collections::HashMap<u64, u64> = Default::default();
    for &i in &order {
        if let Some(v) = ops[i].written() {
            let n = to.len() as u64 + 1;
            to.entry(v).or_insert(n);
        }
    }
    let map = |v: u64| to.get(&v).copied().unwrap_or(v);
    for op in ops.iter_mut() {
        op.call = match op.call {
            Call::Read => Call::Read,
            Call::Write { value } => Call::Write { value: map(value) },
            Call::Cas { from, to } => Call::Cas {
                from: map(from),
                to: map(to),
            },
        };
        op.read = op.read.map(map);
        if let Some((k, v)) = op.key.split_once('/') {
            if let Ok(v) = v.parse::<u64>() {
                op.key = format!("{k}/{}", map(v));
            }
        }
    }
}

/// When a history ends: its last completion or invocation. The final read of a set
/// is placed just after it.
pub fn end_of(h: &History) -> i64 {
    h.ops
        .iter()
        .map(|op| op.complete_ms.unwrap_or(op.invoke_ms))
        .max()
        .unwrap_or(0) as i64
}

/// A lock as a register, as Jepsen checks a mutex: it starts free (0), an acquisition
/// by hold `i` is a compare-and-set 0 → `i + 1` and its release (letting go, learning
/// it was lost, or dying) a compare-and-set back to 0. A second client acquiring
/// while the first still believes it holds the lock has no order: the lock held twice
/// is a violation, at the moment the second acquisition completed.
fn lock_ops(h: &History) -> Vec<Operation> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (i, l) in h.locks.iter().enumerate() {
        let key = format!("lock {}", l.lock);
        if seen.insert(l.lock) {
            out.push(Operation {
                process: "the lock service".into(),
                key: key.clone(),
                call: Call::Write { value: 0 },
                read: None,
                invoke: -1,
                complete: Some(-1),
                status: Status::Ok,
            });
        }
        let process = format!("#{}", l.holder.0);
        let token = i as u64 + 1;
        out.push(Operation {
            process: process.clone(),
            key: key.clone(),
            call: Call::Cas { from: 0, to: token },
            read: None,
            invoke: l.acquired_ms as i64,
            complete: Some(l.acquired_ms as i64),
            status: Status::Ok,
        });
        if let Some(r) = l.released_ms {
            out.push(Operation {
                process,
                key,
                call: Call::Cas { from: token, to: 0 },
                read: None,
                invoke: r as i64,
                complete: Some(r as i64),
                status: Status::Ok,
            });
        }
    }
    out
}

/// A linearizable history for the benchmark: `clients` clients, each with one
/// operation outstanding at a time, reading, writing and compare-and-setting random
/// keys among `keys`; each operation takes effect at a point of its interval, in the
/// order of those points, and one write in fifty never answers.
pub fn bench_history(ops: usize, keys: usize, clients: usize, seed: u64) -> Vec<Operation> {
    let mut rng = crate::rng::SimRng::new(seed);
    let mut clock = vec![0i64; clients.max(1)];
    let mut made: Vec<(i64, Operation)> = Vec::with_capacity(ops);
    for i in 0..ops {
        let c = i % clock.len();
        let invoke = clock[c] + rng.below(10) as i64;
        let len = 1 + rng.below(20) as i64;
        let point = invoke + rng.below(len as u64 + 1) as i64;
        let key = rng.below(keys.max(1) as u64).to_string();
        let call = match rng.below(3) {
            0 => Call::Read,
            1 => Call::Write {
                value: i as u64 + 1,
            },
            _ => Call::Cas {
                from: 0,
                to: i as u64 + 1,
            },
        };
        let unknown = call != Call::Read && rng.below(50) == 0;
        clock[c] = invoke + len;
        made.push((
            point,
            Operation {
                process: c.to_string(),
                key,
                call,
                read: None,
                invoke,
                complete: (!unknown).then_some(invoke + len),
                status: if unknown { Status::Info } else { Status::Ok },
            },
        ));
    }
    let mut ops = take_effect_at(made);
    crate::sort::by_key(&mut ops, |op| op.invoke);
    ops
}

/// Operations that take effect at the given points, in the order of those points, on
/// sequential registers (one per key): each read returns what its key holds then, and
/// each compare-and-set compares with it (a key still nil fails it, definitely). What
/// comes out is linearizable by construction, in the order of the points.
pub fn take_effect_at(mut ops: Vec<(i64, Operation)>) -> Vec<Operation> {
    crate::sort::by_key(&mut ops, |(p, _)| *p);
    let mut value: std::collections::HashMap<String, Value> = Default::default();
    for (_, op) in &mut ops {
        let v = value.entry(op.key.clone()).or_default();
        match op.call {
            Call::Read => op.read = *v,
            Call::Write { value: w } => *v = Some(w),
            Call::Cas { to, .. } => match *v {
                Some(cur) => {
                    op.call = Call::Cas { from: cur, to };
                    *v = Some(to);
                }
                None => op.status = Status::Fail,
            },
        }
    }
    ops.into_iter().map(|(_, op)| op).collect()
}

/// The verdict kept up to date while a run is computed, so that the lab marks the
/// moment the history stops being linearizable as soon as the part computed shows it.
/// A prefix of a run is checked with its operations in flight as unknown (they may
/// take effect later, or never): a prefix that is not linearizable means the whole
/// history is not either, so what this finds is final. Checks come as the history
/// grows by a quarter, so their total cost stays a small multiple of one check of the
/// whole history.
#[derive(Clone, Debug, Default)]
pub struct Live {
    checked: usize,
    /// The violation found, once found.
    pub found: Option<Violation>,
}

impl Live {
    /// Whether a history of `size` (any measure that grows with it, such as the
    /// number of signals) is worth checking again.
    pub fn due(&self, size: usize) -> bool {
        self.found.is_none() && size >= (self.checked + self.checked / 4).max(self.checked + 64)
    }

    /// Checks the history computed so far, up to `now`; returns the violation once
    /// found (the set workload's losses show only at the final read, not here).
    pub fn check(&mut self, h: &History, size: usize, now: i64) -> Option<&Violation> {
        self.checked = size;
        if self.found.is_none() {
            let v = check(&ops_of_history(h, None, now));
            if v.linearizable == Some(false) {
                self.found = v.violation.filter(|x| x.at <= now);
            }
        }
        self.found.as_ref()
    }
}

#[cfg(test)]
mod tests;
