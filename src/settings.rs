//! The settings: the scenario's, in the Settings panel, and one process's own (the
//! real systems keep most settings per process), in the process panel. Both come from the
//! system's description, and both send `--set` style intents the core validates.

use std::rc::Rc;

use sim::system::{SettingDesc, SettingKind};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::state::Intent;

/// The value at a dotted `path` of a JSON value, as a control shows it.
fn at(v: &serde_json::Value, path: &str) -> Option<String> {
    let mut cur = v;
    for part in path.split('.') {
        cur = cur.get(part)?;
    }
    Some(match cur {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        x => x.to_string(),
    })
}

/// The value in force for `path`, defaults included.
fn current(s: &sim::Scenario, path: &str) -> String {
    let mut v = serde_json::to_value(s).unwrap_or_default();
    if let Ok(eff) = sim::simulation::effective_settings(s) {
        v["settings"] = eff;
    }
    let full = if path.starts_with("network.") {
        path.to_string()
    } else {
        format!("settings.{path}")
    };
    at(&v, &full).unwrap_or_default()
}

/// The control for one setting: a checkbox, a list or a field, described by `help_id`.
fn control(d: &SettingDesc, id: &str, help_id: &str, value: &str, set: Callback<String>) -> Html {
    match d.kind {
        SettingKind::Flag => {
            let on = value == "true";
            let onclick = Callback::from(move |_: MouseEvent| set.emit((!on).to_string()));
            html! { <input id={id.to_string()} type="checkbox" name={d.path} checked={on} {onclick} aria-describedby={help_id.to_string()} /> }
        }
        SettingKind::Choice(options) => {
            let onchange = Callback::from(move |e: Event| {
                if let Some(sel) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                    set.emit(sel.value());
                }
            });
            html! {
                <select id={id.to_string()} name={d.path} {onchange} aria-describedby={help_id.to_string()}>
                    { for options.iter().map(|o| html! { <option value={*o} selected={*o == value}>{*o}</option> }) }
                </select>
            }
        }
        SettingKind::Number { .. } | SettingKind::Text => {
            let onchange = Callback::from(move |e: Event| {
                if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                    set.emit(input.value());
                }
            });
            html! { <input id={id.to_string()} name={d.path} value={value.to_string()} {onchange} aria-describedby={help_id.to_string()} /> }
        }
    }
}

/// A message as a sentence: with its full stop.
fn sentence(m: &str) -> String {
    if m.ends_with('.') {
        m.to_string()
    } else {
        format!("{m}.")
    }
}

/// " (1–3600)" or " (at least 1)" for a number's range.
fn range(d: &SettingDesc) -> String {
    match d.kind {
        SettingKind::Number { min, max } if max >= u32::MAX as u64 => format!(" (at least {min})"),
        SettingKind::Number { min, max } => format!(" ({min}–{max})"),
        _ => String::new(),
    }
}

/// Properties of the settings panel.
#[derive(Properties, PartialEq)]
pub struct SettingsProps {
    /// The scenario now.
    pub scenario: Rc<sim::Scenario>,
    /// Send an intent.
    pub on_intent: Callback<Intent>,
    /// The last error in plain words.
    pub message: Option<String>,
}

/// The settings, each with its real configuration name, and facts from the topology:
/// all from the system's description.
#[component]
pub fn Settings(p: &SettingsProps) -> Html {
    let s = &p.scenario;
    let Ok(sys) = sim::system::find(&s.system) else {
        return Html::default();
    };
    let fields = sys
        .settings
        .iter()
        .chain(sim::system::NETWORK_SETTINGS)
        .map(|d| {
            let i = p.on_intent.clone();
            let path = d.path;
            let id = format!("set-{}", d.path.replace('.', "-"));
            let help_id = format!("help-{}", d.path.replace('.', "-"));
            let value = current(s, d.path);
            let set = Callback::from(move |v: String| i.emit(Intent::Set(path.to_string(), v)));
            let per = if d.per.is_empty() {
                String::new()
            } else {
                " Each process can have its own: see its panel.".to_string()
            };
            html! {
                <div class="setting" key={d.path}>
                    <label for={id.clone()}>{d.label}</label>
                    { control(d, &id, &help_id, &value, set) }
                    <small id={help_id}><code>{d.conf}</code>{" — "}{d.help}{range(d)}{per}</small>
                </div>
            }
        });
    html! {
        <section class="panel settings" aria-label="Settings">
            <h2>{format!("Settings: {}", sys.title)}</h2>
            { for (sys.facts)(s).into_iter().map(|f| html! { <p class="facts">{f}</p> }) }
            if let Some(m) = &p.message {
                <p class="error" role="alert">{sentence(m)}{" The previous value stays in force."}</p>
            }
            { for fields }
        </section>
    }
}

/// "boxes[0].processes[3].settings.repl_timeout_s: must be …" as "Replication timeout
/// (s) (repl-timeout): must be …".
fn own_error(m: &str, mine: &[&SettingDesc]) -> String {
    let Some((_, rest)) = m.split_once(".settings.") else {
        return m.to_string();
    };
    match rest.split_once(": ") {
        Some((path, why)) => match mine.iter().find(|d| d.path == path) {
            Some(d) => format!("{} ({}): {why}", d.label, d.conf),
            None => rest.to_string(),
        },
        None => rest.to_string(),
    }
}

/// Properties of one process's own settings.
#[derive(Properties, PartialEq)]
pub struct OwnSettingsProps {
    /// The scenario now.
    pub scenario: Rc<sim::Scenario>,
    /// The process's name.
    pub name: String,
    /// Send an intent.
    pub on_intent: Callback<Intent>,
    /// The last error about one of these settings.
    pub message: Option<String>,
}

/// The settings a process of this kind reads from its own configuration file: each
/// shows the value it runs with, whether it is its own or the scenario's, and goes
/// back to the scenario's with one button.
#[component]
pub fn OwnSettings(p: &OwnSettingsProps) -> Html {
    let s = &p.scenario;
    let Ok(sys) = sim::system::find(&s.system) else {
        return Html::default();
    };
    let Some(k) = s.processes().position(|(_, x)| x.name == p.name) else {
        return Html::default();
    };
    let spec = s
        .processes()
        .nth(k)
        .map(|(_, x)| x.clone())
        .expect("found above");
    let mine: Vec<&SettingDesc> = sys
        .settings
        .iter()
        .filter(|d| d.per.contains(&spec.kind.as_str()))
        .collect();
    if mine.is_empty() {
        return Html::default();
    }
    // The values it runs with: the scenario's, with its own merged over them.
    let mut alone: sim::Scenario = (**s).clone();
    alone.settings = s.settings_for(k);
    let effective = (sys.effective_settings)(&alone).unwrap_or_default();
    let own = spec.settings.clone().unwrap_or_default();
    let (bi, pj) = s.locate(k);
    let base = format!("boxes.{bi}.processes.{pj}.settings");
    let kind = sys.kind(&spec.kind).map_or("process", |x| x.label);
    let name = p.name.clone();
    let n_own = mine.iter().filter(|d| at(&own, d.path).is_some()).count();
    let rows = mine.iter().map(|d| {
        let path = format!("{base}.{}", d.path);
        let id = format!("own-{}-{}", name, d.path.replace('.', "-"));
        let help_id = format!("ownhelp-{}-{}", name, d.path.replace('.', "-"));
        let value = at(&effective, d.path).unwrap_or_default();
        let is_own = at(&own, d.path).is_some();
        let set = {
            let i = p.on_intent.clone();
            let path = path.clone();
            Callback::from(move |v: String| i.emit(Intent::Set(path.clone(), v)))
        };
        let reset = {
            let i = p.on_intent.clone();
            Callback::from(move |_: MouseEvent| i.emit(Intent::Set(path.clone(), "null".into())))
        };
        html! {
            <div class={classes!("setting", is_own.then_some("own"))} key={d.path}>
                <label for={id.clone()}>{d.label}</label>
                { control(d, &id, &help_id, &value, set) }
                <small id={help_id}>
                    <code>{d.conf}</code>{range(d)}{" — "}
                    if is_own {
                        <strong>{format!("{name}'s own")}</strong>{" "}
                        <button class="link" onclick={reset} aria-label={format!("{name}: use the scenario's {}", d.label)}>{"use the scenario's"}</button>
                    } else {
                        {"the scenario's"}
                    }
                </small>
            </div>
        }
    });
    html! {
        <details class="own-settings" open={n_own > 0 || p.message.is_some()}>
            <summary>{format!("{}'s own settings ({})", p.name, if n_own == 0 { "none: it runs with the scenario's".to_string() } else { format!("{n_own} of its own") })}</summary>
            <p class="muted">{format!("Each {kind} has its own configuration: a value set here is {}'s alone, and the others keep the scenario's.", p.name)}</p>
            if let Some(m) = &p.message {
                // The field path names this process already: say the setting by its
                // label and real name.
                <p class="error" role="alert">{sentence(&own_error(m, &mine))}{" The previous value stays in force."}</p>
            }
            { for rows }
        </details>
    }
}
