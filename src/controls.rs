//! Transport controls and the timeline with its markers.

use std::rc::Rc;

use sim::Millis;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::lab::Marker;
use crate::state::Intent;
use sim::pace::Speed;

/// Speeds offered, slowest first: paced ones (every flight readable, quiet stretches
/// hurried, a stop at each moment that matters), then the plain simulated clock.
pub const SPEEDS: [(Speed, &str); 9] = [
    (paced(0.25), "¼×"),
    (paced(0.5), "½×"),
    (paced(1.0), "1×"),
    (paced(2.0), "2×"),
    (paced(5.0), "5×"),
    (paced(20.0), "20×"),
    (clock(1.0), "real time"),
    (clock(10.0), "10× real time"),
    (clock(100.0), "100× real time"),
];

const fn paced(factor: f64) -> Speed {
    Speed {
        factor,
        paced: true,
    }
}

const fn clock(factor: f64) -> Speed {
    Speed {
        factor,
        paced: false,
    }
}

/// The pace in words: how long one second of the run takes on screen (real ms per
/// simulated ms, smoothed over about a second), or nothing while paused.
pub fn pace_words(playing: bool, holding: bool, real_per_sim: Option<f64>) -> String {
    if playing && holding {
        return "held at this moment to read it".into();
    }
    match real_per_sim.filter(|_| playing) {
        None => String::new(),
        Some(r) if r > 1.15 => format!("slowed: 1 s of the run takes {} s", round_words(r)),
        Some(r) if r < 0.87 => format!("hurried: 1 s of the run takes {} s", round_words(r)),
        Some(_) => "real time".into(),
    }
}

fn round_words(x: f64) -> String {
    if x >= 10.0 {
        format!("{:.0}", x)
    } else if x >= 1.0 {
        format!("{:.1}", x)
    } else {
        format!("{:.2}", x)
    }
}

/// Properties of the controls.
#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    /// Now.
    pub now: Millis,
    /// End of the run.
    pub duration: Millis,
    /// Playing?
    pub playing: bool,
    /// Current speed.
    pub speed: Speed,
    /// The pace in words ("slowed: 1 s of the run takes 8 s"), empty while paused.
    pub pace: String,
    /// Markers of the whole run.
    pub markers: Rc<Vec<Marker>>,
    /// Can undo?
    pub can_undo: bool,
    /// Send an intent.
    pub on_intent: Callback<Intent>,
    /// The last moment that matters, in words, with its time.
    pub caption: String,
    /// When the operations a violation names ran, highlighted on the timeline.
    #[prop_or_default]
    pub involved: Rc<Vec<(Millis, Millis)>>,
}

/// Play and pause drawn as shapes, so that they show without a symbol font.
fn play_icon(playing: bool) -> Html {
    let shape = if playing {
        html! { <><rect x="2" y="1" width="4" height="12" /><rect x="8" y="1" width="4" height="12" /></> }
    } else {
        html! { <polygon points="2,1 13,7 2,13" /> }
    };
    html! { <svg class="icon" viewBox="0 0 14 14" width="12" height="12" aria-hidden="true" fill="currentColor">{shape}</svg> }
}

/// What each family of marker means, for the timeline's legend.
fn marker_meaning(k: sim::process::MarkerKind) -> &'static str {
    use sim::process::MarkerKind as K;
    match k {
        K::Cut => "network cut",
        K::Crash => "process crash, pause or slow disk",
        K::Heal => "repair",
        K::Down => "agreed down",
        K::Election => "election",
        K::Leader => "new leader",
        K::Split => "split-brain starts",
        K::LockTwice => "lock held twice",
        K::SplitEnd => "split-brain ends",
        K::Loss => "data discarded",
        K::Fencing => "fencing rejection",
        K::NotLinearizable => "history stops being linearizable",
        K::Alert => "alert",
    }
}

/// Play/pause, step, speed, heal, undo and the timeline.
#[component]
pub fn Controls(p: &ControlsProps) -> Html {
    let i = p.on_intent.clone();
    let send = move |intent: Intent| {
        let i = i.clone();
        Callback::from(move |_: MouseEvent| i.emit(intent.clone()))
    };
    let on_seek = {
        let i = p.on_intent.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                if let Ok(v) = input.value().parse::<u64>() {
                    i.emit(Intent::Seek(v));
                }
            }
        })
    };
    let on_speed = {
        let i = p.on_intent.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                if let Some((v, _)) = sel
                    .value()
                    .parse::<usize>()
                    .ok()
                    .and_then(|k| SPEEDS.get(k))
                {
                    i.emit(Intent::Speed(*v));
                }
            }
        })
    };
    let pct = |t: Millis| 100.0 * t as f64 / p.duration.max(1) as f64;
    // A burst of markers of one kind (hundreds of fencing rejections) folds into one:
    // each marker joins the previous one of its kind if it is within 1.5% of the
    // timeline of that one's last member.
    let mut folded: Vec<(&Marker, u32, Millis)> = Vec::new();
    for m in p.markers.iter() {
        let joins = folded
            .iter_mut()
            .rev()
            .take(12)
            .find(|f| f.0.kind == m.kind)
            .filter(|f| pct(m.time_ms) - pct(f.2) <= 1.5);
        match joins {
            Some(f) => {
                f.1 += 1;
                f.2 = m.time_ms;
            }
            None => folded.push((m, 1, m.time_ms)),
        }
    }
    // Markers closer than a marker's width stack in rows, so that each stays clickable.
    let mut row_ends: Vec<f64> = Vec::new();
    let rows: Vec<usize> = folded
        .iter()
        .map(|(m, _, _)| {
            let x = pct(m.time_ms);
            let r = row_ends
                .iter()
                .position(|end| x - end > 1.2)
                .unwrap_or(row_ends.len());
            if r == row_ends.len() {
                row_ends.push(x);
            } else {
                row_ends[r] = x;
            }
            r
        })
        .collect();
    let height = 16 * row_ends.len().max(1);
    // Labels without hover: each marker's words run to the right, as far as the next
    // marker in its row (cut short with an ellipsis); too little room, no label.
    let labels: Vec<Html> = folded
        .iter()
        .zip(&rows)
        .enumerate()
        .filter_map(|(k, (&(m, _, _), &row))| {
            let x = pct(m.time_ms);
            let next = folded
                .iter()
                .zip(&rows)
                .skip(k + 1)
                .find(|(_, &r)| r == row)
                .map_or(100.0, |((n, _, _), _)| pct(n.time_ms));
            (next - x >= 6.0).then(|| html! {
                <span key={k} class="marker-label" style={format!("left: calc({x:.3}% + 8px); top: {}px; max-width: calc({:.3}% - 14px)", row * 16, next - x)}>{m.label.clone()}</span>
            })
        })
        .collect();
    // Every moment as a list, for a screen reader and for a finger: the moments the
    // narrated steps walk, each a button that goes there.
    let now = p.now;
    let moments = folded.iter().enumerate().map(|(k, &(m, n, _))| {
        let i = p.on_intent.clone();
        let t = m.time_ms;
        let current = p.markers.iter().rev().find(|x| x.time_ms <= now).is_some_and(|x| x.time_ms == t);
        let more = if n > 1 { format!(" (and {} more like it)", n - 1) } else { String::new() };
        html! {
            <li key={k}>
                <button class={classes!("moment", current.then_some("current"))} aria-current={current.then_some("step")}
                    onclick={Callback::from(move |_: MouseEvent| i.emit(Intent::Seek(t)))}>
                    <i class={classes!("marker", "key", marker_class(m.kind))} aria-hidden="true" />
                    {format!("{:.1} s: {}{more}", t as f64 / 1000.0, m.label)}
                </button>
            </li>
        }
    });
    // The markers are one tab stop: the arrow keys move between them (in time order).
    let arrow_through = Callback::from(|e: KeyboardEvent| {
        use wasm_bindgen::JsCast;
        let Some(el) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let next = match e.key().as_str() {
            "ArrowRight" | "ArrowDown" => el.next_element_sibling(),
            "ArrowLeft" | "ArrowUp" => el.previous_element_sibling(),
            "Home" => el.parent_element().and_then(|p| p.first_element_child()),
            "End" => el.parent_element().and_then(|p| p.last_element_child()),
            _ => return,
        };
        e.prevent_default();
        e.stop_propagation();
        if let Some(h) = next.and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = h.focus();
        }
    });
    let markers = folded.iter().zip(rows).enumerate().map(|(k, (&(m, n, last), row))| {
        let i = p.on_intent.clone();
        let t = m.time_ms;
        let label = if n > 1 {
            format!("{} (and {} more like it until {:.1} s)", m.label, n - 1, last as f64 / 1000.0)
        } else {
            m.label.clone()
        };
        let onclick = Callback::from(move |_: MouseEvent| i.emit(Intent::Seek(t)));
        html! {
            <button key={k} class={classes!("marker", marker_class(m.kind))} style={format!("left: {:.3}%; top: {}px", pct(t), row * 16)}
                tabindex={if k == 0 { "0" } else { "-1" }} onkeydown={arrow_through.clone()}
                title={format!("{:.1} s: {label}", t as f64 / 1000.0)} aria-label={format!("Jump to {:.1} s: {label}", t as f64 / 1000.0)} {onclick}>
            </button>
        }
    });
    let mut kinds: Vec<sim::process::MarkerKind> = Vec::new();
    for m in p.markers.iter() {
        if !kinds.contains(&m.kind) {
            kinds.push(m.kind);
        }
    }
    html! {
        <section class="controls" aria-label="Playback">
            <div class="buttons">
                <button class="play" onclick={send(Intent::TogglePlay)} aria-keyshortcuts="Space">
                    { play_icon(p.playing) }{ if p.playing { " Pause" } else { " Play" } }
                </button>
                <button onclick={send(Intent::Moment(false))} aria-label="Previous moment that matters" aria-keyshortcuts="[">{"◀◀ Moment"}</button>
                <button onclick={send(Intent::Moment(true))} aria-label="Next moment that matters" aria-keyshortcuts="]">{"Moment ▶▶"}</button>
                <button onclick={send(Intent::StepBack)} aria-label="Step back one event" aria-keyshortcuts="ArrowLeft">{"◀ Step"}</button>
                <button onclick={send(Intent::Step)} aria-label="Step forward one event" aria-keyshortcuts="ArrowRight">{"Step ▶"}</button>
                <label>{"Speed "}
                    <select onchange={on_speed} aria-label="Speed">
                        <optgroup label="Paced">
                            { for SPEEDS.iter().enumerate().filter(|(_, (v, _))| v.paced).map(|(k, (v, l))| html! { <option value={k.to_string()} selected={*v == p.speed}>{*l}</option> }) }
                        </optgroup>
                        <optgroup label="Clock">
                            { for SPEEDS.iter().enumerate().filter(|(_, (v, _))| !v.paced).map(|(k, (v, l))| html! { <option value={k.to_string()} selected={*v == p.speed}>{*l}</option> }) }
                        </optgroup>
                    </select>
                </label>
                <button class="heal" onclick={send(Intent::Act(sim::FaultAction::Heal))} aria-keyshortcuts="H">{"Heal network"}</button>
                <button onclick={send(Intent::Undo)} disabled={!p.can_undo} aria-keyshortcuts="U">{"Undo"}</button>
                <span class="clock" aria-live="off">{format!("{:.1} s / {:.0} s", p.now as f64 / 1000.0, p.duration as f64 / 1000.0)}
                    if !p.pace.is_empty() {
                        <span class="pace">{&p.pace}</span>
                    }
                </span>
            </div>
            <div class="timeline">
                <input type="range" min="0" max={p.duration.to_string()} step="100" value={p.now.to_string()}
                    oninput={on_seek} aria-label="Timeline: time in milliseconds" class="scrub" />
                if !p.involved.is_empty() {
                    <div class="op-spans" aria-hidden="true">
                        { for p.involved.iter().enumerate().map(|(k, (a, b))| {
                            let d = p.duration.max(1) as f64;
                            let (x, w) = (*a as f64 * 100.0 / d, (b - a) as f64 * 100.0 / d);
                            let what = if k == 0 { "the operation no order can place" } else { "the last step of the longest valid order" };
                            html! { <span class={classes!("op-span", (k == 0).then_some("stuck"))} style={format!("left: {x:.3}%; width: {w:.3}%")}
                                title={format!("{what}: {:.3} s to {:.3} s", *a as f64 / 1000.0, *b as f64 / 1000.0)} /> }
                        }) }
                    </div>
                }
                <div class="markers" style={format!("height: {height}px")}>{ for markers }</div>
                <div class="marker-labels" aria-hidden="true" style={format!("height: {height}px; margin-top: -{height}px")}>{ for labels }</div>
                <p class="marker-legend" aria-hidden="true">
                    { for kinds.iter().map(|k| html! { <span><i class={classes!("marker", "key", marker_class(*k))} />{marker_meaning(*k)}</span> }) }
                </p>
            </div>
            <p class="caption" aria-live="polite" role="status">{p.caption.clone()}</p>
            <details class="moments">
                <summary>{format!("All moments ({})", folded.len())}</summary>
                <ol>{ for moments }</ol>
            </details>
        </section>
    }
}

/// The CSS class of a marker family: its colour and shape (see static/style.css).
pub fn marker_class(k: sim::process::MarkerKind) -> &'static str {
    use sim::process::MarkerKind as K;
    match k {
        K::Cut => "cut",
        K::Crash => "crash",
        K::Heal => "heal",
        K::Down => "down",
        K::Election => "election",
        K::Leader => "leader",
        K::Split => "split",
        K::LockTwice => "lock-twice",
        K::SplitEnd => "split-end",
        K::Loss => "loss",
        K::Fencing => "fencing",
        K::NotLinearizable => "not-linearizable",
        K::Alert => "alert",
    }
}
