//! A leaderless store that resolves conflicts by last-write-wins, in the style of
//! Cassandra and Dynamo: every node stores the document and coordinates requests; a
//! write goes to every replica with the coordinator's timestamp and is acknowledged
//! after W of them; a read asks R of them and returns the version with the largest
//! timestamp. Replicas that missed writes catch up by hinted handoff, read repair and
//! anti-entropy repair. Both sides of a partition may accept writes; on heal the
//! larger timestamp wins, whatever happened in real time.
//!
//! Clients update the document by read-modify-write (read it, add an item, write it
//! back), so an acknowledged write whose item is missing from the final document was
//! silently overwritten by a version that never saw it. Optionally they check a
//! version before writing, as the seed's `ConflictAwareStore` does.
//!
//! Sources: Apache Cassandra 4.0's documentation (consistency levels, hinted handoff,
//! read repair, `cassandra.yaml`: `write_request_timeout_in_ms` 2000,
//! `read_request_timeout_in_ms` 5000, `max_hint_window_in_ms` 3 h,
//! `phi_convict_threshold` 8), `gms/FailureDetector.java` (phi = t / mean / ln 10),
//! `db/rows/Cells.java` (`reconcile`: the larger timestamp, then the larger value),
//! and DeCandia et al., "Dynamo" (2007).

pub mod client;
pub mod desc;
pub mod events;
pub mod msg;
pub mod node;
pub mod presets;

use serde::{Deserialize, Serialize};

use crate::ids::{Millis, ProcId};
use crate::process::{Ctx, DataSet, Process};
use crate::scenario::{Scenario, ScenarioError};
use crate::simulation::{Run, RunOptions, Simulation, System};
use crate::system::SystemDesc;
use crate::view::ProcView;

use client::{Client, ClientCfg};
pub use desc::DESC;
use msg::Msg;
use node::{Disk, Node, NodeCfg};

/// The `system` name in scenario files.
pub const SYSTEM: &str = "lww";

/// The most nodes (every node holds every row here: N is the node count).
pub const MAX_NODES: usize = 9;

/// The document's key in the history.
pub const DOC: u32 = 1;

/// The timers of the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// A node's gossip round (once a second), which also runs its failure detector.
    Gossip,
    /// A coordinator's `write_request_timeout_in_ms` for one write.
    WriteDeadline(u64),
    /// A coordinator's `read_request_timeout_in_ms` for one read.
    ReadDeadline(u64),
    /// A node replays the hints it holds for replicas that are up (every 10 s).
    HintDispatch,
    /// A node's anti-entropy repair round.
    Repair,
    /// A client's next update.
    Next,
    /// A client has computed its change (the `n`th update).
    Work(u64),
    /// A client's own timeout for request `req`.
    Request(u64),
}

pub(crate) type LCtx<'a> = Ctx<'a, Msg, Timer>;

/// A consistency level: how many replicas must answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Consistency {
    /// One replica.
    #[serde(rename = "ONE")]
    One,
    /// A majority of the replicas.
    #[serde(rename = "QUORUM")]
    Quorum,
    /// Every replica.
    #[serde(rename = "ALL")]
    All,
}

impl Consistency {
    /// Replicas needed among `n`.
    pub fn needed(self, n: usize) -> usize {
        match self {
            Consistency::One => 1.min(n),
            Consistency::Quorum => n / 2 + 1,
            Consistency::All => n,
        }
    }

    /// Its name, as cqlsh writes it.
    pub fn name(self) -> &'static str {
        match self {
            Consistency::One => "ONE",
            Consistency::Quorum => "QUORUM",
            Consistency::All => "ALL",
        }
    }
}

/// How a client guards its read-modify-write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Concurrency {
    /// Read, change, write back: a concurrent change in between is overwritten.
    None,
    /// The seed's `ConflictAwareStore.save`: read the stored version again just before
    /// writing; if it is newer than the one the change was made on, merge the two
    /// (`{...currentData, ...yourData}`) and write that. The check and the write are
    /// two requests, not one atomic compare-and-set, so a write landing between them,
    /// or on the other side of a partition, still slips through.
    VersionCheck,
}

/// `read_repair` (a table option since Cassandra 4.0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReadRepair {
    /// A read that finds replicas disagreeing sends them the newest version.
    #[serde(rename = "BLOCKING")]
    Blocking,
    /// Reads repair nothing.
    #[serde(rename = "NONE")]
    None,
}

/// Every setting: `cassandra.yaml`'s names where Cassandra has them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LwwSettings {
    /// The consistency level of a client's writes.
    pub write_consistency: Consistency,
    /// The consistency level of a client's reads.
    pub read_consistency: Consistency,
    /// How a client guards its read-modify-write.
    pub concurrency: Concurrency,
    /// How long a client computes its change between reading and writing.
    pub work_ms: Millis,
    /// How long a client waits between updates.
    pub think_ms: Millis,
    /// The driver's request timeout.
    pub timeout_ms: Millis,
    /// `hinted_handoff_enabled`.
    pub hinted_handoff_enabled: bool,
    /// `max_hint_window_in_ms`: no hints for a replica down longer than this.
    pub max_hint_window_in_ms: Millis,
    /// `read_repair`.
    pub read_repair: ReadRepair,
    /// How often each node pushes its version to the others (`nodetool repair` run by
    /// a scheduler); 0: never.
    pub repair_interval_ms: Millis,
    /// `write_request_timeout_in_ms`.
    pub write_request_timeout_in_ms: Millis,
    /// `read_request_timeout_in_ms`.
    pub read_request_timeout_in_ms: Millis,
    /// `phi_convict_threshold`.
    pub phi_convict_threshold: u64,
    /// How far this host's clock is ahead of real time from the start.
    pub clock_ahead_ms: Millis,
    /// How fast this host's clock runs, in parts per million.
    pub clock_drift_ppm: u64,
}

impl Default for LwwSettings {
    fn default() -> Self {
        LwwSettings {
            write_consistency: Consistency::One,
            read_consistency: Consistency::One,
            concurrency: Concurrency::None,
            work_ms: 200,
            think_ms: 1000,
            timeout_ms: 12_000,
            hinted_handoff_enabled: true,
            max_hint_window_in_ms: 10_800_000,
            read_repair: ReadRepair::Blocking,
            repair_interval_ms: 0,
            write_request_timeout_in_ms: 2000,
            read_request_timeout_in_ms: 5000,
            phi_convict_threshold: 8,
            clock_ahead_ms: 0,
            clock_drift_ppm: 0,
        }
    }
}

/// How long a silent peer takes to be convicted: Cassandra's failure detector
/// computes phi = t / mean / ln 10 from the time `t` since the last heartbeat and the
/// mean interval between heartbeats (a gossip round, 1 s), and convicts above the
/// threshold: 18.4 s at the default 8.
pub fn conviction_ms(phi_convict_threshold: u64) -> Millis {
    (phi_convict_threshold as f64 * std::f64::consts::LN_10 * node::GOSSIP_MS as f64).round()
        as Millis
}

/// One process of the model.
#[derive(Clone, Debug)]
pub enum LwwProc {
    /// A node: a replica of the document and a coordinator of requests.
    Node(Node),
    /// A client updating the document.
    Client(Client),
}

impl Process for LwwProc {
    type Msg = Msg;
    type Timer = Timer;
    type Durable = Disk;

    fn on_start(&mut self, ctx: &mut LCtx) {
        match self {
            LwwProc::Node(n) => n.start(ctx),
            LwwProc::Client(c) => c.start(ctx),
        }
    }

    fn on_msg(&mut self, from: ProcId, msg: Msg, ctx: &mut LCtx) {
        match self {
            LwwProc::Node(n) => n.on_msg(from, msg, ctx),
            LwwProc::Client(c) => c.on_msg(msg, ctx),
        }
    }

    fn on_timer(&mut self, t: Timer, ctx: &mut LCtx) {
        match self {
            LwwProc::Node(n) => n.on_timer(t, ctx),
            LwwProc::Client(c) => c.on_timer(t, ctx),
        }
    }

    fn durable(&self) -> Disk {
        match self {
            LwwProc::Node(n) => n.durable(),
            LwwProc::Client(_) => Disk::default(),
        }
    }

    fn on_restart(&mut self, durable: Option<Disk>, ctx: &mut LCtx) {
        match self {
            LwwProc::Node(n) => n.restart(durable.unwrap_or_default(), ctx),
            LwwProc::Client(c) => c.restart(ctx),
        }
    }

    fn view(&self) -> ProcView {
        match self {
            LwwProc::Node(n) => n.view(),
            LwwProc::Client(c) => c.view(),
        }
    }
}

impl System for LwwProc {
    fn desc() -> &'static SystemDesc {
        &DESC
    }

    /// What the replicas converge to once repair has run: of every version a live
    /// node holds, the one with the largest timestamp.
    fn final_read(procs: &[Self], alive: &[bool]) -> Option<(usize, DataSet)> {
        let mut best: Option<(usize, &msg::Cell)> = None;
        for (i, p) in procs.iter().enumerate() {
            if let (LwwProc::Node(n), true) = (p, alive[i]) {
                if let Some(c) = n.cell() {
                    if best.is_none_or(|(_, b)| c.wins_over(b)) {
                        best = Some((i, c));
                    }
                }
            }
        }
        best.map(|(i, c)| (i, c.items.clone()))
    }
}

/// The settings with the defaults filled in.
pub fn effective_settings(s: &Scenario) -> Result<serde_json::Value, ScenarioError> {
    crate::scenario::effective::<LwwSettings>(s)
}

/// Builds a run of the store from a scenario.
pub fn build(s: &Scenario, opts: RunOptions) -> Result<Box<dyn Simulation>, ScenarioError> {
    DESC.check_kinds(s)?;
    let per: Vec<LwwSettings> = DESC.per_process(s)?;
    let set: LwwSettings = crate::scenario::parse_settings(&s.settings)?;
    DESC.check_ranges(&serde_json::to_value(&set).expect("settings serialize"))?;
    let mut nodes = Vec::new();
    for (k, (_, p)) in s.processes().enumerate() {
        if p.kind == "node" {
            nodes.push(ProcId(k as u16));
        }
        if p.priority.is_some() {
            let (bi, pj) = s.locate(k);
            return Err(ScenarioError::new(
                format!("boxes[{bi}].processes[{pj}].priority"),
                "a leaderless store has no leader to prefer: every node takes writes",
            ));
        }
    }
    // Each update is a read and a write (two reads with a version check).
    let cycle = (set.work_ms + set.think_ms).max(1);
    crate::system::check_budget(s, (3000 / cycle).max(1) as u32)?;
    let n = nodes.len();
    let mut warnings = Vec::new();
    let (w, r) = (
        set.write_consistency.needed(n),
        set.read_consistency.needed(n),
    );
    if w + r <= n {
        warnings.push(format!(
            "W + R = {w} + {r} is not more than N = {n}: a read may miss the latest acknowledged write even with no fault"
        ));
    }
    let box_of: Vec<usize> = s.processes().map(|(b, _)| b).collect();
    let mut procs = Vec::new();
    let mut client_index = 0;
    for (k, (b, p)) in s.processes().enumerate() {
        let c = &per[k];
        procs.push(match p.kind.as_str() {
            "node" => LwwProc::Node(Node::new(NodeCfg {
                index: nodes.iter().position(|q| q.idx() == k).unwrap_or(0),
                nodes: nodes.clone(),
                hinted_handoff: c.hinted_handoff_enabled,
                max_hint_window: c.max_hint_window_in_ms,
                read_repair: c.read_repair == ReadRepair::Blocking,
                repair_interval: c.repair_interval_ms,
                write_timeout: c.write_request_timeout_in_ms,
                read_timeout: c.read_request_timeout_in_ms,
                convict_after: conviction_ms(c.phi_convict_threshold),
            })),
            _ => {
                client_index += 1;
                // The driver's coordinator: a node on the client's own box, else one
                // in turn (a round-robin load balancing policy).
                let coordinator = nodes
                    .iter()
                    .copied()
                    .find(|q| box_of[q.idx()] == b)
                    .unwrap_or(nodes[(client_index - 1) % n]);
                LwwProc::Client(Client::new(ClientCfg {
                    index: client_index as u32 - 1,
                    coordinator,
                    write: c.write_consistency,
                    read: c.read_consistency,
                    concurrency: c.concurrency,
                    work: c.work_ms,
                    think: c.think_ms,
                    timeout: c.timeout_ms,
                }))
            }
        });
    }
    let persist = vec![true; procs.len()];
    let drift = per.iter().map(|c| c.clock_drift_ppm as i64).collect();
    let ahead = per.iter().map(|c| c.clock_ahead_ms as i64).collect();
    Ok(Box::new(
        Run::new(s.clone(), procs, warnings, persist, opts)?
            .with_clock_drift(drift)
            .with_clock_offset(ahead),
    ))
}
