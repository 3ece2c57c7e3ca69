//! The one seeded random generator of a run.
//!
//! ChaCha8 from `rand_chacha` with default features off: it needs no OS entropy and
//! gives the same sequence natively and in wasm32 (verified in ../shared/TOOLCHAIN.md).

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Every random choice of a run (jitter, loss, Sentinel desync, run ids) draws from this.
#[derive(Clone, Debug)]
pub struct SimRng(ChaCha8Rng);

impl SimRng {
    /// A generator seeded from the scenario's seed.
    pub fn new(seed: u64) -> Self {
        SimRng(ChaCha8Rng::seed_from_u64(seed))
    }

    /// A uniform integer in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.0.random_range(0..n)
        }
    }

    /// A uniform float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    /// A random 64-bit value (Redis run ids, replication ids).
    pub fn next_u64(&mut self) -> u64 {
        self.0.random::<u64>()
    }
}
