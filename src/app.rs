//! The page: wires the lab state to the canvas, the controls and the panels, the
//! keyboard shortcuts, the play loop, and the state the end-to-end tests read.

use std::cell::Cell;
use std::rc::Rc;

use gloo::events::EventListener;
use gloo::timers::callback::Interval;
use wasm_bindgen::JsCast;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::canvas::{annotations, Canvas};
use crate::controls::Controls;
use crate::lab::default_scenario;
use crate::panels::{Banner, Beliefs, EventLog, OutcomePanel, ProcPanel, Topology};
use crate::settings::Settings;
use crate::state::{Intent, LabState};

thread_local! {
    /// The state last rendered, for `window.__sblState()`.
    static LATEST: std::cell::RefCell<Option<LabState>> = const { std::cell::RefCell::new(None) };
    /// An intent waiting for its render: (kind, when it was sent), for the benchmark.
    static PENDING: Cell<Option<(&'static str, f64)>> = const { Cell::new(None) };
}

fn perf_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Notes when a frame or a seek was asked for; the render effect reports how long it took.
fn mark(kind: &'static str) {
    PENDING.with(|p| p.set(Some((kind, perf_now()))));
}

/// Pushes `[kind, ms]` onto `window.__sblTimings` if a benchmark created that array.
fn report_timing() {
    if let Some((kind, t0)) = PENDING.with(|p| p.take()) {
        let Some(w) = web_sys::window() else { return };
        if let Ok(arr) = js_sys::Reflect::get(&w, &"__sblTimings".into()) {
            if let Some(arr) = arr.dyn_ref::<js_sys::Array>() {
                arr.push(&js_sys::Array::of2(&kind.into(), &(perf_now() - t0).into()));
            }
        }
    }
}

fn window_canvas_width() -> f64 {
    let size = |f: fn(&web_sys::Window) -> Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue>| {
        web_sys::window()
            .and_then(|w| f(&w).ok())
            .and_then(|v| v.as_f64())
    };
    let px = size(web_sys::Window::inner_width).unwrap_or(1280.0);
    let high = size(web_sys::Window::inner_height).unwrap_or(800.0);
    // An embedded lab in a short frame (a course page's 560×380 iframe) draws the
    // partitions side by side, scaled to fit, rather than stacked below the fold.
    let embedded_short = crate::address::embedded() && high < 600.0 && px >= 480.0;
    if embedded_short {
        crate::layout::canvas_width(px.max(crate::layout::NARROW_BELOW))
    } else {
        crate::layout::canvas_width(px)
    }
}

fn half_canvas_width() -> f64 {
    let px = web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|v| v.as_f64())
        .unwrap_or(1280.0);
    if px >= 900.0 {
        crate::layout::canvas_width(px / 2.0 - 20.0)
    } else {
        window_canvas_width()
    }
}

fn reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

fn set_global(key: &str, value: &str) {
    if let Some(w) = web_sys::window() {
        let _ = js_sys::Reflect::set(&w, &key.into(), &value.into());
    }
}

/// Where each intent goes: a lesson to the lesson panel (which sets its first stage
/// through the lab), everything else to the lab.
fn router(
    d: UseReducerDispatcher<LabState>,
    lesson: UseReducerDispatcher<crate::lesson::LessonState>,
) -> Callback<Intent> {
    Callback::from(move |i: Intent| match i {
        Intent::Lesson(l) => {
            for i in crate::lesson::stage(&l, 0, "") {
                d.dispatch(i);
            }
            lesson.dispatch(crate::lesson::LessonIntent::Open(l, 0));
        }
        i => {
            if matches!(i, Intent::Seek(_)) {
                mark("seek");
            }
            d.dispatch(i)
        }
    })
}

/// The page.
#[component]
pub fn App() -> Html {
    let boot = use_memo((), |_| crate::address::boot());
    let state = use_reducer(|| {
        let b = (*boot).clone();
        // A link whose scenario reads but does not run gets its message too.
        let (mut st, msg) = match LabState::new(b.scenario) {
            Ok(st) => (st, b.message),
            Err(e) => (
                LabState::new(default_scenario()).expect("the default preset builds"),
                Some(format!(
                    "This link could not be opened: {e}. Showing the default scenario instead."
                )),
            ),
        };
        st.lab.borrow_mut().message = msg.clone();
        st.message = msg;
        st
    });
    let embed = boot.view.embed;
    let lesson = use_reducer(crate::lesson::LessonState::default);
    let lessons = use_memo((), |_| sim::lesson::all());
    // A link that names a lesson opens it at its step.
    {
        let lesson = lesson.clone();
        let dispatcher = state.dispatcher();
        let asked = boot.view.lesson.clone();
        let packed = boot.view.lesson_packed.clone();
        let lessons = lessons.clone();
        use_effect_with((), move |_| {
            if let Some((name, step)) = asked {
                let found = match &packed {
                    Some(p) => match sim::link::unpack_lesson(p) {
                        Ok(l) => Some(l),
                        Err(e) => {
                            dispatcher.dispatch(Intent::Load(Err(format!(
                                "The lesson in this link could not be read: {e}."
                            ))));
                            return;
                        }
                    },
                    None => lessons.iter().find(|l| l.name == name).cloned(),
                };
                match found {
                    Some(l) => {
                        let l = Rc::new(l);
                        // The step's own preset, or the one it plays in, at its moment.
                        for i in crate::lesson::stage(&l, step - 1, "") {
                            dispatcher.dispatch(i);
                        }
                        lesson.dispatch(crate::lesson::LessonIntent::Open(l, step - 1));
                    }
                    None => dispatcher.dispatch(Intent::Load(Err(format!(
                        "There is no lesson named `{name}`; the lab opens without one."
                    )))),
                }
            }
        });
    }
    // The link's moment, speed and autoplay, once.
    {
        let dispatcher = state.dispatcher();
        let v = boot.view.clone();
        use_effect_with((), move |_| {
            if let Some(t) = v.t {
                dispatcher.dispatch(Intent::Seek(t));
            }
            if let Some((factor, paced)) = v.speed {
                dispatcher.dispatch(Intent::Speed(sim::pace::Speed { factor, paced }));
            }
            if v.autoplay {
                dispatcher.dispatch(Intent::TogglePlay);
            }
        });
    }
    // The address always holds the scenario shown, and the moment once paused: a
    // reload or a copied address brings the same run back. Loading a preset or a file
    // makes a new history entry, so that Back returns to the previous scenario.
    let push_next = use_mut_ref(|| false);
    {
        let scenario = state.lab.borrow().scenario();
        let paused_at = (!state.playing).then_some(state.view.now_ms);
        let push_next = push_next.clone();
        let keep = sim::link::LinkView {
            embed,
            panels: boot.view.panels.clone(),
            ..Default::default()
        };
        let following = lesson
            .lesson
            .as_ref()
            .map(|l| (l.name.clone(), lesson.step + 1));
        // A lesson of one's own travels whole in the address; a built-in one by name.
        let own_lesson = {
            let lessons = lessons.clone();
            (*use_memo(lesson.lesson.clone(), move |l| {
                l.as_ref()
                    .filter(|l| !lessons.iter().any(|b| b == l.as_ref()))
                    .map(|l| sim::link::pack_lesson(l))
            }))
            .clone()
        };
        let comparing = state.comparing().map(|c| (*c).clone());
        use_effect_with(
            (scenario, paused_at, following, own_lesson, comparing),
            move |(s, t, following, own, comparing)| {
                let v = sim::link::LinkView {
                    t: *t,
                    lesson: following.clone(),
                    lesson_packed: own.clone(),
                    compare: comparing.clone(),
                    ..keep
                };
                // Written once things settle, not on every seek of a scrub: packing a
                // scenario costs a few milliseconds that a seek should not pay.
                let s = s.clone();
                let timeout = gloo::timers::callback::Timeout::new(250, move || {
                    crate::address::show(&s, &v, push_next.replace(false));
                });
                move || drop(timeout)
            },
        );
    }
    // A link with `vs=` opens side by side.
    {
        let d = state.dispatcher();
        let asked = boot.view.compare.clone();
        use_effect_with((), move |_| {
            if let Some(c) = asked {
                d.dispatch(Intent::Compare(Some(c)));
            }
        });
    }
    // A scenario file dropped anywhere on the page opens, as "Open a scenario file" does.
    {
        let on_intent = router(state.dispatcher(), lesson.dispatcher());
        use_effect_with((), move |_| {
            let doc = gloo::utils::document();
            let options = gloo::events::EventListenerOptions::enable_prevent_default();
            let over = EventListener::new_with_options(&doc, "dragover", options, |e| {
                e.prevent_default();
            });
            let dropped = EventListener::new_with_options(&doc, "drop", options, move |e| {
                e.prevent_default();
                // A panel that opens files of its own (the history view) has read it.
                let own = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .and_then(|el| el.closest("[data-own-drop]").ok().flatten())
                    .is_some();
                if own {
                    return;
                }
                let file = e
                    .dyn_ref::<web_sys::DragEvent>()
                    .and_then(|d| d.data_transfer())
                    .and_then(|d| d.files())
                    .and_then(|f| f.get(0));
                if let Some(f) = file {
                    crate::share::read_file(f, on_intent.clone());
                }
            });
            move || drop((over, dropped))
        });
    }
    // Back and forward: open the scenario the address names now.
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|w| {
                EventListener::new(&w, "popstate", move |_| {
                    if let Some(r) = crate::address::scenario_now() {
                        dispatcher.dispatch(Intent::Load(r.map(Box::new)));
                    }
                })
            });
            move || drop(listener)
        });
    }
    let selected = use_state(|| None::<usize>);
    let help = use_state(|| false);
    let canvas_w = use_state(window_canvas_width);
    // Each side of a comparison: half the window where it is wide, else the whole.
    let half_w = use_state(half_canvas_width);
    let animate = use_memo((), |_| !reduced_motion());
    // Whether the scenario shown is the person's own (not a preset unchanged): worked
    // out when the scenario changes, not on every frame.
    let own = *use_memo(state.lab.borrow().scenario(), |s| {
        sim::presets::unchanged(s).is_none()
    });

    let on_intent = router(state.dispatcher(), lesson.dispatcher());

    // The play loop: real elapsed time times the speed, in one intent per frame.
    {
        let dispatcher = state.dispatcher();
        // It also runs while the rest of the run is being computed, a slice per frame.
        use_effect_with(
            (state.playing, state.computing),
            move |(playing, computing)| {
                let interval = (*playing || *computing).then(|| {
                    let perf = web_sys::window().and_then(|w| w.performance());
                    let last = Rc::new(Cell::new(perf.as_ref().map_or(0.0, |p| p.now())));
                    Interval::new(16, move || {
                        let now = perf.as_ref().map_or(16.0, |p| p.now());
                        let dt = (now - last.replace(now)).clamp(0.0, 100.0);
                        mark("frame");
                        dispatcher.dispatch(Intent::Frame(dt));
                    })
                });
                move || drop(interval)
            },
        );
    }

    // The canvas's width follows the window: narrow frames get the stacked layout.
    {
        let canvas_w = canvas_w.clone();
        let half_w = half_w.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|w| {
                EventListener::new(&w, "resize", move |_| {
                    canvas_w.set(window_canvas_width());
                    half_w.set(half_canvas_width());
                })
            });
            move || drop(listener)
        });
    }

    // Keyboard shortcuts for the whole page.
    {
        let dispatcher = state.dispatcher();
        let help = help.clone();
        use_effect_with((), move |_| {
            let doc = gloo::utils::document();
            // Not passive, so that Space and the arrows do not also scroll the page.
            let options = gloo::events::EventListenerOptions::enable_prevent_default();
            let listener = EventListener::new_with_options(&doc, "keydown", options, move |e| {
                let Some(e) = e.dyn_ref::<KeyboardEvent>() else {
                    return;
                };
                let in_field = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .is_some_and(|el| {
                        matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA")
                            // A drawing with keys of its own (the history view's).
                            || el.has_attribute("data-own-keys")
                    });
                if in_field || e.ctrl_key() || e.meta_key() || e.alt_key() {
                    return;
                }
                // A focused button does one thing: Space and Enter press it, nothing else.
                let on_button = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .is_some_and(|el| el.tag_name() == "BUTTON");
                if on_button && matches!(e.key().as_str(), " " | "Enter") {
                    return;
                }
                let intent = match e.key().as_str() {
                    " " => Some(Intent::TogglePlay),
                    "ArrowRight" => Some(Intent::Step),
                    "ArrowLeft" => Some(Intent::StepBack),
                    "]" | "PageDown" => Some(Intent::Moment(true)),
                    "[" | "PageUp" => Some(Intent::Moment(false)),
                    "h" | "H" => Some(Intent::Act(sim::FaultAction::Heal)),
                    "u" | "U" => Some(Intent::Undo),
                    "+" | "=" => Some(Intent::SpeedStep(1)),
                    "-" | "_" => Some(Intent::SpeedStep(-1)),
                    "l" | "L" | "e" | "E" => {
                        let which = if e.key().eq_ignore_ascii_case("l") {
                            "button.copy-link"
                        } else {
                            "button.copy-embed"
                        };
                        if let Some(b) = gloo::utils::document()
                            .query_selector(which)
                            .ok()
                            .flatten()
                            .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok())
                        {
                            b.click();
                        }
                        None
                    }
                    "?" => {
                        help.set(!*help);
                        None
                    }
                    "Escape" => {
                        help.set(false);
                        None
                    }
                    _ => return,
                };
                e.prevent_default();
                if let Some(i) = intent {
                    dispatcher.dispatch(i);
                }
            });
            move || drop(listener)
        });
    }

    // What the end-to-end tests read: the core's own report, not the drawing. It is
    // built only when asked for (`window.__sblState()`), never on the frame's hot path.
    {
        let state = state.clone();
        use_effect_with(state.version, move |_| {
            report_timing();
            LATEST.with(|l| *l.borrow_mut() = Some((*state).clone()));
        });
    }
    use_effect_with((), |_| {
        let report = wasm_bindgen::closure::Closure::<dyn Fn() -> String>::new(|| {
            LATEST.with(|l| l.borrow().as_ref().map(state_report).unwrap_or_default())
        });
        if let Some(w) = web_sys::window() {
            let _ = js_sys::Reflect::set(&w, &"__sblState".into(), report.as_ref());
        }
        // The page keeps this function for its whole life.
        report.forget();
    });
    use_effect_with((), |_| {
        if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
            set_global("__sblFirstDraw", &p.now().to_string());
        }
    });

    let lab = state.lab.borrow();
    let scenario = lab.scenario();
    let markers = lab.markers.clone();
    let names = lab.proc_names.clone();
    let progress = lab.progress(state.view.now_ms);
    let outcome_end = lab.final_outcome.clone();
    let revealed = state.reveal_end || state.view.now_ms >= lab.duration();
    let invariants = lab.final_invariants.clone();
    let export_markers = lab.markers.clone();
    let export_outcome = outcome_end.clone();
    let sys = lab.system();
    let words = sys.words;
    let notes = Rc::new(annotations(
        lab.signals(),
        state.view.now_ms,
        3000,
        &words,
        &names,
    ));
    let log = Rc::new(crate::panels::log_lines(lab.signals(), 60, &words));
    let caption = lab
        .markers
        .iter()
        .rev()
        .find(|m| m.time_ms <= state.view.now_ms)
        .map(|m| format!("{:.1} s: {}", m.time_ms as f64 / 1000.0, m.label))
        .unwrap_or_default();
    // The scenario shown is a preset unchanged, or the person's own (edited, or from a
    // file or a link): then the picker says so, and loading a preset asks first.
    let on_preset = {
        let d = on_intent.clone();
        let push_next = push_next.clone();
        let current = scenario.name.clone();
        Callback::from(move |e: Event| {
            let Some(sel) = e.target_dyn_into::<HtmlSelectElement>() else {
                return;
            };
            let asked = crate::share::may_replace(own, &sel.value(), &current);
            if asked {
                *push_next.borrow_mut() = true;
                d.emit(Intent::Preset(sel.value()));
            } else {
                // Kept: the picker goes back to "Your scenario".
                sel.set_value("");
            }
        })
    };
    let on_select = {
        let selected = selected.clone();
        Callback::from(move |i: usize| selected.set(Some(i)))
    };
    let on_lesson = {
        let lesson = lesson.clone();
        let d = on_intent.clone();
        let lessons = lessons.clone();
        Callback::from(move |e: Event| {
            let Some(sel) = e.target_dyn_into::<HtmlSelectElement>() else {
                return;
            };
            if let Some(l) = lessons.iter().find(|l| l.name == sel.value()).cloned() {
                let l = Rc::new(l);
                for i in crate::lesson::stage(&l, 0, "") {
                    d.emit(i);
                }
                lesson.dispatch(crate::lesson::LessonIntent::Open(l, 0));
            }
            sel.set_value("");
        })
    };
    let lesson_panel = html! {
        <crate::lesson::LessonPanel lesson={lesson.clone()} view={state.view.clone()} scenario={scenario.clone()}
            playing={state.playing} on_intent={on_intent.clone()} on_select={on_select.clone()} />
    };
    let toggle_help = {
        let help = help.clone();
        Callback::from(move |_: MouseEvent| help.set(!*help))
    };
    // The drawing, or both drawings at one moment when comparing side by side.
    let drawing = match state.twins.is_empty() {
        false => html! {
            <div class={classes!("side-by-side", (state.twins.len() > 1).then_some("many"))}>
                <section class="side" aria-label={format!("A: {}", state.a_label())}>
                    <h2 class="side-label">{format!("A: {}", state.a_label())}</h2>
                    <Canvas view={state.view.clone()} on_intent={on_intent.clone()} on_select={on_select} selected={*selected} animate={*animate} shown={state.shown} annotations={notes} {words} width={*half_w} />
                </section>
                { for state.twins.iter().enumerate().map(|(k, twin)| html! {
                    <crate::compare::TwinStage key={(*twin.changes).clone()} twin={twin.clone()} letter={sim::compare::letter(k + 1)} animate={*animate} width={*half_w} />
                }) }
            </div>
        },
        true => html! {
            <Canvas view={state.view.clone()} on_intent={on_intent.clone()} on_select={on_select} selected={*selected} animate={*animate} shown={state.shown} annotations={notes} {words} width={*canvas_w} />
        },
    };
    if embed {
        let v = sim::link::LinkView {
            t: Some(state.view.now_ms),
            ..Default::default()
        };
        let full = crate::address::url_for(&scenario, &v);
        let show = |p: &str| boot.view.panels.iter().any(|x| x == p);
        return html! {
            <main class="lab embed">
                <header class="embed-head">
                    <h1 class="embed-title">{&scenario.name}</h1>
                    <a href={full} target="_blank" rel="noopener">{"Open in Split-Brain Lab ↗"}</a>
                </header>
                if let Some(m) = &state.message {
                    <p class="error" role="alert">{m.clone()}</p>
                }
                <Banner view={state.view.clone()} base={state.split_base.clone()} {words} verdict={lab.verdict.clone()} />
                // The drawing and the lesson side by side where the frame is wide enough,
                // so that a reveal points at a drawing in view.
                <div class={classes!("stage", lesson.lesson.is_some().then_some("with-lesson"))}>
                    { drawing }
                    { lesson_panel }
                </div>
                <Controls now={state.view.now_ms} duration={lab.duration()} playing={state.playing} speed={state.speed} pace={crate::controls::pace_words(state.playing, state.holding, state.real_per_sim())}
                    markers={markers} can_undo={lab.can_undo()} on_intent={on_intent.clone()} {caption} involved={lab.involved.clone()} />
                <div class="panels">
                    <OutcomePanel now={progress} split_now_ms={state.view.split_brain_ms} now_ms={state.view.now_ms} end={outcome_end} {words} reveal={state.reveal_end || state.view.now_ms >= lab.duration()} on_intent={on_intent.clone()} />
                    if show("beliefs") && words.elects { <Beliefs view={state.view.clone()} {words} /> }
                    if show("process") { <ProcPanel view={state.view.clone()} proc={*selected} on_intent={on_intent.clone()} {words} system={sys.name.to_string()} scenario={scenario.clone()} message={state.message.clone().filter(|_| state.setting_error && state.own_setting)} /> }
                    if show("log") { <EventLog signals={log} names={names} on_intent={on_intent.clone()} {words} /> }
                    if show("settings") { <Settings scenario={scenario.clone()} on_intent={on_intent.clone()} message={state.message.clone().filter(|_| state.setting_error && !state.own_setting)} /> }
                </div>
            </main>
        };
    }
    html! {
        <main class="lab">
            <header>
                <h1>{"Split-Brain Lab"}</h1>
                <label class="preset">{"Scenario "}
                    <select onchange={on_preset} aria-label="Preset scenario">
                        if own {
                            <option value="" selected=true>{format!("Your scenario: {}", scenario.name)}</option>
                        }
                        { for sim::SYSTEMS.iter().map(|s| html! {
                            <optgroup label={s.title}>
                                { for s.presets.iter().map(|p| html! { <option value={p.name} selected={!own && p.name == scenario.name}>{format!("{} — {}", p.name, p.summary)}</option> }) }
                            </optgroup>
                        }) }
                    </select>
                </label>
                <button class="keys" onclick={toggle_help} aria-expanded={help.to_string()}>{"Keys (?)"}</button>
                <label class="lessons">{"Lesson "}
                    <select onchange={on_lesson} aria-label="Start a guided lesson">
                        <option value="" selected=true>{ if lesson.lesson.is_some() { "another lesson…" } else { "choose one…" } }</option>
                        { for lessons.iter().map(|l| html! { <option value={l.name.clone()}>{l.title.clone()}</option> }) }
                    </select>
                </label>
                <crate::share::ShareBar scenario={scenario.clone()} now={state.view.now_ms} compare={state.comparing()} />
            </header>
            <p class="summary">{&scenario.description}</p>
            <p class="try">{sys.try_first}{" "}{scenario.schedule_words()}</p>
            <details class="glossary">
                <summary>{"What am I looking at?"}</summary>
                <dl>
                    { for sys.glossary.iter().map(|(term, says)| html! { <><dt>{*term}</dt><dd>{*says}</dd></> }) }
                </dl>
            </details>
            if let Some(m) = state.message.as_ref().filter(|_| !state.setting_error) {
                <p class="error" role="alert">{m.clone()}</p>
            }
            <Banner view={state.view.clone()} base={state.split_base.clone()} {words} verdict={lab.verdict.clone()} />
            { lesson_panel }
            <Controls now={state.view.now_ms} duration={lab.duration()} playing={state.playing} speed={state.speed} pace={crate::controls::pace_words(state.playing, state.holding, state.real_per_sim())}
                markers={markers} can_undo={lab.can_undo()} on_intent={on_intent.clone()} {caption} involved={lab.involved.clone()} />
            { drawing }
            // Side by side: the difference under the two drawings.
            if !state.twins.is_empty() {
                <crate::compare::CompareTable twins={state.twins.clone()} a_label={state.a_label()} a_end={outcome_end.clone()} a_now={progress.clone()} reveal={revealed} {words} />
            }
            <div class="legend" aria-hidden="true">
                { for sys.legend.iter().map(|(role, label)| html! { <span><i class={classes!("k", crate::canvas::role_class(*role))} />{*label}</span> }) }
                // Crowns are for systems with someone in charge (a leader, a lock holder).
                if sys.legend.iter().any(|(r, _)| *r == sim::view::Role::Primary) {
                    <span><i class="k crown-key" />{format!("leads (newest {})", words.epoch)}</span>
                    <span><i class="k crown-key stale" />{"still believes it leads"}</span>
                }
                <span class="sep">{"Messages:"}</span>
                { for sys.messages.iter().map(|(kind, label)| html! { <span><i class={classes!("m", crate::canvas::kind_class(*kind))} />{*label}</span> }) }
                <span>{"✕ dropped by a cut"}</span>
            </div>
            <div class="panels">
                if words.elects { <Beliefs view={state.view.clone()} {words} /> }
                <OutcomePanel now={progress} split_now_ms={state.view.split_brain_ms} now_ms={state.view.now_ms} end={outcome_end} {words} reveal={state.reveal_end || state.view.now_ms >= lab.duration()} on_intent={on_intent.clone()} />
                <ProcPanel view={state.view.clone()} proc={*selected} on_intent={on_intent.clone()} {words} system={sys.name.to_string()} scenario={scenario.clone()} message={state.message.clone().filter(|_| state.setting_error && state.own_setting)} />
                <crate::export::ExportPanel scenario={scenario.clone()} view={state.view.clone()} outcome={export_outcome} {invariants} markers={export_markers} revealed={state.reveal_end || state.view.now_ms >= lab.duration()} />
                <EventLog signals={log} names={names} on_intent={on_intent.clone()} {words} />
                <Settings scenario={scenario.clone()} on_intent={on_intent.clone()} message={state.message.clone().filter(|_| state.setting_error && !state.own_setting)} />
                <crate::compare::CompareForm scenario={scenario.clone()} comparing={state.comparing()} on_intent={on_intent.clone()} />
                <crate::drill::DrillPanel scenario={scenario.clone()} sides={state.twins.iter().map(|t| (t.labels.clone(), t.lab.borrow().scenario())).collect::<Vec<_>>()} on_intent={on_intent.clone()} />
                <crate::history::HistoryPanel run={lab.finished.clone()} run_name={scenario.name.clone()} on_intent={on_intent.clone()} />
                <Topology scenario={scenario.clone()} on_intent={on_intent.clone()} />
                <crate::share::Share scenario={scenario.clone()} on_intent={on_intent.clone()} />
                <crate::conf_files::ConfFiles scenario={scenario.clone()} on_intent={on_intent.clone()} />
                <crate::flashcards::CheckYourself scenario={scenario.clone()} {own} on_intent={on_intent.clone()} />
            </div>
            if *help {
                <div class="help" role="dialog" aria-label="Keyboard shortcuts">
                    <h2>{"Keyboard"}</h2>
                    <dl>
                        <dt>{"Space"}</dt><dd>{"play / pause"}</dd>
                        <dt>{"] or Page Down, [ or Page Up"}</dt><dd>{"next / previous moment that matters"}</dd>
                        <dt>{"→ / ←"}</dt><dd>{"step one event forward / back"}</dd>
                        <dt>{"Tab"}</dt><dd>{"focus a box"}</dd>
                        <dt>{"A, B, C… on a box"}</dt><dd>{"move it into that partition"}</dd>
                        <dt>{"N on a box"}</dt><dd>{"cut it off into a new partition"}</dd>
                        <dt>{"H"}</dt><dd>{"heal the network"}</dd>
                        <dt>{"U"}</dt><dd>{"undo the last change"}</dd>
                        <dt>{"+ / −"}</dt><dd>{"faster / slower"}</dd>
                        <dt>{"L"}</dt><dd>{"copy a link to this scenario, at this moment"}</dd>
                        <dt>{"E"}</dt><dd>{"copy the code that embeds it in a course page"}</dd>
                        <dt>{"Click a process"}</dt><dd>{"its state; cut one of its links, crash or restart it"}</dd>
                        <dt>{"?"}</dt><dd>{"show / hide this help"}</dd>
                    </dl>
                    <button onclick={let h = help.clone(); Callback::from(move |_: MouseEvent| h.set(false))}>{"Close"}</button>
                </div>
            }
        </main>
    }
}

/// The state the end-to-end tests and the benchmark read, as JSON.
fn state_report(state: &LabState) -> String {
    let lab = state.lab.borrow();
    let v = &state.view;
    let islands: serde_json::Map<String, serde_json::Value> = v
        .boxes
        .iter()
        .map(|b| (b.name.clone(), b.island.into()))
        .collect();
    let roles: serde_json::Map<String, serde_json::Value> = v
        .procs
        .iter()
        .map(|p| (p.name.clone(), p.view.role_label.clone().into()))
        .collect();
    let o = &lab.final_outcome;
    let now = lab.progress(v.now_ms);
    let js = serde_json::json!({
        "preset": lab.scenario().name,
        "description": lab.scenario().description,
        "faults": lab.scenario().faults.len(),
        "now_ms": v.now_ms,
        "events": v.events,
        "playing": state.playing,
        "islands": islands,
        "roles": roles,
        "split_brain": v.split_brain_since.is_some(),
        "placement": v.procs.iter().map(|p| (p.name.clone(), serde_json::Value::from(v.boxes[p.on_box.idx()].name.clone()))).collect::<serde_json::Map<_, _>>(),
        "link_cuts": v.link_cuts.iter().map(|(a, b)| [v.procs[a.idx()].name.clone(), v.procs[b.idx()].name.clone()]).collect::<Vec<_>>(),
        "message": state.message,
        "settings": lab.scenario().settings,
        "own_settings": lab.scenario().processes().filter_map(|(_, p)| p.settings.clone().map(|x| (p.name.clone(), x))).collect::<serde_json::Map<_, _>>(),
        "system": lab.system().name,
        "leaders_so_far": now.leaders,
        "computing": state.computing,
        "twin": state.twins.first().map(twin_report),
        "twins": state.twins.iter().map(twin_report).collect::<Vec<_>>(),
        "end": o.as_ref().map(|o| serde_json::json!({"acked_writes_lost": o.acked_writes_lost, "new_leaders": o.new_leaders.len(), "unknown_writes_applied": o.unknown_writes_applied, "writes_acked": o.writes_acked, "counters": o.counters, "split_brain_ms": o.split_brain_ms, "fencing_rejections": o.fencing_rejections})),
    });
    js.to_string()
}

/// One other side of a comparison, as the end-to-end tests read it.
fn twin_report(t: &crate::state::Twin) -> serde_json::Value {
    let tl = t.lab.borrow();
    serde_json::json!({
        "changes": *t.changes,
        "labels": [t.labels.0.clone(), t.labels.1.clone()],
        "now_ms": t.view.now_ms,
        "computing": tl.computing(),
        "roles": t.view.procs.iter().map(|p| (p.name.clone(), serde_json::Value::from(p.view.role_label.clone()))).collect::<serde_json::Map<_, _>>(),
        "acked_so_far": tl.progress(t.view.now_ms).acked,
        "rejected_so_far": tl.progress(t.view.now_ms).rejected,
        "end_lost": tl.final_outcome.as_ref().map(|o| o.acked_writes_lost),
    })
}
