//! Split-Brain Lab in the browser: a Yew app over the simulation core.

mod address;
mod app;
mod canvas;
mod compare;
mod conf_files;
mod controls;
mod drill;
mod export;
mod flashcards;
mod history;
mod history_canvas;
mod lab;
mod layout;
mod lesson;
mod panels;
mod settings;
mod share;
mod state;
mod topology;

fn main() {
    // `?bench=sim` measures the core in this browser instead of showing the lab.
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    if search.contains("bench=sim") {
        bench_sim();
        return;
    }
    // The page said it was loading while the wasm arrived; the lab takes its place.
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("loading"))
    {
        el.remove();
    }
    yew::Renderer::<app::App>::new().render();
}

/// Runs the benchmark clusters for ten simulated minutes and publishes events/s as
/// `window.__sblBench` (JSON), for `./lab bench` to print.
fn bench_sim() {
    let perf = web_sys::window().and_then(|w| w.performance());
    let now = || perf.as_ref().map_or(0.0, |p| p.now());
    let mut rows = Vec::new();
    for desc in sim::SYSTEMS {
        let system = desc.name;
        for boxes in desc.bench_sizes {
            let s = (desc.bench)(boxes, 600_000);
            let mut best = 0.0f64;
            let mut events = 0;
            for _ in 0..5 {
                let t = now();
                let mut run = sim::build(&s, sim::simulation::RunOptions::default())
                    .expect("bench scenario builds");
                run.run_until(s.duration_ms);
                let secs = ((now() - t) / 1000.0).max(1e-6);
                events = run.events();
                best = best.max(events as f64 / secs);
            }
            rows.push(serde_json::json!({"system": system, "boxes": boxes, "events": events, "events_per_s": best}));
        }
    }
    for keys in [10, 1] {
        let h = sim::check::bench_history(10_000, keys, 5, 7);
        let mut best = f64::MAX;
        for _ in 0..5 {
            let t = now();
            let v = sim::check::check(&h);
            best = best.min(now() - t);
            assert_eq!(
                v.linearizable,
                Some(true),
                "the bench history is linearizable"
            );
        }
        rows.push(serde_json::json!({"checker_keys": keys, "ops": h.len(), "ms": best}));
    }
    if let Some(w) = web_sys::window() {
        let _ = js_sys::Reflect::set(
            &w,
            &"__sblBench".into(),
            &serde_json::Value::Array(rows).to_string().into(),
        );
    }
}
