//! Faults and the fault schedule: timed actions that make a run reproducible.
//! Anything a user does interactively is recorded as one of these at the current time.

use serde::{Deserialize, Serialize};

use crate::ids::Millis;

/// One fault, naming boxes and processes by their scenario names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultAction {
    /// The named boxes are cut off from all others (together, in one new island).
    Isolate {
        /// Box names.
        boxes: Vec<String>,
    },
    /// Moves one box into island `island` (what a drag on the canvas does).
    MoveBox {
        /// Box name.
        #[serde(rename = "box")]
        box_name: String,
        /// Island number; boxes with equal numbers can talk.
        island: u32,
    },
    /// Traffic from box `from` no longer reaches box `to` (the other way still flows).
    CutOneWay {
        /// Sending box.
        from: String,
        /// Box that stops hearing it.
        to: String,
    },
    /// Cuts the link between two processes, both ways unless `one_way`.
    CutLink {
        /// First process.
        a: String,
        /// Second process.
        b: String,
        /// Only traffic from `a` to `b` is cut.
        #[serde(default)]
        one_way: bool,
    },
    /// Rejoins every island and removes every cut.
    Heal,
    /// The process stops; messages to it are lost and its timers die.
    Crash {
        /// Process name.
        process: String,
    },
    /// The process starts again; `persist` overrides the scenario's persistence setting.
    Restart {
        /// Process name.
        process: String,
        /// Keep its data (RDB/AOF) or start empty.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        persist: Option<bool>,
    },
    /// The process handles nothing for `ms` (what `DEBUG SLEEP` or SIGSTOP then
    /// SIGCONT do); input queues up and is handled when it resumes.
    Pause {
        /// Process name.
        process: String,
        /// How long.
        ms: Millis,
    },
    /// Repairs a `cut_link`, both ways unless `one_way`.
    RepairLink {
        /// First process.
        a: String,
        /// Second process.
        b: String,
        /// Only traffic from `a` to `b` is repaired.
        #[serde(default)]
        one_way: bool,
    },
    /// Repairs a `cut_one_way`.
    RepairOneWay {
        /// Sending box.
        from: String,
        /// Box that hears it again.
        to: String,
    },
    /// A bridge partition (Jepsen's `bridge` nemesis): boxes in `a` and in `b` cannot
    /// talk to each other, and every other box still hears both sides.
    Bridge {
        /// One side.
        a: Vec<String>,
        /// The other side.
        b: Vec<String>,
    },
    /// Traffic between two boxes is held: delayed, not lost, until `release`.
    Hold {
        /// One box.
        a: String,
        /// The other.
        b: String,
    },
    /// Everything held arrives, in the order it was sent.
    Release,
    /// The process's disk syncs take `ms` (a slow or saturated disk).
    SlowDisk {
        /// Process name.
        process: String,
        /// How long each write-and-sync takes.
        ms: Millis,
    },
    /// The process's disk is back to its configured latency.
    RestoreDisk {
        /// Process name.
        process: String,
    },
}

/// A fault at a moment of the run. (Unknown fields are refused by the action itself:
/// serde cannot combine `deny_unknown_fields` with `flatten` on this struct.)
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScheduledFault {
    /// When, in ms of virtual time.
    pub at_ms: Millis,
    /// What.
    #[serde(flatten)]
    pub action: FaultAction,
}

impl FaultAction {
    /// A one-line description for the trace and the event log.
    pub fn describe(&self) -> String {
        match self {
            FaultAction::Isolate { boxes } => format!("isolate {}", boxes.join(", ")),
            FaultAction::MoveBox { box_name, island } => {
                format!("move {box_name} to island {island}")
            }
            FaultAction::CutOneWay { from, to } => format!("cut {from} -> {to} (one way)"),
            FaultAction::CutLink { a, b, one_way } => {
                if *one_way {
                    format!("cut link {a} -> {b}")
                } else {
                    format!("cut link {a} <-> {b}")
                }
            }
            FaultAction::Heal => "heal the network".to_string(),
            FaultAction::Crash { process } => format!("crash {process}"),
            FaultAction::Restart { process, persist } => match persist {
                Some(true) => format!("restart {process} with its data"),
                Some(false) => format!("restart {process} empty"),
                None => format!("restart {process}"),
            },
            FaultAction::Pause { process, ms } => format!("pause {process} for {ms} ms"),
            FaultAction::RepairLink { a, b, one_way } => {
                if *one_way {
                    format!("repair link {a} -> {b}")
                } else {
                    format!("repair link {a} <-> {b}")
                }
            }
            FaultAction::RepairOneWay { from, to } => format!("repair {from} -> {to}"),
            FaultAction::Bridge { a, b } => {
                format!("bridge: {} cut from {}", a.join(", "), b.join(", "))
            }
            FaultAction::Hold { a, b } => format!("hold traffic {a} <-> {b}"),
            FaultAction::Release => "release held traffic".to_string(),
            FaultAction::SlowDisk { process, ms } => {
                format!("slow disk on {process}: {ms} ms a sync")
            }
            FaultAction::RestoreDisk { process } => format!("restore {process}'s disk"),
        }
    }
}
