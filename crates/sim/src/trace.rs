//! The event trace and its platform-independent hash.

use serde::Serialize;

use crate::ids::{Millis, ProcId};
use crate::process::MsgKind;

/// FNV-1a, 64 bit: written byte by byte so that it is the same on every platform
/// (std's `Hash` writes `usize` lengths, which differ between wasm32 and x86_64).
#[derive(Clone, Copy, Debug)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    /// Mixes in one 64-bit value.
    pub fn u64(&mut self, v: u64) {
        for b in v.to_le_bytes() {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// Mixes in a string.
    pub fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        for b in s.bytes() {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// The hash so far.
    pub fn finish(&self) -> u64 {
        self.0
    }
}

/// What happened at one step of the run.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum TraceKind {
    /// A message arrived and was handled.
    Deliver {
        /// Sender.
        from: ProcId,
        /// Receiver.
        to: ProcId,
        /// Traffic family.
        kind: MsgKind,
        /// The message, as the system labels it.
        msg: String,
    },
    /// A message was lost: cut by a partition, to a crashed process, or random loss.
    Drop {
        /// Sender.
        from: ProcId,
        /// Intended receiver.
        to: ProcId,
        /// Traffic family.
        kind: MsgKind,
        /// The message.
        msg: String,
        /// Why it was lost.
        reason: DropReason,
    },
    /// A timer fired.
    Timer {
        /// The process whose timer fired.
        proc: ProcId,
        /// The timer.
        timer: String,
    },
    /// A process reported a signal (role change, vote, note for the event log).
    Signal {
        /// The process.
        proc: ProcId,
        /// The signal.
        signal: crate::process::Signal,
    },
    /// A fault was applied (from the schedule or from the user).
    Fault {
        /// The fault, described.
        fault: String,
    },
}

/// Why a message never arrived.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    /// The network between the two boxes (or the link) was cut.
    Partition,
    /// The receiver was down.
    Crashed,
    /// Random loss on the link.
    Loss,
}

/// One line of the full trace.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct TraceRecord {
    /// When it happened.
    pub time_ms: Millis,
    /// What happened.
    #[serde(flatten)]
    pub kind: TraceKind,
}
