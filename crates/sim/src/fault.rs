//! Faults and the fault schedule: timed actions that make a run reproducible.
//! Anything a user does interactively is recorded as one of these at the current time.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::ids::Millis;

/// One fault, naming boxes and processes by their scenario names.
///
/// Written with serde; read by hand ([`ScheduledFault::from_value`]): serde's derive for
/// an internally tagged, flattened enum is the largest function in the page's wasm.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
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
    /// Steps the process's host clock by `by_ms` (forward if positive), as an NTP
    /// step or `date -s` does; whatever the process reads from its clock jumps.
    ClockJump {
        /// Process name.
        process: String,
        /// How far, in ms.
        by_ms: i64,
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

/// A fault at a moment of the run.
#[derive(Clone, Debug, PartialEq, Serialize)]
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
            FaultAction::ClockJump { process, by_ms } if *by_ms >= 0 => {
                format!("{process}'s clock jumps {by_ms} ms forward")
            }
            FaultAction::ClockJump { process, by_ms } => {
                format!("{process}'s clock jumps {} ms back", by_ms.unsigned_abs())
            }
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

/// The largest clock step, either way: a year.
pub const MAX_CLOCK_JUMP_MS: i64 = 365 * 86_400_000;

/// The actions, as a scenario file names them.
const ACTIONS: [&str; 16] = [
    "isolate",
    "move_box",
    "cut_one_way",
    "cut_link",
    "heal",
    "crash",
    "restart",
    "pause",
    "repair_link",
    "repair_one_way",
    "bridge",
    "hold",
    "release",
    "slow_disk",
    "restore_disk",
    "clock_jump",
];

/// A field that could not be read, and why, in serde's words.
type FieldError = (String, String);

/// The fields of one fault object, read one by one; whatever is left unread is an
/// unknown field.
struct Fields<'a> {
    m: &'a Map<String, Value>,
    read: Vec<&'static str>,
}

fn kind(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) => format!("string {s:?}"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

impl<'a> Fields<'a> {
    fn get(&mut self, k: &'static str) -> Option<&'a Value> {
        self.read.push(k);
        self.m.get(k)
    }

    fn need(&mut self, k: &'static str) -> Result<&'a Value, FieldError> {
        self.get(k)
            .ok_or_else(|| (String::new(), format!("missing field `{k}`")))
    }

    fn name(&mut self, k: &'static str) -> Result<String, FieldError> {
        match self.need(k)? {
            Value::String(s) => Ok(s.clone()),
            v => Err((
                k.into(),
                format!("invalid type: {}, expected a name", kind(v)),
            )),
        }
    }

    fn names(&mut self, k: &'static str) -> Result<Vec<String>, FieldError> {
        match self.need(k)? {
            Value::Array(xs) => xs
                .iter()
                .enumerate()
                .map(|(i, x)| match x {
                    Value::String(s) => Ok(s.clone()),
                    v => Err((
                        format!("{k}[{i}]"),
                        format!("invalid type: {}, expected a name", kind(v)),
                    )),
                })
                .collect(),
            v => Err((
                k.into(),
                format!("invalid type: {}, expected a list of names", kind(v)),
            )),
        }
    }

    fn number(&mut self, k: &'static str, max: u64) -> Result<u64, FieldError> {
        let v = self.need(k)?;
        v.as_u64().filter(|n| *n <= max).ok_or_else(|| {
            let what = if v.is_number() {
                format!("invalid value: {}", kind(v))
            } else {
                format!("invalid type: {}", kind(v))
            };
            (
                k.into(),
                format!("{what}, expected a whole number from 0 to {max}"),
            )
        })
    }

    fn signed(&mut self, k: &'static str, max: i64) -> Result<i64, FieldError> {
        let v = self.need(k)?;
        v.as_i64()
            .filter(|n| n.unsigned_abs() <= max as u64)
            .ok_or_else(|| {
                let what = if v.is_number() {
                    format!("invalid value: {}", kind(v))
                } else {
                    format!("invalid type: {}", kind(v))
                };
                (
                    k.into(),
                    format!("{what}, expected a whole number from -{max} to {max}"),
                )
            })
    }

    fn flag(&mut self, k: &'static str) -> Result<Option<bool>, FieldError> {
        match self.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err((
                k.into(),
                format!("invalid type: {}, expected true or false", kind(v)),
            )),
        }
    }

    /// Refuses any field not read, as `deny_unknown_fields` would.
    fn done(self) -> Result<(), FieldError> {
        match self.m.keys().find(|k| !self.read.contains(&k.as_str())) {
            None => Ok(()),
            Some(k) => Err((
                k.clone(),
                format!(
                    "unknown field `{k}`, expected one of {}",
                    self.read
                        .iter()
                        .map(|r| format!("`{r}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }
}

impl ScheduledFault {
    /// Reads one fault of a scenario file. An error names the field (empty: the fault
    /// itself) and says what is wrong in serde's words.
    pub fn from_value(v: &Value) -> Result<ScheduledFault, FieldError> {
        let Value::Object(m) = v else {
            return Err((
                String::new(),
                format!("invalid type: {}, expected a fault object", kind(v)),
            ));
        };
        let mut f = Fields {
            m,
            read: Vec::new(),
        };
        let at_ms = f.number("at_ms", u64::MAX)?;
        let action = match f.need("action")? {
            Value::String(a) => a.as_str(),
            v => {
                return Err((
                    "action".into(),
                    format!("invalid type: {}, expected the name of an action", kind(v)),
                ))
            }
        };
        use FaultAction as A;
        let action = match action {
            "isolate" => A::Isolate {
                boxes: f.names("boxes")?,
            },
            "move_box" => A::MoveBox {
                box_name: f.name("box")?,
                island: f.number("island", u32::MAX as u64)? as u32,
            },
            "cut_one_way" => A::CutOneWay {
                from: f.name("from")?,
                to: f.name("to")?,
            },
            "cut_link" => A::CutLink {
                a: f.name("a")?,
                b: f.name("b")?,
                one_way: f.flag("one_way")?.unwrap_or(false),
            },
            "heal" => A::Heal,
            "crash" => A::Crash {
                process: f.name("process")?,
            },
            "restart" => A::Restart {
                process: f.name("process")?,
                persist: f.flag("persist")?,
            },
            "pause" => A::Pause {
                process: f.name("process")?,
                ms: f.number("ms", u64::MAX)?,
            },
            "repair_link" => A::RepairLink {
                a: f.name("a")?,
                b: f.name("b")?,
                one_way: f.flag("one_way")?.unwrap_or(false),
            },
            "repair_one_way" => A::RepairOneWay {
                from: f.name("from")?,
                to: f.name("to")?,
            },
            "bridge" => A::Bridge {
                a: f.names("a")?,
                b: f.names("b")?,
            },
            "hold" => A::Hold {
                a: f.name("a")?,
                b: f.name("b")?,
            },
            "release" => A::Release,
            "slow_disk" => A::SlowDisk {
                process: f.name("process")?,
                ms: f.number("ms", u64::MAX)?,
            },
            "restore_disk" => A::RestoreDisk {
                process: f.name("process")?,
            },
            "clock_jump" => A::ClockJump {
                process: f.name("process")?,
                by_ms: f.signed("by_ms", MAX_CLOCK_JUMP_MS)?,
            },
            other => {
                return Err((
                    "action".into(),
                    format!(
                        "unknown variant `{other}`, expected one of {}",
                        ACTIONS
                            .iter()
                            .map(|a| format!("`{a}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ))
            }
        };
        f.done()?;
        Ok(ScheduledFault { at_ms, action })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_preset_fault_reads_back_as_written() {
        let mut n = 0;
        for sys in crate::SYSTEMS {
            for p in sys.presets {
                for f in p.scenario().faults {
                    let v = serde_json::to_value(&f).unwrap();
                    assert_eq!(ScheduledFault::from_value(&v), Ok(f.clone()), "{v}");
                    n += 1;
                }
            }
        }
        assert!(n > 10, "{n} faults checked");
    }

    #[test]
    fn a_bad_fault_names_its_field() {
        let cases = [
            (
                json!({"at_ms": 5, "action": "explode"}),
                "action",
                "unknown variant `explode`",
            ),
            (
                json!({"at_ms": 5, "action": "crash"}),
                "",
                "missing field `process`",
            ),
            (
                json!({"at_ms": -5, "action": "heal"}),
                "at_ms",
                "invalid value: number -5",
            ),
            (
                json!({"at_ms": 5, "action": "crash", "process": 7}),
                "process",
                "invalid type: number 7",
            ),
            (
                json!({"at_ms": 5, "action": "heal", "boxes": []}),
                "boxes",
                "unknown field `boxes`",
            ),
            (
                json!({"at_ms": 5, "action": "isolate", "boxes": ["a", 1]}),
                "boxes[1]",
                "expected a name",
            ),
            (json!([1]), "", "expected a fault object"),
        ];
        for (v, field, words) in cases {
            let (f, m) = ScheduledFault::from_value(&v).unwrap_err();
            assert_eq!(f, field, "{v}: {m}");
            assert!(m.contains(words), "{v}: `{m}` lacks `{words}`");
        }
    }
}
