//! The failure drill's Web Worker: runs a drill's schedules off the page's thread, so
//! the page never freezes, and posts the runs back in batches as they finish.
//!
//! Messages are JSON strings. The page sends `{"scenario": …, "spec": …, "from": i,
//! "to": j}`; the worker answers `{"ready": true}` once loaded, then
//! `{"runs": […], "done": k}` about four times a second and `{"finished": true, …}` at
//! the end, or `{"error": "…"}`. Cancelling is the page terminating the worker.
//! What a run is and what it found come from the core (`sim::drill`).

#[cfg(target_arch = "wasm32")]
fn main() {
    use wasm_bindgen::{closure::Closure, JsCast, JsValue};
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let post = {
        let scope = scope.clone();
        move |v: serde_json::Value| {
            let _ = scope.post_message(&JsValue::from_str(&v.to_string()));
        }
    };
    let handler = {
        let post = post.clone();
        Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
            let text = e.data().as_string().unwrap_or_default();
            if let Err(msg) = drill(&text, &post) {
                post(serde_json::json!({ "error": msg }));
            }
        })
    };
    scope.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    post(serde_json::json!({ "ready": true }));
}

#[cfg(target_arch = "wasm32")]
fn drill(text: &str, post: &dyn Fn(serde_json::Value)) -> Result<(), String> {
    let mut v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("a drill request is JSON: {e}"))?;
    let scenario = sim::Scenario::from_value(v["scenario"].take()).map_err(|e| e.to_string())?;
    let spec: sim::drill::DrillSpec =
        serde_json::from_value(v["spec"].take()).map_err(|e| format!("spec: {e}"))?;
    spec.validate(&scenario).map_err(|e| e.to_string())?;
    let from = v["from"].as_u64().unwrap_or(0);
    let to = v["to"]
        .as_u64()
        .unwrap_or(spec.schedules)
        .min(spec.schedules);
    let mut batch = Vec::new();
    let mut last = js_sys::Date::now();
    for i in from..to {
        batch.push(
            sim::drill::run_one(&scenario, &spec, i).map_err(|e| format!("schedule {i}: {e}"))?,
        );
        let now = js_sys::Date::now();
        if now - last >= 250.0 || i + 1 == to {
            last = now;
            post(serde_json::json!({ "runs": batch, "done": i + 1 - from }));
            batch.clear();
        }
    }
    post(serde_json::json!({ "finished": true, "done": to - from }));
    Ok(())
}

/// Natively there is no worker to be: the binary exists for the browser.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("drill-worker runs in a browser's Web Worker; natively, use `splitbrain sweep`");
}
