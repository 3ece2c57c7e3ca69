//! The lab's run model: the scenario being explored, the run computed from it a little
//! each frame, snapshots for exact seeking, forks where a person acts, and the branches
//! that undo brings back. No drawing and no protocol logic: every fact shown comes from
//! the simulation core.

use std::any::Any;
use std::rc::Rc;

use sim::engine::SignalRecord;
use sim::fault::{FaultAction, ScheduledFault};
use sim::pace::Speed;
use sim::process::{EventInfo, MarkerKind, Words};
use sim::simulation::RunOptions;
use sim::{Millis, Outcome, Scenario, Simulation, View};

/// Virtual time between two snapshots used for seeking, for clusters of up to 64
/// processes. A snapshot holds a few words per pair of processes (the network keeps
/// links FIFO), so larger clusters take them further apart: memory stays within tens
/// of MB for a ten-minute run, and a seek replays at most a few seconds.
pub const SNAPSHOT_EVERY_MS: Millis = 1000;

/// Virtual time the lab computes ahead between two checks of its per-frame budget.
const COMPUTE_STEP_MS: Millis = 50;

fn snapshot_every(procs: usize) -> Millis {
    SNAPSHOT_EVERY_MS * (1 + (procs * procs / 4096) as Millis).min(10)
}

/// Completion times of writes, by how they ended, sorted.
#[derive(Debug, Default, PartialEq)]
struct Ended {
    acked: Vec<Millis>,
    rejected: Vec<Millis>,
    unknown: Vec<Millis>,
    /// Older lock holders' writes accepted after a newer holder's.
    stale: Vec<Millis>,
    /// Every operation that ended (reads too), and those refused or unanswered.
    ops_ended: Vec<Millis>,
    ops_failed: Vec<Millis>,
}

impl Ended {
    fn from_history(h: &sim::history::History) -> Ended {
        use sim::history::{OpKind, OpResult};
        let mut e = Ended {
            stale: h
                .stale_writes_accepted()
                .filter_map(|op| op.complete_ms)
                .collect(),
            ..Ended::default()
        };
        e.stale.sort_unstable();
        for op in h.ops.iter().filter(|o| o.kind == OpKind::Write) {
            let Some(t) = op.complete_ms else { continue };
            match op.result {
                Some(OpResult::Ok) => e.acked.push(t),
                Some(OpResult::Error(_)) => e.rejected.push(t),
                _ => e.unknown.push(t),
            }
        }
        for op in &h.ops {
            let (Some(t), Some(r)) = (op.complete_ms, &op.result) else {
                continue;
            };
            e.ops_ended.push(t);
            if !matches!(r, OpResult::Ok) {
                e.ops_failed.push(t);
            }
        }
        e.acked.sort_unstable();
        e.rejected.sort_unstable();
        e.unknown.sort_unstable();
        e.ops_ended.sort_unstable();
        e.ops_failed.sort_unstable();
        e
    }
}

/// Counts up to a moment of the run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Progress {
    /// Writes acknowledged.
    pub acked: u64,
    /// Writes refused.
    pub rejected: u64,
    /// Operations (reads too) that ended, and of those, refused or unanswered.
    pub ops: (u64, u64),
    /// Writes with no definite answer.
    pub unknown: u64,
    /// New leaders or primaries.
    pub leaders: u64,
    /// Fencing rejections.
    pub fencing: u64,
    /// Times a client took a lock another still believed it held.
    pub locks_twice: u64,
    /// Older lock holders' writes accepted after a newer holder's (known once the
    /// run's end is).
    pub stale: u64,
    /// The system's own counters.
    pub counters: std::collections::BTreeMap<&'static str, u64>,
    /// When data was last discarded: from then on, the acknowledged writes it held
    /// before are certainly lost.
    pub last_discard: Option<Millis>,
}

/// A marker on the timeline: the core's moment, which the exported timeline draws too.
pub use sim::report::Moment as Marker;

/// Something the outcome counts, and when it happened.
#[derive(Clone, Debug, PartialEq)]
struct Counted {
    time_ms: Millis,
    /// The outcome's counter, or None for a new leader, or fencing.
    what: Count,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Count {
    Leader,
    Fencing,
    LockTwice,
    Discard,
    System(&'static str),
}

/// A branch a person left, for undo.
struct Saved {
    base: Scenario,
    actions: Vec<ScheduledFault>,
    at: Millis,
}

/// A saved moment of the run: time, events handled, the state.
struct Snap {
    time: Millis,
    events: u64,
    state: Box<dyn Any>,
}

/// A run computed to its end.
pub struct Finished {
    sim: Box<dyn Simulation>,
    history: std::cell::OnceCell<Rc<Vec<sim::check::Operation>>>,
}

impl Finished {
    /// Its history as the checker reads it (`Simulation::checked_history`), taken the
    /// first time it is asked for.
    pub fn history(&self) -> Rc<Vec<sim::check::Operation>> {
        self.history
            .get_or_init(|| Rc::new(self.sim.checked_history()))
            .clone()
    }
}

impl std::fmt::Debug for Finished {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Finished(..)")
    }
}

/// One finished run is the same as another only if it is the very same run.
impl PartialEq for Finished {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

/// The lab.
pub struct Lab {
    /// The scenario as loaded or last edited.
    base: Scenario,
    /// What the person did to it, in order, each at its moment.
    actions: Vec<ScheduledFault>,
    /// `base` with `actions`: the scenario of this branch.
    scenario: Rc<Scenario>,
    undo: Vec<Saved>,
    /// The run shown, at the current moment.
    sim: Box<dyn Simulation>,
    /// The run computing ahead to the end, a little each frame; None once done.
    ahead: Option<Box<dyn Simulation>>,
    /// Snapshots of the computed part, every [`snapshot_every`] ms.
    snapshots: Vec<Snap>,
    /// The outcome of the whole run, once computed.
    pub final_outcome: Option<Rc<Outcome>>,
    /// The system's invariants on the whole run, once computed.
    pub final_invariants: Rc<Vec<sim::system::InvariantReport>>,
    /// The whole run, once computed: kept so that its history is taken only when the
    /// history view asks for it, not at the end of every run.
    pub finished: Option<Rc<Finished>>,
    /// The checker's verdict on the part of the run computed so far.
    live: sim::check::Live,
    /// When the history stops being linearizable and why, once the part computed
    /// shows it (before the whole run is computed when it can).
    pub verdict: Option<Rc<(Millis, String)>>,
    /// When the operations the violation names ran, for the timeline to highlight.
    pub involved: Rc<Vec<(Millis, Millis)>>,
    /// Markers of the computed part of the run.
    pub markers: Rc<Vec<Marker>>,
    /// Signals of `ahead` already turned into markers.
    marked: usize,
    /// What the outcome counts, in time order, for the counts so far.
    counted: Rc<Vec<Counted>>,
    /// The system's words.
    words: Words,
    ended: Rc<Ended>,
    /// Process names, by id.
    pub proc_names: Rc<Vec<String>>,
    /// The last message for the person (an error in plain words), if any.
    pub message: Option<String>,
    /// Writes each process had accepted when the split-brain shown began (its start, counts).
    split_base: Option<(Millis, Rc<Vec<u64>>)>,
    /// The time shown while playing, with its fraction of a millisecond.
    shown: f64,
    /// Real milliseconds the run still waits at the moment it stopped at.
    dwell: f64,
    /// The last moment the paced run stopped at.
    last_stop: Option<(Millis, MarkerKind)>,
}

/// Markers of one kind closer than this after a stop do not stop the paced run again.
const STOP_GAP_MS: Millis = 2_000;

/// The first preset, with which the page opens.
pub fn default_scenario() -> Scenario {
    sim::SYSTEMS[0].presets[0].scenario()
}

fn build(s: &Scenario) -> Result<Box<dyn Simulation>, String> {
    sim::build(
        s,
        RunOptions {
            narrate: true,
            keep_trace: false,
        },
    )
    .map_err(|e| e.to_string())
}

fn with_actions(base: &Scenario, actions: &[ScheduledFault]) -> Scenario {
    let mut s = base.clone();
    s.faults.extend(actions.iter().cloned());
    s
}

impl Lab {
    /// A lab on `scenario`, at time 0; the run is computed ahead a little each frame.
    pub fn new(scenario: Scenario) -> Result<Lab, String> {
        let sim = build(&scenario)?;
        let words = sim.system().words;
        let mut lab = Lab {
            proc_names: Rc::new(scenario.processes().map(|(_, p)| p.name.clone()).collect()),
            scenario: Rc::new(scenario.clone()),
            base: scenario,
            actions: Vec::new(),
            undo: Vec::new(),
            sim,
            ahead: None,
            snapshots: Vec::new(),
            final_outcome: None,
            final_invariants: Rc::new(Vec::new()),
            finished: None,
            live: Default::default(),
            verdict: None,
            involved: Rc::new(Vec::new()),
            markers: Rc::default(),
            marked: 0,
            counted: Rc::default(),
            words,
            ended: Rc::default(),
            message: None,
            split_base: None,
            shown: 0.0,
            dwell: 0.0,
            last_stop: None,
        };
        lab.restart()?;
        lab.seek(0);
        Ok(lab)
    }

    /// The time of the next marker after now (`forward`) or the last one before now.
    pub fn moment(&self, forward: bool) -> Option<Millis> {
        let now = self.now();
        if forward {
            self.markers.iter().map(|m| m.time_ms).find(|t| *t > now)
        } else {
            self.markers
                .iter()
                .rev()
                .map(|m| m.time_ms)
                .find(|t| *t < now)
        }
    }

    /// The system this scenario models.
    pub fn system(&self) -> &'static sim::SystemDesc {
        self.sim.system()
    }

    /// The scenario of this branch, the person's actions included.
    pub fn scenario(&self) -> Rc<Scenario> {
        self.scenario.clone()
    }

    /// Starts computing this branch from time 0.
    fn restart(&mut self) -> Result<(), String> {
        let ahead = build(&self.scenario)?;
        self.sim = build(&self.scenario)?;
        self.proc_names = Rc::new(
            self.scenario
                .processes()
                .map(|(_, p)| p.name.clone())
                .collect(),
        );
        self.snapshots = vec![Snap {
            time: 0,
            events: 0,
            state: ahead.save(),
        }];
        self.ahead = Some(ahead);
        self.final_outcome = None;
        self.final_invariants = Rc::new(Vec::new());
        self.finished = None;
        self.live = Default::default();
        self.verdict = None;
        self.involved = Rc::new(Vec::new());
        self.ended = Rc::default();
        self.markers = Rc::default();
        self.marked = 0;
        self.counted = Rc::default();
        self.words = self.sim.system().words;
        Ok(())
    }

    /// Whether the rest of the run is still being computed.
    pub fn computing(&self) -> bool {
        self.ahead.is_some()
    }

    /// Computes about `budget` more events of the run (whole snapshot intervals);
    /// finishes the outcome when the end is reached.
    pub fn compute(&mut self, budget: u64) {
        let Some(ahead) = self.ahead.as_mut() else {
            return;
        };
        let duration = self.scenario.duration_ms;
        let start = ahead.events();
        loop {
            let last = self.snapshots.last().map_or(0, |s| s.time);
            let t = (last + snapshot_every(self.proc_names.len())).min(duration);
            // Small steps, so that a busy cluster stops near the budget, not a whole
            // snapshot interval later.
            while ahead.now() < t && ahead.events() - start < budget {
                ahead.run_until((ahead.now() + COMPUTE_STEP_MS).min(t));
            }
            if ahead.now() < t {
                break;
            }
            self.snapshots.push(Snap {
                time: t,
                events: ahead.events(),
                state: ahead.save(),
            });
            if t >= duration || ahead.events() - start >= budget {
                break;
            }
        }
        self.mark_new_signals();
        let Some(ahead) = self.ahead.take() else {
            return;
        };
        // The live verdict: the part computed, checked as it grows.
        let size = ahead.signals().len();
        if self.verdict.is_none() && self.live.due(size) {
            let h = ahead.history();
            if let Some(v) = self.live.check(&h, size, ahead.now() as i64).cloned() {
                let v = sim::outcome::with_names_in(v, &h, &self.proc_names);
                self.mark_not_linearizable(&v);
            }
        }
        if ahead.now() < duration {
            self.ahead = Some(ahead);
            return;
        }
        let outcome = ahead.outcome();
        // The whole run's verdict, when the part computed did not show it (a set's
        // losses show only at the final read).
        if let (None, Some(v)) = (&self.verdict, &outcome.violation) {
            let v = v.clone();
            self.mark_not_linearizable(&v);
        }
        self.final_outcome = Some(Rc::new(outcome));
        self.final_invariants = Rc::new(ahead.check_invariants());
        self.ended = Rc::new(Ended::from_history(&ahead.history()));
        self.finished = Some(Rc::new(Finished {
            sim: ahead,
            history: Default::default(),
        }));
    }

    /// Marks the moment the history stops being linearizable, among the run's own
    /// moments, and keeps it for the banner.
    fn mark_not_linearizable(&mut self, v: &sim::check::Violation) {
        let (at, why) = (v.at.max(0) as Millis, v.explanation.as_str());
        self.involved = Rc::new(
            v.involved
                .iter()
                .map(|(a, b)| (a.max(&0).unsigned_abs(), b.max(&0).unsigned_abs()))
                .collect(),
        );
        let m = Rc::make_mut(&mut self.markers);
        let k = m.partition_point(|x| x.time_ms <= at);
        m.insert(
            k,
            Marker {
                time_ms: at,
                kind: MarkerKind::NotLinearizable,
                label: format!("the history stops being linearizable: {why}"),
            },
        );
        self.verdict = Some(Rc::new((at, why.to_string())));
    }

    /// Turns the signals `ahead` produced since the last call into timeline markers.
    fn mark_new_signals(&mut self) {
        let Some(ahead) = self.ahead.as_ref() else {
            return;
        };
        let from = self.marked;
        let signals = ahead.signals();
        if from >= signals.len() {
            return;
        }
        let (new, counted) = markers(signals.iter().skip(from), &self.proc_names, &self.words);
        self.marked = signals.len();
        if !new.is_empty() {
            Rc::make_mut(&mut self.markers).extend(new);
        }
        if !counted.is_empty() {
            Rc::make_mut(&mut self.counted).extend(counted);
        }
    }

    /// Writes each process had accepted when the split-brain now shown began, so the
    /// banner can say what each side took during it. Replays from the nearest snapshot
    /// once per split-brain, then answers from a cache.
    pub fn writes_at_split_start(&mut self, since: Millis) -> Option<Rc<Vec<u64>>> {
        if let Some((t, counts)) = &self.split_base {
            if *t == since {
                return Some(counts.clone());
            }
        }
        let snap = snapshot_before(&self.snapshots, |s| s.time <= since)?;
        let mut probe = build(&self.scenario).ok()?;
        probe.load(snap.state.as_ref());
        probe.run_before(since);
        let counts: Rc<Vec<u64>> = Rc::new(
            probe
                .view()
                .procs
                .iter()
                .map(|p| p.view.writes_accepted)
                .collect(),
        );
        self.split_base = Some((since, counts.clone()));
        Some(counts)
    }

    /// Virtual time now.
    pub fn now(&self) -> Millis {
        self.sim.now()
    }

    /// The end of the run.
    pub fn duration(&self) -> Millis {
        self.scenario.duration_ms
    }

    /// What to draw.
    pub fn view(&self) -> View {
        self.sim.view()
    }

    /// The signals of the run up to now (event log, annotations).
    pub fn signals(&self) -> &imbl::Vector<SignalRecord> {
        self.sim.signals()
    }

    /// How the run's writes stand at time `now`: from the whole run once it is
    /// computed (cheap enough for every frame), from the run shown until then.
    pub fn progress(&self, now: Millis) -> Progress {
        let mut leaders = 0;
        let mut fencing = 0;
        let mut locks_twice = 0;
        let mut last_discard = None;
        let mut counters = std::collections::BTreeMap::new();
        for c in self.counted.iter().take_while(|c| c.time_ms <= now) {
            match c.what {
                Count::Leader => leaders += 1,
                Count::Fencing => fencing += 1,
                Count::LockTwice => locks_twice += 1,
                Count::Discard => last_discard = Some(c.time_ms),
                Count::System(label) => *counters.entry(label).or_default() += 1,
            }
        }
        let (acked, rejected, unknown, stale, ops) = if self.final_outcome.is_some() {
            let upto = |v: &Vec<Millis>| v.partition_point(|t| *t <= now) as u64;
            (
                upto(&self.ended.acked),
                upto(&self.ended.rejected),
                upto(&self.ended.unknown),
                upto(&self.ended.stale),
                (upto(&self.ended.ops_ended), upto(&self.ended.ops_failed)),
            )
        } else {
            // Only the counts, each frame while the run is computed: not the whole
            // outcome, whose verdict searches the history.
            let h = self.sim.history();
            let (acked, rejected, unknown) = h.write_results();
            (
                acked,
                rejected,
                unknown,
                h.stale_writes_accepted().count() as u64,
                h.ended_and_failed(),
            )
        };
        Progress {
            acked,
            rejected,
            ops,
            unknown,
            leaders,
            fencing,
            locks_twice,
            stale,
            counters,
            last_discard,
        }
    }

    /// Goes to time `t` exactly: the nearest snapshot before it, then replay.
    pub fn seek(&mut self, t: Millis) {
        let t = t.min(self.duration());
        let now = self.sim.now();
        if let Some(s) = snapshot_before(&self.snapshots, |s| s.time <= t) {
            // Moving forward past no snapshot: just run on.
            if !(now <= t && s.time <= now) {
                self.sim.load(s.state.as_ref());
            }
        }
        self.sim.run_until(t);
    }

    /// Handles one event.
    pub fn step(&mut self) {
        if self.sim.now() < self.duration() {
            let before = self.sim.events();
            while self.sim.events() == before && self.sim.step() {}
        }
    }

    /// Goes back one event.
    pub fn step_back(&mut self) {
        let target = self.sim.events().saturating_sub(1);
        if let Some(s) = snapshot_before(&self.snapshots, |s| s.events <= target) {
            self.sim.load(s.state.as_ref());
        }
        while self.sim.events() < target && self.sim.step() {}
    }

    /// The time shown, with its fraction of a millisecond while playing (flights are
    /// drawn at it); the whole millisecond after any other move.
    pub fn shown(&self) -> f64 {
        let now = self.sim.now();
        if self.shown >= now as f64 && (self.shown.floor() as Millis) == now {
            self.shown
        } else {
            now as f64
        }
    }

    /// Whether the paced run waits at a moment that matters.
    pub fn holding(&self) -> bool {
        self.dwell > 0.0
    }

    /// The next moment the paced run stops at after `from`: a marker, unless one of its
    /// kind was stopped at less than [`STOP_GAP_MS`] before (a burst stops once).
    fn next_stop(&self, from: f64) -> Option<Millis> {
        self.markers
            .iter()
            .filter(|m| m.time_ms as f64 > from)
            .find(|m| {
                !self
                    .last_stop
                    .is_some_and(|(t, k)| k == m.kind && m.time_ms.saturating_sub(t) < STOP_GAP_MS)
            })
            .map(|m| m.time_ms)
    }

    /// Plays `real_ms` of wall time at `speed` (see [`sim::pace`]); returns the
    /// simulated milliseconds played.
    pub fn play(&mut self, real_ms: f64, speed: Speed) -> f64 {
        let from = self.shown();
        let mut real = real_ms;
        if self.dwell > 0.0 {
            let d = self.dwell.min(real);
            self.dwell -= d;
            real -= d;
        }
        if real <= 0.0 {
            return 0.0;
        }
        let (stop, speed) = if speed.paced {
            let near = sim::pace::nearness(from, self.markers.iter().map(|m| m.time_ms));
            let faster = Speed {
                factor: speed.factor * near,
                ..speed
            };
            (self.next_stop(from), faster)
        } else {
            (None, speed)
        };
        let end = self.duration();
        let p = sim::pace::play(self.sim.as_mut(), from, real, speed, stop, end);
        self.shown = p.shown;
        if p.stopped {
            self.dwell = sim::pace::DWELL_MS / speed.factor.max(1e-6);
            let now = self.sim.now();
            self.last_stop = self
                .markers
                .iter()
                .find(|m| m.time_ms == now)
                .map(|m| (now, m.kind));
        }
        p.shown - from
    }

    fn save_for_undo(&mut self) {
        self.undo.push(Saved {
            base: self.base.clone(),
            actions: self.actions.clone(),
            at: self.now(),
        });
    }

    /// Applies a fault now. The run forks here: what the person did later in this
    /// branch is dropped, the snapshots before now are kept, the rest is recomputed
    /// from here, and undo brings the previous branch back.
    pub fn act(&mut self, action: FaultAction) {
        let t = self.now();
        let mut actions = self.actions.clone();
        actions.retain(|a| a.at_ms <= t);
        actions.push(ScheduledFault {
            at_ms: t,
            action: action.clone(),
        });
        let scenario = with_actions(&self.base, &actions);
        if let Err(e) = sim::build(&scenario, RunOptions::default()) {
            self.message = Some(e.to_string());
            return;
        }
        self.save_for_undo();
        self.actions = actions;
        self.scenario = Rc::new(scenario);
        // Snapshots taken at t already hold events of t that now come after the fault.
        self.snapshots.retain(|s| s.time < t);
        let Some(snap) = self.snapshots.last() else {
            match self.restart() {
                Ok(()) => self.seek(t),
                Err(e) => self.message = Some(e),
            }
            return;
        };
        let mut ahead = match self.ahead.take() {
            Some(a) => a,
            None => match build(&self.scenario) {
                Ok(a) => a,
                Err(e) => {
                    self.message = Some(e);
                    return;
                }
            },
        };
        for run in [&mut ahead, &mut self.sim] {
            run.load(snap.state.as_ref());
            run.run_before(t);
            // Resolves against the same topology, which `build` above accepted.
            let _ = run.inject(action.clone());
        }
        self.sim.run_until(t);
        self.final_outcome = None;
        self.final_invariants = Rc::new(Vec::new());
        self.finished = None;
        self.live = Default::default();
        self.verdict = None;
        self.involved = Rc::new(Vec::new());
        self.ended = Rc::default();
        let (m, c) = markers(ahead.signals().iter(), &self.proc_names, &self.words);
        self.markers = Rc::new(m);
        self.counted = Rc::new(c);
        self.marked = ahead.signals().len();
        self.ahead = Some(ahead);
    }

    /// Replaces the scenario (a setting or the topology changed), keeping the time.
    pub fn set_scenario(&mut self, scenario: Scenario) {
        let at = self.now().min(scenario.duration_ms);
        match self.rebase(scenario) {
            Ok(()) => self.seek(at),
            Err(e) => self.message = Some(e),
        }
    }

    /// Makes `s` the base of a new branch with no actions, computed again from the start;
    /// Undo brings the branch before back.
    fn rebase(&mut self, s: Scenario) -> Result<(), String> {
        self.save_for_undo();
        self.base = s;
        self.actions.clear();
        self.scenario = Rc::new(self.base.clone());
        self.restart()
    }

    /// Opens another scenario (a preset, a file, a link) at its start; Undo brings the
    /// one shown before back, edits included. The current one stays if `s` cannot run.
    pub fn open(&mut self, s: Scenario) -> Result<(), String> {
        sim::build(&s, RunOptions::default()).map_err(|e| e.to_string())?;
        self.rebase(s)?;
        self.seek(0);
        Ok(())
    }

    /// Renames the scenario and rewords its description. Nothing about the run changes,
    /// so nothing is recomputed; Undo brings the old words back.
    pub fn describe(&mut self, name: &str, description: &str) {
        if self.base.name == name && self.base.description == description {
            return;
        }
        self.save_for_undo();
        self.base.name = name.to_string();
        self.base.description = description.to_string();
        let mut s = (*self.scenario).clone();
        s.name = self.base.name.clone();
        s.description = self.base.description.clone();
        self.scenario = Rc::new(s);
    }

    /// Brings the previous branch back.
    pub fn undo(&mut self) -> bool {
        let Some(saved) = self.undo.pop() else {
            return false;
        };
        self.base = saved.base;
        self.actions = saved.actions;
        self.scenario = Rc::new(with_actions(&self.base, &self.actions));
        match self.restart() {
            Ok(()) => self.seek(saved.at),
            Err(e) => self.message = Some(e),
        }
        true
    }

    /// Whether there is something to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Applies a `--set`-style change; on error the previous value stays in force.
    pub fn set(&mut self, path: &str, value: &str) -> Result<(), String> {
        let s = self
            .scenario
            .with_override(path, value)
            .map_err(|e| e.to_string())?;
        sim::build(&s, RunOptions::default()).map_err(|e| e.to_string())?;
        self.set_scenario(s);
        Ok(())
    }
}

/// The last snapshot for which `pred` holds (snapshots are in time order).
fn snapshot_before(snaps: &[Snap], pred: impl Fn(&Snap) -> bool) -> Option<&Snap> {
    let i = snaps.partition_point(pred);
    i.checked_sub(1).map(|i| &snaps[i])
}

/// A signal as one line in plain words (the core's, shared with the exports).
pub use sim::report::line;

/// The timeline markers among `signals`, and what the outcome counts.
fn markers<'a>(
    signals: impl Iterator<Item = &'a SignalRecord>,
    names: &[String],
    words: &Words,
) -> (Vec<Marker>, Vec<Counted>) {
    use sim::Signal;
    let mut m = Vec::new();
    let mut counted = Vec::new();
    for r in signals {
        let what = match &r.signal {
            Signal::NewLeader { .. } => Some(Count::Leader),
            Signal::FencingRejected { .. } => Some(Count::Fencing),
            Signal::LockHeldTwice { .. } => Some(Count::LockTwice),
            Signal::Discarded { .. } => Some(Count::Discard),
            Signal::Event(EventInfo {
                counter: Some(c), ..
            }) => Some(Count::System(c)),
            _ => None,
        };
        if let Some(what) = what {
            counted.push(Counted {
                time_ms: r.time_ms,
                what,
            });
        }
        // A system's own event marked as a loss discards data too (a replica that
        // replaces what it held with another replica's version).
        if let Signal::Event(e) = &r.signal {
            if e.marker == Some(MarkerKind::Loss) {
                counted.push(Counted {
                    time_ms: r.time_ms,
                    what: Count::Discard,
                });
            }
        }
        let Some((info, label)) = line(r, names, words) else {
            continue;
        };
        if let Some(kind) = info.marker {
            m.push(Marker {
                time_ms: r.time_ms,
                kind,
                label,
            });
        }
    }
    (m, counted)
}

/// The process whose role data tests read: names by id.
pub fn proc_name(names: &[String], p: sim::ProcId) -> String {
    names
        .get(p.idx())
        .cloned()
        .unwrap_or_else(|| format!("#{}", p.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::engine::SignalRecord;
    use sim::{ProcId, Signal};

    fn said(proc: u16, signal: Signal) -> String {
        let names: Vec<String> = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
        let words = Words {
            epoch: "epoch",
            leader: "leader",
            elects: true,
            lost: "acknowledged writes lost",
        };
        let r = SignalRecord {
            time_ms: 0,
            proc: ProcId(proc),
            signal,
        };
        line(&r, &names, &words).unwrap().1
    }

    #[test]
    fn a_line_names_who_saw_it_and_whom_it_is_about_once() {
        let about_b = Signal::NewLeader {
            epoch: 1,
            leader: ProcId(1),
        };
        assert_eq!(said(0, about_b.clone()), "A: B is the new leader (epoch 1)");
        assert_eq!(said(1, about_b), "B is the new leader (epoch 1)");
        assert_eq!(
            said(2, Signal::ElectionStarted { epoch: 4 }),
            "C asks for votes, epoch 4"
        );
    }
}
