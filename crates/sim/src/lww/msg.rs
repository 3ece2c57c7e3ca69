//! The messages of the last-write-wins store: a client's reads and writes to its
//! coordinator, the coordinator's mutations and reads to the replicas, hints replayed,
//! and gossip heartbeats.

use super::Consistency;
use crate::process::{DataSet, Message, MsgKind};
use crate::trace::Fnv;

/// One document (the store's only row), as a replica holds it: Cassandra keeps a
/// write timestamp with every cell and, of two versions, keeps the one with the
/// larger timestamp (`Cells.reconcile`), whatever happened in real time.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// The write timestamp: the coordinator's clock when it took the write, in ms.
    pub ts: i64,
    /// The document: the items it holds.
    pub items: DataSet,
    /// The operation that wrote it (unique): breaks ties between equal timestamps,
    /// as Cassandra compares the values then.
    pub op: u64,
}

impl Cell {
    /// Whether this version is kept over `other`: the larger timestamp, then the
    /// larger value.
    pub fn wins_over(&self, other: &Cell) -> bool {
        (self.ts, self.op) > (other.ts, other.op)
    }

    /// Whether this is the same write's version: one write stamps one timestamp on one
    /// operation, so comparing those is enough (and does not walk the items).
    pub fn same(&self, other: &Cell) -> bool {
        self.ts == other.ts && self.op == other.op
    }

    fn digest(&self, h: &mut Fnv) {
        h.u64(self.ts as u64);
        h.u64(self.op);
        h.u64(self.items.len() as u64);
    }
}

/// How a coordinator answers a client: the driver's exceptions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Enough replicas answered.
    Ok,
    /// `WriteTimeoutException` / `ReadTimeoutException`: too few replicas answered in
    /// time. A write may have been applied by some of them all the same.
    Timeout {
        /// Replicas that answered.
        got: u32,
        /// Replicas needed.
        needed: u32,
    },
    /// `UnavailableException`: the coordinator believes too few replicas are up to
    /// even try; nothing was written.
    Unavailable {
        /// Replicas it believes up.
        alive: u32,
        /// Replicas needed.
        needed: u32,
    },
}

/// A message between clients and nodes, or between nodes.
#[derive(Clone, Debug)]
pub enum Msg {
    /// A client writes the whole document (an `UPDATE` of every column).
    Write {
        /// The client's request number.
        req: u64,
        /// The history's operation (also the write's value).
        op: u64,
        /// The document it writes.
        items: DataSet,
        /// The write's consistency level.
        cl: Consistency,
    },
    /// The coordinator's answer to a write.
    WriteReply {
        /// The request answered.
        req: u64,
        /// How it went.
        status: Status,
    },
    /// A client reads the document.
    Read {
        /// The client's request number.
        req: u64,
        /// The read's consistency level.
        cl: Consistency,
    },
    /// The coordinator's answer to a read: the version with the largest timestamp
    /// among the replicas it asked.
    ReadReply {
        /// The request answered.
        req: u64,
        /// How it went.
        status: Status,
        /// The document (None: no replica asked had one).
        cell: Option<Cell>,
    },
    /// The coordinator sends a write to a replica (`id` 0: read repair or
    /// anti-entropy, no answer wanted).
    Mutate {
        /// The coordinator's request number.
        id: u64,
        /// The version.
        cell: Cell,
    },
    /// A replica has applied, or ignored as older, a write.
    MutateAck {
        /// The coordinator's request number.
        id: u64,
        /// Whether the replica now holds it (false: it held a later timestamp).
        applied: bool,
    },
    /// The coordinator asks a replica for its version.
    Fetch {
        /// The coordinator's request number.
        id: u64,
    },
    /// A replica's version.
    Fetched {
        /// The coordinator's request number.
        id: u64,
        /// Its version (None: it has none).
        cell: Option<Cell>,
    },
    /// A write the coordinator kept for a replica that was down (hinted handoff),
    /// replayed now that it is up.
    Hint {
        /// The hint's number at its coordinator.
        id: u64,
        /// The version.
        cell: Cell,
    },
    /// The replica has the hint: the coordinator deletes it.
    HintAck {
        /// The hint's number.
        id: u64,
    },
    /// A gossip round's heartbeat: the failure detector's input.
    Gossip,
}

impl Message for Msg {
    fn kind(&self) -> MsgKind {
        match self {
            Msg::Write { .. }
            | Msg::WriteReply { .. }
            | Msg::Read { .. }
            | Msg::ReadReply { .. } => MsgKind::Client,
            Msg::Gossip => MsgKind::Heartbeat,
            _ => MsgKind::Replication,
        }
    }

    fn digest(&self, h: &mut Fnv) {
        let status = |h: &mut Fnv, s: &Status| match s {
            Status::Ok => h.u64(0),
            Status::Timeout { got, needed } => {
                h.u64(1);
                h.u64(*got as u64);
                h.u64(*needed as u64);
            }
            Status::Unavailable { alive, needed } => {
                h.u64(2);
                h.u64(*alive as u64);
                h.u64(*needed as u64);
            }
        };
        match self {
            Msg::Write { req, op, items, cl } => {
                h.u64(1);
                h.u64(*req);
                h.u64(*op);
                h.u64(items.len() as u64);
                h.u64(*cl as u64);
            }
            Msg::WriteReply { req, status: s } => {
                h.u64(2);
                h.u64(*req);
                status(h, s);
            }
            Msg::Read { req, cl } => {
                h.u64(3);
                h.u64(*req);
                h.u64(*cl as u64);
            }
            Msg::ReadReply {
                req,
                status: s,
                cell,
            } => {
                h.u64(4);
                h.u64(*req);
                status(h, s);
                if let Some(c) = cell {
                    c.digest(h);
                }
            }
            Msg::Mutate { id, cell } => {
                h.u64(5);
                h.u64(*id);
                cell.digest(h);
            }
            Msg::MutateAck { id, applied } => {
                h.u64(6);
                h.u64(*id);
                h.u64(*applied as u64);
            }
            Msg::Fetch { id } => {
                h.u64(7);
                h.u64(*id);
            }
            Msg::Fetched { id, cell } => {
                h.u64(8);
                h.u64(*id);
                if let Some(c) = cell {
                    c.digest(h);
                }
            }
            Msg::Hint { id, cell } => {
                h.u64(9);
                h.u64(*id);
                cell.digest(h);
            }
            Msg::HintAck { id } => {
                h.u64(10);
                h.u64(*id);
            }
            Msg::Gossip => h.u64(11),
        }
    }

    fn label(&self) -> String {
        let status = |s: &Status| match s {
            Status::Ok => "OK".to_string(),
            Status::Timeout { got, needed } => format!("Timeout: {got} of {needed} replicas"),
            Status::Unavailable { alive, needed } => {
                format!("Unavailable: {alive} up, {needed} needed")
            }
        };
        match self {
            Msg::Write { items, cl, .. } => {
                format!("write doc ({} items) at {}", items.len(), cl.name())
            }
            Msg::WriteReply { status: s, .. } => status(s),
            Msg::Read { cl, .. } => format!("read doc at {}", cl.name()),
            Msg::ReadReply {
                status: Status::Ok,
                cell,
                ..
            } => match cell {
                Some(c) => format!("doc, {} items, ts {}", c.items.len(), c.ts),
                None => "no doc yet".into(),
            },
            Msg::ReadReply { status: s, .. } => status(s),
            Msg::Mutate { id: 0, cell } => format!("repair: doc ts {}", cell.ts),
            Msg::Mutate { cell, .. } => format!("write doc ts {}", cell.ts),
            Msg::MutateAck { applied: true, .. } => "applied".into(),
            Msg::MutateAck { applied: false, .. } => "ignored: newer ts held".into(),
            Msg::Fetch { .. } => "read".into(),
            Msg::Fetched { cell, .. } => match cell {
                Some(c) => format!("doc ts {}", c.ts),
                None => "no doc".into(),
            },
            Msg::Hint { cell, .. } => format!("hint: doc ts {}", cell.ts),
            Msg::HintAck { .. } => "hint delivered".into(),
            Msg::Gossip => "gossip".into(),
        }
    }
}
