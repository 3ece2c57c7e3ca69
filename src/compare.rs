//! Side by side: the scenario shown next to the same scenario with settings changed,
//! on one timeline (the second follows the first's moment, faults and all), and the
//! difference in outcome under them. The second configuration, its table and its
//! sentence come from the core (`sim::compare`); this file holds the form and the
//! drawing of the second side.

use std::rc::Rc;

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::canvas::Canvas;
use crate::state::{Intent, Twin};

/// Properties of the form that starts and stops a comparison.
#[derive(Properties, PartialEq)]
pub struct CompareFormProps {
    /// The scenario shown.
    pub scenario: Rc<sim::Scenario>,
    /// The changes compared now, if comparing.
    pub comparing: Option<Rc<String>>,
    /// Sends an intent.
    pub on_intent: Callback<Intent>,
}

/// "Side by side": pick a setting and a value, or stop comparing.
#[component]
pub fn CompareForm(p: &CompareFormProps) -> Html {
    let path = use_state(String::new);
    let value = use_state(String::new);
    let preset = use_state(String::new);
    let Ok(sys) = sim::system::find(&p.scenario.system) else {
        return Html::default();
    };
    let settings = sys.settings.iter().chain(sim::system::NETWORK_SETTINGS);
    let chosen = if path.is_empty() {
        sys.settings.first().map_or("", |d| d.path).to_string()
    } else {
        (*path).clone()
    };
    let on_path = {
        let path = path.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<HtmlSelectElement>() {
                path.set(s.value());
            }
        })
    };
    let on_value = {
        let value = value.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                value.set(i.value());
            }
        })
    };
    let start = {
        let (i, chosen, value) = (p.on_intent.clone(), chosen.clone(), value.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            i.emit(Intent::Compare(Some(format!("{chosen}={}", value.trim()))));
        })
    };
    let on_preset = {
        let preset = preset.clone();
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<HtmlSelectElement>() {
                preset.set(s.value());
            }
        })
    };
    // Every other preset, with its system, so another system can be offered first.
    let others: Vec<(&str, &sim::presets::Preset)> = sim::SYSTEMS
        .iter()
        .flat_map(|d| d.presets.iter().map(move |x| (d.name, x)))
        .filter(|(_, x)| x.name != p.scenario.name)
        .collect();
    let chosen_preset = if preset.is_empty() {
        others
            .iter()
            .find(|(sys, _)| *sys != p.scenario.system)
            .or(others.first())
            .map_or(String::new(), |(_, x)| x.name.to_string())
    } else {
        (*preset).clone()
    };
    let start_preset = {
        let (i, chosen) = (p.on_intent.clone(), chosen_preset.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            i.emit(Intent::Compare(Some(format!("preset:{chosen}"))));
        })
    };
    let stop = {
        let i = p.on_intent.clone();
        Callback::from(move |_: MouseEvent| i.emit(Intent::Compare(None)))
    };
    html! {
        <section class="panel compare" aria-label="Side by side">
            <h2>{"Side by side"}</h2>
            if let Some(c) = &p.comparing {
                if let Some(name) = c.strip_prefix("preset:") {
                    <p>{format!("Comparing with the preset {name}, on its own faults and seed, on one timeline.")}</p>
                } else {
                    <p>{format!("Comparing with {c}: both run the same faults and seed, on one timeline.")}</p>
                }
                <button class="stop-compare" onclick={stop}>{"Stop comparing"}</button>
            } else {
                <p class="hint">{"Run this scenario next to the same one with one setting changed: the same faults, the same seed, one timeline, and the difference in outcome."}</p>
                <form class="compare-form" onsubmit={start}>
                    <label>{"Setting "}
                        <select onchange={on_path}>
                            { for settings.map(|d| html! { <option value={d.path} selected={d.path == chosen}>{format!("{} ({})", d.label, d.path)}</option> }) }
                        </select>
                    </label>
                    <label>{"Value "}<input type="text" value={(*value).clone()} oninput={on_value} /></label>
                    <button type="submit">{"Compare side by side"}</button>
                </form>
                <form class="compare-form" onsubmit={start_preset}>
                    <label>{"Or another preset, another system too "}
                        <select onchange={on_preset}>
                            { for others.iter().map(|(_, x)| html! { <option value={x.name} selected={x.name == chosen_preset}>{x.name}</option> }) }
                        </select>
                    </label>
                    <button type="submit">{"Compare with this preset"}</button>
                </form>
            }
        </section>
    }
}

/// Properties of the second side's drawing.
#[derive(Properties)]
pub struct TwinStageProps {
    /// The second configuration.
    pub twin: Twin,
    /// Whether messages move.
    pub animate: bool,
    /// The drawing's width.
    pub width: f64,
}

/// Properties of the table under the two drawings.
#[derive(Properties)]
pub struct TableProps {
    /// The second configuration.
    pub twin: Twin,
    /// The first configuration's whole-run outcome, once computed.
    pub a_end: Option<Rc<sim::Outcome>>,
    /// The first configuration's counts so far.
    pub a_now: crate::lab::Progress,
    /// Whether the ending may be shown.
    pub reveal: bool,
    /// The first configuration's words.
    pub words: sim::process::Words,
}

// The twin's lab changes behind its cell: draw both every time the page does.
impl PartialEq for TwinStageProps {
    fn eq(&self, _: &Self) -> bool {
        false
    }
}

impl PartialEq for TableProps {
    fn eq(&self, _: &Self) -> bool {
        false
    }
}

/// The second configuration's drawing, labelled (it follows the first: act there).
#[component]
pub fn TwinStage(p: &TwinStageProps) -> Html {
    let t = p.twin.lab.borrow();
    let lb = &p.twin.labels.1;
    // Another system draws in its own words (its own epoch and leader words).
    let words = t.system().words;
    let noop = Callback::from(|_: Intent| {});
    html! {
        <section class="side twin" aria-label={format!("B: the same scenario with {lb}")}>
            <h2 class="side-label">{format!("B: {lb}")}</h2>
            <Canvas view={p.twin.view.clone()} on_intent={noop} on_select={Callback::from(|_: usize| {})} selected={None::<usize>}
                animate={p.animate} shown={t.shown()} annotations={Rc::new(Vec::new())} {words} width={p.width} readonly=true />
        </section>
    }
}

/// The difference in outcome under the two drawings: the counts so far, and the
/// whole runs' table once the end is reached or shown.
#[component]
pub fn CompareTable(p: &TableProps) -> Html {
    let t = p.twin.lab.borrow();
    let (la, lb) = &*p.twin.labels;
    let b_now = t.progress(p.twin.view.now_ms);
    let b_end = t.final_outcome.clone();
    let table = match (&p.a_end, &b_end, p.reveal) {
        (Some(a), Some(b), true) => {
            let rows = sim::compare::table(a, b, &p.words);
            html! {
                <>
                <p class="compare-sentence">{sim::compare::sentence(la, a, lb, b, &p.words)}</p>
                <table class="compare-table">
                    <thead><tr><td></td><th scope="col">{format!("A: {la}")}</th><th scope="col">{format!("B: {lb}")}</th></tr></thead>
                    <tbody>
                        { for rows.iter().map(|r| html! {
                            <tr key={r.label.clone()} class={classes!(r.differs.then_some("differs"))}>
                                <th scope="row">{&r.label}</th><td>{&r.a}</td><td>{&r.b}</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
                </>
            }
        }
        _ => {
            let a = &p.a_now;
            html! {
                <table class="compare-table">
                    <caption>{"So far (the whole runs' difference shows once the end is reached or shown)"}</caption>
                    <thead><tr><td></td><th scope="col">{format!("A: {la}")}</th><th scope="col">{format!("B: {lb}")}</th></tr></thead>
                    <tbody>
                        <tr><th scope="row">{"writes acknowledged"}</th><td>{a.acked}</td><td>{b_now.acked}</td></tr>
                        <tr><th scope="row">{"writes refused"}</th><td>{a.rejected}</td><td>{b_now.rejected}</td></tr>
                        <tr><th scope="row">{"writes without an answer"}</th><td>{a.unknown}</td><td>{b_now.unknown}</td></tr>
                        if p.words.elects {
                            <tr><th scope="row">{format!("new {}s", p.words.leader)}</th><td>{a.leaders}</td><td>{b_now.leaders}</td></tr>
                        }
                    </tbody>
                </table>
            }
        }
    };
    html! {
        <div class="compare-result" aria-live="polite">{table}</div>
    }
}
