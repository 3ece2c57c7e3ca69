//! The etcd model's own events, each presenting itself once, in etcd's own log words
//! where it has them.

use crate::ids::{Millis, ProcId};
use crate::process::{EventInfo, MarkerKind, SystemEvent};

/// Something an etcd member reports.
#[derive(Clone, Debug, PartialEq)]
pub enum RaftEvent {
    /// A client's `Txn` compare failed: another client put the key since it read it
    /// at `read_rev`. Nothing was overwritten; the client reads again and retries.
    CompareFailed {
        /// The revision its change was made on.
        read_rev: u64,
        /// The key's revision now.
        rev: u64,
    },
    /// CheckQuorum: "stepped down to follower since quorum is not active".
    SteppedDown {
        /// Its term.
        term: u64,
    },
    /// A leader saw a higher term from a member that is not a leader and stepped down
    /// (etcd 3.4 without pre-vote: a rejoining member disrupts a healthy leader).
    Deposed {
        /// The leader's term.
        term: u64,
        /// Who carried the higher term.
        by: ProcId,
        /// That term.
        new_term: u64,
    },
    /// A pre-vote round for the next term, which does not raise the term.
    PreVote {
        /// The term it would campaign for.
        term: u64,
    },
    /// Conflicting entries no quorum held were cut from the log (`truncateAndAppend`).
    Truncated {
        /// How many.
        entries: u64,
        /// From which index.
        from_index: u64,
    },
    /// The leader's loop was blocked in a WAL fsync longer than two heartbeats: etcd
    /// warns "leader failed to send out heartbeat on time; took too long, leader is
    /// overloaded likely from slow disk".
    LateHeartbeat {
        /// How long the sync blocked it.
        stalled_ms: Millis,
    },
    /// A lock client's keep-alive found its session lease gone: it has lost the lock,
    /// and learns it only now.
    LockLeaseLost,
    /// A lock client writes under its lock after its lease ran out, as of its last
    /// keep-alive answer: it did not watch its session (`Session.Done()`).
    LockWriteAfterLease {
        /// How long after.
        late_ms: Millis,
    },
    /// The leader's lessor found a lease past its TTL and revokes it, with every key
    /// attached to it.
    LeaseExpired {
        /// The lease.
        lease: u64,
    },
}

impl SystemEvent for RaftEvent {
    fn present(&self) -> EventInfo {
        match self {
            RaftEvent::CompareFailed { read_rev, rev } => EventInfo::log(
                "compare-failed",
                format!("Txn compare failed: the document moved from revision {read_rev} to {rev} since it read it; nothing was put, it reads again and retries"),
            )
            .badge("conflict: retries", false)
            .counter("conflicts detected (compare failed), retried"),
            RaftEvent::LeaseExpired { lease } => EventInfo::log(
                "lease-expired",
                format!("lease {lease:x} expired: revoking it and the keys attached to it"),
            )
            .badge("lease expired", true),
            RaftEvent::LockLeaseLost => EventInfo::log(
                "lease-lost",
                "keep-alive: lease not found: its lock is gone, and it learns it only now".into(),
            )
            .badge("lost its lock", true)
            .counter("locks lost to an expired lease"),
            RaftEvent::LockWriteAfterLease { late_ms } => EventInfo::log(
                "writes-after-lease",
                format!("writes under its lock {late_ms} ms after its lease ran out (as last renewed)"),
            )
            .marker(MarkerKind::Alert)
            .badge(format!("writes {late_ms} ms after its lease ran out"), true)
            .counter("writes after the lease ran out"),
            RaftEvent::SteppedDown { term } => EventInfo::log(
                "step-down",
                format!("stepped down to follower since quorum is not active (term {term})"),
            )
            .marker(MarkerKind::Alert)
            .badge("stepped down: no quorum", true)
            .counter("CheckQuorum step-downs"),
            RaftEvent::Deposed { term, by, new_term } => EventInfo::log(
                "deposed",
                format!("received a higher term {new_term} from {by}: steps down from leading term {term}"),
            )
            .marker(MarkerKind::Alert)
            .badge(format!("deposed by term {new_term}"), true)
            .counter("leaders deposed by a higher term"),
            RaftEvent::PreVote { term } => {
                EventInfo::log("pre-vote", format!("starts a pre-vote for term {term}"))
                    .badge(format!("pre-vote (term {term})"), false)
            }
            RaftEvent::Truncated {
                entries,
                from_index,
            } => EventInfo::log(
                "truncated",
                format!("drops {entries} uncommitted entries from index {from_index}: the leader's log wins"),
            )
            .badge(format!("dropped {entries} uncommitted entries"), true),
            RaftEvent::LateHeartbeat { stalled_ms } => EventInfo::log(
                "late-heartbeat",
                format!("leader failed to send out heartbeat on time; took too long ({stalled_ms} ms), leader is overloaded likely from slow disk"),
            )
            .marker(MarkerKind::Alert)
            .badge(format!("disk stalled {stalled_ms} ms"), true)
            .counter("late heartbeats (slow disk)"),
        }
    }
}
