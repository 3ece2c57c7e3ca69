//! Every built-in lesson's answers are what the model shows: each prediction's `shows`
//! is checked on the run at the moment the lesson reveals it.

use sim::lesson::{Check, Lesson};
use sim::simulation::RunOptions;

#[test]
fn every_lesson_reveals_what_the_run_shows() {
    let mut checked = 0;
    for lesson in sim::lesson::all() {
        let mut scenario = None;
        for (i, step) in lesson.steps.iter().enumerate() {
            if let Some(p) = &step.preset {
                scenario = Some(sim::presets::find(p).unwrap().scenario());
            }
            let s = scenario.as_ref().unwrap();
            let at = format!("{} step {i}", lesson.name);
            if let Some(task) = &step.task {
                // The learner has something left to do when the step opens.
                let mut run = sim::build(s, RunOptions::default()).unwrap();
                run.run_until(step.at_ms.unwrap_or(0));
                assert!(
                    !task.done_when.holds(s, &run.view()),
                    "{at}: the task is done already"
                );
                // A setting the learner is asked to change is changed for what follows.
                if let Check::Setting { path, value } = &task.done_when {
                    let v = value.as_str().map_or(value.to_string(), str::to_string);
                    scenario = Some(s.with_override(path, &v).unwrap());
                }
            }
            let s = scenario.as_ref().unwrap();
            let Some(q) = &step.predict else { continue };
            let Some(shows) = &q.shows else { continue };
            let mut run = sim::build(s, RunOptions::default()).unwrap();
            run.run_until(q.play_to_ms);
            let out = run.outcome();
            let view = run.view();
            if let Some(n) = shows.new_leaders {
                assert_eq!(out.new_leaders.len(), n, "{at}: new leaders");
            }
            if let Some(who) = &shows.leads {
                let leads: Vec<&str> = view
                    .crowns()
                    .into_iter()
                    .filter(|c| c.1)
                    .map(|c| view.procs[c.0.idx()].name.as_str())
                    .collect();
                assert_eq!(leads, vec![who.as_str()], "{at}: who leads");
            }
            if let Some(n) = shows.lost_at_least {
                assert!(
                    out.acked_writes_lost >= n,
                    "{at}: {} lost",
                    out.acked_writes_lost
                );
            }
            if let Some(n) = shows.lost_at_most {
                assert!(
                    out.acked_writes_lost <= n,
                    "{at}: {} lost",
                    out.acked_writes_lost
                );
            }
            if let Some(n) = shows.held_twice_at_least {
                assert!(
                    out.locks_held_twice >= n,
                    "{at}: held twice {}",
                    out.locks_held_twice
                );
            }
            if let Some(n) = shows.stale_writes {
                assert_eq!(out.stale_writes_accepted, n, "{at}: stale writes");
            }
            checked += 1;
        }
    }
    println!("{checked} revealed answers checked against their runs");
    assert!(checked >= 10);
}

#[test]
fn a_bad_lesson_file_names_its_field() {
    let good = serde_json::to_value(sim::lesson::find("quorum-1-corrected").unwrap()).unwrap();
    type Edit = fn(&mut serde_json::Value);
    let cases: [(Edit, &str); 6] = [
        (|v| v["version"] = 2.into(), "lesson version 1"),
        (
            |v| v["steps"][0]["preset"] = "nope".into(),
            "steps[0].preset: there is no preset named `nope`",
        ),
        (
            |v| v["steps"][1]["predict"]["correct"] = 5.into(),
            "steps[1].predict.correct",
        ),
        (
            |v| v["steps"][1]["predict"]["answers"] = serde_json::json!(["only one"]),
            "two to four answers",
        ),
        (
            |v| v["steps"][1]["predict"]["look_at"] = "X9".into(),
            "no process named `X9`",
        ),
        (
            |v| v["steps"][1]["sayy"] = "typo".into(),
            "unknown field `sayy`",
        ),
    ];
    for (edit, words) in cases {
        let mut v = good.clone();
        edit(&mut v);
        let e = Lesson::from_json(&v.to_string()).unwrap_err().to_string();
        assert!(e.contains(words), "`{e}` lacks `{words}`");
    }
}

#[test]
fn a_task_is_seen_done_when_the_learner_does_it() {
    let s = sim::presets::find("sentinel-old-master-isolated")
        .unwrap()
        .scenario();
    let mut run = sim::build(&s, RunOptions::default()).unwrap();
    run.run_until(9_000);
    let apart = Check::Apart {
        a: "box1".into(),
        b: "box2".into(),
    };
    assert!(!apart.holds(&s, &run.view()));
    run.inject(sim::FaultAction::MoveBox {
        box_name: "box1".into(),
        island: 7,
    })
    .unwrap();
    run.run_until(9_001);
    assert!(apart.holds(&s, &run.view()));
    let quorum = Check::Setting {
        path: "quorum".into(),
        value: 2.into(),
    };
    assert!(quorum.holds(&s, &run.view()));
}

#[test]
fn every_flashcard_shows_a_moment_that_exists() {
    let cards = sim::lesson::flashcards();
    assert!(cards.len() >= 5);
    for c in &cards {
        let p = sim::presets::find(&c.show.preset).unwrap_or_else(|| panic!("{}: no preset", c.q));
        assert!(c.show.at_ms <= p.scenario().duration_ms, "{}", c.q);
    }
}

#[test]
fn the_sizing_sheet_counts_what_a_failover_or_a_commit_needs() {
    let sheet = |preset: &str, quorum: Option<u64>| {
        let mut s = sim::presets::find(preset).unwrap().scenario();
        if let Some(q) = quorum {
            s.settings["quorum"] = q.into();
        }
        let sys = sim::system::find(&s.system).unwrap();
        (sys.sizing)(&s)
    };
    let row = |sh: &sim::system::SizingSheet, n: usize| {
        let r = sh.rows.iter().find(|r| r.n == n).unwrap();
        (r.needed, r.tolerates)
    };
    // Three Sentinels: a majority of 2 fails over, whatever a lower quorum says.
    let q2 = sheet("sentinel-old-master-isolated", None);
    assert_eq!((q2.current, row(&q2, 3)), (3, (2, 1)));
    assert_eq!(
        row(&sheet("sentinel-old-master-isolated", Some(1)), 3),
        (2, 1)
    );
    // A quorum above the majority raises the votes needed (sentinelGetLeader).
    assert_eq!(
        row(&sheet("sentinel-old-master-isolated", Some(4)), 5),
        (4, 1)
    );
    // etcd: four members tolerate one failure, as three do.
    let raft = sheet("raft-even-split", None);
    assert_eq!(
        (raft.current, row(&raft, 4), row(&raft, 3)),
        (4, (3, 1), (2, 1))
    );
}
