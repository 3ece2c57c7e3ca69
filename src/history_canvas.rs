//! The history view's drawing: a canvas, since a history may hold 100,000 operations.
//! Each frame draws only the window's operations (found by binary search in the
//! core's lanes) and at most one bar per pixel column of a lane, so a redraw costs the
//! same at any size. Colours are Okabe and Ito's, which survive colour blindness;
//! the kind of an operation is also in its label, and the operations the verdict
//! names are listed as text beside the drawing.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use gloo::events::{EventListener, EventListenerOptions};
use sim::check::{Call, Status};
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

use crate::history::{HistoryAction, HistoryState, SHOWN};

/// The time axis' height, a lane's height, the names' gutter (CSS pixels).
const AXIS: f64 = 24.0;
const LANE: f64 = 26.0;
const GUTTER: f64 = 84.0;

/// Where things were drawn, for the pointer and the wheel to map back to time.
#[derive(Clone, Copy, Debug, Default)]
struct Geom {
    t0: f64,
    t1: f64,
    plot_w: f64,
    top: usize,
    shown: usize,
}

impl Geom {
    fn time_at(&self, x: f64) -> f64 {
        self.t0 + (x - GUTTER) / self.plot_w.max(1.0) * (self.t1 - self.t0)
    }
    fn lane_at(&self, y: f64) -> Option<usize> {
        let k = ((y - AXIS) / LANE).floor();
        (k >= 0.0 && (k as usize) < self.shown).then(|| self.top + k as usize)
    }

    /// The operation under (x, y), within `px` pixels either side.
    fn hit(&self, lanes: &sim::check::lanes::Lanes, x: f64, y: f64, px: f64) -> Option<usize> {
        let lane = self.lane_at(y).filter(|&l| l < lanes.lanes.len())?;
        let slack = (px / self.plot_w.max(1.0) * (self.t1 - self.t0)).ceil() as i64;
        lanes.at(lane, self.time_at(x).round() as i64, slack)
    }
}

/// A drag under way: where it started and the window then.
#[derive(Clone, Copy, Debug)]
struct Drag {
    x: f64,
    y: f64,
    t0: f64,
    t1: f64,
    top: usize,
    moved: bool,
}

/// Properties of the drawing.
#[derive(Properties, PartialEq)]
pub struct CanvasProps {
    /// The view's state (and its dispatcher).
    pub state: UseReducerHandle<HistoryState>,
}

fn local(e: &MouseEvent) -> Option<(f64, f64)> {
    let el = e.target()?.dyn_into::<web_sys::Element>().ok()?;
    let r = el.get_bounding_client_rect();
    Some((
        e.client_x() as f64 - r.left(),
        e.client_y() as f64 - r.top(),
    ))
}

/// The history drawn, with the pointer, pinch, wheel and keys to move along it.
#[component]
pub fn HistoryCanvas(p: &CanvasProps) -> Html {
    let canvas = use_node_ref();
    let geom: Rc<RefCell<Geom>> = use_mut_ref(Geom::default);
    let drag: Rc<RefCell<Option<Drag>>> = use_mut_ref(|| None);
    let touches: Rc<RefCell<HashMap<i32, (f64, f64)>>> = use_mut_ref(HashMap::new);
    {
        let (canvas, geom, s) = (canvas.clone(), geom.clone(), p.state.clone());
        use_effect_with(p.state.version, move |_| {
            if let Some(el) = canvas.cast::<HtmlCanvasElement>() {
                let clock = web_sys::window().and_then(|w| w.performance());
                let t = clock.as_ref().map_or(0.0, |c| c.now());
                *geom.borrow_mut() = draw(&el, &s);
                // How long the drawing took, for `./lab bench` (never asserted).
                let ms = clock.map_or(0.0, |c| c.now()) - t;
                let _ = el.set_attribute("data-draw-ms", &format!("{ms:.2}"));
            }
        });
    }
    // Redraw at the new width when the window changes size; zoom with Ctrl + wheel
    // (and a trackpad's pinch, which browsers send as one), which must not scroll.
    {
        let (canvas, geom, d) = (canvas.clone(), geom.clone(), p.state.dispatcher());
        use_effect_with((), move |_| {
            let resize = web_sys::window().map(|w| {
                let d = d.clone();
                EventListener::new(&w, "resize", move |_| d.dispatch(HistoryAction::Redraw))
            });
            let wheel = canvas.cast::<HtmlCanvasElement>().map(|el| {
                let options = EventListenerOptions::enable_prevent_default();
                EventListener::new_with_options(&el, "wheel", options, move |e| {
                    let Some(w) = e.dyn_ref::<web_sys::WheelEvent>() else {
                        return;
                    };
                    let g = *geom.borrow();
                    if w.ctrl_key() || w.meta_key() {
                        e.prevent_default();
                        let at = local(w).map(|(x, _)| g.time_at(x));
                        d.dispatch(HistoryAction::Zoom((w.delta_y() / 300.0).exp(), at));
                    } else if w.delta_x().abs() > w.delta_y().abs() {
                        e.prevent_default();
                        d.dispatch(HistoryAction::Pan(w.delta_x() / g.plot_w.max(1.0)));
                    }
                })
            });
            move || drop((resize, wheel))
        });
    }
    let s = &p.state;
    let onpointerdown = {
        let (drag, geom, touches) = (drag.clone(), geom.clone(), touches.clone());
        Callback::from(move |e: PointerEvent| {
            let Some((x, y)) = local(&e) else { return };
            if let Some(el) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            {
                let _ = el.set_pointer_capture(e.pointer_id());
            }
            touches.borrow_mut().insert(e.pointer_id(), (x, y));
            let g = *geom.borrow();
            *drag.borrow_mut() = Some(Drag {
                x,
                y,
                t0: g.t0,
                t1: g.t1,
                top: g.top,
                moved: false,
            });
        })
    };
    let onpointermove = {
        let (drag, geom, touches, s) = (drag.clone(), geom.clone(), touches.clone(), s.clone());
        Callback::from(move |e: PointerEvent| {
            let Some((x, y)) = local(&e) else { return };
            let g = *geom.borrow();
            // Two fingers: pinch to zoom around their middle.
            let mut t = touches.borrow_mut();
            if t.len() == 2 && t.contains_key(&e.pointer_id()) {
                let other = *t
                    .iter()
                    .find(|(k, _)| **k != e.pointer_id())
                    .map(|(_, v)| v)
                    .unwrap_or(&(x, y));
                let before = t[&e.pointer_id()];
                let (d0, d1) = (dist(before, other), dist((x, y), other));
                t.insert(e.pointer_id(), (x, y));
                if d0 > 4.0 && d1 > 4.0 {
                    let mid = g.time_at((x + other.0) / 2.0);
                    s.dispatch(HistoryAction::Zoom(d0 / d1, Some(mid)));
                }
                if let Some(d) = drag.borrow_mut().as_mut() {
                    d.moved = true;
                }
                return;
            }
            drop(t);
            let mut dr = drag.borrow_mut();
            match dr.as_mut() {
                Some(d) => {
                    let (dx, dy) = (x - d.x, y - d.y);
                    if dx.abs() + dy.abs() > 4.0 {
                        d.moved = true;
                    }
                    if d.moved {
                        let dt = dx / g.plot_w.max(1.0) * (d.t1 - d.t0);
                        s.dispatch(HistoryAction::Window(d.t0 - dt, d.t1 - dt));
                        let lanes = (dy / LANE).round() as i64;
                        s.dispatch(HistoryAction::Top((d.top as i64 - lanes).max(0) as usize));
                    }
                }
                None if e.pointer_type() == "mouse" => {
                    let hit = g.hit(&s.lanes, x, y, 4.0);
                    if hit.is_some() {
                        s.dispatch(HistoryAction::Point(hit));
                    }
                }
                None => {}
            }
        })
    };
    let onpointerup = {
        let (drag, geom, touches, s) = (drag.clone(), geom.clone(), touches.clone(), s.clone());
        Callback::from(move |e: PointerEvent| {
            touches.borrow_mut().remove(&e.pointer_id());
            let Some(d) = drag.borrow_mut().take() else {
                return;
            };
            // A tap (or a click) points at an operation, for its details.
            if !d.moved {
                let g = *geom.borrow();
                let hit = g.hit(&s.lanes, d.x, d.y, 8.0);
                s.dispatch(HistoryAction::Point(hit));
            }
        })
    };
    let onpointercancel = {
        let (drag, touches) = (drag.clone(), touches.clone());
        Callback::from(move |e: PointerEvent| {
            touches.borrow_mut().remove(&e.pointer_id());
            *drag.borrow_mut() = None;
        })
    };
    let onkeydown = {
        let s = s.clone();
        Callback::from(move |e: KeyboardEvent| {
            let a = match e.key().as_str() {
                "ArrowLeft" => HistoryAction::Pan(-0.2),
                "ArrowRight" => HistoryAction::Pan(0.2),
                "+" | "=" => HistoryAction::Zoom(0.5, None),
                "-" | "_" => HistoryAction::Zoom(2.0, None),
                "ArrowUp" => HistoryAction::Top(s.top.saturating_sub(1)),
                "ArrowDown" => HistoryAction::Top(s.top + 1),
                "Home" => HistoryAction::Fit,
                "v" | "V" => HistoryAction::ShowViolation,
                "n" | "N" => HistoryAction::Step(true),
                "p" | "P" => HistoryAction::Step(false),
                _ => return,
            };
            e.prevent_default();
            s.dispatch(a);
        })
    };
    let label = format!(
        "The history drawn: {} lanes, one per process, each operation a bar from its invocation to its completion. N and P go from operation to operation (each is read out below the drawing), arrow keys move along it, plus and minus zoom, V shows the violation; the operations the verdict names are listed below.",
        s.lanes.lanes.len()
    );
    html! {
        <div class="history-frame">
            <canvas ref={canvas} class="history-canvas" tabindex="0" role="img" aria-label={label} data-own-keys="true"
                {onpointerdown} {onpointermove} {onpointerup} {onpointercancel} {onkeydown} />
            if s.lanes.lanes.len() > SHOWN {
                <p class="hint">{format!("Lanes {}–{} of {} (drag up or down, or ↑ ↓).", s.top + 1, (s.top + SHOWN).min(s.lanes.lanes.len()), s.lanes.lanes.len())}</p>
            }
        </div>
    }
}

fn dist(a: (f64, f64), b: (f64, f64)) -> f64 {
    ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
}

/// A round step for the axis: 1, 2 or 5 times a power of ten.
fn tick_step(span: f64, ticks: f64) -> f64 {
    let raw = (span / ticks).max(1.0);
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * p)
}

fn colour(call: &Call) -> &'static str {
    match call {
        Call::Write { .. } => "#0072B2",
        Call::Read => "#009E73",
        Call::Cas { .. } => "#CC79A7",
    }
}

fn short(op: &sim::check::Operation) -> String {
    match op.call {
        Call::Write { value } => format!("w {value}"),
        Call::Read => format!("r {}", op.read.map_or("nil".into(), |v| v.to_string())),
        Call::Cas { from, to } => format!("cas {from}→{to}"),
    }
}

/// Draws the window; returns where, and notes on the element what it drew (bars and
/// highlighted operations) for the end-to-end tests.
fn draw(el: &HtmlCanvasElement, s: &HistoryState) -> Geom {
    let Some(l) = &s.loaded else {
        return Geom::default();
    };
    let Some(ctx) = el
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return Geom::default();
    };
    let lanes = &s.lanes;
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    let css_w = el
        .parent_element()
        .map_or(600.0, |p| p.client_width() as f64)
        .max(200.0);
    let shown = lanes.lanes.len().clamp(1, SHOWN);
    let css_h = AXIS + shown as f64 * LANE + 4.0;
    el.set_width((css_w * dpr) as u32);
    el.set_height((css_h * dpr) as u32);
    let _ = el.set_attribute("style", &format!("width:{css_w}px;height:{css_h}px"));
    let _ = ctx.set_transform(dpr, 0.0, 0.0, dpr, 0.0, 0.0);
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, css_w, css_h);
    let g = Geom {
        t0: s.t0,
        t1: s.t1,
        plot_w: css_w - GUTTER - 6.0,
        top: s.top,
        shown,
    };
    let k = g.plot_w / (g.t1 - g.t0).max(1e-9);
    let x_of = |t: f64| GUTTER + (t - g.t0) * k;
    // The axis.
    ctx.set_font("11px system-ui, sans-serif");
    ctx.set_text_baseline("middle");
    let step = tick_step(g.t1 - g.t0, (g.plot_w / 110.0).max(2.0));
    let mut t = (g.t0 / step).ceil() * step;
    ctx.set_stroke_style_str("#e4e4e4");
    ctx.set_line_width(1.0);
    while t <= g.t1 {
        let x = x_of(t).round() + 0.5;
        ctx.begin_path();
        ctx.move_to(x, AXIS - 4.0);
        ctx.line_to(x, css_h);
        ctx.stroke();
        ctx.set_fill_style_str("#5a5a5a");
        let _ = ctx.fill_text(
            &sim::drill::thousands(t.max(0.0) as u64),
            x + 3.0,
            AXIS / 2.0,
        );
        t += step;
    }
    // The lanes.
    let mut drawn = 0u32;
    let lo = g.t0.floor() as i64;
    let hi = g.t1.ceil() as i64;
    for row in 0..shown {
        let lane = g.top + row;
        if lane >= lanes.lanes.len() {
            break;
        }
        let y = AXIS + row as f64 * LANE;
        if row % 2 == 1 {
            ctx.set_fill_style_str("#f5f5f5");
            ctx.fill_rect(0.0, y, css_w, LANE);
        }
        ctx.set_fill_style_str("#1b1b1b");
        let name = sim::check::who(&lanes.names[lane]);
        let name = if name.chars().count() > 12 {
            format!("{}…", name.chars().take(11).collect::<String>())
        } else {
            name
        };
        let _ = ctx.fill_text(&name, 4.0, y + LANE / 2.0);
        // One bar per pixel column at most: a bar narrower than a pixel that starts in
        // the column of the last one drawn adds nothing to see.
        let mut last_px = i64::MIN;
        for &i in lanes.visible(lane, lo, hi) {
            let op = &l.ops[i];
            let end = lanes.drawn_end(i);
            if end < lo {
                continue;
            }
            let (x0, x1) = (
                x_of(op.invoke as f64).max(GUTTER - 2.0),
                x_of(end as f64).min(css_w),
            );
            if x1 - x0 < 1.0 {
                let px = x0 as i64;
                if px == last_px {
                    continue;
                }
                last_px = px;
            }
            let w = (x1 - x0).max(1.5);
            let c = colour(&op.call);
            match op.status {
                Status::Ok => {
                    ctx.set_fill_style_str(c);
                    ctx.fill_rect(x0, y + 4.0, w, LANE - 8.0);
                }
                Status::Info => {
                    ctx.set_global_alpha(0.3);
                    ctx.set_fill_style_str(c);
                    ctx.fill_rect(x0, y + 4.0, w, LANE - 8.0);
                    ctx.set_global_alpha(1.0);
                    ctx.set_stroke_style_str(c);
                    let _ = ctx.set_line_dash(&js_dash(&[4.0, 3.0]));
                    ctx.stroke_rect(x0 + 0.5, y + 4.5, w - 1.0, LANE - 9.0);
                    let _ = ctx.set_line_dash(&js_dash(&[]));
                }
                Status::Fail => {
                    ctx.set_fill_style_str("#bbbbbb");
                    ctx.fill_rect(x0, y + 8.0, w, LANE - 16.0);
                }
            }
            drawn += 1;
            if w > 34.0 {
                let text = short(op);
                if ctx.measure_text(&text).map_or(f64::MAX, |m| m.width()) + 6.0 < w {
                    ctx.set_fill_style_str(if op.status == Status::Ok {
                        "#ffffff"
                    } else {
                        "#1b1b1b"
                    });
                    let _ = ctx.fill_text(&text, x0 + 3.0, y + LANE / 2.0);
                }
            }
        }
    }
    // The operations the verdict names, and the one pointed at, on top.
    let involved = s.involved();
    let mut highlighted = 0u32;
    let mark = |i: usize, stroke: &str, width: f64, dash: &[f64]| -> bool {
        let op = &l.ops[i];
        let Some(lane) = crate::history::lane_of(lanes, op) else {
            return false;
        };
        if s.key.as_ref().is_some_and(|k| *k != op.key) || lane < g.top || lane >= g.top + shown {
            return false;
        }
        let end = lanes.drawn_end(i) as f64;
        if end < g.t0 || (op.invoke as f64) > g.t1 {
            return false;
        }
        let (x0, x1) = (
            x_of(op.invoke as f64).max(GUTTER - 2.0),
            x_of(end).min(css_w),
        );
        let y = AXIS + (lane - g.top) as f64 * LANE;
        ctx.set_stroke_style_str(stroke);
        ctx.set_line_width(width);
        let _ = ctx.set_line_dash(&js_dash(dash));
        ctx.stroke_rect(x0 - 1.0, y + 2.0, (x1 - x0).max(1.5) + 2.0, LANE - 4.0);
        let _ = ctx.set_line_dash(&js_dash(&[]));
        ctx.set_line_width(1.0);
        true
    };
    for (n, &i) in involved.iter().enumerate().rev() {
        let ok = if n == 0 {
            mark(i, "#D55E00", 3.0, &[])
        } else {
            mark(i, "#E69F00", 2.0, &[5.0, 3.0])
        };
        highlighted += ok as u32;
    }
    if let (Some(x), Some(&first)) = (
        match &s.check {
            crate::history::Check::Done(v, _) => v.violation.as_ref(),
            _ => None,
        },
        involved.first(),
    ) {
        let key_shown = s.key.as_ref().is_none_or(|k| *k == l.ops[first].key);
        let t = x.at as f64;
        if key_shown && t >= g.t0 && t <= g.t1 {
            let px = x_of(t).round() + 0.5;
            ctx.set_stroke_style_str("#D55E00");
            ctx.set_line_width(2.0);
            ctx.begin_path();
            ctx.move_to(px, AXIS - 6.0);
            ctx.line_to(px, css_h);
            ctx.stroke();
            ctx.set_line_width(1.0);
        }
    }
    if let Some(i) = s.point {
        mark(i, "#1b1b1b", 2.0, &[]);
    }
    let _ = el.set_attribute("data-drawn", &drawn.to_string());
    let _ = el.set_attribute("data-highlighted", &highlighted.to_string());
    let _ = el.set_attribute("data-window", &format!("{:.0}..{:.0}", g.t0, g.t1));
    g
}

fn js_dash(d: &[f64]) -> wasm_bindgen::JsValue {
    d.iter()
        .map(|x| wasm_bindgen::JsValue::from_f64(*x))
        .collect::<js_sys::Array>()
        .into()
}
