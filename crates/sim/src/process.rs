//! The sans-IO process interface every modelled system implements.
//!
//! Like stateright's `Actor::on_msg`/`on_timeout` and raft-rs's `step`, a process
//! never performs IO: it reacts to one input and records what it wants done in a
//! [`Ctx`]. The engine then delivers the sends over the simulated network, arms the
//! timers and records the signals.

use crate::history::{OpId, OpKind, OpResult};
use crate::ids::{Millis, ProcId};
use crate::rng::SimRng;
use crate::trace::Fnv;
use crate::view::ProcView;

/// The values a process holds. Persistent (structurally shared), so that snapshots of
/// a run copy it in O(1) however many writes it holds.
pub type DataSet = imbl::OrdSet<u64>;

/// A message one process sends another.
pub trait Message: Clone + std::fmt::Debug {
    /// What kind of traffic this is, for the trace and the animation.
    fn kind(&self) -> MsgKind;
    /// Feeds the fields that matter into the trace hash (stable across platforms).
    fn digest(&self, h: &mut Fnv);
    /// A short human label ("PING", "SLAVEOF NO ONE", "vote? epoch 3").
    fn label(&self) -> String;
}

/// The families of traffic, so the UI can tell them apart without knowing the protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MsgKind {
    /// Liveness probes and their replies (Sentinel PING/PONG, INFO).
    Heartbeat,
    /// Gossip about configuration (Sentinel hello).
    Gossip,
    /// Election traffic (vote requests and replies).
    Vote,
    /// The replication stream, acks and resyncs.
    Replication,
    /// Client requests and replies.
    Client,
    /// Reconfiguration commands (SLAVEOF, promotion).
    Control,
    /// Writes to a shared storage resource (fencing).
    Storage,
}

/// A fact a process reports about itself, system-independent, that the engine
/// records for the outcome, the history and the timeline markers.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Signal {
    /// A client invoked an operation.
    OpInvoke {
        /// The operation.
        op: OpId,
        /// Read or write.
        kind: OpKind,
        /// The key it touches.
        key: u32,
        /// The value written (writes) or 0.
        value: u64,
    },
    /// A client learned how an operation ended.
    OpComplete {
        /// The operation.
        op: OpId,
        /// Ok, error with its reason, or unknown.
        result: OpResult,
        /// The value read, for reads.
        read: Option<u64>,
    },
    /// This process now accepts (or stops accepting) client writes as the primary.
    Writable {
        /// Whether a client write would now be applied.
        writable: bool,
    },
    /// A node judged the primary subjectively down (Sentinel SDOWN, a missed heartbeat).
    SuspectDown {
        /// The process judged down.
        target: ProcId,
    },
    /// Enough nodes agree the primary is down (Sentinel ODOWN).
    AgreedDown {
        /// The primary judged down.
        target: ProcId,
        /// How many agreed.
        votes: u32,
    },
    /// A node asked for votes to lead a failover in an epoch or term.
    ElectionStarted {
        /// The epoch or term.
        epoch: u64,
    },
    /// A node granted its vote.
    Voted {
        /// The epoch or term.
        epoch: u64,
        /// Who got the vote.
        candidate: ProcId,
    },
    /// A node won an election and may run the failover for this epoch.
    Elected {
        /// The epoch or term.
        epoch: u64,
        /// Votes received.
        votes: u32,
        /// Votes needed.
        needed: u32,
    },
    /// A failover attempt was given up, with the reason.
    FailoverAborted {
        /// The epoch or term.
        epoch: u64,
        /// Why, in the system's own words.
        reason: String,
    },
    /// The elected leader promoted a new primary (authorized failover).
    Failover {
        /// The epoch the failover ran in.
        epoch: u64,
        /// The promoted process.
        new_primary: ProcId,
    },
    /// This process was demoted and discarded data it had (divergent writes).
    Demoted {
        /// The new primary it now follows.
        primary: ProcId,
        /// How many of its values it discarded.
        discarded: u64,
    },
    /// Shared storage accepted a write with this fencing token.
    FencingAccepted {
        /// The token presented.
        token: u64,
    },
    /// Shared storage rejected a write carrying a stale fencing token.
    FencingRejected {
        /// The token presented.
        token: u64,
        /// The newest token storage had seen.
        newest: u64,
    },
    /// A monitor saw the nodes disagree about who the primary is.
    MonitorAlert {
        /// The distinct primaries named.
        named: Vec<ProcId>,
    },
    /// A plain-language note for the event log.
    Note {
        /// The text.
        text: String,
    },
}

/// The effects a process records while handling one input.
pub struct Effects<M, T> {
    pub(crate) sends: Vec<(ProcId, M)>,
    pub(crate) timers: Vec<(Millis, T)>,
    pub(crate) signals: Vec<Signal>,
}

impl<M, T> Default for Effects<M, T> {
    fn default() -> Self {
        Effects {
            sends: Vec::new(),
            timers: Vec::new(),
            signals: Vec::new(),
        }
    }
}

/// What a process sees and may do while it handles one input.
pub struct Ctx<'a, M, T> {
    /// The current virtual time.
    pub now: Millis,
    /// The process handling the input.
    pub me: ProcId,
    pub(crate) rng: &'a mut SimRng,
    pub(crate) out: &'a mut Effects<M, T>,
    pub(crate) narrate: bool,
}

impl<M, T> Ctx<'_, M, T> {
    /// Sends `msg` to `to` over the simulated network.
    pub fn send(&mut self, to: ProcId, msg: M) {
        self.out.sends.push((to, msg));
    }

    /// Arms a timer that fires `after` milliseconds from now.
    pub fn timer(&mut self, after: Millis, timer: T) {
        self.out.timers.push((after, timer));
    }

    /// Reports a fact for the outcome and the timeline.
    pub fn signal(&mut self, s: Signal) {
        self.out.signals.push(s);
    }

    /// Adds a plain-language line to the event log; the text is only built when
    /// someone is reading (the UI, `splitbrain trace`), so benchmarks pay nothing.
    pub fn note(&mut self, text: impl FnOnce() -> String) {
        if self.narrate {
            self.out.signals.push(Signal::Note { text: text() });
        }
    }

    /// The run's seeded generator.
    pub fn rng(&mut self) -> &mut SimRng {
        self.rng
    }
}

/// One process of a modelled system: a state machine driven by messages and timers.
pub trait Process: Clone {
    /// The messages of this system.
    type Msg: Message;
    /// The timers of this system.
    type Timer: Copy + std::fmt::Debug;

    /// Called once at time 0: arm the first timers, send the first messages.
    fn on_start(&mut self, ctx: &mut Ctx<Self::Msg, Self::Timer>);
    /// A message from `from` arrived.
    fn on_msg(&mut self, from: ProcId, msg: Self::Msg, ctx: &mut Ctx<Self::Msg, Self::Timer>);
    /// A timer this process armed fired.
    fn on_timer(&mut self, timer: Self::Timer, ctx: &mut Ctx<Self::Msg, Self::Timer>);
    /// The process restarts after a crash: volatile state is gone; with `persist` its
    /// data survives (Redis with RDB/AOF), without it the process starts empty.
    fn on_restart(&mut self, persist: bool, ctx: &mut Ctx<Self::Msg, Self::Timer>);
    /// What the UI shows about this process.
    fn view(&self) -> ProcView;
    /// The data set this process holds, for the final converged state (None if it holds none).
    fn data(&self) -> Option<&DataSet>;
}

#[cfg(test)]
pub(crate) mod testing {
    //! Drives one process by hand in unit tests.
    use super::*;

    /// A process under test with its own generator and effect buffer.
    pub struct Harness<M, T> {
        /// Virtual time.
        pub now: Millis,
        /// The process's id.
        pub me: ProcId,
        rng: SimRng,
        /// Effects recorded so far.
        pub fx: Effects<M, T>,
    }

    impl<M, T> Harness<M, T> {
        /// A harness for process `me`.
        pub fn new(me: ProcId) -> Self {
            Harness {
                now: 0,
                me,
                rng: SimRng::new(7),
                fx: Effects::default(),
            }
        }

        /// Runs `f` with a context; returns what it sent.
        pub fn run(&mut self, f: impl FnOnce(&mut Ctx<M, T>)) -> Vec<(ProcId, M)> {
            let mut ctx = Ctx {
                now: self.now,
                me: self.me,
                rng: &mut self.rng,
                out: &mut self.fx,
                narrate: false,
            };
            f(&mut ctx);
            self.fx.timers.clear();
            std::mem::take(&mut self.fx.sends)
        }

        /// Signals recorded so far.
        pub fn signals(&mut self) -> Vec<Signal> {
            std::mem::take(&mut self.fx.signals)
        }
    }
}
