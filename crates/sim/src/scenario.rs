//! Scenario files: JSON with a version field (documented in docs/scenario-format.md).
//! Parsing and validation turn every bad input into one message that names the field.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::fault::ScheduledFault;
use crate::ids::Millis;
use crate::net::LinkSettings;

/// The scenario format this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;
/// Limits that keep a scenario runnable in a browser tab.
pub const MAX_BOXES: usize = 64;
/// At most this many processes in all.
pub const MAX_PROCS: usize = 256;
/// At most a day of virtual time.
pub const MAX_DURATION_MS: Millis = 86_400_000;
/// At most this many scheduled faults.
pub const MAX_FAULTS: usize = 10_000;

/// A bad scenario: where, and what is wrong, in plain words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// The field, as a path (`settings.quorum`, `faults[2].at_ms`), or empty for the whole file.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl ScenarioError {
    /// An error about `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        ScenarioError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

impl std::error::Error for ScenarioError {}

/// A process on a box.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProcSpec {
    /// Unique name (`M1`, `S2`, `C1`).
    pub name: String,
    /// What it is, in the system's words (`redis`, `sentinel`, `client`, `monitor`, `storage`).
    pub kind: String,
    /// Failover priority where the system has one (`replica-priority`; lower wins, 0 never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    /// This process's own settings, over the scenario's (`min_replicas_to_write` in one
    /// server's redis.conf, one client's `discovery`): the real systems keep most
    /// settings per process, so a failover can promote a replica configured otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<serde_json::Value>,
}

/// A box: a host or a zone; partitions move whole boxes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoxSpec {
    /// Unique name.
    pub name: String,
    /// Its processes.
    #[serde(default)]
    pub processes: Vec<ProcSpec>,
}

/// A whole scenario: topology, settings, network, fault schedule and seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Format version; this build reads [`FORMAT_VERSION`].
    pub version: u32,
    /// Short name.
    #[serde(default)]
    pub name: String,
    /// One line saying what it shows.
    #[serde(default)]
    pub description: String,
    /// The modelled system (`redis-sentinel`).
    pub system: String,
    /// Seed of the run's one random generator.
    #[serde(default)]
    pub seed: u64,
    /// How long the run lasts, in ms of virtual time.
    pub duration_ms: Millis,
    /// Latency, jitter and loss between boxes.
    #[serde(default)]
    pub network: LinkSettings,
    /// The boxes and their processes.
    pub boxes: Vec<BoxSpec>,
    /// The system's settings; missing ones take the real system's defaults.
    #[serde(default = "empty_object")]
    pub settings: serde_json::Value,
    /// Timed faults (read by hand, see [`ScheduledFault::from_value`]).
    #[serde(default, skip_deserializing)]
    pub faults: Vec<ScheduledFault>,
}

fn empty_object() -> serde_json::Value {
    serde_json::Value::Object(Default::default())
}

pub(crate) fn from_value_at<T: serde::de::DeserializeOwned>(
    v: serde_json::Value,
    prefix: &str,
) -> Result<T, ScenarioError> {
    let read = crate::json_at::read::<T>(&v, prefix).map_err(|(f, m)| ScenarioError::new(f, m));
    #[cfg(test)]
    same_as_path_to_error::<T>(v, prefix, read.as_ref().err());
    read
}

/// In the core's own tests every read is checked against serde_path_to_error, which
/// named the field before `json_at` did: the same field and the same words.
#[cfg(test)]
fn same_as_path_to_error<T: serde::de::DeserializeOwned>(
    v: serde_json::Value,
    prefix: &str,
    got: Option<&ScenarioError>,
) {
    let want = serde_path_to_error::deserialize::<_, T>(v.clone())
        .err()
        .map(|e| {
            let path = e.path().to_string();
            let field = match (prefix.is_empty(), path.as_str()) {
                (true, ".") => String::new(),
                (false, ".") => prefix.to_string(),
                (true, p) => p.to_string(),
                (false, p) => format!("{prefix}.{p}"),
            };
            ScenarioError::new(
                field,
                crate::json_at::without_position(e.into_inner().to_string()),
            )
        });
    assert_eq!(got, want.as_ref(), "reading {v}");
}

/// Deserializes the system's part of a scenario, naming `settings.<field>` on error.
pub fn parse_settings<T: serde::de::DeserializeOwned>(
    v: &serde_json::Value,
) -> Result<T, ScenarioError> {
    from_value_at(v.clone(), "settings")
}

/// A system's settings with every default filled in, as JSON.
pub fn effective<T: serde::de::DeserializeOwned + Serialize>(
    s: &Scenario,
) -> Result<serde_json::Value, ScenarioError> {
    let set: T = parse_settings(&s.settings)?;
    Ok(serde_json::to_value(set).expect("settings serialize"))
}

/// Drops the groups a removal left empty under one process's own settings, and the
/// settings themselves when nothing is left.
fn prune_own_settings(root: &mut serde_json::Value, full: &[&str]) {
    let Some(proc) = root
        .pointer_mut(&format!("/boxes/{}/processes/{}", full[1], full[3]))
        .and_then(|v| v.as_object_mut())
    else {
        return;
    };
    fn prune(v: &mut serde_json::Value) -> bool {
        if let serde_json::Value::Object(m) = v {
            m.retain(|_, x| !prune(x));
            m.is_empty()
        } else {
            false
        }
    }
    if proc.get_mut("settings").is_some_and(prune) {
        proc.remove("settings");
    }
}

/// Merges `over` into `base`: objects key by key, anything else replaced.
pub fn merge(base: &mut serde_json::Value, over: &serde_json::Value) {
    match (base, over) {
        (serde_json::Value::Object(b), serde_json::Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

impl Scenario {
    /// Parses and validates a scenario file.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        let v: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| ScenarioError::new("", format!("not valid JSON: {e}")))?;
        Scenario::from_value(v)
    }

    /// Validates a JSON value as a scenario.
    pub fn from_value(v: serde_json::Value) -> Result<Scenario, ScenarioError> {
        if !v.is_object() {
            return Err(ScenarioError::new("", "a scenario must be a JSON object"));
        }
        match v.get("version") {
            None => return Err(ScenarioError::new("version", "missing: add \"version\": 1")),
            Some(x) if x.as_u64() != Some(FORMAT_VERSION as u64) => {
                return Err(ScenarioError::new(
                    "version",
                    format!("this lab reads version {FORMAT_VERSION}, the file says {x}"),
                ))
            }
            _ => {}
        }
        let mut v = v;
        let faults = v.as_object_mut().and_then(|m| m.remove("faults"));
        let mut s: Scenario = from_value_at(v, "")?;
        if let Some(faults) = faults {
            let serde_json::Value::Array(list) = faults else {
                return Err(ScenarioError::new(
                    "faults",
                    "invalid type, expected a list of faults",
                ));
            };
            s.faults = list
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    ScheduledFault::from_value(f).map_err(|(field, msg)| {
                        let at = if field.is_empty() {
                            format!("faults[{i}]")
                        } else {
                            format!("faults[{i}].{field}")
                        };
                        ScenarioError::new(at, msg)
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        s.validate()?;
        Ok(s)
    }

    /// What the scenario's own faults do, in order, in one sentence: the "Try it"
    /// line of the page says it, so it is true for every preset and every edit.
    pub fn schedule_words(&self) -> String {
        if self.faults.is_empty() {
            return "This scenario has no faults of its own: make one.".into();
        }
        let mut faults: Vec<&ScheduledFault> = self.faults.iter().collect();
        crate::sort::by_key(&mut faults, |f| f.at_ms);
        let steps: Vec<String> = faults
            .iter()
            .map(|f| {
                format!(
                    "at {:.1} s, {}",
                    f.at_ms as f64 / 1000.0,
                    f.action.describe()
                )
            })
            .collect();
        format!("Or just press Play: {}.", steps.join("; "))
    }

    /// The scenario as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a scenario always serializes")
    }

    /// Checks what the types cannot: names, references, ranges and sizes.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.boxes.is_empty() {
            return Err(ScenarioError::new(
                "boxes",
                "a scenario needs at least one box",
            ));
        }
        if self.boxes.len() > MAX_BOXES {
            return Err(ScenarioError::new(
                "boxes",
                format!(
                    "{} boxes is more than the {MAX_BOXES} this lab draws",
                    self.boxes.len()
                ),
            ));
        }
        let procs: usize = self.boxes.iter().map(|b| b.processes.len()).sum();
        if procs > MAX_PROCS {
            return Err(ScenarioError::new(
                "boxes",
                format!("{procs} processes is more than the {MAX_PROCS} allowed"),
            ));
        }
        if self.duration_ms == 0 || self.duration_ms > MAX_DURATION_MS {
            return Err(ScenarioError::new(
                "duration_ms",
                format!("must be between 1 and {MAX_DURATION_MS} (a day)"),
            ));
        }
        let n = &self.network;
        if !(0.0..=1.0).contains(&n.loss) || n.loss.is_nan() {
            return Err(ScenarioError::new(
                "network.loss",
                "must be a probability between 0 and 1",
            ));
        }
        if n.latency_ms > 60_000 || n.jitter_ms > 60_000 {
            return Err(ScenarioError::new(
                "network.latency_ms",
                "latency and jitter must be at most 60000 ms",
            ));
        }
        let mut names = std::collections::BTreeSet::new();
        for (i, b) in self.boxes.iter().enumerate() {
            if b.name.trim().is_empty() {
                return Err(ScenarioError::new(
                    format!("boxes[{i}].name"),
                    "must not be empty",
                ));
            }
            if !names.insert(b.name.as_str()) {
                return Err(ScenarioError::new(
                    format!("boxes[{i}].name"),
                    format!("`{}` is used twice", b.name),
                ));
            }
        }
        for (i, b) in self.boxes.iter().enumerate() {
            for (j, p) in b.processes.iter().enumerate() {
                if p.name.trim().is_empty() {
                    return Err(ScenarioError::new(
                        format!("boxes[{i}].processes[{j}].name"),
                        "must not be empty",
                    ));
                }
                if !names.insert(p.name.as_str()) {
                    return Err(ScenarioError::new(
                        format!("boxes[{i}].processes[{j}].name"),
                        format!("`{}` is already the name of a box or process", p.name),
                    ));
                }
                if p.settings.as_ref().is_some_and(|v| !v.is_object()) {
                    return Err(ScenarioError::new(
                        format!("boxes[{i}].processes[{j}].settings"),
                        "must be a group of settings, as the scenario's `settings` is",
                    ));
                }
            }
        }
        if self.faults.len() > MAX_FAULTS {
            return Err(ScenarioError::new(
                "faults",
                format!("more than {MAX_FAULTS} faults"),
            ));
        }
        for (i, f) in self.faults.iter().enumerate() {
            if f.at_ms > self.duration_ms {
                return Err(ScenarioError::new(
                    format!("faults[{i}].at_ms"),
                    format!(
                        "{} is after the end of the run ({} ms)",
                        f.at_ms, self.duration_ms
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Applies `--set PATH=VALUE`: PATH is a dotted path into the scenario
    /// (`network.loss`, `seed`); a path that is not a top-level field is looked up in
    /// `settings` (`quorum` means `settings.quorum`). VALUE is JSON, or a plain string.
    pub fn with_override(&self, path: &str, value: &str) -> Result<Scenario, ScenarioError> {
        const TOP: [&str; 10] = [
            "version",
            "name",
            "description",
            "system",
            "seed",
            "duration_ms",
            "network",
            "boxes",
            "settings",
            "faults",
        ];
        let mut root = serde_json::to_value(self).expect("a scenario always serializes");
        let parts: Vec<&str> = path.split('.').collect();
        if parts.iter().any(|p| p.is_empty()) {
            return Err(ScenarioError::new(
                path,
                "not a setting path (use a dotted path, like network.loss)",
            ));
        }
        let full: Vec<&str> = if TOP.contains(&parts[0]) {
            parts
        } else {
            std::iter::once("settings").chain(parts).collect()
        };
        let new: serde_json::Value = serde_json::from_str(value)
            .unwrap_or_else(|_| serde_json::Value::String(value.to_string()));
        // `null` for one of a process's own settings removes it: the process goes
        // back to the scenario's value.
        let own =
            full.len() > 5 && full[0] == "boxes" && full[2] == "processes" && full[4] == "settings";
        let mut cur = &mut root;
        for (k, part) in full.iter().enumerate() {
            let last = k + 1 == full.len();
            cur = match cur {
                serde_json::Value::Object(m) => {
                    if last && own && new.is_null() {
                        m.remove(*part);
                        break;
                    }
                    if last {
                        m.insert(part.to_string(), new);
                        break;
                    }
                    m.entry(part.to_string()).or_insert_with(empty_object)
                }
                serde_json::Value::Array(a) => {
                    let Some(i) = part.parse::<usize>().ok().filter(|&i| i < a.len()) else {
                        return Err(ScenarioError::new(full[..=k].join("."), "no such item"));
                    };
                    if last {
                        a[i] = new;
                        break;
                    }
                    &mut a[i]
                }
                _ => {
                    return Err(ScenarioError::new(
                        full[..k].join("."),
                        "is not a group of settings",
                    ))
                }
            };
        }
        if own {
            prune_own_settings(&mut root, &full);
        }
        Scenario::from_value(root)
    }

    /// The process a setting names (`initial_master`, `settings.initial_master`):
    /// `name` among `among`, else the first of them when the setting is unset. A name
    /// that is not one of them is refused at `field`, saying it is not `what` ("a Redis
    /// server").
    pub fn named_among(
        &self,
        name: Option<&str>,
        among: &[crate::ids::ProcId],
        field: &str,
        what: &str,
    ) -> Result<crate::ids::ProcId, ScenarioError> {
        let Some(n) = name else { return Ok(among[0]) };
        self.processes()
            .position(|(_, p)| p.name == n)
            .map(|i| crate::ids::ProcId(i as u16))
            .filter(|p| among.contains(p))
            .ok_or_else(|| {
                ScenarioError::new(field, format!("`{n}` is not {what} of this scenario"))
            })
    }

    /// Box index and index within the box of the `k`-th process, for error paths.
    pub fn locate(&self, k: usize) -> (usize, usize) {
        let mut n = 0;
        for (bi, b) in self.boxes.iter().enumerate() {
            if k < n + b.processes.len() {
                return (bi, k - n);
            }
            n += b.processes.len();
        }
        (0, 0)
    }

    /// The settings process `k` runs with: the scenario's, with the process's own
    /// merged over them (objects key by key, anything else replaced).
    pub fn settings_for(&self, k: usize) -> serde_json::Value {
        let mut v = self.settings.clone();
        if let Some(own) = self
            .processes()
            .nth(k)
            .and_then(|(_, p)| p.settings.as_ref())
        {
            merge(&mut v, own);
        }
        v
    }

    /// Every process with its box index, in scenario order (the order of process ids).
    pub fn processes(&self) -> impl Iterator<Item = (usize, &ProcSpec)> {
        self.boxes
            .iter()
            .enumerate()
            .flat_map(|(b, bx)| bx.processes.iter().map(move |p| (b, p)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    /// Every leaf, object and key of `v`, as JSON pointers.
    fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
        out.push(at.clone());
        match v {
            Value::Object(m) => m
                .iter()
                .for_each(|(k, x)| pointers(x, format!("{at}/{k}"), out)),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, x)| pointers(x, format!("{at}/{i}"), out)),
            _ => {}
        }
    }

    /// Every preset, each value in turn made wrong (another type, out of range,
    /// removed, or given an unknown neighbour), read in full: `from_value_at` checks
    /// each read against serde_path_to_error (the same field, the same words).
    #[test]
    fn bad_values_anywhere_are_named_as_path_to_error_named_them() {
        let wrong = [
            json!("x"),
            json!(-1),
            json!(1.5),
            json!([]),
            json!({}),
            json!(null),
            json!(true),
            json!([1, "a"]),
            json!({"zz": 1}),
        ];
        let (mut runs, mut refused) = (0, 0);
        for preset in crate::presets::all() {
            let base: Value = serde_json::from_str(&preset.scenario().to_json()).unwrap();
            let mut at = Vec::new();
            pointers(&base, String::new(), &mut at);
            for p in at
                .iter()
                .filter(|p| !p.is_empty() && !p.starts_with("/faults"))
            {
                let mut edits: Vec<Value> = Vec::new();
                for w in &wrong {
                    let mut v = base.clone();
                    *v.pointer_mut(p).unwrap() = w.clone();
                    edits.push(v);
                }
                let (parent, key) = p.rsplit_once('/').unwrap();
                for typo in [false, true] {
                    let mut v = base.clone();
                    match v.pointer_mut(parent).unwrap() {
                        Value::Object(m) if typo => {
                            m.insert(format!("{key}_typo"), json!(1));
                        }
                        Value::Object(m) => {
                            m.remove(key);
                        }
                        Value::Array(a) if !typo => {
                            a.remove(key.parse::<usize>().unwrap());
                        }
                        _ => continue,
                    }
                    edits.push(v);
                }
                for v in edits {
                    runs += 1;
                    let read = Scenario::from_value(v)
                        .and_then(|s| crate::simulation::build(&s, Default::default()));
                    refused += usize::from(read.is_err());
                }
            }
        }
        println!("{runs} edited presets read, {refused} refused, each named as before");
        assert!(refused > runs / 2, "{refused} of {runs}");
    }
}
