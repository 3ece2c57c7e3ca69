//! Helpers the preset tests share: a preset's scenario, and its outcome as it is or
//! with one setting changed.

use sim::presets::find;
use sim::simulation::run;
use sim::{Outcome, Scenario};

/// The preset's scenario.
pub fn preset(name: &str) -> Scenario {
    find(name)
        .unwrap_or_else(|| panic!("no preset {name}"))
        .scenario()
}

/// The preset's outcome, seed 1.
pub fn outcome(name: &str) -> Outcome {
    run(&preset(name)).expect("preset builds")
}

/// The outcome with `--set path=value`.
pub fn with(name: &str, path: &str, value: &str) -> Outcome {
    run(&preset(name)
        .with_override(path, value)
        .expect("valid override"))
    .expect("builds")
}
