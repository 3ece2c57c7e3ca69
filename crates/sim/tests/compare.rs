//! Side by side on the presets: the same faults and seed with a setting changed, and
//! another system by preset.

use sim::compare::*;

#[test]
fn min_replicas_to_write_side_by_side_bounds_the_loss_on_the_same_faults() {
    let base = sim::presets::find("sentinel-old-master-isolated")
        .unwrap()
        .scenario();
    let changes = parse("min_replicas_to_write=1").unwrap();
    let b = variant(&base, &changes).unwrap();
    assert_eq!(b.faults, base.faults, "the same fault schedule");
    assert_eq!(b.seed, base.seed, "and the same seed");
    let (oa, ob) = (
        sim::simulation::run(&base).unwrap(),
        sim::simulation::run(&b).unwrap(),
    );
    let words = sim::system::find(&base.system).unwrap().words;
    let rows = table(&[&oa, &ob], &words);
    let lost = &rows[0];
    assert_eq!(lost.label, "Acknowledged writes lost");
    assert_eq!(lost.values[0], "403");
    assert!(
        lost.differs && lost.values[1].parse::<u64>().unwrap() < 403,
        "{lost:?}"
    );
    let refused = rows.iter().find(|r| r.label == "Writes refused").unwrap();
    assert!(refused.values[1].contains("NOREPLICAS"), "{refused:?}");
    let (la, lb) = sim::drill::labels(&base, &b);
    let said = sentence(&[(&la, &oa), (&lb, &ob)], &words);
    assert!(said.starts_with("With min_replicas_to_write=1:"), "{said}");
    assert!(
        said.ends_with("with min_replicas_to_write=0: 403."),
        "{said}"
    );
}

#[test]
fn another_system_is_compared_by_preset() {
    let base = sim::presets::find("sentinel-old-master-isolated")
        .unwrap()
        .scenario();
    let other = parse_other("preset:raft-minority-leader").unwrap();
    let (s, (la, lb)) = other_side(&base, &other).unwrap();
    assert_eq!(s.system, "etcd-raft");
    assert_eq!(la, "sentinel-old-master-isolated on Redis with Sentinel");
    assert_eq!(lb, "raft-minority-leader on etcd (Raft)");
    assert!(parse_other("preset:nope")
        .unwrap_err()
        .contains("no preset named `nope`"));
    assert!(matches!(parse_other("quorum=1"), Ok(Other::Changes(_))));
}

#[test]
fn a_change_that_cannot_run_is_refused_in_plain_words() {
    let base = sim::presets::find("sentinel-old-master-isolated")
        .unwrap()
        .scenario();
    let e = variant(&base, &parse("quorum=0").unwrap()).unwrap_err();
    assert!(e.to_string().contains("quorum=0"), "{e}");
    assert!(parse("quorum").unwrap_err().contains("PATH=VALUE"));
    assert!(variant(&base, &[]).is_err());
    assert_eq!(
        write(&parse("quorum=1; down_after_ms=3000").unwrap()),
        "quorum=1;down_after_ms=3000"
    );
}

#[test]
fn three_quorums_side_by_side_on_the_same_faults() {
    let base = sim::presets::find("sentinel-old-master-isolated")
        .unwrap()
        .scenario();
    assert_eq!(
        sides(" quorum=1 | quorum=3;down_after_ms=3000 |"),
        ["quorum=1", "quorum=3;down_after_ms=3000"]
    );
    let mut outcomes = vec![sim::simulation::run(&base).unwrap()];
    let mut labels = vec![];
    for side in sides("quorum=1|min_replicas_to_write=1") {
        let (s, (la, lb)) = other_side(&base, &parse_other(side).unwrap()).unwrap();
        assert_eq!(s.faults, base.faults, "{side}: the same fault schedule");
        if labels.is_empty() {
            labels.push(la);
        }
        labels.push(lb);
        outcomes.push(sim::simulation::run(&s).unwrap());
    }
    let words = sim::system::find(&base.system).unwrap().words;
    let rows = table(&outcomes.iter().collect::<Vec<_>>(), &words);
    assert!(rows.iter().all(|r| r.values.len() == 3));
    let lost = &rows[0];
    assert_eq!(lost.values[0], "403");
    assert!(lost.differs);
    let said = sentence(
        &labels
            .iter()
            .map(String::as_str)
            .zip(outcomes.iter())
            .collect::<Vec<_>>(),
        &words,
    );
    assert!(
        said.starts_with("Acknowledged writes lost: 403 with quorum=2, "),
        "{said}"
    );
    assert!(
        said.contains(" with quorum=1, ") && said.ends_with(" with min_replicas_to_write=1."),
        "{said}"
    );
}

/// What the page and the command line both refuse, in the same words.
#[test]
fn too_many_sides_and_a_preset_with_changes_are_refused() {
    assert_eq!(checked_sides("quorum=1|quorum=3").unwrap().len(), 2);
    let e = checked_sides("quorum=1|quorum=3|quorum=4|down_after_ms=1000").unwrap_err();
    assert!(e.contains("at most 4 sides"), "{e}");
    for text in [
        "preset:raft-minority-leader;quorum=1",
        "quorum=1;preset:raft-minority-leader",
    ] {
        let e = parse_other(text).unwrap_err();
        assert!(e.contains("`preset:NAME` stands alone"), "{text}: {e}");
    }
}
