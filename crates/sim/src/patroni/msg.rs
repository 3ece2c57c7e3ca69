//! The messages of a Patroni deployment: etcd's own (wrapped unchanged), PostgreSQL's
//! streaming replication, the application's SQL, and Patroni's REST calls between
//! members.

use crate::history::OpId;
use crate::process::{Message, MsgKind};
use crate::raft::msg::Msg as EtcdMsg;
use crate::trace::Fnv;

/// A timeline: PostgreSQL's number, and which promotion made it. Two promotions can
/// both pick "timeline 2" from different histories (Patroni 3.0.2's re-promotion does):
/// PostgreSQL and Patroni compare only the number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tl {
    /// The timeline ID PostgreSQL shows.
    pub n: u32,
    /// The promotion that started it (unique in a run).
    pub uid: u32,
}

/// One WAL record: a committed row, or (value 0) a checkpoint or end-of-recovery record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rec {
    /// The timeline it was written on.
    pub tl: Tl,
    /// The row's value (0: no row).
    pub value: u64,
}

/// How a SQL request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SqlResult {
    /// `INSERT 0 1`.
    Ok,
    /// Success after a cancelled synchronous-replication wait: "canceling wait for
    /// synchronous replication due to user request", DETAIL "The transaction has already
    /// committed locally, but might not have been replicated to the standby."
    OkCommittedLocally,
    /// "cannot execute INSERT in a read-only transaction" (a standby).
    ReadOnly,
    /// "FATAL: the database system is shutting down" (or starting up, or stopped).
    NotAccepting,
    /// "server closed the connection unexpectedly": the backend was terminated while
    /// its commit waited; the row may be committed locally.
    Closed,
    /// `pg_is_in_recovery()`.
    InRecovery(bool),
}

/// A message of the deployment.
#[derive(Clone, Debug)]
pub enum Msg {
    /// etcd's traffic: between members, and between a Patroni agent and its member.
    Etcd(EtcdMsg),
    /// A standby's walreceiver asks to stream from `lsn` on timeline `tl`
    /// (`START_REPLICATION`); `stream` numbers the connection.
    StartRepl {
        /// Connection number.
        stream: u32,
        /// The standby's timeline.
        tl: Tl,
        /// The standby's end of WAL.
        lsn: u64,
    },
    /// The primary refuses: "requested starting point … is not in this server's history".
    ReplRefused {
        /// Connection number.
        stream: u32,
    },
    /// WAL from `from` on, or (no records) a keepalive; `prev` is the record before
    /// `from`, which a standby's own must match.
    Wal {
        /// Connection number.
        stream: u32,
        /// The primary's timeline and history switch point of the standby's timeline.
        tl: Tl,
        /// LSN of the first record.
        from: u64,
        /// The records.
        recs: Vec<Rec>,
        /// The record before `from` (None at the start of WAL).
        prev: Option<Rec>,
        /// A keepalive that asks for a reply.
        reply: bool,
    },
    /// A standby's status update: written and flushed up to `flush`.
    WalReply {
        /// Connection number.
        stream: u32,
        /// Flushed (and applied) LSN.
        flush: u64,
    },
    /// Patroni's rewind check and `pg_rewind`: the source's WAL and timeline.
    RewindReq,
    /// The source's state, copied (`pg_rewind` copies what diverged).
    RewindResp {
        /// Its timeline.
        tl: Tl,
        /// Its WAL.
        wal: imbl::Vector<Rec>,
        /// Its timeline history: each ancestor and the LSN where the next began.
        history: Vec<(Tl, u64)>,
    },
    /// `INSERT` of one row.
    Insert {
        /// The operation.
        op: OpId,
        /// The row's value.
        value: u64,
    },
    /// `SELECT pg_is_in_recovery()` (also how `target_session_attrs=read-write` checks).
    IsInRecovery {
        /// The operation.
        op: OpId,
    },
    /// A cancel request for the backend running `op` (`pg_cancel_backend`, a driver's
    /// query timeout).
    Cancel {
        /// The operation.
        op: OpId,
    },
    /// PostgreSQL's answer.
    Sql {
        /// The operation.
        op: OpId,
        /// How it ended.
        result: SqlResult,
    },
    /// `GET /patroni` from another member's agent (`fetch_node_status`).
    StatusReq {
        /// The round of questions.
        round: u64,
    },
    /// The answer.
    Status {
        /// The round.
        round: u64,
        /// `pg_is_in_recovery()`.
        in_recovery: bool,
        /// Its WAL position.
        wal: u64,
        /// Its timeline.
        tl: u32,
    },
    /// `POST /failsafe` from a primary that lost the DCS.
    Failsafe {
        /// The round.
        round: u64,
    },
    /// `200 Accepted`.
    FailsafeOk {
        /// The round.
        round: u64,
    },
    /// A TCP reset from a host whose process died.
    Reset,
}

impl Message for Msg {
    fn on_receivers_connection(&self) -> bool {
        match self {
            Msg::Etcd(m) => m.on_receivers_connection(),
            Msg::StartRepl { .. }
            | Msg::WalReply { .. }
            | Msg::RewindReq
            | Msg::Insert { .. }
            | Msg::IsInRecovery { .. }
            | Msg::Cancel { .. }
            | Msg::StatusReq { .. }
            | Msg::Failsafe { .. }
            | Msg::Reset => false,
            _ => true,
        }
    }

    fn reset() -> Option<Self> {
        Some(Msg::Reset)
    }

    fn is_reset(&self) -> bool {
        matches!(self, Msg::Reset)
    }

    /// The replication connection outlives a cut shorter than its timeouts.
    fn retransmitted(&self) -> bool {
        matches!(self, Msg::Wal { .. } | Msg::WalReply { .. })
    }

    fn connection(&self) -> u64 {
        match self {
            Msg::Wal { stream, .. } | Msg::WalReply { stream, .. } => *stream as u64,
            _ => 0,
        }
    }

    fn kind(&self) -> MsgKind {
        match self {
            Msg::Etcd(m) => m.kind(),
            Msg::Wal { recs, .. } if recs.is_empty() => MsgKind::Heartbeat,
            Msg::StartRepl { .. }
            | Msg::ReplRefused { .. }
            | Msg::Wal { .. }
            | Msg::WalReply { .. }
            | Msg::RewindReq
            | Msg::RewindResp { .. } => MsgKind::Replication,
            Msg::Insert { .. }
            | Msg::IsInRecovery { .. }
            | Msg::Cancel { .. }
            | Msg::Sql { .. } => MsgKind::Client,
            Msg::StatusReq { .. } | Msg::Status { .. } => MsgKind::Vote,
            Msg::Failsafe { .. } | Msg::FailsafeOk { .. } => MsgKind::Control,
            Msg::Reset => MsgKind::Control,
        }
    }

    fn digest(&self, h: &mut Fnv) {
        match self {
            Msg::Etcd(m) => m.digest(h),
            Msg::StartRepl { stream, tl, lsn } => {
                h.u64(201);
                h.u64(*stream as u64);
                h.u64(tl.n as u64);
                h.u64(*lsn);
            }
            Msg::ReplRefused { stream } => {
                h.u64(202);
                h.u64(*stream as u64);
            }
            Msg::Wal {
                stream,
                tl,
                from,
                recs,
                reply,
                ..
            } => {
                h.u64(203);
                h.u64(*stream as u64);
                h.u64(tl.n as u64);
                h.u64(*from);
                h.u64(recs.len() as u64);
                h.u64(recs.last().map_or(0, |r| r.value));
                h.u64(*reply as u64);
            }
            Msg::WalReply { stream, flush } => {
                h.u64(204);
                h.u64(*stream as u64);
                h.u64(*flush);
            }
            Msg::RewindReq => h.u64(205),
            Msg::RewindResp { tl, wal, .. } => {
                h.u64(206);
                h.u64(tl.n as u64);
                h.u64(wal.len() as u64);
            }
            Msg::Insert { op, value } => {
                h.u64(207);
                h.u64(op.0);
                h.u64(*value);
            }
            Msg::IsInRecovery { op } => {
                h.u64(208);
                h.u64(op.0);
            }
            Msg::Cancel { op } => {
                h.u64(209);
                h.u64(op.0);
            }
            Msg::Sql { op, result } => {
                h.u64(210);
                h.u64(op.0);
                h.u64(match result {
                    SqlResult::Ok => 0,
                    SqlResult::OkCommittedLocally => 1,
                    SqlResult::ReadOnly => 2,
                    SqlResult::NotAccepting => 3,
                    SqlResult::Closed => 4,
                    SqlResult::InRecovery(r) => 5 + *r as u64,
                });
            }
            Msg::StatusReq { round } => {
                h.u64(211);
                h.u64(*round);
            }
            Msg::Status {
                round,
                in_recovery,
                wal,
                tl,
            } => {
                h.u64(212);
                h.u64(*round);
                h.u64(*in_recovery as u64);
                h.u64(*wal);
                h.u64(*tl as u64);
            }
            Msg::Failsafe { round } => {
                h.u64(213);
                h.u64(*round);
            }
            Msg::FailsafeOk { round } => {
                h.u64(214);
                h.u64(*round);
            }
            Msg::Reset => h.u64(215),
        }
    }

    fn label(&self) -> String {
        match self {
            Msg::Etcd(m) => m.label(),
            Msg::StartRepl { tl, lsn, .. } => format!("START_REPLICATION {lsn} tl {}", tl.n),
            Msg::ReplRefused { .. } => "not in this server's history".into(),
            Msg::Wal { recs, reply, .. } if recs.is_empty() => {
                if *reply {
                    "keepalive (reply?)".into()
                } else {
                    "keepalive".into()
                }
            }
            Msg::Wal { recs, from, .. } => {
                format!("WAL {}..{}", from + 1, from + recs.len() as u64)
            }
            Msg::WalReply { flush, .. } => format!("flushed {flush}"),
            Msg::RewindReq => "pg_rewind: fetch".into(),
            Msg::RewindResp { .. } => "pg_rewind: blocks".into(),
            Msg::Insert { .. } => "INSERT".into(),
            Msg::IsInRecovery { .. } => "pg_is_in_recovery()?".into(),
            Msg::Cancel { .. } => "cancel request".into(),
            Msg::Sql { result, .. } => match result {
                SqlResult::Ok => "INSERT 0 1".into(),
                SqlResult::OkCommittedLocally => "INSERT 0 1 + WARNING".into(),
                SqlResult::ReadOnly => "ERROR read-only".into(),
                SqlResult::NotAccepting => "FATAL shutting down".into(),
                SqlResult::Closed => "connection closed".into(),
                SqlResult::InRecovery(r) => format!("in recovery: {r}"),
            },
            Msg::StatusReq { .. } => "GET /patroni".into(),
            Msg::Status { wal, .. } => format!("status (wal {wal})"),
            Msg::Failsafe { .. } => "POST /failsafe".into(),
            Msg::FailsafeOk { .. } => "Accepted".into(),
            Msg::Reset => "RST".into(),
        }
    }
}
