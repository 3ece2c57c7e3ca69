//! The checker on the classic cases, by hand.

use super::*;

fn op(
    p: &str,
    call: Call,
    read: Value,
    invoke: i64,
    complete: Option<i64>,
    status: Status,
) -> Operation {
    Operation {
        process: p.into(),
        key: "x".into(),
        call,
        read,
        invoke,
        complete,
        status,
    }
}

fn w(p: &str, v: u64, a: i64, b: i64) -> Operation {
    op(p, Call::Write { value: v }, None, a, Some(b), Status::Ok)
}

fn r(p: &str, v: Value, a: i64, b: i64) -> Operation {
    op(p, Call::Read, v, a, Some(b), Status::Ok)
}

fn cas(p: &str, from: u64, to: u64, a: i64, b: i64) -> Operation {
    op(p, Call::Cas { from, to }, None, a, Some(b), Status::Ok)
}

fn unknown_write(p: &str, v: u64, a: i64) -> Operation {
    op(p, Call::Write { value: v }, None, a, None, Status::Info)
}

#[test]
fn a_sequential_history_is_linearizable() {
    let h = [
        r("a", None, 0, 1),
        w("a", 1, 2, 3),
        r("b", Some(1), 4, 5),
        cas("b", 1, 2, 6, 7),
        r("a", Some(2), 8, 9),
    ];
    let v = check(&h);
    assert_eq!(v.linearizable, Some(true), "{v:?}");
    assert_eq!(v.ops, 5);
}

#[test]
fn a_read_of_an_old_value_after_a_newer_write_completed_is_caught() {
    let h = [w("a", 1, 0, 1), w("a", 2, 2, 3), r("b", Some(1), 4, 5)];
    let v = check(&h);
    assert_eq!(v.linearizable, Some(false));
    let x = v.violation.unwrap();
    assert_eq!(
        x.op, 2,
        "the stale read is the operation that cannot be placed"
    );
    assert_eq!(x.value, Some(2));
    assert!(
        x.explanation
            .starts_with("b's read of 1 (invoked at 4, answered at 5) cannot be placed"),
        "{}",
        x.explanation
    );
}

#[test]
fn concurrent_operations_may_take_effect_in_either_order() {
    // The read overlaps both writes: 1 or 2 are both fine, and so is nil.
    for seen in [None, Some(1), Some(2)] {
        let h = [w("a", 1, 0, 10), w("b", 2, 1, 11), r("c", seen, 2, 12)];
        assert_eq!(check(&h).linearizable, Some(true), "read {seen:?}");
    }
    // But once a read saw 1, a later read cannot see nil again.
    let h = [w("a", 1, 0, 10), r("b", Some(1), 2, 3), r("c", None, 4, 5)];
    assert_eq!(check(&h).linearizable, Some(false));
}

#[test]
fn two_acknowledged_compare_and_sets_from_the_same_value_cannot_both_have_happened() {
    let h = [w("a", 0, 0, 1), cas("b", 0, 1, 2, 5), cas("c", 0, 2, 3, 6)];
    assert_eq!(check(&h).linearizable, Some(false));
    // A definite failure did not happen: drop the second and all is well.
    let mut h = h.to_vec();
    h[2].status = Status::Fail;
    assert_eq!(check(&h).linearizable, Some(true));
}

#[test]
fn an_unknown_write_may_explain_a_later_read_or_never_have_happened() {
    let explains = [
        w("a", 1, 0, 1),
        unknown_write("b", 2, 2),
        r("c", Some(2), 5, 6),
    ];
    assert_eq!(check(&explains).linearizable, Some(true));
    let never = [
        w("a", 1, 0, 1),
        unknown_write("b", 2, 2),
        r("c", Some(1), 5, 6),
    ];
    assert_eq!(check(&never).linearizable, Some(true));
    // Without it, the read of 2 has no write to explain it.
    let without = [w("a", 1, 0, 1), r("c", Some(2), 5, 6)];
    assert_eq!(check(&without).linearizable, Some(false));
}

#[test]
fn keys_are_checked_apart_and_the_failing_one_is_named() {
    let mut h = vec![w("a", 1, 0, 1), r("b", Some(1), 2, 3)];
    let mut bad = vec![w("a", 7, 0, 1), w("a", 8, 2, 3), r("b", Some(7), 4, 5)];
    for o in &mut bad {
        o.key = "y".into();
    }
    h.append(&mut bad);
    let v = check(&h);
    assert_eq!((v.keys, v.linearizable), (2, Some(false)));
    assert_eq!(v.violation.unwrap().key, "y");
}

#[test]
fn a_lost_acknowledged_addition_is_a_violation_of_the_final_read() {
    use crate::history::{History, OpId, OpKind, OpResult};
    use crate::ids::ProcId;
    let mut h = History::default();
    h.invoke(OpId(1), ProcId(0), OpKind::Write, 0, 11, 0);
    h.complete(OpId(1), OpResult::Ok, None, 1);
    h.invoke(OpId(2), ProcId(0), OpKind::Write, 0, 12, 2);
    h.complete(OpId(2), OpResult::Ok, None, 3);
    h.invoke(OpId(3), ProcId(0), OpKind::Write, 0, 13, 4);
    h.complete(OpId(3), OpResult::Unknown("timeout".into()), None, 5);
    // The final state holds 11 only: 12 was acknowledged and lost; 13 never happened.
    let data: DataSet = [11u64].into_iter().collect();
    let v = check(&ops_of_history(&h, Some(&data), 10));
    assert_eq!(v.linearizable, Some(false));
    assert_eq!(v.violation.unwrap().key, "0/12");
}

#[test]
fn a_busy_generated_history_is_linearizable_and_a_stale_read_in_it_is_caught() {
    let mut h = bench_history(2000, 1, 5, 3);
    let v = check(&h);
    assert_eq!(v.linearizable, Some(true), "{v:?}");
    // Make the last read return the first value written: long overwritten.
    let first = h.iter().find_map(|o| match (o.call, o.status) {
        (Call::Write { value }, Status::Ok) => Some(value),
        _ => None,
    });
    let last_read = h
        .iter()
        .rposition(|o| o.call == Call::Read && o.status == Status::Ok)
        .unwrap();
    h[last_read].read = first;
    assert_eq!(check(&h).linearizable, Some(false));
}

#[test]
fn an_unknown_write_that_was_read_must_have_happened_before_that_read() {
    // W2's outcome is unknown, but C read 2: W2 happened before C's read completed, so
    // D's later read of 1 is stale.
    let h = [
        w("a", 1, 0, 1),
        unknown_write("b", 2, 2),
        r("c", Some(2), 5, 6),
        r("d", Some(1), 7, 8),
    ];
    assert_eq!(check(&h).linearizable, Some(false));
    // Unknown writes nobody read are left out of the search.
    let h = [
        w("a", 1, 0, 1),
        unknown_write("b", 2, 2),
        unknown_write("b", 3, 3),
        r("c", Some(1), 5, 6),
    ];
    let v = check(&h);
    assert_eq!((v.linearizable, v.ops), (Some(true), 2));
}

#[test]
fn renumbered_values_read_small_and_keep_the_verdict() {
    let mut checked = 0;
    for seed in 0..30 {
        let mut h = bench_history(300, 3, 4, seed);
        // Values as the lab's are: ten-digit operation ids, and set elements as keys.
        for o in &mut h {
            o.call = match o.call {
                Call::Write { value } => Call::Write { value: value << 32 },
                Call::Cas { from, to } => Call::Cas {
                    from: from << 32,
                    to: to << 32,
                },
                c => c,
            };
            o.read = o.read.map(|v| v << 32);
            o.key = format!("{}/{}", o.key, 7u64 << 32);
        }
        if seed % 2 == 1 {
            let last = h.iter().rposition(|o| o.call == Call::Read).unwrap();
            h[last].read = h.iter().find_map(|o| o.written());
        }
        let before = check(&h);
        let mut renumbered = h.clone();
        renumber(&mut renumbered);
        let after = check(&renumbered);
        assert_eq!(before.linearizable, after.linearizable, "seed {seed}");
        assert_eq!(
            before.violation.map(|v| (v.op, v.at, v.before)),
            after.violation.map(|v| (v.op, v.at, v.before)),
            "seed {seed}"
        );
        let most = renumbered.iter().filter_map(|o| o.written()).max().unwrap();
        assert!(most <= 300, "seed {seed}: values 1, 2, 3…, not {most}");
        checked += 1;
    }
    println!("{checked} histories renumbered, each with the same verdict");
}

#[test]
fn jepsens_numbered_processes_read_as_processes() {
    let o = r("3", Some(1), 4, 5);
    assert_eq!(o.who(), "process 3");
    assert!(o.describe().starts_with("process 3's read of 1"));
    assert_eq!(r("C3", None, 4, 5).who(), "C3");
}
