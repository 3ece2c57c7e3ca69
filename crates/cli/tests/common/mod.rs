//! Runs the built `splitbrain` tool for the command-line tests.

use std::process::Command;

/// Runs `splitbrain ARGS`: whether it succeeded, its standard output and its errors.
pub fn splitbrain(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_splitbrain"))
        .args(args)
        .output()
        .expect("the tool runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
