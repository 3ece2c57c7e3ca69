//! The lab's run model: the scenario being explored, the run computed from it a little
//! each frame, snapshots for exact seeking, forks where a person acts, and the branches
//! that undo brings back. No drawing and no protocol logic: every fact shown comes from
//! the simulation core.

use std::any::Any;
use std::rc::Rc;

use sim::engine::SignalRecord;
use sim::fault::{FaultAction, ScheduledFault};
use sim::presets::PRESETS;
use sim::simulation::RunOptions;
use sim::{Millis, Outcome, Scenario, Signal, Simulation, View};

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
}

impl Ended {
    fn from_history(ops: &[sim::history::Op]) -> Ended {
        use sim::history::{OpKind, OpResult};
        let mut e = Ended::default();
        for op in ops.iter().filter(|o| o.kind == OpKind::Write) {
            let Some(t) = op.complete_ms else { continue };
            match op.result {
                Some(OpResult::Ok) => e.acked.push(t),
                Some(OpResult::Error(_)) => e.rejected.push(t),
                _ => e.unknown.push(t),
            }
        }
        e.acked.sort_unstable();
        e.rejected.sort_unstable();
        e.unknown.sort_unstable();
        e
    }
}

/// Counts up to a moment of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Progress {
    /// Writes acknowledged.
    pub acked: u64,
    /// Writes refused.
    pub rejected: u64,
    /// Writes with no definite answer.
    pub unknown: u64,
    /// Failovers.
    pub failovers: u64,
    /// Fencing rejections.
    pub fencing: u64,
    /// Monitor alerts.
    pub alerts: u64,
}

/// A marker on the timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    /// When.
    pub time_ms: Millis,
    /// Kind (cut, heal, odown, election, failover, split, loss, fencing, alert).
    pub kind: &'static str,
    /// Plain words.
    pub label: String,
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
    /// Markers of the computed part of the run.
    pub markers: Rc<Vec<Marker>>,
    /// Signals of `ahead` already turned into markers, and the writers count then.
    marked: (usize, i32),
    ended: Rc<Ended>,
    /// Process names, by id.
    pub proc_names: Rc<Vec<String>>,
    /// The last message for the person (an error in plain words), if any.
    pub message: Option<String>,
    /// Writes each process had accepted when the split-brain shown began (its start, counts).
    split_base: Option<(Millis, Rc<Vec<u64>>)>,
}

/// The first preset, with which the page opens.
pub fn default_scenario() -> Scenario {
    PRESETS[0].scenario()
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
            markers: Rc::default(),
            marked: (0, 0),
            ended: Rc::default(),
            message: None,
            split_base: None,
        };
        lab.restart()?;
        lab.seek(0);
        Ok(lab)
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
        self.ended = Rc::default();
        self.markers = Rc::default();
        self.marked = (0, 0);
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
        let Some(ahead) = self.ahead.as_ref() else {
            return;
        };
        if ahead.now() >= duration {
            self.final_outcome = Some(Rc::new(ahead.outcome()));
            self.ended = Rc::new(Ended::from_history(&ahead.history().ops));
            self.ahead = None;
        }
    }

    /// Turns the signals `ahead` produced since the last call into timeline markers.
    fn mark_new_signals(&mut self) {
        let Some(ahead) = self.ahead.as_ref() else {
            return;
        };
        let (from, writers) = self.marked;
        let signals = ahead.signals();
        if from >= signals.len() {
            return;
        }
        let (new, writers) = markers(signals.iter().skip(from), &self.proc_names, writers);
        self.marked = (signals.len(), writers);
        if !new.is_empty() {
            Rc::make_mut(&mut self.markers).extend(new);
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
        let count = |kind: &str| {
            self.markers
                .iter()
                .filter(|m| m.kind == kind && m.time_ms <= now)
                .count() as u64
        };
        let (acked, rejected, unknown) = if self.final_outcome.is_some() {
            let upto = |v: &Vec<Millis>| v.partition_point(|t| *t <= now) as u64;
            (
                upto(&self.ended.acked),
                upto(&self.ended.rejected),
                upto(&self.ended.unknown),
            )
        } else {
            let o = self.sim.outcome();
            (o.writes_acked, o.writes_rejected, o.writes_unknown)
        };
        Progress {
            acked,
            rejected,
            unknown,
            failovers: count("failover"),
            fencing: count("fencing"),
            alerts: count("alert"),
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

    /// Advances virtual time by `ms`.
    pub fn advance(&mut self, ms: Millis) {
        let t = (self.sim.now() + ms).min(self.duration());
        self.sim.run_until(t);
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
        self.ended = Rc::default();
        let (m, w) = markers(ahead.signals().iter(), &self.proc_names, 0);
        self.markers = Rc::new(m);
        self.marked = (ahead.signals().len(), w);
        self.ahead = Some(ahead);
    }

    /// Replaces the scenario (a setting or the topology changed), keeping the time.
    pub fn set_scenario(&mut self, scenario: Scenario) {
        let at = self.now().min(scenario.duration_ms);
        self.save_for_undo();
        self.base = scenario;
        self.actions.clear();
        self.scenario = Rc::new(self.base.clone());
        match self.restart() {
            Ok(()) => self.seek(at),
            Err(e) => self.message = Some(e),
        }
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

/// Markers for `signals`, given how many processes accepted writes before them;
/// returns the markers and the count after them.
fn markers<'a>(
    signals: impl Iterator<Item = &'a SignalRecord>,
    names: &[String],
    mut writers: i32,
) -> (Vec<Marker>, i32) {
    let name = |p: sim::ProcId| names.get(p.idx()).cloned().unwrap_or_default();
    let mut m = Vec::new();
    for r in signals {
        let (kind, label) = match &r.signal {
            Signal::Note { text } if text.starts_with("Fault: heal") => {
                ("heal", "heal".to_string())
            }
            Signal::Note { text } if text.starts_with("Fault: ") => ("cut", text[7..].to_string()),
            Signal::AgreedDown { target, votes } => (
                "odown",
                format!(
                    "{}: {} objectively down ({votes} agree)",
                    name(r.proc),
                    name(*target)
                ),
            ),
            Signal::ElectionStarted { epoch } => (
                "election",
                format!("{} asks for votes, epoch {epoch}", name(r.proc)),
            ),
            Signal::Failover { epoch, new_primary } => (
                "failover",
                format!("failover: {} promoted in epoch {epoch}", name(*new_primary)),
            ),
            Signal::FencingRejected { token, newest } => (
                "fencing",
                format!("storage rejected token {token} (newest {newest})"),
            ),
            Signal::MonitorAlert { .. } => {
                ("alert", "monitor alert: Sentinels disagree".to_string())
            }
            Signal::Writable { writable } => {
                let before = writers;
                writers += if *writable { 1 } else { -1 };
                match (before, writers) {
                    (1, 2) => (
                        "split",
                        format!("split-brain starts: {} accepts writes too", name(r.proc)),
                    ),
                    (2, 1) => ("split-end", "split-brain ends".to_string()),
                    _ => continue,
                }
            }
            Signal::Demoted { discarded, .. } => (
                "loss",
                format!("{} discards {discarded} values", name(r.proc)),
            ),
            _ => continue,
        };
        m.push(Marker {
            time_ms: r.time_ms,
            kind,
            label,
        });
    }
    (m, writers)
}

/// The process whose role data tests read: names by id.
pub fn proc_name(names: &[String], p: sim::ProcId) -> String {
    names
        .get(p.idx())
        .cloned()
        .unwrap_or_else(|| format!("#{}", p.0))
}
