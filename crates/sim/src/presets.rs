//! The built-in scenarios of every system, and the helpers systems build them with.
//! Preset names are part of the interface (CLI, URLs, tests).

use crate::fault::{FaultAction, ScheduledFault};
use crate::ids::Millis;
use crate::net::LinkSettings;
use crate::scenario::{BoxSpec, ProcSpec, Scenario, FORMAT_VERSION};

/// A preset: its name, one line saying what it shows, and its scenario.
pub struct Preset {
    /// Name, as used by `--preset` and in URLs.
    pub name: &'static str,
    /// One line.
    pub summary: &'static str,
    /// Builds its scenario.
    pub build: fn() -> Scenario,
}

impl Preset {
    /// The scenario.
    pub fn scenario(&self) -> Scenario {
        let mut s = (self.build)();
        s.name = self.name.to_string();
        s.description = self.summary.to_string();
        s
    }
}

/// Every preset of every system, each system's default first.
pub fn all() -> impl Iterator<Item = &'static Preset> {
    crate::system::SYSTEMS.iter().flat_map(|s| s.presets.iter())
}

/// Looks a preset up by name.
pub fn find(name: &str) -> Option<&'static Preset> {
    all().find(|p| p.name == name)
}

/// The preset `s` is, unchanged in every field, if it is one: such a scenario travels
/// by name in links, and replacing it loses nothing of the person's.
pub fn unchanged(s: &Scenario) -> Option<&'static Preset> {
    find(&s.name).filter(|p| p.scenario() == *s)
}

/// A process of `kind` named `name`.
pub fn p(name: &str, kind: &str) -> ProcSpec {
    ProcSpec {
        name: name.into(),
        kind: kind.into(),
        priority: None,
        settings: None,
    }
}

/// A box with its processes.
pub fn bx(name: &str, procs: Vec<ProcSpec>) -> BoxSpec {
    BoxSpec {
        name: name.into(),
        processes: procs,
    }
}

/// A fault at a moment.
pub fn at(at_ms: Millis, action: FaultAction) -> ScheduledFault {
    ScheduledFault { at_ms, action }
}

/// Cuts box `b` off from every other.
pub fn isolate(b: &str) -> FaultAction {
    isolate_together(&[b])
}

/// Cuts boxes `bs` off from every other, together in one partition.
pub fn isolate_together(bs: &[&str]) -> FaultAction {
    FaultAction::Isolate {
        boxes: bs.iter().map(|b| b.to_string()).collect(),
    }
}

/// A scenario of `system` with seed 1 and the default network.
pub fn scenario(
    system: &str,
    boxes: Vec<BoxSpec>,
    settings: serde_json::Value,
    duration_ms: Millis,
    faults: Vec<ScheduledFault>,
) -> Scenario {
    Scenario {
        version: FORMAT_VERSION,
        name: String::new(),
        description: String::new(),
        system: system.into(),
        seed: 1,
        duration_ms,
        network: LinkSettings::default(),
        boxes,
        settings,
        faults,
    }
}
