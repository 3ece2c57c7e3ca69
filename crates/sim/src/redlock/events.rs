//! The RedLock model's own events, each presenting itself once.

use crate::ids::{Millis, ProcId};
use crate::process::{EventInfo, MarkerKind, SystemEvent};

/// Something a master or a lock client reports.
#[derive(Clone, Debug, PartialEq)]
pub enum RedlockEvent {
    /// A master's clock passed the lock key's expiry, and it deleted the key.
    KeyExpired {
        /// The client that had set it.
        owner: ProcId,
        /// How much earlier than its TTL in real time (a fast or stepped clock).
        early_ms: Millis,
    },
    /// A restarted master waits before it answers (the algorithm's delayed restart).
    RestartDelayed {
        /// How long.
        ms: Millis,
    },
    /// An attempt ended without the lock: too few masters, or too late.
    NotAcquired {
        /// Masters that answered OK.
        got: u32,
        /// Masters needed (a majority).
        needed: u32,
        /// Time the attempt took, by the client's clock.
        elapsed_ms: i64,
        /// The validity left (negative: the attempt took too long).
        validity_ms: i64,
    },
    /// The client looked at its clock before writing: the lock's validity has run
    /// out, so it gives the write up and releases.
    ValidityRanOut {
        /// How long ago, by its clock.
        late_ms: Millis,
    },
    /// The client writes under a lock that, by its own clock, has already run out: it
    /// did not look at its clock again (as most code does not, and a pause can fall
    /// between the look and the write anyway).
    WritesAfterExpiry {
        /// How long ago the lock ran out, by its clock.
        late_ms: Millis,
    },
}

impl SystemEvent for RedlockEvent {
    fn present(&self) -> EventInfo {
        match self {
            RedlockEvent::KeyExpired { owner, early_ms } if *early_ms > 0 => EventInfo::log(
                "key-expired",
                format!("lock key of {owner} expires by this server's clock, {early_ms} ms early in real time"),
            )
            .marker(MarkerKind::Alert)
            .badge(format!("key expired {early_ms} ms early"), true)
            .counter("lock keys expired early (clock)"),
            RedlockEvent::KeyExpired { owner, .. } => EventInfo::log(
                "key-expired",
                format!("lock key of {owner} expires: its TTL ran out"),
            )
            .badge("lock key expired", false),
            RedlockEvent::RestartDelayed { ms } => EventInfo::log(
                "restart-delayed",
                format!("waits {ms} ms before answering, so that no lock it forgot is still held"),
            )
            .badge(format!("delays its restart {ms} ms"), false),
            RedlockEvent::NotAcquired {
                got,
                needed,
                elapsed_ms,
                validity_ms,
            } if got >= needed => EventInfo::log(
                "not-acquired",
                format!("got {got} of {needed} masters needed, but the attempt took {elapsed_ms} ms: validity {validity_ms} ms, so no lock"),
            )
            .badge("too late: no lock", true),
            RedlockEvent::NotAcquired { got, needed, .. } => EventInfo::log(
                "not-acquired",
                format!("got {got} of the {needed} masters needed: no lock; unlocks all and retries"),
            )
            .badge(format!("{got} of {needed}: no lock"), false),
            RedlockEvent::ValidityRanOut { late_ms } => EventInfo::log(
                "validity-ran-out",
                format!("its lock ran out {late_ms} ms ago by its own clock: gives the write up"),
            )
            .badge("lock ran out: no write", false)
            .counter("writes given up (validity ran out)"),
            RedlockEvent::WritesAfterExpiry { late_ms } => EventInfo::log(
                "writes-after-expiry",
                format!("writes under a lock that ran out {late_ms} ms ago by its own clock"),
            )
            .marker(MarkerKind::Alert)
            .badge(format!("writes {late_ms} ms after its lock ran out"), true)
            .counter("writes after the lock ran out"),
        }
    }
}
