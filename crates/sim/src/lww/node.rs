//! A node of the store: a replica of the document, and the coordinator of the
//! requests its clients send it. As in Cassandra, the coordinator stamps a write with
//! its own clock, sends it to every replica it believes up, keeps a hint for each one
//! it believes down or that did not answer in time, and answers the client once W
//! replicas have acknowledged; it reads from R replicas, answers with the version of
//! the largest timestamp, and repairs the replicas that answered an older one.

use super::events::LwwEvent;
use super::msg::{Cell, Msg, Status};
use super::{Consistency, LCtx, Timer};
use crate::ids::{Millis, ProcId};
use crate::view::{ProcView, Role};

/// A gossip round (`Gossiper.intervalInMillis`).
pub const GOSSIP_MS: Millis = 1000;

/// How often hints are offered to replicas that are up (`HintsDispatchTrigger`).
pub const HINT_DISPATCH_MS: Millis = 10_000;

/// A write kept for a replica that missed it (hinted handoff).
#[derive(Clone, Debug, PartialEq)]
pub struct Hint {
    /// Its number at this node.
    pub id: u64,
    /// The replica it is for (its index among the nodes).
    pub target: usize,
    /// The version to deliver.
    pub cell: Cell,
}

/// What a node keeps on disk (its commit log and sstables, its hints files).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Disk {
    /// Its version of the document.
    pub cell: Option<Cell>,
    /// The hints it holds for others.
    pub hints: Vec<Hint>,
}

/// A node's fixed settings.
#[derive(Clone, Debug)]
pub struct NodeCfg {
    /// Its index among the nodes.
    pub index: usize,
    /// Every node, in ring order.
    pub nodes: Vec<ProcId>,
    /// `hinted_handoff_enabled`.
    pub hinted_handoff: bool,
    /// `max_hint_window_in_ms`.
    pub max_hint_window: Millis,
    /// Reads repair the replicas that answered an older version.
    pub read_repair: bool,
    /// The anti-entropy round's interval (0: none).
    pub repair_interval: Millis,
    /// `write_request_timeout_in_ms`.
    pub write_timeout: Millis,
    /// `read_request_timeout_in_ms`.
    pub read_timeout: Millis,
    /// How long a silent peer takes to be convicted.
    pub convict_after: Millis,
}

#[derive(Clone, Debug)]
struct PendingWrite {
    id: u64,
    client: ProcId,
    req: u64,
    cell: Cell,
    needed: usize,
    /// The replicas it was sent to (not those it believed down: they got a hint).
    asked: Vec<bool>,
    acked: Vec<bool>,
    applied: bool,
    answered: bool,
}

#[derive(Clone, Debug)]
struct PendingRead {
    id: u64,
    client: ProcId,
    req: u64,
    needed: usize,
    replies: Vec<(usize, Option<Cell>)>,
}

/// One node.
#[derive(Clone, Debug)]
pub struct Node {
    cfg: NodeCfg,
    cell: Option<Cell>,
    hints: Vec<Hint>,
    next_id: u64,
    last_heard: Vec<Millis>,
    /// Since when its failure detector has convicted each peer.
    down_since: Vec<Option<Millis>>,
    writes: Vec<PendingWrite>,
    reads: Vec<PendingRead>,
    now: Millis,
    clock: i64,
    coordinated: u64,
    hints_delivered: u64,
}

impl Node {
    /// A node with no version yet.
    pub fn new(cfg: NodeCfg) -> Self {
        let n = cfg.nodes.len();
        Node {
            cfg,
            cell: None,
            hints: Vec::new(),
            next_id: 0,
            last_heard: vec![0; n],
            down_since: vec![None; n],
            writes: Vec::new(),
            reads: Vec::new(),
            now: 0,
            clock: 0,
            coordinated: 0,
            hints_delivered: 0,
        }
    }

    /// Its version of the document.
    pub fn cell(&self) -> Option<&Cell> {
        self.cell.as_ref()
    }

    /// What survives a crash.
    pub fn durable(&self) -> Disk {
        Disk {
            cell: self.cell.clone(),
            hints: self.hints.clone(),
        }
    }

    pub(super) fn start(&mut self, ctx: &mut LCtx) {
        self.last_heard = vec![ctx.now; self.cfg.nodes.len()];
        // Gossip rounds start at a random point of the second, as nodes boot apart.
        let offset = ctx.rng().below(GOSSIP_MS);
        ctx.timer(offset.max(1), Timer::Gossip);
        ctx.timer(HINT_DISPATCH_MS, Timer::HintDispatch);
        if self.cfg.repair_interval > 0 {
            ctx.timer(self.cfg.repair_interval, Timer::Repair);
        }
    }

    pub(super) fn restart(&mut self, disk: Disk, ctx: &mut LCtx) {
        let cfg = self.cfg.clone();
        *self = Node::new(cfg);
        self.cell = disk.cell;
        self.next_id = disk.hints.iter().map(|h| h.id).max().unwrap_or(0);
        self.hints = disk.hints;
        self.start(ctx);
    }

    fn up(&self, j: usize) -> bool {
        j == self.cfg.index || self.down_since[j].is_none()
    }

    fn index_of(&self, p: ProcId) -> Option<usize> {
        self.cfg.nodes.iter().position(|q| *q == p)
    }

    /// Applies a version by last-write-wins; true if it now holds it.
    fn apply(&mut self, cell: Cell, ctx: &mut LCtx) -> bool {
        match &self.cell {
            Some(cur) if cur.same(&cell) => true,
            Some(cur) if !cell.wins_over(cur) => false,
            Some(cur) => {
                // The versions share most of their structure (each is an earlier one
                // plus an item), and the diff skips what they share: a long run's
                // large document costs what changed, not its size.
                let dropped = cur
                    .items
                    .diff(&cell.items)
                    .filter(|d| matches!(d, imbl::ordset::DiffItem::Remove(_)))
                    .count();
                if dropped > 0 {
                    ctx.event(LwwEvent::Overwrote {
                        dropped: dropped as u64,
                        old_ts: cur.ts,
                        new_ts: cell.ts,
                    });
                }
                self.cell = Some(cell);
                true
            }
            None => {
                self.cell = Some(cell);
                true
            }
        }
    }

    /// Keeps a write for replica `j`, unless hints are off or it has been down longer
    /// than the hint window.
    fn hint(&mut self, j: usize, cell: &Cell) {
        if !self.cfg.hinted_handoff {
            return;
        }
        if self.down_since[j].is_some_and(|t| self.now.saturating_sub(t) > self.cfg.max_hint_window)
        {
            return;
        }
        self.next_id += 1;
        self.hints.push(Hint {
            id: self.next_id,
            target: j,
            cell: cell.clone(),
        });
    }

    fn coordinate_write(
        &mut self,
        client: ProcId,
        req: u64,
        op: u64,
        items: crate::process::DataSet,
        cl: Consistency,
        ctx: &mut LCtx,
    ) {
        let n = self.cfg.nodes.len();
        let needed = cl.needed(n);
        let alive = (0..n).filter(|&j| self.up(j)).count();
        if alive < needed {
            let status = Status::Unavailable {
                alive: alive as u32,
                needed: needed as u32,
            };
            ctx.event(LwwEvent::Unavailable {
                alive: alive as u32,
                needed: needed as u32,
                cl,
            });
            ctx.send(client, Msg::WriteReply { req, status });
            return;
        }
        self.coordinated += 1;
        self.next_id += 1;
        let id = self.next_id;
        // The coordinator's clock, not the client's and not real time: the heart of
        // last-write-wins with skewed clocks.
        let cell = Cell {
            ts: ctx.clock,
            items,
            op,
        };
        let mut w = PendingWrite {
            id,
            client,
            req,
            cell: cell.clone(),
            needed,
            asked: vec![false; n],
            acked: vec![false; n],
            applied: false,
            answered: false,
        };
        for j in 0..n {
            if j == self.cfg.index {
                w.applied |= self.apply(cell.clone(), ctx);
                w.asked[j] = true;
                w.acked[j] = true;
            } else if self.up(j) {
                w.asked[j] = true;
                ctx.send(
                    self.cfg.nodes[j],
                    Msg::Mutate {
                        id,
                        cell: cell.clone(),
                    },
                );
            } else {
                // A replica it believes down gets a hint instead, which does not count
                // towards W (Cassandra's consistency level ANY aside).
                self.hint(j, &cell);
            }
        }
        self.writes.push(w);
        ctx.timer(self.cfg.write_timeout, Timer::WriteDeadline(id));
        self.progress_write(id, ctx);
    }

    /// Answers the client once W replicas have acknowledged the write.
    fn progress_write(&mut self, id: u64, ctx: &mut LCtx) {
        let Some(k) = self.writes.iter().position(|w| w.id == id) else {
            return;
        };
        let w = &mut self.writes[k];
        let got = w.acked.iter().filter(|a| **a).count();
        if !w.answered && got >= w.needed {
            w.answered = true;
            ctx.send(
                w.client,
                Msg::WriteReply {
                    req: w.req,
                    status: Status::Ok,
                },
            );
        }
        if w.acked == w.asked {
            let w = self.writes.remove(k);
            self.finish_write(&w, ctx);
        }
    }

    fn finish_write(&mut self, w: &PendingWrite, ctx: &mut LCtx) {
        if w.answered && !w.applied {
            ctx.event(LwwEvent::AckedButIgnored { ts: w.cell.ts });
        }
    }

    fn write_deadline(&mut self, id: u64, ctx: &mut LCtx) {
        let Some(k) = self.writes.iter().position(|w| w.id == id) else {
            return;
        };
        let w = self.writes.remove(k);
        let n = self.cfg.nodes.len();
        let got = w.acked.iter().filter(|a| **a).count();
        if !w.answered {
            ctx.event(LwwEvent::WriteTimedOut {
                got: got as u32,
                needed: w.needed as u32,
            });
            ctx.send(
                w.client,
                Msg::WriteReply {
                    req: w.req,
                    status: Status::Timeout {
                        got: got as u32,
                        needed: w.needed as u32,
                    },
                },
            );
        }
        // Replicas that did not answer in time get a hint: the write may still reach
        // them when they are back.
        for j in 0..n {
            if w.asked[j] && !w.acked[j] {
                self.hint(j, &w.cell);
            }
        }
        self.finish_write(&w, ctx);
    }

    fn coordinate_read(&mut self, client: ProcId, req: u64, cl: Consistency, ctx: &mut LCtx) {
        let n = self.cfg.nodes.len();
        let needed = cl.needed(n);
        // Itself first, then the next replicas up around the ring (the closest, as
        // the dynamic snitch would rank them with equal latencies).
        let targets: Vec<usize> = (0..n)
            .map(|d| (self.cfg.index + d) % n)
            .filter(|&j| self.up(j))
            .take(needed)
            .collect();
        if targets.len() < needed {
            let alive = (0..n).filter(|&j| self.up(j)).count() as u32;
            ctx.event(LwwEvent::Unavailable {
                alive,
                needed: needed as u32,
                cl,
            });
            ctx.send(
                client,
                Msg::ReadReply {
                    req,
                    status: Status::Unavailable {
                        alive,
                        needed: needed as u32,
                    },
                    cell: None,
                },
            );
            return;
        }
        self.next_id += 1;
        let id = self.next_id;
        let mut r = PendingRead {
            id,
            client,
            req,
            needed,
            replies: Vec::new(),
        };
        for j in targets {
            if j == self.cfg.index {
                r.replies.push((j, self.cell.clone()));
            } else {
                ctx.send(self.cfg.nodes[j], Msg::Fetch { id });
            }
        }
        self.reads.push(r);
        ctx.timer(self.cfg.read_timeout, Timer::ReadDeadline(id));
        self.progress_read(id, ctx);
    }

    fn progress_read(&mut self, id: u64, ctx: &mut LCtx) {
        let Some(k) = self.reads.iter().position(|r| r.id == id) else {
            return;
        };
        if self.reads[k].replies.len() < self.reads[k].needed {
            return;
        }
        let r = self.reads.remove(k);
        let mut winner: Option<&Cell> = None;
        for (_, c) in &r.replies {
            if let Some(c) = c {
                if winner.is_none_or(|w| c.wins_over(w)) {
                    winner = Some(c);
                }
            }
        }
        let winner = winner.cloned();
        ctx.send(
            r.client,
            Msg::ReadReply {
                req: r.req,
                status: Status::Ok,
                cell: winner.clone(),
            },
        );
        let Some(winner) = winner.filter(|_| self.cfg.read_repair) else {
            return;
        };
        let stale: Vec<usize> = r
            .replies
            .iter()
            .filter(|(_, c)| !c.as_ref().is_some_and(|c| c.same(&winner)))
            .map(|(j, _)| *j)
            .collect();
        if stale.is_empty() {
            return;
        }
        ctx.event(LwwEvent::ReadRepair {
            replicas: stale.len() as u32,
        });
        for j in stale {
            if j == self.cfg.index {
                self.apply(winner.clone(), ctx);
            } else {
                ctx.send(
                    self.cfg.nodes[j],
                    Msg::Mutate {
                        id: 0,
                        cell: winner.clone(),
                    },
                );
            }
        }
    }

    fn read_deadline(&mut self, id: u64, ctx: &mut LCtx) {
        let Some(k) = self.reads.iter().position(|r| r.id == id) else {
            return;
        };
        let r = self.reads.remove(k);
        let status = Status::Timeout {
            got: r.replies.len() as u32,
            needed: r.needed as u32,
        };
        ctx.send(
            r.client,
            Msg::ReadReply {
                req: r.req,
                status,
                cell: None,
            },
        );
    }

    fn gossip(&mut self, ctx: &mut LCtx) {
        for (j, p) in self.cfg.nodes.iter().enumerate() {
            if j != self.cfg.index {
                ctx.send(*p, Msg::Gossip);
            }
        }
        for j in 0..self.cfg.nodes.len() {
            let silent = ctx.now.saturating_sub(self.last_heard[j]);
            if j != self.cfg.index
                && self.down_since[j].is_none()
                && silent > self.cfg.convict_after
            {
                self.down_since[j] = Some(ctx.now);
                ctx.event(LwwEvent::Convicted {
                    node: self.cfg.nodes[j],
                    silent_ms: silent,
                });
            }
        }
        ctx.timer(GOSSIP_MS, Timer::Gossip);
    }

    fn dispatch_hints(&mut self, ctx: &mut LCtx) {
        let mut per = vec![0u32; self.cfg.nodes.len()];
        for h in &self.hints {
            if self.up(h.target) {
                per[h.target] += 1;
                ctx.send(
                    self.cfg.nodes[h.target],
                    Msg::Hint {
                        id: h.id,
                        cell: h.cell.clone(),
                    },
                );
            }
        }
        for (j, count) in per.into_iter().enumerate() {
            if count > 0 {
                ctx.event(LwwEvent::HintsReplayed {
                    node: self.cfg.nodes[j],
                    count,
                });
            }
        }
    }

    pub(super) fn on_timer(&mut self, t: Timer, ctx: &mut LCtx) {
        self.now = ctx.now;
        self.clock = ctx.clock;
        match t {
            Timer::Gossip => self.gossip(ctx),
            Timer::WriteDeadline(id) => self.write_deadline(id, ctx),
            Timer::ReadDeadline(id) => self.read_deadline(id, ctx),
            Timer::HintDispatch => {
                self.dispatch_hints(ctx);
                ctx.timer(HINT_DISPATCH_MS, Timer::HintDispatch);
            }
            Timer::Repair => {
                if let Some(c) = &self.cell {
                    for (j, p) in self.cfg.nodes.iter().enumerate() {
                        if j != self.cfg.index {
                            ctx.send(
                                *p,
                                Msg::Mutate {
                                    id: 0,
                                    cell: c.clone(),
                                },
                            );
                        }
                    }
                }
                ctx.timer(self.cfg.repair_interval, Timer::Repair);
            }
            _ => {}
        }
    }

    pub(super) fn on_msg(&mut self, from: ProcId, msg: Msg, ctx: &mut LCtx) {
        self.now = ctx.now;
        self.clock = ctx.clock;
        let peer = self.index_of(from);
        match msg {
            Msg::Write { req, op, items, cl } => {
                self.coordinate_write(from, req, op, items, cl, ctx)
            }
            Msg::Read { req, cl } => self.coordinate_read(from, req, cl, ctx),
            Msg::Mutate { id, cell } => {
                let applied = self.apply(cell, ctx);
                if id != 0 {
                    ctx.send(from, Msg::MutateAck { id, applied });
                }
            }
            Msg::MutateAck { id, applied } => {
                if let (Some(j), Some(w)) = (peer, self.writes.iter_mut().find(|w| w.id == id)) {
                    w.acked[j] = true;
                    w.applied |= applied;
                    self.progress_write(id, ctx);
                }
            }
            Msg::Fetch { id } => ctx.send(
                from,
                Msg::Fetched {
                    id,
                    cell: self.cell.clone(),
                },
            ),
            Msg::Fetched { id, cell } => {
                if let (Some(j), Some(r)) = (peer, self.reads.iter_mut().find(|r| r.id == id)) {
                    if !r.replies.iter().any(|(k, _)| *k == j) {
                        r.replies.push((j, cell));
                    }
                    self.progress_read(id, ctx);
                }
            }
            Msg::Hint { id, cell } => {
                self.apply(cell, ctx);
                ctx.send(from, Msg::HintAck { id });
            }
            Msg::HintAck { id } => {
                let before = self.hints.len();
                self.hints.retain(|h| h.id != id);
                self.hints_delivered += (before - self.hints.len()) as u64;
            }
            Msg::Gossip => {
                if let Some(j) = peer {
                    self.last_heard[j] = ctx.now;
                    if self.down_since[j].take().is_some() {
                        ctx.event(LwwEvent::MarkedUp { node: from });
                    }
                }
            }
            Msg::WriteReply { .. } | Msg::ReadReply { .. } => {}
        }
    }

    pub(super) fn view(&self) -> ProcView {
        let mut v = ProcView::new(Role::Replica, "node")
            .data(self.cell.as_ref().map_or(0, |c| c.items.len()));
        // The version's timestamp is drawn beside the node, as an epoch is: the
        // number that decides which version survives.
        v = match &self.cell {
            Some(c) => v
                .epoch(c.ts.max(0) as u64)
                .num("items in its version", c.items.len() as u64),
            None => v.fact("document", "none yet"),
        };
        for (j, d) in self.down_since.iter().enumerate() {
            if d.is_some() {
                v = v.proc("believes down", self.cfg.nodes[j]);
            }
        }
        if !self.hints.is_empty() {
            v = v.num("hints held", self.hints.len() as u64);
        }
        v.clock(self.now, self.clock)
            .num("writes coordinated", self.coordinated)
            .num("hints delivered", self.hints_delivered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::testing::Harness;
    use crate::process::DataSet;

    const CLIENT: ProcId = ProcId(9);

    fn node() -> Node {
        Node::new(NodeCfg {
            index: 0,
            nodes: vec![ProcId(0), ProcId(1), ProcId(2)],
            hinted_handoff: true,
            max_hint_window: 10_800_000,
            read_repair: true,
            repair_interval: 0,
            write_timeout: 2000,
            read_timeout: 5000,
            convict_after: super::super::conviction_ms(8),
        })
    }

    fn cell(ts: i64, op: u64) -> Cell {
        Cell {
            ts,
            items: DataSet::unit(op),
            op,
        }
    }

    fn write(
        n: &mut Node,
        h: &mut Harness<Msg, Timer>,
        op: u64,
        cl: Consistency,
    ) -> Vec<(ProcId, Msg)> {
        h.run(|ctx| {
            n.on_msg(
                CLIENT,
                Msg::Write {
                    req: op,
                    op,
                    items: DataSet::unit(op),
                    cl,
                },
                ctx,
            )
        })
    }

    /// Replica `from` sends this node a version (id 0: no answer wanted).
    fn mutate(
        n: &mut Node,
        h: &mut Harness<Msg, Timer>,
        from: u16,
        id: u64,
        cell: Cell,
    ) -> Vec<(ProcId, Msg)> {
        h.run(|ctx| n.on_msg(ProcId(from), Msg::Mutate { id, cell }, ctx))
    }

    fn replies(sent: &[(ProcId, Msg)]) -> Vec<Status> {
        sent.iter()
            .filter_map(|(to, m)| match m {
                Msg::WriteReply { status, .. } if *to == CLIENT => Some(*status),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_quorum_write_is_acknowledged_once_two_of_three_replicas_have_it() {
        let mut n = node();
        let mut h = Harness::new(ProcId(0));
        let sent = write(&mut n, &mut h, 7, Consistency::Quorum);
        assert_eq!(replies(&sent), vec![], "only itself so far: 1 of 2");
        let mutates = sent
            .iter()
            .filter(|(_, m)| matches!(m, Msg::Mutate { .. }))
            .count();
        assert_eq!(mutates, 2, "sent to both other replicas");
        let id = n.writes[0].id;
        let sent = h.run(|ctx| n.on_msg(ProcId(2), Msg::MutateAck { id, applied: true }, ctx));
        assert_eq!(replies(&sent), vec![Status::Ok]);
        // The write at ONE is answered at once: the coordinator is a replica.
        let sent = write(&mut n, &mut h, 8, Consistency::One);
        assert_eq!(replies(&sent), vec![Status::Ok]);
    }

    #[test]
    fn with_too_few_replicas_up_a_write_is_unavailable_and_the_missing_get_hints() {
        let mut n = node();
        let mut h = Harness::new(ProcId(0));
        // Nothing heard from the others for longer than phi 8 allows (18.4 s).
        h.now = 20_000;
        h.run(|ctx| n.on_timer(Timer::Gossip, ctx));
        assert!(!n.up(1) && !n.up(2));
        let sent = write(&mut n, &mut h, 7, Consistency::Quorum);
        assert_eq!(
            replies(&sent),
            vec![Status::Unavailable {
                alive: 1,
                needed: 2
            }]
        );
        assert!(
            n.cell().is_none(),
            "an unavailable write is applied nowhere"
        );
        let sent = write(&mut n, &mut h, 8, Consistency::One);
        assert_eq!(replies(&sent), vec![Status::Ok]);
        let targets: Vec<usize> = n.hints.iter().map(|x| x.target).collect();
        assert_eq!(targets, vec![1, 2], "a hint for each replica believed down");
    }

    #[test]
    fn the_larger_timestamp_wins_whatever_happened_in_real_time() {
        let mut n = node();
        let mut h = Harness::new(ProcId(0));
        // A version stamped by a coordinator 5 s ahead arrives first...
        mutate(&mut n, &mut h, 1, 1, cell(6_000, 1));
        // ...and a write made 2 s later in real time, by a correct clock, loses.
        h.now = 3_000;
        let sent = mutate(&mut n, &mut h, 2, 2, cell(3_000, 2));
        assert!(matches!(
            sent[..],
            [(_, Msg::MutateAck { applied: false, .. })]
        ));
        assert_eq!(n.cell().map(|c| c.op), Some(1));
        // Equal timestamps: the larger value wins, on every replica alike.
        mutate(&mut n, &mut h, 2, 3, cell(6_000, 5));
        assert_eq!(n.cell().map(|c| c.op), Some(5));
    }

    #[test]
    fn a_coordinator_stamps_a_write_with_its_own_clock() {
        let mut n = node();
        let mut h = Harness::new(ProcId(0));
        h.now = 1_000;
        h.skew = 5_000;
        let sent = write(&mut n, &mut h, 7, Consistency::One);
        let ts: Vec<i64> = sent
            .iter()
            .filter_map(|(_, m)| match m {
                Msg::Mutate { cell, .. } => Some(cell.ts),
                _ => None,
            })
            .collect();
        assert_eq!(ts, vec![6_000, 6_000]);
    }

    #[test]
    fn a_quorum_read_answers_the_latest_version_and_repairs_the_older_replica() {
        let mut n = node();
        let mut h = Harness::new(ProcId(0));
        mutate(&mut n, &mut h, 1, 0, cell(20, 2));
        let sent = h.run(|ctx| {
            n.on_msg(
                CLIENT,
                Msg::Read {
                    req: 1,
                    cl: Consistency::Quorum,
                },
                ctx,
            )
        });
        assert!(
            matches!(sent[..], [(ProcId(1), Msg::Fetch { .. })]),
            "itself, then the next replica round the ring: {sent:?}"
        );
        let id = n.reads[0].id;
        let sent = h.run(|ctx| {
            n.on_msg(
                ProcId(1),
                Msg::Fetched {
                    id,
                    cell: Some(cell(10, 1)),
                },
                ctx,
            )
        });
        let answered = sent.iter().find_map(|(to, m)| match m {
            Msg::ReadReply { cell, .. } if *to == CLIENT => cell.as_ref().map(|c| c.ts),
            _ => None,
        });
        assert_eq!(answered, Some(20));
        assert!(
            sent.iter().any(|(to, m)| *to == ProcId(1)
                && matches!(m, Msg::Mutate { id: 0, cell } if cell.ts == 20)),
            "read repair sends the newer version to the replica that answered the older"
        );
    }

    #[test]
    fn phi_8_convicts_after_about_eighteen_seconds_of_silence() {
        assert_eq!(super::super::conviction_ms(8), 18_421);
    }
}
