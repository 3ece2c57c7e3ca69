//! Where things go on the canvas: islands as regions, boxes in a grid inside them,
//! processes in rows inside boxes. Pure geometry from the core's view.

use sim::view::View;

/// Canvas width in SVG units.
pub const W: f64 = 1000.0;
/// Width of one box.
pub const BOX_W: f64 = 150.0;
/// Height of one process row.
pub const ROW_H: f64 = 30.0;
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
    /// Island id and region, left to right.
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

/// Lays out a view.
pub fn layout(v: &View) -> Layout {
    let mut ids: Vec<u32> = v.boxes.iter().map(|b| b.island).collect();
    ids.sort_unstable();
    ids.dedup();
    let n = ids.len().max(1) as f64;
    let region_w = ((W - NEW_W - PAD * (n + 2.0)) / n).max(BOX_W + 2.0 * GAP);
    let cols = (((region_w - GAP) / (BOX_W + GAP)).floor() as usize).max(1);
    let mut boxes = vec![
        Rect {
            x: 0.0,
            y: 0.0,
            w: BOX_W,
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
    let mut height: f64 = 300.0;
    for (k, &id) in ids.iter().enumerate() {
        let rx = PAD + k as f64 * (region_w + PAD);
        let members: Vec<&sim::view::BoxState> =
            v.boxes.iter().filter(|b| b.island == id).collect();
        let mut y = TOP + 30.0;
        for line in members.chunks(cols) {
            let row_h = line.iter().map(|b| box_h(b)).fold(0.0, f64::max);
            for (c, b) in line.iter().enumerate() {
                let x = rx + GAP + c as f64 * (BOX_W + GAP);
                boxes[b.id.idx()] = Rect {
                    x,
                    y,
                    w: BOX_W,
                    h: box_h(b),
                };
                let mut py = y + HEAD_H;
                for p in &b.procs {
                    procs[p.idx()] = (x + 18.0, py + ROW_H / 2.0);
                    py += row(p);
                }
            }
            y += row_h + GAP;
        }
        height = height.max(y + PAD);
        islands.push((
            id,
            Rect {
                x: rx,
                y: TOP,
                w: region_w,
                h: 0.0,
            },
        ));
    }
    for (_, r) in &mut islands {
        r.h = height - TOP - PAD;
    }
    let new_zone = Rect {
        x: W - NEW_W - PAD,
        y: TOP,
        w: NEW_W,
        h: height - TOP - PAD,
    };
    Layout {
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
