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
    /// Whether it travels on a TCP connection the receiver opened (a reply, or a stream
    /// the receiver asked for). TCP needs both directions: when the receiver's packets
    /// to the sender are cut, its connection stalls, and this message never arrives.
    fn on_receivers_connection(&self) -> bool {
        false
    }
    /// What a peer receives when this system's process dies while its host stays up:
    /// the kernel resets its TCP connections, and answers later packets with a reset
    /// (connection refused), so peers learn at once instead of after a timeout.
    /// None: the system does not model connections.
    fn reset() -> Option<Self> {
        None
    }
    /// Whether this is that reset (a reset is never answered with another).
    fn is_reset(&self) -> bool {
        false
    }
    /// Whether it rides a long-lived TCP connection that outlives a cut (a
    /// replication stream): a cut does not lose it, TCP keeps retransmitting it with
    /// exponential backoff, and it arrives, in order, at the first retransmission
    /// after the path opens again. Later messages on the same connection queue behind
    /// it. Messages of connections that give up sooner (requests with a timeout) are
    /// lost to a cut instead.
    fn retransmitted(&self) -> bool {
        false
    }
    /// Which connection between its sender and receiver it rides, for systems that
    /// open a new one after giving up on the old (a new stream after a timeout): a new
    /// connection does not queue behind what TCP still retransmits on an old one.
    fn connection(&self) -> u64 {
        0
    }
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

/// The shared vocabulary of facts that every system can report and every view can
/// count. Anything else a system wants to say is its own [`EventInfo`], presented once
/// by the system's event type (see [`SystemEvent`]).
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
    /// This process now accepts (or stops accepting) client writes as leader or primary,
    /// in `epoch` (its term, or the config epoch it was promoted in; 0 if it has none).
    Writable {
        /// Whether a client write would now be taken.
        writable: bool,
        /// The epoch or term it leads in.
        epoch: u64,
    },
    /// The system's split-brain invariant (see [`Process::split_brain`]) started or
    /// stopped being violated; reported by the engine.
    SplitBrain {
        /// True when it starts.
        started: bool,
    },
    /// A node asked for votes in an epoch or term.
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
    /// A node won an election in an epoch or term.
    Elected {
        /// The epoch or term.
        epoch: u64,
        /// Votes received.
        votes: u32,
        /// Votes needed.
        needed: u32,
    },
    /// A process was put in charge of the writes by the system's election: a Raft
    /// leader, a replica promoted by Sentinel.
    NewLeader {
        /// The epoch or term.
        epoch: u64,
        /// The new leader or primary.
        leader: ProcId,
    },
    /// This process discarded data it held when it rejoined (divergent writes).
    Discarded {
        /// How many values (or log entries) it discarded.
        count: u64,
    },
    /// Shared storage accepted a write with this fencing token.
    FencingAccepted {
        /// The token presented.
        token: u64,
        /// The value written (unique per write): the storage's order of writes.
        value: u64,
    },
    /// Shared storage rejected a write carrying a stale fencing token.
    FencingRejected {
        /// The token presented.
        token: u64,
        /// The newest token storage had seen.
        newest: u64,
    },
    /// A client now believes it holds `lock`, for `valid_ms` by its own clock, and
    /// will present `token` to the storage it writes to under the lock.
    LockAcquired {
        /// Which lock (the resource's number).
        lock: u32,
        /// What it writes with: a fencing token where the lock service gives one (a
        /// revision that grows with every grant), else whatever the lock's value is.
        token: u64,
        /// How long it believes the lock is its own, from now.
        valid_ms: Millis,
    },
    /// A client no longer believes it holds `lock` (it released it, or gave it up).
    LockReleased {
        /// Which lock.
        lock: u32,
    },
    /// A client acquired `lock` while another still believed it held it (reported by
    /// the engine): the lock's own split-brain.
    LockHeldTwice {
        /// Which lock.
        lock: u32,
        /// The client that still believes it holds it.
        other: ProcId,
    },
    /// A fault acted (reported by the engine).
    Fault {
        /// What it did, in plain words.
        label: String,
        /// True for the half of a pair that repairs (heal, restart, release).
        repair: bool,
        /// True when it struck a process (crash, pause, slow disk), not the network.
        process: bool,
    },
    /// One of the system's own events, as it presents itself.
    Event(EventInfo),
    /// A plain-language note for the event log.
    Note {
        /// The text.
        text: String,
    },
}

/// The families of timeline markers, so that every system's events share colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkerKind {
    /// A fault that cuts the network.
    Cut,
    /// A fault that strikes a process (crash, pause, slow disk).
    Crash,
    /// A fault that repairs.
    Heal,
    /// Nodes agree something is down.
    Down,
    /// An election starts.
    Election,
    /// A new leader or primary.
    Leader,
    /// Split-brain starts.
    Split,
    /// A client took a lock that another still believed it held.
    LockTwice,
    /// Split-brain ends.
    SplitEnd,
    /// Data is discarded.
    Loss,
    /// A fencing rejection.
    Fencing,
    /// The history stops being linearizable (the checker's verdict on the run).
    NotLinearizable,
    /// An alert or a warning sign.
    Alert,
}

/// How an event presents itself, once, for every view: its timeline marker, its badge
/// on the canvas, its line in the event log and the counter it adds to in the outcome.
/// Process ids in the texts are written `#3`; the UI puts the names in.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct EventInfo {
    /// A stable name (`odown`, `step-down`), for tests and the trace.
    pub name: &'static str,
    /// The line in the event log.
    pub log: String,
    /// The timeline marker, if the event deserves one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marker: Option<MarkerKind>,
    /// A short badge beside the process, if any, and whether it is an alarm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub badge: Option<(String, bool)>,
    /// The outcome counter it adds one to, if any ("monitor alerts").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counter: Option<&'static str>,
    /// The process the badge is drawn beside, when not the one that reported it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub about: Option<ProcId>,
}

impl EventInfo {
    /// An event with a log line and nothing else.
    pub fn log(name: &'static str, log: String) -> Self {
        EventInfo {
            name,
            log,
            marker: None,
            badge: None,
            counter: None,
            about: None,
        }
    }
    /// With a timeline marker.
    pub fn marker(mut self, m: MarkerKind) -> Self {
        self.marker = Some(m);
        self
    }
    /// With a badge on the canvas.
    pub fn badge(mut self, text: impl Into<String>, alarm: bool) -> Self {
        self.badge = Some((text.into(), alarm));
        self
    }
    /// With its badge drawn beside `p`.
    pub fn about(mut self, p: ProcId) -> Self {
        self.about = Some(p);
        self
    }
    /// Counted in the outcome under `label`.
    pub fn counter(mut self, label: &'static str) -> Self {
        self.counter = Some(label);
        self
    }
}

/// A system's own event type: it knows how to present itself (quinn-proto keeps the
/// protocol's `Event` in the protocol; here the protocol also words it).
pub trait SystemEvent {
    /// Its marker, badge, log line and counter.
    fn present(&self) -> EventInfo;
}

/// The words a system uses for the shared vocabulary ("epoch" or "term", "master" or
/// "leader"), so that the shared signals read in the system's own language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Words {
    /// What an election's number is called.
    pub epoch: &'static str,
    /// What the process that takes writes is called.
    pub leader: &'static str,
    /// Whether the system elects a leader by votes in an epoch, so that the page asks
    /// whom a process voted for, who each side believes leads, and counts new leaders
    /// and split-brain time. A lock's token or a write's timestamp is drawn like an
    /// epoch, and nobody votes in it.
    pub elects: bool,
    /// What an acknowledged write missing from the final state is, in the system's
    /// words ("acknowledged writes lost", or how the system loses them).
    pub lost: &'static str,
}

impl Signal {
    /// How a signal presents itself, in the system's words; None for the history's
    /// operations, which the outcome counts instead. This is the one place that words
    /// the shared signals, for the log, the markers and the canvas alike.
    pub fn present(&self, w: &Words) -> Option<EventInfo> {
        let Words {
            epoch: e, leader, ..
        } = *w;
        Some(match self {
            Signal::OpInvoke { .. }
            | Signal::OpComplete { .. }
            | Signal::FencingAccepted { .. } => return None,
            Signal::LockAcquired {
                lock,
                token,
                valid_ms,
            } => EventInfo::log(
                "lock-acquired",
                format!("believes it holds lock {lock} for {valid_ms} ms (token {token})"),
            )
            .badge("holds the lock", false),
            Signal::LockReleased { lock } => {
                EventInfo::log("lock-released", format!("lets go of lock {lock}"))
            }
            Signal::LockHeldTwice { lock, other } => EventInfo::log(
                "lock-held-twice",
                format!("acquires lock {lock} while {other} still believes it holds it"),
            )
            .marker(MarkerKind::LockTwice)
            .badge("lock held twice", true),
            Signal::Writable { writable: true, .. } => {
                EventInfo::log("writable", format!("now accepts writes as {leader}"))
            }
            Signal::Writable {
                writable: false, ..
            } => EventInfo::log("not-writable", "no longer accepts writes".into()),
            Signal::SplitBrain { started: true } => EventInfo::log(
                "split-brain",
                format!("split-brain starts: more than one {leader} takes writes"),
            )
            .marker(MarkerKind::Split),
            Signal::SplitBrain { started: false } => {
                EventInfo::log("split-brain-end", "split-brain ends".into())
                    .marker(MarkerKind::SplitEnd)
            }
            Signal::ElectionStarted { epoch } => {
                EventInfo::log("election", format!("asks for votes, {e} {epoch}"))
                    .marker(MarkerKind::Election)
                    .badge("asks for votes", false)
            }
            Signal::Voted { epoch, candidate } => {
                EventInfo::log("vote", format!("votes for {candidate} in {e} {epoch}"))
            }
            Signal::Elected {
                epoch,
                votes,
                needed,
            } => EventInfo::log(
                "elected",
                format!("elected with {votes} of {needed} votes needed, {e} {epoch}"),
            )
            // Short enough for the badge lane: the epoch shows beside the name.
            .badge(format!("elected with {votes} votes"), false),
            Signal::NewLeader { epoch, leader: p } => EventInfo::log(
                "new-leader",
                format!("{p} is the new {leader} ({e} {epoch})"),
            )
            .marker(MarkerKind::Leader)
            .badge(format!("new {leader} ({e} {epoch})"), false)
            .about(*p),
            Signal::Discarded { count } => {
                EventInfo::log("discarded", format!("discards {count} values it held"))
                    .marker(MarkerKind::Loss)
                    .badge(format!("discarded {count} writes"), true)
            }
            Signal::FencingRejected { token, newest } => EventInfo::log(
                "fencing-rejected",
                format!("storage rejected token {token}: it has seen {newest}"),
            )
            .marker(MarkerKind::Fencing)
            .badge(
                format!("rejected token {token}: newest seen {newest}"),
                true,
            ),
            Signal::Fault {
                label,
                repair,
                process,
            } => {
                EventInfo::log("fault", format!("fault: {label}")).marker(match (repair, process) {
                    (true, _) => MarkerKind::Heal,
                    (false, true) => MarkerKind::Crash,
                    (false, false) => MarkerKind::Cut,
                })
            }
            Signal::Event(info) => info.clone(),
            Signal::Note { text } => EventInfo::log("note", text.clone()),
        })
    }
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
    /// This process's own wall clock, in ms since the run began as its host reckons
    /// it: it drifts at its host's rate and jumps when its host's clock is stepped
    /// (`clock_jump`). Equal to `now` unless the scenario says otherwise. Whatever the
    /// real system reads from its clock (a key's expiry, a lock's elapsed time) reads
    /// this; timers still count real time.
    pub clock: i64,
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

    /// Reports one of the system's own events, presented at once (such events are rare:
    /// elections, step-downs, alerts), since the outcome may count it.
    pub fn event<E: SystemEvent>(&mut self, e: E) {
        self.out.signals.push(Signal::Event(e.present()));
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

    /// Runs `f` as a process of another system that this one uses (the cluster a
    /// system keeps its own state in): `f` sees a context of that system's message and
    /// timer types, and what it records is wrapped into this system's, so the used
    /// system's processes run unchanged inside the user's. `signal` rewords or drops
    /// the used system's signals: the used system's leader is not the leader of the
    /// system that uses it, and must not count as one.
    pub fn nest<M2, T2, R>(
        &mut self,
        wrap_msg: impl Fn(M2) -> M,
        wrap_timer: impl Fn(T2) -> T,
        signal: impl Fn(Signal) -> Option<Signal>,
        f: impl FnOnce(&mut Ctx<'_, M2, T2>) -> R,
    ) -> R {
        let mut fx = Effects::default();
        let r = f(&mut Ctx {
            now: self.now,
            clock: self.clock,
            me: self.me,
            rng: &mut *self.rng,
            out: &mut fx,
            narrate: self.narrate,
        });
        self.out
            .sends
            .extend(fx.sends.into_iter().map(|(to, m)| (to, wrap_msg(m))));
        self.out.timers.extend(
            fx.timers
                .into_iter()
                .map(|(after, t)| (after, wrap_timer(t))),
        );
        self.out
            .signals
            .extend(fx.signals.into_iter().filter_map(signal));
        r
    }
}

/// One process of a modelled system: a state machine driven by messages and timers.
/// Like stateright's `Actor`, the handlers a process kind does not need have defaults.
pub trait Process: Clone {
    /// The messages of this system.
    type Msg: Message;
    /// The timers of this system.
    type Timer: Copy + std::fmt::Debug;
    /// What survives a crash (raft-rs's `HardState`: term, vote, log; a Redis server's
    /// data set when it persists). The engine keeps it while the process is down and
    /// hands it back on restart; everything else is rebuilt.
    type Durable: Clone + std::fmt::Debug;

    /// Called once at time 0: arm the first timers, send the first messages.
    fn on_start(&mut self, _ctx: &mut Ctx<Self::Msg, Self::Timer>) {}
    /// A message from `from` arrived.
    fn on_msg(&mut self, from: ProcId, msg: Self::Msg, ctx: &mut Ctx<Self::Msg, Self::Timer>);
    /// A timer this process armed fired.
    fn on_timer(&mut self, _timer: Self::Timer, _ctx: &mut Ctx<Self::Msg, Self::Timer>) {}
    /// What it has made durable so far (taken when it crashes).
    fn durable(&self) -> Self::Durable;
    /// The process restarts after a crash: volatile state is gone; `durable` is what it
    /// had made durable, or None when it restarts empty (no persistence, a new disk).
    fn on_restart(&mut self, durable: Option<Self::Durable>, ctx: &mut Ctx<Self::Msg, Self::Timer>);
    /// The disk's write-and-sync latency changes to `ms` (a slow disk), or back to the
    /// configured one (None, its repair); only processes that model a disk care.
    fn on_disk_latency(&mut self, _ms: Option<Millis>, _ctx: &mut Ctx<Self::Msg, Self::Timer>) {}
    /// What the UI shows about this process.
    fn view(&self) -> ProcView;
    /// The system's split-brain invariant: given every process that now takes writes as
    /// leader, with the epoch or term it leads in, whether they violate it. The default
    /// is "more than one at once" (Redis: two masters both acknowledge writes); Raft
    /// allows a deposed leader of an older term, which can commit nothing.
    fn split_brain(writers: &[(ProcId, u64)]) -> bool {
        writers.len() > 1
    }
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
        /// How far its clock is ahead of `now`.
        pub skew: i64,
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
                skew: 0,
                rng: SimRng::new(7),
                fx: Effects::default(),
            }
        }

        /// Runs `f` with a context; returns what it sent.
        pub fn run(&mut self, f: impl FnOnce(&mut Ctx<M, T>)) -> Vec<(ProcId, M)> {
            let mut ctx = Ctx {
                now: self.now,
                clock: self.now as i64 + self.skew,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A used system's messages and timers, wrapped by the user's.
    #[derive(Clone, Debug, PartialEq)]
    enum Outer {
        Inner(u8),
    }

    #[test]
    fn a_nested_process_records_into_the_users_effects() {
        let mut rng = SimRng::new(7);
        let mut fx: Effects<Outer, (char, u8)> = Effects::default();
        let mut ctx = Ctx {
            now: 40,
            clock: 40,
            me: ProcId(1),
            rng: &mut rng,
            out: &mut fx,
            narrate: false,
        };
        let drawn = ctx.nest(
            Outer::Inner,
            |t: u8| ('t', t),
            |s| match s {
                Signal::Note { text } if text == "dropped" => None,
                s => Some(s),
            },
            |inner| {
                assert_eq!((inner.now, inner.me), (40, ProcId(1)));
                inner.send(ProcId(2), 7u8);
                inner.timer(5, 3u8);
                inner.note(|| "unread".into());
                inner.signal(Signal::Note {
                    text: "kept".into(),
                });
                inner.signal(Signal::Note {
                    text: "dropped".into(),
                });
                inner.rng().below(1000)
            },
        );
        assert_eq!(drawn, SimRng::new(7).below(1000), "the run's one generator");
        assert_eq!(fx.sends, vec![(ProcId(2), Outer::Inner(7))]);
        assert_eq!(fx.timers, vec![(5, ('t', 3))]);
        assert_eq!(
            fx.signals,
            vec![Signal::Note {
                text: "kept".into()
            }]
        );
    }
}
