//! The object-safe face of a run that the UI and the command-line tool drive,
//! whatever the system behind it.

use std::any::Any;

use crate::engine::{Engine, Fault, SignalRecord, Snapshot, Topology};
use crate::fault::FaultAction;
use crate::ids::{BoxId, Millis, ProcId};
use crate::net::Network;
use crate::outcome::Outcome;
use crate::process::{DataSet, Process};
use crate::scenario::{Scenario, ScenarioError};
use crate::system::{Invariant, InvariantReport, SystemDesc};
use crate::trace::TraceRecord;
use crate::view::View;

/// How much a run records besides its hash.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Build the plain-language notes of the event log.
    pub narrate: bool,
    /// Keep every trace record.
    pub keep_trace: bool,
}

/// A running scenario.
pub trait Simulation {
    /// The scenario, including faults injected since it started.
    fn scenario(&self) -> &Scenario;
    /// Virtual time now.
    fn now(&self) -> Millis;
    /// Events handled so far.
    fn events(&self) -> u64;
    /// Handles one event; false when nothing is left.
    fn step(&mut self) -> bool;
    /// Runs up to and including time `t`.
    fn run_until(&mut self, t: Millis);
    /// Runs everything before time `t` and stops the clock at `t`, where a fault can be
    /// injected to fork the run exactly as if it had been scheduled from the start.
    fn run_before(&mut self, t: Millis);
    /// Applies a fault now and records it in the scenario's schedule.
    fn inject(&mut self, action: FaultAction) -> Result<(), ScenarioError>;
    /// What to draw.
    fn view(&self) -> View;
    /// The messages in flight now (the view's, without building the rest of it).
    fn in_flight(&self) -> Vec<crate::view::MsgState>;
    /// The time of the next event, if any.
    fn next_time(&self) -> Option<Millis>;
    /// Every signal so far.
    fn signals(&self) -> &imbl::Vector<SignalRecord>;
    /// Every trace record so far (empty unless kept).
    fn trace(&self) -> &[TraceRecord];
    /// The trace hash so far.
    fn trace_hash(&self) -> u64;
    /// The outcome so far.
    fn outcome(&self) -> Outcome;
    /// The client history so far.
    fn history(&self) -> crate::history::History;
    /// The history the outcome's verdict checks, its processes by name and its values
    /// renumbered to be read (see [`crate::check::renumber`]): what `run --history`
    /// writes and the page's history view opens. Its verdict is the outcome's.
    fn checked_history(&self) -> Vec<crate::check::Operation>;
    /// Settings that are accepted but cannot work as intended.
    fn warnings(&self) -> &[String];
    /// Saves this moment.
    fn save(&self) -> Box<dyn Any>;
    /// Returns to a moment saved from this run; false if `s` is not one.
    fn load(&mut self, s: &dyn Any) -> bool;
    /// The system this run models.
    fn system(&self) -> &'static SystemDesc;
    /// The system's invariants, checked on the run so far.
    fn check_invariants(&self) -> Vec<InvariantReport>;
}

/// Builds the system a scenario names, through the registry.
pub fn build(s: &Scenario, opts: RunOptions) -> Result<Box<dyn Simulation>, ScenarioError> {
    (crate::system::find(&s.system)?.build)(s, opts)
}

/// The system's settings with every default filled in, as the run will use them.
pub fn effective_settings(s: &Scenario) -> Result<serde_json::Value, ScenarioError> {
    (crate::system::find(&s.system)?.effective_settings)(s)
}

/// Builds, runs to the end and returns the outcome.
pub fn run(s: &Scenario) -> Result<Outcome, ScenarioError> {
    let mut sim = build(s, RunOptions::default())?;
    sim.run_until(s.duration_ms);
    Ok(sim.outcome())
}

/// A run as a system's invariants see it.
pub struct RunState<'a, P> {
    /// The processes now.
    pub procs: &'a [P],
    /// Which are up.
    pub alive: &'a [bool],
    /// Every signal so far.
    pub signals: &'a imbl::Vector<SignalRecord>,
}

/// A system's processes plus what the generic run needs from the system.
pub trait System: Process + 'static {
    /// The system's description.
    fn desc() -> &'static SystemDesc;
    /// The final read of the converged state: the process a client reading at the end
    /// would be answered by, and the values it would see. Acknowledged writes lost are
    /// judged against this, not against whichever process happens to hold most.
    fn final_read(procs: &[Self], alive: &[bool]) -> Option<(usize, DataSet)>;
    /// The system's named invariants.
    fn invariants() -> &'static [Invariant<Self>] {
        &[]
    }
}

/// A generic run of system `P`.
pub struct Run<P: System> {
    scenario: Scenario,
    engine: Engine<P>,
    warnings: Vec<String>,
}

impl<P: System> Run<P> {
    /// Starts a run of `procs`, laid out as the scenario says, and schedules its faults.
    /// `persist[k]`: whether process `k`'s restarts keep its data unless a fault says.
    pub fn new(
        scenario: Scenario,
        procs: Vec<P>,
        warnings: Vec<String>,
        persist: Vec<bool>,
        opts: RunOptions,
    ) -> Result<Self, ScenarioError> {
        let topo = Topology {
            box_names: scenario.boxes.iter().map(|b| b.name.clone()).collect(),
            proc_names: scenario.processes().map(|(_, p)| p.name.clone()).collect(),
            proc_kinds: scenario.processes().map(|(_, p)| p.kind.clone()).collect(),
            box_of: scenario.processes().map(|(b, _)| BoxId(b as u16)).collect(),
        };
        let net = Network::new(
            topo.box_names.len(),
            topo.proc_names.len(),
            scenario.network.clone(),
        );
        let mut resolved = Vec::new();
        for (i, f) in scenario.faults.iter().enumerate() {
            let fault = resolve(&topo, &f.action, &persist)
                .map_err(|e| ScenarioError::new(format!("faults[{i}].{}", e.field), e.message))?;
            resolved.push((f.at_ms, fault, f.action.describe()));
        }
        let mut engine = Engine::new(
            topo,
            procs,
            net,
            scenario.seed,
            persist,
            opts.narrate,
            opts.keep_trace,
        );
        for (at, fault, label) in resolved {
            engine.schedule(at, fault, &label);
        }
        Ok(Run {
            scenario,
            engine,
            warnings,
        })
    }

    /// Gives each process's host clock a drift, in parts per million (fast if
    /// positive); a system reads it from the settings of its own that say so.
    pub fn with_clock_drift(mut self, ppm: Vec<i64>) -> Self {
        self.engine.set_clock_drift(ppm);
        self
    }

    /// Sets each process's host clock ahead of real time from the start, in ms; a
    /// system reads it from the settings of its own that say so.
    pub fn with_clock_offset(mut self, ms: Vec<i64>) -> Self {
        self.engine.set_clock_offset(ms);
        self
    }

    /// The engine, for system-specific tests.
    pub fn engine(&self) -> &Engine<P> {
        &self.engine
    }
}

fn resolve(t: &Topology, a: &FaultAction, persist: &[bool]) -> Result<Fault, ScenarioError> {
    let bx = |field: &str, n: &str| {
        t.box_names
            .iter()
            .position(|b| b == n)
            .map(|i| BoxId(i as u16))
            .ok_or_else(|| ScenarioError::new(field, format!("there is no box named `{n}`")))
    };
    let pr = |field: &str, n: &str| {
        t.proc_names
            .iter()
            .position(|p| p == n)
            .map(|i| ProcId(i as u16))
            .ok_or_else(|| ScenarioError::new(field, format!("there is no process named `{n}`")))
    };
    Ok(match a {
        FaultAction::Isolate { boxes } => Fault::Isolate(
            boxes
                .iter()
                .map(|b| bx("boxes", b))
                .collect::<Result<_, _>>()?,
        ),
        FaultAction::MoveBox { box_name, island } => Fault::MoveBox(bx("box", box_name)?, *island),
        FaultAction::CutOneWay { from, to } => Fault::CutOneWay(bx("from", from)?, bx("to", to)?),
        FaultAction::CutLink { a, b, one_way } => {
            Fault::CutLink(pr("a", a)?, pr("b", b)?, *one_way)
        }
        FaultAction::Heal => Fault::Heal,
        FaultAction::Crash { process } => Fault::Crash(pr("process", process)?),
        FaultAction::Restart {
            process,
            persist: p,
        } => {
            let id = pr("process", process)?;
            Fault::Restart(id, p.unwrap_or(persist[id.idx()]))
        }
        FaultAction::Pause { process, ms } => Fault::Pause(pr("process", process)?, *ms),
        FaultAction::ClockJump { process, by_ms } => {
            Fault::ClockJump(pr("process", process)?, *by_ms)
        }
        FaultAction::RepairLink { a, b, one_way } => {
            Fault::RepairLink(pr("a", a)?, pr("b", b)?, *one_way)
        }
        FaultAction::RepairOneWay { from, to } => {
            Fault::RepairOneWay(bx("from", from)?, bx("to", to)?)
        }
        FaultAction::Bridge { a, b } => {
            let mut pairs = Vec::new();
            for (i, x) in a.iter().enumerate() {
                let xa = bx(&format!("a[{i}]"), x)?;
                for (j, y) in b.iter().enumerate() {
                    let yb = bx(&format!("b[{j}]"), y)?;
                    if xa == yb {
                        return Err(ScenarioError::new(
                            format!("b[{j}]"),
                            format!("`{y}` is on both sides of the bridge"),
                        ));
                    }
                    pairs.push((xa, yb));
                }
            }
            Fault::CutBoxes(pairs)
        }
        FaultAction::Hold { a, b } => Fault::Hold(bx("a", a)?, bx("b", b)?),
        FaultAction::Release => Fault::Release,
        FaultAction::SlowDisk { process, ms } => Fault::Disk(pr("process", process)?, Some(*ms)),
        FaultAction::RestoreDisk { process } => Fault::Disk(pr("process", process)?, None),
    })
}

impl<P: System> Simulation for Run<P> {
    fn scenario(&self) -> &Scenario {
        &self.scenario
    }
    fn now(&self) -> Millis {
        self.engine.now()
    }
    fn events(&self) -> u64 {
        self.engine.events()
    }
    fn step(&mut self) -> bool {
        self.engine.step()
    }
    fn run_until(&mut self, t: Millis) {
        self.engine.run_until(t)
    }
    fn run_before(&mut self, t: Millis) {
        self.engine.run_before(t)
    }
    fn inject(&mut self, action: FaultAction) -> Result<(), ScenarioError> {
        let fault = resolve(
            self.engine.topology(),
            &action,
            self.engine.default_persist(),
        )?;
        let now = self.engine.now();
        self.engine.schedule(now, fault, &action.describe());
        self.scenario
            .faults
            .push(crate::fault::ScheduledFault { at_ms: now, action });
        Ok(())
    }
    fn view(&self) -> View {
        self.engine.view()
    }
    fn in_flight(&self) -> Vec<crate::view::MsgState> {
        self.engine.in_flight()
    }
    fn next_time(&self) -> Option<Millis> {
        self.engine.next_time()
    }
    fn signals(&self) -> &imbl::Vector<SignalRecord> {
        self.engine.signals()
    }
    fn trace(&self) -> &[TraceRecord] {
        self.engine.trace()
    }
    fn trace_hash(&self) -> u64 {
        self.engine.trace_hash()
    }
    fn outcome(&self) -> Outcome {
        let read = P::final_read(self.engine.procs(), self.engine.alive());
        let names = &self.engine.topology().proc_names;
        Outcome::compute(
            &self.engine.history(),
            self.engine.signals(),
            read.as_ref().map(|(_, d)| d),
            read.as_ref().map(|(i, _)| names[*i].clone()),
            names,
            self.engine.split_brain_ms(),
            self.engine.events(),
            self.engine.trace_hash(),
            self.warnings.clone(),
        )
    }
    fn history(&self) -> crate::history::History {
        self.engine.history()
    }
    fn checked_history(&self) -> Vec<crate::check::Operation> {
        let read = P::final_read(self.engine.procs(), self.engine.alive());
        let h = self.engine.history();
        let end = crate::check::end_of(&h);
        let mut ops = crate::check::ops_of_history(&h, read.as_ref().map(|(_, d)| d), end);
        let names = &self.engine.topology().proc_names;
        for op in &mut ops {
            op.process = crate::ids::with_names(&op.process, names);
        }
        crate::check::renumber(&mut ops);
        ops
    }
    fn warnings(&self) -> &[String] {
        &self.warnings
    }
    fn save(&self) -> Box<dyn Any> {
        Box::new(self.engine.snapshot())
    }
    fn load(&mut self, s: &dyn Any) -> bool {
        match s.downcast_ref::<Snapshot<P>>() {
            Some(s) => {
                self.engine.restore(s);
                true
            }
            None => false,
        }
    }
    fn system(&self) -> &'static SystemDesc {
        P::desc()
    }
    fn check_invariants(&self) -> Vec<InvariantReport> {
        let state = RunState {
            procs: self.engine.procs(),
            alive: self.engine.alive(),
            signals: self.engine.signals(),
        };
        P::invariants()
            .iter()
            .map(|i| InvariantReport {
                name: i.name,
                violation: (i.check)(&state).err(),
            })
            .collect()
    }
}
