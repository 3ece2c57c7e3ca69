//! The network's paired faults, seen in the trace of a three-member etcd cluster:
//! a hold delays and loses nothing, a repaired link carries traffic again, a bridge
//! keeps its middle box in touch with both sides, and a one-way cut stalls a
//! connection both ways, as TCP does.

use sim::fault::{FaultAction, ScheduledFault};
use sim::presets::find;
use sim::simulation::RunOptions;
use sim::trace::{DropReason, TraceKind, TraceRecord};
use sim::{ProcId, Scenario};

fn cluster(faults: Vec<(u64, FaultAction)>) -> Scenario {
    let mut s = find("raft-leader-pause").unwrap().scenario();
    s.faults = faults
        .into_iter()
        .map(|(at_ms, action)| ScheduledFault { at_ms, action })
        .collect();
    s
}

fn trace(s: &Scenario) -> (Vec<TraceRecord>, sim::Outcome) {
    let mut run = sim::build(
        s,
        RunOptions {
            narrate: false,
            keep_trace: true,
        },
    )
    .unwrap();
    run.run_until(s.duration_ms);
    (run.trace().to_vec(), run.outcome())
}

fn id(s: &Scenario, name: &str) -> ProcId {
    ProcId(s.processes().position(|(_, p)| p.name == name).unwrap() as u16)
}

/// Messages cut by the network between `a` and `b` (either way), with their times.
fn cut_between(t: &[TraceRecord], a: ProcId, b: ProcId) -> Vec<u64> {
    t.iter()
        .filter_map(|r| match r.kind {
            TraceKind::Drop {
                from,
                to,
                reason: DropReason::Partition,
                ..
            } if (from, to) == (a, b) || (from, to) == (b, a) => Some(r.time_ms),
            _ => None,
        })
        .collect()
}

fn delivered_between(t: &[TraceRecord], a: ProcId, b: ProcId, from: u64, to: u64) -> usize {
    t.iter()
        .filter(|r| (from..to).contains(&r.time_ms))
        .filter(|r| matches!(r.kind, TraceKind::Deliver { from: f, to: x, .. } if (f, x) == (a, b) || (f, x) == (b, a)))
        .count()
}

#[test]
fn a_hold_delays_traffic_and_loses_none_of_it() {
    let hold = |a: &str, b: &str| FaultAction::Hold {
        a: a.into(),
        b: b.into(),
    };
    let s = cluster(vec![
        (10_000, hold("box1", "box2")),
        (10_000, hold("box1", "box3")),
        (13_000, FaultAction::Release),
    ]);
    let (t, o) = trace(&s);
    let (n1, n2) = (id(&s, "N1"), id(&s, "N2"));
    assert!(cut_between(&t, n1, n2).is_empty(), "nothing is dropped");
    assert_eq!(
        delivered_between(&t, n1, n2, 10_001, 13_000),
        0,
        "nothing arrives while held"
    );
    assert!(
        delivered_between(&t, n1, n2, 13_000, 13_001) > 10,
        "what was held arrives at the release"
    );
    // Three seconds without heartbeats: the followers elect another leader meanwhile.
    assert!(!o.new_leaders.is_empty());
    assert_eq!(o.acked_writes_lost, 0);
}

#[test]
fn a_repaired_link_carries_traffic_again() {
    let (a, b) = ("N1".to_string(), "N2".to_string());
    let s = cluster(vec![
        (
            10_000,
            FaultAction::CutLink {
                a: a.clone(),
                b: b.clone(),
                one_way: false,
            },
        ),
        (
            12_000,
            FaultAction::RepairLink {
                a,
                b,
                one_way: false,
            },
        ),
    ]);
    let (t, _) = trace(&s);
    let (n1, n2) = (id(&s, "N1"), id(&s, "N2"));
    let cut = cut_between(&t, n1, n2);
    assert!(!cut.is_empty());
    assert!(cut.iter().all(|t| (10_000..12_010).contains(t)), "{cut:?}");
    assert!(delivered_between(&t, n1, n2, 12_100, 30_000) > 100);
}

#[test]
fn a_bridge_keeps_its_middle_box_in_touch_with_both_sides() {
    let s = cluster(vec![(
        10_000,
        FaultAction::Bridge {
            a: vec!["box1".into()],
            b: vec!["box3".into()],
        },
    )]);
    let (t, o) = trace(&s);
    let (n1, n2, n3) = (id(&s, "N1"), id(&s, "N2"), id(&s, "N3"));
    assert!(
        !cut_between(&t, n1, n3).is_empty(),
        "the two sides are cut apart"
    );
    assert!(cut_between(&t, n1, n2).is_empty() && cut_between(&t, n2, n3).is_empty());
    assert!(delivered_between(&t, n2, n3, 11_000, 30_000) > 0);
    // The leader N1 still reaches a majority (itself and N2) through the bridge.
    assert_eq!(o.acked_writes_lost, 0);
}

#[test]
fn a_one_way_cut_stalls_a_tcp_connection_both_ways() {
    // Only packets from box2 to box1 are cut. etcd peers answer on the connection the
    // receiver opened, so N2's traffic to N1 stops, and so do N1's messages to N2,
    // whose acknowledgements would have to cross the cut.
    let s = cluster(vec![(
        10_000,
        FaultAction::CutOneWay {
            from: "box2".into(),
            to: "box1".into(),
        },
    )]);
    let (t, _) = trace(&s);
    let (n1, n2) = (id(&s, "N1"), id(&s, "N2"));
    let to_n2_cut = t.iter().any(|r| {
        r.time_ms > 10_000
            && matches!(r.kind, TraceKind::Drop { from, to, reason: DropReason::Partition, .. } if (from, to) == (n1, n2))
    });
    assert!(to_n2_cut, "N1's messages to N2 stall too");
    assert_eq!(delivered_between(&t, n1, n2, 10_010, 30_000), 0);
}
