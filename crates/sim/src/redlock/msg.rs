//! The messages of the RedLock model: the two Redis commands the algorithm sends
//! each master, and the writes to the shared storage the lock protects.

use crate::history::OpId;
use crate::ids::Millis;
use crate::process::{Message, MsgKind};
use crate::trace::Fnv;

/// A message between clients, masters and the storage.
#[derive(Clone, Debug)]
pub enum Msg {
    /// `SET resource value NX PX ttl`.
    Set {
        /// The client's request number (answers to an older attempt are ignored).
        req: u64,
        /// The lock's value: random, unique to this attempt.
        value: u64,
        /// `PX`: the key's time to live.
        px: Millis,
    },
    /// `OK` or nil (the key exists).
    SetReply {
        /// The request answered.
        req: u64,
        /// `OK`.
        ok: bool,
    },
    /// The release script: `if redis.call("get",KEYS[1]) == ARGV[1] then return
    /// redis.call("del",KEYS[1]) else return 0 end`. Fire and forget, as clients do.
    Unlock {
        /// The value the client set.
        value: u64,
    },
    /// A write to the shared storage, under the lock, with a token.
    Store {
        /// The history's operation.
        op: OpId,
        /// The token presented.
        token: u64,
        /// The value written.
        value: u64,
    },
    /// The storage's answer.
    StoreReply {
        /// The operation.
        op: OpId,
        /// Accepted (false: fenced off).
        accepted: bool,
        /// The newest token the storage had seen.
        newest: u64,
    },
}

impl Message for Msg {
    fn kind(&self) -> MsgKind {
        match self {
            Msg::Set { .. } | Msg::SetReply { .. } | Msg::Unlock { .. } => MsgKind::Client,
            Msg::Store { .. } | Msg::StoreReply { .. } => MsgKind::Storage,
        }
    }

    fn digest(&self, h: &mut Fnv) {
        match self {
            Msg::Set { req, value, px } => {
                h.u64(1);
                h.u64(*req);
                h.u64(*value);
                h.u64(*px);
            }
            Msg::SetReply { req, ok } => {
                h.u64(2);
                h.u64(*req);
                h.u64(*ok as u64);
            }
            Msg::Unlock { value } => {
                h.u64(3);
                h.u64(*value);
            }
            Msg::Store { op, token, value } => {
                h.u64(4);
                h.u64(op.0);
                h.u64(*token);
                h.u64(*value);
            }
            Msg::StoreReply {
                op,
                accepted,
                newest,
            } => {
                h.u64(5);
                h.u64(op.0);
                h.u64(*accepted as u64);
                h.u64(*newest);
            }
        }
    }

    fn label(&self) -> String {
        match self {
            Msg::Set { value, px, .. } => format!("SET lock {value} NX PX {px}"),
            Msg::SetReply { ok: true, .. } => "OK".into(),
            Msg::SetReply { ok: false, .. } => "(nil): held".into(),
            Msg::Unlock { value } => format!("unlock if {value}"),
            Msg::Store { token, .. } => format!("write (token {token})"),
            Msg::StoreReply { accepted: true, .. } => "accepted".into(),
            Msg::StoreReply {
                accepted: false,
                newest,
                ..
            } => format!("rejected: token {newest} seen"),
        }
    }
}
