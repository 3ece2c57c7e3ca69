//! The page's state for Yew: the lab behind a cell, and the intents the UI sends.

use std::rc::Rc;

use sim::fault::FaultAction;
use sim::pace::Speed;
use sim::simulation::RunOptions;
use sim::{Millis, Scenario, View};
use yew::Reducible;

use crate::lab::Lab;
use crate::topology::{edit_topology, TopologyEdit};

/// Events per slice of the computation ahead (well under a millisecond of work).
pub const COMPUTE_SLICE: u64 = 2_000;
/// Milliseconds of each frame the lab spends computing the rest of the run, so the
/// page keeps its frame rate meanwhile.
pub const COMPUTE_MS_PER_FRAME: f64 = 6.0;

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
    /// To the next moment that matters (a timeline marker), or the previous one.
    Moment(bool),
    /// A fault, now.
    Act(FaultAction),
    /// A setting, `--set` style.
    Set(String, String),
    /// Back to the previous branch.
    Undo,
    /// How to play: paced or on the simulated clock, and how much faster.
    Speed(Speed),
    /// One speed step faster (+1) or slower (-1).
    SpeedStep(i32),
    /// Change the topology.
    Topology(TopologyEdit),
    /// Load a scenario (from a file); the current one stays if it is broken.
    Load(Result<Box<Scenario>, String>),
    /// Show how the whole run ends before it is reached.
    RevealEnd,
    /// Rename the scenario and reword its description.
    Describe(String, String),
    /// Follow a lesson (from a file or a link): the page's lesson panel takes it, the
    /// lab's reducer ignores it.
    Lesson(Rc<sim::lesson::Lesson>),
    /// Show the scenario side by side with these settings changed (`PATH=VALUE;…`) or beside another preset (`preset:NAME`), or
    /// stop (None).
    Compare(Option<String>),
}

/// Another side of a side-by-side comparison: the scenario shown with some settings
/// changed, run on the same faults and seed (or another preset, on its own), kept at
/// the same moment.
#[derive(Clone)]
pub struct Twin {
    /// The changes, as a link's `vs=` holds one side.
    pub changes: Rc<String>,
    other: Rc<sim::compare::Other>,
    /// Its lab.
    pub lab: Rc<std::cell::RefCell<Lab>>,
    /// Its view now.
    pub view: Rc<View>,
    /// What tells the two apart (one setting's two values, or two presets' names).
    pub labels: Rc<(String, String)>,
    /// The first configuration's scenario it was made from.
    from: Rc<Scenario>,
}

impl Twin {
    fn new(a: &Lab, text: &str) -> Result<Twin, String> {
        let other = sim::compare::parse_other(text)?;
        let from = a.scenario();
        let (s, labels) = sim::compare::other_side(&from, &other)?;
        let lab = Lab::new(s)?;
        let changes = match &other {
            sim::compare::Other::Changes(c) => sim::compare::write(c),
            sim::compare::Other::Preset(p) => format!("preset:{p}"),
        };
        Ok(Twin {
            changes: Rc::new(changes),
            other: Rc::new(other),
            view: Rc::new(lab.view()),
            lab: Rc::new(std::cell::RefCell::new(lab)),
            labels: Rc::new(labels),
            from,
        })
    }

    /// Follows the first configuration: its scenario (faults made since included),
    /// with the changes; its moment; and computes ahead on frames.
    fn follow(&mut self, a: &Lab, frame: bool) -> Result<(), String> {
        let mut t = self.lab.borrow_mut();
        let now = a.scenario();
        // Another preset runs on its own faults; a changed copy follows A's.
        if !Rc::ptr_eq(&now, &self.from) && matches!(*self.other, sim::compare::Other::Changes(_)) {
            let (s, labels) = sim::compare::other_side(&now, &self.other)?;
            if *t.scenario() != s {
                self.labels = Rc::new(labels);
                t.open(s)?;
            }
            self.from = now;
        }
        if frame {
            compute_a_frame(&mut t);
        }
        if t.now() != a.now() {
            t.seek(a.now());
        }
        self.view = Rc::new(t.view());
        Ok(())
    }
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
    /// How to play.
    pub speed: Speed,
    /// The time shown, with its fraction of a millisecond (flights are drawn at it).
    pub shown: f64,
    /// The paced run waits at a moment that matters, for its caption to be read.
    pub holding: bool,
    /// Real and simulated milliseconds played lately (each decaying over about a
    /// second), for the pace shown in words.
    played: (f64, f64),
    /// Bumps on every change, so that equality sees it.
    pub version: u64,
    /// Whether the rest of the run is still being computed.
    pub computing: bool,
    /// Writes each process had accepted when the split-brain shown began.
    pub split_base: Option<Rc<Vec<u64>>>,
    /// The last error for the person, if any.
    pub message: Option<String>,
    /// The message is about a setting (shown beside the settings, not at the top).
    pub setting_error: bool,
    /// ... and about one process's own setting (shown in its panel).
    pub own_setting: bool,
    /// The person asked to see how the run ends before reaching it.
    pub reveal_end: bool,
    /// The other sides (B, C, D), when comparing side by side.
    pub twins: Vec<Twin>,
}

impl LabState {
    /// The comparison, as a link's `vs=` holds it (`SIDE|SIDE`), if comparing.
    pub fn comparing(&self) -> Option<Rc<String>> {
        (!self.twins.is_empty()).then(|| {
            Rc::new(
                self.twins
                    .iter()
                    .map(|t| t.changes.as_str())
                    .collect::<Vec<_>>()
                    .join("|"),
            )
        })
    }

    /// What tells the scenario shown apart from the other sides: its value of each
    /// setting they change (or its name, beside another preset).
    pub fn a_label(&self) -> String {
        sim::compare::first_label(self.twins.iter().map(|t| t.labels.0.as_str()))
    }

    /// Real milliseconds per simulated millisecond lately, once a little has played.
    pub fn real_per_sim(&self) -> Option<f64> {
        (self.played.0 > 150.0 && self.played.1 > 1e-9).then(|| self.played.0 / self.played.1)
    }
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
            speed: Speed::default(),
            shown: 0.0,
            holding: false,
            played: (0.0, 0.0),
            version: 0,
            computing: true,
            split_base: None,
            message: None,
            setting_error: false,
            own_setting: false,
            reveal_end: false,
            twins: Vec::new(),
        })
    }
}

/// Computes the run ahead in small slices until a frame's share of time is used.
fn compute_a_frame(lab: &mut Lab) {
    let clock = web_sys::window().and_then(|w| w.performance());
    let t0 = clock.as_ref().map_or(0.0, |c| c.now());
    while lab.computing() {
        lab.compute(COMPUTE_SLICE);
        if clock
            .as_ref()
            .is_none_or(|c| c.now() - t0 > COMPUTE_MS_PER_FRAME)
        {
            break;
        }
    }
}

impl Reducible for LabState {
    type Action = Intent;

    fn reduce(self: Rc<Self>, action: Intent) -> Rc<Self> {
        let mut next = (*self).clone();
        next.version += 1;
        {
            let mut lab = next.lab.borrow_mut();
            // A message stays until the person does something else.
            if !matches!(action, Intent::Frame(_)) {
                lab.message = None;
                next.setting_error = matches!(action, Intent::Set(..));
                next.own_setting = matches!(&action, Intent::Set(k, _) if k.starts_with("boxes."));
            }
            // A changed run has an ending nobody has seen yet.
            if matches!(
                action,
                Intent::Preset(_)
                    | Intent::Act(_)
                    | Intent::Set(..)
                    | Intent::Undo
                    | Intent::Topology(_)
                    | Intent::Load(Ok(_))
            ) {
                next.reveal_end = false;
            }
            let is_frame = matches!(action, Intent::Frame(_));
            // Another scenario is not the one compared: the comparison ends with it.
            if matches!(action, Intent::Preset(_) | Intent::Load(Ok(_))) {
                next.twins.clear();
            }
            match action {
                Intent::Preset(name) => match sim::presets::find(&name) {
                    Some(p) => {
                        if let Err(e) = lab.open(p.scenario()) {
                            lab.message = Some(format!("The preset `{name}` cannot run: {e}."));
                        }
                        next.playing = false;
                    }
                    None => lab.message = Some(format!("There is no preset named `{name}`.")),
                },
                Intent::Describe(name, description) => lab.describe(&name, &description),
                Intent::Lesson(_) => {}
                Intent::Compare(None) => next.twins.clear(),
                Intent::Compare(Some(text)) => {
                    let twins = sim::compare::checked_sides(&text).and_then(|sides| {
                        sides
                            .iter()
                            .map(|side| Twin::new(&lab, side))
                            .collect::<Result<Vec<_>, _>>()
                    });
                    match twins {
                        Ok(t) => next.twins = t,
                        Err(e) => lab.message = Some(format!("Cannot compare: {e}.")),
                    }
                }
                Intent::TogglePlay => {
                    if lab.now() >= lab.duration() {
                        lab.seek(0);
                    }
                    next.playing = !next.playing;
                    next.played = (0.0, 0.0);
                }
                Intent::Frame(real_ms) => {
                    compute_a_frame(&mut lab);
                    if next.playing {
                        let sim_ms = lab.play(real_ms, next.speed);
                        let keep = (-real_ms / 1000.0).exp();
                        next.played = (
                            next.played.0 * keep + real_ms,
                            next.played.1 * keep + sim_ms,
                        );
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
                Intent::Moment(forward) => {
                    next.playing = false;
                    if let Some(t) = lab.moment(forward) {
                        lab.seek(t);
                    }
                }
                Intent::Act(a) => lab.act(a),
                Intent::Set(k, v) => {
                    if let Err(e) = lab.set(&k, &v) {
                        lab.message = Some(e);
                    }
                }
                Intent::Undo => {
                    lab.undo();
                }
                Intent::Speed(s) => {
                    next.speed = s;
                    next.played = (0.0, 0.0);
                }
                Intent::SpeedStep(d) => {
                    let speeds = crate::controls::SPEEDS;
                    let i = speeds.iter().position(|x| x.0 == next.speed).unwrap_or(2) as i32;
                    next.speed = speeds[(i + d).clamp(0, speeds.len() as i32 - 1) as usize].0;
                    next.played = (0.0, 0.0);
                }
                Intent::Load(Ok(s)) => match lab.open(*s) {
                    Ok(()) => next.playing = false,
                    Err(e) => {
                        lab.message = Some(format!(
                            "That scenario cannot run: {e}. Nothing was changed."
                        ))
                    }
                },
                Intent::Load(Err(e)) => lab.message = Some(e),
                Intent::RevealEnd => next.reveal_end = true,
                Intent::Topology(e) => {
                    let s = edit_topology(&lab.scenario(), &e);
                    match sim::build(&s, RunOptions::default()) {
                        Ok(_) => lab.set_scenario(s),
                        Err(err) => {
                            lab.message =
                                Some(format!("That change would break the scenario: {err}."))
                        }
                    }
                }
            }
            let followed = next
                .twins
                .iter_mut()
                .try_for_each(|t| t.follow(&lab, is_frame));
            if let Err(e) = followed {
                lab.message = Some(format!("The comparison stopped: {e}."));
                next.twins.clear();
            }
            next.computing =
                lab.computing() || next.twins.iter().any(|t| t.lab.borrow().computing());
            next.message = lab.message.clone();
            next.view = Rc::new(lab.view());
            next.shown = lab.shown();
            next.holding = lab.holding();
            next.split_base = next
                .view
                .split_brain_since
                .and_then(|t| lab.writes_at_split_start(t));
        }
        Rc::new(next)
    }
}
