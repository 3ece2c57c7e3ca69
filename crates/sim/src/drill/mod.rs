//! Failure drills: one configuration against many random fault schedules, and the
//! distribution of what they did (how often acknowledged writes were lost, how often
//! and how long two leaders took writes, how unavailable the clients found it).
//!
//! A drill is a pure function of the scenario, a [`DrillSpec`] and an index: schedule
//! `i` is generated from the drill's seed and `i` alone, so any slice of the indexes can
//! run anywhere (threads, a Web Worker, the shards of a Kubernetes Indexed Job) and
//! [`merge`] gives back exactly the report of one machine running them all. Nothing
//! here names a protocol: what a run lost and which invariants failed come from the
//! outcome and from the system's own invariants.

mod gen;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ids::Millis;
use crate::scenario::{Scenario, ScenarioError};
use crate::simulation::{build, RunOptions};

/// The kinds of fault a drill draws from (Jepsen's nemeses, by another name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Boxes cut off together, or scattered over two or three islands.
    Partition,
    /// Traffic from one box to another lost, the other way flowing.
    OneWay,
    /// Two sides that cannot talk, and one box that hears both.
    Bridge,
    /// A server process stops handling anything for a while.
    Pause,
    /// A server process crashes and restarts later.
    Crash,
    /// A server's disk syncs take 200 ms to 2 s for a while.
    SlowDisk,
    /// A server's clock is stepped 1 to 30 s, and stepped back later.
    ClockJump,
}

impl FaultKind {
    /// Every kind, in the order the CLI and the page list them.
    pub const ALL: [FaultKind; 7] = [
        FaultKind::Partition,
        FaultKind::OneWay,
        FaultKind::Bridge,
        FaultKind::Pause,
        FaultKind::Crash,
        FaultKind::SlowDisk,
        FaultKind::ClockJump,
    ];

    /// What a person calls it.
    pub fn label(self) -> &'static str {
        match self {
            FaultKind::Partition => "partitions",
            FaultKind::OneWay => "one-way cuts",
            FaultKind::Bridge => "bridges",
            FaultKind::Pause => "pauses",
            FaultKind::Crash => "crashes",
            FaultKind::SlowDisk => "slow disks",
            FaultKind::ClockJump => "clock jumps",
        }
    }

    /// Its name in drill files, the CLI and links (`one_way`).
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Partition => "partition",
            FaultKind::OneWay => "one_way",
            FaultKind::Bridge => "bridge",
            FaultKind::Pause => "pause",
            FaultKind::Crash => "crash",
            FaultKind::SlowDisk => "slow_disk",
            FaultKind::ClockJump => "clock_jump",
        }
    }

    /// The kind a name means (`-` and `_` alike).
    pub fn from_name(name: &str) -> Option<FaultKind> {
        let name = name.trim().replace('-', "_");
        FaultKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Network faults (0) never overlap one another, nor process faults (1): a heal
    /// repairs the whole network, and a crashed process cannot also be paused.
    fn track(self) -> usize {
        match self {
            FaultKind::Partition | FaultKind::OneWay | FaultKind::Bridge => 0,
            _ => 1,
        }
    }
}

/// What a drill runs: how many schedules, from which seed, and the rates and bounds of
/// its faults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrillSpec {
    /// How many schedules.
    pub schedules: u64,
    /// The seed every schedule (and its run's seed) is derived from.
    pub seed: u64,
    /// Faults started per simulated minute, on average.
    pub faults_per_minute: f64,
    /// The kinds to draw from; those the topology offers nothing for are skipped.
    pub kinds: Vec<FaultKind>,
    /// The shortest a fault lasts before it is repaired.
    pub min_fault_ms: Millis,
    /// The longest.
    pub max_fault_ms: Millis,
    /// No fault before this: the system settles first.
    pub quiet_start_ms: Millis,
    /// Everything is repaired this long before the end, so that the final read sees a
    /// converged system.
    pub quiet_end_ms: Millis,
    /// Each run's length (None: the scenario's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<Millis>,
}

/// At most this many schedules in one drill (a million runs is hours natively).
pub const MAX_SCHEDULES: u64 = 1_000_000;

impl DrillSpec {
    /// `schedules` schedules from `seed`, with the lab's default rates: two faults a
    /// minute of every kind, each lasting 2 to 20 s, none in the first 5 s, all
    /// repaired 20 s before the end.
    pub fn new(schedules: u64, seed: u64) -> DrillSpec {
        DrillSpec {
            schedules,
            seed,
            faults_per_minute: 2.0,
            kinds: FaultKind::ALL.to_vec(),
            min_fault_ms: 2_000,
            max_fault_ms: 20_000,
            quiet_start_ms: 5_000,
            quiet_end_ms: 20_000,
            duration_ms: None,
        }
    }

    /// Each run's length for scenario `s`.
    pub fn duration_for(&self, s: &Scenario) -> Millis {
        self.duration_ms.unwrap_or(s.duration_ms)
    }

    /// Checks the spec against the scenario it will run, with one message in plain
    /// words naming the field (the page and the CLI both call this).
    pub fn validate(&self, s: &Scenario) -> Result<(), ScenarioError> {
        let err = |f: &str, m: String| Err(ScenarioError::new(f, m));
        if self.schedules == 0 || self.schedules > MAX_SCHEDULES {
            return err(
                "schedules",
                format!("should be between 1 and {MAX_SCHEDULES}"),
            );
        }
        if !(self.faults_per_minute.is_finite() && (0.0..=600.0).contains(&self.faults_per_minute))
        {
            return err(
                "faults_per_minute",
                "should be between 0 and 600 faults a minute".into(),
            );
        }
        if self.min_fault_ms == 0 || self.min_fault_ms > self.max_fault_ms {
            return err(
                "min_fault_ms",
                format!(
                    "a fault lasts from {} to {} ms: the shortest must be at least 1 ms and no longer than the longest",
                    self.min_fault_ms, self.max_fault_ms
                ),
            );
        }
        let duration = self.duration_for(s);
        if duration == 0 || duration > crate::scenario::MAX_DURATION_MS {
            return err("duration_ms", "should be between 1 ms and a day".into());
        }
        let room = duration.saturating_sub(self.quiet_start_ms + self.quiet_end_ms);
        if room < self.min_fault_ms {
            return err(
                "duration_ms",
                format!(
                    "a run of {:.0} s leaves {:.0} s between the quiet start ({:.0} s) and the quiet end ({:.0} s), too little for a fault of {:.0} s",
                    duration as f64 / 1000.0,
                    room as f64 / 1000.0,
                    self.quiet_start_ms as f64 / 1000.0,
                    self.quiet_end_ms as f64 / 1000.0,
                    self.min_fault_ms as f64 / 1000.0
                ),
            );
        }
        let targets = gen::Targets::of(s)?;
        if self.kinds.is_empty() {
            return err("kinds", "choose at least one kind of fault".into());
        }
        if !self.kinds.iter().any(|k| targets.allows(*k)) {
            let names: Vec<&str> = self.kinds.iter().map(|k| k.name()).collect();
            return err(
                "kinds",
                format!(
                    "this topology offers nothing for {} to hit (a partition needs two boxes, a slow disk a process with a disk)",
                    names.join(", ")
                ),
            );
        }
        Ok(())
    }
}

/// The kinds of fault this scenario's topology offers something for.
pub fn kinds_for(s: &Scenario) -> Vec<FaultKind> {
    gen::Targets::of(s).map_or_else(
        |_| Vec::new(),
        |t| {
            FaultKind::ALL
                .into_iter()
                .filter(|k| t.allows(*k))
                .collect()
        },
    )
}

/// The seed of schedule `index` (SplitMix64 of the drill's seed and the index), so that
/// neighbouring indexes get unrelated schedules.
pub fn seed_of(drill_seed: u64, index: u64) -> u64 {
    let mut z = drill_seed.wrapping_add(index.wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The scenario of schedule `index`: the configuration with the drill's faults (its
/// own are replaced), the drill's length, and the schedule's seed.
pub fn scenario_for(s: &Scenario, spec: &DrillSpec, index: u64) -> Result<Scenario, ScenarioError> {
    let seed = seed_of(spec.seed, index);
    let duration = spec.duration_for(s);
    let targets = gen::Targets::of(s)?;
    let mut out = s.clone();
    out.seed = seed;
    out.duration_ms = duration;
    out.faults = gen::schedule(&targets, spec, duration, seed);
    out.description = format!(
        "Schedule {index} of a failure drill of {} (drill seed {}): {} random fault action(s).",
        s.name,
        spec.seed,
        out.faults.len()
    );
    Ok(out)
}

/// What one schedule did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrillRun {
    /// Which schedule.
    pub index: u64,
    /// Its seed (the schedule's and the run's).
    pub seed: u64,
    /// How many fault actions it scheduled.
    pub faults: u64,
    /// Acknowledged writes lost.
    pub lost: u64,
    /// Time during which two leaders took writes.
    pub split_brain_ms: Millis,
    /// Client operations that ended.
    pub ops_ended: u64,
    /// Of those, refused or unanswered (counts, not a share: integers cross JSON
    /// exactly, so merged shards give the single machine's figures to the last digit).
    pub ops_failed: u64,
    /// The longest stretch without an acknowledged write.
    pub longest_without_write_ms: Millis,
    /// Reads a linearizable register could not have returned.
    pub stale_reads: u64,
    /// Pairs of clients that held one lock at once.
    pub locks_held_twice: u64,
    /// Whether the history is linearizable (None: the search gave up).
    pub linearizable: Option<bool>,
    /// The system's invariants that failed.
    pub invariants_failed: Vec<String>,
    /// The moment to open it at: when the history stopped being linearizable, or the
    /// first lost write was acknowledged, or its first fault.
    pub worst_at_ms: Millis,
}

impl DrillRun {
    /// Share of client operations refused or unanswered.
    pub fn unavailability(&self) -> f64 {
        crate::outcome::share(self.ops_failed, self.ops_ended)
    }
}

/// Runs schedule `index` of a drill to the end.
pub fn run_one(s: &Scenario, spec: &DrillSpec, index: u64) -> Result<DrillRun, ScenarioError> {
    let scenario = scenario_for(s, spec, index)?;
    let mut sim = build(&scenario, RunOptions::default())?;
    sim.run_until(scenario.duration_ms);
    let o = sim.outcome();
    let invariants_failed = sim
        .check_invariants()
        .into_iter()
        .filter(|r| r.violation.is_some())
        .map(|r| r.name.to_string())
        .collect();
    // The first moment worth watching: two leaders, a lock held twice, data thrown
    // away; else the first operation that shows the history is not linearizable, or
    // the first lost write's acknowledgement; else the first fault.
    use crate::process::{EventInfo, MarkerKind, Signal};
    let dramatic = sim
        .signals()
        .iter()
        .find(|r| match &r.signal {
            Signal::Discarded { .. } | Signal::SplitBrain { started: true } => true,
            Signal::Event(EventInfo {
                marker: Some(m), ..
            }) => matches!(
                m,
                MarkerKind::Split | MarkerKind::LockTwice | MarkerKind::Loss
            ),
            _ => false,
        })
        .map(|r| r.time_ms);
    let first_loss = o.lost_writes.iter().map(|w| w.acked_ms).min();
    let first_fault = scenario.faults.iter().map(|f| f.at_ms).min();
    let worst_at_ms = dramatic
        .or(o.not_linearizable_from_ms)
        .or(first_loss)
        .or(first_fault)
        .unwrap_or(0);
    Ok(DrillRun {
        index,
        seed: scenario.seed,
        faults: scenario.faults.len() as u64,
        lost: o.acked_writes_lost,
        split_brain_ms: o.split_brain_ms,
        ops_ended: o.ops_ended,
        ops_failed: o.ops_failed,
        longest_without_write_ms: o.longest_without_write_ms,
        stale_reads: o.stale_reads,
        locks_held_twice: o.locks_held_twice,
        linearizable: o.linearizable,
        invariants_failed,
        worst_at_ms,
    })
}

/// A distribution in four numbers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The mean.
    pub mean: f64,
    /// The median (nearest rank).
    pub p50: f64,
    /// The 99th percentile (nearest rank).
    pub p99: f64,
    /// The largest.
    pub max: f64,
}

impl Summary {
    fn of(mut v: Vec<f64>) -> Summary {
        if v.is_empty() {
            return Summary::default();
        }
        crate::sort::by(&mut v, f64::total_cmp);
        let rank = |q: f64| v[((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
        Summary {
            mean: v.iter().sum::<f64>() / v.len() as f64,
            p50: rank(0.50),
            p99: rank(0.99),
            max: v[v.len() - 1],
        }
    }
}

/// One bar of a histogram: runs whose value is in `[from, to)` (the last bar includes
/// its `to`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bin {
    /// Lower bound.
    pub from: f64,
    /// Upper bound.
    pub to: f64,
    /// Runs in it.
    pub runs: u64,
}

/// Ten equal bars from 0 to the largest value (one bar when every value is 0).
fn histogram(values: &[f64]) -> Vec<Bin> {
    let max = values.iter().copied().fold(0.0, f64::max);
    if max <= 0.0 {
        return vec![Bin {
            from: 0.0,
            to: 0.0,
            runs: values.len() as u64,
        }];
    }
    const BARS: usize = 10;
    let width = max / BARS as f64;
    let mut bins: Vec<Bin> = (0..BARS)
        .map(|i| Bin {
            from: width * i as f64,
            to: width * (i + 1) as f64,
            runs: 0,
        })
        .collect();
    for v in values {
        let i = ((v / width) as usize).min(BARS - 1);
        bins[i].runs += 1;
    }
    bins
}

/// A schedule worth opening: one of the drill's worst.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Worst {
    /// Which schedule.
    pub index: u64,
    /// Its seed.
    pub seed: u64,
    /// Acknowledged writes lost.
    pub lost: u64,
    /// Two leaders taking writes, in ms.
    pub split_brain_ms: Millis,
    /// Share of operations refused or unanswered.
    pub unavailability: f64,
    /// The moment it opens at.
    pub at_ms: Millis,
    /// What follows the lab's `#` to open it there.
    pub link: String,
}

/// Which slice of a drill a report holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// This slice, from 0.
    pub index: u64,
    /// How many slices.
    pub count: u64,
}

impl Shard {
    /// The schedules of this slice: contiguous, and together every index once.
    pub fn range(self, schedules: u64) -> std::ops::Range<u64> {
        let at = |i: u64| ((i as u128 * schedules as u128) / self.count as u128) as u64;
        at(self.index)..at(self.index + 1)
    }

    /// Reads `I/N` (for example `3/8`), with one plain message when it is not one.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || {
            format!("`{text}` should look like I/N, a shard I from 0 to N-1 of N, for example 0/4")
        };
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let index: u64 = i.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(format!(
                "shard {index}/{count} does not exist: with {count} shards they are numbered 0 to {}",
                count.saturating_sub(1)
            ));
        }
        Ok(Shard { index, count })
    }
}

/// What a drill found: its numbers, the worst schedules, and every run (so that shards
/// merge exactly).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrillReport {
    /// The system.
    pub system: String,
    /// The configuration's name.
    pub name: String,
    /// How it was drilled.
    pub spec: DrillSpec,
    /// The slice this report holds, when it is one shard's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
    /// Schedules run (the drill's, or the shard's).
    pub schedules: u64,
    /// Runs in which an acknowledged write was lost.
    pub runs_with_loss: u64,
    /// Runs in which two leaders took writes at once.
    pub runs_with_split_brain: u64,
    /// Runs whose history is not linearizable.
    pub runs_not_linearizable: u64,
    /// Runs with a stale read.
    pub runs_with_stale_reads: u64,
    /// Runs in which a lock was held twice.
    pub runs_with_lock_held_twice: u64,
    /// Acknowledged writes lost per run.
    pub lost_writes: Summary,
    /// Split-brain time per run, in ms.
    pub split_brain_ms: Summary,
    /// Share of operations refused or unanswered, per run.
    pub unavailability: Summary,
    /// Longest stretch without an acknowledged write, per run, in ms.
    pub longest_without_write_ms: Summary,
    /// Ten bars each: `lost_writes`, `split_brain_ms`, `unavailability`.
    pub histograms: BTreeMap<String, Vec<Bin>>,
    /// How many runs broke each of the system's invariants.
    pub invariant_failures: BTreeMap<String, u64>,
    /// The worst runs (most writes lost, then longest split-brain, then least
    /// available), each with a link that opens it at its worst moment.
    pub worst_seeds: Vec<Worst>,
    /// The configuration drilled (without faults: each run's are generated), read back
    /// with the scenario file's own checks.
    #[serde(deserialize_with = "scenario_checked")]
    pub scenario: Scenario,
    /// Every run, by index.
    pub runs: Vec<DrillRun>,
}

fn scenario_checked<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Scenario, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Scenario::from_value(v).map_err(serde::de::Error::custom)
}

/// Reads a drill report (a shard's or a whole drill's) from its JSON.
pub fn report_from_json(text: &str) -> Result<DrillReport, String> {
    serde_json::from_str(text).map_err(|e| format!("not a drill report: {e}"))
}

/// How many worst runs a report lists.
pub const WORST: usize = 5;

/// The report of `runs` (any order) of a drill of `s`.
pub fn aggregate(
    s: &Scenario,
    spec: &DrillSpec,
    mut runs: Vec<DrillRun>,
    shard: Option<Shard>,
) -> DrillReport {
    crate::sort::by_key(&mut runs, |r| r.index);
    let count = |f: &dyn Fn(&DrillRun) -> bool| runs.iter().filter(|r| f(r)).count() as u64;
    let column = |f: &dyn Fn(&DrillRun) -> f64| runs.iter().map(f).collect::<Vec<f64>>();
    let lost = column(&|r| r.lost as f64);
    let split = column(&|r| r.split_brain_ms as f64);
    let unavailable = column(&|r| r.unavailability());
    let mut invariant_failures = BTreeMap::new();
    for r in &runs {
        for name in &r.invariants_failed {
            *invariant_failures.entry(name.clone()).or_insert(0) += 1;
        }
    }
    let mut ranked: Vec<&DrillRun> = runs
        .iter()
        .filter(|r| r.lost > 0 || r.split_brain_ms > 0 || r.linearizable == Some(false))
        .collect();
    crate::sort::by(&mut ranked, |a, b| {
        b.lost
            .cmp(&a.lost)
            .then(b.split_brain_ms.cmp(&a.split_brain_ms))
            .then(b.unavailability().total_cmp(&a.unavailability()))
            .then(a.index.cmp(&b.index))
    });
    let mut bare = s.clone();
    bare.faults.clear();
    let worst_seeds = ranked
        .into_iter()
        .take(WORST)
        .map(|r| {
            let link = match scenario_for(&bare, spec, r.index) {
                Ok(sc) => format!("{}&t={}", crate::link::encode(&sc), r.worst_at_ms),
                Err(_) => String::new(),
            };
            Worst {
                index: r.index,
                seed: r.seed,
                lost: r.lost,
                split_brain_ms: r.split_brain_ms,
                unavailability: r.unavailability(),
                at_ms: r.worst_at_ms,
                link,
            }
        })
        .collect();
    let histograms = [
        ("lost_writes", &lost),
        ("split_brain_ms", &split),
        ("unavailability", &unavailable),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), histogram(v)))
    .collect();
    DrillReport {
        system: s.system.clone(),
        name: s.name.clone(),
        spec: spec.clone(),
        shard,
        schedules: runs.len() as u64,
        runs_with_loss: count(&|r| r.lost > 0),
        runs_with_split_brain: count(&|r| r.split_brain_ms > 0),
        runs_not_linearizable: count(&|r| r.linearizable == Some(false)),
        runs_with_stale_reads: count(&|r| r.stale_reads > 0),
        runs_with_lock_held_twice: count(&|r| r.locks_held_twice > 0),
        lost_writes: Summary::of(lost.clone()),
        split_brain_ms: Summary::of(split.clone()),
        unavailability: Summary::of(unavailable.clone()),
        longest_without_write_ms: Summary::of(column(&|r| r.longest_without_write_ms as f64)),
        histograms,
        invariant_failures,
        worst_seeds,
        scenario: bare,
        runs,
    }
}

/// Combines the reports of a drill's shards into the report of the whole drill,
/// identical to one machine's; refuses shards of different drills, or a set that
/// misses or repeats a schedule.
pub fn merge(shards: Vec<DrillReport>) -> Result<DrillReport, String> {
    let Some(first) = shards.first() else {
        return Err("no shard reports to merge".into());
    };
    let (spec, scenario) = (first.spec.clone(), first.scenario.clone());
    let mut runs = Vec::new();
    for (i, r) in shards.into_iter().enumerate() {
        if r.spec != spec || r.scenario != scenario {
            return Err(format!(
                "report {} is of another drill (its scenario or its drill settings differ from the first's)",
                i + 1
            ));
        }
        runs.extend(r.runs);
    }
    crate::sort::by_key(&mut runs, |r| r.index);
    for (want, r) in runs.iter().enumerate() {
        if r.index != want as u64 {
            return Err(if r.index < want as u64 {
                format!("schedule {} appears in two reports", r.index)
            } else {
                format!("schedule {want} is in none of the reports: a shard is missing")
            });
        }
    }
    if runs.len() as u64 != spec.schedules {
        return Err(format!(
            "the reports hold {} of the drill's {} schedules: a shard is missing",
            runs.len(),
            spec.schedules
        ));
    }
    Ok(aggregate(&scenario, &spec, runs, None))
}

impl DrillReport {
    /// The drill in one sentence ("Acknowledged writes were lost in 212 of 1,000
    /// schedules; two leaders took writes in 300 (for 4.2 s on average, 30.1 s at
    /// worst); the clients saw 3.1% of operations fail on average, 40.0% at worst.").
    pub fn sentence(&self, words: &crate::process::Words) -> String {
        let mut parts = vec![format!(
            "{} in {} of {} schedules",
            capitalize(words.lost),
            thousands(self.runs_with_loss),
            thousands(self.schedules)
        )];
        if words.elects {
            parts.push(if self.runs_with_split_brain == 0 {
                format!("two {}s never took writes at once", words.leader)
            } else {
                format!(
                    "two {}s took writes at once in {} (for {:.1} s on average, {:.1} s at worst)",
                    words.leader,
                    thousands(self.runs_with_split_brain),
                    self.split_brain_ms.mean / 1000.0,
                    self.split_brain_ms.max / 1000.0
                )
            });
        }
        parts.push(format!(
            "the clients saw {:.1}% of operations fail on average, {:.1}% at worst",
            self.unavailability.mean * 100.0,
            self.unavailability.max * 100.0
        ));
        parts.join("; ") + "."
    }
}

/// "B loses acknowledged writes in 0 of 1,000 schedules where A loses them in 212":
/// two drills of the same schedules in one measured sentence.
pub fn compare_sentence(a_label: &str, a: &DrillReport, b_label: &str, b: &DrillReport) -> String {
    let per_run = |r: &DrillReport| {
        format!(
            "{:.1} a run on average, {:.0} at worst",
            r.lost_writes.mean, r.lost_writes.max
        )
    };
    format!(
        "{b_label} loses acknowledged writes in {} of {} schedules ({}) where {a_label} loses them in {} ({}).",
        thousands(b.runs_with_loss),
        thousands(b.schedules),
        per_run(b),
        thousands(a.runs_with_loss),
        per_run(a)
    )
}

/// What tells two configurations apart, as `path=value` for each (the same path
/// with its two values): the settings with their defaults filled in, the network, and each
/// process's own settings. Empty labels when they differ in nothing the settings say.
pub fn labels(a: &Scenario, b: &Scenario) -> (String, String) {
    fn flat(prefix: &str, v: &serde_json::Value, out: &mut BTreeMap<String, String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    let p = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    flat(&p, x, out);
                }
            }
            serde_json::Value::String(s) => {
                out.insert(prefix.to_string(), s.clone());
            }
            other => {
                out.insert(prefix.to_string(), other.to_string());
            }
        }
    }
    let all = |s: &Scenario| {
        let mut out = BTreeMap::new();
        if let Ok(v) = crate::simulation::effective_settings(s) {
            flat("", &v, &mut out);
        }
        if let Ok(v) = serde_json::to_value(&s.network) {
            flat("network", &v, &mut out);
        }
        for (_, p) in s.processes() {
            if let Some(v) = &p.settings {
                flat(&p.name, v, &mut out);
            }
        }
        out
    };
    let (x, y) = (all(a), all(b));
    let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
    let (mut la, mut lb) = (Vec::new(), Vec::new());
    for k in keys {
        let (va, vb) = (x.get(k), y.get(k));
        if va != vb {
            la.push(format!("{k}={}", va.map_or("(none)", |v| v.as_str())));
            lb.push(format!("{k}={}", vb.map_or("(none)", |v| v.as_str())));
        }
    }
    (la.join(", "), lb.join(", "))
}

/// The first letter in capitals ("Acknowledged writes lost").
pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// 1000 as "1,000".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
