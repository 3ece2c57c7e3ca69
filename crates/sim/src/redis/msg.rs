//! The messages of the Redis + Sentinel model: client commands, the replication
//! protocol (PSYNC, the stream, REPLCONF ACK/GETACK), Sentinel's PING/INFO/hello,
//! `SENTINEL is-master-down-by-addr`, `SLAVEOF`, and fenced storage writes.

use crate::history::OpId;
use crate::ids::{Millis, ProcId};
use crate::process::{Message, MsgKind};
use crate::trace::Fnv;

/// Bytes one write adds to the replication offset (an `SADD key member` in RESP is
/// about this long); offsets and the backlog are counted in bytes, as in Redis.
pub const WRITE_BYTES: u64 = 48;

/// A client command.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cmd {
    /// `SADD set value` (set workload) or `SET key value` (register workload),
    /// optionally followed by `WAIT numreplicas timeout` in the same pipeline.
    Write {
        /// The unique value.
        value: u64,
        /// `WAIT numreplicas timeout-ms`.
        wait: Option<(u32, Millis)>,
    },
    /// `GET key`.
    Read,
    /// `SET lock value NX PX ttl` (the lock workload).
    LockSet {
        /// The client's value, unique to it.
        value: u64,
        /// `PX`.
        px: Millis,
    },
    /// The release script: delete the lock key if it holds `value`.
    Unlock {
        /// The client's value.
        value: u64,
    },
}

/// The lock key (the lock workload), as a server holds it: its value, and its expiry
/// as an absolute time of the master's clock that set it (Redis 7 propagates
/// `SET ... PX` as `SET ... PXAT`, so a replica inherits the absolute time).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockKey {
    /// The value.
    pub value: u64,
    /// When it expires, by the clock of the server that expires it.
    pub expire_at: i64,
    /// The client that set it (for the drawing).
    pub owner: ProcId,
}

/// One write of the replication stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repl {
    /// `SADD` (set workload) or `SET` of the register.
    Add(u64),
    /// The lock key's new state: `SET lock value PXAT t`, or `DEL lock` (None).
    Lock(Option<LockKey>),
}

impl Repl {
    /// Feeds the trace hash; a plain write hashes as its value alone.
    fn digest(&self, h: &mut Fnv) {
        match self {
            Repl::Add(v) => h.u64(*v),
            Repl::Lock(k) => {
                h.u64(u64::MAX - 1);
                h.u64(k.map_or(0, |k| k.value));
            }
        }
    }
}

/// A server's answer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Reply {
    /// `+OK` / `:1`.
    Ok,
    /// The answer to `WAIT`: how many replicas acknowledged.
    Waited(u32),
    /// The value of a `GET`.
    Value(Option<u64>),
    /// `-READONLY You can't write against a read only replica.`
    ReadOnly,
    /// `-NOREPLICAS Not enough good replicas to write.`
    NoReplicas,
    /// `(nil)`: `SET NX` found the key set.
    NotSet,
    /// Shared storage refused the master's write: its fencing token is stale.
    Fenced {
        /// Token presented.
        token: u64,
        /// Newest token storage has seen.
        newest: u64,
    },
}

/// What an `INFO replication` reply carries, as Sentinel reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct Info {
    /// Run id (changes on every restart).
    pub run_id: u64,
    /// `role:master`, or the master a replica follows.
    pub master_of: Option<ProcId>,
    /// `master_link_status:up`.
    pub link_up: bool,
    /// `master_link_down_since_seconds`, in ms (0 when up).
    pub link_down_ms: Millis,
    /// `slave_repl_offset` / `master_repl_offset`.
    pub offset: u64,
    /// `slave_priority` (`replica-priority`).
    pub priority: u32,
    /// The replicas a master lists (`slaveN:` lines).
    pub replicas: Vec<ProcId>,
}

/// A Sentinel hello: `ip,port,runid,current_epoch,master_name,master_ip,master_port,master_config_epoch`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hello {
    /// The Sentinel that sent it.
    pub sentinel: ProcId,
    /// Its current epoch.
    pub current_epoch: u64,
    /// The master it names.
    pub master: ProcId,
    /// The config epoch of that master.
    pub config_epoch: u64,
}

/// One message of the model.
#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    /// Client → server.
    Cmd { op: OpId, cmd: Cmd },
    /// Server → client.
    Reply { op: OpId, reply: Reply },
    /// Sentinel → server or Sentinel: `PING`.
    Ping,
    /// The reply to `PING`.
    Pong,
    /// Sentinel → server: `INFO`.
    InfoReq,
    /// Server → Sentinel.
    Info(Box<Info>),
    /// Sentinel → server: `SLAVEOF host port` or `SLAVEOF NO ONE`. `epoch` is the
    /// failover's config epoch, which the model hands to the promoted master as its
    /// fencing token (real Redis does not carry it; applications read it from Sentinel).
    SlaveOf { master: Option<ProcId>, epoch: u64 },
    /// Sentinel → server (`PUBLISH __sentinel__:hello`, forwarded to subscribers) or
    /// Sentinel → Sentinel directly.
    Hello(Hello),
    /// `SENTINEL is-master-down-by-addr`: `candidate` is None for `*` (only asking), or
    /// the Sentinel asking for a vote.
    IsMasterDown {
        master: ProcId,
        epoch: u64,
        candidate: Option<ProcId>,
    },
    /// Its reply: the voter's own SDOWN view, and the leader it voted for in `leader_epoch`.
    IsMasterDownReply {
        down: bool,
        leader: Option<ProcId>,
        leader_epoch: u64,
    },
    /// Client or monitor → Sentinel: `SENTINEL get-master-addr-by-name` (plus the
    /// master's flags, as redis-py's `SENTINEL MASTERS` check reads them).
    GetMaster { req: u64 },
    /// Its reply: the master, and whether this Sentinel flags it s_down/o_down.
    MasterIs {
        req: u64,
        master: ProcId,
        down: bool,
    },
    /// Replica → master: `PSYNC replid offset` (offset = bytes the replica has).
    Psync { replid: u64, offset: u64 },
    /// A replica closes its connection to the master it leaves (TCP's FIN, which
    /// arrives behind the data still on the connection).
    ConnClose,
    /// Master → replica: `+FULLRESYNC replid offset`, sent at once; the RDB payload
    /// follows when the master starts the transfer (`repl-diskless-sync-delay`).
    FullResyncWait,
    /// Master → replica: the RDB payload of a full resync.
    FullResync {
        replid: u64,
        offset: u64,
        data: crate::process::DataSet,
        register: Option<u64>,
        lock: Option<LockKey>,
    },
    /// Master → replica: `+CONTINUE` and the backlog from the replica's offset.
    Continue {
        replid: u64,
        from: u64,
        values: Vec<Repl>,
    },
    /// Master → replica: one write of the stream, starting at byte `from`.
    Stream { from: u64, value: Repl },
    /// Master → replica: the periodic `PING` in the stream (`repl-ping-replica-period`).
    ReplPing,
    /// Replica → master: `REPLCONF ACK offset`.
    Ack { offset: u64 },
    /// Master → replica: `REPLCONF GETACK *`, sent when a client calls `WAIT`.
    GetAck,
    /// A TCP reset: the peer has no connection for this traffic (it restarted).
    ConnReset,
    /// Master → storage: a write carrying a fencing token.
    Store { op: OpId, token: u64, value: u64 },
    /// Storage → master.
    StoreReply {
        op: OpId,
        accepted: bool,
        newest: u64,
    },
}

impl Message for Msg {
    fn reset() -> Option<Self> {
        Some(Msg::ConnReset)
    }

    fn is_reset(&self) -> bool {
        matches!(self, Msg::ConnReset)
    }

    /// The replication link is one long-lived connection each way: a cut shorter than
    /// `repl-timeout` stalls it, and TCP delivers what was sent once it gets through.
    fn retransmitted(&self) -> bool {
        matches!(
            self,
            Msg::Stream { .. } | Msg::Ack { .. } | Msg::ReplPing | Msg::GetAck | Msg::ConnClose
        )
    }

    /// Replies, and what a master sends down the connection its replica opened.
    fn on_receivers_connection(&self) -> bool {
        matches!(
            self,
            Msg::Reply { .. }
                | Msg::Pong
                | Msg::Info(_)
                | Msg::IsMasterDownReply { .. }
                | Msg::MasterIs { .. }
                | Msg::FullResync { .. }
                | Msg::FullResyncWait
                | Msg::Continue { .. }
                | Msg::Stream { .. }
                | Msg::ReplPing
                | Msg::GetAck
                | Msg::StoreReply { .. }
        )
    }

    fn kind(&self) -> MsgKind {
        match self {
            Msg::Cmd { .. } | Msg::Reply { .. } | Msg::GetMaster { .. } | Msg::MasterIs { .. } => {
                MsgKind::Client
            }
            Msg::Ping | Msg::Pong | Msg::InfoReq | Msg::Info(_) => MsgKind::Heartbeat,
            Msg::Hello(_) => MsgKind::Gossip,
            Msg::IsMasterDown { .. } | Msg::IsMasterDownReply { .. } => MsgKind::Vote,
            Msg::SlaveOf { .. } => MsgKind::Control,
            Msg::Psync { .. }
            | Msg::FullResync { .. }
            | Msg::FullResyncWait
            | Msg::ConnClose
            | Msg::Continue { .. }
            | Msg::Stream { .. }
            | Msg::ReplPing
            | Msg::Ack { .. }
            | Msg::GetAck
            | Msg::ConnReset => MsgKind::Replication,
            Msg::Store { .. } | Msg::StoreReply { .. } => MsgKind::Storage,
        }
    }

    fn digest(&self, h: &mut Fnv) {
        match self {
            Msg::Cmd { op, cmd } => {
                h.u64(1);
                h.u64(op.0);
                match cmd {
                    Cmd::Write { value, .. } => h.u64(*value),
                    Cmd::LockSet { value, px } => {
                        h.u64(*value);
                        h.u64(*px);
                    }
                    Cmd::Unlock { value } => h.u64(*value),
                    Cmd::Read => {}
                }
            }
            Msg::Reply { op, reply } => {
                h.u64(2);
                h.u64(op.0);
                h.u64(match reply {
                    Reply::Ok => 0,
                    Reply::Waited(n) => 1 + *n as u64,
                    Reply::Value(v) => v.unwrap_or(u64::MAX),
                    Reply::ReadOnly => 1 << 40,
                    Reply::NoReplicas => 2 << 40,
                    Reply::Fenced { token, .. } => (3 << 40) + token,
                    Reply::NotSet => 4 << 40,
                });
            }
            Msg::Ping => h.u64(3),
            Msg::Pong => h.u64(4),
            Msg::InfoReq => h.u64(5),
            Msg::Info(i) => {
                h.u64(6);
                h.u64(i.offset);
                h.u64(i.master_of.map_or(u64::MAX, |m| m.0 as u64));
            }
            Msg::SlaveOf { master, epoch } => {
                h.u64(7);
                h.u64(master.map_or(u64::MAX, |m| m.0 as u64));
                h.u64(*epoch);
            }
            Msg::Hello(x) => {
                h.u64(8);
                h.u64(x.current_epoch);
                h.u64(x.master.0 as u64);
                h.u64(x.config_epoch);
            }
            Msg::IsMasterDown {
                epoch, candidate, ..
            } => {
                h.u64(9);
                h.u64(*epoch);
                h.u64(candidate.map_or(u64::MAX, |c| c.0 as u64));
            }
            Msg::IsMasterDownReply {
                down,
                leader,
                leader_epoch,
            } => {
                h.u64(10 + *down as u64);
                h.u64(leader.map_or(u64::MAX, |c| c.0 as u64));
                h.u64(*leader_epoch);
            }
            Msg::GetMaster { req } => {
                h.u64(12);
                h.u64(*req);
            }
            Msg::MasterIs { req, master, down } => {
                h.u64(13 + *down as u64);
                h.u64(*req);
                h.u64(master.0 as u64);
            }
            Msg::Psync { replid, offset } => {
                h.u64(15);
                h.u64(*replid);
                h.u64(*offset);
            }
            Msg::FullResync {
                replid,
                offset,
                data,
                ..
            } => {
                h.u64(16);
                h.u64(*replid);
                h.u64(*offset);
                h.u64(data.len() as u64);
            }
            Msg::Continue { from, values, .. } => {
                h.u64(17);
                h.u64(*from);
                h.u64(values.len() as u64);
            }
            Msg::Stream { from, value } => {
                h.u64(18);
                h.u64(*from);
                value.digest(h);
            }
            Msg::ReplPing => h.u64(19),
            Msg::Ack { offset } => {
                h.u64(20);
                h.u64(*offset);
            }
            Msg::GetAck => h.u64(21),
            Msg::ConnReset => h.u64(25),
            Msg::FullResyncWait => h.u64(26),
            Msg::ConnClose => h.u64(27),
            Msg::Store { op, token, .. } => {
                h.u64(22);
                h.u64(op.0);
                h.u64(*token);
            }
            Msg::StoreReply { op, accepted, .. } => {
                h.u64(23 + *accepted as u64);
                h.u64(op.0);
            }
        }
    }

    fn label(&self) -> String {
        match self {
            Msg::Cmd {
                cmd: Cmd::Write { value, wait: None },
                ..
            } => format!("SADD {value}"),
            Msg::Cmd {
                cmd:
                    Cmd::Write {
                        value,
                        wait: Some((n, t)),
                    },
                ..
            } => format!("SADD {value}; WAIT {n} {t}"),
            Msg::Cmd { cmd: Cmd::Read, .. } => "GET".into(),
            Msg::Cmd {
                cmd: Cmd::LockSet { value, px },
                ..
            } => format!("SET lock {value} NX PX {px}"),
            Msg::Cmd {
                cmd: Cmd::Unlock { value },
                ..
            } => format!("unlock if {value}"),
            Msg::Reply { reply, .. } => match reply {
                Reply::Ok => "+OK".into(),
                Reply::Waited(n) => format!(":{n} (WAIT)"),
                Reply::Value(v) => format!("{v:?}"),
                Reply::ReadOnly => "-READONLY".into(),
                Reply::NoReplicas => "-NOREPLICAS".into(),
                Reply::Fenced { token, newest } => format!("-FENCED token {token} < {newest}"),
                Reply::NotSet => "(nil): held".into(),
            },
            Msg::Ping => "PING".into(),
            Msg::Pong => "PONG".into(),
            Msg::InfoReq => "INFO".into(),
            Msg::Info(i) => match i.master_of {
                None => format!("INFO role:master offset:{}", i.offset),
                Some(m) => format!("INFO role:slave of {} offset:{}", m.0, i.offset),
            },
            Msg::SlaveOf { master: None, .. } => "SLAVEOF NO ONE".into(),
            Msg::SlaveOf {
                master: Some(m), ..
            } => format!("SLAVEOF {}", m.0),
            Msg::Hello(x) => format!(
                "hello epoch {} master {} config {}",
                x.current_epoch, x.master.0, x.config_epoch
            ),
            Msg::IsMasterDown {
                epoch,
                candidate: None,
                ..
            } => format!("is-master-down? epoch {epoch}"),
            Msg::IsMasterDown {
                epoch,
                candidate: Some(c),
                ..
            } => format!("vote for {} in epoch {epoch}?", c.0),
            Msg::IsMasterDownReply {
                down,
                leader,
                leader_epoch,
            } => match leader {
                Some(l) => format!("down:{} voted {} in epoch {leader_epoch}", *down as u8, l.0),
                None => format!("down:{}", *down as u8),
            },
            Msg::GetMaster { .. } => "get-master-addr-by-name".into(),
            Msg::MasterIs { master, down, .. } => format!(
                "master is {}{}",
                master.0,
                if *down { " (down)" } else { "" }
            ),
            Msg::Psync { replid, offset } => format!("PSYNC {replid:x} {offset}"),
            Msg::FullResync { offset, data, .. } => {
                format!("+FULLRESYNC offset {offset} ({} values)", data.len())
            }
            Msg::Continue { from, values, .. } => {
                format!("+CONTINUE from {from} ({} writes)", values.len())
            }
            Msg::Stream {
                from,
                value: Repl::Add(value),
            } => format!("stream @{from}: SADD {value}"),
            Msg::Stream {
                from,
                value: Repl::Lock(Some(k)),
            } => format!("stream @{from}: SET lock {} PXAT {}", k.value, k.expire_at),
            Msg::Stream {
                from,
                value: Repl::Lock(None),
            } => format!("stream @{from}: DEL lock"),
            Msg::ReplPing => "PING (replication)".into(),
            Msg::Ack { offset } => format!("REPLCONF ACK {offset}"),
            Msg::GetAck => "REPLCONF GETACK".into(),
            Msg::ConnReset => "connection reset".into(),
            Msg::FullResyncWait => "+FULLRESYNC (RDB to follow)".into(),
            Msg::ConnClose => "connection closed".into(),
            Msg::Store { token, value, .. } => format!("store {value} with token {token}"),
            Msg::StoreReply {
                accepted, newest, ..
            } => {
                if *accepted {
                    "stored".into()
                } else {
                    format!("rejected: token older than {newest}")
                }
            }
        }
    }
}
