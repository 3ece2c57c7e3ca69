//! `splitbrain`: run Split-Brain Lab scenarios from the command line.

use std::process::ExitCode;

use sim::presets::PRESETS;
use sim::simulation::RunOptions;
use sim::Scenario;

const USAGE: &str = "\
usage:
  splitbrain presets
  splitbrain run (FILE | --preset NAME) [--seed N] [--set PATH=VALUE]... [--json]
  splitbrain trace (FILE | --preset NAME) [--seed N] [--set PATH=VALUE]...
  splitbrain scenario --preset NAME
  splitbrain bench [--minutes N]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("splitbrain: {msg}");
            ExitCode::from(2)
        }
    }
}

struct Opts {
    scenario: Scenario,
    json: bool,
}

fn load(args: &[String]) -> Result<Opts, String> {
    let mut file = None;
    let mut preset = None;
    let mut seed = None;
    let mut sets = Vec::new();
    let mut json = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match a.as_str() {
            "--preset" => preset = Some(value("--preset")?),
            "--seed" => {
                let v = value("--seed")?;
                seed = Some(v.parse::<u64>().map_err(|_| {
                    format!("--seed: `{v}` is not a whole number from 0 to 18446744073709551615")
                })?);
            }
            "--set" => {
                let v = value("--set")?;
                let (k, val) = v.split_once('=').ok_or_else(|| {
                    format!("--set: `{v}` should look like PATH=VALUE, for example quorum=2")
                })?;
                sets.push((k.trim().to_string(), val.trim().to_string()));
            }
            "--json" => json = true,
            s if s.starts_with("--") => return Err(format!("unknown option {s}\n{USAGE}")),
            s => {
                if file.replace(s.to_string()).is_some() {
                    return Err(format!("give one scenario file\n{USAGE}"));
                }
            }
        }
    }
    let mut scenario = match (file, preset) {
        (Some(_), Some(_)) => return Err("give a scenario FILE or --preset NAME, not both".into()),
        (None, None) => return Err(format!("give a scenario FILE or --preset NAME\n{USAGE}")),
        (None, Some(name)) => sim::presets::find(&name)
            .ok_or_else(|| {
                let names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
                format!("no preset named `{name}`; presets: {}", names.join(", "))
            })?
            .scenario(),
        (Some(path), None) => {
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
            Scenario::from_json(&text).map_err(|e| format!("{path}: {e}"))?
        }
    };
    if let Some(seed) = seed {
        scenario.seed = seed;
    }
    for (k, v) in sets {
        scenario = scenario
            .with_override(&k, &v)
            .map_err(|e| format!("--set {k}={v}: {e}"))?;
    }
    Ok(Opts { scenario, json })
}

fn run(args: &[String]) -> Result<(), String> {
    let Some(cmd) = args.first() else {
        return Err(USAGE.into());
    };
    let rest = &args[1..];
    match cmd.as_str() {
        "presets" => {
            let width = PRESETS.iter().map(|p| p.name.len()).max().unwrap_or(0);
            for p in PRESETS {
                println!("{:width$}  {}", p.name, p.summary);
            }
            Ok(())
        }
        "scenario" => {
            let o = load(rest)?;
            println!("{}", o.scenario.to_json());
            Ok(())
        }
        "run" => {
            let o = load(rest)?;
            let mut sim =
                sim::build(&o.scenario, RunOptions::default()).map_err(|e| e.to_string())?;
            sim.run_until(o.scenario.duration_ms);
            let out = sim.outcome();
            if o.json {
                println!(
                    "{}",
                    serde_json::to_string(&out).map_err(|e| e.to_string())?
                );
            } else {
                print!("{}", report(&o.scenario, &out));
            }
            Ok(())
        }
        "trace" => {
            let o = load(rest)?;
            let mut sim = sim::build(
                &o.scenario,
                RunOptions {
                    narrate: true,
                    keep_trace: true,
                },
            )
            .map_err(|e| e.to_string())?;
            sim.run_until(o.scenario.duration_ms);
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            use std::io::Write;
            for r in sim.trace() {
                let line = serde_json::to_string(r).map_err(|e| e.to_string())?;
                if writeln!(out, "{line}").is_err() {
                    break; // the reader went away (`| head`)
                }
            }
            Ok(())
        }
        "bench" => bench(rest),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n{USAGE}")),
    }
}

fn report(s: &Scenario, o: &sim::Outcome) -> String {
    let mut r = format!("{} ({} ms, seed {})\n", s.name, s.duration_ms, s.seed);
    for w in &o.warnings {
        r += &format!("  warning: {w}\n");
    }
    r += &format!(
        "  writes: {} attempted, {} acknowledged, {} rejected, {} unknown\n",
        o.writes_attempted, o.writes_acked, o.writes_rejected, o.writes_unknown
    );
    for (reason, n) in &o.rejected_by_reason {
        r += &format!("    rejected {reason}: {n}\n");
    }
    r += &format!("  acknowledged writes lost: {}\n", o.acked_writes_lost);
    r += &format!("  stale reads: {}\n", o.stale_reads);
    r += &format!("  split-brain: {} ms\n", o.split_brain_ms);
    if o.failovers.is_empty() {
        r += "  failovers: none\n";
    }
    for f in &o.failovers {
        r += &format!(
            "  failover at {} ms, epoch {}: new master {}\n",
            f.time_ms, f.epoch, f.new_primary
        );
    }
    r += &format!("  fencing rejections: {}\n", o.fencing_rejections);
    r += &format!("  monitor alerts: {}\n", o.monitor_alerts);
    r += &format!("  events: {}, trace hash {}\n", o.events, o.trace_hash);
    r
}

/// Prints simulated events per second for a 3-box and a 15-box Sentinel cluster.
fn bench(args: &[String]) -> Result<(), String> {
    let minutes: u64 = match args {
        [] => 10,
        [flag, n] if flag == "--minutes" => n
            .parse()
            .map_err(|_| format!("--minutes: `{n}` is not a whole number"))?,
        _ => return Err(format!("usage: splitbrain bench [--minutes N]\n{USAGE}")),
    };
    for boxes in [3usize, 15] {
        let s = sim::presets::bench_cluster(boxes, minutes * 60_000);
        let mut best = 0.0f64;
        let mut events = 0;
        for _ in 0..5 {
            let t = std::time::Instant::now();
            let mut run = sim::build(&s, RunOptions::default()).map_err(|e| e.to_string())?;
            run.run_until(s.duration_ms);
            let secs = t.elapsed().as_secs_f64();
            events = run.events();
            best = best.max(events as f64 / secs);
        }
        println!(
            "sim native  {boxes:>2} boxes, {minutes} simulated min: {events} events, {:.2} M events/s (best of 5)",
            best / 1e6
        );
    }
    Ok(())
}
