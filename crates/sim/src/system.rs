//! How a system describes itself, once, to everything that is not the system: the
//! command-line tool, the settings panel, the topology editor, the legend and the
//! glossary all read a [`SystemDesc`]. openraft's `RaftTypeConfig` bundles a system's
//! types in one place; this bundles what a person and a tool need to know about it.

use crate::ids::Millis;
use crate::presets::Preset;
use crate::process::{MsgKind, Words};
use crate::scenario::{Scenario, ScenarioError};
use crate::simulation::{RunOptions, Simulation};
use crate::view::Role;

/// A kind of process a scenario can place on a box.
#[derive(Debug)]
pub struct KindDesc {
    /// The `kind` in scenario files (`redis`, `etcd`).
    pub kind: &'static str,
    /// What a person calls it ("Redis server", "etcd member").
    pub label: &'static str,
    /// The letter new processes of this kind are named with (`R`, `S`, `N`).
    pub letter: &'static str,
    /// The role it is drawn with when it starts (shape and colour).
    pub role: Role,
    /// The topology editor's button text to add one ("+ replica"), if people add them.
    pub add: Option<&'static str>,
    /// How many a scenario may have: at least, at most.
    pub count: (usize, usize),
    /// Whether it writes to a disk whose latency matters (a slow disk slows it).
    pub disk: bool,
    /// Whether it reads its host's wall clock (a key's expiry), so that a clock
    /// step changes what it does.
    pub clock: bool,
}

/// What form a setting's value takes, so the panel can offer the right control.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettingKind {
    /// A whole number within a range.
    Number {
        /// Smallest valid value.
        min: u64,
        /// Largest valid value.
        max: u64,
    },
    /// On or off.
    Flag,
    /// One of a few words.
    Choice(&'static [&'static str]),
    /// Free text (a process name).
    Text,
}

/// How many voters a system needs and how many failures it survives, for a range of
/// cluster sizes: the cheat sheet's table, computed from the scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct SizingSheet {
    /// What is counted ("Sentinels", "members").
    pub counted: &'static str,
    /// What the needed number is for ("votes to fail over", "votes to elect or commit").
    pub needed_for: &'static str,
    /// How many the scenario has.
    pub current: usize,
    /// One row per cluster size, 1 to 7 and the current one.
    pub rows: Vec<SizingRow>,
}

/// One cluster size of a [`SizingSheet`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SizingRow {
    /// Cluster size.
    pub n: usize,
    /// How many must be reachable.
    pub needed: usize,
    /// How many may fail (or be cut off) with the rest still able to.
    pub tolerates: usize,
}

impl SizingSheet {
    /// A sheet whose needed number for `n` is `needed(n)`.
    pub fn new(
        counted: &'static str,
        needed_for: &'static str,
        current: usize,
        needed: impl Fn(usize) -> usize,
    ) -> SizingSheet {
        let mut sizes: Vec<usize> = (1..=7).collect();
        if !sizes.contains(&current) && current > 0 {
            sizes.push(current);
        }
        let rows = sizes
            .into_iter()
            .map(|n| {
                let k = needed(n);
                SizingRow {
                    n,
                    needed: k,
                    tolerates: n.saturating_sub(k),
                }
            })
            .collect();
        SizingSheet {
            counted,
            needed_for,
            current,
            rows,
        }
    }
}

/// One setting, with the real system's configuration name.
#[derive(Debug)]
pub struct SettingDesc {
    /// Its path in the scenario's `settings` (`quorum`, `client.timeout_ms`); paths
    /// starting with `network.` are the scenario's network.
    pub path: &'static str,
    /// A short label.
    pub label: &'static str,
    /// The real configuration name (`sentinel down-after-milliseconds`, `--election-timeout`).
    pub conf: &'static str,
    /// One line of help.
    pub help: &'static str,
    /// Its form and valid range.
    pub kind: SettingKind,
    /// The process kinds that may set it for themselves (`min_replicas_to_write` lives
    /// in each server's redis.conf); empty: it is the scenario's alone.
    pub per: &'static [&'static str],
}

/// Builds a run of a scenario.
pub type BuildFn = fn(&Scenario, RunOptions) -> Result<Box<dyn Simulation>, ScenarioError>;

/// A system the lab models, described once.
pub struct SystemDesc {
    /// The `system` in scenario files.
    pub name: &'static str,
    /// Its name for people.
    pub title: &'static str,
    /// One line on what it is.
    pub summary: &'static str,
    /// Its words for the shared vocabulary.
    pub words: Words,
    /// The process kinds.
    pub kinds: &'static [KindDesc],
    /// The settings people change.
    pub settings: &'static [SettingDesc],
    /// The built-in scenarios, the default first.
    pub presets: &'static [Preset],
    /// "What am I looking at?": term and plain explanation.
    pub glossary: &'static [(&'static str, &'static str)],
    /// The legend: a role's shape and what it means in this system.
    pub legend: &'static [(Role, &'static str)],
    /// The legend of messages: a family of traffic and its messages in this system.
    pub messages: &'static [(MsgKind, &'static str)],
    /// What to try first, in one line.
    pub try_first: &'static str,
    /// Builds a run of a scenario of this system.
    pub build: BuildFn,
    /// The settings with every default filled in, as a run will use them.
    pub effective_settings: fn(&Scenario) -> Result<serde_json::Value, ScenarioError>,
    /// Facts a person should know about a topology ("3 members: a majority is 2").
    pub facts: fn(&Scenario) -> Vec<String>,
    /// The cluster-sizing sheet for this scenario's topology and settings.
    pub sizing: fn(&Scenario) -> SizingSheet,
    /// The system's built-in lessons, as lesson files (see `lesson::Lesson`).
    pub lessons: &'static [&'static str],
    /// A busy cluster of `n` boxes with no faults, for benchmarks.
    pub bench: fn(usize, Millis) -> Scenario,
    /// The cluster sizes the benchmark measures.
    pub bench_sizes: [usize; 2],
    /// The real system's configuration files, read and written, if the lab can.
    pub conf: Option<crate::conf::ConfDesc>,
}

impl std::fmt::Debug for SystemDesc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SystemDesc")
            .field("name", &self.name)
            .finish()
    }
}

impl SystemDesc {
    /// The kind named `kind`.
    pub fn kind(&self, kind: &str) -> Option<&'static KindDesc> {
        self.kinds.iter().find(|k| k.kind == kind)
    }

    /// Refuses a process whose kind this system does not have, and too few or too many
    /// of a kind, naming the field.
    pub fn check_kinds(&self, s: &Scenario) -> Result<(), ScenarioError> {
        for kd in self.kinds {
            let of_kind: Vec<usize> = s
                .processes()
                .enumerate()
                .filter(|(_, (_, p))| p.kind == kd.kind)
                .map(|(k, _)| k)
                .collect();
            let (min, max) = kd.count;
            if of_kind.len() < min {
                return Err(ScenarioError::new(
                    "boxes",
                    format!(
                        "{} needs at least {min} process(es) of kind `{}` ({}); this one has {}",
                        self.title,
                        kd.kind,
                        kd.label,
                        of_kind.len()
                    ),
                ));
            }
            if let Some(&k) = of_kind.get(max) {
                let (bi, pj) = s.locate(k);
                return Err(ScenarioError::new(
                    format!("boxes[{bi}].processes[{pj}].kind"),
                    format!(
                        "{} takes at most {max} process(es) of kind `{}` ({})",
                        self.title, kd.kind, kd.label
                    ),
                ));
            }
        }
        for (k, (_, p)) in s.processes().enumerate() {
            if self.kind(&p.kind).is_none() {
                let (bi, pj) = s.locate(k);
                let kinds: Vec<&str> = self.kinds.iter().map(|k| k.kind).collect();
                return Err(ScenarioError::new(
                    format!("boxes[{bi}].processes[{pj}].kind"),
                    format!(
                        "unknown kind `{}` for {}; use one of: {}",
                        p.kind,
                        self.name,
                        kinds.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// The unit a setting's label names, for messages ("Down after (ms)" is in ms).
fn unit(label: &str) -> &str {
    match label.rsplit_once('(') {
        Some((_, u)) if u.ends_with(')') => match &u[..u.len() - 1] {
            "ops/s" => " operations per second",
            "ms" => " ms",
            "s" => " s",
            "bytes" => " bytes",
            _ => "",
        },
        _ => "",
    }
}

impl SystemDesc {
    /// Checks every whole-number setting against the range its catalogue entry gives,
    /// in the settings with defaults filled in: the range is written once, and the page
    /// and the CLI refuse the same values with the same words.
    pub fn check_ranges(&self, effective: &serde_json::Value) -> Result<(), ScenarioError> {
        self.check_ranges_at(effective, "settings")
    }

    fn check_ranges_at(
        &self,
        effective: &serde_json::Value,
        at: &str,
    ) -> Result<(), ScenarioError> {
        for d in self.settings {
            let SettingKind::Number { min, max } = d.kind else {
                continue;
            };
            let v = d
                .path
                .split('.')
                .try_fold(effective, |v, part| v.get(part))
                .and_then(|v| v.as_u64());
            let Some(v) = v else { continue };
            if v < min || v > max {
                let u = unit(d.label);
                let says = if max >= u32::MAX as u64 {
                    format!("must be at least {min}{u}")
                } else {
                    format!("must be between {min} and {max}{u}")
                };
                return Err(ScenarioError::new(format!("{at}.{}", d.path), says));
            }
        }
        Ok(())
    }
}

impl SystemDesc {
    /// The settings each process runs with (the scenario's, with its own merged over
    /// them), parsed and range-checked. A process's own setting must be one its kind
    /// may set ([`SettingDesc::per`]); errors name the process's field.
    pub fn per_process<T: serde::de::DeserializeOwned + serde::Serialize + Clone>(
        &self,
        s: &Scenario,
    ) -> Result<Vec<T>, ScenarioError> {
        // The scenario's settings are read once; only a process with its own is read again.
        let base: T = crate::scenario::parse_settings(&s.settings)?;
        let mut out = Vec::new();
        for (k, (_, p)) in s.processes().enumerate() {
            let Some(own) = p.settings.as_ref() else {
                out.push(base.clone());
                continue;
            };
            let (bi, pj) = s.locate(k);
            let at = format!("boxes[{bi}].processes[{pj}].settings");
            for path in leaf_paths(own) {
                let Some(d) = self.settings.iter().find(|d| d.path == path) else {
                    return Err(ScenarioError::new(
                        format!("{at}.{path}"),
                        format!("{} has no setting `{path}`", self.title),
                    ));
                };
                if !d.per.contains(&p.kind.as_str()) {
                    let who = match d.per.first().and_then(|k| self.kind(k)) {
                        Some(kd) => format!("a setting of each {}", kd.label),
                        None => "the same for the whole scenario".to_string(),
                    };
                    let label = self.kind(&p.kind).map_or("process", |kd| kd.label);
                    return Err(ScenarioError::new(
                        format!("{at}.{path}"),
                        format!(
                            "{} ({}) is {who}, so {} (a {label}) cannot set it",
                            d.label, d.conf, p.name
                        ),
                    ));
                }
            }
            let merged = s.settings_for(k);
            let set: T = crate::scenario::from_value_at(merged, &at)?;
            self.check_ranges_at(
                &serde_json::to_value(&set).expect("settings serialize"),
                &at,
            )?;
            out.push(set);
        }
        Ok(out)
    }
}

/// The dotted paths of the leaves of a JSON object (`client.timeout_ms`).
fn leaf_paths(v: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    if let serde_json::Value::Object(m) = v {
        for (k, x) in m {
            if x.is_object() {
                out.extend(leaf_paths(x).into_iter().map(|p| format!("{k}.{p}")));
            } else {
                out.push(k.clone());
            }
        }
    }
    out
}

/// The most client operations one run may make (a 10-minute run of 50 busy clients is
/// 300 000); beyond this a run would not finish in a browser tab.
pub const MAX_CLIENT_OPS: u64 = 5_000_000;

/// Refuses a run that could never finish in a browser tab: at most [`MAX_CLIENT_OPS`]
/// client operations.
pub fn check_budget(s: &Scenario, rate_per_s: u32) -> Result<(), ScenarioError> {
    let max = MAX_CLIENT_OPS;
    let clients = s.processes().filter(|(_, p)| p.kind == "client").count() as u64;
    let ops = clients * rate_per_s as u64 * s.duration_ms / 1000;
    if ops > max {
        return Err(ScenarioError::new(
            "duration_ms",
            format!(
                "{clients} clients at {rate_per_s} operations per second for {} s make {ops} operations; at most {max} fit in one run: shorten the run or lower settings.client.rate_per_s",
                s.duration_ms / 1000
            ),
        ));
    }
    Ok(())
}

/// The lock workload's promise: at most one client believes it holds a lock at a time.
pub fn one_lock_holder<P>(r: &crate::simulation::RunState<P>) -> Result<(), String> {
    let h = crate::history::History::from_signals(r.signals);
    let first = h.overlapping_holds().next().map(|(a, b, from, _)| {
        let (a, b) = (&h.locks[a], &h.locks[b]);
        (a.holder, b.holder, a.lock, from)
    });
    match first {
        Some((a, b, lock, from)) => Err(format!("{a} and {b} both held lock {lock} at {from} ms")),
        None => Ok(()),
    }
}

/// What fencing promises: the storage never takes an older lock holder's write after
/// a newer holder's.
pub fn no_stale_write_accepted<P>(r: &crate::simulation::RunState<P>) -> Result<(), String> {
    let h = crate::history::History::from_signals(r.signals);
    let first = h
        .stale_writes_accepted()
        .next()
        .map(|op| (op.process, op.invoke_ms));
    match first {
        Some((p, at)) => Err(format!(
            "{p}'s write made at {at} ms was accepted after a newer holder's"
        )),
        None => Ok(()),
    }
}

/// The lock workload's two invariants, for a system whose clients may take locks.
pub const fn lock_invariants<P>() -> [Invariant<P>; 2] {
    [
        Invariant {
            name: ONE_LOCK_HOLDER,
            check: one_lock_holder::<P>,
        },
        Invariant {
            name: NO_STALE_WRITE,
            check: no_stale_write_accepted::<P>,
        },
    ]
}

/// The names of those two.
pub const ONE_LOCK_HOLDER: &str = "at most one client believes it holds the lock";
/// See [`no_stale_write_accepted`].
pub const NO_STALE_WRITE: &str =
    "the storage never takes an older lock holder's write after a newer holder's";

/// A named property of a system that must always hold (stateright's
/// `property(Expectation::Always, ...)`), checked on a run's processes and signals.
pub struct Invariant<P> {
    /// Its name ("at most one leader per term").
    pub name: &'static str,
    /// Checks it; Err says how it was violated.
    pub check: fn(&crate::simulation::RunState<P>) -> Result<(), String>,
}

/// The shared safety property of every leader election: one epoch or term never puts
/// two different processes in charge (Raft: at most one leader per term; Sentinel: one
/// promotion per epoch, as `sentinelVoteLeader` votes once per epoch).
pub fn one_leader_per_epoch<P>(r: &crate::simulation::RunState<P>) -> Result<(), String> {
    let mut seen = std::collections::BTreeMap::new();
    for s in r.signals.iter() {
        if let crate::process::Signal::NewLeader { epoch, leader } = &s.signal {
            if let Some(prev) = seen.insert(*epoch, *leader) {
                if prev != *leader {
                    return Err(format!("{epoch} put both {prev} and {leader} in charge"));
                }
            }
        }
    }
    Ok(())
}

/// Whether an invariant held on a run.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct InvariantReport {
    /// The invariant.
    pub name: &'static str,
    /// None when it held; how it was violated otherwise.
    pub violation: Option<String>,
}

/// Every system the lab models: one line each.
pub static SYSTEMS: &[&SystemDesc] = &[
    &crate::redis::DESC,
    &crate::raft::DESC,
    &crate::patroni::DESC,
    &crate::redlock::DESC,
    &crate::lww::DESC,
];

/// The system named `name`.
pub fn find(name: &str) -> Result<&'static SystemDesc, ScenarioError> {
    SYSTEMS
        .iter()
        .copied()
        .find(|s| s.name == name)
        .ok_or_else(|| {
            let names: Vec<&str> = SYSTEMS.iter().map(|s| s.name).collect();
            ScenarioError::new(
                "system",
                format!(
                    "unknown system `{name}`; this lab models: {}",
                    names.join(", ")
                ),
            )
        })
}

/// The network's settings, the same for every system.
pub const NETWORK_SETTINGS: &[SettingDesc] = &[
    SettingDesc {
        path: "network.latency_ms",
        label: "Link latency (ms)",
        conf: "(network)",
        help: "One-way latency between boxes.",
        kind: SettingKind::Number {
            min: 0,
            max: 60_000,
        },
        per: &[],
    },
    SettingDesc {
        path: "network.jitter_ms",
        label: "Link jitter (ms)",
        conf: "(network)",
        help: "Extra random latency, up to this.",
        kind: SettingKind::Number {
            min: 0,
            max: 60_000,
        },
        per: &[],
    },
    SettingDesc {
        path: "network.loss",
        label: "Link loss (0–1)",
        conf: "(network)",
        help: "Probability that a message between boxes is lost.",
        kind: SettingKind::Text,
        per: &[],
    },
];
