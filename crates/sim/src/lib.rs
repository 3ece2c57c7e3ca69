//! Split-Brain Lab simulation core.
//!
//! A deterministic, sans-IO discrete-event simulation of replicated systems under
//! network faults. Processes are state machines in the style of stateright's `Actor`
//! and raft-rs's `step`/`Ready`: the engine hands each one a delivered message or an
//! expired timer, the process records effects (sends, timers, signals) in a [`Ctx`],
//! and the engine turns those effects into future events. Time is virtual
//! (milliseconds) and every random choice comes from one seeded generator, so a
//! scenario and a seed always give the same trace, natively and in WebAssembly.
//!
//! The engine knows no protocol: each modelled system (Redis with Sentinel in
//! [`redis`], etcd's Raft in [`raft`]) is one module that describes itself in a
//! [`system::SystemDesc`] and one line in [`system::SYSTEMS`]. The UI and the
//! command-line tool drive any system through the object-safe [`Simulation`] trait.

pub mod check;
pub mod compare;
pub mod conf;
pub mod drill;
pub mod engine;
pub mod fault;
pub mod fencing;
pub mod history;
pub mod ids;
mod json_at;
pub mod lesson;
pub mod link;
pub mod net;
pub mod outcome;
pub mod pace;
pub mod patroni;
pub mod presets;
pub mod process;
pub mod raft;
pub mod report;

pub mod lww;
pub mod redis;
pub mod redlock;
pub mod rng;
pub mod scenario;
pub mod simulation;
pub mod sort;
pub mod system;
pub mod trace;
pub mod view;

pub use engine::Engine;
pub use fault::{FaultAction, ScheduledFault};
pub use ids::{BoxId, Millis, ProcId};
pub use outcome::Outcome;
pub use process::{Ctx, Message, Process, Signal};
pub use scenario::{Scenario, ScenarioError};
pub use simulation::{build, Simulation};
pub use system::{SystemDesc, SYSTEMS};
pub use view::View;
