//! Every bad scenario gets one message naming the field, never a panic.

use sim::presets::find;
use sim::simulation::RunOptions;
use sim::Scenario;

fn base() -> serde_json::Value {
    serde_json::to_value(find("sentinel-old-master-isolated").unwrap().scenario()).unwrap()
}

fn error_of(v: serde_json::Value) -> String {
    match Scenario::from_value(v) {
        Err(e) => e.to_string(),
        Ok(s) => match sim::build(&s, RunOptions::default()) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("accepted"),
        },
    }
}

type Mutation = Box<dyn Fn(&mut serde_json::Value)>;

/// Applies each mutation to a fresh `base()` and checks the one message names `expect`.
fn check_table(base: impl Fn() -> serde_json::Value, cases: Vec<(&str, Mutation, &str)>) {
    for (what, mutate, expect) in cases {
        let mut v = base();
        mutate(&mut v);
        let msg = error_of(v);
        assert!(
            msg.contains(expect),
            "{what}: message `{msg}` does not contain `{expect}`"
        );
    }
}

#[test]
fn each_bad_input_names_its_field() {
    let cases: Vec<(&str, Mutation, &str)> = vec![
        (
            "unknown field",
            Box::new(|v| v["quorom"] = 2.into()),
            "unknown field `quorom`",
        ),
        (
            "quorum 0",
            Box::new(|v| v["settings"]["quorum"] = 0.into()),
            "settings.quorum",
        ),
        (
            "unknown setting",
            Box::new(|v| v["settings"]["qourum"] = 2.into()),
            "settings.qourum: unknown field `qourum`",
        ),
        (
            "negative time",
            Box::new(|v| v["faults"][0]["at_ms"] = (-5).into()),
            "faults[0].at_ms",
        ),
        (
            "fault after the end",
            Box::new(|v| v["faults"][0]["at_ms"] = 10_000_000.into()),
            "faults[0].at_ms",
        ),
        (
            "missing box",
            Box::new(|v| v["faults"][0]["boxes"][0] = "box9".into()),
            "no box named `box9`",
        ),
        (
            "absurd duration",
            Box::new(|v| v["duration_ms"] = 1e15.into()),
            "duration_ms",
        ),
        (
            "too many boxes",
            Box::new(|v| {
                let b = v["boxes"][2].clone();
                let arr = v["boxes"].as_array_mut().unwrap();
                for i in 0..100 {
                    let mut x = b.clone();
                    x["name"] = format!("extra{i}").into();
                    x["processes"] = serde_json::json!([]);
                    arr.push(x);
                }
            }),
            "boxes",
        ),
        (
            "duplicate name",
            Box::new(|v| v["boxes"][1]["name"] = "box1".into()),
            "boxes[1].name",
        ),
        (
            "unknown kind",
            Box::new(|v| v["boxes"][0]["processes"][0]["kind"] = "mysql".into()),
            "boxes[0].processes[0].kind",
        ),
        (
            "wrong version",
            Box::new(|v| v["version"] = 7.into()),
            "version",
        ),
        (
            "loss above 1",
            Box::new(|v| v["network"]["loss"] = 2.0.into()),
            "network.loss",
        ),
        (
            "unknown system",
            Box::new(|v| v["system"] = "zookeeper".into()),
            "system",
        ),
        (
            "fencing without storage",
            Box::new(|v| v["settings"]["fencing"] = true.into()),
            "settings.fencing",
        ),
    ];
    check_table(base, cases);
}

#[test]
fn text_that_is_not_json_is_said_so() {
    let e = Scenario::from_json("{ this is not json").unwrap_err();
    assert!(e.to_string().starts_with("not valid JSON"), "{e}");
    let e = Scenario::from_json("[1, 2]").unwrap_err();
    assert!(e.to_string().contains("JSON object"), "{e}");
}

#[test]
fn set_overrides_reach_settings_and_top_level_fields() {
    let s = find("sentinel-old-master-isolated").unwrap().scenario();
    assert_eq!(
        s.with_override("quorum", "3").unwrap().settings["quorum"],
        3
    );
    assert_eq!(
        s.with_override("client.rate_per_s", "5").unwrap().settings["client"]["rate_per_s"],
        5
    );
    assert_eq!(
        s.with_override("network.loss", "0.5").unwrap().network.loss,
        0.5
    );
    assert_eq!(s.with_override("seed", "9").unwrap().seed, 9);
    // The system checks its own settings when the run is built.
    let bad = s.with_override("quorum", "many").unwrap();
    let e = sim::build(&bad, RunOptions::default())
        .err()
        .expect("a word is not a quorum");
    assert_eq!(e.field, "settings.quorum", "{e}");
    assert!(s.with_override("faults.9.at_ms", "1").is_err());
    assert!(s.with_override("..", "1").is_err());
}

#[test]
fn every_preset_round_trips_through_its_scenario_file() {
    for p in sim::presets::all() {
        let s = p.scenario();
        assert_eq!(Scenario::from_json(&s.to_json()).unwrap(), s, "{}", p.name);
    }
}

#[test]
fn each_bad_etcd_input_names_its_field() {
    let base = || serde_json::to_value(find("raft-minority-leader").unwrap().scenario()).unwrap();
    let cases: Vec<(&str, Mutation, &str)> = vec![
        (
            "election timeout under 5 heartbeats",
            Box::new(|v| v["settings"]["election_timeout_ms"] = 400.into()),
            "settings.election_timeout_ms: must be at least 5 times heartbeat_interval_ms (500 ms)",
        ),
        (
            "heartbeat 0",
            Box::new(|v| v["settings"]["heartbeat_interval_ms"] = 0.into()),
            "settings.heartbeat_interval_ms: must be between 1 and 10000 ms",
        ),
        (
            "ten members",
            Box::new(|v| {
                for i in 0..5 {
                    v["boxes"][i]["processes"]
                        .as_array_mut()
                        .unwrap()
                        .push(serde_json::json!({"name": format!("X{i}"), "kind": "etcd"}));
                }
            }),
            "takes at most 9 process(es) of kind `etcd`",
        ),
        (
            "no member",
            Box::new(|v| {
                for i in 0..5 {
                    v["boxes"][i]["processes"]
                        .as_array_mut()
                        .unwrap()
                        .retain(|p| p["kind"] != "etcd");
                }
            }),
            "needs at least 1 process(es) of kind `etcd`",
        ),
        (
            "a Redis kind in an etcd scenario",
            Box::new(|v| v["boxes"][1]["processes"][0]["kind"] = "sentinel".into()),
            "boxes[1].processes[0].kind: unknown kind `sentinel` for etcd-raft",
        ),
        (
            "priority on a member",
            Box::new(|v| v["boxes"][1]["processes"][0]["priority"] = 1.into()),
            "boxes[1].processes[0].priority",
        ),
        (
            "unknown consistency",
            Box::new(|v| v["settings"]["client"] = serde_json::json!({"consistency": "eventual"})),
            "settings.client.consistency",
        ),
        (
            "client rate 0",
            Box::new(|v| v["settings"]["client"] = serde_json::json!({"rate_per_s": 0})),
            "settings.client.rate_per_s: must be between 1 and 1000 operations per second",
        ),
        (
            "fencing without storage",
            Box::new(|v| v["settings"]["fencing"] = true.into()),
            "settings.fencing",
        ),
    ];
    check_table(base, cases);
}
