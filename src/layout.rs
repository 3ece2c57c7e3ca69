//! Where things go on the canvas: islands as regions, boxes in a grid inside them,
//! processes in rows inside boxes. Pure geometry from the core's view.

use sim::view::View;

/// Canvas width in SVG units.
pub const W: f64 = 1000.0;
/// Width of one box.
pub const BOX_W: f64 = 150.0;
/// Height of one process row: its name, and below it a lane for its badge (what just
/// happened to it), so that a badge never covers a name.
pub const ROW_H: f64 = 40.0;
/// Where a process's anchor (its shape's centre) sits below the top of its row.
pub const ANCHOR_Y: f64 = 17.0;
/// Where the badge lane's baseline sits below a process's anchor.
pub const BADGE_Y: f64 = 17.0;
/// Extra height of a process that draws its log.
pub const LOG_H: f64 = 14.0;
/// Height of a box header.
pub const HEAD_H: f64 = 26.0;
const GAP: f64 = 14.0;
const PAD: f64 = 16.0;
/// Width of the "new partition" drop zone.
pub const NEW_W: f64 = 120.0;
const TOP: f64 = 40.0;

/// A rectangle.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    /// Whether a point is inside.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.x && x <= self.x + self.w && y >= self.y && y <= self.y + self.h
    }
}

/// The layout of one moment.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// Canvas width in SVG units.
    pub width: f64,
    /// Width of a box.
    pub box_w: f64,
    /// Island id and region, left to right (stacked top to bottom when narrow).
    pub islands: Vec<(u32, Rect)>,
    /// The drop zone that makes a new island.
    pub new_zone: Rect,
    /// Each box's rectangle, by box id.
    pub boxes: Vec<Rect>,
    /// Each process's anchor point, by process id.
    pub procs: Vec<(f64, f64)>,
    /// Canvas height.
    pub height: f64,
}

/// Canvas width for a frame `px` pixels wide: narrow frames (phones, small embeds) get
/// a narrow canvas, drawn at about one unit per pixel so that labels stay readable, with
/// the partitions stacked; middling ones (an 800 px embed) a canvas about as wide as
/// the frame, so that labels are not shrunk; wide ones the full canvas.
pub fn canvas_width(px: f64) -> f64 {
    if px < NARROW_BELOW {
        (px - 24.0).clamp(NARROW_W, NARROW_BELOW - 40.0)
    } else {
        (px - 40.0).clamp(NARROW_BELOW, W)
    }
}

/// Frames narrower than this (in px) get the narrow, stacked canvas.
pub const NARROW_BELOW: f64 = 700.0;

/// The narrowest canvas's width in SVG units.
pub const NARROW_W: f64 = 360.0;

/// Lays out a view on a canvas `width` units wide.
pub fn layout(v: &View, width: f64) -> Layout {
    let mut ids: Vec<u32> = v.boxes.iter().map(|b| b.island).collect();
    ids.sort_unstable();
    ids.dedup();
    let narrow = width < NARROW_BELOW;
    let n = ids.len().max(1) as f64;
    // Side by side: each island a column; stacked: each island the full width.
    let region_w = if narrow {
        width - 2.0 * PAD
    } else {
        ((width - NEW_W - PAD * (n + 2.0)) / n).max(BOX_W + 2.0 * GAP)
    };
    // Narrow: two columns of boxes, so that a phone's drawing stays short enough for a
    // box and the new-partition zone to be on screen together.
    // Many partitions side by side may need more than the canvas: it widens (and the
    // drawing scales down) rather than let the new-partition zone cover one of them.
    let width = if narrow {
        width
    } else {
        width.max(PAD + n * (region_w + PAD) + NEW_W + PAD)
    };
    let box_w = if narrow {
        ((region_w - 3.0 * GAP) / 2.0).min(300.0)
    } else {
        BOX_W
    };
    let cols = (((region_w - GAP) / (box_w + GAP)).floor() as usize).max(1);
    let mut boxes = vec![
        Rect {
            x: 0.0,
            y: 0.0,
            w: box_w,
            h: 0.0
        };
        v.boxes.len()
    ];
    let mut procs = vec![(0.0, 0.0); v.procs.len()];
    let row = |p: &sim::ProcId| {
        if v.procs[p.idx()].view.log.is_some() {
            ROW_H + LOG_H
        } else {
            ROW_H
        }
    };
    let box_h = |b: &sim::view::BoxState| HEAD_H + b.procs.iter().map(row).sum::<f64>() + 8.0;
    let mut islands = Vec::new();
    let mut height: f64 = if narrow { 0.0 } else { 300.0 };
    let mut top = TOP;
    for (k, &id) in ids.iter().enumerate() {
        let rx = if narrow {
            PAD
        } else {
            PAD + k as f64 * (region_w + PAD)
        };
        let members: Vec<&sim::view::BoxState> =
            v.boxes.iter().filter(|b| b.island == id).collect();
        let mut y = top + 30.0;
        for line in members.chunks(cols) {
            let row_h = line.iter().map(|b| box_h(b)).fold(0.0, f64::max);
            for (c, b) in line.iter().enumerate() {
                let x = rx + GAP + c as f64 * (box_w + GAP);
                boxes[b.id.idx()] = Rect {
                    x,
                    y,
                    w: box_w,
                    h: box_h(b),
                };
                let mut py = y + HEAD_H;
                for p in &b.procs {
                    procs[p.idx()] = (x + 18.0, py + ANCHOR_Y);
                    py += row(p);
                }
            }
            y += row_h + GAP;
        }
        islands.push((
            id,
            Rect {
                x: rx,
                y: top,
                w: region_w,
                h: y - top,
            },
        ));
        if narrow {
            top = y + PAD;
        }
        height = height.max(y + PAD);
    }
    let new_zone = if narrow {
        let r = Rect {
            x: PAD,
            y: top,
            w: region_w,
            h: 56.0,
        };
        height = top + r.h + PAD;
        r
    } else {
        for (_, r) in &mut islands {
            r.h = height - TOP - PAD;
        }
        Rect {
            x: width - NEW_W - PAD,
            y: TOP,
            w: NEW_W,
            h: height - TOP - PAD,
        }
    };
    Layout {
        width,
        box_w,
        islands,
        new_zone,
        boxes,
        procs,
        height,
    }
}

/// Where a box dropped at (x, y) goes: an existing island, or None for a new one.
pub fn drop_target(l: &Layout, x: f64, y: f64) -> Option<u32> {
    l.islands
        .iter()
        .find(|(_, r)| r.contains(x, y))
        .map(|(id, _)| *id)
}
