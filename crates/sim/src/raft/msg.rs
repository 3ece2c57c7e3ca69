//! The messages of the etcd model: Raft's own (`raftpb.Message` types of
//! go.etcd.io/raft) and the etcd server's client requests.

use super::kv::{Compare, Key, KvCmd, KvOp, KvResult};
use crate::history::OpId;
use crate::ids::{Millis, ProcId};
use crate::process::{Message, MsgKind};
use crate::trace::Fnv;

/// One log entry: its term and, for a client write, the value, the operation and the
/// member it was proposed through (which answers the client once it applies it).
/// etcd's leader appends an empty entry when it takes office (`becomeLeader`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The term in which the leader appended it.
    pub term: u64,
    /// The value written (0: the leader's empty entry).
    pub value: u64,
    /// The client operation.
    pub op: OpId,
    /// The member the client asked.
    pub origin: ProcId,
    /// A command of etcd's KV or lessor (a client write carries a value instead).
    pub kv: Option<KvCmd>,
    /// A client write's `Txn` compare, `mod_revision(key) == v` (optimistic
    /// concurrency): applied only if the key is still at that revision. None: a plain put.
    pub expect: Option<u64>,
}

/// A message between members, clients and the storage.
#[derive(Clone, Debug)]
pub enum Msg {
    /// `MsgVote` / `MsgPreVote`: asks for a vote in `term`, with the candidate's last entry.
    Vote {
        /// A pre-vote (the term is not raised by it).
        pre: bool,
        /// The term asked for.
        term: u64,
        /// Index of the candidate's last entry.
        last_index: u64,
        /// Term of the candidate's last entry.
        last_term: u64,
    },
    /// `MsgVoteResp` / `MsgPreVoteResp`.
    VoteResp {
        /// To a pre-vote.
        pre: bool,
        /// The term (the request's when granted, the voter's when rejected).
        term: u64,
        /// Refused.
        reject: bool,
    },
    /// `MsgApp`: entries after (`prev_index`, `prev_term`), and the leader's commit index.
    App {
        /// Leader's term.
        term: u64,
        /// Index of the entry before these.
        prev_index: u64,
        /// Its term.
        prev_term: u64,
        /// The entries.
        entries: Vec<Entry>,
        /// Leader's commit index.
        commit: u64,
    },
    /// `MsgAppResp`: accepted up to `index`, or rejected with a hint (the follower's last index).
    AppResp {
        /// Responder's term.
        term: u64,
        /// Last index accepted, or the index rejected.
        index: u64,
        /// Refused: the log did not match at `index`.
        reject: bool,
        /// The follower's last index (etcd 3.4's `RejectHint`).
        hint: u64,
    },
    /// `MsgHeartbeat`, with a ReadIndex context when a read waits for it.
    Heartbeat {
        /// Leader's term.
        term: u64,
        /// `min(match, committed)`.
        commit: u64,
        /// The newest pending read's context (0: none).
        ctx: u64,
    },
    /// `MsgHeartbeatResp`.
    HeartbeatResp {
        /// Responder's term.
        term: u64,
        /// The context it answers.
        ctx: u64,
    },
    /// `MsgProp` forwarded from a follower to the leader.
    Prop {
        /// The client operation.
        op: OpId,
        /// The value.
        value: u64,
        /// The member the client asked.
        origin: ProcId,
        /// A KV or lease command instead of a value.
        kv: Option<KvCmd>,
        /// The write's compare (see [`Entry::expect`]).
        expect: Option<u64>,
    },
    /// `MsgReadIndex` forwarded from a follower to the leader.
    ReadIndex {
        /// The read's context.
        ctx: u64,
    },
    /// `MsgReadIndexResp`: the commit index a read must wait for.
    ReadIndexResp {
        /// The read's context.
        ctx: u64,
        /// The index.
        index: u64,
    },
    /// A client's `Put`, or with `expect` a `Txn` that puts only if the key's
    /// `mod_revision` is still `expect`.
    Put {
        /// The operation.
        op: OpId,
        /// The value.
        value: u64,
        /// The compare (None: a plain put).
        expect: Option<u64>,
    },
    /// A client's `Range` of the key: serializable (local) or linearizable (ReadIndex).
    Get {
        /// The operation.
        op: OpId,
        /// `--consistency=s`.
        serializable: bool,
    },
    /// A member's answer to a client.
    Reply {
        /// The operation.
        op: OpId,
        /// The value read, for reads.
        read: Option<u64>,
        /// The key's `mod_revision` as the member answered (a revision follows from
        /// the log, which the trace already hashes).
        rev: u64,
        /// False when a `Txn`'s compare failed and nothing was put.
        succeeded: bool,
    },
    /// A request to etcd's KV or lease API (a user of etcd: Patroni).
    KvReq {
        /// The request's id, chosen by the client.
        req: u64,
        /// What it asks.
        op: KvOp,
    },
    /// A member's answer to a [`Msg::KvReq`].
    KvResp {
        /// The request.
        req: u64,
        /// The answer.
        result: KvResult,
    },
    /// A keep-alive a follower forwards to the leader (`LeaseRenew`).
    LeaseFwd {
        /// The request.
        req: u64,
        /// Lease id.
        id: u64,
    },
    /// The leader's answer: the TTL, or None when the lease is not found.
    LeaseFwdResp {
        /// The request.
        req: u64,
        /// TTL.
        ttl: Option<Millis>,
    },
    /// A watched key changed (None: deleted).
    WatchEvent {
        /// The key.
        key: Key,
        /// Its new value.
        value: Option<u64>,
    },
    /// A lock holder's write to the storage, with the lock key's revision as its
    /// token (the lock workload).
    LockWrite {
        /// The history's operation.
        op: OpId,
        /// The revision.
        token: u64,
        /// The value.
        value: u64,
    },
    /// The storage's answer to a [`Msg::LockWrite`].
    LockWriteReply {
        /// The operation.
        op: OpId,
        /// Accepted (false: fenced off).
        accepted: bool,
    },
    /// A leader's write to the fenced storage, with its term as the token.
    Store {
        /// The term.
        token: u64,
        /// The value.
        value: u64,
    },
}

impl Message for Msg {
    /// etcd's rafthttp: a member receives a peer's messages on a stream it opened to
    /// that peer, so every message between members rides the receiver's connection;
    /// a client's reply rides the client's.
    fn on_receivers_connection(&self) -> bool {
        !matches!(
            self,
            Msg::Put { .. }
                | Msg::Get { .. }
                | Msg::Store { .. }
                | Msg::KvReq { .. }
                | Msg::LockWrite { .. }
        )
    }

    fn kind(&self) -> MsgKind {
        match self {
            Msg::Vote { .. } | Msg::VoteResp { .. } => MsgKind::Vote,
            Msg::App { .. } | Msg::AppResp { .. } => MsgKind::Replication,
            Msg::Heartbeat { .. } | Msg::HeartbeatResp { .. } => MsgKind::Heartbeat,
            Msg::Prop { .. }
            | Msg::ReadIndex { .. }
            | Msg::ReadIndexResp { .. }
            | Msg::LeaseFwd { .. }
            | Msg::LeaseFwdResp { .. } => MsgKind::Control,
            Msg::KvReq { .. } | Msg::KvResp { .. } | Msg::WatchEvent { .. } => MsgKind::Client,
            Msg::Put { .. } | Msg::Get { .. } | Msg::Reply { .. } => MsgKind::Client,
            Msg::Store { .. } | Msg::LockWrite { .. } | Msg::LockWriteReply { .. } => {
                MsgKind::Storage
            }
        }
    }

    fn digest(&self, h: &mut Fnv) {
        match self {
            Msg::Vote {
                pre,
                term,
                last_index,
                last_term,
            } => {
                h.u64(1 + *pre as u64);
                h.u64(*term);
                h.u64(*last_index);
                h.u64(*last_term);
            }
            Msg::VoteResp { pre, term, reject } => {
                h.u64(3 + *pre as u64);
                h.u64(*term);
                h.u64(*reject as u64);
            }
            Msg::App {
                term,
                prev_index,
                prev_term,
                entries,
                commit,
            } => {
                h.u64(5);
                h.u64(*term);
                h.u64(*prev_index);
                h.u64(*prev_term);
                h.u64(entries.len() as u64);
                if let Some(e) = entries.last() {
                    h.u64(e.term);
                    h.u64(e.value);
                    if let Some(k) = e.kv {
                        k.digest(h);
                    }
                    compare_digest(h, e.expect);
                }
                h.u64(*commit);
            }
            Msg::AppResp {
                term,
                index,
                reject,
                hint,
            } => {
                h.u64(6);
                h.u64(*term);
                h.u64(*index);
                h.u64(*reject as u64);
                h.u64(*hint);
            }
            Msg::Heartbeat { term, commit, ctx } => {
                h.u64(7);
                h.u64(*term);
                h.u64(*commit);
                h.u64(*ctx);
            }
            Msg::HeartbeatResp { term, ctx } => {
                h.u64(8);
                h.u64(*term);
                h.u64(*ctx);
            }
            Msg::Prop {
                op,
                value,
                origin,
                kv,
                expect,
            } => {
                h.u64(9);
                h.u64(op.0);
                h.u64(*value);
                h.u64(origin.0 as u64);
                if let Some(k) = kv {
                    k.digest(h);
                }
                compare_digest(h, *expect);
            }
            Msg::KvReq { req, op } => {
                h.u64(16);
                h.u64(*req);
                match op {
                    KvOp::Range { key } => {
                        h.u64(1);
                        h.str(key);
                    }
                    KvOp::KeepAlive { id } => {
                        h.u64(2);
                        h.u64(*id);
                    }
                    KvOp::Cmd(c) => c.digest(h),
                    KvOp::Watch { key } => {
                        h.u64(3);
                        h.str(key);
                    }
                }
            }
            Msg::KvResp { req, result } => {
                h.u64(17);
                h.u64(*req);
                match result {
                    KvResult::Range(v) => {
                        h.u64(1);
                        h.u64(v.map_or(u64::MAX, |v| v.value));
                    }
                    KvResult::KeepAlive(t) => {
                        h.u64(2);
                        h.u64(t.unwrap_or(u64::MAX));
                    }
                    KvResult::Granted => h.u64(3),
                    KvResult::Txn(ok) => h.u64(4 + *ok as u64),
                }
            }
            Msg::LeaseFwd { req, id } => {
                h.u64(18);
                h.u64(*req);
                h.u64(*id);
            }
            Msg::LeaseFwdResp { req, ttl } => {
                h.u64(19);
                h.u64(*req);
                h.u64(ttl.unwrap_or(u64::MAX));
            }
            Msg::WatchEvent { key, value } => {
                h.u64(20);
                h.str(key);
                h.u64(value.unwrap_or(u64::MAX));
            }
            Msg::LockWrite { op, token, value } => {
                h.u64(21);
                h.u64(op.0);
                h.u64(*token);
                h.u64(*value);
            }
            Msg::LockWriteReply { op, accepted } => {
                h.u64(22);
                h.u64(op.0);
                h.u64(*accepted as u64);
            }
            Msg::ReadIndex { ctx } => {
                h.u64(10);
                h.u64(*ctx);
            }
            Msg::ReadIndexResp { ctx, index } => {
                h.u64(11);
                h.u64(*ctx);
                h.u64(*index);
            }
            Msg::Put { op, value, expect } => {
                h.u64(12);
                h.u64(op.0);
                h.u64(*value);
                compare_digest(h, *expect);
            }
            Msg::Get { op, serializable } => {
                h.u64(13);
                h.u64(op.0);
                h.u64(*serializable as u64);
            }
            Msg::Reply {
                op,
                read,
                succeeded,
                ..
            } => {
                h.u64(14);
                h.u64(op.0);
                h.u64(read.unwrap_or(u64::MAX));
                if !succeeded {
                    h.u64(0xFA11);
                }
            }
            Msg::Store { token, value } => {
                h.u64(15);
                h.u64(*token);
                h.u64(*value);
            }
        }
    }

    fn label(&self) -> String {
        match self {
            Msg::Vote {
                pre: true, term, ..
            } => format!("pre-vote? term {term}"),
            Msg::Vote { term, .. } => format!("vote? term {term}"),
            Msg::VoteResp { pre, term, reject } => format!(
                "{}{} term {term}",
                if *pre { "pre-" } else { "" },
                if *reject {
                    "vote refused"
                } else {
                    "vote granted"
                }
            ),
            Msg::App { term, entries, .. } if entries.is_empty() => {
                format!("append (commit only) term {term}")
            }
            Msg::App { term, entries, .. } => format!("append {} term {term}", entries.len()),
            Msg::AppResp { index, reject, .. } => {
                if *reject {
                    format!("append refused at {index}")
                } else {
                    format!("appended to {index}")
                }
            }
            Msg::Heartbeat { term, .. } => format!("heartbeat term {term}"),
            Msg::HeartbeatResp { .. } => "heartbeat ok".into(),
            Msg::Prop { .. } => "forward put".into(),
            Msg::ReadIndex { .. } => "read index?".into(),
            Msg::ReadIndexResp { index, .. } => format!("read index {index}"),
            Msg::Put { expect: None, .. } => "PUT".into(),
            Msg::Put {
                expect: Some(r), ..
            } => format!("TXN if mod_revision = {r}: PUT"),
            Msg::Get { serializable, .. } => {
                if *serializable {
                    "GET (serializable)".into()
                } else {
                    "GET".into()
                }
            }
            Msg::Reply {
                succeeded: false,
                rev,
                ..
            } => format!("compare failed: now at revision {rev}"),
            Msg::Reply { .. } => "OK".into(),
            Msg::Store { token, .. } => format!("store (token {token})"),
            Msg::LockWrite { token, .. } => format!("write (revision {token})"),
            Msg::LockWriteReply { accepted: true, .. } => "accepted".into(),
            Msg::LockWriteReply {
                accepted: false, ..
            } => "rejected: stale revision".into(),
            Msg::KvReq { op, .. } => match op {
                KvOp::Range { key } => format!("GET {key}"),
                KvOp::KeepAlive { .. } => "lease keep-alive".into(),
                KvOp::Cmd(KvCmd::Grant { ttl_ms, .. }) => {
                    format!("lease grant {} s", ttl_ms / 1000)
                }
                KvOp::Cmd(KvCmd::Revoke { .. }) => "lease revoke".into(),
                KvOp::Cmd(KvCmd::Put {
                    key,
                    cmp: Compare::Any,
                    ..
                }) => format!("PUT {key}"),
                KvOp::Cmd(KvCmd::Put { key, .. }) => format!("TXN PUT {key} if …"),
                KvOp::Watch { key } => format!("WATCH {key}"),
            },
            Msg::KvResp { result, .. } => match result {
                KvResult::Range(Some(_)) => "value".into(),
                KvResult::Range(None) => "no such key".into(),
                KvResult::KeepAlive(Some(t)) => format!("lease TTL {} s", t / 1000),
                KvResult::KeepAlive(None) => "lease not found".into(),
                KvResult::Granted => "lease granted".into(),
                KvResult::Txn(true) => "txn succeeded".into(),
                KvResult::Txn(false) => "txn failed".into(),
            },
            Msg::LeaseFwd { .. } => "forward keep-alive".into(),
            Msg::LeaseFwdResp { .. } => "keep-alive answer".into(),
            Msg::WatchEvent { key, value } => match value {
                Some(_) => format!("watch: {key} changed"),
                None => format!("watch: {key} deleted"),
            },
        }
    }
}

/// Mixes in a write's compare, if it has one: plain puts hash as they always did.
fn compare_digest(h: &mut Fnv, expect: Option<u64>) {
    if let Some(r) = expect {
        h.u64(0xC0DE);
        h.u64(r);
    }
}
