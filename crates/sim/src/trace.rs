//! The event trace and its platform-independent hash.

use serde::Serialize;

use crate::ids::{Millis, ProcId};
use crate::process::MsgKind;

/// An FNV-1a-style hash over 64-bit words (one xor and one multiply per word, with a
/// final avalanche), written out by hand so that it is the same on every platform
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
    #[inline]
    pub fn u64(&mut self, v: u64) {
        self.0 = (self.0 ^ v).wrapping_mul(0x0100_0000_01b3).rotate_left(29);
    }

    /// Mixes in a string.
    pub fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        for chunk in s.as_bytes().chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.u64(u64::from_le_bytes(w));
        }
    }

    /// The hash so far.
    pub fn finish(&self) -> u64 {
        // splitmix64's finaliser, so that every input bit reaches every output bit.
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
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
