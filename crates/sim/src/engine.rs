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
use crate::view::{BoxState, MsgState, ProcState, View};

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
}

/// The fixed layout of a run: names and placement never change while it runs.
#[derive(Debug)]
pub struct Topology {
    /// Box names.
    pub box_names: Vec<String>,
    /// Process names.
    pub proc_names: Vec<String>,
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
    net: Network,
    rng: SimRng,
    hash: Fnv,
    writable: Vec<bool>,
    writable_count: u32,
    split_since: Option<Millis>,
    split_total: Millis,
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
    default_persist: bool,
    narrate: bool,
    keep_trace: bool,
    signals: imbl::Vector<SignalRecord>,
    trace: Vec<TraceRecord>,
    fx: Effects<P::Msg, P::Timer>,
}

impl<P: Process> Engine<P> {
    /// A run of `procs` laid out by `topo`, seeded with `seed`. `narrate` builds the
    /// plain-language notes; `keep_trace` keeps every trace record (for `splitbrain trace`).
    pub fn new(
        topo: Topology,
        procs: Vec<P>,
        net: Network,
        seed: u64,
        default_persist: bool,
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
                net,
                rng: SimRng::new(seed),
                hash: Fnv::default(),
                writable: vec![false; n],
                writable_count: 0,
                split_since: None,
                split_total: 0,
            },
            topo: Arc::new(topo),
            default_persist,
            narrate,
            keep_trace,
            signals: imbl::Vector::new(),
            trace: Vec::new(),
            fx: Effects::default(),
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
        let mut h = History::default();
        for r in &self.signals {
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
                _ => {}
            }
        }
        h
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
            Event::Fault { fault, label } => {
                let mut h = Fnv::default();
                h.str(&label);
                self.count(4, h.finish(), 0, 0);
                if self.keep_trace {
                    self.record(TraceKind::Fault {
                        fault: label.to_string(),
                    });
                }
                if self.narrate {
                    self.signals.push_back(SignalRecord {
                        time_ms: at,
                        proc: ProcId(u16::MAX),
                        signal: Signal::Note {
                            text: format!("Fault: {label}"),
                        },
                    });
                }
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
        } else if !self
            .core
            .net
            .allows(self.topo.box_of[from.idx()], self.topo.box_of[i], from, to)
        {
            Some(DropReason::Partition)
        } else {
            None
        };
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
            let mut ctx = Ctx {
                now: core.now,
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
        for (to, msg) in fx.sends.drain(..) {
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
        for signal in fx.signals.drain(..) {
            if let Signal::Writable { writable } = signal {
                self.set_writable(me, writable);
            }
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

    fn set_writable(&mut self, p: ProcId, w: bool) {
        let c = &mut self.core;
        if c.writable[p.idx()] == w {
            return;
        }
        c.writable[p.idx()] = w;
        if w {
            c.writable_count += 1;
            if c.writable_count == 2 {
                c.split_since = Some(c.now);
            }
        } else {
            c.writable_count -= 1;
            if c.writable_count == 1 {
                if let Some(s) = c.split_since.take() {
                    c.split_total += c.now - s;
                }
            }
        }
    }

    /// Applies a fault now.
    pub fn apply(&mut self, fault: Fault) {
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
            Fault::Heal => self.core.net.heal(),
            Fault::Crash(p) => {
                let i = p.idx();
                if self.core.alive[i] {
                    self.core.alive[i] = false;
                    self.core.incarnation[i] += 1;
                    if self.core.writable[i] {
                        self.set_writable(p, false);
                        self.signals.push_back(SignalRecord {
                            time_ms: self.core.now,
                            proc: p,
                            signal: Signal::Writable { writable: false },
                        });
                    }
                }
            }
            Fault::Restart(p, persist) => {
                let i = p.idx();
                if !self.core.alive[i] {
                    self.core.alive[i] = true;
                    self.core.paused_until[i] = 0;
                    self.with_ctx(p, |proc, ctx| proc.on_restart(persist, ctx));
                }
            }
            Fault::Pause(p, ms) => {
                let i = p.idx();
                self.core.paused_until[i] = self.core.paused_until[i].max(self.core.now + ms);
            }
        }
    }

    /// Whether restarts keep data unless a fault says otherwise.
    pub fn default_persist(&self) -> bool {
        self.default_persist
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
                on_box: t.box_of[i],
                alive: c.alive[i],
                paused: c.paused_until[i] > c.now,
                view: p.view(),
            })
            .collect();
        let messages = c
            .queue
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
                    doomed: !c.alive[to.idx()]
                        || !c
                            .net
                            .allows(t.box_of[from.idx()], t.box_of[to.idx()], *from, *to),
                }),
                _ => None,
            })
            .collect();
        View {
            now_ms: c.now,
            events: c.events,
            boxes,
            procs,
            messages,
            one_way_cuts: c.net.one_way_cuts().to_vec(),
            link_cuts: c.net.link_cuts().to_vec(),
            split_brain_since: c.split_since,
            split_brain_ms: self.split_brain_ms(),
        }
    }
}
