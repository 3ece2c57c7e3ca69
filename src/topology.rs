//! Topology edits: add and remove boxes and processes. Pure scenario transforms; the
//! core checks the result when the run is built.

use sim::Scenario;

/// A change to the topology.
#[derive(Clone, Debug, PartialEq)]
pub enum TopologyEdit {
    /// A new, empty box.
    AddBox,
    /// Remove a box and its processes.
    RemoveBox(String),
    /// Add a process of `kind` (one of the system's kinds) to a box.
    AddProc(String, &'static str),
    /// Remove a process.
    RemoveProc(String),
    /// Move a process to another box.
    MoveProc(String, String),
}

/// Applies a topology edit to a scenario: names are made unique, and faults that name
/// something removed are dropped with it.
pub fn edit_topology(s: &Scenario, e: &TopologyEdit) -> Scenario {
    use sim::scenario::{BoxSpec, ProcSpec};
    let mut s = s.clone();
    let taken = |s: &Scenario, n: &str| {
        s.boxes
            .iter()
            .any(|b| b.name == n || b.processes.iter().any(|p| p.name == n))
    };
    let fresh = |s: &Scenario, prefix: &str| {
        (1..)
            .map(|i| format!("{prefix}{i}"))
            .find(|n| !taken(s, n))
            .expect("a free name")
    };
    let mut removed: Vec<String> = Vec::new();
    match e {
        TopologyEdit::AddBox => {
            let name = fresh(&s, "box");
            s.boxes.push(BoxSpec {
                name,
                processes: Vec::new(),
            });
        }
        TopologyEdit::RemoveBox(name) => {
            if let Some(i) = s.boxes.iter().position(|b| &b.name == name) {
                let b = s.boxes.remove(i);
                removed.push(b.name);
                removed.extend(b.processes.into_iter().map(|p| p.name));
            }
        }
        TopologyEdit::AddProc(bx, kind) => {
            let prefix = sim::system::find(&s.system)
                .ok()
                .and_then(|d| d.kind(kind))
                .map_or("P", |k| k.letter);
            let name = fresh(&s, prefix);
            if let Some(b) = s.boxes.iter_mut().find(|b| &b.name == bx) {
                b.processes.push(ProcSpec {
                    name,
                    kind: kind.to_string(),
                    priority: None,
                    settings: None,
                });
            }
        }
        TopologyEdit::MoveProc(name, to) => {
            let mut moved = None;
            for b in &mut s.boxes {
                if let Some(i) = b.processes.iter().position(|p| &p.name == name) {
                    moved = Some(b.processes.remove(i));
                }
            }
            if let (Some(p), Some(b)) = (moved, s.boxes.iter_mut().find(|b| &b.name == to)) {
                b.processes.push(p);
            }
        }
        TopologyEdit::RemoveProc(name) => {
            for b in &mut s.boxes {
                b.processes.retain(|p| &p.name != name);
            }
            removed.push(name.clone());
        }
    }
    if !removed.is_empty() {
        s.faults.retain(|f| {
            let text = serde_json::to_string(&f.action).unwrap_or_default();
            !removed.iter().any(|n| text.contains(&format!("\"{n}\"")))
        });
    }
    s
}
