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
    /// Watches and elects (a Redis Sentinel).
    Watcher,
    /// Runs a workload.
    Client,
    /// Shared storage that checks fencing tokens.
    Storage,
    /// A split-brain monitor.
    Monitor,
}

/// What the UI shows about one process.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProcView {
    /// Its part.
    pub role: Role,
    /// The system's own word for the role ("master", "replica", "sentinel").
    pub role_label: String,
    /// The epoch or term it is in, if it has one.
    pub epoch: Option<u64>,
    /// Replication offset, if it has one.
    pub offset: Option<u64>,
    /// Who it believes is the primary.
    pub believes_primary: Option<ProcId>,
    /// Whether it would accept a client write now.
    pub writable: bool,
    /// How many elements it holds.
    pub data_len: usize,
    /// Client writes it has accepted as primary since it started.
    pub writes_accepted: u64,
    /// Further facts as label/value pairs, in the system's words.
    pub facts: Vec<(String, String)>,
}

/// One process as drawn.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProcState {
    /// Its id.
    pub id: ProcId,
    /// Its scenario name.
    pub name: String,
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
    /// One-way box cuts `(from, to)`.
    pub one_way_cuts: Vec<(BoxId, BoxId)>,
    /// Process link cuts `(from, to)`.
    pub link_cuts: Vec<(ProcId, ProcId)>,
    /// Since when more than one process accepts writes as primary, if now.
    pub split_brain_since: Option<Millis>,
    /// Total split-brain time so far.
    pub split_brain_ms: Millis,
}
