//! "Export for a review": the run's Markdown summary, the drawing at the moment shown
//! and the timeline as SVG or PNG, and the scenario file, downloaded. The files are
//! written by the core's `sim::report`, the same code as `splitbrain run --report md
//! --svg`; this file only turns an SVG into a PNG (through the browser's own image
//! decoder and a canvas) and offers the downloads.

use std::rc::Rc;

use wasm_bindgen::{closure::Closure, JsCast};
use yew::prelude::*;

use crate::lab::Marker;
use crate::share::save_as;

/// Properties of the export panel.
#[derive(Properties, PartialEq)]
pub struct ExportProps {
    /// The scenario shown.
    pub scenario: Rc<sim::Scenario>,
    /// The moment shown.
    pub view: Rc<sim::View>,
    /// The whole run's outcome, once computed.
    pub outcome: Option<Rc<sim::Outcome>>,
    /// The system's invariants on the whole run, once computed.
    pub invariants: Rc<Vec<sim::system::InvariantReport>>,
    /// The timeline's moments.
    pub markers: Rc<Vec<Marker>>,
    /// Whether the person has seen how the run ends (the pictures say it then).
    pub revealed: bool,
}

/// A file name from the scenario's name: letters, digits and dashes.
fn file_name(s: &sim::Scenario, what: &str, ext: &str) -> String {
    let base: String = s
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let base = if base.trim_matches('-').is_empty() {
        "scenario".to_string()
    } else {
        base
    };
    format!("{base}{what}.{ext}")
}

/// The number in an attribute such as `width="960"` at the start of an SVG.
fn dimension(svg: &str, attr: &str) -> f64 {
    svg.split_once(&format!(" {attr}=\""))
        .and_then(|(_, rest)| rest.split('"').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(800.0)
}

/// Draws `svg` on a canvas at twice its size and offers it as a PNG called `name`;
/// `done` hears whether it worked.
fn save_png(name: String, svg: String, done: Callback<bool>) {
    let (w, h) = (dimension(&svg, "width"), dimension(&svg, "height"));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("image/svg+xml");
    let parts = js_sys::Array::of1(&svg.into());
    let Some(url) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)
        .ok()
        .and_then(|b| web_sys::Url::create_object_url_with_blob(&b).ok())
    else {
        done.emit(false);
        return;
    };
    let Ok(img) = web_sys::HtmlImageElement::new() else {
        done.emit(false);
        return;
    };
    let onload = {
        let (img, url, done) = (img.clone(), url.clone(), done.clone());
        Closure::once(move || {
            let ok = (|| -> Option<()> {
                let canvas: web_sys::HtmlCanvasElement = gloo::utils::document()
                    .create_element("canvas")
                    .ok()?
                    .dyn_into()
                    .ok()?;
                canvas.set_width((w * 2.0) as u32);
                canvas.set_height((h * 2.0) as u32);
                let ctx: web_sys::CanvasRenderingContext2d =
                    canvas.get_context("2d").ok()??.dyn_into().ok()?;
                ctx.scale(2.0, 2.0).ok()?;
                ctx.draw_image_with_html_image_element(&img, 0.0, 0.0)
                    .ok()?;
                let data = canvas.to_data_url_with_type("image/png").ok()?;
                let a: web_sys::HtmlAnchorElement = gloo::utils::document()
                    .create_element("a")
                    .ok()?
                    .dyn_into()
                    .ok()?;
                a.set_href(&data);
                a.set_download(&name);
                a.click();
                Some(())
            })();
            let _ = web_sys::Url::revoke_object_url(&url);
            done.emit(ok.is_some());
        })
    };
    img.set_onload(Some(onload.as_ref().unchecked_ref()));
    onload.forget();
    img.set_src(&url);
}

/// The export buttons.
#[component]
pub fn ExportPanel(p: &ExportProps) -> Html {
    let status = use_state(String::new);
    let Ok(sys) = sim::system::find(&p.scenario.system) else {
        return Html::default();
    };
    let words = sys.words;
    let said = {
        let status = status.clone();
        Callback::from(move |(name, ok): (String, bool)| {
            status.set(if ok {
                format!("Saved {name}.")
            } else {
                "The browser would not save the file.".into()
            })
        })
    };
    // The pictures' caption: the whole run's sentence once the person has seen the
    // ending, the scenario's own description before (no spoilers in a picture either).
    let caption = match (&p.outcome, p.revealed) {
        (Some(o), true) => o.sentence(&words),
        _ => p.scenario.description.clone(),
    };
    let drawing = {
        let (s, v) = (p.scenario.clone(), p.view.clone());
        let caption = caption.clone();
        Rc::new(move || sim::report::svg::drawing(&s, &v, words.epoch, &caption))
    };
    let timeline = {
        let (s, m, now) = (p.scenario.clone(), p.markers.clone(), p.view.now_ms);
        Rc::new(move || sim::report::svg::timeline(&s, &m, Some(now)))
    };
    let text_file = |what: &'static str,
                     ext: &'static str,
                     mime: &'static str,
                     make: Rc<dyn Fn() -> String>| {
        let (s, said) = (p.scenario.clone(), said.clone());
        Callback::from(move |_: MouseEvent| {
            let name = file_name(&s, what, ext);
            let ok = save_as(&name, &make(), mime).is_some();
            said.emit((name, ok));
        })
    };
    let png_file = |what: &'static str, make: Rc<dyn Fn() -> String>| {
        let (s, said) = (p.scenario.clone(), said.clone());
        Callback::from(move |_: MouseEvent| {
            let name = file_name(&s, what, "png");
            let said = said.clone();
            let n = name.clone();
            save_png(
                name,
                make(),
                Callback::from(move |ok| said.emit((n.clone(), ok))),
            );
        })
    };
    let markdown = p.outcome.clone().map(|o| {
        let (s, inv, now) = (p.scenario.clone(), p.invariants.clone(), p.view.now_ms);
        let make: Rc<dyn Fn() -> String> = Rc::new(move || {
            let link = crate::address::url_for(
                &s,
                &sim::link::LinkView {
                    t: Some(now),
                    ..Default::default()
                },
            );
            sim::report::markdown(&s, sys, &o, &inv, Some(&link))
        });
        text_file("", "md", "text/markdown", make)
    });
    let scenario_file = {
        let s = p.scenario.clone();
        text_file(
            "",
            "json",
            "application/json",
            Rc::new(move || s.to_json() + "\n"),
        )
    };
    html! {
        <section class="panel export" aria-label="Export for a review">
            <h2>{"Export for a review"}</h2>
            <p class="hint">{"For a review document or slides: the run's summary, and pictures of the drawing at this moment and of the timeline."}</p>
            <div class="export-buttons">
                if let Some(md) = markdown {
                    <button class="export-md" onclick={md}>{"Summary (Markdown)"}</button>
                } else {
                    <button class="export-md" disabled=true title="the run is still being computed">{"Summary (Markdown)"}</button>
                }
                <button class="export-drawing-svg" onclick={text_file("-drawing", "svg", "image/svg+xml", drawing.clone())}>{"Drawing (SVG)"}</button>
                <button class="export-drawing-png" onclick={png_file("-drawing", drawing)}>{"Drawing (PNG)"}</button>
                <button class="export-timeline-svg" onclick={text_file("-timeline", "svg", "image/svg+xml", timeline.clone())}>{"Timeline (SVG)"}</button>
                <button class="export-timeline-png" onclick={png_file("-timeline", timeline)}>{"Timeline (PNG)"}</button>
                <button class="export-json" onclick={scenario_file}>{"Scenario file (JSON)"}</button>
            </div>
            <p class="export-status" role="status" aria-live="polite">{(*status).clone()}</p>
        </section>
    }
}
