//! Sharing and loading scenarios: the whole scenario in the link (for course pages
//! and iframes), and scenario files read from disk with plain-language errors.

use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::panels::ScenarioProps;
use crate::state::Intent;

/// The page's address with the whole scenario in its fragment.
pub fn link_for(s: &sim::Scenario) -> String {
    let json = serde_json::to_string(s).unwrap_or_default();
    let enc: String = js_sys::encode_uri_component(&json).into();
    let base = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .map(|h| h.split('#').next().unwrap_or_default().to_string())
        .unwrap_or_default();
    format!("{base}#scenario={enc}")
}

/// "Copy a link to this scenario" and "open a scenario file".
#[component]
pub fn Share(p: &ScenarioProps) -> Html {
    let link = use_state(String::new);
    let on_share = {
        let link = link.clone();
        let s = p.scenario.clone();
        Callback::from(move |_: MouseEvent| {
            let url = link_for(&s);
            if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
                let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
            }
            link.set(url);
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
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            let name = file.name();
            let i = i.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let text = wasm_bindgen_futures::JsFuture::from(file.text())
                    .await
                    .ok()
                    .and_then(|t| t.as_string());
                let intent = match text {
                    None => Intent::Load(Err(format!(
                        "{name} could not be read as text. Nothing was changed."
                    ))),
                    Some(t) => match sim::Scenario::from_json(&t) {
                        Ok(s) => Intent::Load(Ok(Box::new(s))),
                        Err(e) => Intent::Load(Err(format!(
                            "{name} is not a scenario this lab can run: {e}. Nothing was changed."
                        ))),
                    },
                };
                i.emit(intent);
            });
        })
    };
    html! {
        <section class="panel share" aria-label="Share and load">
            <h2>{"Share or load"}</h2>
            <button onclick={on_share}>{"Link to this scenario"}</button>
            if !link.is_empty() {
                <input class="link" readonly=true value={(*link).clone()} aria-label="Link to this scenario, with every change in it" />
                <p class="facts">{"The address bar now holds this link too. Embed it in an iframe to show this scenario in a course page."}</p>
            }
            <p><label>{"Open a scenario file (JSON) "}<input type="file" accept=".json,application/json" onchange={on_file} /></label></p>
        </section>
    }
}
