//! Identifiers and virtual time.

use serde::{Deserialize, Serialize};

/// Virtual time in milliseconds since the start of a run.
pub type Millis = u64;

/// A process (a Redis server, a Sentinel, a client, ...): an index into the engine's table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ProcId(pub u16);

/// A box (a host or a zone) that holds processes; partitions move boxes, not processes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct BoxId(pub u16);

/// Written `#3` in narration; the UI puts the process's name in its place.
impl std::fmt::Display for ProcId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{}", self.0)
    }
}

impl ProcId {
    /// The index of this process in the engine's tables.
    pub fn idx(self) -> usize {
        self.0 as usize
    }
}

impl BoxId {
    /// The index of this box in the topology.
    pub fn idx(self) -> usize {
        self.0 as usize
    }
}

/// Puts process names where the core's narration writes `#3`.
pub fn with_names(text: &str, names: &[String]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('#') {
        out.push_str(&rest[..i]);
        let digits: String = rest[i + 1..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        match digits.parse::<usize>().ok().and_then(|n| names.get(n)) {
            Some(name) => out.push_str(name),
            None => {
                out.push('#');
                out.push_str(&digits);
            }
        }
        rest = &rest[i + 1 + digits.len()..];
    }
    out.push_str(rest);
    out
}
