//! The page's address. It always holds the scenario shown (compact, see `sim::link`),
//! so that a reload, the back button and a copied address bring the same run back;
//! links made for course pages open with their options (moment, autoplay, speed,
//! embed mode).

use sim::link::{Link, LinkView};
use sim::Scenario;

use crate::lab::default_scenario;

/// What the page opens with.
#[derive(Clone, Debug, PartialEq)]
pub struct Boot {
    /// The scenario.
    pub scenario: Scenario,
    /// The link's view options (moment, autoplay, speed, embed mode, panels).
    pub view: LinkView,
    /// Why the link could not be opened, if it could not; the default scenario is shown.
    pub message: Option<String>,
}

fn location() -> Option<web_sys::Location> {
    web_sys::window().map(|w| w.location())
}

/// The fragment and the query string of the address.
fn parts() -> (String, String) {
    let Some(loc) = location() else {
        return (String::new(), String::new());
    };
    (
        loc.hash().unwrap_or_default(),
        loc.search().unwrap_or_default(),
    )
}

/// Reads the address: a scenario from its fragment (or, for `?preset=NAME` and the
/// benchmark's clusters, its query), the view options from both.
pub fn boot() -> Boot {
    let (hash, search) = parts();
    if let Some(s) = bench_cluster(&search) {
        return Boot {
            scenario: s,
            view: LinkView::default(),
            message: None,
        };
    }
    let mut view = sim::link::view_of(&search);
    view.merge(sim::link::view_of(&hash));
    let opened = sim::link::decode(&hash).or_else(|| sim::link::decode(&search));
    match opened {
        None => Boot {
            scenario: default_scenario(),
            view,
            message: None,
        },
        Some(Ok(Link {
            scenario, view: v, ..
        })) => {
            view.merge(v);
            Boot {
                scenario,
                view,
                message: None,
            }
        }
        Some(Err(e)) => Boot {
            scenario: default_scenario(),
            view: LinkView::default(),
            message: Some(format!(
                "This link could not be opened: {e}. Showing the default scenario instead."
            )),
        },
    }
}

/// Whether the address asks for the embed mode (cheap: reads no scenario).
pub fn embedded() -> bool {
    let (hash, search) = parts();
    sim::link::view_of(&hash).embed || sim::link::view_of(&search).embed
}

/// The scenario named by the address now (after the back button), if it names one.
pub fn scenario_now() -> Option<Result<Scenario, String>> {
    let (hash, _) = parts();
    sim::link::decode(&hash).map(|r| {
        r.map(|l| l.scenario)
            .map_err(|e| format!("This address could not be opened: {e}."))
    })
}

/// `?bench_boxes=N&minutes=M[&system=NAME][&isolate_at=MS]`: the busy clusters the
/// benchmark measures.
fn bench_cluster(search: &str) -> Option<Scenario> {
    let params = web_sys::UrlSearchParams::new_with_str(search).ok()?;
    let n = params.get("bench_boxes")?.parse::<usize>().ok()?;
    let minutes = params
        .get("minutes")
        .and_then(|m| m.parse::<u64>().ok())
        .unwrap_or(10);
    let sys = params
        .get("system")
        .and_then(|s| sim::system::find(&s).ok())
        .unwrap_or(sim::SYSTEMS[0]);
    let mut s = (sys.bench)(n.clamp(1, 64), minutes.clamp(1, 60) * 60_000);
    // `&isolate_at=MS` cuts box1 off at MS: an election among the rest, the busiest
    // the drawing gets (a vote storm).
    if let Some(at) = params.get("isolate_at").and_then(|m| m.parse::<u64>().ok()) {
        s.faults.push(sim::ScheduledFault {
            at_ms: at,
            action: sim::FaultAction::Isolate {
                boxes: vec!["box1".into()],
            },
        });
    }
    Some(s)
}

/// The lab's address for `s` with the view options `v`.
pub fn url_for(s: &Scenario, v: &LinkView) -> String {
    let base = location()
        .and_then(|l| {
            Some(format!(
                "{}{}",
                l.origin().ok()?,
                l.pathname().ok().unwrap_or_default()
            ))
        })
        .unwrap_or_default();
    format!("{base}#{}", sim::link::with_view(&sim::link::encode(s), v))
}

/// The iframe snippet that embeds `s` in a course page, at a size that shows the
/// drawing and the controls.
pub fn embed_code(s: &Scenario, t: Option<sim::Millis>, compare: Option<String>) -> String {
    let v = LinkView {
        t,
        embed: true,
        compare,
        ..LinkView::default()
    };
    let title = s.name.replace(['"', '<', '>', '&'], "");
    format!(
        "<iframe src=\"{}\" width=\"800\" height=\"500\" title=\"Split-Brain Lab: {title}\" style=\"border:1px solid #ccc\" loading=\"lazy\"></iframe>",
        url_for(s, &v)
    )
}

/// Puts `s` (with `v`) in the address: a new history entry when `push` (a preset or a
/// file loaded), else in place of the current one (an edit, a pause at a moment).
pub fn show(s: &Scenario, v: &LinkView, push: bool) {
    let url = url_for(s, v);
    let Some(h) = web_sys::window().and_then(|w| w.history().ok()) else {
        return;
    };
    let here = location().and_then(|l| l.href().ok()).unwrap_or_default();
    if here == url {
        return;
    }
    let _ = if push {
        h.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
    } else {
        h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
    };
}
