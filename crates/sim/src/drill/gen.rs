//! The seeded generator of random fault schedules, in the manner of Jepsen's combined
//! nemeses: faults start at random moments (a Poisson process at the user's rate), each
//! lasts a random time within the user's bounds and is then repaired, network faults
//! never overlap one another, nor do process faults, and everything is repaired a quiet
//! stretch before the end so that the final read sees a converged system.

use crate::fault::{FaultAction, ScheduledFault};
use crate::ids::Millis;
use crate::rng::SimRng;
use crate::scenario::{Scenario, ScenarioError};
use crate::view::Role;

use super::{DrillSpec, FaultKind};

/// What the generator may aim at in one scenario.
pub(super) struct Targets {
    boxes: Vec<String>,
    /// Processes of the system itself (not clients, storage or monitors).
    servers: Vec<String>,
    /// Those whose disk latency matters.
    disks: Vec<String>,
    /// Those that read their host's clock.
    clocks: Vec<String>,
}

impl Targets {
    pub(super) fn of(s: &Scenario) -> Result<Targets, ScenarioError> {
        let desc = crate::system::find(&s.system)?;
        let mut t = Targets {
            boxes: s.boxes.iter().map(|b| b.name.clone()).collect(),
            servers: Vec::new(),
            disks: Vec::new(),
            clocks: Vec::new(),
        };
        for (_, p) in s.processes() {
            let Some(kind) = desc.kinds.iter().find(|k| k.kind == p.kind) else {
                continue;
            };
            if matches!(kind.role, Role::Client | Role::Storage | Role::Monitor) {
                continue;
            }
            t.servers.push(p.name.clone());
            if kind.disk {
                t.disks.push(p.name.clone());
            }
            if kind.clock {
                t.clocks.push(p.name.clone());
            }
        }
        Ok(t)
    }

    /// Whether this scenario offers something for `kind` to hit.
    pub(super) fn allows(&self, kind: FaultKind) -> bool {
        match kind {
            FaultKind::Partition | FaultKind::OneWay => self.boxes.len() >= 2,
            FaultKind::Bridge => self.boxes.len() >= 3,
            FaultKind::Pause | FaultKind::Crash => !self.servers.is_empty(),
            FaultKind::SlowDisk => !self.disks.is_empty(),
            FaultKind::ClockJump => !self.clocks.is_empty(),
        }
    }
}

/// The `index`th schedule of a drill: the same for every configuration of the same
/// topology, so two configurations are compared on the very same faults.
pub(super) fn schedule(
    targets: &Targets,
    spec: &DrillSpec,
    duration_ms: Millis,
    seed: u64,
) -> Vec<ScheduledFault> {
    let kinds: Vec<FaultKind> = spec
        .kinds
        .iter()
        .copied()
        .filter(|k| targets.allows(*k))
        .collect();
    let mut rng = SimRng::new(seed);
    let mut out = Vec::new();
    if kinds.is_empty() || spec.faults_per_minute <= 0.0 {
        return out;
    }
    let last = duration_ms.saturating_sub(spec.quiet_end_ms);
    // When each track (the network, the processes) is free again.
    let mut free = [0 as Millis; 2];
    let mut t = spec.quiet_start_ms as f64;
    let mean_gap = 60_000.0 / spec.faults_per_minute;
    loop {
        // Exponential gaps: a Poisson process of fault starts.
        t += -mean_gap * (1.0 - rng.unit()).ln();
        if t >= last as f64 {
            break;
        }
        let kind = kinds[rng.below(kinds.len() as u64) as usize];
        let track = kind.track();
        let start = (t as Millis).max(free[track]);
        let span = spec.max_fault_ms - spec.min_fault_ms;
        let end = start + spec.min_fault_ms + rng.below(span + 1);
        if end > last {
            continue;
        }
        free[track] = end + 1;
        let (begin, repair) = episode(kind, targets, &mut rng, end - start);
        out.extend(begin.into_iter().map(|action| ScheduledFault {
            at_ms: start,
            action,
        }));
        if let Some(repair) = repair {
            out.push(ScheduledFault {
                at_ms: end,
                action: repair,
            });
        }
    }
    crate::sort::by_key(&mut out, |f| f.at_ms);
    out
}

fn pick<'a>(rng: &mut SimRng, list: &'a [String]) -> &'a String {
    &list[rng.below(list.len() as u64) as usize]
}

/// A fault of `kind` (one action, or several at one moment) and what repairs it `ms`
/// later (nothing for a pause, which ends by itself).
fn episode(
    kind: FaultKind,
    t: &Targets,
    rng: &mut SimRng,
    ms: Millis,
) -> (Vec<FaultAction>, Option<FaultAction>) {
    match kind {
        FaultKind::Partition => {
            let n = t.boxes.len();
            // Half the time a set of boxes cut off together, half the time the boxes
            // scattered over two or three islands: partitions of any shape.
            if rng.below(2) == 0 {
                let mut boxes: Vec<String> = Vec::new();
                let size = 1 + rng.below((n - 1) as u64) as usize;
                let mut order: Vec<usize> = (0..n).collect();
                shuffle(rng, &mut order);
                order.truncate(size);
                order.sort_unstable();
                boxes.extend(order.into_iter().map(|i| t.boxes[i].clone()));
                (
                    vec![FaultAction::Isolate { boxes }],
                    Some(FaultAction::Heal),
                )
            } else {
                // Boxes scattered over two or three islands, by moving each box that
                // leaves island 0 (what dragging boxes on the canvas does).
                let islands = 2 + rng.below(if n >= 3 { 2 } else { 1 }) as u32;
                let mut of: Vec<u32> = (0..n).map(|_| rng.below(islands as u64) as u32).collect();
                // At least two islands inhabited, or it is no partition.
                if of.iter().all(|i| *i == of[0]) {
                    let k = rng.below(n as u64) as usize;
                    of[k] = (of[k] + 1) % islands;
                }
                let moves = of
                    .iter()
                    .enumerate()
                    .filter(|(_, island)| **island != 0)
                    .map(|(i, island)| FaultAction::MoveBox {
                        box_name: t.boxes[i].clone(),
                        island: *island,
                    })
                    .collect();
                (moves, Some(FaultAction::Heal))
            }
        }
        FaultKind::OneWay => {
            let n = t.boxes.len() as u64;
            let from = rng.below(n) as usize;
            let to = (from + 1 + rng.below(n - 1) as usize) % n as usize;
            (
                vec![FaultAction::CutOneWay {
                    from: t.boxes[from].clone(),
                    to: t.boxes[to].clone(),
                }],
                Some(FaultAction::RepairOneWay {
                    from: t.boxes[from].clone(),
                    to: t.boxes[to].clone(),
                }),
            )
        }
        FaultKind::Bridge => {
            // One box hears both sides; the others are split in two.
            let mut order: Vec<usize> = (0..t.boxes.len()).collect();
            shuffle(rng, &mut order);
            let rest = &order[1..];
            let cut = 1 + rng.below((rest.len() - 1) as u64) as usize;
            let mut a: Vec<usize> = rest[..cut].to_vec();
            let mut b: Vec<usize> = rest[cut..].to_vec();
            a.sort_unstable();
            b.sort_unstable();
            let names = |v: Vec<usize>| v.into_iter().map(|i| t.boxes[i].clone()).collect();
            (
                vec![FaultAction::Bridge {
                    a: names(a),
                    b: names(b),
                }],
                Some(FaultAction::Heal),
            )
        }
        FaultKind::Pause => (
            vec![FaultAction::Pause {
                process: pick(rng, &t.servers).clone(),
                ms,
            }],
            None,
        ),
        FaultKind::Crash => {
            let p = pick(rng, &t.servers).clone();
            (
                vec![FaultAction::Crash { process: p.clone() }],
                Some(FaultAction::Restart {
                    process: p,
                    persist: None,
                }),
            )
        }
        FaultKind::SlowDisk => {
            let p = pick(rng, &t.disks).clone();
            // Between a saturated disk (200 ms a sync) and a failing one (2 s).
            let sync = 200 + rng.below(1_801);
            (
                vec![FaultAction::SlowDisk {
                    process: p.clone(),
                    ms: sync,
                }],
                Some(FaultAction::RestoreDisk { process: p }),
            )
        }
        FaultKind::ClockJump => {
            let p = pick(rng, &t.clocks).clone();
            // A step of 1 to 30 s either way, then stepped back, as Jepsen's clock
            // nemesis bumps and resets.
            let by = 1_000 + rng.below(29_001) as i64;
            let by = if rng.below(2) == 0 { by } else { -by };
            (
                vec![FaultAction::ClockJump {
                    process: p.clone(),
                    by_ms: by,
                }],
                Some(FaultAction::ClockJump {
                    process: p,
                    by_ms: -by,
                }),
            )
        }
    }
}

/// Fisher–Yates with the drill's own generator.
fn shuffle(rng: &mut SimRng, v: &mut [usize]) {
    for i in (1..v.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        v.swap(i, j);
    }
}
