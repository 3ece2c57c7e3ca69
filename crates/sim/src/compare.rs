//! Side by side: a scenario and the same scenario with some settings changed, run
//! against the same fault schedule and seed, and the difference in what they did. A
//! comparison is the scenario plus its changes (`vs=PATH=VALUE;…` in a link), so it
//! travels and embeds like any scenario. The page draws both on one timeline and the
//! command-line tool prints the same table (`splitbrain run --against`).

use crate::outcome::Outcome;
use crate::process::Words;
use crate::scenario::{Scenario, ScenarioError};

/// The changes that make the second configuration, as `PATH=VALUE` pairs.
pub type Changes = Vec<(String, String)>;

/// The second configuration: `base` with `changes` applied by the same code as
/// `--set`, checked as any scenario is. Faults, seed and topology stay the base's.
pub fn variant(base: &Scenario, changes: &[(String, String)]) -> Result<Scenario, ScenarioError> {
    if changes.is_empty() {
        return Err(ScenarioError::new(
            "",
            "a comparison needs at least one setting changed",
        ));
    }
    let mut s = base.clone();
    for (k, v) in changes {
        s = s
            .with_override(k, v)
            .map_err(|e| ScenarioError::new(e.field.clone(), format!("{k}={v}: {}", e.message)))?;
    }
    crate::build(&s, crate::simulation::RunOptions::default()).map_err(|e| {
        ScenarioError::new(
            e.field.clone(),
            format!("with {}: {}", write(changes), e.message),
        )
    })?;
    Ok(s)
}

/// What the second side is: the scenario with settings changed (the same topology,
/// faults and seed), or another preset altogether (another system on its own faults:
/// one system against another).
#[derive(Clone, Debug, PartialEq)]
pub enum Other {
    /// `PATH=VALUE;…`.
    Changes(Changes),
    /// `preset:NAME`.
    Preset(String),
}

/// Reads what a link's `vs=` holds: `preset:NAME`, or changes.
pub fn parse_other(text: &str) -> Result<Other, String> {
    if text.contains("preset:") && text.split(';').count() > 1 {
        return Err(
            "`preset:NAME` stands alone: another preset, or settings changed, not both".into(),
        );
    }
    match text.trim().strip_prefix("preset:") {
        Some(name) => crate::presets::find(name.trim())
            .map(|p| Other::Preset(p.name.to_string()))
            .ok_or_else(|| format!("there is no preset named `{}`", name.trim())),
        None => parse(text).map(Other::Changes),
    }
}

/// The second side's scenario, and the labels that tell the two sides apart.
pub fn other_side(base: &Scenario, other: &Other) -> Result<(Scenario, (String, String)), String> {
    match other {
        Other::Changes(c) => {
            let s = variant(base, c).map_err(|e| e.to_string())?;
            let labels = crate::drill::labels(base, &s);
            if labels.0.is_empty() {
                return Err(format!(
                    "{} changes nothing: both sides would be the same",
                    write(c)
                ));
            }
            Ok((s, labels))
        }
        Other::Preset(name) => {
            let p = crate::presets::find(name)
                .ok_or_else(|| format!("there is no preset named `{name}`"))?;
            let s = p.scenario();
            let title = |x: &Scenario| {
                let sys = crate::system::find(&x.system).map_or("", |d| d.title);
                format!("{} on {sys}", x.name)
            };
            Ok((s.clone(), (title(base), title(&s))))
        }
    }
}

/// Reads `PATH=VALUE;PATH=VALUE` (what a link's `vs=` holds).
pub fn parse(text: &str) -> Result<Changes, String> {
    text.split(';')
        .filter(|x| !x.trim().is_empty())
        .map(|x| {
            let (k, v) = x.split_once('=').ok_or_else(|| {
                format!("`{x}` should look like PATH=VALUE, a setting's path and its value")
            })?;
            Ok((k.trim().to_string(), v.trim().to_string()))
        })
        .collect()
}

/// Writes changes as a link's `vs=` holds them.
pub fn write(changes: &[(String, String)]) -> String {
    changes
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(";")
}

/// The most sides a comparison draws: the scenario and three others.
pub const MAX_SIDES: usize = 4;

/// The other sides of a link's `vs=`: `SIDE|SIDE|…`, each `PATH=VALUE;…` or
/// `preset:NAME`.
pub fn sides(text: &str) -> Vec<&str> {
    text.split('|')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .collect()
}

/// The other sides of a comparison asked for (`SIDE|SIDE|…`), refused in plain words
/// when there are more than the drawing holds; the page and the command line both ask.
pub fn checked_sides(text: &str) -> Result<Vec<&str>, String> {
    let sides = sides(text);
    if sides.len() >= MAX_SIDES {
        return Err(format!(
            "a comparison draws at most {MAX_SIDES} sides, this scenario and {} others",
            MAX_SIDES - 1
        ));
    }
    Ok(sides)
}

/// A side's letter: A is the scenario shown, then B, C, D.
pub fn letter(k: usize) -> char {
    (b'A' + k.min(25) as u8) as char
}

/// The first side's label beside several others: its value of each setting they
/// change, once each ("a=2, b=0").
pub fn first_label<'a>(labels: impl IntoIterator<Item = &'a str>) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for l in labels {
        if !seen.contains(&l) {
            seen.push(l);
        }
    }
    seen.join(", ")
}

/// One line of the comparison table.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Row {
    /// What is compared.
    pub label: String,
    /// Each side's figure, in the sides' order.
    pub values: Vec<String>,
    /// Whether they differ.
    pub differs: bool,
}

/// The difference in outcome between the sides, line by line, in the system's words.
pub fn table(sides: &[&Outcome], w: &Words) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut row = |label: &str, f: &dyn Fn(&Outcome) -> String| {
        let values: Vec<String> = sides.iter().map(|o| f(o)).collect();
        rows.push(Row {
            label: label.to_string(),
            differs: values.iter().any(|v| *v != values[0]),
            values,
        });
    };
    row(&crate::drill::capitalize(w.lost), &|o| {
        o.acked_writes_lost.to_string()
    });
    row("Writes acknowledged", &|o| o.writes_acked.to_string());
    row("Writes refused", &|o| {
        if o.rejected_by_reason.is_empty() {
            o.writes_rejected.to_string()
        } else {
            let why: Vec<String> = o
                .rejected_by_reason
                .iter()
                .map(|(r, n)| format!("{r} {n}"))
                .collect();
            format!("{} ({})", o.writes_rejected, why.join(", "))
        }
    });
    row("Writes without an answer", &|o| {
        o.writes_unknown.to_string()
    });
    row("Operations refused or unanswered", &|o| {
        format!("{:.1}%", o.unavailability * 100.0)
    });
    row("Longest stretch without an acknowledged write", &|o| {
        format!("{:.1} s", o.longest_without_write_ms as f64 / 1000.0)
    });
    if w.elects {
        row("Split-brain", &|o| {
            format!("{:.1} s", o.split_brain_ms as f64 / 1000.0)
        });
        row(&format!("New {}s", w.leader), &|o| {
            let first = o.new_leaders.first().map_or(String::new(), |l| {
                format!(" (first at {:.1} s)", l.time_ms as f64 / 1000.0)
            });
            format!("{}{first}", o.new_leaders.len())
        });
    }
    row("Stale reads", &|o| o.stale_reads.to_string());
    row(
        "Linearizable",
        &|o| match (o.linearizable, o.not_linearizable_from_ms) {
            (Some(true), _) => "yes".into(),
            (Some(false), Some(t)) => format!("no, from {:.1} s", t as f64 / 1000.0),
            (Some(false), None) => "no".into(),
            (None, _) => "unknown".into(),
        },
    );
    if sides.iter().any(|o| o.fencing_rejections > 0) {
        row("Fencing rejections", &|o| o.fencing_rejections.to_string());
    }
    if sides.iter().any(|o| o.locks_acquired > 0) {
        row("Locks held twice", &|o| o.locks_held_twice.to_string());
    }
    rows
}

/// The comparison in one sentence, in the system's words. Two sides: "With B's label:
/// 0 acknowledged writes lost; with A's: 403."; more: "Acknowledged writes lost: 403
/// with A's label, 105 with B's, 0 with C's."
pub fn sentence(sides: &[(&str, &Outcome)], w: &Words) -> String {
    match sides {
        [(la, a), (lb, b)] if a.acked_writes_lost == b.acked_writes_lost => format!(
            "{} {} with {la} and with {lb}; see the table for what else differs.",
            a.acked_writes_lost, w.lost
        ),
        [(la, a), (lb, b)] => format!(
            "With {lb}: {} {}; with {la}: {}.",
            b.acked_writes_lost, w.lost, a.acked_writes_lost
        ),
        _ => {
            let each: Vec<String> = sides
                .iter()
                .map(|(l, o)| format!("{} with {l}", o.acked_writes_lost))
                .collect();
            format!("{}: {}.", crate::drill::capitalize(w.lost), each.join(", "))
        }
    }
}
