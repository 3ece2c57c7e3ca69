//! The run's report for review documents and slides: one sentence first, then the
//! numbers (split-brain time, unavailability, failover times, losses per key, fencing
//! rejections, locks held twice, the invariants), as Markdown; and pictures of the
//! drawing at a moment and of the timeline, as SVG ([`svg`]). The page and the
//! command-line tool export with this one module, so what a review document quotes is
//! what both show. Everything comes from the outcome, the view and the system's own
//! words: nothing here names a protocol.

pub mod svg;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::ids::{with_names, Millis};
use crate::outcome::Outcome;
use crate::process::MarkerKind;
use crate::scenario::Scenario;
use crate::simulation::Simulation;
use crate::system::{InvariantReport, SystemDesc};

/// A moment of the timeline: when, which family of marker, and what happened.
#[derive(Clone, Debug, PartialEq)]
pub struct Moment {
    /// When.
    pub time_ms: Millis,
    /// Its marker's family.
    pub kind: MarkerKind,
    /// What happened, with names put in.
    pub label: String,
}

/// A signal as one line in plain words: who, then what, with names put in; None for
/// signals the history counts instead. The page's event log, its markers and live
/// region, and the exported timeline all read this.
pub fn line(
    r: &crate::engine::SignalRecord,
    names: &[String],
    words: &crate::process::Words,
) -> Option<(crate::process::EventInfo, String)> {
    let info = r.signal.present(words)?;
    let name = |p: crate::ids::ProcId| {
        names
            .get(p.idx())
            .cloned()
            .unwrap_or_else(|| format!("#{}", p.0))
    };
    // "P2 asks for votes", but "P2: P1 is the new leader" when the event is about
    // another process than the one that saw it, and "C is the new leader" (not
    // "C C …") when a process reports itself by name.
    let who = if r.proc.0 == u16::MAX || info.about == Some(r.proc) {
        String::new()
    } else if info.about.is_some_and(|a| a != r.proc) {
        format!("{}: ", name(r.proc))
    } else {
        format!("{} ", name(r.proc))
    };
    let text = with_names(&format!("{who}{}", info.log), names);
    Some((info, text))
}

/// The moments of a run so far, in order: every signal that presents itself with a
/// timeline marker, plus the moment the history stopped being linearizable.
pub fn moments(sim: &dyn Simulation, outcome: Option<&Outcome>) -> Vec<Moment> {
    let words = sim.system().words;
    let names: Vec<String> = sim
        .scenario()
        .processes()
        .map(|(_, p)| p.name.clone())
        .collect();
    let mut out: Vec<Moment> = sim
        .signals()
        .iter()
        .filter_map(|r| {
            let (info, text) = line(r, &names, &words)?;
            let kind = info.marker?;
            Some(Moment {
                time_ms: r.time_ms,
                kind,
                label: text,
            })
        })
        .collect();
    if let Some(t) = outcome.and_then(|o| o.not_linearizable_from_ms) {
        let at = out.partition_point(|m| m.time_ms <= t);
        out.insert(
            at,
            Moment {
                time_ms: t,
                kind: MarkerKind::NotLinearizable,
                label: "the history stops being linearizable".into(),
            },
        );
    }
    out
}

/// How long each new leader took: from the fault before it to its election.
fn failovers(o: &Outcome, s: &Scenario) -> Vec<(Millis, Millis, u64, String)> {
    o.new_leaders
        .iter()
        .map(|l| {
            let cause = s
                .faults
                .iter()
                .filter(|f| f.at_ms <= l.time_ms)
                .map(|f| f.at_ms)
                .max();
            (
                l.time_ms,
                cause.map_or(0, |c| l.time_ms - c),
                l.epoch,
                l.leader.clone(),
            )
        })
        .collect()
}

fn secs(ms: Millis) -> String {
    format!("{:.1} s", ms as f64 / 1000.0)
}

/// The run as a Markdown summary for a review document: its sentence, then its numbers,
/// its invariants, its faults and its settings.
pub fn markdown(
    s: &Scenario,
    sys: &SystemDesc,
    o: &Outcome,
    invariants: &[InvariantReport],
    link: Option<&str>,
) -> String {
    let w = sys.words;
    let mut m = String::new();
    let _ = writeln!(
        m,
        "# {}\n",
        if s.name.is_empty() {
            "Scenario"
        } else {
            &s.name
        }
    );
    let _ = writeln!(
        m,
        "*{}, {} simulated, seed {}.* {}\n",
        sys.title,
        secs(s.duration_ms),
        s.seed,
        s.description
    );
    let _ = writeln!(m, "**{}**\n", o.sentence(&w));
    let _ = writeln!(m, "| | |\n|---|---|");
    let mut row = |k: &str, v: String| {
        let _ = writeln!(m, "| {k} | {v} |");
    };
    row(
        "Writes",
        format!(
            "{} attempted, {} acknowledged, {} refused, {} without an answer",
            o.writes_attempted, o.writes_acked, o.writes_rejected, o.writes_unknown
        ),
    );
    row(
        &crate::drill::capitalize(w.lost),
        o.acked_writes_lost.to_string(),
    );
    if w.elects {
        row("Split-brain", secs(o.split_brain_ms));
        row("Elections", o.elections.to_string());
    }
    row(
        "Unavailability",
        format!(
            "{:.1}% of {} operations refused or unanswered; longest stretch without an acknowledged write {}",
            o.unavailability * 100.0,
            o.ops_ended,
            secs(o.longest_without_write_ms)
        ),
    );
    row("Stale reads", o.stale_reads.to_string());
    row(
        "Linearizable",
        match (o.linearizable, o.not_linearizable_from_ms) {
            (Some(true), _) => "yes".into(),
            (Some(false), Some(t)) => format!("no, from {}", secs(t)),
            (Some(false), None) => "no (the final read misses acknowledged writes)".into(),
            (None, _) => "unknown (the search gave up)".into(),
        },
    );
    if w.elects || o.fencing_rejections > 0 {
        row("Fencing rejections", o.fencing_rejections.to_string());
    }
    if o.locks_acquired > 0 {
        row(
            "Locks",
            format!(
                "{} acquired, held twice {} time(s)",
                o.locks_acquired, o.locks_held_twice
            ),
        );
    }
    for (label, n) in &o.counters {
        row(&crate::drill::capitalize(label), n.to_string());
    }
    let _ = writeln!(m);
    let fo = failovers(o, s);
    if !fo.is_empty() {
        let _ = writeln!(
            m,
            "## New {}s\n\n| at | after the fault before it | {} | who |\n|---|---|---|---|",
            w.leader, w.epoch
        );
        for (at, took, epoch, who) in fo {
            let _ = writeln!(m, "| {} | {} | {epoch} | {who} |", secs(at), secs(took));
        }
        let _ = writeln!(m);
    }
    if !o.lost_writes.is_empty() {
        let mut per_key: BTreeMap<u32, (u64, Millis, Millis)> = BTreeMap::new();
        for l in &o.lost_writes {
            let e = per_key.entry(l.key).or_insert((0, Millis::MAX, 0));
            e.0 += 1;
            e.1 = e.1.min(l.acked_ms);
            e.2 = e.2.max(l.acked_ms);
        }
        let _ = writeln!(
            m,
            "## {} per key\n\n| key | lost | acknowledged between |\n|---|---|---|",
            crate::drill::capitalize(w.lost)
        );
        for (k, (n, a, b)) in per_key {
            let _ = writeln!(m, "| {k} | {n} | {} and {} |", secs(a), secs(b));
        }
        let _ = writeln!(m);
    }
    if let Some(v) = &o.violation {
        let _ = writeln!(
            m,
            "## Why the history is not linearizable\n\nKey {}: {}\n",
            v.key, v.explanation
        );
    }
    if !o.lock_overlaps.is_empty() {
        let _ = writeln!(m, "## Locks held twice\n");
        for x in &o.lock_overlaps {
            let to = x.to_ms.map_or("the end".to_string(), secs);
            let _ = writeln!(
                m,
                "- {} and {} both held lock {} from {} to {to}{}",
                x.first,
                x.second,
                x.lock,
                secs(x.from_ms),
                if x.both_wrote { ", and both wrote" } else { "" }
            );
        }
        let _ = writeln!(m);
    }
    if !invariants.is_empty() {
        let names: Vec<String> = s.processes().map(|(_, p)| p.name.clone()).collect();
        let _ = writeln!(m, "## Invariants\n");
        for i in invariants {
            let _ = match &i.violation {
                None => writeln!(m, "- held: {}", i.name),
                Some(v) => writeln!(m, "- **violated**: {}: {}", i.name, with_names(v, &names)),
            };
        }
        let _ = writeln!(m);
    }
    for warning in &o.warnings {
        let _ = writeln!(m, "> Warning: {warning}\n");
    }
    let _ = writeln!(m, "## Faults\n");
    if s.faults.is_empty() {
        let _ = writeln!(m, "None.");
    }
    let mut faults: Vec<_> = s.faults.iter().collect();
    crate::sort::by_key(&mut faults, |f| f.at_ms);
    for f in faults {
        let _ = writeln!(m, "- at {}: {}", secs(f.at_ms), f.action.describe());
    }
    let _ = writeln!(m, "\n## Settings\n");
    let settings = crate::simulation::effective_settings(s).unwrap_or_default();
    let _ = writeln!(
        m,
        "```json\n{}\n```",
        serde_json::to_string_pretty(&settings).unwrap_or_default()
    );
    if let Some(link) = link {
        let _ = writeln!(m, "\nOpen it in Split-Brain Lab: <{link}>");
    }
    let _ = writeln!(
        m,
        "\n*Trace hash {}; the same scenario and seed give the same run.*",
        o.trace_hash
    );
    m
}
