//! The lab's Web Worker, for the work that would freeze the page: a failure drill's
//! schedules, posted back in batches as they finish, and the verdict on a history
//! opened in the history view.
//!
//! Messages are JSON strings; the worker answers `{"ready": true}` once loaded.
//! - A drill: the page sends `{"scenario": …, "spec": …, "from": i, "to": j}`; the
//!   worker answers `{"runs": […], "done": k}` about four times a second and
//!   `{"finished": true, …}` at the end.
//! - A check: the page sends the array `["check", "<the history file's text>"]` (the
//!   text as it is: escaping it into JSON would cost the page more than the check);
//!   the worker answers with the operations in columns, as an array `["ops",
//!   processes, keys, …typed arrays]` (see `sim::check::columns`), then `{"verdict":
//!   …, "ms": …}` once checked. The page carries no parser of its own.
//!
//! Either may answer `{"error": "…"}`. Cancelling is the page terminating the worker.
//! What a run is and what it found, and the checker, come from the core (`sim::drill`,
//! `sim::check`).

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
        let scope = scope.clone();
        Closure::<dyn Fn(MessageEvent)>::new(move |e: MessageEvent| {
            let data = e.data();
            let done = match data.dyn_ref::<js_sys::Array>() {
                Some(a) if a.get(0).as_string().as_deref() == Some("check") => {
                    check(&a.get(1).as_string().unwrap_or_default(), &scope, &post)
                }
                _ => drill(&data.as_string().unwrap_or_default(), &post),
            };
            if let Err(msg) = done {
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

/// Reads a history and checks it: the same parser and checker as `splitbrain check`.
/// The operations go back first, in columns (`sim::check::columns`), so the page draws
/// them while the search runs.
#[cfg(target_arch = "wasm32")]
fn check(
    history: &str,
    scope: &web_sys::DedicatedWorkerGlobalScope,
    post: &dyn Fn(serde_json::Value),
) -> Result<(), String> {
    use js_sys::{Array, BigInt64Array, BigUint64Array, Uint32Array, Uint8Array};
    use wasm_bindgen::JsValue;
    let started = js_sys::Date::now();
    let ops = sim::check::formats::parse(history).map_err(|e| e.to_string())?;
    let c = sim::check::columns::Columns::from_ops(&ops);
    let names = |v: &[String]| v.iter().map(|s| JsValue::from_str(s)).collect::<Array>();
    let message = Array::new();
    for part in [
        JsValue::from_str("ops"),
        names(&c.processes).into(),
        names(&c.keys).into(),
        Uint32Array::from(&c.process[..]).into(),
        Uint32Array::from(&c.key[..]).into(),
        Uint8Array::from(&c.kind[..]).into(),
        BigUint64Array::from(&c.a[..]).into(),
        BigUint64Array::from(&c.b[..]).into(),
        BigInt64Array::from(&c.invoke[..]).into(),
        BigInt64Array::from(&c.complete[..]).into(),
    ] {
        message.push(&part);
    }
    let _ = scope.post_message(&message);
    let verdict = sim::check::check(&ops);
    post(serde_json::json!({ "verdict": verdict, "ms": js_sys::Date::now() - started }));
    Ok(())
}

/// Natively there is no worker to be: the binary exists for the browser.
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("drill-worker runs in a browser's Web Worker; natively, use `splitbrain sweep`");
}
