//! The lab's state: the scenario being explored, the run computed from it, snapshots
//! for exact seeking, and the branches that undo brings back. No drawing and no
//! protocol logic: every fact shown comes from the simulation core.

use std::any::Any;
use std::rc::Rc;

use sim::engine::SignalRecord;
use sim::fault::{FaultAction, ScheduledFault};
use sim::presets::PRESETS;
use sim::simulation::RunOptions;
use sim::{Millis, Outcome, Scenario, Signal, Simulation, View};
use yew::Reducible;

/// Virtual time between two snapshots used for seeking.
pub const SNAPSHOT_EVERY_MS: Millis = 1000;

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

/// One explored branch: the scenario with every user action in it.
#[derive(Clone, Debug, PartialEq)]
struct Branch {
    scenario: Scenario,
}

/// The lab.
pub struct Lab {
    branch: Branch,
    undo: Vec<(Branch, Millis)>,
    sim: Box<dyn Simulation>,
    snapshots: Vec<(Millis, u64, Box<dyn Any>)>,
    /// The outcome of the whole run, to the end.
    pub final_outcome: Rc<Outcome>,
    /// Markers of the whole run.
    pub markers: Rc<Vec<Marker>>,
    /// Completion times of the whole run's writes, by how they ended, for counts so far.
    ended: Rc<Ended>,
    /// Every signal of the whole run (for the event log).
    pub all_signals: Rc<Vec<SignalRecord>>,
    /// Process names, by id.
    pub proc_names: Rc<Vec<String>>,
    /// The last message for the person (an error in plain words), if any.
    pub message: Option<String>,
}

/// The first preset, with which the page opens.
pub fn default_scenario() -> Scenario {
    PRESETS[0].scenario()
}

impl Lab {
    /// A lab on `scenario`, at time 0.
    pub fn new(scenario: Scenario) -> Result<Lab, String> {
        let sim = sim::build(
            &scenario,
            RunOptions {
                narrate: true,
                keep_trace: false,
            },
        )
        .map_err(|e| e.to_string())?;
        let mut lab = Lab {
            branch: Branch { scenario },
            undo: Vec::new(),
            sim,
            snapshots: Vec::new(),
            final_outcome: Rc::new(empty_outcome()),
            ended: Rc::default(),
            markers: Rc::default(),
            all_signals: Rc::new(Vec::new()),
            proc_names: Rc::default(),
            message: None,
        };
        lab.compute();
        lab.seek(0);
        Ok(lab)
    }

    /// The scenario as it now stands (user actions included).
    pub fn scenario(&self) -> &Scenario {
        &self.branch.scenario
    }

    /// Runs the whole scenario once, keeping snapshots, markers and the final outcome.
    fn compute(&mut self) {
        let s = &self.branch.scenario;
        let mut sim = match sim::build(
            s,
            RunOptions {
                narrate: true,
                keep_trace: false,
            },
        ) {
            Ok(sim) => sim,
            Err(e) => {
                self.message = Some(e.to_string());
                return;
            }
        };
        self.snapshots.clear();
        let mut t = 0;
        loop {
            self.snapshots.push((sim.now(), sim.events(), sim.save()));
            if t >= s.duration_ms {
                break;
            }
            t = (t + SNAPSHOT_EVERY_MS).min(s.duration_ms);
            sim.run_until(t);
        }
        self.final_outcome = Rc::new(sim.outcome());
        self.ended = Rc::new(Ended::from_history(&sim.history().ops));
        self.proc_names = Rc::new(s.processes().map(|(_, p)| p.name.clone()).collect());
        self.markers = Rc::new(markers(sim.signals(), &self.proc_names));
        self.all_signals = Rc::new(sim.signals().to_vec());
        self.sim = sim;
    }

    /// Virtual time now.
    pub fn now(&self) -> Millis {
        self.sim.now()
    }

    /// The end of the run.
    pub fn duration(&self) -> Millis {
        self.branch.scenario.duration_ms
    }

    /// What to draw.
    pub fn view(&self) -> View {
        self.sim.view()
    }

    /// How the run's writes stand at time `now`, from the precomputed whole run: cheap
    /// enough for every frame.
    pub fn progress(&self, now: Millis) -> Progress {
        let upto = |v: &Vec<Millis>| v.partition_point(|t| *t <= now) as u64;
        let e = &self.ended;
        let count = |kind: &str| {
            self.markers
                .iter()
                .filter(|m| m.kind == kind && m.time_ms <= now)
                .count() as u64
        };
        Progress {
            acked: upto(&e.acked),
            rejected: upto(&e.rejected),
            unknown: upto(&e.unknown),
            failovers: count("failover"),
            fencing: count("fencing"),
            alerts: count("alert"),
        }
    }

    /// Goes to time `t` exactly: the nearest snapshot before it, then replay.
    pub fn seek(&mut self, t: Millis) {
        let t = t.min(self.duration());
        let i = self
            .snapshots
            .partition_point(|s| s.0 <= t)
            .saturating_sub(1);
        if let Some((_, _, snap)) = self.snapshots.get(i) {
            self.sim.load(snap.as_ref());
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
        let i = self
            .snapshots
            .partition_point(|s| s.1 <= target)
            .saturating_sub(1);
        if let Some((_, _, snap)) = self.snapshots.get(i) {
            self.sim.load(snap.as_ref());
        }
        while self.sim.events() < target && self.sim.step() {}
    }

    /// Advances virtual time by `ms`.
    pub fn advance(&mut self, ms: Millis) {
        let t = (self.sim.now() + ms).min(self.duration());
        self.sim.run_until(t);
    }

    /// Applies a fault now: the run forks here, the rest is recomputed, undo goes back.
    pub fn act(&mut self, action: FaultAction) {
        let now = self.now();
        let mut next = self.branch.clone();
        next.scenario
            .faults
            .push(ScheduledFault { at_ms: now, action });
        self.switch(next, now);
    }

    /// Replaces the scenario (a setting or the topology changed), keeping the time.
    pub fn set_scenario(&mut self, scenario: Scenario) {
        let now = self.now().min(scenario.duration_ms);
        self.switch(Branch { scenario }, now);
    }

    fn switch(&mut self, next: Branch, at: Millis) {
        if let Err(e) = sim::build(&next.scenario, RunOptions::default()) {
            self.message = Some(e.to_string());
            return;
        }
        let prev = std::mem::replace(&mut self.branch, next);
        self.undo.push((prev, at));
        self.message = None;
        self.compute();
        self.seek(at);
    }

    /// Brings the previous branch back.
    pub fn undo(&mut self) -> bool {
        match self.undo.pop() {
            Some((b, at)) => {
                self.branch = b;
                self.compute();
                self.seek(at);
                true
            }
            None => false,
        }
    }

    /// Whether there is something to undo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Applies a `--set`-style change; on error the previous value stays in force.
    pub fn set(&mut self, path: &str, value: &str) -> Result<(), String> {
        let s = self
            .branch
            .scenario
            .with_override(path, value)
            .map_err(|e| e.to_string())?;
        sim::build(&s, RunOptions::default()).map_err(|e| e.to_string())?;
        self.set_scenario(s);
        Ok(())
    }
}

fn empty_outcome() -> Outcome {
    Outcome::compute(
        &Default::default(),
        &[],
        None,
        None,
        &[],
        0,
        0,
        0,
        Vec::new(),
    )
}

fn markers(signals: &[SignalRecord], names: &[String]) -> Vec<Marker> {
    let name = |p: sim::ProcId| names.get(p.idx()).cloned().unwrap_or_default();
    let mut m = Vec::new();
    let mut writers = 0i32;
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
    m
}

/// A change to the topology.
#[derive(Clone, Debug, PartialEq)]
pub enum TopologyEdit {
    /// A new, empty box.
    AddBox,
    /// Remove a box and its processes.
    RemoveBox(String),
    /// Add a process of `kind` (`redis`, `sentinel`, `client`, ...) to a box.
    AddProc(String, &'static str),
    /// Remove a process.
    RemoveProc(String),
}

/// Applies a topology edit to a scenario: names are made unique, and faults that name
/// something removed are dropped with it.
pub fn edit_topology(s: &Scenario, e: &TopologyEdit) -> Scenario {
    use sim::scenario::{BoxSpec, ProcSpec};
    let mut s = s.clone();
    let taken = |s: &Scenario, n: &str| {
        s.boxes
            .iter()
            .any(|b| b.name == n || b.processes.iter().any(|p| p.name == n))
    };
    let fresh = |s: &Scenario, prefix: &str| {
        (1..)
            .map(|i| format!("{prefix}{i}"))
            .find(|n| !taken(s, n))
            .expect("a free name")
    };
    let mut removed: Vec<String> = Vec::new();
    match e {
        TopologyEdit::AddBox => {
            let name = fresh(&s, "box");
            s.boxes.push(BoxSpec {
                name,
                processes: Vec::new(),
            });
        }
        TopologyEdit::RemoveBox(name) => {
            if let Some(i) = s.boxes.iter().position(|b| &b.name == name) {
                let b = s.boxes.remove(i);
                removed.push(b.name);
                removed.extend(b.processes.into_iter().map(|p| p.name));
            }
        }
        TopologyEdit::AddProc(bx, kind) => {
            let prefix = match *kind {
                "redis" => "R",
                "sentinel" => "S",
                "client" => "C",
                "monitor" => "MON",
                _ => "DB",
            };
            let name = fresh(&s, prefix);
            if let Some(b) = s.boxes.iter_mut().find(|b| &b.name == bx) {
                b.processes.push(ProcSpec {
                    name,
                    kind: kind.to_string(),
                    priority: None,
                });
            }
        }
        TopologyEdit::RemoveProc(name) => {
            for b in &mut s.boxes {
                b.processes.retain(|p| &p.name != name);
            }
            removed.push(name.clone());
        }
    }
    if !removed.is_empty() {
        s.faults.retain(|f| {
            let text = serde_json::to_string(&f.action).unwrap_or_default();
            !removed.iter().any(|n| text.contains(&format!("\"{n}\"")))
        });
    }
    s
}

/// What the UI asks of the lab.
#[derive(Clone, Debug, PartialEq)]
pub enum Intent {
    /// Load a preset by name.
    Preset(String),
    /// Play or pause.
    TogglePlay,
    /// Advance by real milliseconds (at the current speed).
    Frame(f64),
    /// One event forward.
    Step,
    /// One event back.
    StepBack,
    /// To a moment.
    Seek(Millis),
    /// A fault, now.
    Act(FaultAction),
    /// A setting, `--set` style.
    Set(String, String),
    /// Back to the previous branch.
    Undo,
    /// Speed factor (virtual ms per real ms).
    Speed(f64),
    /// One speed step faster (+1) or slower (-1).
    SpeedStep(i32),
    /// Change the topology.
    Topology(TopologyEdit),
    /// Load a scenario (from a file); the current one stays if it is broken.
    Load(Result<Box<Scenario>, String>),
}

/// The state the page renders: the lab behind a cell, and what was last drawn.
#[derive(Clone)]
pub struct LabState {
    /// The lab.
    pub lab: Rc<std::cell::RefCell<Lab>>,
    /// The view now.
    pub view: Rc<View>,
    /// Playing or paused.
    pub playing: bool,
    /// Virtual ms per real ms.
    pub speed: f64,
    /// Fractional virtual ms not yet run.
    carry: f64,
    /// Bumps on every change, so that equality sees it.
    pub version: u64,
    /// The last error for the person, if any.
    pub message: Option<String>,
}

impl PartialEq for LabState {
    fn eq(&self, o: &Self) -> bool {
        self.version == o.version
    }
}

impl LabState {
    /// A state on `scenario`.
    pub fn new(scenario: Scenario) -> Result<LabState, String> {
        let lab = Lab::new(scenario)?;
        let view = Rc::new(lab.view());
        Ok(LabState {
            lab: Rc::new(std::cell::RefCell::new(lab)),
            view,
            playing: false,
            speed: 1.0,
            carry: 0.0,
            version: 0,
            message: None,
        })
    }
}

impl Reducible for LabState {
    type Action = Intent;

    fn reduce(self: Rc<Self>, action: Intent) -> Rc<Self> {
        let mut next = (*self).clone();
        next.version += 1;
        {
            let mut lab = next.lab.borrow_mut();
            lab.message = None;
            match action {
                Intent::Preset(name) => match sim::presets::find(&name) {
                    Some(p) => {
                        if let Ok(l) = Lab::new(p.scenario()) {
                            *lab = l;
                            next.playing = false;
                        }
                    }
                    None => lab.message = Some(format!("There is no preset named `{name}`.")),
                },
                Intent::TogglePlay => {
                    if lab.now() >= lab.duration() {
                        lab.seek(0);
                    }
                    next.playing = !next.playing;
                }
                Intent::Frame(real_ms) => {
                    if next.playing {
                        next.carry += real_ms * next.speed;
                        let whole = next.carry.floor();
                        next.carry -= whole;
                        lab.advance(whole as Millis);
                        if lab.now() >= lab.duration() {
                            next.playing = false;
                        }
                    }
                }
                Intent::Step => {
                    next.playing = false;
                    lab.step();
                }
                Intent::StepBack => {
                    next.playing = false;
                    lab.step_back();
                }
                Intent::Seek(t) => lab.seek(t),
                Intent::Act(a) => lab.act(a),
                Intent::Set(k, v) => {
                    if let Err(e) = lab.set(&k, &v) {
                        lab.message = Some(e);
                    }
                }
                Intent::Undo => {
                    lab.undo();
                }
                Intent::Speed(s) => next.speed = s,
                Intent::SpeedStep(d) => {
                    let speeds = crate::controls::SPEEDS;
                    let i = speeds
                        .iter()
                        .position(|x| x.0 >= next.speed)
                        .unwrap_or(speeds.len() - 1) as i32;
                    next.speed = speeds[(i + d).clamp(0, speeds.len() as i32 - 1) as usize].0;
                }
                Intent::Load(Ok(s)) => match Lab::new(*s) {
                    Ok(l) => {
                        *lab = l;
                        next.playing = false;
                    }
                    Err(e) => {
                        lab.message = Some(format!(
                            "That scenario cannot run: {e}. Nothing was changed."
                        ))
                    }
                },
                Intent::Load(Err(e)) => lab.message = Some(e),
                Intent::Topology(e) => {
                    let s = edit_topology(lab.scenario(), &e);
                    match sim::build(&s, RunOptions::default()) {
                        Ok(_) => lab.set_scenario(s),
                        Err(err) => {
                            lab.message =
                                Some(format!("That change would break the scenario: {err}."))
                        }
                    }
                }
            }
            next.message = lab.message.clone();
            next.view = Rc::new(lab.view());
        }
        Rc::new(next)
    }
}

/// The process whose role data tests read: names by id.
pub fn proc_name(names: &[String], p: sim::ProcId) -> String {
    names
        .get(p.idx())
        .cloned()
        .unwrap_or_else(|| format!("#{}", p.0))
}
