//! The deterministic discrete-event engine: an event queue ordered by (time, sequence),
//! the simulated network, crashes, restarts and pauses. It knows no protocol.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::Arc;

use crate::history::History;
use crate::ids::{BoxId, Millis, ProcId};
use crate::net::Network;
use crate::process::{Ctx, Effects, Message, Process, Signal};
use crate::rng::SimRng;
use crate::trace::{DropReason, Fnv, TraceKind, TraceRecord};
use crate::view::{BoxState, Link, MsgState, ProcState, View};

/// A fault with names resolved to ids.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// Boxes to a new island, together.
    Isolate(Vec<BoxId>),
    /// One box to a given island.
    MoveBox(BoxId, u32),
    /// Box `from` no longer reaches box `to`.
    CutOneWay(BoxId, BoxId),
    /// Process link cut; both ways unless the flag.
    CutLink(ProcId, ProcId, bool),
    /// Everything rejoins.
    Heal,
    /// Process stops.
    Crash(ProcId),
    /// Process starts again, keeping its data or not.
    Restart(ProcId, bool),
    /// Process handles nothing for a while.
    Pause(ProcId, Millis),
    /// Box pairs cut both ways at once (a bridge partition).
    CutBoxes(Vec<(BoxId, BoxId)>),
    /// A single link cut is repaired; both ways unless the flag.
    RepairLink(ProcId, ProcId, bool),
    /// A one-way box cut is repaired.
    RepairOneWay(BoxId, BoxId),
    /// Traffic between two boxes is held (delayed, not lost) until released.
    Hold(BoxId, BoxId),
    /// Held traffic flows again, all that was held first.
    Release,
    /// A process's disk syncs take this long (None: back to its configured latency).
    Disk(ProcId, Option<Millis>),
    /// A process's host clock is stepped by this many ms (forward if positive), as
    /// an NTP step or an operator's `date -s` does.
    ClockJump(ProcId, i64),
}

impl Fault {
    /// Whether it strikes a process rather than the network.
    pub fn strikes_process(&self) -> bool {
        matches!(
            self,
            Fault::Crash(_)
                | Fault::Restart(..)
                | Fault::Pause(..)
                | Fault::Disk(..)
                | Fault::ClockJump(..)
        )
    }

    /// Whether this is the repairing half of a pair (heal, restart, release).
    pub fn repairs(&self) -> bool {
        matches!(
            self,
            Fault::Heal
                | Fault::Restart(..)
                | Fault::RepairLink(..)
                | Fault::RepairOneWay(..)
                | Fault::Release
                | Fault::Disk(_, None)
        )
    }
}

/// The fixed layout of a run: names and placement never change while it runs.
#[derive(Debug)]
pub struct Topology {
    /// Box names.
    pub box_names: Vec<String>,
    /// Process names.
    pub proc_names: Vec<String>,
    /// Process kinds, in the system's words.
    pub proc_kinds: Vec<String>,
    /// Box of each process.
    pub box_of: Vec<BoxId>,
}

#[derive(Clone, Debug)]
enum Event<M, T> {
    Deliver {
        from: ProcId,
        to: ProcId,
        sent: Millis,
        msg: M,
    },
    Timer {
        proc: ProcId,
        incarnation: u32,
        timer: T,
    },
    Fault {
        fault: Fault,
        label: Arc<str>,
    },
    /// TCP's retransmission timer fires on the connection `from` → `to`.
    Retransmit {
        from: ProcId,
        to: ProcId,
    },
}

#[derive(Clone, Debug)]
struct Scheduled<M, T> {
    at: Millis,
    /// 0 for faults, 1 for everything else: a fault at time t acts before anything
    /// else at t, whether it was in the schedule from the start or injected at t by a
    /// person (who forks the run there), so both give the same trace.
    class: u8,
    seq: u64,
    ev: Event<M, T>,
}

impl<M, T> PartialEq for Scheduled<M, T> {
    fn eq(&self, o: &Self) -> bool {
        self.at == o.at && self.class == o.class && self.seq == o.seq
    }
}
impl<M, T> Eq for Scheduled<M, T> {}
impl<M, T> PartialOrd for Scheduled<M, T> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl<M, T> Ord for Scheduled<M, T> {
    // BinaryHeap is a max-heap: reverse so the earliest (then the first scheduled) pops first.
    fn cmp(&self, o: &Self) -> Ordering {
        (o.at, o.class, o.seq).cmp(&(self.at, self.class, self.seq))
    }
}

/// A signal with when and by whom.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SignalRecord {
    /// When.
    pub time_ms: Millis,
    /// Which process.
    pub proc: ProcId,
    /// What.
    #[serde(flatten)]
    pub signal: Signal,
}

/// The state that a snapshot copies; the append-only logs are kept apart and truncated.
#[derive(Clone)]
struct Core<P: Process> {
    now: Millis,
    seq: u64,
    events: u64,
    queue: BinaryHeap<Scheduled<P::Msg, P::Timer>>,
    procs: Vec<P>,
    alive: Vec<bool>,
    incarnation: Vec<u32>,
    paused_until: Vec<Millis>,
    /// How far each process's clock has been stepped, in ms.
    clock_offset: Vec<i64>,
    net: Network,
    rng: SimRng,
    hash: Fnv,
    /// Processes that take writes as leader now, with the epoch they lead in.
    writers: Vec<(ProcId, u64)>,
    /// Clients that believe they hold a lock now, with the lock.
    holders: Vec<(ProcId, u32)>,
    split_since: Option<Millis>,
    split_total: Millis,
    /// What each crashed process had made durable, until it restarts.
    durable: Vec<Option<P::Durable>>,
    /// Messages held by a `Hold` fault, in the order they would have arrived.
    held: Vec<(ProcId, ProcId, Millis, P::Msg)>,
    /// Messages TCP is retransmitting across a cut, per connection in order.
    retrying: Vec<(ProcId, ProcId, Millis, P::Msg)>,
    /// Connections whose next retransmission is scheduled.
    retry_due: Vec<(ProcId, ProcId)>,
    /// Which pairs of processes have sent each other anything (`a * n + b`, `a < b`):
    /// the links the drawing shows. Not part of the trace hash.
    talked: Vec<bool>,
}

/// A saved moment of a run, restorable in O(state size).
#[derive(Clone)]
pub struct Snapshot<P: Process> {
    core: Core<P>,
    /// The signal log as it was (persistent, so this copy costs O(1)): a snapshot can be
    /// restored into any run of the same scenario, whatever that run's own log holds.
    signals: imbl::Vector<SignalRecord>,
    /// The full trace (kept only for `splitbrain trace`, which runs straight through)
    /// is truncated on restore rather than copied.
    trace_len: usize,
}

/// The engine running one scenario of processes `P`.
pub struct Engine<P: Process> {
    core: Core<P>,
    topo: Arc<Topology>,
    default_persist: Vec<bool>,
    narrate: bool,
    keep_trace: bool,
    signals: imbl::Vector<SignalRecord>,
    trace: Vec<TraceRecord>,
    fx: Effects<P::Msg, P::Timer>,
    /// Each process's clock drift in parts per million (fast if positive).
    drift_ppm: Vec<i64>,
}

impl<P: Process> Engine<P> {
    /// A run of `procs` laid out by `topo`, seeded with `seed`. `narrate` builds the
    /// plain-language notes; `keep_trace` keeps every trace record (for `splitbrain trace`).
    pub fn new(
        topo: Topology,
        procs: Vec<P>,
        net: Network,
        seed: u64,
        default_persist: Vec<bool>,
        narrate: bool,
        keep_trace: bool,
    ) -> Self {
        let n = procs.len();
        let mut e = Engine {
            core: Core {
                now: 0,
                seq: 0,
                events: 0,
                queue: BinaryHeap::with_capacity(1024),
                procs,
                alive: vec![true; n],
                incarnation: vec![0; n],
                paused_until: vec![0; n],
                clock_offset: vec![0; n],
                net,
                rng: SimRng::new(seed),
                hash: Fnv::default(),
                writers: Vec::new(),
                holders: Vec::new(),
                split_since: None,
                split_total: 0,
                durable: vec![None; n],
                held: Vec::new(),
                retrying: Vec::new(),
                retry_due: Vec::new(),
                talked: vec![false; n * n],
            },
            topo: Arc::new(topo),
            default_persist,
            narrate,
            keep_trace,
            signals: imbl::Vector::new(),
            trace: Vec::new(),
            fx: Effects::default(),
            drift_ppm: vec![0; n],
        };
        for i in 0..n {
            let me = ProcId(i as u16);
            e.with_ctx(me, |p, ctx| p.on_start(ctx));
        }
        e
    }

    /// Schedules a fault at time `at` (not before now).
    pub fn schedule(&mut self, at: Millis, fault: Fault, label: &str) {
        let at = at.max(self.core.now);
        self.push(
            at,
            Event::Fault {
                fault,
                label: Arc::from(label),
            },
        );
    }

    fn push(&mut self, at: Millis, ev: Event<P::Msg, P::Timer>) {
        let seq = self.core.seq;
        self.core.seq += 1;
        let class = u8::from(!matches!(ev, Event::Fault { .. }));
        self.core.queue.push(Scheduled { at, class, seq, ev });
    }

    /// Virtual time now.
    pub fn now(&self) -> Millis {
        self.core.now
    }

    /// Events handled so far.
    pub fn events(&self) -> u64 {
        self.core.events
    }

    /// The time of the next event, if any.
    pub fn next_time(&self) -> Option<Millis> {
        self.core.queue.peek().map(|s| s.at)
    }

    /// The hash of the trace so far.
    pub fn trace_hash(&self) -> u64 {
        self.core.hash.finish()
    }

    /// The layout.
    pub fn topology(&self) -> &Topology {
        &self.topo
    }

    /// The processes.
    pub fn procs(&self) -> &[P] {
        &self.core.procs
    }

    /// Which processes are up.
    pub fn alive(&self) -> &[bool] {
        &self.core.alive
    }

    /// Every signal so far.
    pub fn signals(&self) -> &imbl::Vector<SignalRecord> {
        &self.signals
    }

    /// Every trace record so far (empty unless the engine keeps the trace).
    pub fn trace(&self) -> &[TraceRecord] {
        &self.trace
    }

    /// Total split-brain time so far, counting an ongoing one up to now.
    pub fn split_brain_ms(&self) -> Millis {
        self.core.split_total + self.core.split_since.map_or(0, |s| self.core.now - s)
    }

    /// The client history, rebuilt from the signals.
    pub fn history(&self) -> History {
        History::from_signals(&self.signals)
    }

    /// Saves this moment.
    pub fn snapshot(&self) -> Snapshot<P> {
        Snapshot {
            core: self.core.clone(),
            signals: self.signals.clone(),
            trace_len: self.trace.len(),
        }
    }

    /// Goes back (or forward) to a saved moment of this same run.
    pub fn restore(&mut self, s: &Snapshot<P>) {
        self.core = s.core.clone();
        self.signals = s.signals.clone();
        self.trace.truncate(s.trace_len);
    }

    /// Handles the next event; false when nothing is left.
    pub fn step(&mut self) -> bool {
        let Some(Scheduled { at, ev, .. }) = self.core.queue.pop() else {
            return false;
        };
        self.core.now = at;
        match ev {
            Event::Deliver {
                from,
                to,
                sent,
                msg,
            } => self.deliver(from, to, sent, msg),
            Event::Timer {
                proc,
                incarnation,
                timer,
            } => {
                let i = proc.idx();
                if incarnation != self.core.incarnation[i] || !self.core.alive[i] {
                    return true; // a timer of a dead incarnation: not an event
                }
                if self.core.paused_until[i] > at {
                    let until = self.core.paused_until[i];
                    self.push(
                        until,
                        Event::Timer {
                            proc,
                            incarnation,
                            timer,
                        },
                    );
                    return true;
                }
                self.count(3, proc.0 as u64, 0, 0);
                if self.keep_trace {
                    self.record(TraceKind::Timer {
                        proc,
                        timer: format!("{timer:?}"),
                    });
                }
                self.with_ctx(proc, |p, ctx| p.on_timer(timer, ctx));
            }
            Event::Retransmit { from, to } => self.retransmit(from, to),
            Event::Fault { fault, label } => {
                let mut h = Fnv::default();
                h.str(&label);
                self.count(4, h.finish(), 0, 0);
                if self.keep_trace {
                    self.record(TraceKind::Fault {
                        fault: label.to_string(),
                    });
                }
                let repair = fault.repairs();
                let process = fault.strikes_process();
                self.signals.push_back(SignalRecord {
                    time_ms: at,
                    proc: ProcId(u16::MAX),
                    signal: Signal::Fault {
                        label: self.words_for(&fault, &label),
                        repair,
                        process,
                    },
                });
                self.apply(fault);
            }
        }
        true
    }

    /// Runs every event strictly before time `t`, then sets the clock to `t`: the moment
    /// at which a fault injected now acts first, as a scheduled one would.
    pub fn run_before(&mut self, t: Millis) {
        while let Some(next) = self.next_time() {
            if next >= t {
                break;
            }
            self.step();
        }
        if t > self.core.now {
            self.core.now = t;
        }
    }

    /// Runs every event up to and including time `t`, then sets the clock to `t`.
    pub fn run_until(&mut self, t: Millis) {
        while let Some(next) = self.next_time() {
            if next > t {
                break;
            }
            self.step();
        }
        if t > self.core.now {
            self.core.now = t;
        }
    }

    fn deliver(&mut self, from: ProcId, to: ProcId, sent: Millis, msg: P::Msg) {
        let i = to.idx();
        let reason = if !self.core.alive[i] {
            Some(DropReason::Crashed)
        } else if !self.passes(from, to, &msg) {
            Some(DropReason::Partition)
        } else {
            None
        };
        if reason.is_none()
            && !self.core.net.held().is_empty()
            && self
                .core
                .net
                .holds(self.topo.box_of[from.idx()], self.topo.box_of[i])
        {
            self.core.held.push((from, to, sent, msg));
            return;
        }
        if reason.is_none() && self.core.paused_until[i] > self.core.now {
            // A paused process (DEBUG SLEEP) reads its socket only when it wakes.
            let until = self.core.paused_until[i];
            self.push(
                until,
                Event::Deliver {
                    from,
                    to,
                    sent,
                    msg,
                },
            );
            return;
        }
        if msg.retransmitted() {
            let conn = msg.connection();
            let stuck = self
                .core
                .retrying
                .iter()
                .any(|r| r.0 == from && r.1 == to && r.3.connection() == conn);
            if reason == Some(DropReason::Partition) || (reason.is_none() && stuck) {
                // TCP keeps it and retransmits it; it arrives behind what is still
                // unacknowledged on its connection.
                let mut d = Fnv::default();
                msg.digest(&mut d);
                self.count(5, ((from.0 as u64) << 16) | to.0 as u64, d.finish(), 0);
                self.core.retrying.push((from, to, sent, msg));
                self.schedule_retransmits();
                return;
            }
        }
        if reason == Some(DropReason::Crashed) && !msg.is_reset() {
            // Connection refused: the dead process's host answers with a reset.
            self.send_reset(to, from);
        }
        let mut d = Fnv::default();
        msg.digest(&mut d);
        match reason {
            Some(r) => {
                self.count(
                    2,
                    ((from.0 as u64) << 16) | to.0 as u64,
                    d.finish(),
                    r as u64,
                );
                if self.keep_trace {
                    self.record(TraceKind::Drop {
                        from,
                        to,
                        kind: msg.kind(),
                        msg: msg.label(),
                        reason: r,
                    });
                }
            }
            None => {
                self.count(1, ((from.0 as u64) << 16) | to.0 as u64, d.finish(), 0);
                if self.keep_trace {
                    self.record(TraceKind::Deliver {
                        from,
                        to,
                        kind: msg.kind(),
                        msg: msg.label(),
                    });
                }
                self.with_ctx(to, |p, ctx| p.on_msg(from, msg, ctx));
            }
        }
    }

    /// Linux's first retransmission timeout (`TCP_RTO_MIN`) and its ceiling
    /// (`TCP_RTO_MAX`): each retransmission waits twice as long as the one before.
    const RTO_MIN: Millis = 200;
    const RTO_MAX: Millis = 120_000;

    /// Whether the network lets `msg` from `from` reach `to` now.
    fn passes(&self, from: ProcId, to: ProcId, msg: &P::Msg) -> bool {
        self.core.net.allows(
            self.topo.box_of[from.idx()],
            self.topo.box_of[to.idx()],
            from,
            to,
            msg.on_receivers_connection(),
        )
    }

    /// Schedules the next retransmission of every connection whose path is open again.
    fn schedule_retransmits(&mut self) {
        // Each connection's oldest held message sets its timer.
        let mut oldest: Vec<(ProcId, ProcId, Millis)> = Vec::new();
        for (from, to, sent, msg) in &self.core.retrying {
            let pair = (*from, *to);
            if oldest.iter().any(|o| (o.0, o.1) == pair)
                || self.core.retry_due.contains(&pair)
                || !self.passes(*from, *to, msg)
            {
                continue;
            }
            oldest.push((*from, *to, *sent));
        }
        for (from, to, sent) in oldest {
            // sent + 200, then doubling.
            let (mut rto, mut at) = (Self::RTO_MIN, sent + Self::RTO_MIN);
            while at < self.core.now {
                rto = (rto * 2).min(Self::RTO_MAX);
                at += rto;
            }
            let latency = self
                .core
                .net
                .latency_between(self.topo.box_of[from.idx()], self.topo.box_of[to.idx()]);
            self.core.retry_due.push((from, to));
            self.push(at + latency, Event::Retransmit { from, to });
        }
    }

    /// A retransmission gets through if the path is open: everything the connection
    /// holds arrives, in order.
    fn retransmit(&mut self, from: ProcId, to: ProcId) {
        self.core.retry_due.retain(|&p| p != (from, to));
        let Some(first) = self.core.retrying.iter().find(|r| r.0 == from && r.1 == to) else {
            return;
        };
        if !self.passes(from, to, &first.3) {
            return; // cut again: the next repair schedules it anew
        }
        self.count(6, ((from.0 as u64) << 16) | to.0 as u64, 0, 0);
        let mut mine = Vec::new();
        self.core.retrying.retain(|r| {
            if r.0 == from && r.1 == to {
                mine.push(r.clone());
                false
            } else {
                true
            }
        });
        for (from, to, sent, msg) in mine {
            self.deliver(from, to, sent, msg);
        }
    }

    /// Sends the system's connection reset from `dead` (whose host stays up) to `to`,
    /// over the network like any packet.
    fn send_reset(&mut self, dead: ProcId, to: ProcId) {
        let Some(msg) = P::Msg::reset() else { return };
        let (fb, tb) = (self.topo.box_of[dead.idx()], self.topo.box_of[to.idx()]);
        let now = self.core.now;
        if let Some(at) = self
            .core
            .net
            .delivery_time(now, fb, tb, dead, to, &mut self.core.rng)
        {
            self.push(
                at,
                Event::Deliver {
                    from: dead,
                    to,
                    sent: now,
                    msg,
                },
            );
        }
    }

    #[inline]
    fn count(&mut self, tag: u64, a: u64, b: u64, c: u64) {
        let h = &mut self.core.hash;
        h.u64(self.core.now);
        h.u64(tag);
        h.u64(a);
        h.u64(b);
        h.u64(c);
        self.core.events += 1;
    }

    fn record(&mut self, kind: TraceKind) {
        self.trace.push(TraceRecord {
            time_ms: self.core.now,
            kind,
        });
    }

    fn with_ctx(&mut self, me: ProcId, f: impl FnOnce(&mut P, &mut Ctx<P::Msg, P::Timer>)) {
        let mut fx = std::mem::take(&mut self.fx);
        {
            let core = &mut self.core;
            let i = me.idx();
            // Most hosts keep time: skip the wide multiplication (a library call in
            // wasm) on every event for them.
            let drift = match self.drift_ppm[i] {
                0 => 0,
                ppm => (core.now as i128 * ppm as i128 / 1_000_000) as i64,
            };
            let mut ctx = Ctx {
                now: core.now,
                clock: core.now as i64 + drift + core.clock_offset[i],
                me,
                rng: &mut core.rng,
                out: &mut fx,
                narrate: self.narrate,
            };
            f(&mut core.procs[me.idx()], &mut ctx);
        }
        self.apply_effects(me, &mut fx);
        self.fx = fx;
    }

    fn apply_effects(&mut self, me: ProcId, fx: &mut Effects<P::Msg, P::Timer>) {
        let now = self.core.now;
        let fb = self.topo.box_of[me.idx()];
        let n = self.core.procs.len();
        for (to, msg) in fx.sends.drain(..) {
            let (a, b) = (me.idx().min(to.idx()), me.idx().max(to.idx()));
            if a != b {
                self.core.talked[a * n + b] = true;
            }
            let tb = self.topo.box_of[to.idx()];
            match self
                .core
                .net
                .delivery_time(now, fb, tb, me, to, &mut self.core.rng)
            {
                Some(at) => self.push(
                    at,
                    Event::Deliver {
                        from: me,
                        to,
                        sent: now,
                        msg,
                    },
                ),
                None => {
                    self.core.hash.u64(((me.0 as u64) << 16) | to.0 as u64);
                    if self.keep_trace {
                        self.record(TraceKind::Drop {
                            from: me,
                            to,
                            kind: msg.kind(),
                            msg: msg.label(),
                            reason: DropReason::Loss,
                        });
                    }
                }
            }
        }
        let incarnation = self.core.incarnation[me.idx()];
        for (after, timer) in fx.timers.drain(..) {
            self.push(
                now + after,
                Event::Timer {
                    proc: me,
                    incarnation,
                    timer,
                },
            );
        }
        let mut signals = std::mem::take(&mut fx.signals);
        for signal in signals.drain(..) {
            let extra = match signal {
                Signal::Writable { writable, epoch } => {
                    self.set_writable(me, writable, epoch);
                    Vec::new()
                }
                Signal::LockAcquired { lock, .. } => self.lock_acquired(me, lock),
                Signal::LockReleased { lock } => {
                    self.core.holders.retain(|h| *h != (me, lock));
                    Vec::new()
                }
                _ => Vec::new(),
            };
            for signal in std::iter::once(signal).chain(extra) {
                if self.keep_trace {
                    self.record(TraceKind::Signal {
                        proc: me,
                        signal: signal.clone(),
                    });
                }
                self.signals.push_back(SignalRecord {
                    time_ms: now,
                    proc: me,
                    signal,
                });
            }
        }
        fx.signals = signals;
    }

    /// Records the new holder of `lock`; returns a signal for each other client that
    /// still believes it holds it.
    fn lock_acquired(&mut self, p: ProcId, lock: u32) -> Vec<Signal> {
        let c = &mut self.core;
        c.holders.retain(|h| *h != (p, lock));
        let others: Vec<ProcId> = c
            .holders
            .iter()
            .filter(|h| h.1 == lock)
            .map(|h| h.0)
            .collect();
        c.holders.push((p, lock));
        others
            .into_iter()
            .map(|other| Signal::LockHeldTwice { lock, other })
            .collect()
    }

    fn set_writable(&mut self, p: ProcId, w: bool, epoch: u64) {
        let c = &mut self.core;
        c.writers.retain(|(q, _)| *q != p);
        if w {
            c.writers.push((p, epoch));
        }
        // Whether this is split-brain is the system's own invariant, not the engine's.
        let split = P::split_brain(&c.writers);
        let was = c.split_since.is_some();
        if split == was {
            return;
        }
        if split {
            c.split_since = Some(c.now);
        } else if let Some(s) = c.split_since.take() {
            c.split_total += c.now - s;
        }
        let now = c.now;
        self.signals.push_back(SignalRecord {
            time_ms: now,
            proc: p,
            signal: Signal::SplitBrain { started: split },
        });
    }

    /// A fault in the words a person sees: the network's island numbers are not shown
    /// anywhere, so a move names the box it joins instead.
    fn words_for(&self, fault: &Fault, label: &str) -> String {
        let Fault::MoveBox(b, island) = fault else {
            return label.to_string();
        };
        let t = &self.topo;
        let name = &t.box_names[b.idx()];
        let islands = self.core.net.islands();
        match (0..islands.len()).find(|&k| k != b.idx() && islands[k] == *island) {
            Some(k) => format!("move {name} into {}'s partition", t.box_names[k]),
            None => format!("cut {name} off into a partition of its own"),
        }
    }

    /// Applies a fault now.
    pub fn apply(&mut self, fault: Fault) {
        self.apply_fault(fault);
        if !self.core.retrying.is_empty() {
            self.schedule_retransmits();
        }
    }

    fn apply_fault(&mut self, fault: Fault) {
        match fault {
            Fault::Isolate(boxes) => {
                let island = self.core.net.fresh_island();
                for b in boxes {
                    self.core.net.move_box(b, island);
                }
            }
            Fault::MoveBox(b, island) => self.core.net.move_box(b, island),
            Fault::CutOneWay(a, b) => self.core.net.cut_one_way(a, b),
            Fault::CutLink(a, b, one_way) => {
                self.core.net.cut_link(a, b);
                if !one_way {
                    self.core.net.cut_link(b, a);
                }
            }
            Fault::Heal => {
                self.core.net.heal();
                self.release();
            }
            Fault::Crash(p) => {
                let i = p.idx();
                if self.core.alive[i] {
                    self.core.alive[i] = false;
                    self.core.incarnation[i] += 1;
                    self.core.durable[i] = Some(self.core.procs[i].durable());
                    // A dead client believes nothing: it lets go of its locks.
                    let now = self.core.now;
                    for (_, lock) in self.core.holders.iter().filter(|h| h.0 == p) {
                        self.signals.push_back(SignalRecord {
                            time_ms: now,
                            proc: p,
                            signal: Signal::LockReleased { lock: *lock },
                        });
                    }
                    self.core.holders.retain(|h| h.0 != p);
                    // Its connections are gone, and what TCP was retransmitting with them.
                    self.core.retrying.retain(|r| r.0 != p && r.1 != p);
                    // Its kernel resets the connections of every process it talked with.
                    let n = self.core.procs.len();
                    for q in 0..n {
                        let (a, b) = (i.min(q), i.max(q));
                        if q != i && self.core.alive[q] && self.core.talked[a * n + b] {
                            self.send_reset(p, ProcId(q as u16));
                        }
                    }
                    if self.core.writers.iter().any(|(q, _)| *q == p) {
                        self.signals.push_back(SignalRecord {
                            time_ms: self.core.now,
                            proc: p,
                            signal: Signal::Writable {
                                writable: false,
                                epoch: 0,
                            },
                        });
                        self.set_writable(p, false, 0);
                    }
                }
            }
            Fault::Restart(p, persist) => {
                let i = p.idx();
                if !self.core.alive[i] {
                    self.core.alive[i] = true;
                    self.core.paused_until[i] = 0;
                    let durable = self.core.durable[i].take().filter(|_| persist);
                    self.with_ctx(p, |proc, ctx| proc.on_restart(durable, ctx));
                }
            }
            Fault::Pause(p, ms) => {
                let i = p.idx();
                self.core.paused_until[i] = self.core.paused_until[i].max(self.core.now + ms);
            }
            Fault::CutBoxes(pairs) => {
                for (a, b) in pairs {
                    self.core.net.cut_one_way(a, b);
                    self.core.net.cut_one_way(b, a);
                }
            }
            Fault::RepairLink(a, b, one_way) => {
                self.core.net.repair_link(a, b);
                if !one_way {
                    self.core.net.repair_link(b, a);
                }
            }
            Fault::RepairOneWay(a, b) => self.core.net.repair_one_way(a, b),
            Fault::Hold(a, b) => self.core.net.hold(a, b),
            Fault::Release => self.release(),
            Fault::ClockJump(p, by) => self.core.clock_offset[p.idx()] += by,
            Fault::Disk(p, ms) => {
                if self.core.alive[p.idx()] {
                    self.with_ctx(p, |proc, ctx| proc.on_disk_latency(ms, ctx));
                }
            }
        }
    }

    /// Ends every hold: what was held arrives now, in the order it was held.
    fn release(&mut self) {
        self.core.net.release();
        let now = self.core.now;
        for (from, to, sent, msg) in std::mem::take(&mut self.core.held) {
            self.push(
                now,
                Event::Deliver {
                    from,
                    to,
                    sent,
                    msg,
                },
            );
        }
    }

    /// Sets each process's clock drift, in parts per million (a clock 1% fast is
    /// 10,000). Drift is a property of the host, fixed for the run.
    pub fn set_clock_drift(&mut self, ppm: Vec<i64>) {
        assert_eq!(ppm.len(), self.drift_ppm.len(), "one drift per process");
        self.drift_ppm = ppm;
    }

    /// Sets how far each process's clock is ahead of real time when the run begins, in
    /// ms (a host that NTP never corrected); `clock_jump` faults step it from there.
    pub fn set_clock_offset(&mut self, ms: Vec<i64>) {
        assert_eq!(
            ms.len(),
            self.core.clock_offset.len(),
            "one offset per process"
        );
        self.core.clock_offset = ms;
    }

    /// Whether each process's restarts keep its data unless a fault says otherwise.
    pub fn default_persist(&self) -> &[bool] {
        &self.default_persist
    }

    /// The messages in flight now, in no particular order.
    pub fn in_flight(&self) -> Vec<MsgState> {
        let c = &self.core;
        c.queue
            .iter()
            .filter_map(|s| match &s.ev {
                Event::Deliver {
                    from,
                    to,
                    sent,
                    msg,
                } => Some(MsgState {
                    from: *from,
                    to: *to,
                    kind: msg.kind(),
                    sent_ms: *sent,
                    arrive_ms: s.at,
                    doomed: !c.alive[to.idx()] || !self.passes(*from, *to, msg),
                }),
                _ => None,
            })
            .collect()
    }

    /// What the UI draws now.
    pub fn view(&self) -> View {
        let c = &self.core;
        let t = &self.topo;
        let boxes = (0..t.box_names.len())
            .map(|b| BoxState {
                id: BoxId(b as u16),
                name: t.box_names[b].clone(),
                island: c.net.islands()[b],
                procs: (0..t.proc_names.len())
                    .filter(|&p| t.box_of[p].idx() == b)
                    .map(|p| ProcId(p as u16))
                    .collect(),
            })
            .collect();
        let procs = c
            .procs
            .iter()
            .enumerate()
            .map(|(i, p)| ProcState {
                id: ProcId(i as u16),
                name: t.proc_names[i].clone(),
                kind: t.proc_kinds[i].clone(),
                on_box: t.box_of[i],
                alive: c.alive[i],
                paused: c.paused_until[i] > c.now,
                view: p.view(),
            })
            .collect();
        let messages = self.in_flight();
        let n = c.procs.len();
        let links = (0..n * n)
            .filter(|&k| c.talked[k])
            .map(|k| {
                let (a, b) = (k / n, k % n);
                let pass = |x: usize, y: usize| {
                    c.net.allows(
                        t.box_of[x],
                        t.box_of[y],
                        ProcId(x as u16),
                        ProcId(y as u16),
                        false,
                    )
                };
                Link {
                    a: ProcId(a as u16),
                    b: ProcId(b as u16),
                    open: (pass(a, b), pass(b, a)),
                }
            })
            .collect();
        View {
            now_ms: c.now,
            events: c.events,
            boxes,
            procs,
            messages,
            links,
            one_way_cuts: c.net.one_way_cuts().to_vec(),
            link_cuts: c.net.link_cuts().to_vec(),
            split_brain_since: c.split_since,
            split_brain_ms: self.split_brain_ms(),
        }
    }
}
