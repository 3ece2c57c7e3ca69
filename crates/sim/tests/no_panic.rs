//! Whatever a scenario file says, the core answers with a result or a message, never a
//! panic: random values are written into random places of a preset, then parsed, built
//! and run for a short while.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sim::simulation::RunOptions;
use sim::Scenario;

fn leaves(v: &serde_json::Value, path: String, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                leaves(x, format!("{path}/{k}"), out);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                leaves(x, format!("{path}/{i}"), out);
            }
        }
        _ => out.push(path),
    }
}

/// A runner of `cases` random cases that keeps no failure file.
fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

fn value() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        (0..5u64).prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map_or(serde_json::Value::Null, serde_json::Value::Number)),
        "[a-zA-Z0-9 _-]{0,8}".prop_map(serde_json::Value::from),
        Just(serde_json::json!([])),
        Just(serde_json::json!({})),
        Just(serde_json::json!("box1")),
        Just(serde_json::json!("M1")),
    ]
}

#[test]
fn random_edits_of_a_sentinel_scenario_never_panic() {
    fuzz(
        "sentinel-fencing",
        &[
            "box1", "box2", "store", "M1", "R1", "S2", "DB", "C1", "nobody",
        ],
    );
}

#[test]
fn random_edits_of_an_etcd_scenario_never_panic() {
    fuzz(
        "raft-slow-disk",
        &[
            "box1", "box2", "box3", "N1", "N2", "C1", "nobody", "storage", "etcd",
        ],
    );
}

#[test]
fn random_edits_of_a_patroni_scenario_never_panic() {
    fuzz(
        "patroni-sync-strict-no-standby",
        &[
            "host1",
            "host2",
            "pg1",
            "pg2",
            "etcd1",
            "C1",
            "nobody",
            "postgres",
            "etcd",
            "ANY 1 (pg2, pg3)",
            "FIRST 2 (pg2)",
            "1 )x(",
            "3.0.3",
            "multi_host",
        ],
    );
}

/// Edits `preset`'s scenario at random (names from `names`), then parses, builds and
/// runs it: every result is a run or a message, never a panic.
fn fuzz(preset: &str, names: &[&str]) {
    let base = serde_json::to_value(sim::presets::find(preset).unwrap().scenario()).unwrap();
    let mut paths = Vec::new();
    leaves(&base, String::new(), &mut paths);
    let n = paths.len();
    let names: Vec<serde_json::Value> = names.iter().map(|n| serde_json::Value::from(*n)).collect();
    // Most edits keep the type of what they replace (a number stays a number, at any
    // size), so that many edited scenarios still run; the rest write anything at all.
    let edit = (0..n, any::<u8>(), any::<u64>(), 0..names.len(), value());
    let strategy = prop::collection::vec(edit, 1..4);
    let mut runner = runner(300);
    let (accepted, refused) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
    let result = runner.run(&strategy, |edits| {
        let mut v = base.clone();
        for (i, how, n, name, any_value) in edits {
            if let Some(slot) = v.pointer_mut(&paths[i]) {
                *slot = match (&*slot, how % 4) {
                    (_, 0) => any_value,
                    (serde_json::Value::Number(_), 1) => serde_json::Value::from(n % 100),
                    (serde_json::Value::Number(_), _) => serde_json::Value::from(n >> (n % 64)),
                    (serde_json::Value::Bool(b), _) => serde_json::Value::from(!b),
                    (serde_json::Value::String(_), _) => names[name].clone(),
                    _ => any_value,
                };
            }
        }
        let outcome = std::panic::catch_unwind(|| match Scenario::from_value(v) {
            Err(e) => {
                assert!(!e.message.is_empty());
                false
            }
            Ok(mut s) => {
                s.duration_ms = s.duration_ms.min(20_000);
                s.faults.retain(|f| f.at_ms <= s.duration_ms);
                match sim::build(
                    &s,
                    RunOptions {
                        narrate: true,
                        keep_trace: false,
                    },
                ) {
                    Err(e) => {
                        assert!(!e.message.is_empty());
                        false
                    }
                    Ok(mut run) => {
                        run.run_until(s.duration_ms);
                        let _ = run.outcome();
                        true
                    }
                }
            }
        });
        prop_assert!(outcome.is_ok(), "panicked");
        let counter = if outcome.unwrap() {
            &accepted
        } else {
            &refused
        };
        counter.set(counter.get() + 1);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    println!(
        "{preset}: {} edited scenarios ran, {} were refused with a message",
        accepted.get(),
        refused.get()
    );
}

/// Whatever a link says, the page and the CLI answer with a scenario or a message:
/// random strings, and real links with bytes flipped, cut short or lengthened.
#[test]
fn random_and_mangled_links_never_panic() {
    let mut changed = sim::presets::find("sentinel-fencing").unwrap().scenario();
    changed.seed = 7;
    let real = [
        sim::link::encode(&changed),
        sim::link::encode(&sim::presets::find("raft-slow-disk").unwrap().scenario()),
        format!(
            "scenario={}",
            serde_json::to_string(&changed)
                .unwrap()
                .replace('%', "%25")
                .replace('"', "%22")
        ),
    ];
    let strategy = (
        0..real.len(),
        any::<u16>(),
        any::<u8>(),
        0..4u8,
        "[a-zA-Z0-9=&._%-]{0,40}",
    );
    let mut runner = runner(400);
    let (opened, refused) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
    let result = runner.run(&strategy, |(which, at, byte, how, junk)| {
        let mut link = real[which].clone().into_bytes();
        let at = at as usize % link.len().max(1);
        match how {
            0 => link[at] = byte.clamp(33, 126),
            1 => link.truncate(at),
            2 => link.extend_from_slice(junk.as_bytes()),
            _ => link = junk.clone().into_bytes(),
        }
        let link = String::from_utf8_lossy(&link).to_string();
        let outcome = std::panic::catch_unwind(|| match sim::link::decode(&link) {
            None => None,
            Some(Ok(_)) => Some(true),
            Some(Err(e)) => {
                assert!(!e.to_string().is_empty());
                Some(false)
            }
        });
        prop_assert!(outcome.is_ok(), "panicked on {link}");
        match outcome.unwrap() {
            Some(true) => opened.set(opened.get() + 1),
            Some(false) => refused.set(refused.get() + 1),
            None => {}
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    println!(
        "links: {} mangled links opened, {} were refused with a message",
        opened.get(),
        refused.get()
    );
}

/// Whatever a lesson file says, the page answers with a lesson or a message.
#[test]
fn random_edits_of_a_lesson_never_panic() {
    let base = serde_json::to_value(sim::lesson::find("sentinel-split-brain").unwrap()).unwrap();
    let mut paths = Vec::new();
    leaves(&base, String::new(), &mut paths);
    let strategy = prop::collection::vec((0..paths.len(), value()), 1..4);
    let mut runner = runner(300);
    let (read, refused) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
    let result = runner.run(&strategy, |edits| {
        let mut v = base.clone();
        for (i, x) in edits {
            if let Some(slot) = v.pointer_mut(&paths[i]) {
                *slot = x;
            }
        }
        let text = v.to_string();
        let outcome = std::panic::catch_unwind(|| sim::lesson::Lesson::from_json(&text).is_ok());
        prop_assert!(outcome.is_ok(), "panicked on {text}");
        let c = if outcome.unwrap() { &read } else { &refused };
        c.set(c.get() + 1);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    println!(
        "lessons: {} edited lessons read, {} refused with a message",
        read.get(),
        refused.get()
    );
}
