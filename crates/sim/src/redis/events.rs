//! The Redis model's own events, each presenting itself once: its log line (in
//! Sentinel's own `+sdown`/`+odown` words), its timeline marker, its badge and the
//! outcome counter it adds to.

use crate::ids::ProcId;
use crate::process::{EventInfo, MarkerKind, SystemEvent};

/// Something a Sentinel or the monitor reports.
#[derive(Clone, Debug, PartialEq)]
pub enum RedisEvent {
    /// `+sdown`: this Sentinel got no valid reply for `down-after-milliseconds`.
    Sdown {
        /// The instance judged down.
        target: ProcId,
        /// The setting in force.
        down_after_ms: u64,
    },
    /// `+odown`: quorum Sentinels agree the master is down.
    Odown {
        /// The master.
        target: ProcId,
        /// Sentinels that agree, this one included.
        votes: u32,
        /// The quorum.
        quorum: u32,
    },
    /// `-failover-abort-*`: a failover attempt was given up.
    FailoverAborted {
        /// Its epoch.
        epoch: u64,
        /// Sentinel's own words.
        reason: &'static str,
    },
    /// The split-brain monitor saw Sentinels name different masters.
    MonitorAlert {
        /// The masters named.
        named: Vec<ProcId>,
    },
}

impl SystemEvent for RedisEvent {
    fn present(&self) -> EventInfo {
        match self {
            RedisEvent::Sdown {
                target,
                down_after_ms,
            } => EventInfo::log(
                "sdown",
                format!("+sdown: {target} has not answered PING for {down_after_ms} ms"),
            ),
            RedisEvent::Odown {
                target,
                votes,
                quorum,
            } => EventInfo::log(
                "odown",
                format!("+odown: {votes} Sentinel(s) see {target} down, quorum {quorum} reached"),
            )
            .marker(MarkerKind::Down)
            .badge(format!("{target} objectively down ({votes} agree)"), false),
            RedisEvent::FailoverAborted { epoch, reason } => {
                EventInfo::log("failover-abort", format!("{reason} (epoch {epoch})"))
                    .badge(reason.split(':').next().unwrap_or(reason), false)
                    .counter("failovers aborted")
            }
            RedisEvent::MonitorAlert { named } => {
                let list: Vec<String> = named.iter().map(|p| p.to_string()).collect();
                EventInfo::log(
                    "monitor-alert",
                    format!(
                        "ALERT: Sentinels disagree on the master: {}",
                        list.join(" vs ")
                    ),
                )
                .marker(MarkerKind::Alert)
                .badge("Sentinels disagree", true)
                .counter("monitor alerts")
            }
        }
    }
}
