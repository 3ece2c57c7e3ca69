//! The canvas: partitions as regions, boxes you drag between them (pointer events
//! with pointer capture, and the keyboard), processes with their roles, and messages
//! in flight. It only draws the core's view and sends intents.

use std::rc::Rc;

use sim::fault::FaultAction;
use sim::process::MsgKind;
use sim::view::{Role, View};
use sim::BoxId;
use web_sys::{Element, PointerEvent};
use yew::prelude::*;

use crate::layout::{drop_target, layout, Layout, BADGE_Y};
use crate::state::Intent;

/// Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
pub fn role_colour(r: Role) -> &'static str {
    match r {
        Role::Primary => "#D55E00",
        Role::Replica => "#0072B2",
        Role::Candidate => "#E69F00",
        Role::Watcher => "#009E73",
        Role::Client => "#555555",
        Role::Storage => "#CC79A7",
        Role::Monitor => "#56B4E9",
    }
}

/// The CSS class of a role in the legend (static/style.css draws the same shape).
pub fn role_class(r: Role) -> &'static str {
    match r {
        Role::Primary => "primary",
        Role::Replica => "replica",
        Role::Candidate => "candidate",
        Role::Watcher => "watcher",
        Role::Client => "client",
        Role::Storage => "storage",
        Role::Monitor => "monitor",
    }
}

/// The CSS class of a family of traffic in the legend.
pub fn kind_class(k: MsgKind) -> &'static str {
    match k {
        MsgKind::Heartbeat => "heartbeat",
        MsgKind::Gossip => "gossip",
        MsgKind::Vote => "vote",
        MsgKind::Replication => "replication",
        MsgKind::Client => "client",
        MsgKind::Control => "control",
        MsgKind::Storage => "storage",
    }
}

fn kind_colour(k: MsgKind) -> &'static str {
    match k {
        MsgKind::Heartbeat => "#009E73",
        MsgKind::Gossip => "#56B4E9",
        MsgKind::Vote => "#E69F00",
        MsgKind::Replication => "#0072B2",
        MsgKind::Client => "#333333",
        MsgKind::Control => "#D55E00",
        MsgKind::Storage => "#CC79A7",
    }
}

/// Each kind of traffic has its own shape as well as its own colour, drawn large
/// enough to follow with the eyes (about 10 px across), with a white edge so that it
/// stands out over lines and labels.
fn msg_shape(k: MsgKind, x: f64, y: f64, c: &'static str) -> Html {
    match k {
        MsgKind::Heartbeat => {
            html! { <circle cx={x.to_string()} cy={y.to_string()} r="4.5" fill={c} /> }
        }
        MsgKind::Gossip => {
            html! { <polygon points={format!("{},{} {},{} {},{} {},{}", x, y - 6.0, x + 6.0, y, x, y + 6.0, x - 6.0, y)} fill={c} /> }
        }
        MsgKind::Vote => {
            html! { <polygon points={format!("{},{} {},{} {},{}", x, y - 7.0, x + 7.0, y + 5.5, x - 7.0, y + 5.5)} fill={c} /> }
        }
        MsgKind::Replication => {
            html! { <rect x={(x - 4.5).to_string()} y={(y - 4.5).to_string()} width="9" height="9" fill={c} /> }
        }
        MsgKind::Client => {
            html! { <circle cx={x.to_string()} cy={y.to_string()} r="5" fill="white" stroke={c} stroke-width="2.5" /> }
        }
        MsgKind::Control => {
            html! { <rect x={(x - 7.0).to_string()} y={(y - 3.0).to_string()} width="14" height="6" fill={c} /> }
        }
        MsgKind::Storage => {
            html! { <rect x={(x - 5.0).to_string()} y={(y - 5.0).to_string()} width="10" height="10" rx="3" fill="white" stroke={c} stroke-width="2.5" /> }
        }
    }
}

/// Colours for epochs (terms), in turn (Okabe–Ito); committed entries are filled, uncommitted
/// ones drawn as outlines, so the difference never rests on colour alone.
const EPOCH_COLOURS: [&str; 6] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9",
];

/// A process's log as a strip of entries coloured by term, with its commit index.
fn log_strip(log: &sim::view::LogStrip, x: f64, y: f64) -> Html {
    const CELL: f64 = 5.0;
    let n = log.epochs.len() as u64;
    let label = format!(
        "log: {} entries, committed up to {}",
        log.first + n - 1,
        log.commit
    );
    html! {
        <g class="log-strip" role="img" aria-label={label.clone()}>
            <title>{label}</title>
            { for log.epochs.iter().enumerate().map(|(k, epoch)| {
                let index = log.first + k as u64;
                let c = EPOCH_COLOURS[(*epoch as usize) % EPOCH_COLOURS.len()];
                let committed = index <= log.commit;
                html! {
                    <rect x={(x + k as f64 * CELL).to_string()} y={y.to_string()} width={(CELL - 1.0).to_string()} height="7"
                        fill={if committed { c } else { "white" }} stroke={c} stroke-width="1" />
                }
            }) }
            <text x={(x + n as f64 * CELL + 3.0).to_string()} y={(y + 7.0).to_string()} class="log-index">
                {format!("{}/{}", log.commit, log.first + n - 1)}
            </text>
        </g>
    }
}

/// The width of one character of a process's label (12.5 px DejaVu Sans, generously).
const LABEL_CHAR_W: f64 = 7.6;

/// The drawn width of a process's label at 12.5 px in DejaVu Sans (its advance widths,
/// in em), so that only a label that really overflows is drawn narrower.
fn label_width(text: &str) -> f64 {
    let em: f64 = text
        .chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '.' | ',' | ':' | '\'' | '|' => 0.278,
            ' ' => 0.32,
            'f' | 't' | 'r' | '(' | ')' => 0.40,
            's' | 'c' | 'z' | 'v' | 'x' | 'y' | 'k' => 0.53,
            'a' | 'e' | 'o' | 'g' | 'p' | 'q' | 'b' | 'd' | 'n' | 'u' | 'h' => 0.625,
            'm' | 'w' => 0.90,
            '0'..='9' => 0.636,
            'A'..='Z' => 0.70,
            _ => 0.62,
        })
        .sum();
    em * 12.5
}

/// A time running out (a lease) as a ring around the process that shrinks
/// clockwise from the top; the last third is drawn thicker and in vermillion, so that
/// it does not rest on colour alone.
fn gauge(g: &sim::view::Gauge, x: f64, y: f64) -> Html {
    const R: f64 = 10.5;
    let circumference = 2.0 * std::f64::consts::PI * R;
    let frac = g.left_ms as f64 / g.total_ms as f64;
    let low = frac < 1.0 / 3.0;
    let label = format!(
        "{}: {} s left of {} s",
        g.label,
        g.left_ms.div_ceil(1000),
        g.total_ms / 1000
    );
    html! {
        <g class={classes!("gauge", low.then_some("low"))} role="img" aria-label={label.clone()}>
            <title>{label}</title>
            <circle class="gauge-track" cx={x.to_string()} cy={y.to_string()} r={R.to_string()} />
            <circle class="gauge-left" cx={x.to_string()} cy={y.to_string()} r={R.to_string()}
                stroke-dasharray={format!("{:.2} {:.2}", frac * circumference, circumference)}
                transform={format!("rotate(-90 {x} {y})")} />
        </g>
    }
}

/// The control point of the path between two processes: a straight line, except
/// between processes in one column (one box), which bows to the left of the column so
/// that it does not run through the processes between them.
fn bow(a: (f64, f64), b: (f64, f64)) -> Option<(f64, f64)> {
    // The curve's leftmost point is halfway to the control point: keep it on the canvas.
    let cx = (a.0 - 12.0 - 0.25 * (a.1 - b.1).abs()).max(12.0 - a.0);
    ((a.0 - b.0).abs() < 1.0).then_some((cx, (a.1 + b.1) / 2.0))
}

/// The SVG path from `a` to `b` (see [`bow`]).
fn path_d(a: (f64, f64), b: (f64, f64)) -> String {
    match bow(a, b) {
        Some((cx, cy)) => format!(
            "M{:.1} {:.1}Q{cx:.1} {cy:.1} {:.1} {:.1}",
            a.0, a.1, b.0, b.1
        ),
        None => format!("M{:.1} {:.1}L{:.1} {:.1}", a.0, a.1, b.0, b.1),
    }
}

/// The point a fraction `t` of the way along [`path_d`].
fn path_at(a: (f64, f64), b: (f64, f64), t: f64) -> (f64, f64) {
    match bow(a, b) {
        Some((cx, cy)) => {
            let u = 1.0 - t;
            (
                u * u * a.0 + 2.0 * u * t * cx + t * t * b.0,
                u * u * a.1 + 2.0 * u * t * cy + t * t * b.1,
            )
        }
        None => (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t),
    }
}

/// The links between processes that have talked: faint when idle, lit in the colour
/// of the traffic on them, dashed red where the network cuts them (an arrowhead shows
/// which way still passes when only one way is cut).
fn links(l: &Layout, v: &View) -> Html {
    let lines = v.links.iter().map(|k| {
        let (a, b) = (l.procs[k.a.idx()], l.procs[k.b.idx()]);
        let traffic = v.messages.iter().find(|m| {
            (m.from == k.a && m.to == k.b) || (m.from == k.b && m.to == k.a)
        });
        let (na, nb) = (&v.procs[k.a.idx()].name, &v.procs[k.b.idx()].name);
        let d = path_d(a, b);
        match k.open {
            (true, true) => {
                let lit = traffic.map(|m| kind_colour(m.kind));
                html! {
                    <path key={format!("{na}-{nb}")} d={d} class={classes!("wire", lit.is_some().then_some("lit"))}
                        stroke={lit.unwrap_or("#8a99ab")} />
                }
            }
            (ab, ba) => {
                let label = match (ab, ba) {
                    (false, false) => format!("link {na}–{nb} cut"),
                    (true, false) => format!("{na} no longer hears {nb}"),
                    _ => format!("{nb} no longer hears {na}"),
                };
                // One way open: an arrowhead at the end that still receives.
                let (d, one_way) = match (ab, ba) {
                    (false, true) => (path_d(b, a), true),
                    (true, false) => (d, true),
                    _ => (d, false),
                };
                html! {
                    <g key={format!("{na}-{nb}")} class="wire-cut">
                        <path d={d} marker-end={one_way.then_some("url(#cut-arrow)")} />
                        <title>{label}</title>
                    </g>
                }
            }
        }
    });
    html! { <g class="links" aria-hidden="true">{ for lines }</g> }
}

/// A crown over a process that believes it leads: filled for the one that leads in the
/// newest epoch, hollow for one that only still believes it does.
fn crown(x: f64, y: f64, current: bool) -> Html {
    let (t, b) = (y - 22.0, y - 13.0);
    let points = format!(
        "{},{b} {},{} {},{} {x},{t} {},{} {},{} {},{b}",
        x - 7.0,
        x - 7.0,
        t + 2.0,
        x - 3.5,
        t + 5.0,
        x + 3.5,
        t + 5.0,
        x + 7.0,
        t + 2.0,
        x + 7.0
    );
    html! { <polygon class={classes!("crown", (!current).then_some("stale"))} points={points} /> }
}

/// A process's name in the view.
fn v_names(p: &sim::ProcId, v: &View) -> String {
    v.procs
        .get(p.idx())
        .map_or_else(|| p.to_string(), |x| x.name.clone())
}

/// The letter that names a partition ("A", "B", ...).
pub fn partition_name(index: usize) -> String {
    let letters = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    match letters.get(index) {
        Some(c) => (*c as char).to_string(),
        None => format!("{}", index + 1),
    }
}

/// A role's shape: shape, label and colour together, never colour alone.
fn shape(role: Role, x: f64, y: f64) -> Html {
    let c = role_colour(role);
    match role {
        Role::Primary => {
            html! { <rect x={(x - 7.0).to_string()} y={(y - 7.0).to_string()} width="14" height="14" fill={c} transform={format!("rotate(45 {x} {y})")} /> }
        }
        Role::Replica => html! { <circle cx={x.to_string()} cy={y.to_string()} r="7" fill={c} /> },
        Role::Watcher => {
            html! { <polygon points={format!("{},{} {},{} {},{}", x, y - 8.0, x - 8.0, y + 6.0, x + 8.0, y + 6.0)} fill={c} /> }
        }
        Role::Candidate => {
            html! { <polygon points={format!("{},{} {},{} {},{}", x, y - 8.0, x - 8.0, y + 6.0, x + 8.0, y + 6.0)} fill="white" stroke={c} stroke-width="3" /> }
        }
        Role::Client => {
            html! { <rect x={(x - 6.0).to_string()} y={(y - 6.0).to_string()} width="12" height="12" rx="2" fill="white" stroke={c} stroke-width="2" /> }
        }
        Role::Storage => {
            html! { <rect x={(x - 7.0).to_string()} y={(y - 8.0).to_string()} width="14" height="16" rx="4" fill={c} /> }
        }
        Role::Monitor => {
            html! { <polygon points={format!("{},{} {},{} {},{} {},{}", x - 8.0, y, x, y - 6.0, x + 8.0, y, x, y + 6.0)} fill={c} /> }
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
struct Drag {
    b: BoxId,
    grab_x: f64,
    grab_y: f64,
    x: f64,
    y: f64,
}

/// Something that just happened, drawn for a few seconds where it happened.
#[derive(Clone, Debug, PartialEq)]
pub enum Annotation {
    /// `voter` gave its vote to `candidate` in `epoch`.
    Vote {
        /// Who voted.
        voter: usize,
        /// For whom.
        candidate: usize,
        /// In which epoch or term.
        epoch: u64,
        /// The system's word for it.
        word: &'static str,
    },
    /// A label beside a process ("asks for votes, epoch 1", "rejected token 0 < 1").
    Badge {
        /// The process.
        proc: usize,
        /// The text.
        text: String,
        /// Drawn as a warning.
        alarm: bool,
    },
}

/// The annotations for the last `window` ms of virtual time before `now`: votes drawn
/// from voter to candidate, and each event's own badge where it happened.
pub fn annotations(
    signals: &imbl::Vector<sim::engine::SignalRecord>,
    now: sim::Millis,
    window: sim::Millis,
    words: &sim::process::Words,
    names: &[String],
) -> Vec<Annotation> {
    use sim::Signal;
    // Signals are in time order: binary-search the first one inside the window.
    let (mut lo, mut hi) = (0, signals.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        if signals[mid].time_ms + window < now {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    let mut out = Vec::new();
    for r in signals.iter().skip(lo).take_while(|r| r.time_ms <= now) {
        let p = r.proc.idx();
        if let Signal::Voted { epoch, candidate } = &r.signal {
            if candidate.idx() != p {
                let name = names.get(candidate.idx()).map_or("?", |n| n.as_str());
                out.push(Annotation::Badge {
                    proc: p,
                    text: format!("votes for {name}"),
                    alarm: false,
                });
                out.push(Annotation::Vote {
                    voter: p,
                    candidate: candidate.idx(),
                    epoch: *epoch,
                    word: words.epoch,
                });
            }
            continue;
        }
        if p == u16::MAX as usize {
            continue;
        }
        let Some(info) = r.signal.present(words) else {
            continue;
        };
        if let Some((text, alarm)) = info.badge {
            out.push(Annotation::Badge {
                proc: info.about.map_or(p, |a| a.idx()),
                text,
                alarm,
            });
        }
    }
    // One badge per process: the newest.
    let mut seen = std::collections::BTreeSet::new();
    let mut kept: Vec<Annotation> = out
        .into_iter()
        .rev()
        .filter(|a| match a {
            Annotation::Badge { proc, .. } => seen.insert(*proc),
            Annotation::Vote { .. } => true,
        })
        .collect();
    kept.reverse();
    kept
}

/// Properties of the canvas.
#[derive(Properties, PartialEq)]
pub struct CanvasProps {
    /// The view to draw.
    pub view: Rc<View>,
    /// Send an intent.
    pub on_intent: Callback<Intent>,
    /// A process was chosen for the detail panel.
    pub on_select: Callback<usize>,
    /// The selected process.
    pub selected: Option<usize>,
    /// Whether to animate messages.
    pub animate: bool,
    /// The time shown, with its fraction of a millisecond: where flights are drawn.
    pub shown: f64,
    /// What just happened, drawn where it happened.
    pub annotations: Rc<Vec<Annotation>>,
    /// The system's words ("epoch" or "term").
    pub words: sim::process::Words,
    /// Canvas width in SVG units (see [`crate::layout::canvas_width`]).
    pub width: f64,
    /// Drawn for watching only (the second side of a comparison): no drop zone, and
    /// its boxes and processes are not controls.
    #[prop_or_default]
    pub readonly: bool,
}

/// The pointer's position in canvas units; None if the event is not over the canvas.
fn svg_point(width: f64, height: f64, e: &PointerEvent) -> Option<(f64, f64)> {
    use wasm_bindgen::JsCast;
    let el = e
        .target()?
        .dyn_into::<Element>()
        .ok()?
        .closest("svg.canvas")
        .ok()??;
    let r = el.get_bounding_client_rect();
    let x = (e.client_x() as f64 - r.left()) * width / r.width().max(1.0);
    let y = (e.client_y() as f64 - r.top()) * height / r.height().max(1.0);
    Some((x, y))
}

/// Moves box `b` to island `to` (None: a new island), as a fault at the current time.
fn move_intent(v: &View, b: BoxId, to: Option<u32>) -> Option<Intent> {
    let from = v.boxes[b.idx()].island;
    let island = match to {
        Some(i) if i == from => return None,
        Some(i) => i,
        None => {
            // Alone already: a new island would change nothing.
            if v.boxes.iter().filter(|x| x.island == from).count() == 1 {
                return None;
            }
            v.boxes.iter().map(|x| x.island).max().unwrap_or(0) + 1
        }
    };
    Some(Intent::Act(FaultAction::MoveBox {
        box_name: v.boxes[b.idx()].name.clone(),
        island,
    }))
}

/// Each cut once, as `(from, to, both ways)`: a pair cut both ways is one entry.
fn distinct_cuts<T: Copy + PartialOrd>(cuts: &[(T, T)]) -> Vec<(T, T, bool)> {
    cuts.iter()
        .filter_map(|&(a, b)| {
            let both = cuts.iter().any(|&(x, y)| x == b && y == a);
            (!(both && a > b)).then_some((a, b, both))
        })
        .collect()
}

/// Cuts that are not partitions: one-way cuts between boxes and cuts of single links,
/// drawn as red dashed lines with a ✕ (both ways) or an arrow to the side that no
/// longer hears the other.
fn cuts(l: &Layout, v: &View) -> Html {
    // Box cuts run below the boxes, each on its own level, so that they do not overlap.
    let below = |a: sim::BoxId, b: sim::BoxId, k: usize| {
        let (ra, rb) = (l.boxes[a.idx()], l.boxes[b.idx()]);
        let y = (ra.y + ra.h).max(rb.y + rb.h) + 10.0 + 12.0 * k as f64;
        ((ra.x + ra.w / 2.0, y), (rb.x + rb.w / 2.0, y))
    };
    /// From, to, cut both ways, what it says.
    type CutLine = ((f64, f64), (f64, f64), bool, String);
    let mut lines: Vec<CutLine> = Vec::new();
    let mut add = |from: (f64, f64), to: (f64, f64), both: bool, label: String| {
        lines.push((from, to, both, label))
    };
    for (level, (a, b, both)) in distinct_cuts(&v.one_way_cuts).into_iter().enumerate() {
        let (na, nb) = (&v.boxes[a.idx()].name, &v.boxes[b.idx()].name);
        let label = if both {
            format!("{na} and {nb} cut apart")
        } else {
            format!("{nb} no longer hears {na}")
        };
        let (from, to) = below(a, b, level);
        add(from, to, both, label);
    }
    for (a, b, both) in distinct_cuts(&v.link_cuts) {
        let (na, nb) = (&v.procs[a.idx()].name, &v.procs[b.idx()].name);
        let label = if both {
            format!("link {na}–{nb} cut")
        } else {
            format!("{nb} no longer hears {na}")
        };
        add(l.procs[a.idx()], l.procs[b.idx()], both, label);
    }
    html! {
        <g class="cuts">
            { for lines.into_iter().enumerate().map(|(k, ((x1, y1), (x2, y2), both, label))| html! {
                <g key={k} class="cut" role="img" aria-label={label.clone()}>
                    <line x1={x1.to_string()} y1={y1.to_string()} x2={x2.to_string()} y2={y2.to_string()}
                        marker-end={(!both).then_some("url(#cut-arrow)")} />
                    <text x={((x1 + x2) / 2.0 - 5.0).to_string()} y={((y1 + y2) / 2.0 + 5.0).to_string()}>{"✕"}</text>
                    <title>{label}</title>
                </g>
            }) }
        </g>
    }
}

fn annotation(l: &Layout, v: &View, k: usize, a: &Annotation) -> Html {
    match a {
        Annotation::Vote {
            voter,
            candidate,
            epoch,
            word,
        } => {
            let (Some(&p1), Some(&p2)) = (l.procs.get(*voter), l.procs.get(*candidate)) else {
                return Html::default();
            };
            let label = format!(
                "{} votes for {} ({word} {epoch})",
                v.procs[*voter].name, v.procs[*candidate].name
            );
            html! {
                <g key={format!("a{k}")} class="vote" role="img" aria-label={label}>
                    <path d={path_d(p1, p2)} marker-end="url(#arrow)" />
                </g>
            }
        }
        Annotation::Badge { proc, text, alarm } => {
            let Some(&(x, y)) = l.procs.get(*proc) else {
                return Html::default();
            };
            // The badge lane under the name is as wide as the box: longer text is cut
            // short, and whole in its tooltip and for screen readers.
            let room = ((l.box_w - 24.0) / 6.0).max(8.0) as usize;
            let shown = if text.chars().count() > room {
                let cut: String = text.chars().take(room - 1).collect();
                format!("{cut}…")
            } else {
                text.clone()
            };
            html! {
                <g key={format!("a{k}")} class={classes!("badge", alarm.then_some("alarm"))}>
                    <text x={(x - 8.0).to_string()} y={(y + BADGE_Y).to_string()}>{shown}<title>{text.clone()}</title></text>
                </g>
            }
        }
    }
}

/// The canvas component.
#[component]
pub fn Canvas(props: &CanvasProps) -> Html {
    let drag = use_state(|| None::<Drag>);
    // The drawing takes touches for itself (a finger on a box drags it), so a finger
    // elsewhere on it scrolls the page by hand: on a phone the drawing is taller than
    // the screen, and the page must still scroll past it.
    let pan = use_mut_ref(|| None::<i32>);
    let off_box = |e: &PointerEvent| {
        e.pointer_type() == "touch"
            && e.target()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<Element>(t).ok())
                .is_some_and(|el| el.closest("g.box").ok().flatten().is_none())
    };
    let pan_start = {
        let pan = pan.clone();
        Callback::from(move |e: PointerEvent| {
            if off_box(&e) {
                *pan.borrow_mut() = Some(e.screen_y());
            }
        })
    };
    let pan_move = {
        let pan = pan.clone();
        Callback::from(move |e: PointerEvent| {
            let last = *pan.borrow();
            if let (Some(last), Some(w)) = (last, web_sys::window()) {
                w.scroll_by_with_x_and_y(0.0, (last - e.screen_y()) as f64);
                *pan.borrow_mut() = Some(e.screen_y());
            }
        })
    };
    let pan_end = {
        let pan = pan.clone();
        Callback::from(move |_: PointerEvent| *pan.borrow_mut() = None)
    };
    let v = props.view.clone();
    let control = !props.readonly;
    let l: Layout = layout(&v, props.width);
    let height = l.height;
    let width = l.width;

    let mut regions = Vec::new();
    let target = drag.as_ref().map(|d| drop_target(&l, d.x, d.y));
    for (k, (id, r)) in l.islands.iter().enumerate() {
        let hot = matches!(target, Some(Some(t)) if t == *id);
        regions.push(html! {
            <g key={format!("island-{id}")} class={classes!("island", hot.then_some("drop-target"))}>
                <rect x={r.x.to_string()} y={r.y.to_string()} width={r.w.to_string()} height={r.h.to_string()} rx="12" />
                <text x={(r.x + 12.0).to_string()} y={(r.y + 20.0).to_string()} class="island-label">{format!("Partition {}", partition_name(k))}</text>
            </g>
        });
    }
    let nz = l.new_zone;
    let new_hot = matches!(target, Some(None));
    if control {
        regions.push(html! {
            <g key="new-zone" class={classes!("new-zone", new_hot.then_some("drop-target"))}>
                <rect x={nz.x.to_string()} y={nz.y.to_string()} width={nz.w.to_string()} height={nz.h.to_string()} rx="12" />
                <text x={(nz.x + nz.w / 2.0).to_string()} y={(nz.y + 24.0).to_string()} text-anchor="middle" class="island-label">{"New partition"}</text>
                <text x={(nz.x + nz.w / 2.0).to_string()} y={(nz.y + 44.0).to_string()} text-anchor="middle" class="hint">{"drop a box here"}</text>
            </g>
        });
    }

    let islands_sorted: Vec<u32> = l.islands.iter().map(|(id, _)| *id).collect();
    // A dragged box, and its processes, are drawn last: on top of the others.
    let dragged = drag.as_ref().map(|d| d.b);
    let on_top = |b: sim::BoxId| dragged == Some(b);
    let mut box_order: Vec<&sim::view::BoxState> = v.boxes.iter().collect();
    sim::sort::by_key(&mut box_order, |b| on_top(b.id));
    let mut proc_order: Vec<&sim::view::ProcState> = v.procs.iter().collect();
    sim::sort::by_key(&mut proc_order, |p| on_top(p.on_box));
    let boxes = box_order.into_iter().map(|b| {
        let r = l.boxes[b.id.idx()];
        let (dx, dy) = match *drag {
            Some(d) if d.b == b.id => (d.x - d.grab_x, d.y - d.grab_y),
            _ => (0.0, 0.0),
        };
        let part = islands_sorted.iter().position(|i| *i == b.island).unwrap_or(0);
        let procs_desc: Vec<String> = b.procs.iter().map(|p| {
            let ps = &v.procs[p.idx()];
            format!("{} {}", ps.name, ps.view.role_label)
        }).collect();
        let label = format!(
            "Box {} in partition {}: {}. Press a partition letter key (A, B, ...) to move it there, N for a new partition.",
            b.name, partition_name(part), procs_desc.join(", ")
        );
        let onpointerdown = {
            let drag = drag.clone();
            let id = b.id;
            Callback::from(move |e: PointerEvent| {
                if e.button() != 0 {
                    return;
                }
                // Yew delegates events from the document root, so `current_target` is not
                // the box: capture on the box element itself, so that every move and the
                // release come back to it even when the pointer leaves it.
                let target = e.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<Element>(t).ok());
                if let Some(g) = target.and_then(|t| t.closest("g.box").ok().flatten()) {
                    let _ = g.set_pointer_capture(e.pointer_id());
                }
                if let Some((x, y)) = svg_point(width, height, &e) {
                    drag.set(Some(Drag { b: id, grab_x: x, grab_y: y, x, y }));
                }
            })
        };
        let onpointermove = {
            let drag = drag.clone();
            Callback::from(move |e: PointerEvent| {
                if let (Some(d), Some((x, y))) = (*drag, svg_point(width, height, &e)) {
                    drag.set(Some(Drag { x, y, ..d }));
                }
            })
        };
        let onpointerup = {
            let drag = drag.clone();
            let v = v.clone();
            let l = l.clone();
            let on_intent = props.on_intent.clone();
            Callback::from(move |e: PointerEvent| {
                if let Some(d) = *drag {
                    drag.set(None);
                    let Some((x, y)) = svg_point(width, height, &e) else { return };
                    let moved = (x - d.grab_x).abs() + (y - d.grab_y).abs() > 4.0;
                    if moved {
                        if let Some(i) = move_intent(&v, d.b, drop_target(&l, x, y)) {
                            on_intent.emit(i);
                        }
                    }
                }
            })
        };
        let onpointercancel = {
            let drag = drag.clone();
            Callback::from(move |_: PointerEvent| drag.set(None))
        };
        let onkeydown = {
            let v = v.clone();
            let on_intent = props.on_intent.clone();
            let id = b.id;
            let islands_sorted = islands_sorted.clone();
            Callback::from(move |e: KeyboardEvent| {
                let k = e.key().to_ascii_uppercase();
                let target = if k == "N" {
                    Some(None)
                } else if k.len() == 1 {
                    let c = k.as_bytes()[0];
                    (c.is_ascii_uppercase()).then(|| (c - b'A') as usize).and_then(|i| islands_sorted.get(i).copied()).map(Some)
                } else {
                    None
                };
                if let Some(t) = target {
                    e.prevent_default();
                    e.stop_propagation();
                    if let Some(i) = move_intent(&v, id, t) {
                        on_intent.emit(i);
                    }
                }
            })
        };
        let dragging = matches!(*drag, Some(d) if d.b == b.id);
        html! {
            <g key={format!("box-{}", b.name)} class={classes!("box", dragging.then_some("dragging"))}
               data-box={b.name.clone()} tabindex={control.then_some("0")} role={control.then_some("button")} aria-label={label}
               transform={format!("translate({dx} {dy})")}
               {onpointerdown} {onpointermove} {onpointerup} {onpointercancel} {onkeydown}>
                <rect class="box-frame" x={r.x.to_string()} y={r.y.to_string()} width={r.w.to_string()} height={r.h.to_string()} rx="6" />
                <text class="box-name" x={(r.x + 8.0).to_string()} y={(r.y + 17.0).to_string()}>{&b.name}</text>
            </g>
        }
    });

    let splitting = v.split_brain_since.is_some();
    let crowns = v.crowns();
    let leads = |p: sim::ProcId| crowns.iter().find(|c| c.0 == p).map(|c| c.1);
    let procs = proc_order.into_iter().map(|p| {
        let (x, y) = l.procs[p.id.idx()];
        let (dx, dy) = match *drag {
            Some(d) if d.b == p.on_box => (d.x - d.grab_x, d.y - d.grab_y),
            _ => (0.0, 0.0),
        };
        let role = p.view.role;
        let selected = props.selected == Some(p.id.idx());
        let on_select = props.on_select.clone();
        let idx = p.id.idx();
        let onclick = {
            let on_select = on_select.clone();
            Callback::from(move |_: MouseEvent| on_select.emit(idx))
        };
        // From the keyboard: Enter or Space opens the process's panel, whose actions
        // (cut a link, crash, restart, pause, move) are buttons.
        let onkeydown = Callback::from(move |e: KeyboardEvent| {
            if matches!(e.key().as_str(), "Enter" | " ") {
                e.prevent_default();
                e.stop_propagation();
                on_select.emit(idx);
            }
        });
        let state = if !p.alive { " (crashed)" } else if p.paused { " (paused)" } else { "" };
        let label = format!(
            "{} {}{}{}. Enter opens its panel.",
            p.name,
            p.view.role_label,
            state,
            p.view.epoch.filter(|_| role != Role::Client).map_or(String::new(), |e| format!(", {} {e}", props.words.epoch))
        );
        // A label too long for the room left of the epoch tag is drawn a little
        // narrower rather than over the tag (a long name and role beside "t17").
        let shown_label = format!("{} {}{}", p.name, p.view.role_label, state);
        let tag_w = p.view.epoch.filter(|_| role != Role::Client).map_or(0.0, |e| {
            (1 + e.to_string().len()) as f64 * LABEL_CHAR_W * 0.9
        });
        let room = l.box_w - 42.0 - tag_w;
        let squeeze = (label_width(&shown_label) > room).then_some(room.max(20.0));
        let writer = splitting && p.view.writable;
        let crowned = leads(p.id);
        let label = match crowned {
            Some(true) => format!("{label} It leads."),
            Some(false) => format!("{label} It still believes it leads, but another leads in a newer {}.", props.words.epoch),
            None => label,
        };
        html! {
            <g key={format!("proc-{}", p.name)} class={classes!("proc", (!p.alive).then_some("crashed"), selected.then_some("selected"), writer.then_some("split-writer"))}
               transform={format!("translate({dx} {dy})")} {onclick} data-proc={p.name.clone()} data-role={p.view.role_label.clone()}>
                if writer {
                    <circle class="writer-ring" cx={x.to_string()} cy={y.to_string()} r="12" />
                }
                { shape(role, x, y) }
                if let Some(g) = &p.view.gauge {
                    { gauge(g, x, y) }
                }
                if let Some(current) = crowned {
                    { crown(x, y, current) }
                }
                <text x={(x + 14.0).to_string()} y={(y + 4.0).to_string()} class="proc-label"
                    textLength={squeeze.map(|w| format!("{w:.1}"))} lengthAdjust={squeeze.map(|_| "spacingAndGlyphs")}
                    tabindex={control.then_some("0")} role={control.then_some("button")} aria-label={label} aria-pressed={control.then(|| selected.to_string())} {onkeydown}>
                    {shown_label}
                </text>
                if let Some(log) = &p.view.log {
                    { log_strip(log, x - 10.0, y + BADGE_Y + 5.0) }
                }
                if let Some(e) = p.view.epoch.filter(|_| role != Role::Client) {
                    <text x={(x + l.box_w - 24.0).to_string()} y={(y + 4.0).to_string()} text-anchor="end" class="proc-epoch">
                        {format!("{}{e}", &props.words.epoch[..1])}
                        <title>{format!("{} {e}{}", props.words.epoch, p.view.vote.map_or(String::new(), |v| format!(", voted for {}", v_names(&v, &props.view))))}</title>
                    </text>
                }
            </g>
        }
    });

    let messages = if props.animate {
        v.messages.iter().filter(|m| m.from != m.to).take(400).enumerate().map(|(i, m)| {
            let (x1, y1) = l.procs[m.from.idx()];
            let (x2, y2) = l.procs[m.to.idx()];
            let span = (m.arrive_ms.saturating_sub(m.sent_ms)).max(1) as f64;
            let mut t = ((props.shown - m.sent_ms as f64) / span).clamp(0.0, 1.0);
            if m.doomed {
                t = t.min(0.5);
            }
            let (x, y) = path_at((x1, y1), (x2, y2), t);
            let c = kind_colour(m.kind);
            html! {
                <g key={i} class="msg">
                    { msg_shape(m.kind, x, y, c) }
                    if m.doomed {
                        <text x={(x - 5.0).to_string()} y={(y - 6.0).to_string()} class="msg-cut">{"✕"}</text>
                    }
                </g>
            }
        }).collect::<Html>()
    } else {
        Html::default()
    };

    html! {
        <svg class="canvas" viewBox={format!("0 0 {} {height}", l.width)} role="group"
             onpointerdown={pan_start} onpointermove={pan_move} onpointerup={pan_end.clone()} onpointercancel={pan_end}
             aria-label="Cluster: partitions, boxes and processes. Drag a box, or focus it and press a partition letter.">
            <defs>
                <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M 0 0 L 10 5 L 0 10 z" fill="#E69F00" />
                </marker>
                <marker id="cut-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">
                    <path d="M 0 0 L 10 5 L 0 10 z" fill="#b00020" />
                </marker>
            </defs>
            <text x="16" y="24" class="canvas-title">{format!("t = {:.1} s", v.now_ms as f64 / 1000.0)}</text>
            { for regions }
            // Links run under the boxes: seen in the gaps between them, never over a name.
            { links(&l, &v) }
            { for boxes }
            { cuts(&l, &v) }
            <g class="messages" aria-hidden="true">{ messages }</g>
            { for procs }
            <g class="annotations">{ for props.annotations.iter().enumerate().map(|(k, a)| annotation(&l, &v, k, a)) }</g>
            <text x={(l.width - 16.0).to_string()} y="24" text-anchor="end" class="hint">{format!("{} event{}", v.events, if v.events == 1 { "" } else { "s" })}</text>
        </svg>
    }
}
