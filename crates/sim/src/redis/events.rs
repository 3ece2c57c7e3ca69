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
    /// `+tilt`: the Sentinel's timer ran far too late (it was paused, or the clock
    /// jumped), so for 30 s it acts on nothing it sees.
    Tilt {
        /// How late the timer ran, in ms.
        late_ms: u64,
    },
    /// `-tilt`: 30 s passed; the Sentinel acts again.
    TiltExit,
    /// `+reboot`: an instance's run id changed since the last INFO: it restarted.
    Reboot {
        /// The instance.
        target: ProcId,
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
            RedisEvent::Tilt { late_ms } => EventInfo::log(
                "tilt",
                format!("+tilt: its timer ran {late_ms} ms apart (more than 2 s): TILT mode for 30 s, acting on nothing"),
            )
            .marker(MarkerKind::Alert)
            .badge("TILT: acts on nothing for 30 s", true)
            .counter("TILT modes"),
            RedisEvent::TiltExit => {
                EventInfo::log("tilt-exit", "-tilt: 30 s passed, acting again".to_string())
                    .badge("TILT over", false)
            }
            RedisEvent::Reboot { target } => EventInfo::log(
                "reboot",
                format!("+reboot: {target} has a new run id: it restarted"),
            )
            .badge(format!("{target} rebooted"), false)
            .about(*target)
            .counter("reboots seen"),
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
