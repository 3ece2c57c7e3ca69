//! redis.conf and sentinel.conf, in and out.
//!
//! Reading follows Redis 7.0.15's `loadServerConfigFromString` (config.c): a line is
//! split into arguments as `sdssplitargs` does (quotes and escapes), its first
//! argument names a directive, and a value Redis refuses is refused here in Redis's
//! own words, so that the file that fails here would also fail to start a server.
//! Sentinel lines follow `sentinelHandleConfiguration` (sentinel.c).

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::config::RedisSettings;
use crate::conf::{ConfFile, ConfImport, ConfNote, NoteLevel};
use crate::presets::{bx, p};
use crate::scenario::{Scenario, ScenarioError};

/// Every directive redis-server 7.0.15 reads (`CONFIG GET *` on it, aliases
/// included), so a line the lab does not model is told apart from one Redis refuses.
const DIRECTIVES: &str = "\
    acl-pubsub-default aclfile acllog-max-len active-defrag-cycle-max \
    active-defrag-cycle-min active-defrag-ignore-bytes active-defrag-max-scan-fields \
    active-defrag-threshold-lower active-defrag-threshold-upper active-expire-effort \
    activedefrag activerehashing always-show-logo aof-disable-auto-gc aof-load-truncated \
    aof-rewrite-incremental-fsync aof-timestamp-enabled aof-use-rdb-preamble \
    aof_rewrite_cpulist appenddirname appendfilename appendfsync appendonly \
    auto-aof-rewrite-min-size auto-aof-rewrite-percentage bgsave_cpulist bind \
    bind-source-addr bio_cpulist busy-reply-threshold client-output-buffer-limit \
    client-query-buffer-limit cluster-allow-pubsubshard-when-down \
    cluster-allow-reads-when-down cluster-allow-replica-migration cluster-announce-bus-port \
    cluster-announce-hostname cluster-announce-ip cluster-announce-port \
    cluster-announce-tls-port cluster-config-file cluster-enabled \
    cluster-link-sendbuf-limit cluster-migration-barrier cluster-node-timeout cluster-port \
    cluster-preferred-endpoint-type cluster-replica-no-failover \
    cluster-replica-validity-factor cluster-require-full-coverage cluster-slave-no-failover \
    cluster-slave-validity-factor crash-log-enabled crash-memcheck-enabled daemonize \
    databases dbfilename dir disable-thp dynamic-hz enable-debug-command \
    enable-module-command enable-protected-configs hash-max-listpack-entries \
    hash-max-listpack-value hash-max-ziplist-entries hash-max-ziplist-value \
    hll-sparse-max-bytes hz ignore-warnings io-threads io-threads-do-reads \
    jemalloc-bg-thread latency-monitor-threshold latency-tracking \
    latency-tracking-info-percentiles lazyfree-lazy-eviction lazyfree-lazy-expire \
    lazyfree-lazy-server-del lazyfree-lazy-user-del lazyfree-lazy-user-flush lfu-decay-time \
    lfu-log-factor list-compress-depth list-max-listpack-size list-max-ziplist-size logfile \
    loglevel lua-time-limit masterauth masteruser maxclients maxmemory maxmemory-clients \
    maxmemory-eviction-tenacity maxmemory-policy maxmemory-samples min-replicas-max-lag \
    min-replicas-to-write min-slaves-max-lag min-slaves-to-write no-appendfsync-on-rewrite \
    notify-keyspace-events oom-score-adj oom-score-adj-values pidfile port \
    proc-title-template propagation-error-behavior protected-mode proto-max-bulk-len \
    rdb-del-sync-files rdb-save-incremental-fsync rdbchecksum rdbcompression \
    repl-backlog-size repl-backlog-ttl repl-disable-tcp-nodelay repl-diskless-load \
    repl-diskless-sync repl-diskless-sync-delay repl-diskless-sync-max-replicas \
    repl-ping-replica-period repl-ping-slave-period repl-timeout replica-announce-ip \
    replica-announce-port replica-announced replica-ignore-disk-write-errors \
    replica-ignore-maxmemory replica-lazy-flush replica-priority replica-read-only \
    replica-serve-stale-data replicaof requirepass sanitize-dump-payload save \
    server_cpulist set-max-intset-entries set-proc-title shutdown-on-sigint \
    shutdown-on-sigterm shutdown-timeout slave-announce-ip slave-announce-port \
    slave-ignore-maxmemory slave-lazy-flush slave-priority slave-read-only \
    slave-serve-stale-data slaveof slowlog-log-slower-than slowlog-max-len socket-mark-id \
    stop-writes-on-bgsave-error stream-node-max-bytes stream-node-max-entries supervised \
    syslog-enabled syslog-facility syslog-ident tcp-backlog tcp-keepalive timeout \
    tls-auth-clients tls-ca-cert-dir tls-ca-cert-file tls-cert-file tls-ciphers \
    tls-ciphersuites tls-client-cert-file tls-client-key-file tls-client-key-file-pass \
    tls-cluster tls-dh-params-file tls-key-file tls-key-file-pass tls-port \
    tls-prefer-server-ciphers tls-protocols tls-replication tls-session-cache-size \
    tls-session-cache-timeout tls-session-caching tracking-table-max-keys unixsocket \
    unixsocketperm zset-max-listpack-entries zset-max-listpack-value \
    zset-max-ziplist-entries zset-max-ziplist-value";

/// The redis.conf directives the lab reads (with `sentinel monitor`,
/// `down-after-milliseconds`, `failover-timeout` and `parallel-syncs` in sentinel.conf).
pub const MODELLED: &[&str] = &[
    "replicaof",
    "slaveof",
    "port",
    "bind",
    "min-replicas-to-write",
    "min-slaves-to-write",
    "min-replicas-max-lag",
    "min-slaves-max-lag",
    "repl-timeout",
    "repl-backlog-size",
    "repl-diskless-sync",
    "repl-diskless-sync-delay",
    "replica-priority",
    "slave-priority",
    "appendonly",
    "appendfsync",
    "save",
];

/// Directives that are not Redis configs but lines `loadServerConfigFromString`
/// handles itself.
const SPECIAL: &[&str] = &[
    "include",
    "rename-command",
    "user",
    "loadmodule",
    "sentinel",
];

/// Directives the lab does not model that can change what a split-brain does, and why.
const MATTERS: &[(&str, &str)] = &[
    (
        "replica-read-only",
        "a writable replica takes writes that its next resync drops",
    ),
    (
        "slave-read-only",
        "a writable replica takes writes that its next resync drops",
    ),
    (
        "replica-serve-stale-data",
        "whether a replica cut off from its master still answers reads",
    ),
    (
        "slave-serve-stale-data",
        "whether a replica cut off from its master still answers reads",
    ),
    (
        "repl-ping-replica-period",
        "how often the master pings replicas, so how soon repl-timeout fires",
    ),
    (
        "repl-ping-slave-period",
        "how often the master pings replicas, so how soon repl-timeout fires",
    ),
    (
        "repl-diskless-sync-max-replicas",
        "a full resync may start before the delay once this many replicas wait",
    ),
    (
        "repl-diskless-load",
        "how a replica loads the RDB of a full resync",
    ),
    (
        "repl-backlog-ttl",
        "a master without replicas frees its backlog after this, forcing full resyncs",
    ),
    (
        "appendfsync",
        "how many acknowledged writes an AOF loses in a crash",
    ),
    ("maxmemory", "evictions remove acknowledged writes"),
    ("maxmemory-policy", "evictions remove acknowledged writes"),
    (
        "masterauth",
        "without the right password a replica cannot replicate",
    ),
    (
        "masteruser",
        "without the right user a replica cannot replicate",
    ),
    (
        "requirepass",
        "Sentinels and replicas need the password to reach this server",
    ),
    ("protected-mode", "whether other hosts can connect at all"),
    ("timeout", "idle client connections are closed after this"),
    (
        "tcp-keepalive",
        "how soon a dead peer's connection is noticed",
    ),
    (
        "replica-announce-ip",
        "the address Sentinel learns for this replica",
    ),
    (
        "slave-announce-ip",
        "the address Sentinel learns for this replica",
    ),
    ("replica-announced", "whether Sentinel lists this replica"),
    (
        "stop-writes-on-bgsave-error",
        "a failing disk makes the master refuse writes",
    ),
    (
        "include",
        "the included file's lines are not read here: paste them too",
    ),
    (
        "rename-command",
        "Sentinel cannot fail over a server whose SLAVEOF or CONFIG is renamed",
    ),
];

/// Where a Redis process listens.
#[derive(Clone, Debug, PartialEq)]
struct Addr {
    ip: Option<String>,
    port: u16,
}

impl Addr {
    fn matches(&self, ip: &str, port: u16) -> bool {
        self.port == port && self.ip.as_deref().is_none_or(|x| x == ip)
    }
}

/// One file as read: a server or a Sentinel.
#[derive(Debug)]
struct Node {
    file: String,
    sentinel: bool,
    addr: Addr,
    /// `replicaof host port` (servers), or `sentinel monitor name host port quorum`.
    points_at: Option<(String, u16)>,
    /// The lab's settings this file sets, by the lab's path.
    set: Map<String, Value>,
    priority: Option<u32>,
    /// The file's own box and name, from a `box/name` section.
    placed: Option<(String, String)>,
}

/// Notes for one file, in line order.
struct Reader<'a> {
    file: &'a str,
    notes: &'a mut Vec<ConfNote>,
    refused: bool,
}

impl Reader<'_> {
    fn note(&mut self, line: usize, level: NoteLevel, text: String, matters: bool) {
        if level == NoteLevel::Refused {
            self.refused = true;
        }
        self.notes.push(ConfNote {
            file: self.file.to_string(),
            line,
            level,
            text,
            matters,
        });
    }

    /// Redis refuses the line: the server would print this and exit.
    fn refuse(&mut self, line: usize, raw: &str, err: &str) {
        self.note(
            line,
            NoteLevel::Refused,
            format!("Redis refuses `{}`: {err}", raw.trim()),
            true,
        );
    }
}

/// `sdssplitargs`: arguments separated by blanks, "double quotes" with escapes and
/// 'single quotes'. None for unbalanced quotes (Redis: "Unbalanced quotes in
/// configuration line").
fn split_args(line: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(&first) = chars.peek() else {
            return Some(out);
        };
        let mut cur = String::new();
        if first == '"' || first == '\'' {
            chars.next();
            loop {
                match chars.next() {
                    None => return None,
                    Some('\\') if first == '"' => match chars.next() {
                        Some('n') => cur.push('\n'),
                        Some('t') => cur.push('\t'),
                        Some('r') => cur.push('\r'),
                        Some(c) => cur.push(c),
                        None => return None,
                    },
                    Some('\\') if chars.peek() == Some(&'\'') => {
                        chars.next();
                        cur.push('\'');
                    }
                    Some(c) if c == first => break,
                    Some(c) => cur.push(c),
                }
            }
            // A closing quote must be followed by a blank or the end.
            if chars.peek().is_some_and(|c| !c.is_whitespace()) {
                return None;
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                cur.push(c);
                chars.next();
            }
        }
        out.push(cur);
    }
}

/// `string2ll`: a whole decimal integer, nothing else.
fn int(v: &str) -> Option<i64> {
    if v.is_empty() || v.starts_with('+') || (v.len() > 1 && v.starts_with('0')) {
        return if v == "0" { Some(0) } else { None };
    }
    v.parse().ok()
}

/// An int config's value, or Redis's words for why not.
fn int_in(v: &str, min: i64, max: i64) -> Result<i64, String> {
    let n = int(v).ok_or("argument couldn't be parsed into an integer")?;
    if n < min || n > max {
        return Err(format!(
            "argument must be between {min} and {max} inclusive"
        ));
    }
    Ok(n)
}

/// `memtoull`: a byte count with an optional unit (b, k, kb, m, mb, g, gb).
fn memory(v: &str) -> Result<u64, String> {
    let lower = v.to_ascii_lowercase();
    let split = lower
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(lower.len());
    let (num, unit) = lower.split_at(split);
    let mul: u64 = match unit {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return Err("argument must be a memory value".into()),
    };
    num.parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mul))
        .ok_or_else(|| "argument must be a memory value".into())
}

fn yes_no(v: &str) -> Result<bool, String> {
    match v.to_ascii_lowercase().as_str() {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err("argument must be 'yes' or 'no'".into()),
    }
}

/// Whether a file is a sentinel.conf: it has a `sentinel` line, or says so in its name.
fn is_sentinel(f: &ConfFile) -> bool {
    f.name.to_ascii_lowercase().contains("sentinel")
        || f.text.lines().any(|l| {
            split_args(l)
                .and_then(|a| a.first().map(|x| x.eq_ignore_ascii_case("sentinel")))
                .unwrap_or(false)
        })
}

/// A name made only of letters, digits, `-` and `_`.
fn plain_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The box and process a section names (`#> box1/M1`). A name ending in `.conf` is a
/// file's path instead: see [`from_path`].
fn placed(name: &str) -> Option<(String, String)> {
    if name.ends_with(".conf") {
        return None;
    }
    let (b, n) = name.split_once('/')?;
    (plain_name(b) && plain_name(n)).then(|| (b.to_string(), n.to_string()))
}

/// What a file's path says: its directory (`node1/redis.conf`: the box `node1`) and a
/// process name from its stem, unless the stem only says what the file is
/// (`redis`, `sentinel-26379`).
fn from_path(name: &str) -> (Option<String>, Option<String>) {
    if name.contains(char::is_whitespace) {
        return (None, None); // a section's free-form name, not a path
    }
    let parts: Vec<&str> = name.split('/').filter(|s| !s.is_empty()).collect();
    let stem = parts
        .last()
        .map(|f| f.split('.').next().unwrap_or(f))
        .filter(|s| plain_name(s))
        .filter(|s| {
            let l = s.to_ascii_lowercase();
            !l.starts_with("redis") && !l.starts_with("sentinel")
        })
        .map(str::to_string);
    let dir = (parts.len() >= 2)
        .then(|| parts[parts.len() - 2])
        .filter(|d| plain_name(d))
        .map(str::to_string);
    (dir, stem)
}

/// Reads one file.
fn read(f: &ConfFile, notes: &mut Vec<ConfNote>) -> Option<Node> {
    let sentinel = is_sentinel(f);
    let mut r = Reader {
        file: &f.name,
        notes,
        refused: false,
    };
    let mut node = Node {
        file: f.name.clone(),
        sentinel,
        addr: Addr {
            ip: None,
            port: if sentinel { 26379 } else { 6379 },
        },
        points_at: None,
        set: Map::new(),
        priority: None,
        placed: placed(&f.name),
    };
    let mut appendonly = false;
    let mut save_rules: Option<bool> = None;
    let mut appendfsync: Option<String> = None;
    let mut master_name: Option<String> = None;
    for (i, raw) in f.text.lines().enumerate() {
        let line = i + 1;
        let t = raw.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let Some(args) = split_args(t) else {
            r.refuse(line, raw, "Unbalanced quotes in configuration line");
            continue;
        };
        let dir = args[0].to_ascii_lowercase();
        let val = args.get(1).map(String::as_str).unwrap_or("");
        let one = args.len() == 2;
        let mut set = |k: &str, v: Value| {
            node.set.insert(k.to_string(), v);
        };
        let outcome: Result<(), String> = match dir.as_str() {
            "replicaof" | "slaveof" if args.len() == 3 => {
                match args[2]
                    .parse::<i64>()
                    .ok()
                    .filter(|p| (0..=65535).contains(p))
                {
                    Some(port) if !sentinel => {
                        node.points_at = Some((args[1].clone(), port as u16));
                        Ok(())
                    }
                    Some(_) => {
                        r.note(line, NoteLevel::NotModelled, "replicaof in a sentinel.conf: not read (Sentinel decides who replicates)".into(), false);
                        Ok(())
                    }
                    None => Err("Invalid master port".into()),
                }
            }
            "port" if one => int_in(val, 0, 65535).map(|p| node.addr.port = p as u16),
            "bind" if args.len() >= 2 => {
                node.addr.ip = args[1..]
                    .iter()
                    .map(|a| a.trim_start_matches('-'))
                    .find(|a| !a.starts_with("127.") && *a != "::1" && *a != "*" && *a != "0.0.0.0")
                    .map(str::to_string);
                Ok(())
            }
            "min-replicas-to-write" | "min-slaves-to-write" if one => {
                int_in(val, 0, i32::MAX as i64).map(|n| set("min_replicas_to_write", json!(n)))
            }
            "min-replicas-max-lag" | "min-slaves-max-lag" if one => {
                int_in(val, 0, i32::MAX as i64).map(|n| set("min_replicas_max_lag_s", json!(n)))
            }
            "repl-timeout" if one => {
                int_in(val, 1, i32::MAX as i64).map(|n| set("repl_timeout_s", json!(n)))
            }
            "repl-backlog-size" if one => memory(val).and_then(|n| {
                if n < 1 {
                    return Err(
                        "argument must be between 1 and 9223372036854775807 inclusive".into(),
                    );
                }
                // resizeReplicationBacklog: CONFIG_REPL_BACKLOG_MIN_SIZE.
                let n = if n < 16 * 1024 {
                    r.note(
                        line,
                        NoteLevel::Info,
                        format!("repl-backlog-size {val}: Redis accepts it, but raises a backlog under 16 kb to 16384 bytes when it creates it (resizeReplicationBacklog); so does the lab"),
                        true,
                    );
                    16 * 1024
                } else {
                    n
                };
                set("repl_backlog_bytes", json!(n));
                Ok(())
            }),
            "repl-diskless-sync" if one => yes_no(val).map(|b| set("repl_diskless_sync", json!(b))),
            "repl-diskless-sync-delay" if one => {
                int_in(val, 0, i32::MAX as i64).map(|n| set("repl_diskless_sync_delay_s", json!(n)))
            }
            "replica-priority" | "slave-priority" if one => {
                int_in(val, 0, i32::MAX as i64).map(|n| node.priority = Some(n as u32))
            }
            "appendonly" if one => yes_no(val).map(|b| appendonly = b),
            "appendfsync" if one => match val.to_ascii_lowercase().as_str() {
                "always" | "everysec" | "no" => {
                    appendfsync = Some(val.to_ascii_lowercase());
                    Ok(())
                }
                _ => Err("argument(s) must be one of the following: always, everysec, no".into()),
            },
            "save" if args.len() >= 2 => {
                let rules = &args[1..];
                if rules.len() == 1 && rules[0].is_empty() {
                    save_rules = Some(false);
                    Ok(())
                } else if rules.len() % 2 != 0 || rules.iter().any(|x| int(x).is_none_or(|n| n < 0))
                {
                    Err("Invalid save parameters".into())
                } else {
                    save_rules = Some(true);
                    Ok(())
                }
            }
            "sentinel" if sentinel => {
                sentinel_line(&args[1..], line, raw, &mut r, &mut node, &mut master_name);
                Ok(())
            }
            "sentinel" => Err("sentinel directive while not in sentinel mode".into()),
            d if DIRECTIVES.split_whitespace().any(|x| x == d) || SPECIAL.contains(&d) => {
                if MODELLED.contains(&d) {
                    // As redis-server 7.0.15 words it, `replicaof` included.
                    Err("wrong number of arguments".into())
                } else {
                    let why = MATTERS.iter().find(|m| m.0 == d).map(|m| m.1);
                    let text = match why {
                        Some(w) => {
                            format!("{d}: not modelled, and it matters for split-brain: {w}")
                        }
                        None => format!("{d}: not modelled (no effect on split-brain)"),
                    };
                    r.note(line, NoteLevel::NotModelled, text, why.is_some());
                    Ok(())
                }
            }
            _ => Err("Bad directive or wrong number of arguments".into()),
        };
        if let Err(e) = outcome {
            r.refuse(line, raw, &e);
        }
    }
    if !sentinel {
        // The model keeps all or nothing across a restart: only an AOF comes close.
        let persist = appendonly;
        node.set.insert("persistence".into(), json!(persist));
        let rdb = save_rules.unwrap_or(true);
        if appendonly && appendfsync.as_deref() != Some("always") {
            let fsync = appendfsync.as_deref().unwrap_or("everysec");
            r.note(0, NoteLevel::Info, format!("appendonly yes with appendfsync {fsync}: a crash can lose the last second of writes; the lab keeps them all"), true);
        } else if !appendonly && rdb {
            r.note(0, NoteLevel::Info, "RDB snapshots only (no appendonly): a restart loses every write since the last snapshot, so the lab restarts this server empty".into(), true);
        }
    }
    if sentinel && !node.set.contains_key("known_topology") {
        node.set.insert("known_topology".into(), json!(false));
        r.note(0, NoteLevel::Info, "no known-replica or known-sentinel lines: this Sentinel starts as one just brought up, and discovers the replicas (INFO) and the other Sentinels (hello) in its first seconds".into(), true);
    }
    if sentinel && node.points_at.is_none() && !r.refused {
        r.note(
            0,
            NoteLevel::Refused,
            "no `sentinel monitor` line: this Sentinel watches no master".into(),
            true,
        );
    }
    (!r.refused).then_some(node)
}

/// One `sentinel ...` line (after the word `sentinel`).
fn sentinel_line(
    a: &[String],
    line: usize,
    raw: &str,
    r: &mut Reader,
    node: &mut Node,
    master: &mut Option<String>,
) {
    let sub = a
        .first()
        .map(|s| s.to_ascii_lowercase())
        .unwrap_or_default();
    // atoi: leading digits, anything after ignored, 0 when none.
    let atoi = |s: &str| -> i64 {
        let t = s.trim_start();
        let (sign, digits) = match t.strip_prefix('-') {
            Some(rest) => (-1, rest),
            None => (1, t.strip_prefix('+').unwrap_or(t)),
        };
        let d: String = digits
            .chars()
            .take_while(char::is_ascii_digit)
            .take(18)
            .collect();
        sign * d.parse::<i64>().unwrap_or(0)
    };
    let known = |name: &str, master: &Option<String>| master.as_deref() == Some(name);
    let unrecognized = "Unrecognized sentinel configuration statement.";
    match (sub.as_str(), a.len()) {
        ("monitor", 5) => {
            let quorum = atoi(&a[4]);
            if quorum <= 0 {
                return r.refuse(line, raw, "Quorum must be 1 or greater.");
            }
            let Some(port) = a[3].parse::<u16>().ok() else {
                return r.refuse(line, raw, "Invalid port number");
            };
            if master.is_some() {
                let text = format!("a second monitored master `{}`: the lab models one master per Sentinel; this line is not read", a[1]);
                return r.note(line, NoteLevel::NotModelled, text, false);
            }
            *master = Some(a[1].clone());
            node.points_at = Some((a[2].clone(), port));
            node.set.insert("quorum".into(), json!(quorum));
        }
        ("down-after-milliseconds" | "failover-timeout" | "parallel-syncs", 3) => {
            if !known(&a[1], master) {
                if master.is_none() {
                    return r.refuse(line, raw, "No such master with specified name.");
                }
                return r.note(
                    line,
                    NoteLevel::NotModelled,
                    format!("{sub} for `{}`, a master the lab does not model", a[1]),
                    false,
                );
            }
            let n = atoi(&a[2]);
            match sub.as_str() {
                "parallel-syncs" => {
                    if n < 1 {
                        r.note(line, NoteLevel::Info, format!("parallel-syncs {}: Sentinel accepts it, but then reconfigures replicas only when the failover times out; the lab uses 1", a[2]), true);
                    }
                    node.set.insert("parallel_syncs".into(), json!(n.max(1)));
                }
                _ if n <= 0 => r.refuse(line, raw, "negative or zero time parameter."),
                "down-after-milliseconds" => {
                    node.set.insert("down_after_ms".into(), json!(n));
                }
                _ => {
                    node.set.insert("failover_timeout_ms".into(), json!(n));
                }
            }
        }
        ("known-replica" | "known-slave" | "known-sentinel", _) => {
            node.set.insert("known_topology".into(), json!(true));
        }
        ("myid", 2) if a[1].len() != 40 => {
            r.refuse(line, raw, "Malformed Sentinel id in myid option.")
        }
        ("myid", _) => r.note(
            line,
            NoteLevel::Info,
            "sentinel myid: its identity; the lab knows each Sentinel by its process".into(),
            false,
        ),
        ("current-epoch" | "config-epoch" | "leader-epoch", _) => {
            r.note(
                line,
                NoteLevel::Info,
                format!(
                    "sentinel {sub}: state Sentinel wrote back; the lab starts every epoch at 0"
                ),
                false,
            );
        }
        (
            "auth-pass"
            | "auth-user"
            | "notification-script"
            | "client-reconfig-script"
            | "rename-command"
            | "announce-ip"
            | "announce-port"
            | "deny-scripts-reconfig"
            | "sentinel-user"
            | "sentinel-pass"
            | "resolve-hostnames"
            | "announce-hostnames",
            _,
        ) => {
            if sub == "announce-ip" && a.len() == 2 {
                node.addr.ip = Some(a[1].clone());
            }
            let matters = matches!(sub.as_str(), "auth-pass" | "auth-user" | "rename-command");
            let why = if matters {
                ", and it matters: without it Sentinel cannot command the servers"
            } else {
                " (no effect on split-brain)"
            };
            r.note(
                line,
                NoteLevel::NotModelled,
                format!("sentinel {sub}: not modelled{why}"),
                matters,
            );
        }
        ("master-reboot-down-after-period", 3) => {
            if !known(&a[1], master) {
                return r.refuse(line, raw, "No such master with specified name.");
            }
            let text = if atoi(&a[2]) == 0 {
                "sentinel master-reboot-down-after-period 0: off, as the lab has it".to_string()
            } else {
                format!("sentinel master-reboot-down-after-period {}: not modelled, and it matters: a master that restarted and still answers LOADING after this long is judged down, and can be failed over", a[2])
            };
            let on = atoi(&a[2]) != 0;
            r.note(
                line,
                if on {
                    NoteLevel::NotModelled
                } else {
                    NoteLevel::Info
                },
                text,
                on,
            );
        }
        _ => r.refuse(line, raw, unrecognized),
    }
}

/// The lab's settings a server's redis.conf holds, and a Sentinel's sentinel.conf.
const SERVER_KEYS: &[&str] = &[
    "min_replicas_to_write",
    "min_replicas_max_lag_s",
    "repl_timeout_s",
    "repl_backlog_bytes",
    "repl_diskless_sync",
    "repl_diskless_sync_delay_s",
    "persistence",
];
const SENTINEL_KEYS: &[&str] = &[
    "quorum",
    "down_after_ms",
    "failover_timeout_ms",
    "parallel_syncs",
    "known_topology",
];

/// Reads redis.conf and sentinel.conf files (one per process) into a scenario: each
/// file is a process; `box/name` section names place it, else its `bind` address
/// does (processes with the same address share a box). Every line the lab does not
/// simply take gets a note.
pub fn import(files: &[ConfFile]) -> ConfImport {
    let mut notes = Vec::new();
    let nodes: Vec<Option<Node>> = files.iter().map(|f| read(f, &mut notes)).collect();
    let whole = |notes: &mut Vec<ConfNote>, text: String| {
        notes.push(ConfNote {
            file: String::new(),
            line: 0,
            level: NoteLevel::Refused,
            text,
            matters: true,
        });
    };
    if files.is_empty() {
        whole(
            &mut notes,
            "no configuration files: paste a redis.conf and a sentinel.conf per node".into(),
        );
    }
    if nodes.iter().any(Option::is_none) || files.is_empty() {
        return ConfImport {
            scenario: None,
            notes,
        };
    }
    let nodes: Vec<Node> = nodes.into_iter().flatten().collect();
    let masters: Vec<&Node> = nodes
        .iter()
        .filter(|n| !n.sentinel && n.points_at.is_none())
        .collect();
    let master = match masters[..] {
        [m] => m,
        [] => {
            let text = if nodes.iter().any(|n| !n.sentinel) {
                "every server has a replicaof line: there is no master to start from"
            } else {
                "no redis.conf: the lab needs at least the master's"
            };
            whole(&mut notes, text.into());
            return ConfImport {
                scenario: None,
                notes,
            };
        }
        _ => {
            let list: Vec<&str> = masters.iter().map(|m| m.file.as_str()).collect();
            whole(&mut notes, format!("{} servers have no replicaof line ({}): the lab models one master with its replicas", masters.len(), list.join(", ")));
            return ConfImport {
                scenario: None,
                notes,
            };
        }
    };
    // Names and boxes.
    let mut taken: Vec<String> = nodes
        .iter()
        .filter_map(|n| n.placed.as_ref().map(|p| p.1.clone()))
        .collect();
    let stems: Vec<Option<String>> = nodes
        .iter()
        .map(|n| from_path(&n.file).1)
        .map(|stem| stem.filter(|x| !taken.contains(x)))
        .collect();
    taken.extend(stems.iter().flatten().cloned());
    let mut fresh = |prefix: &str| {
        let name = (1..)
            .map(|i| format!("{prefix}{i}"))
            .find(|n| !taken.contains(n))
            .expect("a free name");
        taken.push(name.clone());
        name
    };
    let mut placed: Vec<(String, String)> = Vec::new();
    for (k, n) in nodes.iter().enumerate() {
        let (b, name) = match &n.placed {
            Some(p) => p.clone(),
            None => {
                let dir = from_path(&n.file).0;
                let prefix = if n.sentinel {
                    "S"
                } else if std::ptr::eq(n, master) {
                    "M"
                } else {
                    "R"
                };
                let b = match (&n.addr.ip, dir) {
                    (Some(ip), _) => ip.clone(),
                    (None, Some(dir)) => dir,
                    (None, None) => {
                        let stem = n.file.rsplit('/').next().unwrap_or(&n.file);
                        let stem = stem.split('.').next().unwrap_or(stem).to_string();
                        notes.push(ConfNote {
                            file: n.file.clone(),
                            line: 0,
                            level: NoteLevel::Info,
                            text: format!("no bind address: on a box of its own, `{stem}`"),
                            matters: false,
                        });
                        stem
                    }
                };
                let name = stems[k].clone().unwrap_or_else(|| fresh(prefix));
                // Box and process names are one namespace.
                let b = if b == name { format!("{b}-host") } else { b };
                (b, name)
            }
        };
        placed.push((b, name));
    }
    // Replicas and Sentinels point at the master.
    let master_name = placed[nodes
        .iter()
        .position(|n| std::ptr::eq(n, master))
        .expect("the master is a node")]
    .1
    .clone();
    for n in &nodes {
        if let Some((ip, port)) = &n.points_at {
            if !master.addr.matches(ip, *port) {
                let what = if n.sentinel {
                    "sentinel monitor"
                } else {
                    "replicaof"
                };
                let text = format!("{what} {ip} {port}: the master in these files is {master_name}; the lab has every replica follow it and every Sentinel watch it");
                notes.push(ConfNote {
                    file: n.file.clone(),
                    line: 0,
                    level: NoteLevel::Info,
                    text,
                    matters: true,
                });
            }
        }
    }
    // Settings: the most common value of each is the scenario's, the rest each process's own.
    let defaults = serde_json::to_value(RedisSettings::default()).expect("settings serialize");
    let mut settings = Map::new();
    let mut own: Vec<Map<String, Value>> = vec![Map::new(); nodes.len()];
    for (keys, sentinel) in [(SERVER_KEYS, false), (SENTINEL_KEYS, true)] {
        let of_kind: Vec<usize> = (0..nodes.len())
            .filter(|&i| nodes[i].sentinel == sentinel)
            .collect();
        for &key in keys {
            let value = |i: usize| {
                nodes[i]
                    .set
                    .get(key)
                    .cloned()
                    .unwrap_or_else(|| defaults[key].clone())
            };
            let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
            for &i in &of_kind {
                let e = counts.entry(value(i).to_string()).or_insert((0, i));
                e.0 += 1;
            }
            // On a tie the default wins, so that the unusual value shows as a process's own.
            let Some(common) = counts
                .values()
                .max_by_key(|(n, first)| {
                    (
                        *n,
                        value(*first) == defaults[key],
                        std::cmp::Reverse(*first),
                    )
                })
                .map(|&(_, i)| value(i))
            else {
                continue;
            };
            if common != defaults[key] {
                settings.insert(key.to_string(), common.clone());
            }
            for &i in &of_kind {
                if value(i) != common {
                    own[i].insert(key.to_string(), value(i));
                }
            }
        }
    }
    // Boxes in order of first appearance.
    let mut boxes: Vec<crate::scenario::BoxSpec> = Vec::new();
    for (i, (b, name)) in placed.iter().enumerate() {
        let kind = if nodes[i].sentinel {
            "sentinel"
        } else {
            "redis"
        };
        let mut spec = p(name, kind);
        spec.priority = nodes[i].priority;
        spec.settings = (!own[i].is_empty()).then(|| Value::Object(own[i].clone()));
        match boxes.iter_mut().find(|x| &x.name == b) {
            Some(x) => x.processes.push(spec),
            None => boxes.push(bx(b, vec![spec])),
        }
    }
    // Clients, so that there are writes to lose: one beside the master, one beside
    // the first replica on another box.
    let master_box = placed
        .iter()
        .find(|p| p.1 == master_name)
        .expect("placed")
        .0
        .clone();
    let other_box = nodes
        .iter()
        .zip(&placed)
        .find(|(n, p)| !n.sentinel && p.0 != master_box)
        .map(|(_, p)| p.0.clone());
    let mut added = Vec::new();
    for b in std::iter::once(master_box).chain(other_box) {
        let name = fresh("C");
        if let Some(x) = boxes.iter_mut().find(|x| x.name == b) {
            x.processes.push(p(&name, "client"));
        }
        added.push(format!("{name} on {b}"));
    }
    notes.push(ConfNote {
        file: String::new(),
        line: 0,
        level: NoteLevel::Info,
        text: format!(
            "added clients ({}) so that there are writes to lose: move or remove them in the lab",
            added.join(", ")
        ),
        matters: false,
    });
    let first_server = placed
        .iter()
        .zip(&nodes)
        .find(|(_, n)| !n.sentinel)
        .map(|(p, _)| p.1.clone());
    if first_server.as_deref() != Some(master_name.as_str()) {
        settings.insert("initial_master".into(), json!(master_name));
    }
    let mut s = crate::presets::scenario(
        super::SYSTEM,
        boxes,
        Value::Object(settings),
        90_000,
        Vec::new(),
    );
    s.name = "imported".into();
    s.description = format!("Imported from {} configuration file(s).", files.len());
    if let Err(e) = s
        .validate()
        .and_then(|_| super::build(&s, Default::default()).map(|_| ()))
    {
        whole(
            &mut notes,
            format!("the files do not make a deployment the lab can run: {e}"),
        );
        return ConfImport {
            scenario: None,
            notes,
        };
    }
    ConfImport {
        scenario: Some(s),
        notes,
    }
}

/// A Sentinel id for process `k` (40 hex characters, as `sentinel myid` wants).
fn sentinel_id(k: usize) -> String {
    format!("{:040x}", 0x5e47_1000 + k as u64)
}

/// A value as redis.conf writes it.
fn conf_value(v: &Value) -> String {
    match v {
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        other => other.to_string(),
    }
}

/// Writes the scenario's Redis servers and Sentinels as one redis.conf or
/// sentinel.conf each, named `box/process`. Box `k` gets the address 10.0.0.k+1;
/// servers on a box listen on 6379, 6380, …, Sentinels on 26379, ….
pub fn export(s: &Scenario) -> Result<Vec<ConfFile>, ScenarioError> {
    super::build(s, Default::default())?;
    let own: Vec<RedisSettings> = super::DESC.per_process(s)?;
    let set: RedisSettings = crate::scenario::parse_settings(&s.settings)?;
    let ip = |b: usize| format!("10.0.{}.{}", b / 250, b % 250 + 1);
    let mut addr = Vec::new();
    for (b, bxs) in s.boxes.iter().enumerate() {
        let (mut servers, mut sentinels) = (0, 0);
        for q in &bxs.processes {
            let port = match q.kind.as_str() {
                "redis" => {
                    servers += 1;
                    6378 + servers
                }
                "sentinel" => {
                    sentinels += 1;
                    26378 + sentinels
                }
                _ => 0,
            };
            addr.push((ip(b), port));
        }
    }
    let procs: Vec<(usize, &crate::scenario::ProcSpec)> = s.processes().collect();
    let master = match &set.initial_master {
        Some(n) => procs.iter().position(|(_, q)| &q.name == n),
        None => procs.iter().position(|(_, q)| q.kind == "redis"),
    }
    .expect("build checked the master");
    let (mip, mport) = addr[master].clone();
    let mut out = Vec::new();
    for (k, (b, q)) in procs.iter().enumerate() {
        let o = serde_json::to_value(&own[k]).expect("settings serialize");
        let (myip, port) = &addr[k];
        let mut t = format!(
            "# {} on {}, written by Split-Brain Lab from \"{}\"\nbind {myip}\nport {port}\n",
            q.name, s.boxes[*b].name, s.name
        );
        match q.kind.as_str() {
            "redis" => {
                if k != master {
                    t += &format!("replicaof {mip} {mport}\n");
                }
                let names = [
                    ("min_replicas_to_write", "min-replicas-to-write"),
                    ("min_replicas_max_lag_s", "min-replicas-max-lag"),
                    ("repl_timeout_s", "repl-timeout"),
                    ("repl_backlog_bytes", "repl-backlog-size"),
                    ("repl_diskless_sync", "repl-diskless-sync"),
                    ("repl_diskless_sync_delay_s", "repl-diskless-sync-delay"),
                ];
                for (key, conf) in names {
                    t += &format!("{conf} {}\n", conf_value(&o[key]));
                }
                t += &format!("replica-priority {}\n", q.priority.unwrap_or(100));
                if own[k].persistence {
                    t += "appendonly yes\nappendfsync always\n";
                } else {
                    t += "# no persistence: a restart comes back empty\nappendonly no\nsave \"\"\n";
                }
            }
            "sentinel" => {
                t += &format!(
                    "sentinel monitor mymaster {mip} {mport} {}\n",
                    own[k].quorum
                );
                let names = [
                    ("down_after_ms", "down-after-milliseconds"),
                    ("failover_timeout_ms", "failover-timeout"),
                    ("parallel_syncs", "parallel-syncs"),
                ];
                for (key, conf) in names {
                    t += &format!("sentinel {conf} mymaster {}\n", conf_value(&o[key]));
                }
                if own[k].known_topology {
                    // What Sentinel rewrites into its file once it has met everyone.
                    t += &format!("sentinel myid {}\n", sentinel_id(k));
                    for (j, (_, other)) in procs.iter().enumerate() {
                        let (ip, port) = &addr[j];
                        match other.kind.as_str() {
                            "redis" if j != master => {
                                t += &format!("sentinel known-replica mymaster {ip} {port}\n")
                            }
                            "sentinel" if j != k => {
                                t += &format!(
                                    "sentinel known-sentinel mymaster {ip} {port} {}\n",
                                    sentinel_id(j)
                                )
                            }
                            _ => {}
                        }
                    }
                }
            }
            _ => continue,
        }
        out.push(ConfFile {
            name: format!("{}/{}", s.boxes[*b].name, q.name),
            text: t,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_args_reads_quotes_like_sdssplitargs() {
        assert_eq!(split_args(r#"save "" "#).unwrap(), vec!["save", ""]);
        assert_eq!(
            split_args(r#"a "b c" 'd e'"#).unwrap(),
            vec!["a", "b c", "d e"]
        );
        assert_eq!(split_args(r#"a "b\nc""#).unwrap(), vec!["a", "b\nc"]);
        assert!(split_args(r#"a "b"#).is_none());
        assert!(split_args(r#"a "b"c"#).is_none());
    }

    #[test]
    fn memory_values_take_redis_units() {
        assert_eq!(memory("1mb"), Ok(1 << 20));
        assert_eq!(memory("1M"), Ok(1_000_000));
        assert_eq!(memory("16kb"), Ok(16 * 1024));
        assert!(memory("1x").is_err());
        assert!(memory("-1").is_err());
    }
}
