//! Side by side: the scenario shown next to the same scenario with settings changed
//! (up to three others), on one timeline (each follows the first's moment, faults and
//! all), and the difference in outcome under them. The other configurations, the table
//! and the sentence come from the core (`sim::compare`); this file holds the form and
//! the drawings of the other sides.

use std::rc::Rc;

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::canvas::Canvas;
use crate::state::{Intent, Twin};

/// A side's label as a column heading: free to wrap after an underscore or an equals
/// sign (a zero-width space), so that a long `setting_name=1` fits a phone's column.
pub fn breakable(label: &str) -> String {
    label.replace('_', "_\u{200B}").replace('=', "=\u{200B}")
}

/// Properties of the form that starts and stops a comparison.
#[derive(Properties, PartialEq)]
pub struct CompareFormProps {
    /// The scenario shown.
    pub scenario: Rc<sim::Scenario>,
    /// The sides compared now (`SIDE|SIDE`), if comparing.
    pub comparing: Option<Rc<String>>,
    /// Sends an intent.
    pub on_intent: Callback<Intent>,
}

/// "Side by side": pick a setting and a value (or a preset) for another side, remove a
/// side, or stop comparing.
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
    let now: Vec<String> = p
        .comparing
        .as_deref()
        .map(|c| {
            sim::compare::sides(c)
                .into_iter()
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    // A new side joins those compared now.
    let with = {
        let now = now.clone();
        move |side: String| {
            let mut all = now.clone();
            all.push(side);
            Intent::Compare(Some(all.join("|")))
        }
    };
    let start = {
        let (i, chosen, value, with) = (
            p.on_intent.clone(),
            chosen.clone(),
            value.clone(),
            with.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            i.emit(with(format!("{chosen}={}", value.trim())));
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
            i.emit(with(format!("preset:{chosen}")));
        })
    };
    let stop = {
        let i = p.on_intent.clone();
        Callback::from(move |_: MouseEvent| i.emit(Intent::Compare(None)))
    };
    let room = now.len() + 1 < sim::compare::MAX_SIDES;
    let listed = now.iter().enumerate().map(|(k, side)| {
        let many = now.len() > 1;
        let (i, now) = (p.on_intent.clone(), now.clone());
        let remove = Callback::from(move |_: MouseEvent| {
            let rest: Vec<&str> = now.iter().enumerate().filter(|(j, _)| *j != k).map(|(_, x)| x.as_str()).collect();
            i.emit(Intent::Compare((!rest.is_empty()).then(|| rest.join("|"))));
        });
        let what = match side.strip_prefix("preset:") {
            Some(name) => format!("the preset {name}, on its own faults and seed"),
            None => format!("{side}, on the same faults and seed"),
        };
        html! {
            <li key={side.clone()}>
                <strong>{format!("{}: ", sim::compare::letter(k + 1))}</strong>{what}{" "}
                if many {
                    <button type="button" class="remove-side" onclick={remove} aria-label={format!("Remove side {}", sim::compare::letter(k + 1))}>{"Remove"}</button>
                }
            </li>
        }
    });
    html! {
        <section class="panel compare" aria-label="Side by side">
            <h2>{"Side by side"}</h2>
            if p.comparing.is_some() {
                <p>{"Comparing on one timeline, against A (this scenario):"}</p>
                <ul class="compare-sides">{ for listed }</ul>
                <button class="stop-compare" onclick={stop}>{"Stop comparing"}</button>
            } else {
                <p class="hint">{"Run this scenario next to the same one with one setting changed: the same faults, the same seed, one timeline, and the difference in outcome."}</p>
            }
            if room {
                if p.comparing.is_some() {
                    <p class="hint">{format!("Add another side (up to {} in all):", sim::compare::MAX_SIDES)}</p>
                }
                <form class="compare-form" onsubmit={start}>
                    <label>{"Setting "}
                        <select onchange={on_path}>
                            { for settings.map(|d| html! { <option value={d.path} selected={d.path == chosen}>{format!("{} ({})", d.label, d.path)}</option> }) }
                        </select>
                    </label>
                    <label>{"Value "}<input type="text" value={(*value).clone()} oninput={on_value} /></label>
                    <button type="submit">{ if p.comparing.is_some() { "Add this side" } else { "Compare side by side" } }</button>
                </form>
                <form class="compare-form" onsubmit={start_preset}>
                    <label>{"Or another preset, another system too "}
                        <select onchange={on_preset}>
                            { for others.iter().map(|(_, x)| html! { <option value={x.name} selected={x.name == chosen_preset}>{x.name}</option> }) }
                        </select>
                    </label>
                    <button type="submit">{ if p.comparing.is_some() { "Add this preset" } else { "Compare with this preset" } }</button>
                </form>
            }
        </section>
    }
}

/// Properties of another side's drawing.
#[derive(Properties)]
pub struct TwinStageProps {
    /// The configuration.
    pub twin: Twin,
    /// Its letter (B, C, D).
    pub letter: char,
    /// Whether messages move.
    pub animate: bool,
    /// The drawing's width.
    pub width: f64,
}

/// Properties of the table under the drawings.
#[derive(Properties)]
pub struct TableProps {
    /// The other sides.
    pub twins: Vec<Twin>,
    /// What tells the first side apart.
    pub a_label: String,
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

/// Another side's drawing, labelled (it follows the first: act there).
#[component]
pub fn TwinStage(p: &TwinStageProps) -> Html {
    let t = p.twin.lab.borrow();
    let lb = &p.twin.labels.1;
    let x = p.letter;
    // Another system draws in its own words (its own epoch and leader words).
    let words = t.system().words;
    let noop = Callback::from(|_: Intent| {});
    html! {
        <section class="side twin" aria-label={format!("{x}: the same scenario with {lb}")}>
            <h2 class="side-label">{format!("{x}: {lb}")}</h2>
            <Canvas view={p.twin.view.clone()} on_intent={noop} on_select={Callback::from(|_: usize| {})} selected={None::<usize>}
                animate={p.animate} shown={t.shown()} annotations={Rc::new(Vec::new())} {words} width={p.width} readonly=true />
        </section>
    }
}

/// The difference in outcome under the drawings: the counts so far, and the whole
/// runs' table once the end is reached or shown.
#[component]
pub fn CompareTable(p: &TableProps) -> Html {
    let labs: Vec<_> = p.twins.iter().map(|t| t.lab.borrow()).collect();
    let mut labels = vec![p.a_label.clone()];
    labels.extend(p.twins.iter().map(|t| t.labels.1.clone()));
    let head = html! {
        <thead><tr><td></td>{ for labels.iter().enumerate().map(|(k, l)| html! { <th scope="col">{format!("{}: {}", sim::compare::letter(k), breakable(l))}</th> }) }</tr></thead>
    };
    let ends: Option<Vec<Rc<sim::Outcome>>> = std::iter::once(p.a_end.clone())
        .chain(labs.iter().map(|t| t.final_outcome.clone()))
        .collect();
    let table = match ends.filter(|_| p.reveal) {
        Some(ends) => {
            let outcomes: Vec<&sim::Outcome> = ends.iter().map(|o| o.as_ref()).collect();
            let rows = sim::compare::table(&outcomes, &p.words);
            let sides: Vec<(&str, &sim::Outcome)> = labels
                .iter()
                .map(String::as_str)
                .zip(outcomes.iter().copied())
                .collect();
            html! {
                <>
                <p class="compare-sentence">{sim::compare::sentence(&sides, &p.words)}</p>
                <table class="compare-table">
                    {head}
                    <tbody>
                        { for rows.iter().map(|r| html! {
                            <tr key={r.label.clone()} class={classes!(r.differs.then_some("differs"))}>
                                <th scope="row">{&r.label}</th>{ for r.values.iter().map(|v| html! { <td>{v}</td> }) }
                            </tr>
                        }) }
                    </tbody>
                </table>
                </>
            }
        }
        None => {
            let now: Vec<crate::lab::Progress> = std::iter::once(p.a_now.clone())
                .chain(
                    labs.iter()
                        .zip(&p.twins)
                        .map(|(t, twin)| t.progress(twin.view.now_ms)),
                )
                .collect();
            let row = |label: String, f: fn(&crate::lab::Progress) -> u64| {
                html! {
                    <tr><th scope="row">{label}</th>{ for now.iter().map(|x| html! { <td>{f(x)}</td> }) }</tr>
                }
            };
            html! {
                <table class="compare-table">
                    <caption>{"So far (the whole runs' difference shows once the end is reached or shown)"}</caption>
                    {head}
                    <tbody>
                        { row("writes acknowledged".into(), |x| x.acked) }
                        { row("writes refused".into(), |x| x.rejected) }
                        { row("writes without an answer".into(), |x| x.unknown) }
                        if p.words.elects {
                            { row(format!("new {}s", p.words.leader), |x| x.leaders) }
                        }
                    </tbody>
                </table>
            }
        }
    };
    html! {
        // Focusable, so that a table wider than a phone scrolls from the keyboard too.
        <div class="compare-result" aria-live="polite" tabindex="0" role="region" aria-label="The difference in outcome">{table}</div>
    }
}
