//! The settings of the Redis + Sentinel model, with Redis's own names and defaults.

use serde::{Deserialize, Serialize};

use crate::ids::Millis;

/// How fast a full resync streams and loads an RDB: 88.8 MB took 0.46 s to stream
/// and 0.42 s to load on real Redis 7.0.15 (docs/real-redis, experiment 1), about
/// 100 MB a second.
pub const TRANSFER_MB_PER_S: u64 = 100;

/// How clients find the master.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Discovery {
    /// Ask Sentinel (`SENTINEL get-master-addr-by-name`) and ask again after an error,
    /// as redis-py's and ioredis's Sentinel clients do.
    Sentinel,
    /// Ask each Sentinel in turn and take the first answer, whatever the Sentinel
    /// flags: clients that only call `SENTINEL get-master-addr-by-name`.
    FirstAnswer,
    /// Ask only the Sentinel on the client's own host (a client configured with
    /// `localhost:26379`), so a cut that isolates that Sentinel leaves it stale.
    LocalSentinel,
    /// Always talk to the initial master's address.
    Fixed,
}

/// What clients do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Workload {
    /// Add unique elements to one set (Jepsen's set test): a lost acknowledged write is exact.
    Set,
    /// SET and GET one key, to see stale reads.
    Register,
    /// Take a lock with `SET lock value NX PX ttl` on the master, work, write to the
    /// storage under it, release it with the compare-and-delete script (the seed's
    /// `LockManager`).
    Lock,
}

/// Client settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClientSettings {
    /// Operations per second per client (one at a time).
    pub rate_per_s: u32,
    /// How the client finds the master.
    pub discovery: Discovery,
    /// Socket timeout: no reply within this is an unknown outcome.
    pub timeout_ms: Millis,
    /// The workload.
    pub workload: Workload,
    /// `WAIT numreplicas` after each write (0: no WAIT).
    pub wait_replicas: u32,
    /// `WAIT ... timeout` in ms.
    pub wait_timeout_ms: Millis,
    /// The lock workload: the lock key's `PX`.
    pub lock_ttl_ms: Millis,
    /// The lock workload: how long a holder works before it writes to the storage.
    pub work_ms: Millis,
}

impl Default for ClientSettings {
    fn default() -> Self {
        ClientSettings {
            rate_per_s: 10,
            discovery: Discovery::Sentinel,
            timeout_ms: 1000,
            workload: Workload::Set,
            wait_replicas: 0,
            wait_timeout_ms: 500,
            lock_ttl_ms: 10_000,
            work_ms: 1000,
        }
    }
}

/// Every setting of the model. Names follow redis.conf and sentinel.conf.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RedisSettings {
    /// `sentinel monitor mymaster <ip> <port> <quorum>`: Sentinels that must agree the master is down.
    pub quorum: u32,
    /// `sentinel down-after-milliseconds`: silence before a Sentinel judges an instance down (SDOWN).
    pub down_after_ms: Millis,
    /// `sentinel failover-timeout` (default 180000).
    pub failover_timeout_ms: Millis,
    /// `sentinel parallel-syncs`.
    pub parallel_syncs: u32,
    /// `min-replicas-to-write` (0: off).
    pub min_replicas_to_write: u32,
    /// `min-replicas-max-lag`, in seconds.
    pub min_replicas_max_lag_s: u64,
    /// `repl-timeout`, in seconds.
    pub repl_timeout_s: u64,
    /// `repl-backlog-size`, in bytes.
    pub repl_backlog_bytes: u64,
    /// `repl-diskless-sync`: a full resync streams the RDB from the fork (default yes).
    pub repl_diskless_sync: bool,
    /// `repl-diskless-sync-delay`, in seconds (default 5): a diskless full resync
    /// waits this long for more replicas before the transfer starts.
    pub repl_diskless_sync_delay_s: u64,
    /// Data survives a restart (RDB/AOF) unless a restart says otherwise.
    pub persistence: bool,
    /// Sentinels start knowing the replicas and the other Sentinels, as a rewritten
    /// sentinel.conf lists them (`sentinel known-replica`, `known-sentinel`); off: they
    /// discover them from INFO and hello messages, as a deployment just brought up.
    pub known_topology: bool,
    /// The data set's size besides the workload's writes, in MB: a full resync
    /// streams and loads it at about [`TRANSFER_MB_PER_S`], and the replica is out of
    /// sync meanwhile.
    pub dataset_mb: u64,
    /// Masters write through to a shared storage that checks fencing tokens (the config epoch).
    pub fencing: bool,
    /// The process that starts as master (default: the first Redis server).
    pub initial_master: Option<String>,
    /// Clients.
    pub client: ClientSettings,
}

impl Default for RedisSettings {
    fn default() -> Self {
        RedisSettings {
            quorum: 2,
            down_after_ms: 30_000,
            failover_timeout_ms: 180_000,
            parallel_syncs: 1,
            min_replicas_to_write: 0,
            min_replicas_max_lag_s: 10,
            repl_timeout_s: 60,
            repl_backlog_bytes: 1 << 20,
            repl_diskless_sync: true,
            repl_diskless_sync_delay_s: 5,
            persistence: false,
            known_topology: true,
            dataset_mb: 0,
            fencing: false,
            initial_master: None,
            client: ClientSettings::default(),
        }
    }
}
