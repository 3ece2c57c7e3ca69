//! The history view: open a history (the lab's JSON lines, Jepsen's EDN or log lines,
//! or the run shown), see every operation as a bar in its process's lane, and the
//! checker's verdict with the operations it names highlighted. The lab's Web Worker
//! reads the file (handing back its operations in columns) and checks it, so the page
//! never freezes and carries no parser; the lanes and the window come from the core
//! (`sim::check::lanes`), so 100,000 operations draw as fast as 100. The drawing is in
//! `history_canvas.rs`.

use std::cell::RefCell;
use std::rc::Rc;

use sim::check::lanes::{keys, Lanes};
use sim::check::{Operation, Verdict};
use wasm_bindgen::{closure::Closure, JsCast};
use web_sys::{HtmlInputElement, HtmlSelectElement, MessageEvent, Worker};
use yew::prelude::*;

use crate::history_canvas::HistoryCanvas;

/// The most lanes drawn at once; more scroll (↑ ↓, or a vertical drag).
pub const SHOWN: usize = 12;

/// The most keys the key menu lists (a set workload has a key per element).
const MENU_KEYS: usize = 200;

/// A history opened.
#[derive(Debug)]
pub struct Loaded {
    /// Where it came from, in words.
    pub name: String,
    /// Its operations, in file order (the checker's indexes are into this).
    pub ops: Vec<Operation>,
    /// Its keys with their operation counts, in natural order.
    pub keys: Vec<(String, usize)>,
    /// Its processes.
    pub processes: usize,
    /// The run it is the history of, when it is the lab's own: its times are the run's,
    /// so an operation can be seen in the run.
    pub run: Option<Rc<crate::lab::Finished>>,
}

/// Where the verdict stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Check {
    /// The worker is checking.
    Checking,
    /// Checked, in `ms` milliseconds in the worker.
    Done(Rc<Verdict>, f64),
    /// The worker could not check it, in words.
    Failed(String),
}

/// What the view shows: a pure reducer over what the person does and what the worker
/// says.
#[derive(Clone, Debug)]
pub struct HistoryState {
    /// The history, once one is open.
    pub loaded: Option<Rc<Loaded>>,
    /// Which opening the verdict belongs to.
    pub generation: u32,
    /// The verdict.
    pub check: Check,
    /// Only this key's operations, or all.
    pub key: Option<String>,
    /// The lanes of what is shown.
    pub lanes: Rc<Lanes>,
    /// The window of time drawn.
    pub t0: f64,
    /// Its end.
    pub t1: f64,
    /// The first lane drawn.
    pub top: usize,
    /// The operation pointed at, for its details.
    pub point: Option<usize>,
    /// The last file that could not be opened, in words (what was open stays).
    pub error: Option<String>,
    /// The file being read in the worker, if one is.
    pub reading: Option<String>,
    /// Bumped on every change, so the drawing knows to redraw.
    pub version: u32,
}

/// Every change bumps the version: two states are the same when their versions are.
impl PartialEq for HistoryState {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
    }
}

impl Default for HistoryState {
    fn default() -> Self {
        HistoryState {
            loaded: None,
            generation: 0,
            check: Check::Checking,
            key: None,
            lanes: Rc::new(Lanes::new(&[], None)),
            t0: 0.0,
            t1: 1.0,
            top: 0,
            point: None,
            error: None,
            reading: None,
            version: 0,
        }
    }
}

/// What happens to the view.
pub enum HistoryAction {
    /// A history opened (its generation).
    Open(u32, Rc<Loaded>),
    /// The worker's verdict on generation `n`, with the time it took.
    Verdict(u32, Result<(Verdict, f64), String>),
    /// Show only one key, or all.
    Key(Option<String>),
    /// Zoom by a factor (below 1: in) around a time (None: the window's middle).
    Zoom(f64, Option<f64>),
    /// Show this window of time.
    Window(f64, f64),
    /// Move by a share of the window (negative: back).
    Pan(f64),
    /// Show the whole history.
    Fit,
    /// Show the violation: its key, its operations.
    ShowViolation,
    /// Show one operation.
    Focus(usize),
    /// First lane drawn.
    Top(usize),
    /// The operation pointed at.
    Point(Option<usize>),
    /// Point at the next operation in time (false: the previous), and bring it into
    /// view: how the keyboard and a screen reader go through a history.
    Step(bool),
    /// A file is being read in the worker.
    Reading(String),
    /// A file could not be opened.
    Error(String),
    /// The drawing's size changed.
    Redraw,
}

impl HistoryState {
    fn fit(&mut self) {
        let (a, b) = (self.lanes.start as f64, self.lanes.end as f64);
        let margin = ((b - a) * 0.02).max(1.0);
        (self.t0, self.t1) = (a - margin, b + margin);
    }

    /// The window, kept on the history and no narrower than a few time units.
    fn set_window(&mut self, t0: f64, t1: f64) {
        let (a, b) = (self.lanes.start as f64, self.lanes.end as f64);
        let full = (b - a).max(1.0) * 1.2;
        let w = (t1 - t0).clamp(4.0, full);
        let mid = ((t0 + t1) / 2.0).clamp(a - full * 0.1, b + full * 0.1);
        (self.t0, self.t1) = (mid - w / 2.0, mid + w / 2.0);
    }

    fn relayout(&mut self) {
        if let Some(l) = &self.loaded {
            self.lanes = Rc::new(Lanes::new(&l.ops, self.key.as_deref()));
        }
        self.top = 0;
        self.point = None;
    }

    /// The operations the violation names: the one no order can place, then the last
    /// steps of the longest valid order.
    pub fn involved(&self) -> Vec<usize> {
        match &self.check {
            Check::Done(v, _) => v
                .violation
                .as_ref()
                .map(|x| {
                    std::iter::once(x.op)
                        .chain(x.before.iter().copied())
                        .collect()
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }
}

impl Reducible for HistoryState {
    type Action = HistoryAction;

    fn reduce(self: Rc<Self>, action: HistoryAction) -> Rc<Self> {
        let mut s = (*self).clone();
        s.version = s.version.wrapping_add(1);
        match action {
            HistoryAction::Open(generation, loaded) => {
                s.loaded = Some(loaded);
                s.generation = generation;
                s.check = Check::Checking;
                s.key = None;
                s.error = None;
                s.reading = None;
                s.relayout();
                s.fit();
            }
            HistoryAction::Verdict(n, result) if n == s.generation => {
                s.check = match result {
                    Ok((v, ms)) => Check::Done(Rc::new(v), ms),
                    Err(m) => Check::Failed(m),
                };
            }
            HistoryAction::Verdict(..) => return self,
            HistoryAction::Key(k) => {
                s.key = k;
                s.relayout();
                s.fit();
            }
            HistoryAction::Zoom(f, at) => {
                let at = at.unwrap_or((s.t0 + s.t1) / 2.0);
                let (t0, t1) = (at + (s.t0 - at) * f, at + (s.t1 - at) * f);
                s.set_window(t0, t1);
            }
            HistoryAction::Window(t0, t1) => s.set_window(t0, t1),
            HistoryAction::Pan(share) => {
                let d = (s.t1 - s.t0) * share;
                s.set_window(s.t0 + d, s.t1 + d);
            }
            HistoryAction::Fit => s.fit(),
            HistoryAction::ShowViolation => {
                let Some(l) = s.loaded.clone() else {
                    return self;
                };
                let ops = s.involved();
                let Some(&first) = ops.first() else {
                    return self;
                };
                s.key = Some(l.ops[first].key.clone());
                s.relayout();
                let a = ops.iter().map(|&i| l.ops[i].invoke).min().unwrap_or(0) as f64;
                let b = ops.iter().map(|&i| s.lanes.drawn_end(i)).max().unwrap_or(0) as f64;
                let margin = ((b - a) * 0.25).max(2.0);
                s.set_window(a - margin, b + margin);
                s.point = Some(first);
                s.top = lane_of(&s.lanes, &l.ops[first])
                    .unwrap_or(0)
                    .saturating_sub(2);
            }
            HistoryAction::Focus(i) => {
                let Some(l) = s.loaded.clone() else {
                    return self;
                };
                if s.key.as_ref().is_some_and(|k| *k != l.ops[i].key) {
                    s.key = Some(l.ops[i].key.clone());
                    s.relayout();
                }
                let (a, b) = (l.ops[i].invoke as f64, s.lanes.drawn_end(i) as f64);
                let w = (s.t1 - s.t0).min(((b - a) * 6.0).max(20.0));
                s.set_window((a + b) / 2.0 - w / 2.0, (a + b) / 2.0 + w / 2.0);
                s.point = Some(i);
                s.top = lane_of(&s.lanes, &l.ops[i]).unwrap_or(0).saturating_sub(2);
            }
            HistoryAction::Top(t) => s.top = t,
            HistoryAction::Point(p) => {
                if p == s.point {
                    return self;
                }
                s.point = p;
            }
            HistoryAction::Step(forward) => {
                let Some(l) = s.loaded.clone() else {
                    return self;
                };
                let Some(i) = s.lanes.step(s.point, s.t0.ceil() as i64, forward) else {
                    return self;
                };
                s.point = Some(i);
                let (a, b) = (l.ops[i].invoke as f64, s.lanes.drawn_end(i) as f64);
                if a > s.t1 || b < s.t0 {
                    let w = s.t1 - s.t0;
                    s.set_window(a - w * 0.2, a + w * 0.8);
                }
                if let Some(lane) = lane_of(&s.lanes, &l.ops[i]) {
                    if lane < s.top || lane >= s.top + SHOWN {
                        s.top = lane.saturating_sub(SHOWN / 2);
                    }
                }
            }
            HistoryAction::Reading(name) => {
                s.reading = Some(name);
                s.error = None;
            }
            HistoryAction::Error(m) => {
                s.error = Some(m);
                s.reading = None;
            }
            HistoryAction::Redraw => {}
        }
        s.top = s.top.min(s.lanes.lanes.len().saturating_sub(SHOWN));
        Rc::new(s)
    }
}

/// The lane an operation is drawn in.
pub fn lane_of(lanes: &Lanes, op: &Operation) -> Option<usize> {
    lanes.names.iter().position(|n| *n == op.process)
}

/// Properties of the history view.
#[derive(Properties, PartialEq)]
pub struct HistoryProps {
    /// The run shown, once computed to its end.
    pub run: Option<Rc<crate::lab::Finished>>,
    /// The run's name.
    pub run_name: String,
    /// Sends an intent to the lab (to see an operation of the run at its moment).
    pub on_intent: Callback<crate::state::Intent>,
}

/// The workers: the one that read (and checks) the history shown, and the one reading
/// a newer file, which replaces it only once the file is read: a file that cannot be
/// read leaves the history shown, and its verdict, as they were.
#[derive(Default)]
pub struct Workers {
    shown: Option<Worker>,
    pending: Option<Worker>,
}

/// The operations a worker read, from its columns (`sim::check::columns`).
fn ops_of(message: &js_sys::Array) -> Option<Vec<Operation>> {
    use js_sys::{Array, BigInt64Array, BigUint64Array, Uint32Array, Uint8Array};
    let names = |k: u32| -> Option<Vec<String>> {
        let a: Array = message.get(k).dyn_into().ok()?;
        a.iter().map(|v| v.as_string()).collect()
    };
    let c = sim::check::columns::Columns {
        processes: names(1)?,
        keys: names(2)?,
        process: message.get(3).dyn_into::<Uint32Array>().ok()?.to_vec(),
        key: message.get(4).dyn_into::<Uint32Array>().ok()?.to_vec(),
        kind: message.get(5).dyn_into::<Uint8Array>().ok()?.to_vec(),
        a: message.get(6).dyn_into::<BigUint64Array>().ok()?.to_vec(),
        b: message.get(7).dyn_into::<BigUint64Array>().ok()?.to_vec(),
        invoke: message.get(8).dyn_into::<BigInt64Array>().ok()?.to_vec(),
        complete: message.get(9).dyn_into::<BigInt64Array>().ok()?.to_vec(),
    };
    c.into_ops()
}

/// Opens a history file's text: the lab's worker reads it (the page carries no parser)
/// and hands back its operations, then checks them. A file that cannot be read leaves
/// what was open and says why.
fn open_text(
    name: String,
    text: String,
    run: Option<Rc<crate::lab::Finished>>,
    state: UseReducerDispatcher<HistoryState>,
    workers: Rc<RefCell<Workers>>,
    generation: Rc<RefCell<u32>>,
) {
    let n = {
        let mut g = generation.borrow_mut();
        *g += 1;
        *g
    };
    if let Some(w) = workers.borrow_mut().pending.take() {
        w.terminate();
    }
    let w = match Worker::new(crate::drill::WORKER_URL) {
        Ok(w) => w,
        Err(_) => {
            state.dispatch(HistoryAction::Error(
                "This browser would not start a Web Worker to read the history.".into(),
            ));
            return;
        }
    };
    state.dispatch(HistoryAction::Reading(name.clone()));
    // The text as it is, beside its kind: escaping 10 MB into JSON costs the page
    // more than the worker takes to check it.
    let request = js_sys::Array::of2(&"check".into(), &wasm_bindgen::JsValue::from_str(&text));
    drop(text);
    let on_message = {
        let state = state.clone();
        let w2 = w.clone();
        let request = RefCell::new(Some(request));
        let opened = std::cell::Cell::new(false);
        let workers = workers.clone();
        Closure::<dyn Fn(MessageEvent)>::new(move |m: MessageEvent| {
            let data = m.data();
            if let Some(a) = data.dyn_ref::<js_sys::Array>() {
                let ops = ops_of(a).unwrap_or_default();
                if ops.is_empty() {
                    state.dispatch(HistoryAction::Error(format!(
                        "{name} holds no operations to check. What was open stays open."
                    )));
                    workers.borrow_mut().pending = None;
                    w2.terminate();
                    return;
                }
                opened.set(true);
                {
                    let mut ws = workers.borrow_mut();
                    if let Some(old) = ws.shown.take() {
                        old.terminate();
                    }
                    ws.shown = ws.pending.take();
                }
                let keys = keys(&ops);
                let processes = ops
                    .iter()
                    .map(|o| o.process.as_str())
                    .collect::<std::collections::HashSet<_>>()
                    .len();
                state.dispatch(HistoryAction::Open(
                    n,
                    Rc::new(Loaded {
                        name: name.clone(),
                        ops,
                        keys,
                        processes,
                        run: run.clone(),
                    }),
                ));
                return;
            }
            let Ok(mut v) =
                serde_json::from_str::<serde_json::Value>(&data.as_string().unwrap_or_default())
            else {
                return;
            };
            if v.get("ready").is_some() {
                if let Some(r) = request.borrow_mut().take() {
                    let _ = w2.post_message(&r);
                }
            } else if let Some(e) = v.get("error").and_then(|e| e.as_str()) {
                if opened.get() {
                    state.dispatch(HistoryAction::Verdict(n, Err(e.to_string())));
                } else {
                    state.dispatch(HistoryAction::Error(format!(
                        "{name} is not a history this lab can read ({e}). It reads the lab's JSON lines and Jepsen's EDN history or log lines, of read, write and cas operations. What was open stays open."
                    )));
                    workers.borrow_mut().pending = None;
                }
                w2.terminate();
            } else if let Ok(verdict) = serde_json::from_value::<Verdict>(v["verdict"].take()) {
                let ms = v["ms"].as_f64().unwrap_or(0.0);
                state.dispatch(HistoryAction::Verdict(n, Ok((verdict, ms))));
                w2.terminate();
            }
        })
    };
    w.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let on_error = {
        let state = state.clone();
        Closure::<dyn Fn(web_sys::Event)>::new(move |_| {
            state.dispatch(HistoryAction::Error(
                "The history's worker failed to load; reload the page and try again.".into(),
            ))
        })
    };
    w.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    workers.borrow_mut().pending = Some(w);
}

/// Reads a file the person chose or dropped, then opens it.
fn open_file(
    file: web_sys::File,
    state: UseReducerDispatcher<HistoryState>,
    workers: Rc<RefCell<Workers>>,
    generation: Rc<RefCell<u32>>,
) {
    let name = file.name();
    wasm_bindgen_futures::spawn_local(async move {
        match crate::share::file_text(&file).await {
            Some(t) => open_text(name, t, None, state, workers, generation),
            None => state.dispatch(HistoryAction::Error(format!(
                "{name} could not be read as text. What was open stays open."
            ))),
        }
    });
}

/// The history view's panel.
#[component]
pub fn HistoryPanel(p: &HistoryProps) -> Html {
    let state = use_reducer(HistoryState::default);
    let workers: Rc<RefCell<Workers>> = use_mut_ref(Workers::default);
    let generation: Rc<RefCell<u32>> = use_mut_ref(|| 0);
    let opener = {
        let d = state.dispatcher();
        let (workers, generation) = (workers.clone(), generation.clone());
        move |file: web_sys::File| open_file(file, d.clone(), workers.clone(), generation.clone())
    };
    let on_file = {
        let opener = opener.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            if let Some(f) = input.files().and_then(|f| f.get(0)) {
                opener(f);
            }
            input.set_value("");
        })
    };
    let on_drop = {
        let opener = opener.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(f) = e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|f| f.get(0))
            {
                opener(f);
            }
        })
    };
    let on_run = {
        let d = state.dispatcher();
        let (workers, generation) = (workers.clone(), generation.clone());
        let run = p.run.clone();
        let name = format!("this run ({})", p.run_name);
        Callback::from(move |_: MouseEvent| {
            let Some(run) = run.clone() else { return };
            let text = sim::check::formats::write_json_lines(&run.history());
            open_text(
                name.clone(),
                text,
                Some(run),
                d.clone(),
                workers.clone(),
                generation.clone(),
            );
        })
    };
    let button = |label: &'static str, action: fn() -> HistoryAction, hint: &'static str| {
        let d = state.dispatcher();
        html! { <button type="button" title={hint} onclick={Callback::from(move |_: MouseEvent| d.dispatch(action()))}>{label}</button> }
    };
    let body = state.loaded.clone().map(|l| {
        let summary = format!(
            "{}: {} operations, {} {}, {} {}, times {} to {}.",
            l.name,
            sim::drill::thousands(l.ops.len() as u64),
            sim::drill::thousands(l.keys.len() as u64),
            if l.keys.len() == 1 { "key" } else { "keys" },
            l.processes,
            if l.processes == 1 { "process" } else { "processes" },
            sim::drill::thousands(state.lanes.start.max(0) as u64),
            sim::drill::thousands(state.lanes.end.max(0) as u64),
        );
        let violation = match &state.check {
            Check::Done(v, _) => v.violation.clone(),
            _ => None,
        };
        let verdict = match &state.check {
            Check::Checking => html! { <p class="history-verdict checking" role="status">{"Checking in a Web Worker… (the page stays usable)"}</p> },
            Check::Failed(m) => html! { <p class="error" role="alert">{m.clone()}</p> },
            Check::Done(v, ms) => {
                let scope = format!("{} states searched in {:.0} ms", sim::drill::thousands(v.states), ms);
                match (&v.linearizable, &v.violation) {
                    (Some(true), _) => html! { <p class="history-verdict ok" role="status"><strong>{"Linearizable"}</strong>{format!(": every key's operations have an order that respects real time ({scope}).")}</p> },
                    (Some(false), Some(x)) => html! { <p class="history-verdict bad" role="status"><strong>{format!("NOT linearizable from {} (key {})", sim::drill::thousands(x.at.max(0) as u64), x.key)}</strong>{format!(": {} ({scope}).", x.explanation)}</p> },
                    _ => html! { <p class="history-verdict unknown" role="status"><strong>{"Unknown"}</strong>{format!(": the search gave up after {} states on one key ({scope}).", sim::drill::thousands(sim::check::MAX_STATES))}</p> },
                }
            }
        };
        let on_key = {
            let d = state.dispatcher();
            Callback::from(move |e: Event| {
                if let Some(el) = e.target_dyn_into::<HtmlSelectElement>() {
                    let v = el.value();
                    d.dispatch(HistoryAction::Key((!v.is_empty()).then_some(v)));
                }
            })
        };
        let mut menu: Vec<&(String, usize)> = l.keys.iter().take(MENU_KEYS).collect();
        for k in [violation.as_ref().map(|v| &v.key), state.key.as_ref()].into_iter().flatten() {
            if !menu.iter().any(|(m, _)| m == k) {
                if let Some(e) = l.keys.iter().find(|(m, _)| m == k) {
                    menu.push(e);
                }
            }
        }
        let involved = state.involved();
        // The run's own history, while that run is shown: its times are the lab's.
        let in_run = matches!((&l.run, &p.run), (Some(a), Some(b)) if Rc::ptr_eq(a, b));
        let see = |i: usize| -> Html {
            let op = &l.ops[i];
            if !in_run || op.invoke < 0 {
                return Html::default();
            }
            let at = op.invoke as u64;
            let on_intent = p.on_intent.clone();
            let go = Callback::from(move |_: MouseEvent| {
                on_intent.emit(crate::state::Intent::Seek(at));
                if let Some(el) = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.query_selector(".banner-slot, section.controls").ok().flatten())
                {
                    el.scroll_into_view();
                }
            });
            html! { <button type="button" class="see-in-run" onclick={go} data-at={at.to_string()}>{format!("See it in the run at {:.1} s", at as f64 / 1000.0)}</button> }
        };
        let pointed = state.point.map(|i| {
            let op = &l.ops[i];
            format!("{}, key {}{}.", op.describe(), op.key, match involved.iter().position(|&j| j == i) {
                Some(0) => ": the operation no order can place",
                Some(_) => ": a last step of the longest valid order",
                None => "",
            })
        });
        html! {
            <>
                <p class="history-summary">{summary}</p>
                { verdict }
                <div class="history-tools">
                    <label>{"Key "}
                        <select onchange={on_key} aria-label="Show the operations of one key">
                            <option value="" selected={state.key.is_none()}>{format!("all keys ({})", sim::drill::thousands(l.keys.len() as u64))}</option>
                            { for menu.iter().map(|(k, n)| html! { <option key={k.clone()} value={k.clone()} selected={state.key.as_ref() == Some(k)}>{format!("{k} ({n})")}</option> }) }
                        </select>
                    </label>
                    { button("Zoom in", || HistoryAction::Zoom(0.5, None), "zoom in (+)") }
                    { button("Zoom out", || HistoryAction::Zoom(2.0, None), "zoom out (−)") }
                    { button("Whole history", || HistoryAction::Fit, "show the whole history (Home)") }
                    if violation.is_some() {
                        { button("Show the violation", || HistoryAction::ShowViolation, "its key, its operations (V)") }
                    }
                </div>
                <HistoryCanvas state={state.clone()} />
                <p class="history-point" aria-live="polite">{ pointed.unwrap_or_else(|| "Point at or tap an operation for its details; drag to move along, pinch or Ctrl + wheel to zoom. With the drawing focused: N and P go from operation to operation, ← → move, + − zoom, ↑ ↓ lanes, Home the whole history, V the violation.".into()) }{" "}{ state.point.map(&see).unwrap_or_default() }</p>
                <div class="history-legend" aria-hidden="true">
                    <span><i class="hk write" />{"write"}</span>
                    <span><i class="hk read" />{"read"}</span>
                    <span><i class="hk cas" />{"compare-and-set"}</span>
                    <span><i class="hk unknown" />{"never answered (unknown)"}</span>
                    <span><i class="hk failed" />{"failed (left out)"}</span>
                    <span><i class="hk culprit" />{"cannot be placed"}</span>
                    <span><i class="hk before" />{"last steps of the longest valid order"}</span>
                </div>
                if let Some(x) = &violation {
                    <div class="history-involved">
                        <h3>{"The operations the verdict names"}</h3>
                        <ol>
                            { for involved.iter().enumerate().map(|(k, &i)| {
                                let d = state.dispatcher();
                                let show = Callback::from(move |_: MouseEvent| d.dispatch(HistoryAction::Focus(i)));
                                html! {
                                    <li key={i}>
                                        { if k == 0 { "Cannot be placed: " } else { "In the longest valid order: " } }
                                        { l.ops[i].describe() }
                                        {" "}<button type="button" onclick={show} aria-label={format!("Show operation {} in the drawing", i + 1)}>{"Show"}</button>
                                        {" "}{ see(i) }
                                    </li>
                                }
                            }) }
                        </ol>
                        <p class="hint">{format!("Key {}: before it, the register held {} in the longest order found.", x.key, x.value.map_or("nil".to_string(), |v| v.to_string()))}</p>
                    </div>
                }
            </>
        }
    });
    html! {
        <section class="panel history" aria-label="History and its verdict" data-own-drop="true"
            ondragover={Callback::from(|e: DragEvent| e.prevent_default())} ondrop={on_drop}>
            <h2>{"History and its verdict"}</h2>
            <p class="hint">{"Is a history linearizable? Open one of your own (Jepsen's history.edn or its log lines, or the lab's JSON lines; see docs/history-format.md), or this run's, and see every operation in its process's lane, with the operations the verdict names highlighted. Drop a file here to open it."}</p>
            <div class="history-open">
                <label>{"Open a history file "}
                    <input type="file" accept=".edn,.jsonl,.json,.txt,.log,.ndjson" onchange={on_file} />
                </label>
                <button type="button" onclick={on_run} disabled={p.run.is_none()}>
                    { if p.run.is_none() { "This run's history (computing…)" } else { "Open this run's history" } }
                </button>
            </div>
            if let Some(m) = &state.error {
                <p class="error" role="alert">{m.clone()}</p>
            }
            if let Some(name) = &state.reading {
                <p class="history-reading" role="status">{format!("Reading {name} in a Web Worker…")}</p>
            }
            { body.unwrap_or_default() }
        </section>
    }
}
