//! The simulated network: latency with jitter, loss, partitions into islands,
//! one-way cuts between boxes and cuts of single process links.

use serde::{Deserialize, Serialize};

use crate::ids::{BoxId, Millis, ProcId};
use crate::rng::SimRng;

/// Link properties between boxes (processes on one box talk over loopback).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LinkSettings {
    /// One-way latency between two boxes, in ms.
    pub latency_ms: u64,
    /// Extra random latency, uniform in 0..=jitter, in ms.
    pub jitter_ms: u64,
    /// Probability that a message between two boxes is lost (0..1).
    pub loss: f64,
}

impl Default for LinkSettings {
    fn default() -> Self {
        LinkSettings {
            latency_ms: 1,
            jitter_ms: 1,
            loss: 0.0,
        }
    }
}

/// The state of the network at one moment.
#[derive(Clone, Debug)]
pub struct Network {
    /// Island of each box: boxes in different islands cannot talk.
    island: Vec<u32>,
    /// Directed box pairs `(from, to)` whose traffic is cut (`to` no longer hears `from`).
    one_way: Vec<(BoxId, BoxId)>,
    /// Directed process pairs whose traffic is cut.
    links: Vec<(ProcId, ProcId)>,
    /// Box pairs (either direction) whose traffic is held, delayed until released.
    held: Vec<(BoxId, BoxId)>,
    /// Latency, jitter and loss.
    pub settings: LinkSettings,
    /// Per directed process pair, the last delivery time: links are FIFO, as TCP is.
    last_delivery: Vec<Millis>,
    procs: usize,
}

impl Network {
    /// A healed network of `boxes` boxes carrying `procs` processes.
    pub fn new(boxes: usize, procs: usize, settings: LinkSettings) -> Self {
        Network {
            island: vec![0; boxes],
            one_way: Vec::new(),
            links: Vec::new(),
            held: Vec::new(),
            settings,
            last_delivery: vec![0; procs * procs],
            procs,
        }
    }

    /// Whether a message from `from` (on box `fb`) reaches `to` (on box `tb`) now. A
    /// message on a connection `to` opened also needs the way back: TCP stalls a
    /// connection whose acknowledgements are cut, so a one-way cut stops both its
    /// requests and the replies on the cut side's own connections.
    #[inline]
    pub fn allows(
        &self,
        fb: BoxId,
        tb: BoxId,
        from: ProcId,
        to: ProcId,
        on_receivers_connection: bool,
    ) -> bool {
        self.packets_pass(fb, tb, from, to)
            && (!on_receivers_connection || self.packets_pass(tb, fb, to, from))
    }

    /// Whether packets from `from` reach `to` now (islands, one-way and link cuts).
    #[inline]
    fn packets_pass(&self, fb: BoxId, tb: BoxId, from: ProcId, to: ProcId) -> bool {
        if self.island[fb.idx()] != self.island[tb.idx()] {
            return false;
        }
        if !self.one_way.is_empty() && self.one_way.contains(&(fb, tb)) {
            return false;
        }
        self.links.is_empty() || !self.links.contains(&(from, to))
    }

    /// When a message sent now would arrive, or None if it is lost at random.
    pub fn delivery_time(
        &mut self,
        now: Millis,
        fb: BoxId,
        tb: BoxId,
        from: ProcId,
        to: ProcId,
        rng: &mut SimRng,
    ) -> Option<Millis> {
        let mut at = now;
        if fb != tb {
            if self.settings.loss > 0.0 && rng.unit() < self.settings.loss {
                return None;
            }
            at += self.latency_between(fb, tb);
            if self.settings.jitter_ms > 0 {
                at += rng.below(self.settings.jitter_ms + 1);
            }
        }
        let slot = &mut self.last_delivery[from.idx() * self.procs + to.idx()];
        at = at.max(*slot);
        *slot = at;
        Some(at)
    }

    /// The island each box is in.
    pub fn islands(&self) -> &[u32] {
        &self.island
    }

    /// Puts `b` in island `island`.
    pub fn move_box(&mut self, b: BoxId, island: u32) {
        self.island[b.idx()] = island;
    }

    /// An island number no box uses.
    pub fn fresh_island(&self) -> u32 {
        self.island.iter().copied().max().unwrap_or(0) + 1
    }

    /// Cuts traffic from box `from` to box `to` (one way).
    pub fn cut_one_way(&mut self, from: BoxId, to: BoxId) {
        if !self.one_way.contains(&(from, to)) {
            self.one_way.push((from, to));
        }
    }

    /// Cuts traffic from process `from` to process `to` (one way).
    pub fn cut_link(&mut self, from: ProcId, to: ProcId) {
        if !self.links.contains(&(from, to)) {
            self.links.push((from, to));
        }
    }

    /// Repairs a one-way box cut.
    pub fn repair_one_way(&mut self, from: BoxId, to: BoxId) {
        self.one_way.retain(|c| *c != (from, to));
    }

    /// Repairs a one-way process link cut.
    pub fn repair_link(&mut self, from: ProcId, to: ProcId) {
        self.links.retain(|c| *c != (from, to));
    }

    /// Holds traffic between boxes `a` and `b`, both ways: it is delayed, not lost.
    pub fn hold(&mut self, a: BoxId, b: BoxId) {
        if !self.holds(a, b) {
            self.held.push((a, b));
        }
    }

    /// The one-way latency from box `fb` to box `tb`, without jitter (none within a box).
    pub fn latency_between(&self, fb: BoxId, tb: BoxId) -> Millis {
        if fb == tb {
            0
        } else {
            self.settings.latency_ms
        }
    }

    /// Whether traffic between `a` and `b` is held.
    pub fn holds(&self, a: BoxId, b: BoxId) -> bool {
        self.held
            .iter()
            .any(|&(x, y)| (x, y) == (a, b) || (x, y) == (b, a))
    }

    /// The held box pairs.
    pub fn held(&self) -> &[(BoxId, BoxId)] {
        &self.held
    }

    /// Ends every hold.
    pub fn release(&mut self) {
        self.held.clear();
    }

    /// The one-way box cuts in force.
    pub fn one_way_cuts(&self) -> &[(BoxId, BoxId)] {
        &self.one_way
    }

    /// The process link cuts in force.
    pub fn link_cuts(&self) -> &[(ProcId, ProcId)] {
        &self.links
    }

    /// Rejoins everything: one island, no cuts.
    pub fn heal(&mut self) {
        self.island.iter_mut().for_each(|i| *i = 0);
        self.one_way.clear();
        self.links.clear();
    }
}
