//! Sharing and loading scenarios: copy a link or an embed code, save the scenario to a
//! file, open one (or drop it on the page), with plain-language errors.

use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::panels::ScenarioProps;
use crate::state::Intent;

/// A file's text, as the browser reads it; None if it is not text.
pub async fn file_text(file: &web_sys::File) -> Option<String> {
    wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .ok()
        .and_then(|t| t.as_string())
}

/// Reads a scenario file the person chose or dropped, and loads it if it is one; the
/// current scenario stays, with a message in plain words, if it is not.
pub fn read_file(file: web_sys::File, on_intent: Callback<Intent>) {
    let name = file.name();
    wasm_bindgen_futures::spawn_local(async move {
        let intent = match file_text(&file).await {
            None => Intent::Load(Err(format!(
                "{name} could not be read as text. Nothing was changed."
            ))),
            // A lesson file has steps; anything else is read as a scenario.
            Some(t) if is_lesson(&t) => match sim::lesson::Lesson::from_json(&t) {
                Ok(l) => Intent::Lesson(std::rc::Rc::new(l)),
                Err(e) => Intent::Load(Err(format!(
                    "{name} is not a lesson this lab can follow: {e}. Nothing was changed."
                ))),
            },
            // A configuration file has its own panel, where every line gets its note.
            Some(_) if name.ends_with(".conf") => Intent::Load(Err(format!(
                "{name} is a configuration file: open it under \"Your configuration files\", which reads it line by line. Nothing was changed."
            ))),
            Some(t) => match sim::Scenario::from_json(&t) {
                Ok(s) => Intent::Load(Ok(Box::new(s))),
                Err(e) => Intent::Load(Err(format!(
                    "{name} is not a scenario this lab can run: {e}. Nothing was changed."
                ))),
            },
        };
        on_intent.emit(intent);
    });
}

/// Whether the person agrees to open `preset` over their own scenario `current` (a
/// preset unchanged is replaced without asking: nothing of theirs is lost).
pub fn may_replace(own: bool, preset: &str, current: &str) -> bool {
    !own || web_sys::window()
        .and_then(|w| {
            w.confirm_with_message(&format!(
                "Open the preset {preset}? Your scenario \"{current}\" is replaced; Undo (U) brings it back."
            ))
            .ok()
        })
        .unwrap_or(true)
}

fn is_lesson(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .is_some_and(|v| v.get("steps").is_some())
}

/// Offers `text` as a file called `name` of type `mime` (the browser's download).
pub fn save_as(name: &str, text: &str, mime: &str) -> Option<()> {
    let parts = js_sys::Array::of1(&text.into());
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).ok()?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
    let a: web_sys::HtmlAnchorElement = gloo::utils::document()
        .create_element("a")
        .ok()?
        .dyn_into()
        .ok()?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    web_sys::Url::revoke_object_url(&url).ok()
}

/// Properties of the share bar.
#[derive(Properties, PartialEq)]
pub struct ShareBarProps {
    /// The scenario shown.
    pub scenario: std::rc::Rc<sim::Scenario>,
    /// The moment shown: links open there.
    pub now: sim::Millis,
    /// The changes compared side by side, if comparing: links carry them.
    #[prop_or_default]
    pub compare: Option<std::rc::Rc<String>>,
}

/// "Copy link", "Copy embed code" and "Save file", near the top of the page. The
/// copied link opens the same scenario at the same moment.
#[component]
pub fn ShareBar(p: &ShareBarProps) -> Html {
    // What was copied (or, if the browser refused the clipboard, the text to copy by hand).
    let status = use_state(|| None::<(String, Option<String>)>);
    let copy = |what: &'static str, make: std::rc::Rc<dyn Fn() -> String>| {
        let status = status.clone();
        Callback::from(move |_: MouseEvent| {
            let text = make();
            let status = status.clone();
            let clipboard = web_sys::window().map(|w| w.navigator().clipboard());
            wasm_bindgen_futures::spawn_local(async move {
                let done = match clipboard {
                    Some(c) => wasm_bindgen_futures::JsFuture::from(c.write_text(&text))
                        .await
                        .is_ok(),
                    None => false,
                };
                status.set(Some(if done {
                    (format!("{what} copied."), None)
                } else {
                    (
                        format!("Copy the {} below:", what.to_lowercase()),
                        Some(text),
                    )
                }));
            });
        })
    };
    let (s, now) = (p.scenario.clone(), p.now);
    let compare = p.compare.as_ref().map(|c| (**c).clone());
    let link = {
        let s = s.clone();
        let compare = compare.clone();
        copy(
            "Link",
            std::rc::Rc::new(move || {
                let v = sim::link::LinkView {
                    t: Some(now),
                    compare: compare.clone(),
                    ..Default::default()
                };
                crate::address::url_for(&s, &v)
            }),
        )
    };
    let embed = {
        let s = s.clone();
        copy(
            "Embed code",
            std::rc::Rc::new(move || crate::address::embed_code(&s, Some(now), compare.clone())),
        )
    };
    let save = {
        let s = s.clone();
        let status = status.clone();
        Callback::from(move |_: MouseEvent| {
            let name = format!(
                "{}.json",
                if s.name.is_empty() {
                    "scenario"
                } else {
                    s.name.as_str()
                }
            );
            let ok = save_as(&name, &(s.to_json() + "\n"), "application/json").is_some();
            status.set(Some((
                if ok {
                    format!("Saved as {name}.")
                } else {
                    "The browser would not save the file.".into()
                },
                None,
            )));
        })
    };
    html! {
        <div class="sharebar" role="group" aria-label="Share">
            <button class="copy-link" onclick={link} aria-keyshortcuts="L">{"Copy link"}</button>
            <button class="copy-embed" onclick={embed} aria-keyshortcuts="E">{"Copy embed code"}</button>
            <button class="save-file" onclick={save}>{"Save file"}</button>
            <span class="copied" role="status" aria-live="polite">
                { status.as_ref().map(|(m, _)| m.clone()).unwrap_or_default() }
            </span>
            if let Some((_, Some(text))) = status.as_ref() {
                <input class="copy-by-hand" readonly=true value={text.clone()} aria-label="Text to copy" />
            }
        </div>
    }
}

/// The scenario's name and description, which travel with it in links and files, and
/// "Open a scenario file" (or drop one anywhere on the page).
#[component]
pub fn Share(p: &ScenarioProps) -> Html {
    let name_ref = use_node_ref();
    let text_ref = use_node_ref();
    let on_describe = {
        let i = p.on_intent.clone();
        let (name_ref, text_ref) = (name_ref.clone(), text_ref.clone());
        let s = p.scenario.clone();
        Callback::from(move |_: Event| {
            let name = name_ref
                .cast::<HtmlInputElement>()
                .map_or_else(|| s.name.clone(), |n| n.value());
            let text = text_ref
                .cast::<web_sys::HtmlTextAreaElement>()
                .map_or_else(|| s.description.clone(), |t| t.value());
            // Names are text: the page never reads them as HTML.
            let name = name.trim();
            let name = if name.is_empty() { "untitled" } else { name };
            i.emit(Intent::Describe(name.to_string(), text.trim().to_string()));
        })
    };
    let on_file = {
        let i = p.on_intent.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            else {
                return;
            };
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                read_file(file, i.clone());
            }
        })
    };
    html! {
        <section class="panel share" aria-label="This scenario">
            <h2>{"This scenario"}</h2>
            <p class="field"><label for="scenario-name">{"Name"}</label>
                <input id="scenario-name" ref={name_ref} maxlength="80" value={p.scenario.name.clone()} onchange={on_describe.clone()} /></p>
            <p class="field"><label for="scenario-text">{"Description"}</label>
                <textarea id="scenario-text" ref={text_ref} rows="3" maxlength="600" value={p.scenario.description.clone()} onchange={on_describe} /></p>
            <p><label>{"Open a scenario file (JSON) "}<input type="file" accept=".json,application/json" onchange={on_file} /></label></p>
            <p class="facts">{"Or drop a file anywhere on the page. \"Save file\" at the top saves this scenario, every change included, in the same format as the command-line tool's."}</p>
        </section>
    }
}
