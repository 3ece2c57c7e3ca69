//! In headless Chromium: the browser computes the same trace hash for every preset
//! as the native build pinned in crates/sim/tests/trace_hashes.txt.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const PINNED: &str = include_str!("../crates/sim/tests/trace_hashes.txt");

#[wasm_bindgen_test]
fn browser_reproduces_every_pinned_trace_hash() {
    let mut checked = 0;
    for (name, hash) in PINNED.lines().filter_map(|l| l.split_once(' ')) {
        let s = sim::presets::find(name)
            .expect("pinned preset exists")
            .scenario();
        let got = sim::simulation::run(&s).expect("preset builds").trace_hash;
        assert_eq!(got, hash, "{name}: wasm trace differs from native");
        checked += 1;
    }
    assert_eq!(checked, sim::presets::all().count());
}
