//! Invariants over many seeds and random fault schedules. Each property says how many
//! random runs it checked; a failure prints the failing seed and schedule, shrunk.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use sim::fault::{FaultAction, ScheduledFault};
use sim::presets::find;
use sim::{Scenario, Signal};

const BOXES: [&str; 3] = ["box1", "box2", "box3"];
const PROCS: [&str; 6] = ["M1", "R1", "R2", "S1", "S2", "S3"];

fn action() -> impl Strategy<Value = FaultAction> {
    prop_oneof![
        (0..3usize).prop_map(|b| FaultAction::Isolate {
            boxes: vec![BOXES[b].into()]
        }),
        Just(FaultAction::Heal),
        (0..6usize, 0..6usize, any::<bool>()).prop_map(|(a, b, one_way)| FaultAction::CutLink {
            a: PROCS[a].into(),
            b: PROCS[b].into(),
            one_way
        }),
        (0..3usize, 0..3usize).prop_map(|(a, b)| FaultAction::CutOneWay {
            from: BOXES[a].into(),
            to: BOXES[b].into()
        }),
        (0..3usize).prop_map(|p| FaultAction::Crash {
            process: PROCS[p].into()
        }),
        (0..3usize, any::<bool>()).prop_map(|(p, persist)| FaultAction::Restart {
            process: PROCS[p].into(),
            persist: Some(persist)
        }),
        (0..6usize, 100..8000u64).prop_map(|(p, ms)| FaultAction::Pause {
            process: PROCS[p].into(),
            ms
        }),
    ]
}

/// Between `len.start` and `len.end` faults drawn from `action`, each at a moment in `at`.
fn faults(
    at: std::ops::Range<u64>,
    action: impl Strategy<Value = FaultAction>,
    len: std::ops::Range<usize>,
) -> impl Strategy<Value = Vec<ScheduledFault>> {
    prop::collection::vec(
        (at, action).prop_map(|(at_ms, action)| ScheduledFault { at_ms, action }),
        len,
    )
}

fn schedule() -> impl Strategy<Value = Vec<ScheduledFault>> {
    faults(0..80_000, action(), 0..8)
}

fn scenario(name: &str, seed: u64, faults: Vec<ScheduledFault>, quorum: u32) -> Scenario {
    let mut s = find(name)
        .unwrap()
        .scenario()
        .with_override("quorum", &quorum.to_string())
        .unwrap();
    s.seed = seed;
    s.faults = faults;
    s.faults.push(ScheduledFault {
        at_ms: 80_000,
        action: FaultAction::Heal,
    });
    s
}

fn signals(s: &Scenario) -> Vec<Signal> {
    let mut sim = sim::build(s, Default::default()).unwrap();
    sim.run_until(s.duration_ms);
    sim.signals().iter().map(|r| r.signal.clone()).collect()
}

/// How many random runs had at least one failover: the property says something only if many do.
static WITH_FAILOVER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn failovers_per_epoch_unique(
    (seed, faults, quorum): (u64, Vec<ScheduledFault>, u32),
) -> Result<(), TestCaseError> {
    let mut epochs: Vec<u64> = signals(&scenario(
        "sentinel-old-master-isolated",
        seed,
        faults,
        quorum,
    ))
    .into_iter()
    .filter_map(|s| match s {
        Signal::NewLeader { epoch, .. } => Some(epoch),
        _ => None,
    })
    .collect();
    let n = epochs.len();
    if n > 0 {
        WITH_FAILOVER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    epochs.sort_unstable();
    epochs.dedup();
    prop_assert_eq!(epochs.len(), n, "two promotions in one epoch");
    Ok(())
}

fn storage_tokens_monotonic(
    (seed, faults): (u64, Vec<ScheduledFault>),
) -> Result<(), TestCaseError> {
    let mut newest = 0;
    for s in signals(&scenario("sentinel-fencing", seed, faults, 2)) {
        match s {
            Signal::FencingAccepted { token, .. } => {
                prop_assert!(token >= newest, "accepted {} after {}", token, newest);
                newest = token;
            }
            Signal::FencingRejected { token, newest: n } => prop_assert!(token < n && n == newest),
            _ => {}
        }
    }
    Ok(())
}

fn no_faults_no_loss((seed, quorum, loss): (u64, u32, f64)) -> Result<(), TestCaseError> {
    let mut s = scenario("sentinel-old-master-isolated", seed, Vec::new(), quorum);
    s.faults.clear();
    s.network.loss = loss;
    let o = sim::simulation::run(&s).unwrap();
    prop_assert!(o.writes_acked > 1000);
    prop_assert_eq!(o.acked_writes_lost, 0);
    prop_assert!(o.new_leaders.is_empty());
    Ok(())
}

const RAFT_BOXES: [&str; 5] = ["box1", "box2", "box3", "box4", "box5"];
const MEMBERS: [&str; 5] = ["N1", "N2", "N3", "N4", "N5"];

/// Faults for a five-member etcd cluster: partitions, one-way cuts, pauses, crashes
/// with restarts (with the WAL), slow disks and their repairs.
fn raft_action() -> impl Strategy<Value = FaultAction> {
    prop_oneof![
        prop::collection::vec(0..5usize, 1..3).prop_map(|bs| FaultAction::Isolate {
            boxes: bs.into_iter().map(|b| RAFT_BOXES[b].into()).collect()
        }),
        Just(FaultAction::Heal),
        (0..5usize, 0..5usize).prop_map(|(a, b)| FaultAction::CutOneWay {
            from: RAFT_BOXES[a].into(),
            to: RAFT_BOXES[b].into()
        }),
        (0..5usize, 100..5000u64).prop_map(|(p, ms)| FaultAction::Pause {
            process: MEMBERS[p].into(),
            ms
        }),
        (0..5usize).prop_map(|p| FaultAction::Crash {
            process: MEMBERS[p].into()
        }),
        (0..5usize).prop_map(|p| FaultAction::Restart {
            process: MEMBERS[p].into(),
            persist: Some(true)
        }),
        (0..5usize, 50..3000u64).prop_map(|(p, ms)| FaultAction::SlowDisk {
            process: MEMBERS[p].into(),
            ms
        }),
        (0..5usize).prop_map(|p| FaultAction::RestoreDisk {
            process: MEMBERS[p].into()
        }),
    ]
}

/// The faults within the first 35 s, then a heal, every member restarted with its
/// disk and its disk restored, and 10 s to converge: what a write is judged against
/// is what a client reading the converged state would see, not a leader that cannot
/// commit yet.
fn then_converge(faults: Vec<ScheduledFault>) -> Vec<ScheduledFault> {
    let mut out: Vec<ScheduledFault> = faults
        .into_iter()
        .map(|f| ScheduledFault {
            at_ms: f.at_ms % 35_000,
            action: f.action,
        })
        .collect();
    out.push(ScheduledFault {
        at_ms: 35_000,
        action: FaultAction::Heal,
    });
    for m in MEMBERS {
        out.push(ScheduledFault {
            at_ms: 35_000,
            action: FaultAction::Restart {
                process: m.into(),
                persist: Some(true),
            },
        });
        out.push(ScheduledFault {
            at_ms: 35_000,
            action: FaultAction::RestoreDisk { process: m.into() },
        });
    }
    out
}

/// How many random Raft runs elected more than one leader over the run.
static RAFT_ELECTIONS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn raft_invariants(
    (seed, faults, pre_vote): (u64, Vec<ScheduledFault>, bool),
) -> Result<(), TestCaseError> {
    let mut s = find("raft-minority-leader")
        .unwrap()
        .scenario()
        .with_override("pre_vote", &pre_vote.to_string())
        .unwrap();
    s.seed = seed;
    s.faults = then_converge(faults);
    let mut sim = sim::build(&s, Default::default()).unwrap();
    sim.run_until(s.duration_ms);
    if sim.outcome().new_leaders.len() > 1 {
        RAFT_ELECTIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    for i in sim.check_invariants() {
        prop_assert!(i.violation.is_none(), "{}: {:?}", i.name, i.violation);
    }
    Ok(())
}

const HOSTS: [&str; 3] = ["host1", "host2", "host3"];
const PATRONI: [&str; 6] = ["pg1", "pg2", "pg3", "etcd1", "etcd2", "etcd3"];

fn patroni_action() -> impl Strategy<Value = FaultAction> {
    prop_oneof![
        (0..3usize).prop_map(|b| FaultAction::Isolate {
            boxes: vec![HOSTS[b].into()]
        }),
        Just(FaultAction::Heal),
        (0..6usize, 0..6usize).prop_map(|(a, b)| FaultAction::CutLink {
            a: PATRONI[a].into(),
            b: PATRONI[b].into(),
            one_way: false
        }),
        (0..6usize).prop_map(|p| FaultAction::Crash {
            process: PATRONI[p].into()
        }),
        (0..6usize).prop_map(|p| FaultAction::Restart {
            process: PATRONI[p].into(),
            persist: Some(true)
        }),
    ]
}

static PATRONI_FAILOVERS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// Strict synchronous mode with a Patroni release that has the fix: no acknowledged
/// write is lost, the DCS never holds two owners of the leader key, and no two
/// primaries acknowledge synchronous commits at once.
fn patroni_strict_loses_nothing(
    (seed, faults): (u64, Vec<ScheduledFault>),
) -> Result<(), TestCaseError> {
    let mut s = find("patroni-sync-isolated")
        .unwrap()
        .scenario()
        .with_override("synchronous_mode_strict", "true")
        .unwrap()
        .with_override("patroni_version", "3.0.3")
        .unwrap();
    s.seed = seed;
    s.faults = faults;
    s.faults.push(ScheduledFault {
        at_ms: 70_000,
        action: FaultAction::Heal,
    });
    for p in PATRONI {
        s.faults.push(ScheduledFault {
            at_ms: 70_000,
            action: FaultAction::Restart {
                process: p.into(),
                persist: Some(true),
            },
        });
    }
    let mut sim = sim::build(&s, Default::default()).unwrap();
    sim.run_until(s.duration_ms);
    let o = sim.outcome();
    if !o.new_leaders.is_empty() {
        PATRONI_FAILOVERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    prop_assert_eq!(o.acked_writes_lost, 0, "{:?}", o.lost_writes.first());
    for i in sim.check_invariants() {
        if i.name.starts_with("the leader key") || i.name.starts_with("never two primaries") {
            prop_assert!(i.violation.is_none(), "{}: {:?}", i.name, i.violation);
        }
    }
    Ok(())
}

const REDLOCK_BOXES: [&str; 8] = [
    "redis1", "redis2", "redis3", "redis4", "redis5", "app1", "app2", "db",
];
const REDLOCK: [&str; 7] = ["M1", "M2", "M3", "M4", "M5", "C1", "C2"];

fn redlock_action() -> impl Strategy<Value = FaultAction> {
    prop_oneof![
        (0..8usize).prop_map(|b| FaultAction::Isolate {
            boxes: vec![REDLOCK_BOXES[b].into()]
        }),
        Just(FaultAction::Heal),
        (0..7usize, 0..7usize).prop_map(|(a, b)| FaultAction::CutLink {
            a: REDLOCK[a].into(),
            b: REDLOCK[b].into(),
            one_way: false
        }),
        (0..7usize).prop_map(|p| FaultAction::Crash {
            process: REDLOCK[p].into()
        }),
        (0..7usize).prop_map(|p| FaultAction::Restart {
            process: REDLOCK[p].into(),
            persist: Some(true)
        }),
    ]
}

static REDLOCK_REFUSALS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// RedLock under the assumptions redis.io states: partitions, cut links and crashes
/// of masters that keep their keys (`appendfsync always`), but no pause and no clock
/// step. No client then holds the lock while another does, and no stale write lands.
fn redlock_safe_under_its_assumptions(
    (seed, faults): (u64, Vec<ScheduledFault>),
) -> Result<(), TestCaseError> {
    let mut s = find("redlock-majority")
        .unwrap()
        .scenario()
        .with_override("appendonly", "true")
        .unwrap()
        .with_override("appendfsync", "always")
        .unwrap();
    s.seed = seed;
    s.faults = faults;
    let mut sim = sim::build(&s, Default::default()).unwrap();
    sim.run_until(s.duration_ms);
    // Whether a lock was taken while some master was down: the runs that test the
    // majority rather than a calm cluster.
    let mut down = std::collections::BTreeSet::new();
    let mut with_master_down = false;
    for r in sim.signals().iter() {
        match &r.signal {
            sim::Signal::Fault { label, .. } => {
                let mut words = label.split(' ');
                match (words.next(), words.next()) {
                    (Some("crash"), Some(p)) if p.starts_with('M') => {
                        down.insert(p.to_string());
                    }
                    (Some("restart"), Some(p)) => {
                        down.remove(p);
                    }
                    _ => {}
                }
            }
            sim::Signal::LockAcquired { .. } if !down.is_empty() => with_master_down = true,
            _ => {}
        }
    }
    if with_master_down {
        REDLOCK_REFUSALS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    for i in sim.check_invariants() {
        prop_assert!(i.violation.is_none(), "{}: {:?}", i.name, i.violation);
    }
    Ok(())
}

const ETCD_LOCK: [&str; 5] = ["N1", "N2", "N3", "C1", "C2"];

fn etcd_lock_action() -> impl Strategy<Value = FaultAction> {
    prop_oneof![
        (0..3usize).prop_map(|b| FaultAction::Isolate {
            boxes: vec![format!("box{}", b + 1)]
        }),
        Just(FaultAction::Heal),
        (0..5usize, 0..5usize).prop_map(|(a, b)| FaultAction::CutLink {
            a: ETCD_LOCK[a].into(),
            b: ETCD_LOCK[b].into(),
            one_way: false
        }),
        (3..5usize, 1_000..25_000u64).prop_map(|(p, ms)| FaultAction::Pause {
            process: ETCD_LOCK[p].into(),
            ms
        }),
        (0..3usize).prop_map(|p| FaultAction::Crash {
            process: ETCD_LOCK[p].into()
        }),
        (0..3usize).prop_map(|p| FaultAction::Restart {
            process: ETCD_LOCK[p].into(),
            persist: Some(true)
        }),
    ]
}

static ETCD_LOCK_TWICE: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// An etcd lease lock with fencing on: pauses, partitions and crashes may let two
/// clients believe they hold the lock, but the lock's revision only grows, so the
/// storage never takes an older holder's write after a newer holder's.
fn etcd_lock_fenced((seed, faults): (u64, Vec<ScheduledFault>)) -> Result<(), TestCaseError> {
    let mut s = find("etcd-lease-lock-pause")
        .unwrap()
        .scenario()
        .with_override("fencing", "true")
        .unwrap();
    s.seed = seed;
    s.faults = faults;
    let mut sim = sim::build(&s, Default::default()).unwrap();
    sim.run_until(s.duration_ms);
    let o = sim.outcome();
    if o.locks_held_twice > 0 {
        ETCD_LOCK_TWICE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    prop_assert_eq!(o.stale_writes_accepted, 0);
    for i in sim.check_invariants() {
        if i.name == sim::system::NO_STALE_WRITE {
            prop_assert!(i.violation.is_none(), "{}: {:?}", i.name, i.violation);
        }
    }
    Ok(())
}

const LWW_NODES: [&str; 3] = ["N1", "N2", "N3"];

fn lww_action() -> impl Strategy<Value = FaultAction> {
    prop_oneof![
        (0..3usize).prop_map(|p| FaultAction::Crash {
            process: LWW_NODES[p].into()
        }),
        (0..3usize).prop_map(|p| FaultAction::Restart {
            process: LWW_NODES[p].into(),
            persist: Some(true)
        }),
        (0..3usize, 100..25_000u64).prop_map(|(p, ms)| FaultAction::Pause {
            process: LWW_NODES[p].into(),
            ms
        }),
    ]
}

/// Runs of the W + R > N property in which some request failed or timed out.
static LWW_DISRUPTED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// A last-write-wins store with W + R > N, its clocks right and nothing cut: nodes
/// crash, restart with their data and pause, yet no successful read returns a version
/// older than a write acknowledged before the read began.
fn lww_overlapping_quorums(
    (seed, faults, levels): (u64, Vec<ScheduledFault>, usize),
) -> Result<(), TestCaseError> {
    let (w, r) = [("QUORUM", "QUORUM"), ("ALL", "ONE"), ("ONE", "ALL")][levels];
    let mut s = find("lww-partition")
        .unwrap()
        .scenario()
        .with_override("write_consistency", w)
        .unwrap()
        .with_override("read_consistency", r)
        .unwrap();
    s.seed = seed;
    s.faults = faults;
    let mut sim = sim::build(&s, Default::default()).unwrap();
    sim.run_until(s.duration_ms);
    let o = sim.outcome();
    if o.writes_unknown + o.writes_rejected > 0 {
        LWW_DISRUPTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    prop_assert_eq!(o.stale_reads, 0, "W = {}, R = {}", w, r);
    Ok(())
}

/// Runs of the etcd optimistic-concurrency property in which a compare failed.
static ETCD_CONFLICTS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// Optimistic concurrency on a linearizable register: clients update one document
/// with a Txn that compares its mod_revision; whatever the faults, once the cluster
/// has converged no acknowledged update is overwritten.
fn etcd_compare_and_set_loses_nothing(
    (seed, faults): (u64, Vec<ScheduledFault>),
) -> Result<(), TestCaseError> {
    let mut s = find("raft-minority-leader")
        .unwrap()
        .scenario()
        .with_override("client.workload", "document")
        .unwrap();
    s.seed = seed;
    s.faults = then_converge(faults);
    let mut sim = sim::build(&s, Default::default()).unwrap();
    sim.run_until(s.duration_ms);
    let o = sim.outcome();
    if o.rejected_by_reason.contains_key("compare failed") {
        ETCD_CONFLICTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    prop_assert_eq!(o.acked_writes_lost, 0, "{:?}", o.lost_writes);
    Ok(())
}

/// A random history of one register, concurrent but linearizable by construction:
/// each operation takes effect at a point within its interval, in the order of those
/// points, on a sequential register; some writes never answer (unknown), and a
/// compare-and-set that found another value is a definite failure.
fn linearizable_history() -> impl Strategy<Value = Vec<sim::check::Operation>> {
    use sim::check::{Call, Operation, Status};
    prop::collection::vec(
        (0..4u8, 0..1000i64, 0..60i64, 0..1000u32, 0..3u8, 0..10u8),
        1..60,
    )
    .prop_map(|raw| {
        let ops: Vec<(i64, Operation)> = raw
            .iter()
            .enumerate()
            .map(|(i, &(p, invoke, len, at, kind, unknown))| {
                let point = invoke + (at as i64 * len) / 1000;
                let call = match kind {
                    0 => Call::Read,
                    1 => Call::Write {
                        value: i as u64 + 1,
                    },
                    _ => Call::Cas {
                        from: 0,
                        to: i as u64 + 1,
                    },
                };
                let info = unknown == 0 && kind != 0;
                (
                    point,
                    Operation {
                        process: p.to_string(),
                        key: "x".into(),
                        call,
                        read: None,
                        invoke,
                        complete: (!info).then_some(invoke + len),
                        status: if info { Status::Info } else { Status::Ok },
                    },
                )
            })
            .collect();
        sim::check::take_effect_at(ops)
    })
}

fn sequential_runs_are_linearizable(h: Vec<sim::check::Operation>) -> Result<(), TestCaseError> {
    prop_assert_eq!(sim::check::check(&h).linearizable, Some(true));
    Ok(())
}

static PERTURBED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// A read made to return a value strictly older in real time than one it must see: a
/// write W' completed before W was invoked, W completed before the read began, and the
/// read now returns W''s value. No order can explain it.
fn stale_read_is_caught(h: Vec<sim::check::Operation>) -> Result<(), TestCaseError> {
    use sim::check::{Call, Status};
    let mut h = h;
    let acked = |o: &sim::check::Operation| o.status == Status::Ok;
    let mut found = None;
    'search: for (r, read) in h.iter().enumerate() {
        if read.call != Call::Read || !acked(read) {
            continue;
        }
        for w in h.iter().filter(|w| acked(w) && w.written().is_some()) {
            if w.complete.is_none_or(|c| c >= read.invoke) {
                continue;
            }
            for old in h.iter().filter(|o| acked(o) && o.written().is_some()) {
                if old.complete.is_some_and(|c| c < w.invoke) {
                    found = Some((r, old.written()));
                    break 'search;
                }
            }
        }
    }
    let Some((r, old)) = found else {
        return Ok(());
    };
    PERTURBED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    h[r].read = old;
    prop_assert_eq!(sim::check::check(&h).linearizable, Some(false));
    Ok(())
}

/// Runs one property over [`cases`] random inputs and says how it went.
fn check<S: Strategy>(
    name: &str,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) -> bool
where
    S::Value: std::fmt::Debug,
{
    let cases = cases();
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    match TestRunner::new(config).run(&strategy, test) {
        Ok(()) => {
            println!("property {name}: {cases} random runs passed");
            true
        }
        Err(e) => {
            println!("property {name}: FAILED after shrinking: {e}");
            false
        }
    }
}

/// Random runs per property; `SBL_PROPERTY_CASES` raises it for a longer hunt.
fn cases() -> u32 {
    std::env::var("SBL_PROPERTY_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

fn main() {
    let ok = [
        check(
            "never two Sentinel-authorized failovers in one epoch",
            (any::<u64>(), schedule(), 1..4u32),
            failovers_per_epoch_unique,
        ),
        check(
            "with fencing on, storage never accepts a token older than one it accepted",
            (any::<u64>(), schedule()),
            storage_tokens_monotonic,
        ),
        check(
            "with no faults, no acknowledged write is lost",
            (any::<u64>(), 1..4u32, 0.0..0.02f64),
            no_faults_no_loss,
        ),
        check(
            "etcd/Raft: one leader per term, committed prefixes agree, no acknowledged write lost",
            (
                any::<u64>(),
                faults(0..35_000u64, raft_action(), 2..12),
                any::<bool>(),
            ),
            raft_invariants,
        ),
        check(
            "Patroni 3.0.3, strict synchronous mode: no acknowledged write lost, one leader-key owner, never two primaries acknowledging synchronous commits at once",
            (
                any::<u64>(),
                faults(15_000..65_000u64, patroni_action(), 1..8),
            ),
            patroni_strict_loses_nothing,
        ),
        check(
            "RedLock without pauses or clock steps, masters keeping their keys: no lock held twice, no stale write accepted",
            (
                any::<u64>(),
                faults(0..35_000u64, redlock_action(), 1..10),
            ),
            redlock_safe_under_its_assumptions,
        ),
        check(
            "etcd lease lock with fencing: the storage never takes an older holder's write after a newer holder's",
            (
                any::<u64>(),
                faults(0..35_000u64, etcd_lock_action(), 1..8),
            ),
            etcd_lock_fenced,
        ),
        check(
            "last-write-wins with W + R > N, clocks right, nothing cut: no read misses an acknowledged write",
            (
                any::<u64>(),
                faults(0..55_000u64, lww_action(), 0..8),
                0..3usize,
            ),
            lww_overlapping_quorums,
        ),
        check(
            "etcd, optimistic concurrency (Txn on mod_revision): no acknowledged update overwritten",
            (
                any::<u64>(),
                faults(0..35_000u64, raft_action(), 1..10),
            ),
            etcd_compare_and_set_loses_nothing,
        ),
        check(
            "the linearizability checker: every history of a sequential register, run concurrently, is linearizable",
            linearizable_history(),
            sequential_runs_are_linearizable,
        ),
        check(
            "the linearizability checker: a read made to return a value older in real time than one it must see is caught",
            linearizable_history(),
            stale_read_is_caught,
        ),
    ];
    println!(
        "  ({} of the checker's random histories had a read to make stale)",
        PERTURBED.load(std::sync::atomic::Ordering::Relaxed)
    );
    println!(
        "  ({} of the last-write-wins property's random runs had a request fail or time out)",
        LWW_DISRUPTED.load(std::sync::atomic::Ordering::Relaxed)
    );
    println!(
        "  ({} of the etcd optimistic-concurrency property's random runs had a compare fail)",
        ETCD_CONFLICTS.load(std::sync::atomic::Ordering::Relaxed)
    );
    println!(
        "  ({} of the etcd lock property's random runs held the lock twice)",
        ETCD_LOCK_TWICE.load(std::sync::atomic::Ordering::Relaxed)
    );
    println!(
        "  ({} of the RedLock property's random runs granted a lock while a master was down)",
        REDLOCK_REFUSALS.load(std::sync::atomic::Ordering::Relaxed)
    );
    println!(
        "  ({} of the Patroni property's random runs promoted a standby)",
        PATRONI_FAILOVERS.load(std::sync::atomic::Ordering::Relaxed)
    );
    println!(
        "  ({} of the failover property's random runs had at least one failover)",
        WITH_FAILOVER.load(std::sync::atomic::Ordering::Relaxed)
    );
    println!(
        "  ({} of the Raft property's random runs elected more than one leader)",
        RAFT_ELECTIONS.load(std::sync::atomic::Ordering::Relaxed)
    );
    let passed = ok.iter().filter(|x| **x).count();
    println!("{passed} passed, {} failed", ok.len() - passed);
    if passed != ok.len() {
        std::process::exit(1);
    }
}
