//! A snapshot of the simulation for the UI to draw: plain data, no protocol logic.

use serde::Serialize;

use crate::ids::{BoxId, Millis, ProcId};
use crate::process::MsgKind;

/// The part a process plays, as the drawing needs it: shape, label and colour follow from this.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Accepts writes: master, primary, leader.
    Primary,
    /// Follows a primary: replica, follower, standby.
    Replica,
    /// Asking for votes.
    Candidate,
    /// Watches the others and elects (a Redis Sentinel, a Patroni agent).
    Watcher,
    /// Runs a workload.
    Client,
    /// Shared storage that checks fencing tokens.
    Storage,
    /// A split-brain monitor.
    Monitor,
}

/// A fact's value: text, a number, or a process the UI names.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum FactValue {
    /// Text in the system's words.
    Text(String),
    /// A number.
    Num(u64),
    /// A process, resolved to its name by the UI.
    Proc(ProcId),
}

/// A log of entries, as drawn: each entry's epoch or term, and how many are committed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogStrip {
    /// Index of the first entry shown (entries before it are compacted or not drawn).
    pub first: u64,
    /// The epoch or term of each entry shown, oldest first.
    pub epochs: Vec<u64>,
    /// The highest committed index (0: none).
    pub commit: u64,
}

/// What the UI shows about one process; build it with [`ProcView::new`] and the
/// setters, so that a system writes only what it has.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProcView {
    /// Its part.
    pub role: Role,
    /// The system's own word for the role ("master", "replica", "sentinel", "leader").
    pub role_label: String,
    /// The epoch or term it is in, if it has one.
    pub epoch: Option<u64>,
    /// Who it believes leads (the master its Sentinel names, its Raft leader).
    pub leader: Option<ProcId>,
    /// Whom it voted for in its current epoch or term, if anyone.
    pub vote: Option<ProcId>,
    /// Whether it would accept a client write now.
    pub writable: bool,
    /// How many elements it holds.
    pub data_len: usize,
    /// Client writes it has accepted as leader since it started.
    pub writes_accepted: u64,
    /// Its log, where the system has one to draw.
    pub log: Option<LogStrip>,
    /// Further facts as label/value pairs, in the system's words.
    pub facts: Vec<(String, FactValue)>,
    /// A time running out, drawn as a ring around the process (a lease).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gauge: Option<Gauge>,
}

/// A time running out: what it is, how much is left of how much.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Gauge {
    /// What runs out, in the system's words.
    pub label: String,
    /// Time left.
    pub left_ms: Millis,
    /// The whole time.
    pub total_ms: Millis,
}

impl ProcView {
    /// A view with a role and the system's word for it, and nothing else yet.
    pub fn new(role: Role, role_label: impl Into<String>) -> Self {
        ProcView {
            role,
            role_label: role_label.into(),
            epoch: None,
            leader: None,
            vote: None,
            writable: false,
            data_len: 0,
            writes_accepted: 0,
            log: None,
            facts: Vec::new(),
            gauge: None,
        }
    }
    /// Its epoch or term.
    pub fn epoch(mut self, e: u64) -> Self {
        self.epoch = Some(e);
        self
    }
    /// Who it believes leads.
    pub fn leader(mut self, p: Option<ProcId>) -> Self {
        self.leader = p;
        self
    }
    /// Whom it voted for in its current epoch or term.
    pub fn vote(mut self, p: Option<ProcId>) -> Self {
        self.vote = p;
        self
    }
    /// Whether it takes writes now, and how many it has taken.
    pub fn writable(mut self, w: bool, accepted: u64) -> Self {
        self.writable = w;
        self.writes_accepted = accepted;
        self
    }
    /// How many values it holds.
    pub fn data(mut self, len: usize) -> Self {
        self.data_len = len;
        self
    }
    /// Its log.
    pub fn log(mut self, log: LogStrip) -> Self {
        self.log = Some(log);
        self
    }
    /// A fact in words.
    pub fn fact(mut self, label: &str, v: impl Into<String>) -> Self {
        self.facts.push((label.into(), FactValue::Text(v.into())));
        self
    }
    /// A fact that is a number.
    pub fn num(mut self, label: &str, n: u64) -> Self {
        self.facts.push((label.into(), FactValue::Num(n)));
        self
    }
    /// A time running out (`left_ms` of `total_ms`), drawn around the process.
    pub fn gauge(mut self, label: &str, left_ms: Millis, total_ms: Millis) -> Self {
        self.gauge = Some(Gauge {
            label: label.into(),
            left_ms: left_ms.min(total_ms),
            total_ms: total_ms.max(1),
        });
        self
    }
    /// How far its host's clock (`clock`, as it last read it at `now`) is off real
    /// time, when it is.
    pub fn clock(self, now: Millis, clock: i64) -> Self {
        let off = clock - now as i64;
        match off {
            0 => self,
            1.. => self.fact("its clock", format!("{off} ms ahead")),
            _ => self.fact("its clock", format!("{} ms behind", off.unsigned_abs())),
        }
    }
    /// A fact that names a process.
    pub fn proc(mut self, label: &str, p: ProcId) -> Self {
        self.facts.push((label.into(), FactValue::Proc(p)));
        self
    }
}

/// One process as drawn.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProcState {
    /// Its id.
    pub id: ProcId,
    /// Its scenario name.
    pub name: String,
    /// Its kind, in the system's words (`etcd`, `sentinel`).
    pub kind: String,
    /// The box it runs on.
    pub on_box: BoxId,
    /// False while crashed.
    pub alive: bool,
    /// True while paused.
    pub paused: bool,
    /// What the system reports about it.
    pub view: ProcView,
}

/// One box as drawn.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BoxState {
    /// Its id.
    pub id: BoxId,
    /// Its scenario name.
    pub name: String,
    /// The network island it is in: boxes in one island can talk.
    pub island: u32,
    /// The processes on it.
    pub procs: Vec<ProcId>,
}

/// A message in flight.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MsgState {
    /// Sender.
    pub from: ProcId,
    /// Receiver.
    pub to: ProcId,
    /// Traffic family.
    pub kind: MsgKind,
    /// When it was sent.
    pub sent_ms: Millis,
    /// When it arrives (or is dropped).
    pub arrive_ms: Millis,
    /// Whether the network will drop it on arrival (it stops at the cut).
    pub doomed: bool,
}

/// A pair of processes that have talked, as the drawing shows it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Link {
    /// One end (the lower id).
    pub a: ProcId,
    /// The other end.
    pub b: ProcId,
    /// Whether packets pass now from `a` to `b`, and from `b` to `a`.
    pub open: (bool, bool),
}

/// Everything the UI draws at one moment.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct View {
    /// Virtual time.
    pub now_ms: Millis,
    /// Events handled so far.
    pub events: u64,
    /// Boxes with their islands.
    pub boxes: Vec<BoxState>,
    /// Processes.
    pub procs: Vec<ProcState>,
    /// Messages in flight.
    pub messages: Vec<MsgState>,
    /// The pairs of processes that have talked so far in the run.
    pub links: Vec<Link>,
    /// One-way box cuts `(from, to)`.
    pub one_way_cuts: Vec<(BoxId, BoxId)>,
    /// Process link cuts `(from, to)`.
    pub link_cuts: Vec<(ProcId, ProcId)>,
    /// Since when the system's split-brain invariant has been violated, if now.
    pub split_brain_since: Option<Millis>,
    /// Total split-brain time so far.
    pub split_brain_ms: Millis,
}

impl View {
    /// Who leads, as the drawing crowns it: each live process that believes it leads
    /// (its role is primary), with whether it leads in the newest epoch among them
    /// (true) or only still believes it leads (false).
    pub fn crowns(&self) -> Vec<(ProcId, bool)> {
        let believers: Vec<&ProcState> = self
            .procs
            .iter()
            .filter(|p| p.alive && p.view.role == Role::Primary)
            .collect();
        let newest = believers.iter().filter_map(|p| p.view.epoch).max();
        believers
            .iter()
            .map(|p| (p.id, p.view.epoch == newest))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proc(i: u16, role: Role, epoch: u64, alive: bool) -> ProcState {
        ProcState {
            id: ProcId(i),
            name: format!("P{i}"),
            kind: "node".into(),
            on_box: BoxId(0),
            alive,
            paused: false,
            view: ProcView::new(role, "x").epoch(epoch),
        }
    }

    fn view(procs: Vec<ProcState>) -> View {
        View {
            now_ms: 0,
            events: 0,
            boxes: Vec::new(),
            procs,
            messages: Vec::new(),
            links: Vec::new(),
            one_way_cuts: Vec::new(),
            link_cuts: Vec::new(),
            split_brain_since: None,
            split_brain_ms: 0,
        }
    }

    #[test]
    fn an_isolated_old_master_only_believes_it_leads() {
        let v = view(vec![
            proc(0, Role::Primary, 0, true),
            proc(1, Role::Primary, 1, true),
            proc(2, Role::Replica, 1, true),
        ]);
        assert_eq!(v.crowns(), vec![(ProcId(0), false), (ProcId(1), true)]);
    }

    #[test]
    fn a_crashed_leader_wears_no_crown() {
        let v = view(vec![
            proc(0, Role::Primary, 3, false),
            proc(1, Role::Replica, 3, true),
        ]);
        assert!(v.crowns().is_empty());
    }
}
