//! `splitbrain sweep`: failure drills on every core, sharded across machines, merged.
//! What a drill is lives in the core (`sim::drill`); this file only spreads its
//! schedules over threads and prints.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use clap::{Args, Subcommand};
use sim::drill::{self, DrillReport, DrillRun, DrillSpec, FaultKind, Shard};
use sim::Scenario;

use crate::{parse_set, say, Source};

/// Arguments of `splitbrain sweep`.
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct SweepArgs {
    #[command(subcommand)]
    merge: Option<SweepCommand>,
    #[command(flatten)]
    src: Source,
    /// How many random fault schedules to run.
    #[arg(long, required = true)]
    schedules: Option<u64>,
    /// Threads to run them on (default: every core).
    #[arg(long)]
    jobs: Option<usize>,
    /// Run only shard I of N (from 0): a deterministic slice of the schedules, for
    /// `sweep merge` to combine.
    #[arg(long, value_name = "I/N", value_parser = Shard::parse)]
    shard: Option<Shard>,
    /// Faults started per simulated minute, on average.
    #[arg(long, value_name = "PER_MINUTE", default_value_t = 2.0)]
    rate: f64,
    /// The kinds of fault to draw from, comma-separated (default: all of partition,
    /// one_way, bridge, pause, crash, slow_disk, clock_jump).
    #[arg(long, value_delimiter = ',', value_name = "KINDS")]
    faults: Vec<String>,
    /// How long each fault lasts, in ms: MIN..MAX.
    #[arg(long, value_name = "MIN..MAX", default_value = "2000..20000")]
    fault_ms: String,
    /// Each run's length in ms (default: the scenario's).
    #[arg(long, value_name = "MS")]
    duration_ms: Option<u64>,
    /// Drill a second configuration on the very same schedules: the first with this
    /// setting changed (PATH=VALUE, repeatable), and print the difference.
    #[arg(long = "against", value_name = "PATH=VALUE", value_parser = parse_set)]
    against: Vec<(String, String)>,
    /// Print the report as JSON (every run included, so shards can be merged).
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum SweepCommand {
    /// Combine the JSON reports of a drill's shards into the report one machine
    /// would have printed, byte for byte.
    Merge {
        /// The shards' reports (`sweep --shard I/N --json` each).
        #[arg(required = true)]
        files: Vec<String>,
    },
}

/// Runs `splitbrain sweep`.
pub fn sweep(args: SweepArgs) -> Result<(), String> {
    if let Some(SweepCommand::Merge { files }) = args.merge {
        let mut reports = Vec::new();
        for path in &files {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
            reports.push(drill::report_from_json(&text).map_err(|e| format!("{path}: {e}"))?);
        }
        let merged = drill::merge(reports)?;
        say(&(to_json(&merged)? + "\n"));
        return Ok(());
    }
    let schedules = args.schedules.unwrap_or_default();
    let seed = args.src.seed;
    let scenario = args.src.load()?;
    let (min_fault_ms, max_fault_ms) = parse_range(&args.fault_ms)?;
    let kinds = if args.faults.is_empty() {
        FaultKind::ALL.to_vec()
    } else {
        args.faults
            .iter()
            .map(|k| {
                FaultKind::from_name(k).ok_or_else(|| {
                    let all: Vec<&str> = FaultKind::ALL.iter().map(|k| k.name()).collect();
                    format!(
                        "--faults: no kind of fault named `{k}`; kinds: {}",
                        all.join(", ")
                    )
                })
            })
            .collect::<Result<_, _>>()?
    };
    let spec = DrillSpec {
        faults_per_minute: args.rate,
        kinds,
        min_fault_ms,
        max_fault_ms,
        duration_ms: args.duration_ms,
        ..DrillSpec::new(schedules, seed.unwrap_or(scenario.seed))
    };
    spec.validate(&scenario)
        .map_err(|e| format!("sweep: {e}"))?;
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if jobs == 0 {
        return Err("--jobs: at least 1".into());
    }
    let range = args
        .shard
        .map_or(0..spec.schedules, |s| s.range(spec.schedules));
    if !args.against.is_empty() {
        if args.shard.is_some() {
            return Err("--against runs both configurations on one machine: drop --shard, or shard each configuration's drill on its own".into());
        }
        let mut other = scenario.clone();
        for (k, v) in &args.against {
            other = other
                .with_override(k, v)
                .map_err(|e| format!("--against {k}={v}: {e}"))?;
        }
        let (la, lb) = drill::labels(&scenario, &other);
        if la.is_empty() {
            return Err("--against changes nothing: both configurations would be the same".into());
        }
        let t = Instant::now();
        let a = drill_all(&scenario, &spec, range.clone(), jobs, None, args.json)?;
        let b = drill_all(&other, &spec, range, jobs, None, args.json)?;
        let sentence = drill::compare_sentence(&la, &a, &lb, &b);
        if args.json {
            let v = serde_json::json!({ "sentence": sentence, "base": { "label": la, "report": a }, "against": { "label": lb, "report": b } });
            say(&(to_json(&v)? + "\n"));
        } else {
            let secs = t.elapsed().as_secs_f64();
            say(&format!(
                "{sentence}\n\n{la}:\n{}\n{lb}:\n{}",
                human(&a),
                human(&b)
            ));
            say(&format!(
                "drilled {} runs in {secs:.1} s on {jobs} thread(s): {:.0} schedules/s\n",
                a.schedules + b.schedules,
                (a.schedules + b.schedules) as f64 / secs
            ));
        }
        return Ok(());
    }
    let t = Instant::now();
    let report = drill_all(&scenario, &spec, range, jobs, args.shard, args.json)?;
    if args.json {
        say(&(to_json(&report)? + "\n"));
    } else {
        let secs = t.elapsed().as_secs_f64();
        say(&human(&report));
        say(&format!(
            "drilled {} schedules in {secs:.1} s on {jobs} thread(s): {:.0} schedules/s\n",
            report.schedules,
            report.schedules as f64 / secs
        ));
    }
    Ok(())
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, String> {
    serde_json::to_string(v).map_err(|e| e.to_string())
}

fn parse_range(text: &str) -> Result<(u64, u64), String> {
    let bad =
        || format!("--fault-ms: `{text}` should look like MIN..MAX in ms, for example 2000..20000");
    let (a, b) = text.split_once("..").ok_or_else(bad)?;
    let a: u64 = a.trim().parse().map_err(|_| bad())?;
    let b: u64 = b.trim().parse().map_err(|_| bad())?;
    Ok((a, b))
}

/// Runs the schedules of `range` on `jobs` threads; each takes the next index as it
/// finishes one, so a slow schedule does not hold up a whole slice.
pub fn drill_all(
    s: &Scenario,
    spec: &DrillSpec,
    range: std::ops::Range<u64>,
    jobs: usize,
    shard: Option<Shard>,
    quiet: bool,
) -> Result<DrillReport, String> {
    let next = AtomicU64::new(range.start);
    let done = AtomicU64::new(0);
    let runs: Mutex<Vec<DrillRun>> = Mutex::new(Vec::new());
    let failure: Mutex<Option<String>> = Mutex::new(None);
    let total = range.end - range.start;
    let started = Instant::now();
    let progress = !quiet && std::io::stderr().is_terminal();
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(total.max(1) as usize) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= range.end || failure.lock().map_or(true, |f| f.is_some()) {
                    break;
                }
                match drill::run_one(s, spec, i) {
                    Ok(r) => runs.lock().expect("no thread panics holding it").push(r),
                    Err(e) => {
                        *failure.lock().expect("no thread panics holding it") =
                            Some(format!("schedule {i}: {e}"));
                    }
                }
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                if progress && (n.is_multiple_of(10) || n == total) {
                    let secs = started.elapsed().as_secs_f64();
                    let left = secs / n as f64 * (total - n) as f64;
                    eprint!("\rswept {n}/{total}, about {left:.0} s left   ");
                    if n == total {
                        eprintln!();
                    }
                }
            });
        }
    });
    if let Some(e) = failure.into_inner().map_err(|e| e.to_string())? {
        return Err(e);
    }
    let runs = runs.into_inner().map_err(|e| e.to_string())?;
    Ok(drill::aggregate(s, spec, runs, shard))
}

/// The report for people: the sentence, the numbers, the bars and the worst runs.
fn human(r: &DrillReport) -> String {
    let desc = sim::system::find(&r.system).ok();
    let words = desc.map(|d| d.words);
    let sp = &r.spec;
    let kinds: Vec<&str> = sp.kinds.iter().map(|k| k.name()).collect();
    let mut out = format!(
        "drill of {} ({}): {} schedules from seed {}{}, {:.0} s each, {} faults a minute ({}), each {:.1} to {:.1} s\n",
        r.name,
        desc.map_or(r.system.as_str(), |d| d.title),
        drill::thousands(r.schedules),
        sp.seed,
        r.shard.map_or(String::new(), |s| format!(" (shard {}/{})", s.index, s.count)),
        sp.duration_ms.unwrap_or(r.scenario.duration_ms) as f64 / 1000.0,
        sp.faults_per_minute,
        kinds.join(", "),
        sp.min_fault_ms as f64 / 1000.0,
        sp.max_fault_ms as f64 / 1000.0,
    );
    if let Some(w) = &words {
        out += &format!("  {}\n", r.sentence(w));
    }
    let pct = |n: u64| {
        if r.schedules == 0 {
            0.0
        } else {
            n as f64 * 100.0 / r.schedules as f64
        }
    };
    let lost = words.map_or("acknowledged writes lost", |w| w.lost);
    out += &format!(
        "  runs with {lost}: {} ({:.1}%)\n",
        r.runs_with_loss,
        pct(r.runs_with_loss)
    );
    let s = &r.lost_writes;
    out += &format!(
        "  {lost} per run: mean {:.1}, p50 {:.0}, p99 {:.0}, max {:.0}\n",
        s.mean, s.p50, s.p99, s.max
    );
    if words.is_none_or(|w| w.elects) {
        let s = &r.split_brain_ms;
        out += &format!(
            "  runs with split-brain: {} ({:.1}%); per run: mean {:.1} s, p50 {:.1} s, p99 {:.1} s, max {:.1} s\n",
            r.runs_with_split_brain,
            pct(r.runs_with_split_brain),
            s.mean / 1000.0,
            s.p50 / 1000.0,
            s.p99 / 1000.0,
            s.max / 1000.0
        );
    }
    let s = &r.unavailability;
    out += &format!(
        "  operations refused or unanswered: mean {:.1}%, p50 {:.1}%, p99 {:.1}%, max {:.1}%\n",
        s.mean * 100.0,
        s.p50 * 100.0,
        s.p99 * 100.0,
        s.max * 100.0
    );
    let s = &r.longest_without_write_ms;
    out += &format!(
        "  longest stretch without an acknowledged write: mean {:.1} s, p99 {:.1} s, max {:.1} s\n",
        s.mean / 1000.0,
        s.p99 / 1000.0,
        s.max / 1000.0
    );
    out += &format!(
        "  runs not linearizable: {}; with stale reads: {}; with a lock held twice: {}\n",
        r.runs_not_linearizable, r.runs_with_stale_reads, r.runs_with_lock_held_twice
    );
    if r.invariant_failures.is_empty() {
        out += "  every invariant held in every run\n";
    }
    for (name, n) in &r.invariant_failures {
        out += &format!("  invariant broken in {n} run(s): {name}\n");
    }
    if let Some(bins) = r.histograms.get("lost_writes").filter(|b| b.len() > 1) {
        out += &format!("  {lost} per run:\n");
        let most = bins.iter().map(|b| b.runs).max().unwrap_or(1).max(1);
        for b in bins {
            let bar = "#".repeat(((b.runs * 40).div_ceil(most)) as usize);
            out += &format!("    {:>6.0} to {:<6.0} {bar} {}\n", b.from, b.to, b.runs);
        }
    }
    if !r.worst_seeds.is_empty() {
        out += "  worst schedules (open one with: splitbrain run --link '#LINK', or the lab's address + #LINK):\n";
    }
    for w in &r.worst_seeds {
        out += &format!(
            "    schedule {} (seed {}): {} lost, split-brain {:.1} s, {:.1}% failed; worst at {:.1} s\n      #{}\n",
            w.index,
            w.seed,
            w.lost,
            w.split_brain_ms as f64 / 1000.0,
            w.unavailability * 100.0,
            w.at_ms as f64 / 1000.0,
            w.link
        );
    }
    out
}
