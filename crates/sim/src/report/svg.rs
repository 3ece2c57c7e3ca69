//! Pictures for review documents and slides, as standalone SVG: the drawing at a
//! moment (partitions as regions, boxes, each process with its role's shape and
//! colour, who leads and who only believes it, cuts) and the timeline (the faults as
//! spans, the moments as markers, the moment shown). Styles are inline, so a file
//! opens the same in a browser, an editor or a slide; the colours are the page's
//! (Okabe and Ito's, which survive colour blindness).

use std::fmt::Write as _;

use crate::ids::Millis;
use crate::process::MarkerKind;
use crate::scenario::Scenario;
use crate::view::{Role, View};

use super::Moment;

const FONT: &str = "font-family=\"system-ui, -apple-system, 'Segoe UI', sans-serif\"";

/// Escapes text for SVG.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A process's shape at (x, y), as the page draws its role.
fn shape(role: Role, x: f64, y: f64, alive: bool) -> String {
    let op = if alive { "" } else { " opacity=\"0.35\"" };
    match role {
        Role::Primary => format!("<rect x=\"{:.1}\" y=\"{:.1}\" width=\"11\" height=\"11\" fill=\"#D55E00\" transform=\"rotate(45 {x:.1} {y:.1})\"{op}/>", x - 5.5, y - 5.5),
        Role::Replica => format!("<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"6.5\" fill=\"#0072B2\"{op}/>"),
        Role::Watcher => format!("<polygon points=\"{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}\" fill=\"#009E73\"{op}/>", x, y - 7.0, x + 7.0, y + 6.0, x - 7.0, y + 6.0),
        Role::Candidate => format!("<polygon points=\"{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}\" fill=\"#fff\" stroke=\"#E69F00\" stroke-width=\"2\"{op}/>", x, y - 7.0, x + 7.0, y + 6.0, x - 7.0, y + 6.0),
        Role::Client => format!("<rect x=\"{:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"#fff\" stroke=\"#555\" stroke-width=\"2\" rx=\"2\"{op}/>", x - 6.0, y - 6.0),
        Role::Storage => format!("<rect x=\"{:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"#CC79A7\" rx=\"3\"{op}/>", x - 6.0, y - 6.0),
        Role::Monitor => format!("<polygon points=\"{:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1}\" fill=\"#56B4E9\"{op}/>", x - 7.0, y, x, y - 7.0, x + 7.0, y, x, y + 7.0),
    }
}

/// The drawing at the view's moment, with a title line and the sentence under it.
pub fn drawing(s: &Scenario, view: &View, epoch_word: &str, caption: &str) -> String {
    let mut islands: Vec<u32> = view.boxes.iter().map(|b| b.island).collect();
    islands.sort_unstable();
    islands.dedup();
    const BOX_W: f64 = 230.0;
    const ROW: f64 = 24.0;
    const PAD: f64 = 14.0;
    let crowns = view.crowns();
    // Column per partition, boxes stacked in it.
    let mut cols: Vec<(u32, Vec<usize>)> = islands
        .iter()
        .map(|i| {
            (
                *i,
                view.boxes
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| b.island == *i)
                    .map(|(k, _)| k)
                    .collect(),
            )
        })
        .collect();
    cols.retain(|c| !c.1.is_empty());
    let box_h = |k: usize| 40.0 + ROW * view.boxes[k].procs.len().max(1) as f64;
    let col_h = |c: &Vec<usize>| c.iter().map(|k| box_h(*k) + 10.0).sum::<f64>() + 30.0;
    let height_body = cols.iter().map(|(_, c)| col_h(c)).fold(0.0, f64::max);
    let width = PAD + cols.len() as f64 * (BOX_W + 2.0 * PAD + 10.0) + PAD;
    let caption_lines = wrap(caption, ((width - 2.0 * PAD) / 6.6).max(40.0) as usize);
    let top = 40.0 + 17.0 * caption_lines.len() as f64;
    let cut_lines: Vec<String> = view
        .link_cuts
        .iter()
        .map(|(a, b)| format!("{} ↛ {}", name(view, a.idx()), name(view, b.idx())))
        .chain(view.one_way_cuts.iter().map(|(a, b)| {
            format!(
                "{} ↛ {} (one way)",
                view.boxes[a.idx()].name,
                view.boxes[b.idx()].name
            )
        }))
        .collect();
    let height = top + height_body + if cut_lines.is_empty() { 20.0 } else { 40.0 };
    let mut o = String::new();
    let _ = write!(
        o,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" {FONT} font-size=\"13\" role=\"img\">"
    );
    let _ = write!(
        o,
        "<title>{} at {:.1} s</title><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>",
        esc(&s.name),
        view.now_ms as f64 / 1000.0
    );
    let _ = write!(
        o,
        "<text x=\"{PAD}\" y=\"22\" font-size=\"16\" font-weight=\"600\" fill=\"#1b1b1b\">{} — t = {:.1} s</text>",
        esc(&s.name),
        view.now_ms as f64 / 1000.0
    );
    for (i, l) in caption_lines.iter().enumerate() {
        let _ = write!(
            o,
            "<text x=\"{PAD}\" y=\"{:.0}\" fill=\"#444\">{}</text>",
            42.0 + 17.0 * i as f64,
            esc(l)
        );
    }
    for (c, (_, boxes)) in cols.iter().enumerate() {
        let x0 = PAD + c as f64 * (BOX_W + 2.0 * PAD + 10.0);
        let label = if cols.len() > 1 {
            format!("Partition {}", (b'A' + c as u8 % 26) as char)
        } else {
            "One network".to_string()
        };
        let _ = write!(
            o,
            "<rect x=\"{x0:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"10\" fill=\"#f2f5f9\" stroke=\"#9aa7b6\" stroke-width=\"1.5\"/><text x=\"{:.1}\" y=\"{:.1}\" font-weight=\"600\" fill=\"#34404d\">{label}</text>",
            BOX_W + 2.0 * PAD,
            col_h(boxes),
            x0 + PAD,
            top + 20.0
        );
        let mut y = top + 30.0;
        for k in boxes {
            let b = &view.boxes[*k];
            let bx = x0 + PAD;
            let _ = write!(
                o,
                "<rect x=\"{bx:.1}\" y=\"{y:.1}\" width=\"{BOX_W}\" height=\"{:.1}\" rx=\"6\" fill=\"#fff\" stroke=\"#555\" stroke-width=\"1.5\"/><text x=\"{:.1}\" y=\"{:.1}\" font-weight=\"600\">{}</text>",
                box_h(*k),
                bx + 8.0,
                y + 18.0,
                esc(&b.name)
            );
            for (r, p) in b.procs.iter().enumerate() {
                let p = &view.procs[p.idx()];
                // Rows start below the box's name, with room for a crown above.
                let py = y + 46.0 + r as f64 * ROW;
                let px = bx + 18.0;
                o += &shape(p.view.role, px, py - 4.0, p.alive);
                if let Some((_, newest)) = crowns.iter().find(|(id, _)| *id == p.id) {
                    let (fill, dash) = if *newest {
                        ("#E69F00", "")
                    } else {
                        ("#fff", " stroke-dasharray=\"2 1.5\"")
                    };
                    let _ = write!(
                        o,
                        "<polygon points=\"{:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1}\" fill=\"{fill}\" stroke=\"#5c3d00\"{dash}/>",
                        px - 7.0, py - 13.0, px - 7.0, py - 20.0, px - 3.5, py - 16.0, px, py - 21.0, px + 3.5, py - 16.0, px + 7.0, py - 20.0, px + 7.0, py - 13.0
                    );
                }
                let state = if !p.alive {
                    " (down)".to_string()
                } else if p.paused {
                    " (paused)".to_string()
                } else {
                    String::new()
                };
                let epoch = p
                    .view
                    .epoch
                    .map_or(String::new(), |e| format!("{epoch_word} {e}"));
                let _ = write!(
                    o,
                    "<text x=\"{:.1}\" y=\"{py:.1}\"><tspan font-weight=\"600\">{}</tspan> {}{}<tspan dx=\"6\" fill=\"#5a5a5a\" font-size=\"11\">{}</tspan></text>",
                    px + 14.0,
                    esc(&p.name),
                    esc(&p.view.role_label),
                    esc(&state),
                    esc(&epoch)
                );
            }
            y += box_h(*k) + 10.0;
        }
    }
    if !cut_lines.is_empty() {
        let _ = write!(
            o,
            "<text x=\"{PAD}\" y=\"{:.1}\" fill=\"#b00020\">Cut: {}</text>",
            height - 14.0,
            esc(&cut_lines.join(", "))
        );
    }
    o += "</svg>\n";
    o
}

/// At most `n` characters, with "…" where it was cut.
fn clip(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        text.chars().take(n.saturating_sub(1)).collect::<String>() + "…"
    }
}

/// Words in lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(l) if l.chars().count() + 1 + word.chars().count() <= width => {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

fn name(view: &View, k: usize) -> String {
    view.procs.get(k).map_or("?".into(), |p| p.name.clone())
}

/// The colour of a marker's family, as the page's legend shows it.
fn marker_colour(k: MarkerKind) -> (&'static str, &'static str) {
    match k {
        MarkerKind::Cut | MarkerKind::Crash => ("#333", "a fault"),
        MarkerKind::Heal => ("#fff", "a repair"),
        MarkerKind::Down => ("#E69F00", "agreed down"),
        MarkerKind::Election => ("#F0E442", "an election"),
        MarkerKind::Leader => ("#D55E00", "a new leader"),
        MarkerKind::Split | MarkerKind::SplitEnd | MarkerKind::LockTwice => {
            ("#b00020", "split-brain")
        }
        MarkerKind::Loss => ("#000", "data discarded"),
        MarkerKind::Fencing => ("#CC79A7", "a fencing rejection"),
        MarkerKind::NotLinearizable => ("#b00020", "not linearizable"),
        MarkerKind::Alert => ("#56B4E9", "an alert"),
    }
}

/// The timeline: the run's length as an axis, the network's cut spans shaded, each moment as a
/// marker with the most telling ones labelled, and the moment shown as a line.
pub fn timeline(s: &Scenario, moments: &[Moment], now_ms: Option<Millis>) -> String {
    const W: f64 = 960.0;
    const L: f64 = 20.0;
    let duration = s.duration_ms.max(1) as f64;
    let x = |t: Millis| L + (W - 2.0 * L) * (t as f64 / duration).min(1.0);
    let mut o = String::new();
    let labelled: Vec<&Moment> = moments
        .iter()
        .filter(|m| {
            matches!(
                m.kind,
                MarkerKind::Leader
                    | MarkerKind::Split
                    | MarkerKind::Loss
                    | MarkerKind::NotLinearizable
                    | MarkerKind::LockTwice
                    | MarkerKind::Fencing
            )
        })
        .take(8)
        .collect();
    let height = 110.0 + 18.0 * labelled.len() as f64;
    let _ = write!(
        o,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{height:.0}\" viewBox=\"0 0 {W} {height:.0}\" {FONT} font-size=\"12\" role=\"img\"><title>Timeline of {}</title><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>",
        esc(&s.name)
    );
    let _ = write!(
        o,
        "<text x=\"{L}\" y=\"18\" font-size=\"14\" font-weight=\"600\">{} — timeline</text>",
        esc(&s.name)
    );
    // Shaded from each cut to the repair that ends it: how long the network was cut.
    let mut from: Option<Millis> = None;
    let mut spans = Vec::new();
    for m in moments {
        match m.kind {
            MarkerKind::Cut if from.is_none() => from = Some(m.time_ms),
            MarkerKind::Heal => {
                if let Some(f) = from.take() {
                    spans.push((f, m.time_ms));
                }
            }
            _ => {}
        }
    }
    if let Some(f) = from {
        spans.push((f, s.duration_ms));
    }
    for (a, b) in spans {
        let _ = write!(
            o,
            "<rect x=\"{:.1}\" y=\"46\" width=\"{:.1}\" height=\"28\" fill=\"#333\" opacity=\"0.12\"><title>network cut from {:.1} s to {:.1} s</title></rect>",
            x(a),
            (x(b) - x(a)).max(1.0),
            a as f64 / 1000.0,
            b as f64 / 1000.0
        );
    }
    let _ = write!(
        o,
        "<line x1=\"{L}\" x2=\"{:.1}\" y1=\"60\" y2=\"60\" stroke=\"#9aa7b6\" stroke-width=\"4\" stroke-linecap=\"round\"/>",
        W - L
    );
    for m in moments {
        let (fill, what) = marker_colour(m.kind);
        let _ = write!(
            o,
            "<rect x=\"{:.1}\" y=\"53\" width=\"7\" height=\"14\" fill=\"{fill}\" stroke=\"#333\" stroke-width=\"0.8\"><title>{:.1} s: {} ({what})</title></rect>",
            x(m.time_ms) - 3.5,
            m.time_ms as f64 / 1000.0,
            esc(&m.label)
        );
    }
    if let Some(t) = now_ms {
        let _ = write!(
            o,
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"46\" y2=\"74\" stroke=\"#0b57d0\" stroke-width=\"2\"/>",
            x(t)
        );
    }
    for (tick, label) in [
        (0.0, "0 s".to_string()),
        (1.0, format!("{:.0} s", duration / 1000.0)),
    ] {
        let _ = write!(
            o,
            "<text x=\"{:.1}\" y=\"86\" text-anchor=\"{}\" fill=\"#5a5a5a\">{label}</text>",
            L + (W - 2.0 * L) * tick,
            if tick == 0.0 { "start" } else { "end" }
        );
    }
    for (i, m) in labelled.iter().enumerate() {
        let y = 106.0 + 18.0 * i as f64;
        let (fill, _) = marker_colour(m.kind);
        let mx = x(m.time_ms);
        // Labels read rightwards from their marker, or leftwards near the end.
        let (tx, anchor) = if mx < W - 380.0 {
            (mx + 8.0, "start")
        } else {
            (mx - 8.0, "end")
        };
        // As many characters as fit between the marker and the edge (about 6.2 px each).
        let room = if anchor == "start" { W - tx } else { tx - L };
        let text = clip(
            &format!("{:.1} s: {}", m.time_ms as f64 / 1000.0, m.label),
            (room / 6.2) as usize,
        );
        let _ = write!(
            o,
            "<line x1=\"{mx:.1}\" x2=\"{mx:.1}\" y1=\"68\" y2=\"{y:.1}\" stroke=\"#c0c0c0\" stroke-dasharray=\"2 2\"/><rect x=\"{:.1}\" y=\"{:.1}\" width=\"7\" height=\"10\" fill=\"{fill}\" stroke=\"#333\" stroke-width=\"0.8\"/><text x=\"{tx:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\">{}</text>",
            mx - 3.5,
            y - 9.0,
            esc(&text)
        );
    }
    o += "</svg>\n";
    o
}
