//! The last-write-wins store's own events, each presenting itself once.

use super::Consistency;
use crate::ids::{Millis, ProcId};
use crate::process::{EventInfo, MarkerKind, SystemEvent};

/// Something a node or a client of the store reports.
#[derive(Clone, Debug, PartialEq)]
pub enum LwwEvent {
    /// A replica replaced its version with one of a larger timestamp that lacks items
    /// its own held: those updates are gone from it, without an error anywhere.
    Overwrote {
        /// Items its version held that the new one lacks.
        dropped: u64,
        /// Its version's timestamp.
        old_ts: i64,
        /// The new version's timestamp.
        new_ts: i64,
    },
    /// A write this coordinator acknowledged took effect on no replica: each already
    /// held a version of a larger timestamp (a clock behind another's).
    AckedButIgnored {
        /// The timestamp it stamped the write with.
        ts: i64,
    },
    /// Too few replicas up, by its failure detector, for the consistency level.
    Unavailable {
        /// Replicas it believes up.
        alive: u32,
        /// Replicas needed.
        needed: u32,
        /// The level asked for.
        cl: Consistency,
    },
    /// Too few replicas answered a write in time; some may have applied it.
    WriteTimedOut {
        /// Replicas that answered.
        got: u32,
        /// Replicas needed.
        needed: u32,
    },
    /// A read found replicas disagreeing and sent the newest version to the others.
    ReadRepair {
        /// Replicas repaired.
        replicas: u32,
    },
    /// Its failure detector convicted a silent peer.
    Convicted {
        /// The peer.
        node: ProcId,
        /// How long it had been silent.
        silent_ms: Millis,
    },
    /// A convicted peer gossiped again.
    MarkedUp {
        /// The peer.
        node: ProcId,
    },
    /// It replays the hints it kept for a replica that is up.
    HintsReplayed {
        /// The replica.
        node: ProcId,
        /// Hints sent.
        count: u32,
    },
    /// A client's version check found the document changed since it read it: it
    /// merges the stored version with its change instead of overwriting it.
    ConflictDetected {
        /// The version (timestamp) its change was made on.
        read_ts: i64,
        /// The version stored now.
        stored_ts: i64,
    },
}

impl SystemEvent for LwwEvent {
    fn present(&self) -> EventInfo {
        match self {
            LwwEvent::Overwrote {
                dropped,
                old_ts,
                new_ts,
            } => EventInfo::log(
                "overwrote",
                format!("replaces its document (timestamp {old_ts}) with a later-stamped one ({new_ts}) that lacks {dropped} item(s) it held: they are gone, and nobody is told"),
            )
            .marker(MarkerKind::Loss)
            .badge(format!("overwrite drops {dropped}"), true),
            LwwEvent::AckedButIgnored { ts } => EventInfo::log(
                "acked-but-ignored",
                format!("acknowledged a write it stamped {ts}, but every replica already held a later timestamp: the write took effect nowhere"),
            )
            .marker(MarkerKind::Alert)
            .badge("silently ignored", true)
            .counter("writes acknowledged but kept out by a later timestamp"),
            LwwEvent::Unavailable { alive, needed, cl } => EventInfo::log(
                "unavailable",
                format!("Unavailable: {} needs {needed} replicas, it believes {alive} up", cl.name()),
            )
            .badge(format!("Unavailable: {alive}/{needed} up"), false),
            LwwEvent::WriteTimedOut { got, needed } => EventInfo::log(
                "write-timeout",
                format!("WriteTimeout: {got} of the {needed} replicas needed answered in time; the write may still have been applied"),
            )
            .badge(format!("WriteTimeout {got}/{needed}"), false),
            LwwEvent::ReadRepair { replicas } => EventInfo::log(
                "read-repair",
                format!("read repair: the replicas disagreed; sends the latest-stamped version to {replicas}"),
            )
            .badge("read repair", false),
            LwwEvent::Convicted { node, silent_ms } => EventInfo::log(
                "convicted",
                format!("marks {node} down: silent for {silent_ms} ms, phi above the threshold"),
            )
            .marker(MarkerKind::Down)
            .badge("marked down", false)
            .about(*node),
            LwwEvent::MarkedUp { node } => {
                EventInfo::log("marked-up", format!("hears {node} again: marks it up"))
            }
            LwwEvent::HintsReplayed { node, count } => EventInfo::log(
                "hints-replayed",
                format!("replays {count} hint(s) to {node}"),
            )
            .badge(format!("replays {count} hint(s)"), false),
            LwwEvent::ConflictDetected { read_ts, stored_ts } => EventInfo::log(
                "conflict-detected",
                format!("version check: the document changed since it read it (timestamp {read_ts}, now {stored_ts}); merges the two and writes that"),
            )
            .badge("conflict: merges", false)
            .counter("conflicts detected and merged"),
        }
    }
}
