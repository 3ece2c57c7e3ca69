//! The failure drill panel: the scenario shown, against many random fault schedules,
//! run in a Web Worker (`src/bin/drill-worker.rs`) so that the page never freezes,
//! with a progress bar, the time left, cancel, and partial results as they come. The
//! numbers, the sentence and the worst schedules come from the core (`sim::drill`);
//! this file holds the form, the worker and the drawing.

use std::cell::RefCell;
use std::rc::Rc;

use sim::drill::{DrillReport, DrillRun, DrillSpec, FaultKind};
use wasm_bindgen::{closure::Closure, JsCast};
use web_sys::{HtmlInputElement, MessageEvent, Worker};
use yew::prelude::*;

use crate::state::Intent;

/// Where the lab's worker's loader is, beside the page (Trunk names workers after
/// their bin); the history view's checks run in it too.
pub(crate) const WORKER_URL: &str = "./drill-worker_loader.js";

/// What the panel shows.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    /// Nothing run yet.
    Idle,
    /// The worker is loading or running: schedules done, of how many, since when.
    Running {
        /// Schedules finished.
        done: u64,
        /// Of how many.
        total: u64,
        /// When it started (ms, the page's clock).
        started: f64,
        /// When the last batch arrived.
        at: f64,
    },
    /// Cancelled after `done` of `total`.
    Cancelled {
        /// Schedules finished.
        done: u64,
        /// Of how many.
        total: u64,
    },
    /// Every schedule ran, in `secs` seconds.
    Finished {
        /// How long it took.
        secs: f64,
    },
    /// The worker failed or the drill was refused.
    Failed(String),
}

/// The drill's state: a pure reducer over what the worker reports.
#[derive(Clone, Debug, PartialEq)]
pub struct DrillState {
    /// Where it stands.
    pub status: Status,
    /// The configuration drilled and how.
    pub drilled: Option<Rc<(sim::Scenario, DrillSpec)>>,
    /// The report of the runs so far (it holds the runs).
    pub report: Option<Rc<DrillReport>>,
    /// The last drill that ran to the end, while the current one runs the same
    /// schedules: the two compare in one sentence.
    pub previous: Option<Rc<DrillReport>>,
    /// When comparing side by side, the other sides, drilled on the same schedules at
    /// the same time (each in a worker of its own).
    pub sides: Vec<SideDrill>,
    /// Which of the first side and the others have finished.
    finished: Vec<bool>,
}

/// Another side of a comparison, drilled on the same schedules.
#[derive(Clone, Debug, PartialEq)]
pub struct SideDrill {
    /// What tells it apart from the first side (the first's label, its own).
    pub labels: Rc<(String, String)>,
    /// Its configuration and the drill.
    pub drilled: Rc<(sim::Scenario, DrillSpec)>,
    /// The report of its runs so far.
    pub report: Option<Rc<DrillReport>>,
}

/// What happens to a drill.
pub enum DrillAction {
    /// A drill starts (the scenario and spec, the page's clock, the other sides).
    Start(
        Box<sim::Scenario>,
        DrillSpec,
        f64,
        Vec<(Rc<(String, String)>, sim::Scenario)>,
    ),
    /// A batch of runs arrived for a side (0: the first).
    Batch(usize, Vec<DrillRun>, f64),
    /// Every schedule of a side ran.
    Finished(usize, f64),
    /// The person cancelled.
    Cancel,
    /// Something went wrong, in words.
    Fail(String),
}

impl Reducible for DrillState {
    type Action = DrillAction;

    fn reduce(self: Rc<Self>, action: DrillAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            DrillAction::Start(s, spec, now, sides) => {
                // The same schedules (same drill settings) compare; others do not.
                let last = match next.status {
                    Status::Finished { .. } => next.report.clone(),
                    _ => next.previous.clone(),
                };
                next.previous = last.filter(|r| r.spec == spec);
                next.status = Status::Running {
                    done: 0,
                    total: spec.schedules * (1 + sides.len() as u64),
                    started: now,
                    at: now,
                };
                next.finished = vec![false; 1 + sides.len()];
                next.sides = sides
                    .into_iter()
                    .map(|(labels, scenario)| SideDrill {
                        labels,
                        drilled: Rc::new((scenario, spec.clone())),
                        report: None,
                    })
                    .collect();
                next.drilled = Some(Rc::new((*s, spec)));
                next.report = None;
            }
            DrillAction::Batch(side, runs, now) => {
                let Status::Running { total, started, .. } = next.status else {
                    return self;
                };
                let (drilled, report) = match side {
                    0 => (next.drilled.clone(), &mut next.report),
                    k => match next.sides.get_mut(k - 1) {
                        Some(x) => (Some(x.drilled.clone()), &mut x.report),
                        None => return self,
                    },
                };
                let mut all = report.as_ref().map_or_else(Vec::new, |r| r.runs.clone());
                all.extend(runs);
                *report = drilled.map(|d| Rc::new(sim::drill::aggregate(&d.0, &d.1, all, None)));
                let done = next.report.as_ref().map_or(0, |r| r.schedules)
                    + next
                        .sides
                        .iter()
                        .filter_map(|x| x.report.as_ref())
                        .map(|r| r.schedules)
                        .sum::<u64>();
                next.status = Status::Running {
                    done,
                    total,
                    started,
                    at: now,
                };
            }
            DrillAction::Finished(side, now) => {
                if let Some(f) = next.finished.get_mut(side) {
                    *f = true;
                }
                if let (Status::Running { started, .. }, true) =
                    (&next.status, next.finished.iter().all(|f| *f))
                {
                    next.status = Status::Finished {
                        secs: (now - started) / 1000.0,
                    };
                }
            }
            DrillAction::Cancel => {
                if let Status::Running { done, total, .. } = next.status {
                    next.status = Status::Cancelled { done, total };
                }
            }
            DrillAction::Fail(m) => next.status = Status::Failed(m),
        }
        Rc::new(next)
    }
}

impl Default for DrillState {
    fn default() -> Self {
        DrillState {
            status: Status::Idle,
            drilled: None,
            report: None,
            previous: None,
            sides: Vec::new(),
            finished: Vec::new(),
        }
    }
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Another side of a comparison: what tells it from the first (the first's label,
/// its own), and its scenario.
pub type Side = (Rc<(String, String)>, Rc<sim::Scenario>);

/// Properties of the panel.
#[derive(Properties, PartialEq)]
pub struct DrillProps {
    /// The scenario shown: the configuration to drill.
    pub scenario: Rc<sim::Scenario>,
    /// When comparing side by side, the other sides (their labels, their scenarios),
    /// drilled on the same schedules.
    pub sides: Vec<Side>,
    /// Sends an intent (opening a schedule at its worst moment).
    pub on_intent: Callback<Intent>,
}

/// The form's fields, as typed.
#[derive(Clone, PartialEq)]
struct Form {
    schedules: String,
    seed: String,
    rate: String,
    min_s: String,
    max_s: String,
    length_s: String,
    kinds: Vec<FaultKind>,
}

impl Form {
    fn new(s: &sim::Scenario) -> Form {
        let d = DrillSpec::new(1000, 1);
        Form {
            schedules: "1000".into(),
            seed: "1".into(),
            rate: d.faults_per_minute.to_string(),
            min_s: (d.min_fault_ms / 1000).to_string(),
            max_s: (d.max_fault_ms / 1000).to_string(),
            length_s: (s.duration_ms.min(60_000) / 1000).to_string(),
            // All of them: those the topology offers nothing for are shown off and
            // skipped, and come back on for a topology that offers them.
            kinds: FaultKind::ALL.to_vec(),
        }
    }

    /// The spec the fields say, checked by the core's own rules (the CLI's).
    fn spec(&self, s: &sim::Scenario) -> Result<DrillSpec, String> {
        let num = |v: &str, what: &str| -> Result<f64, String> {
            v.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .ok_or_else(|| format!("{what}: \"{v}\" is not a number"))
        };
        let spec = DrillSpec {
            faults_per_minute: num(&self.rate, "Faults a minute")?,
            kinds: self.kinds.clone(),
            min_fault_ms: (num(&self.min_s, "Shortest fault")? * 1000.0) as u64,
            max_fault_ms: (num(&self.max_s, "Longest fault")? * 1000.0) as u64,
            duration_ms: Some((num(&self.length_s, "Run length")? * 1000.0) as u64),
            ..DrillSpec::new(
                num(&self.schedules, "Schedules")? as u64,
                num(&self.seed, "Seed")? as u64,
            )
        };
        spec.validate(s).map_err(|e| e.to_string())?;
        Ok(spec)
    }
}

/// Starts a worker on one side's schedules; its batches come back as that side's.
fn spawn(
    side: usize,
    scenario: &sim::Scenario,
    spec: &DrillSpec,
    state: UseReducerDispatcher<DrillState>,
) -> Option<Worker> {
    let w = Worker::new(WORKER_URL).ok()?;
    let request =
        serde_json::json!({ "scenario": scenario, "spec": spec, "from": 0, "to": spec.schedules })
            .to_string();
    let on_message = {
        let state = state.clone();
        let w2 = w.clone();
        Closure::<dyn Fn(MessageEvent)>::new(move |m: MessageEvent| {
            let text = m.data().as_string().unwrap_or_default();
            let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&text) else {
                return;
            };
            if v.get("ready").is_some() {
                let _ = w2.post_message(&request.clone().into());
            } else if let Some(e) = v.get("error").and_then(|e| e.as_str()) {
                state.dispatch(DrillAction::Fail(e.to_string()));
            } else if v.get("finished").is_some() {
                state.dispatch(DrillAction::Finished(side, now_ms()));
            } else if let Ok(runs) = serde_json::from_value::<Vec<DrillRun>>(v["runs"].take()) {
                state.dispatch(DrillAction::Batch(side, runs, now_ms()));
            }
        })
    };
    w.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let on_error = Closure::<dyn Fn(web_sys::Event)>::new(move |_| {
        state.dispatch(DrillAction::Fail(
            "The drill's worker failed to load; reload the page and try again.".into(),
        ))
    });
    w.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    Some(w)
}

/// The failure drill panel.
#[component]
pub fn DrillPanel(p: &DrillProps) -> Html {
    let state = use_reducer(DrillState::default);
    let form = {
        let s = p.scenario.clone();
        use_state(move || Form::new(&s))
    };
    let workers: Rc<RefCell<Vec<Worker>>> = use_mut_ref(Vec::new);
    let error = use_state(|| None::<String>);
    let Ok(sys) = sim::system::find(&p.scenario.system) else {
        return Html::default();
    };
    let words = sys.words;
    let start = {
        let state = state.clone();
        let form = form.clone();
        let workers = workers.clone();
        let error = error.clone();
        let scenario = p.scenario.clone();
        let sides = p.sides.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let spec = match form.spec(&scenario) {
                Ok(s) => s,
                Err(m) => {
                    error.set(Some(m));
                    return;
                }
            };
            // Every side runs the same schedules: the spec must suit each of them.
            let bare = |s: &sim::Scenario| {
                let mut b = s.clone();
                b.faults.clear();
                b
            };
            let mut others = Vec::new();
            for (k, (labels, s)) in sides.iter().enumerate() {
                if let Err(m) = spec.validate(s) {
                    error.set(Some(format!("Side {}: {m}", sim::compare::letter(k + 1))));
                    return;
                }
                others.push((labels.clone(), bare(s)));
            }
            error.set(None);
            for w in workers.borrow_mut().drain(..) {
                w.terminate();
            }
            let all: Vec<sim::Scenario> = std::iter::once(bare(&scenario))
                .chain(others.iter().map(|(_, s)| s.clone()))
                .collect();
            state.dispatch(DrillAction::Start(
                Box::new(all[0].clone()),
                spec.clone(),
                now_ms(),
                others,
            ));
            for (k, s) in all.iter().enumerate() {
                match spawn(k, s, &spec, state.dispatcher()) {
                    Some(w) => workers.borrow_mut().push(w),
                    None => {
                        state.dispatch(DrillAction::Fail(
                            "This browser would not start a Web Worker for the drill.".into(),
                        ));
                        return;
                    }
                }
            }
        })
    };
    let cancel = {
        let state = state.clone();
        let workers = workers.clone();
        Callback::from(move |_: MouseEvent| {
            for w in workers.borrow_mut().drain(..) {
                w.terminate();
            }
            state.dispatch(DrillAction::Cancel);
        })
    };
    let field = |label: &'static str,
                 value: &str,
                 set: fn(&mut Form, String),
                 hint: &'static str| {
        let form = form.clone();
        let oninput = Callback::from(move |e: InputEvent| {
            let Some(el) = e.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let mut f = (*form).clone();
            set(&mut f, el.value());
            form.set(f);
        });
        html! {
            <label>{label}<input type="text" inputmode="decimal" value={value.to_string()} {oninput} title={hint} /></label>
        }
    };
    let offered = sim::drill::kinds_for(&p.scenario);
    let kinds = FaultKind::ALL.iter().map(|k| {
        let k = *k;
        let on = form.kinds.contains(&k);
        let usable = offered.contains(&k);
        let form = form.clone();
        let onchange = Callback::from(move |_: Event| {
            let mut f = (*form).clone();
            if f.kinds.contains(&k) {
                f.kinds.retain(|x| *x != k);
            } else {
                f.kinds.push(k);
                sim::sort::by_key(&mut f.kinds, |k| *k);
            }
            form.set(f);
        });
        html! {
            <label key={k.name()} class={classes!("kind", (!usable).then_some("unusable"))}
                title={if usable { "" } else { "this topology offers nothing for it to hit" }}>
                <input type="checkbox" checked={on && usable} disabled={!usable} {onchange} />{k.label()}
            </label>
        }
    });
    let running = matches!(state.status, Status::Running { .. });
    let ran = state.report.as_ref().map_or(0, |r| r.schedules);
    let n_sides = 1 + state.sides.len();
    let status = match &state.status {
        Status::Idle => String::new(),
        Status::Running {
            done,
            total,
            started,
            at,
        } => {
            let left = if *done == 0 {
                "starting…".to_string()
            } else {
                let per = (at - started) / *done as f64;
                format!("about {:.0} s left", per * (*total - *done) as f64 / 1000.0)
            };
            format!(
                "{} of {} schedules, {left}",
                sim::drill::thousands(*done),
                sim::drill::thousands(*total)
            )
        }
        Status::Cancelled { done, total } => format!(
            "Cancelled after {} of {} schedules: the figures below are theirs.",
            sim::drill::thousands(*done),
            sim::drill::thousands(*total)
        ),
        Status::Finished { secs } if n_sides > 1 => {
            let n = (ran * n_sides as u64) as f64;
            format!(
                "Done: {} schedules on each of {n_sides} sides ({} runs) in {secs:.1} s ({:.0} a second), in {n_sides} Web Workers.",
                sim::drill::thousands(ran),
                sim::drill::thousands(n as u64),
                n / secs.max(1e-3)
            )
        }
        Status::Finished { secs } => {
            let n = ran as f64;
            format!(
                "Done: {} schedules in {secs:.1} s ({:.0} a second), in a Web Worker.",
                sim::drill::thousands(n as u64),
                n / secs.max(1e-3)
            )
        }
        Status::Failed(m) => m.clone(),
    };
    let (done, total) = match state.status {
        Status::Running { done, total, .. } | Status::Cancelled { done, total } => (done, total),
        _ => (ran, ran.max(1)),
    };
    let every_side = (!p.sides.is_empty()).then(|| {
        format!(
            "Side by side is on: the drill runs the same schedules on all {} sides at once, each in a Web Worker of its own.",
            1 + p.sides.len()
        )
    });
    html! {
        <section class="panel drill" aria-label="Failure drill">
            <h2>{"Failure drill"}</h2>
            <p class="hint">{"How often would this configuration lose data? Run it against many random fault schedules (the same schedules for any settings, so change one and run again to compare)."}</p>
            if let Some(t) = every_side {
                <p class="hint drill-sides">{t}</p>
            }
            <form onsubmit={start}>
                <div class="drill-fields">
                    { field("Schedules", &form.schedules, |f, v| f.schedules = v, "how many random schedules") }
                    { field("Seed", &form.seed, |f, v| f.seed = v, "the same seed gives the same schedules") }
                    { field("Faults a minute", &form.rate, |f, v| f.rate = v, "faults started per simulated minute, on average") }
                    { field("Shortest fault (s)", &form.min_s, |f, v| f.min_s = v, "each fault lasts at least this long") }
                    { field("Longest fault (s)", &form.max_s, |f, v| f.max_s = v, "and at most this long") }
                    { field("Run length (s)", &form.length_s, |f, v| f.length_s = v, "simulated seconds per schedule") }
                </div>
                <fieldset class="drill-kinds"><legend>{"Faults to draw from"}</legend>{ for kinds }</fieldset>
                if let Some(m) = &*error {
                    <p class="error" role="alert">{m.clone()}</p>
                }
                <div class="drill-buttons">
                    <button type="submit" disabled={running}>{ if state.report.is_none() { "Run the drill" } else { "Run it again" } }</button>
                    if running {
                        <button type="button" onclick={cancel}>{"Cancel"}</button>
                    }
                </div>
            </form>
            if state.status != Status::Idle {
                <div class="drill-progress">
                    <progress max={total.to_string()} value={done.to_string()} aria-label="Schedules run" />
                    <p aria-live="polite" class="drill-status">{status}</p>
                </div>
            }
            if let (Some(prev), Some(r), Status::Finished { .. }) = (&state.previous, &state.report, &state.status) {
                <p class="drill-compare" role="status">{compare(prev, r)}</p>
            }
            if let (Some(r), false) = (&state.report, state.sides.is_empty()) {
                { sides_results(r, &state.sides, words) }
            }
            if let Some(r) = &state.report {
                <DrillResults report={r.clone()} {words} on_intent={p.on_intent.clone()} />
            }
        </section>
    }
}

/// Every side of a comparison on the same schedules: one measured sentence for each
/// other side against the first, and their figures in columns.
fn sides_results(a: &Rc<DrillReport>, sides: &[SideDrill], w: sim::process::Words) -> Html {
    let pct = |x: f64| format!("{:.1}%", x * 100.0);
    let reports: Vec<(String, &DrillReport)> = std::iter::once((
        sim::compare::first_label(sides.iter().map(|x| x.labels.0.as_str())),
        a.as_ref(),
    ))
    .chain(
        sides
            .iter()
            .filter_map(|x| x.report.as_deref().map(|r| (x.labels.1.clone(), r))),
    )
    .collect();
    let row = |label: String, f: &dyn Fn(&DrillReport) -> String| {
        html! {
            <tr><th scope="row">{label}</th>{ for reports.iter().map(|(_, r)| html! { <td>{f(r)}</td> }) }</tr>
        }
    };
    html! {
        <div class="drill-sides-results" tabindex="0" role="region" aria-label="Every side, on the same schedules">
            <h3>{"Every side, on the same schedules"}</h3>
            <ul class="drill-side-sentences">
                { for sides.iter().filter_map(|x| x.report.as_ref().map(|r| (x, r))).map(|(x, r)| html! {
                    <li key={x.labels.1.clone()}>{sim::drill::compare_sentence(&x.labels.0, a, &x.labels.1, r)}</li>
                }) }
            </ul>
            <table class="drill-numbers drill-side-table">
                <thead><tr><td></td>{ for reports.iter().enumerate().map(|(k, (l, _))| html! { <th scope="col">{format!("{}: {}", sim::compare::letter(k), crate::compare::breakable(l))}</th> }) }</tr></thead>
                <tbody>
                    { row("Schedules run".into(), &|r| sim::drill::thousands(r.schedules)) }
                    { row(format!("Runs with {}", w.lost), &|r| sim::drill::thousands(r.runs_with_loss)) }
                    { row(format!("{} per run (mean, max)", sim::drill::capitalize(w.lost)), &|r| format!("{:.1}, {:.0}", r.lost_writes.mean, r.lost_writes.max)) }
                    if w.elects {
                        { row("Runs with split-brain".into(), &|r| sim::drill::thousands(r.runs_with_split_brain)) }
                    }
                    { row("Operations refused or unanswered (mean, p99)".into(), &|r| format!("{}, {}", pct(r.unavailability.mean), pct(r.unavailability.p99))) }
                    { row("Runs not linearizable".into(), &|r| sim::drill::thousands(r.runs_not_linearizable)) }
                </tbody>
            </table>
            <p class="hint">{"The numbers, histograms and worst schedules below are side A's."}</p>
        </div>
    }
}

/// The last drill and this one, on the same schedules, in one measured sentence.
fn compare(prev: &DrillReport, now: &DrillReport) -> String {
    let (a, b) = sim::drill::labels(&prev.scenario, &now.scenario);
    if a.is_empty() {
        return "Same configuration and schedules as the last drill: change a setting and run again to compare.".into();
    }
    format!(
        "Against the last drill, on the same schedules: {}",
        sim::drill::compare_sentence(&a, prev, &b, now)
    )
}

/// Properties of the results.
#[derive(Properties, PartialEq)]
struct ResultsProps {
    report: Rc<DrillReport>,
    words: sim::process::Words,
    on_intent: Callback<Intent>,
}

/// The sentence, the numbers, the bars and the worst schedules.
#[component]
fn DrillResults(p: &ResultsProps) -> Html {
    let r = &p.report;
    let w = p.words;
    let pct = |x: f64| format!("{:.1}%", x * 100.0);
    let secs = |x: f64| format!("{:.1} s", x / 1000.0);
    let worst = r.worst_seeds.iter().map(|ws| {
        let open = {
            let i = p.on_intent.clone();
            let link = ws.link.clone();
            let at = ws.at_ms;
            Callback::from(move |_: MouseEvent| {
                if let Some(Ok(l)) = sim::link::decode(&link) {
                    i.emit(Intent::Load(Ok(Box::new(l.scenario))));
                    i.emit(Intent::Seek(at));
                    if let Some(el) = web_sys::window()
                        .and_then(|w| w.document())
                        .and_then(|d| d.query_selector(".banner-slot, section.controls").ok().flatten())
                    {
                        el.scroll_into_view();
                    }
                }
            })
        };
        html! {
            <li key={ws.index}>
                <button onclick={open} data-at={ws.at_ms.to_string()}>{format!("Open schedule {} at {:.1} s", ws.index, ws.at_ms as f64 / 1000.0)}</button>
                {format!(" {} lost, split-brain {:.1} s, {} of operations failed", ws.lost, ws.split_brain_ms as f64 / 1000.0, pct(ws.unavailability))}
            </li>
        }
    });
    let hist = |key: &str, title: &str, unit: &dyn Fn(f64) -> String| {
        let Some(bins) = r.histograms.get(key) else {
            return Html::default();
        };
        let most = bins.iter().map(|b| b.runs).max().unwrap_or(1).max(1);
        html! {
            <figure class="hist">
                <figcaption>{title}</figcaption>
                <ol>
                    { for bins.iter().map(|b| {
                        let label = if bins.len() == 1 { format!("all {}", unit(b.from)) } else { format!("{} to {}", unit(b.from), unit(b.to)) };
                        let h = if b.runs == 0 { 0.0 } else { 4.0 + 96.0 * b.runs as f64 / most as f64 };
                        html! {
                            <li title={format!("{label}: {} runs", b.runs)}>
                                <span class="bar" style={format!("height:{h:.0}%")} />
                                <span class="n">{b.runs}</span>
                                <span class="sr">{format!("{label}: {} runs", b.runs)}</span>
                            </li>
                        }
                    }) }
                </ol>
                <p class="axis"><span>{unit(0.0)}</span><span>{bins.last().map(|b| unit(b.to)).unwrap_or_default()}</span></p>
            </figure>
        }
    };
    let count = |x: f64| format!("{x:.0}");
    html! {
        <div class="drill-results">
            <p class="sentence">{r.sentence(&w)}</p>
            <table class="drill-numbers">
                <tbody>
                    <tr><th scope="row">{format!("Runs with {}", w.lost)}</th><td>{format!("{} of {}", r.runs_with_loss, r.schedules)}</td></tr>
                    <tr><th scope="row">{format!("{} per run", sim::drill::capitalize(w.lost))}</th><td>{format!("mean {:.1}, p99 {:.0}, max {:.0}", r.lost_writes.mean, r.lost_writes.p99, r.lost_writes.max)}</td></tr>
                    if w.elects {
                        <tr><th scope="row">{"Runs with split-brain"}</th><td>{format!("{} (mean {}, max {})", r.runs_with_split_brain, secs(r.split_brain_ms.mean), secs(r.split_brain_ms.max))}</td></tr>
                    }
                    <tr><th scope="row">{"Operations refused or unanswered"}</th><td>{format!("mean {}, p50 {}, p99 {}, max {}", pct(r.unavailability.mean), pct(r.unavailability.p50), pct(r.unavailability.p99), pct(r.unavailability.max))}</td></tr>
                    <tr><th scope="row">{"Longest stretch without an acknowledged write"}</th><td>{format!("mean {}, max {}", secs(r.longest_without_write_ms.mean), secs(r.longest_without_write_ms.max))}</td></tr>
                    <tr><th scope="row">{"Runs not linearizable"}</th><td>{r.runs_not_linearizable}</td></tr>
                    if r.invariant_failures.is_empty() {
                        <tr><th scope="row">{"Invariants"}</th><td>{"held in every run"}</td></tr>
                    }
                    { for r.invariant_failures.iter().map(|(name, n)| html! {
                        <tr key={name.clone()}><th scope="row">{format!("Broken: {name}")}</th><td>{format!("in {n} run(s)")}</td></tr>
                    }) }
                </tbody>
            </table>
            <div class="hists">
                { hist("lost_writes", &format!("{} per run", sim::drill::capitalize(w.lost)), &count) }
                if w.elects { { hist("split_brain_ms", "Split-brain per run", &secs) } }
                { hist("unavailability", "Operations failed per run", &pct) }
            </div>
            if !r.worst_seeds.is_empty() {
                <div class="drill-worst">
                    <h3>{"The worst schedules"}</h3>
                    <ol class="worst">{ for worst }</ol>
                </div>
            }
        </div>
    }
}
