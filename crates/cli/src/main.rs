//! `splitbrain`: run Split-Brain Lab scenarios from the command line.
//!
//! Arguments are parsed with clap (derive); the systems and presets it lists come from
//! the core's registry. Bad input gets one message and exit status 2, as clap's own
//! usage errors do.

mod png;
mod sweep;

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use sim::simulation::RunOptions;
use sim::Scenario;

/// Run Split-Brain Lab scenarios: replicated systems under network partitions.
#[derive(Parser)]
#[command(name = "splitbrain", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the systems the lab models and their presets.
    Presets,
    /// Run a scenario and print what it did to the data.
    Run {
        #[command(flatten)]
        src: Source,
        /// Print the outcome as JSON.
        #[arg(long, conflicts_with = "report")]
        json: bool,
        /// Print a report for a review document instead: `md` (Markdown: the sentence,
        /// the numbers, new leaders, losses per key, invariants, faults, settings).
        #[arg(long, value_name = "FORMAT", value_parser = ["md"])]
        report: Option<String>,
        /// Also write the drawing as SVG to this file, at --at (default: the end).
        #[arg(long, value_name = "FILE")]
        svg: Option<String>,
        /// Also write the timeline as SVG to this file.
        #[arg(long, value_name = "FILE")]
        timeline_svg: Option<String>,
        /// Also write the drawing as PNG (twice the SVG's size, for slides).
        #[arg(long, value_name = "FILE")]
        png: Option<String>,
        /// Also write the timeline as PNG.
        #[arg(long, value_name = "FILE")]
        timeline_png: Option<String>,
        /// The moment the drawing shows, in ms.
        #[arg(long, value_name = "MS")]
        at: Option<u64>,
        /// Also write the run's client history as the lab's JSON lines (what `check`
        /// reads, and the page's history view opens) to this file.
        #[arg(long, value_name = "FILE")]
        history: Option<String>,
        /// Run it side by side with these settings changed (PATH=VALUE, repeatable),
        /// on the same faults and seed, or beside another preset (`preset:NAME`, another
        /// system's too, on its own faults), and print the difference in outcome. As in
        /// a link's `vs=`, `|` starts another side: `quorum=1|quorum=3` (up to three).
        #[arg(long = "against", value_name = "PATH=VALUE|preset:NAME", conflicts_with_all = ["report", "svg", "timeline_svg", "png", "timeline_png", "history"])]
        against: Vec<String>,
    },
    /// Print every event of a run as JSON lines.
    Trace {
        #[command(flatten)]
        src: Source,
    },
    /// Print a scenario file (a preset, with any --set applied).
    Scenario {
        #[command(flatten)]
        src: Source,
    },
    /// Print a link to a scenario: its fragment, or the whole address with --base.
    Link {
        #[command(flatten)]
        src: Source,
        /// The address the lab is served at, for example https://example.org/lab/.
        #[arg(long, value_name = "URL")]
        base: Option<String>,
    },
    /// Read a deployment's configuration files (redis.conf and sentinel.conf, one per
    /// process, or one file with a `#> box/name` line before each) and print a scenario.
    /// A note for every line the lab does not model goes to standard error.
    Import {
        /// The configuration files.
        #[arg(required = true)]
        files: Vec<String>,
        /// The system the files belong to.
        #[arg(long, default_value = "redis-sentinel")]
        system: String,
    },
    /// Print a scenario's processes as the real system's configuration files, one
    /// section (`#> box/name`) per process.
    ExportConf {
        #[command(flatten)]
        src: Source,
    },
    /// Check a history for linearizability, key by key: the lab's JSON lines (see
    /// docs/history-format.md), Jepsen's EDN history, or Jepsen's tab-separated log
    /// lines. Exits 1 when the history is not linearizable.
    Check {
        /// The history file (`-` for standard input).
        file: String,
        /// Print the verdict as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run a failure drill: one configuration against many random fault schedules
    /// (partitions, one-way cuts, bridges, pauses, crashes, slow disks, clock jumps),
    /// and print how often acknowledged writes were lost, split-brain happened and
    /// operations failed. `--seed` seeds the schedules.
    Sweep(sweep::SweepArgs),
    /// Print simulated events per second for each system's benchmark clusters.
    Bench {
        /// Simulated minutes per run.
        #[arg(long, default_value_t = 10)]
        minutes: u64,
    },
}

/// Where the scenario comes from, and what to change in it.
#[derive(Args)]
pub(crate) struct Source {
    /// A scenario file (JSON, see docs/scenario-format.md).
    #[arg(required_unless_present_any = ["preset", "link"], conflicts_with_all = ["preset", "link"])]
    file: Option<String>,
    /// A built-in preset (see `splitbrain presets`).
    #[arg(long, value_name = "NAME", conflicts_with = "link")]
    preset: Option<String>,
    /// A link to the lab (the whole address, or what follows its `#`), read exactly as
    /// the page reads it.
    #[arg(long, value_name = "LINK")]
    link: Option<String>,
    /// The seed of the run's random generator.
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Change a setting: PATH=VALUE, for example quorum=2 or network.loss=0.01.
    #[arg(long = "set", value_name = "PATH=VALUE", value_parser = parse_set)]
    sets: Vec<(String, String)>,
}

pub(crate) fn parse_set(v: &str) -> Result<(String, String), String> {
    let (k, val) = v
        .split_once('=')
        .ok_or_else(|| format!("`{v}` should look like PATH=VALUE, for example quorum=2"))?;
    Ok((k.trim().to_string(), val.trim().to_string()))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Check { file, json } = &cli.command {
        return check(file, *json);
    }
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("splitbrain: {msg}");
            ExitCode::from(2)
        }
    }
}

impl Source {
    pub(crate) fn load(self) -> Result<Scenario, String> {
        let mut scenario = match (self.file, self.preset) {
            (None, None) if self.link.is_some() => {
                let link = self.link.unwrap_or_default();
                let fragment = link.split_once('#').map_or(link.as_str(), |(_, f)| f);
                match sim::link::decode(fragment) {
                    None => {
                        return Err(
                            "that link names no scenario (no p=, s= or scenario= after its #)"
                                .into(),
                        )
                    }
                    Some(Err(e)) => return Err(format!("that link cannot be opened: {e}")),
                    Some(Ok(l)) => l.scenario,
                }
            }
            (None, Some(name)) => sim::presets::find(&name)
                .ok_or_else(|| {
                    let names: Vec<&str> = sim::presets::all().map(|p| p.name).collect();
                    format!("no preset named `{name}`; presets: {}", names.join(", "))
                })?
                .scenario(),
            (Some(path), _) => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("cannot read {path}: {e}"))?;
                Scenario::from_json(&text).map_err(|e| format!("{path}: {e}"))?
            }
            (None, None) => unreachable!("clap requires a file, --preset or --link"),
        };
        if let Some(seed) = self.seed {
            scenario.seed = seed;
        }
        for (k, v) in self.sets {
            scenario = scenario
                .with_override(&k, &v)
                .map_err(|e| format!("--set {k}={v}: {e}"))?;
        }
        Ok(scenario)
    }
}

fn run(cmd: Command) -> Result<(), String> {
    match cmd {
        Command::Presets => {
            let width = sim::presets::all().map(|p| p.name.len()).max().unwrap_or(0);
            let mut text = String::new();
            for s in sim::SYSTEMS {
                text += &format!("{} ({}): {}\n", s.title, s.name, s.summary);
                for p in s.presets {
                    text += &format!("  {:width$}  {}\n", p.name, p.summary);
                }
            }
            say(&text);
            Ok(())
        }
        Command::Scenario { src } => {
            say(&(src.load()?.to_json() + "\n"));
            Ok(())
        }
        Command::Link { src, base } => {
            let scenario = src.load()?;
            // The same checks as the page before it hands the link out.
            sim::build(&scenario, RunOptions::default()).map_err(|e| e.to_string())?;
            let fragment = sim::link::encode(&scenario);
            say(&match base {
                Some(b) => format!("{}#{fragment}\n", b.split('#').next().unwrap_or_default()),
                None => fragment + "\n",
            });
            Ok(())
        }
        Command::Run {
            src,
            json,
            report: md,
            svg,
            timeline_svg,
            png,
            timeline_png,
            at,
            history,
            against,
        } => {
            let scenario = src.load()?;
            if !against.is_empty() {
                return compare(&scenario, &against, json);
            }
            if at.is_some() && svg.is_none() && png.is_none() {
                return Err(
                    "--at is the moment the drawing shows: give --svg FILE or --png FILE".into(),
                );
            }
            let mut sim =
                sim::build(&scenario, RunOptions::default()).map_err(|e| e.to_string())?;
            let words = sim.system().words;
            // The drawing's moment first, then on to the end for the outcome.
            let at = at.unwrap_or(scenario.duration_ms).min(scenario.duration_ms);
            sim.run_until(at);
            let view = sim.view();
            sim.run_until(scenario.duration_ms);
            let out = sim.outcome();
            let write = |path: &str, bytes: &[u8]| {
                std::fs::write(path, bytes).map_err(|e| format!("cannot write {path}: {e}"))
            };
            // A picture, made only when asked for, as SVG and/or PNG.
            let pictures = |svg: &Option<String>,
                            png: &Option<String>,
                            make: &dyn Fn() -> String|
             -> Result<(), String> {
                if svg.is_none() && png.is_none() {
                    return Ok(());
                }
                let picture = make();
                if let Some(path) = svg {
                    write(path, picture.as_bytes())?;
                }
                if let Some(path) = png {
                    write(
                        path,
                        &png::png(&picture).map_err(|e| format!("{path}: {e}"))?,
                    )?;
                }
                Ok(())
            };
            pictures(&svg, &png, &|| {
                sim::report::svg::drawing(&scenario, &view, words.epoch, &out.sentence(&words))
            })?;
            let shown = (svg.is_some() || png.is_some()).then_some(at);
            pictures(&timeline_svg, &timeline_png, &|| {
                let moments = sim::report::moments(sim.as_ref(), Some(&out));
                sim::report::svg::timeline(&scenario, &moments, shown)
            })?;
            if let Some(path) = &history {
                let text = sim::check::formats::write_json_lines(&sim.checked_history());
                write(path, text.as_bytes())?;
            }
            let text = if json {
                serde_json::to_string(&out).map_err(|e| e.to_string())? + "\n"
            } else if md.is_some() {
                let fragment = sim::link::encode(&scenario);
                sim::report::markdown(
                    &scenario,
                    sim.system(),
                    &out,
                    &sim.check_invariants(),
                    Some(&format!("#{fragment}")),
                )
            } else {
                let mut r = report(&scenario, sim.system(), &out);
                let names: Vec<String> =
                    scenario.processes().map(|(_, p)| p.name.clone()).collect();
                for i in sim.check_invariants() {
                    r += &match i.violation {
                        None => format!("  invariant held: {}\n", i.name),
                        Some(v) => format!(
                            "  INVARIANT VIOLATED: {}: {}\n",
                            i.name,
                            sim::ids::with_names(&v, &names)
                        ),
                    };
                }
                r
            };
            say(&text);
            Ok(())
        }
        Command::Trace { src } => {
            let scenario = src.load()?;
            let mut sim = sim::build(
                &scenario,
                RunOptions {
                    narrate: true,
                    keep_trace: true,
                },
            )
            .map_err(|e| e.to_string())?;
            sim.run_until(scenario.duration_ms);
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
        Command::Import { files, system } => {
            let desc = sim::system::find(&system).map_err(|e| e.to_string())?;
            let import = desc.conf.as_ref().map(|c| c.import).ok_or_else(|| {
                format!("{} has no configuration files the lab reads", desc.title)
            })?;
            let mut confs = Vec::new();
            for path in &files {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read {path}: {e}"))?;
                confs.extend(sim::conf::split_sections(path, &text));
            }
            let r = import(&confs);
            for n in &r.notes {
                let at = match (n.file.is_empty(), n.line) {
                    (true, _) => String::new(),
                    (false, 0) => format!("{}: ", n.file),
                    (false, l) => format!("{}:{l}: ", n.file),
                };
                let level = match n.level {
                    sim::conf::NoteLevel::Refused => "refused",
                    sim::conf::NoteLevel::NotModelled => "not modelled",
                    sim::conf::NoteLevel::Info => "note",
                };
                eprintln!("{at}{level}: {}", n.text);
            }
            let s = r
                .scenario
                .ok_or("nothing imported: see the refused lines above")?;
            say(&(s.to_json() + "\n"));
            Ok(())
        }
        Command::ExportConf { src } => {
            let scenario = src.load()?;
            let desc = sim::system::find(&scenario.system).map_err(|e| e.to_string())?;
            let export = desc.conf.as_ref().map(|c| c.export).ok_or_else(|| {
                format!("{} has no configuration files the lab writes", desc.title)
            })?;
            let files = export(&scenario).map_err(|e| e.to_string())?;
            say(&sim::conf::join_sections(&files));
            Ok(())
        }
        Command::Sweep(args) => sweep::sweep(args),
        Command::Bench { minutes } => bench(minutes),
        Command::Check { .. } => unreachable!("handled in main"),
    }
}

/// `splitbrain check`: 0 when the history is linearizable, 1 when it is not, 2 when it
/// cannot be read or the search gave up.
fn check(file: &str, json: bool) -> ExitCode {
    let text = if file == "-" {
        let mut t = String::new();
        match std::io::Read::read_to_string(&mut std::io::stdin(), &mut t) {
            Ok(_) => Ok(t),
            Err(e) => Err(format!("cannot read standard input: {e}")),
        }
    } else {
        std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))
    };
    let ops = match text
        .and_then(|t| sim::check::formats::parse(&t).map_err(|e| format!("{file}: {e}")))
    {
        Ok(ops) => ops,
        Err(msg) => {
            eprintln!("splitbrain: {msg}");
            return ExitCode::from(2);
        }
    };
    let v = sim::check::check(&ops);
    if json {
        say(&(serde_json::to_string(&v).expect("a verdict serializes") + "\n"));
    } else {
        let scope = format!(
            "{} operations on {} key(s), {} states searched",
            v.ops, v.keys, v.states
        );
        say(&match (&v.linearizable, &v.violation) {
            (Some(true), _) => format!("linearizable ({scope})\n"),
            (Some(false), Some(x)) => format!(
                "NOT linearizable ({scope})\n  key {}: {}\n",
                x.key, x.explanation
            ),
            _ => format!(
                "unknown: the search gave up after {} states per key ({scope})\n",
                sim::check::MAX_STATES
            ),
        });
    }
    match v.linearizable {
        Some(true) => ExitCode::SUCCESS,
        Some(false) => ExitCode::from(1),
        None => ExitCode::from(2),
    }
}

/// Prints to standard output; a reader that went away (`| head`) is not an error.
pub(crate) fn say(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn report(s: &Scenario, sys: &sim::SystemDesc, o: &sim::Outcome) -> String {
    let w = sys.words;
    let mut r = format!(
        "{} ({}, {} ms, seed {})\n",
        s.name, sys.title, s.duration_ms, s.seed
    );
    r += &format!("  {}\n", o.sentence(&w));
    for w in &o.warnings {
        r += &format!("  warning: {w}\n");
    }
    r += &format!(
        "  writes: {} attempted, {} acknowledged, {} rejected, {} unknown ({} of them applied all the same)\n",
        o.writes_attempted, o.writes_acked, o.writes_rejected, o.writes_unknown, o.unknown_writes_applied
    );
    for (reason, n) in &o.rejected_by_reason {
        r += &format!("    rejected {reason}: {n}\n");
    }
    r += &format!("  {}: {}\n", w.lost, o.acked_writes_lost);
    r += &format!("  stale reads: {}\n", o.stale_reads);
    r += &match (o.linearizable, &o.violation) {
        (Some(true), _) => "  linearizable: yes\n".to_string(),
        (Some(false), Some(v)) => format!(
            "  linearizable: no, from key {}: {}\n",
            v.key, v.explanation
        ),
        _ => "  linearizable: unknown (the search gave up)\n".to_string(),
    };
    // A system that elects nobody (a lock service) has no leaders to count.
    let elects = w.elects;
    if elects {
        r += &format!("  split-brain: {} ms\n", o.split_brain_ms);
        r += &format!("  elections: {}\n", o.elections);
    }
    if o.new_leaders.is_empty() && elects {
        r += &format!("  new {}: none\n", w.leader);
    }
    for f in &o.new_leaders {
        r += &format!(
            "  new {} at {} ms, {} {}: {}\n",
            w.leader, f.time_ms, w.epoch, f.epoch, f.leader
        );
    }
    if elects {
        r += &format!("  values discarded on rejoin: {}\n", o.discarded);
    }
    if elects || o.locks_acquired > 0 || o.fencing_rejections > 0 {
        r += &format!("  fencing rejections: {}\n", o.fencing_rejections);
    }
    if o.locks_acquired > 0 {
        r += &format!(
            "  locks: {} acquired, held twice {} time(s)\n",
            o.locks_acquired, o.locks_held_twice
        );
        for x in o.lock_overlaps.iter().take(5) {
            let to = x.to_ms.map_or("the end".to_string(), |t| format!("{t} ms"));
            r += &format!(
                "    {} and {} both held lock {} from {} ms to {to}{}\n",
                x.first,
                x.second,
                x.lock,
                x.from_ms,
                if x.both_wrote { ", and both wrote" } else { "" }
            );
        }
        if o.lock_overlaps.len() > 5 {
            r += &format!("    … and {} more\n", o.lock_overlaps.len() - 5);
        }
        r += &format!(
            "  stale writes accepted (an older lock holder's after a newer one's): {}\n",
            o.stale_writes_accepted
        );
    }
    for (label, n) in &o.counters {
        r += &format!("  {label}: {n}\n");
    }
    r += &format!("  events: {}, trace hash {}\n", o.events, o.trace_hash);
    r
}

/// `run --against`: both configurations on the same faults and seed, and the table
/// of their difference (the page's side by side, in text or JSON).
fn compare(a: &Scenario, against: &[String], json: bool) -> Result<(), String> {
    // As a link's `vs=`: `|` separates sides; within a side, the changes add up.
    let text = against.join(";");
    let sides = sim::compare::checked_sides(&text).map_err(|e| format!("--against: {e}"))?;
    let mut firsts: Vec<String> = Vec::new();
    let mut labels: Vec<String> = Vec::new();
    let mut scenarios = vec![a.clone()];
    for side in sides {
        let other = sim::compare::parse_other(side).map_err(|e| format!("--against: {e}"))?;
        let (b, (la, lb)) =
            sim::compare::other_side(a, &other).map_err(|e| format!("--against: {e}"))?;
        firsts.push(la);
        labels.push(lb);
        scenarios.push(b);
    }
    labels.insert(
        0,
        sim::compare::first_label(firsts.iter().map(String::as_str)),
    );
    let outcomes = scenarios
        .iter()
        .map(|s| sim::simulation::run(s).map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    // Another system's outcome is told in the first side's words.
    let words = sim::system::find(&a.system)
        .map_err(|e| e.to_string())?
        .words;
    let all: Vec<&sim::Outcome> = outcomes.iter().collect();
    let rows = sim::compare::table(&all, &words);
    let sides: Vec<(&str, &sim::Outcome)> = labels
        .iter()
        .map(String::as_str)
        .zip(all.iter().copied())
        .collect();
    let sentence = sim::compare::sentence(&sides, &words);
    if json {
        let side = |k: usize| serde_json::json!({ "label": labels[k], "outcome": outcomes[k] });
        let mut v = serde_json::json!({
            "sentence": sentence,
            "sides": (0..labels.len()).map(side).collect::<Vec<_>>(),
            "table": rows,
        });
        // The first two sides by name too, as before there could be more.
        v["a"] = side(0);
        v["b"] = side(1);
        say(&(v.to_string() + "\n"));
        return Ok(());
    }
    let heads: Vec<String> = labels
        .iter()
        .enumerate()
        .map(|(k, l)| format!("{}: {l}", sim::compare::letter(k)))
        .collect();
    let w0 = rows
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(0);
    let widths: Vec<usize> = (0..labels.len())
        .map(|k| {
            rows.iter()
                .map(|r| r.values[k].chars().count())
                .chain([heads[k].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |mark: &str, label: &str, cells: &[String]| {
        let mut l = format!("{mark} {label:w0$}");
        for (k, c) in cells.iter().enumerate() {
            l += &format!("  {c:w$}", w = widths[k]);
        }
        l.trim_end().to_string() + "\n"
    };
    let mut out = format!(
        "{} ({} ms, seed {}), side by side\n  {sentence}\n\n",
        a.name, a.duration_ms, a.seed
    );
    out += &line(" ", "", &heads);
    for r in &rows {
        out += &line(if r.differs { "≠" } else { " " }, &r.label, &r.values);
    }
    say(&out);
    Ok(())
}

/// Prints simulated events per second for each system's benchmark clusters.
fn bench(minutes: u64) -> Result<(), String> {
    for desc in sim::SYSTEMS {
        let system = desc.name;
        for n in desc.bench_sizes {
            let s = (desc.bench)(n, minutes * 60_000);
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
            say(&format!(
                "sim native  {system} {n:>2} boxes, {minutes} simulated min: {events} events, {:.2} M events/s (best of 5)\n",
                best / 1e6
            ));
        }
    }
    // Failure drills: schedules per second on every core, 60 simulated seconds each.
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    for (preset, what) in [
        ("sentinel-old-master-isolated", "3-box Sentinel"),
        ("raft-minority-leader", "5-member Raft"),
    ] {
        let s = sim::presets::find(preset)
            .ok_or("a benchmark preset is missing")?
            .scenario();
        let spec = sim::drill::DrillSpec {
            duration_ms: Some(60_000),
            ..sim::drill::DrillSpec::new(500, 1)
        };
        let t = std::time::Instant::now();
        let r = sweep::drill_all(&s, &spec, 0..spec.schedules, jobs, None, true)?;
        let secs = t.elapsed().as_secs_f64();
        say(&format!(
            "drill native {what} ({preset}), 60 simulated s, {} schedules on {jobs} thread(s): {:.0} schedules/s\n",
            r.schedules,
            r.schedules as f64 / secs
        ));
    }
    for keys in [10, 1] {
        let h = sim::check::bench_history(10_000, keys, 5, 7);
        let mut best = f64::MAX;
        let mut states = 0;
        for _ in 0..5 {
            let t = std::time::Instant::now();
            let v = sim::check::check(&h);
            best = best.min(t.elapsed().as_secs_f64());
            states = v.states;
            if v.linearizable != Some(true) {
                return Err("the checker's benchmark history must be linearizable".into());
            }
        }
        say(&format!(
            "checker native 10000 operations, {keys:>2} key(s), 5 clients: {:.1} ms, {states} states (best of 5)\n",
            best * 1000.0
        ));
    }
    Ok(())
}
