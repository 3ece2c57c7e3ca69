//! `splitbrain export-conf` and `splitbrain import`: a scenario's configuration files
//! out and back in.

mod common;

use common::splitbrain;

#[test]
fn exported_configuration_imports_back_to_a_runnable_scenario() {
    let dir = std::env::temp_dir().join(format!("splitbrain-conf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (ok, conf, err) = splitbrain(&[
        "export-conf",
        "--preset",
        "sentinel-min-replicas-on-master-only",
    ]);
    assert!(ok, "{err}");
    assert!(conf.contains("#> box1/M1\n") && conf.contains("min-replicas-to-write 1\n"));
    let path = dir.join("deployment.conf");
    std::fs::write(&path, &conf).unwrap();
    let (ok, json, notes) = splitbrain(&["import", path.to_str().unwrap()]);
    assert!(ok, "{notes}");
    assert!(notes.contains("added clients"), "{notes}");
    let scenario = dir.join("scenario.json");
    std::fs::write(&scenario, &json).unwrap();
    let (ok, report, err) = splitbrain(&["run", scenario.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(report.contains("acknowledged writes lost"), "{report}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_line_redis_refuses_stops_the_import_with_its_words() {
    let dir = std::env::temp_dir().join(format!("splitbrain-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("redis.conf");
    std::fs::write(&path, "port 6379\nmin-replicas-to-write -1\n").unwrap();
    let (ok, out, err) = splitbrain(&["import", path.to_str().unwrap()]);
    assert!(!ok);
    assert!(out.is_empty());
    assert!(
        err.contains("redis.conf:2: refused: Redis refuses `min-replicas-to-write -1`: argument must be between 0 and 2147483647 inclusive"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
