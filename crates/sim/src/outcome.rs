//! The outcome of a run, computed from the history, the signals and the final state;
//! never set by hand.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::SignalRecord;
use crate::history::{History, OpKind, OpResult};
use crate::ids::Millis;
use crate::process::{DataSet, EventInfo, Signal};

/// A new leader or primary put in charge by the system's election (a Raft leader, a
/// replica promoted by Sentinel): when, in which epoch or term, and who.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LeaderRecord {
    /// When it took charge.
    pub time_ms: Millis,
    /// The epoch or term.
    pub epoch: u64,
    /// The process.
    pub leader: String,
}

/// An acknowledged write that is not in the final converged state.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LostWrite {
    /// The client that wrote it.
    pub client: String,
    /// The key.
    pub key: u32,
    /// The value.
    pub value: u64,
    /// When it was acknowledged.
    pub acked_ms: Millis,
}

/// Two clients that believed they held the same lock at the same moment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LockOverlap {
    /// Which lock.
    pub lock: u32,
    /// The client that acquired it first.
    pub first: String,
    /// The client that acquired it while the first still believed it held it.
    pub second: String,
    /// When both beliefs began.
    pub from_ms: Millis,
    /// When the first of them ended (None: both still held it at the end).
    pub to_ms: Option<Millis>,
    /// Whether each of them had a write accepted under its hold.
    pub both_wrote: bool,
}

/// What a run did to the data.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outcome {
    /// Writes invoked.
    pub writes_attempted: u64,
    /// Writes acknowledged.
    pub writes_acked: u64,
    /// Writes definitely refused.
    pub writes_rejected: u64,
    /// Refusals by reason (`NOREPLICAS`, `READONLY`, `FENCED`).
    pub rejected_by_reason: BTreeMap<String, u64>,
    /// Writes with no definite answer (timeouts, WAIT short of replicas, in flight at the end).
    pub writes_unknown: u64,
    /// Of those, how many the final state holds all the same: they took effect after
    /// the client gave up on them (a Raft entry that committed after the timeout).
    pub unknown_writes_applied: u64,
    /// Acknowledged writes absent from the final state.
    pub acked_writes_lost: u64,
    /// Those writes.
    pub lost_writes: Vec<LostWrite>,
    /// Reads (register workload) that returned a value a linearizable register could not:
    /// one overwritten, in real time, by a write acknowledged before the read began.
    pub stale_reads: u64,
    /// Client operations (reads and writes) that ended.
    pub ops_ended: u64,
    /// Of those, how many were refused or got no definite answer.
    pub ops_failed: u64,
    /// `ops_failed` as a share of `ops_ended`: what the clients saw as unavailability.
    pub unavailability: f64,
    /// The longest stretch, from the first operation to the last, in which no write was
    /// acknowledged.
    pub longest_without_write_ms: Millis,
    /// Total time during which more than one process accepted client writes as primary.
    pub split_brain_ms: Millis,
    /// Elections started (vote requests in a new epoch or term).
    pub elections: u64,
    /// New leaders or primaries, in order.
    pub new_leaders: Vec<LeaderRecord>,
    /// Values processes discarded when they rejoined.
    pub discarded: u64,
    /// Writes that shared storage rejected for a stale fencing token.
    pub fencing_rejections: u64,
    /// Locks acquired (the lock workload).
    pub locks_acquired: u64,
    /// Pairs of clients that believed they held the same lock at the same moment.
    pub locks_held_twice: u64,
    /// Those pairs: who, when, for how long, and whether both wrote.
    pub lock_overlaps: Vec<LockOverlap>,
    /// Writes the storage accepted after it had accepted a write made under a later
    /// hold of the same lock: an older holder's write landing on a newer holder's,
    /// what fencing exists to stop.
    pub stale_writes_accepted: u64,
    /// Whether the history is linearizable, judged key by key by [`crate::check`]
    /// (None: the search gave up). A set workload's additions are judged against the
    /// final read of the converged state.
    pub linearizable: Option<bool>,
    /// Why not, when it is not: the operation that no order could place.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub violation: Option<crate::check::Violation>,
    /// When the history stopped being linearizable, if a client operation showed it
    /// (None when only the final read of the converged state does, or it did not).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_linearizable_from_ms: Option<Millis>,
    /// The system's own counters, by label ("monitor alerts", "step-downs").
    pub counters: BTreeMap<String, u64>,
    /// Events handled.
    pub events: u64,
    /// Hash of the whole trace, as 16 hex digits (same natively and in wasm).
    pub trace_hash: String,
    /// The process that answered the final read of the converged state.
    pub final_read_from: Option<String>,
    /// Settings that are accepted but cannot work as intended.
    pub warnings: Vec<String>,
}

impl Outcome {
    /// The run in one sentence, in the system's words: what a reviewer reads first
    /// ("Two {leader}s took writes at once for 34.0 s; 403 {lost}; the final read misses
    /// acknowledged writes: not linearizable.").
    pub fn sentence(&self, words: &crate::process::Words) -> String {
        let mut parts = Vec::new();
        if self.split_brain_ms > 0 {
            parts.push(format!(
                "two {}s took writes at once for {:.1} s",
                words.leader,
                self.split_brain_ms as f64 / 1000.0
            ));
        }
        parts.push(format!("{} {}", self.acked_writes_lost, words.lost));
        if self.stale_reads > 0 {
            parts.push(format!("{} stale reads", self.stale_reads));
        }
        if self.locks_held_twice > 0 {
            parts.push(format!(
                "a lock held twice {} time(s)",
                self.locks_held_twice
            ));
        }
        parts.push(match (self.linearizable, self.not_linearizable_from_ms) {
            (Some(true), _) => "the history is linearizable".to_string(),
            (Some(false), Some(t)) => format!(
                "the history is not linearizable from {:.1} s",
                t as f64 / 1000.0
            ),
            (Some(false), None) => {
                "the final read misses acknowledged writes: not linearizable".to_string()
            }
            (None, _) => {
                "whether the history is linearizable is unknown (the search gave up)".to_string()
            }
        });
        let mut text = parts.join("; ");
        if let Some(first) = text.get(..1) {
            text = first.to_uppercase() + &text[1..];
        }
        text + "."
    }

    /// Computes the outcome from the history and the signals. `final_data` is what a
    /// final read of the converged state returned, and `final_read_from` who answered it.
    #[allow(clippy::too_many_arguments)]
    pub fn compute(
        history: &History,
        signals: &imbl::Vector<SignalRecord>,
        final_data: Option<&DataSet>,
        final_read_from: Option<String>,
        proc_names: &[String],
        split_brain_ms: Millis,
        events: u64,
        trace_hash: u64,
        warnings: Vec<String>,
    ) -> Outcome {
        let mut o = Outcome {
            writes_attempted: 0,
            writes_acked: 0,
            writes_rejected: 0,
            rejected_by_reason: BTreeMap::new(),
            writes_unknown: 0,
            unknown_writes_applied: 0,
            acked_writes_lost: 0,
            lost_writes: Vec::new(),
            stale_reads: 0,
            ops_ended: 0,
            ops_failed: 0,
            unavailability: 0.0,
            longest_without_write_ms: history.longest_without_write(),
            split_brain_ms,
            elections: 0,
            new_leaders: Vec::new(),
            discarded: 0,
            fencing_rejections: 0,
            locks_acquired: history.locks.len() as u64,
            locks_held_twice: 0,
            lock_overlaps: Vec::new(),
            stale_writes_accepted: 0,
            linearizable: None,
            violation: None,
            not_linearizable_from_ms: None,
            counters: BTreeMap::new(),
            events,
            trace_hash: format!("{trace_hash:016x}"),
            final_read_from,
            warnings,
        };
        let empty = DataSet::new();
        let data = final_data.unwrap_or(&empty);
        let name = |p: crate::ids::ProcId| {
            proc_names
                .get(p.idx())
                .cloned()
                .unwrap_or_else(|| format!("#{}", p.0))
        };
        // Writes acknowledged so far, by completion time, for the stale-read check.
        let mut acked_writes: Vec<(Millis, u64)> = Vec::new();
        for op in &history.ops {
            if op.kind != OpKind::Write {
                continue;
            }
            match &op.result {
                Some(OpResult::Ok) => {
                    let at = op.complete_ms.unwrap_or(op.invoke_ms);
                    acked_writes.push((at, op.value));
                    if !data.contains(&op.value) {
                        o.lost_writes.push(LostWrite {
                            client: name(op.process),
                            key: op.key,
                            value: op.value,
                            acked_ms: at,
                        });
                    }
                }
                Some(OpResult::Error(reason)) => {
                    *o.rejected_by_reason.entry(reason.clone()).or_default() += 1;
                }
                Some(OpResult::Unknown(_)) | None => {
                    if data.contains(&op.value) {
                        o.unknown_writes_applied += 1;
                    }
                }
            }
        }
        (o.writes_acked, o.writes_rejected, o.writes_unknown) = history.write_results();
        (o.ops_ended, o.ops_failed) = history.ended_and_failed();
        o.unavailability = share(o.ops_failed, o.ops_ended);
        o.writes_attempted = o.writes_acked + o.writes_rejected + o.writes_unknown;
        o.acked_writes_lost = o.lost_writes.len() as u64;
        // A read is stale when some write W was acknowledged before the read began, and
        // the value read comes from a write R that was acknowledged before W was even
        // invoked (or the read saw nothing): R is strictly older than W in real time, so
        // a linearizable register could not return it.
        acked_writes.sort_unstable();
        let spans: std::collections::HashMap<u64, (Millis, Millis)> = history
            .ops
            .iter()
            .filter(|w| w.kind == OpKind::Write && w.result == Some(OpResult::Ok))
            .map(|w| (w.value, (w.invoke_ms, w.complete_ms.unwrap_or(w.invoke_ms))))
            .collect();
        for op in &history.ops {
            if op.kind != OpKind::Read || op.result != Some(OpResult::Ok) {
                continue;
            }
            // Among writes acknowledged before the read began, the latest-invoked one.
            let newest = acked_writes
                .iter()
                .take_while(|w| w.0 < op.invoke_ms)
                .filter_map(|w| spans.get(&w.1))
                .map(|span| span.0)
                .max();
            let Some(newest_invoke) = newest else {
                continue;
            };
            let stale = match op.read.filter(|v| *v != 0) {
                None => true,
                Some(r) => spans.get(&r).is_some_and(|span| span.1 < newest_invoke),
            };
            if stale {
                o.stale_reads += 1;
            }
        }
        let wrote = history.holds_that_wrote();
        let holds = &history.locks;
        o.lock_overlaps = history
            .overlapping_holds()
            .map(|(a, b, from_ms, to_ms)| LockOverlap {
                lock: holds[a].lock,
                first: name(holds[a].holder),
                second: name(holds[b].holder),
                from_ms,
                to_ms,
                both_wrote: wrote[a] && wrote[b],
            })
            .collect();
        o.locks_held_twice = o.lock_overlaps.len() as u64;
        o.stale_writes_accepted = history.stale_writes_accepted().count() as u64;
        let end = crate::check::end_of(history);
        let verdict = crate::check::check(&crate::check::ops_of_history(history, final_data, end));
        o.linearizable = verdict.linearizable;
        o.not_linearizable_from_ms = verdict
            .violation
            .as_ref()
            .filter(|v| v.at <= end)
            .map(|v| v.at.max(0) as Millis);
        o.violation = verdict
            .violation
            .map(|v| with_names_in(v, history, proc_names));
        for r in signals {
            match &r.signal {
                Signal::ElectionStarted { .. } => o.elections += 1,
                Signal::NewLeader { epoch, leader } => o.new_leaders.push(LeaderRecord {
                    time_ms: r.time_ms,
                    epoch: *epoch,
                    leader: name(*leader),
                }),
                Signal::Discarded { count } => o.discarded += count,
                Signal::FencingRejected { .. } => o.fencing_rejections += 1,
                Signal::Event(EventInfo {
                    counter: Some(c), ..
                }) => *o.counters.entry(c.to_string()).or_default() += 1,
                _ => {}
            }
        }
        o
    }
}

/// `part` of `whole`, 0 when `whole` is.
pub fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// A violation's explanation in the words people see in the lab: processes by name,
/// values as their writer's write numbers.
pub fn with_names_in(
    mut v: crate::check::Violation,
    history: &History,
    proc_names: &[String],
) -> crate::check::Violation {
    let named = crate::ids::with_names(&v.explanation, proc_names);
    v.explanation = name_values(&named, history, proc_names);
    v
}

/// Writes a history's values as people see them in the lab: a write's value is its
/// operation id, unique in the run; it reads as the writer's write number ("C1's #12",
/// or "#12" right after "write", where the writer is already named).
fn name_values(text: &str, history: &History, proc_names: &[String]) -> String {
    let owner: std::collections::HashMap<u64, &str> = history
        .ops
        .iter()
        .filter(|op| op.kind == OpKind::Write)
        .map(|op| {
            let name = proc_names.get(op.process.idx()).map_or("?", |n| n.as_str());
            (op.value, name)
        })
        .collect();
    let mut out = String::with_capacity(text.len());
    let mut last_word = "";
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let digits = word.trim_end_matches(|c: char| !c.is_ascii_digit());
        let rest = &word[digits.len()..];
        match digits
            .parse::<u64>()
            .ok()
            .and_then(|v| owner.get(&v).map(|o| (v, o)))
        {
            Some((v, _)) if last_word == "write" => {
                out.push_str(&format!("#{}{rest}", v & 0xffff_ffff))
            }
            Some((v, o)) => out.push_str(&format!("{o}'s #{}{rest}", v & 0xffff_ffff)),
            // The lab's times are milliseconds: "invoked at 15087" reads "at 15.087 s".
            None if last_word == "at" && !digits.is_empty() => match digits.parse::<u64>() {
                Ok(ms) => out.push_str(&format!("{:.3} s{rest}", ms as f64 / 1000.0)),
                Err(_) => out.push_str(word),
            },
            None => out.push_str(word),
        }
        last_word = word;
    }
    out
}
