//! The Patroni deployment's own events, each presenting itself once, in Patroni's and
//! PostgreSQL's own log words where they have them.

use crate::history::OpId;
use crate::ids::ProcId;
use crate::process::{EventInfo, MarkerKind, SystemEvent};

/// Something a member (Patroni and its PostgreSQL), a client or etcd reports.
#[derive(Clone, Debug, PartialEq)]
pub enum PatroniEvent {
    /// etcd elected a leader (the DCS's own election, not PostgreSQL's).
    EtcdLeader {
        /// Its term.
        term: u64,
    },
    /// "Error communicating with DCS": a DCS call ran out of `retry_timeout`.
    DcsError,
    /// "demoting self because DCS is not accessible and I was a leader".
    DemoteNoDcs,
    /// "demoting self because I do not have the lock and I was a leader".
    DemoteNoLock,
    /// "continue to run as a leader because failsafe mode is enabled and all members
    /// are accessible".
    FailsafeKept,
    /// "promoted self to leader by acquiring session lock".
    Acquired,
    /// "promoted self to leader because I had the session lock": a former primary
    /// whose stale view still showed it as the key's owner.
    RePromoted,
    /// Patroni 3.0.2's `_update_leader`: the lease had expired, so it got a new one and
    /// wrote the leader key without a condition, over whoever held it.
    KeyOverwritten,
    /// "Could not take out TTL lock".
    LockFailed,
    /// "following a different leader because i am not the healthiest node".
    NotHealthiest {
        /// Why.
        why: &'static str,
    },
    /// PostgreSQL: "database system is shut down" after a fast shutdown.
    ShutDown,
    /// "terminating walsender process due to replication timeout".
    WalSenderTimeout {
        /// The standby given up on.
        standby: ProcId,
    },
    /// "terminating walreceiver due to timeout".
    WalReceiverTimeout {
        /// The upstream given up on.
        upstream: ProcId,
    },
    /// "requested starting point … on timeline … is not in this server's history".
    NotInHistory {
        /// The upstream.
        upstream: ProcId,
        /// Where the standby's WAL ends.
        lsn: u64,
        /// Its timeline.
        tl: u32,
    },
    /// The upstream's WAL does not continue this server's: both histories carry the
    /// same timeline number, so neither PostgreSQL nor Patroni sees why.
    WalMismatch {
        /// The upstream.
        upstream: ProcId,
    },
    /// "running pg_rewind from …".
    Rewind {
        /// The source.
        source: ProcId,
    },
    /// The histories forked and `use_pg_rewind` is off: the server cannot follow.
    CannotRewind,
    /// "reinitializing due to diverged timelines": a fresh base backup.
    Reinit {
        /// The source.
        source: ProcId,
    },
    /// Patroni changed `synchronous_standby_names`.
    SyncStandby {
        /// PostgreSQL's spelling of the new value.
        ssn: String,
    },
    /// "canceling wait for synchronous replication due to user request": the client
    /// is told the commit succeeded.
    CancelledWait {
        /// The operation.
        op: OpId,
    },
    /// A client was told "success" for a row that only the primary holds.
    SuccessWithWarning,
}

impl SystemEvent for PatroniEvent {
    fn present(&self) -> EventInfo {
        use PatroniEvent::*;
        match self {
            EtcdLeader { term } => {
                EventInfo::log("etcd-leader", format!("etcd: leads the DCS in term {term}"))
            }
            DcsError => EventInfo::log(
                "dcs-error",
                "Error communicating with DCS (retry_timeout ran out)".into(),
            )
            .badge("DCS unreachable", true),
            DemoteNoDcs => EventInfo::log(
                "demote-no-dcs",
                "demoting self because DCS is not accessible and I was a leader: fast shutdown, the leader key is left to expire".into(),
            )
            .marker(MarkerKind::Alert)
            .badge("demotes itself: no DCS", true)
            .counter("self-demotions"),
            DemoteNoLock => EventInfo::log(
                "demote-no-lock",
                "demoting self because I do not have the lock and I was a leader (immediate-nolock)".into(),
            )
            .marker(MarkerKind::Alert)
            .badge("demoted: lost the key", true)
            .counter("self-demotions"),
            FailsafeKept => EventInfo::log(
                "failsafe",
                "continue to run as a leader because failsafe mode is enabled and all members are accessible".into(),
            )
            .badge("failsafe: stays primary", false)
            .counter("failsafe keeps"),
            Acquired => EventInfo::log(
                "acquired",
                "promoted self to leader by acquiring session lock".into(),
            )
            .badge("took the leader key", false),
            RePromoted => EventInfo::log(
                "re-promoted",
                "promoted self to leader because I had the session lock".into(),
            )
            .marker(MarkerKind::Split)
            .badge("re-promoted itself", true)
            .counter("re-promotions"),
            KeyOverwritten => EventInfo::log(
                "key-overwritten",
                "lease not found: granted a new one and wrote the leader key without a condition (Patroni 3.0.2, fixed in 3.0.3)".into(),
            )
            .marker(MarkerKind::Alert)
            .badge("overwrote the leader key", true),
            LockFailed => EventInfo::log("lock-failed", "Could not take out TTL lock".into()),
            NotHealthiest { why } => EventInfo::log(
                "not-healthiest",
                format!("following a different leader because i am not the healthiest node ({why})"),
            ),
            ShutDown => EventInfo::log("shut-down", "database system is shut down".into())
                .badge("PostgreSQL stopped", false),
            WalSenderTimeout { standby } => EventInfo::log(
                "walsender-timeout",
                format!("terminating walsender process to {standby} due to replication timeout (wal_sender_timeout)"),
            ),
            WalReceiverTimeout { upstream } => EventInfo::log(
                "walreceiver-timeout",
                format!("terminating walreceiver due to timeout: nothing from {upstream} (wal_receiver_timeout)"),
            ),
            NotInHistory { upstream, lsn, tl } => EventInfo::log(
                "not-in-history",
                format!("could not start WAL streaming from {upstream}: requested starting point {lsn} on timeline {tl} is not in this server's history"),
            )
            .badge("cannot stream: forked", true),
            WalMismatch { upstream } => EventInfo::log(
                "wal-mismatch",
                format!("WAL from {upstream} does not continue this server's: both histories carry the same timeline number, so Patroni does not rewind"),
            )
            .marker(MarkerKind::Alert)
            .badge("stranded: same timeline, other history", true)
            .counter("stranded standbys"),
            Rewind { source } => EventInfo::log(
                "rewind",
                format!("running pg_rewind from {source}"),
            )
            .badge("pg_rewind", false),
            CannotRewind => EventInfo::log(
                "cannot-rewind",
                "the timelines diverged and use_pg_rewind is off: it cannot follow the new primary".into(),
            )
            .marker(MarkerKind::Alert)
            .badge("cannot follow: histories forked", true)
            .counter("stranded standbys"),
            Reinit { source } => EventInfo::log(
                "reinit",
                format!("reinitializing due to diverged timelines: a fresh base backup from {source}"),
            )
            .badge("base backup", false),
            SyncStandby { ssn } => EventInfo::log(
                "sync-standby",
                format!("synchronous_standby_names = {ssn}"),
            ),
            CancelledWait { op } => EventInfo::log(
                "cancelled-wait",
                format!("canceling wait for synchronous replication due to user request (op {}): the transaction has already committed locally, but might not have been replicated", op.0),
            )
            .badge("cancelled wait: committed locally", true),
            SuccessWithWarning => EventInfo::log(
                "success-with-warning",
                "told \"success\" with a WARNING: committed locally, might not be replicated".into(),
            )
            .counter("successes that only the primary holds"),
        }
    }
}
