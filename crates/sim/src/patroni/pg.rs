//! PostgreSQL 15 as Patroni drives it: a primary that writes WAL and streams it to
//! standbys, synchronous replication, timelines, fast and immediate shutdown.
//!
//! Rules from PostgreSQL 15 (src/backend/replication/syncrep.c, walsender.c,
//! walreceiver.c, postmaster/postmaster.c, tcop/postgres.c):
//! - A commit is written to the local WAL first; with `synchronous_standby_names` set
//!   and `synchronous_commit` above `local`, the backend then waits in
//!   `SyncRepWaitForLSN` until enough synchronous standbys have flushed it. With none
//!   reachable it **waits**; it is not refused. `statement_timeout` does not end the
//!   wait (`finish_xact_command` disables it before the commit). A cancel request
//!   ends it with *success* and a WARNING that the transaction "has already committed
//!   locally, but might not have been replicated to the standby"; a terminated
//!   backend (a shutdown) closes the connection with the row committed locally.
//! - `FIRST k (a, b, …)`: the first k listed standbys that are streaming are the
//!   synchronous ones, and a commit waits for all of them; `ANY k (…)`: for any k of
//!   the listed ones. `*` matches every standby.
//! - A walsender asks for a reply after `wal_sender_timeout / 2` without one, and
//!   gives up at `wal_sender_timeout` ("terminating walsender process due to
//!   replication timeout"); a walreceiver replies after each flush and at least every
//!   `wal_receiver_status_interval`, and gives up after `wal_receiver_timeout`.
//! - A fast shutdown ends the backends, writes a shutdown checkpoint and waits until
//!   every walsender has sent it (`WalSndDone`): with a standby cut off, only
//!   `wal_sender_timeout` ends the wait.
//! - A promotion starts a new timeline; a standby may stream across a timeline switch
//!   only if it has not gone past the switch point ("requested starting point … is not
//!   in this server's history"); otherwise it must be rewound (`pg_rewind`).

use serde::{Deserialize, Serialize};

use super::events::PatroniEvent;
use super::msg::{Msg, Rec, SqlResult, Tl};
use super::{PCtx, Timer};
use crate::history::OpId;
use crate::ids::{Millis, ProcId};
use crate::process::{DataSet, Signal};

/// `synchronous_commit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncCommit {
    /// No wait at all (not even for the local flush).
    Off,
    /// The local flush only.
    Local,
    /// Standbys have written it (the model's standbys write and flush together).
    RemoteWrite,
    /// Standbys have flushed it (the default).
    On,
    /// Standbys have applied it (the model's standbys apply as they flush).
    RemoteApply,
}

/// `synchronous_standby_names`, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncNames {
    /// Empty: asynchronous.
    None,
    /// `FIRST k (…)` or a plain list (`k` is 1).
    First(usize, Vec<String>),
    /// `ANY k (…)`.
    Any(usize, Vec<String>),
}

impl SyncNames {
    /// Parses PostgreSQL's syntax (`n2`, `*`, `FIRST 1 (a, b)`, `ANY 2 (a, b, c)`,
    /// `2 (a, b)`); Err names what is wrong.
    pub fn parse(s: &str) -> Result<SyncNames, String> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(SyncNames::None);
        }
        let list = |inner: &str| -> Result<Vec<String>, String> {
            let names: Vec<String> = inner
                .split(',')
                .map(|n| n.trim().trim_matches('"').to_string())
                .collect();
            if names.iter().any(|n| n.is_empty()) {
                return Err("a standby name in the list is empty".into());
            }
            Ok(names)
        };
        let (method, rest) = match s.split_once(char::is_whitespace) {
            Some((w, r)) if w.eq_ignore_ascii_case("first") => ("first", r.trim()),
            Some((w, r)) if w.eq_ignore_ascii_case("any") => ("any", r.trim()),
            _ => ("", s),
        };
        if let Some(open) = rest.find('(') {
            let k: usize = rest[..open]
                .trim()
                .parse()
                .map_err(|_| format!("expected a number of standbys before `(` in `{s}`"))?;
            let close = rest
                .rfind(')')
                .filter(|c| *c > open)
                .ok_or_else(|| format!("missing `)` after `(` in `{s}`"))?;
            let names = list(&rest[open + 1..close])?;
            if k == 0 || k > names.len() {
                return Err(format!(
                    "asks for {k} synchronous standbys of a list of {}",
                    names.len()
                ));
            }
            return Ok(if method == "any" {
                SyncNames::Any(k, names)
            } else {
                SyncNames::First(k, names)
            });
        }
        if !method.is_empty() {
            return Err(format!("`{s}`: FIRST and ANY need `k (names)`"));
        }
        Ok(SyncNames::First(1, list(s)?))
    }

    /// PostgreSQL's spelling.
    pub fn show(&self) -> String {
        match self {
            SyncNames::None => "''".into(),
            SyncNames::First(1, n) if n.len() == 1 => n[0].clone(),
            SyncNames::First(k, n) => format!("FIRST {k} ({})", n.join(", ")),
            SyncNames::Any(k, n) => format!("ANY {k} ({})", n.join(", ")),
        }
    }
}

/// PostgreSQL's fixed settings.
#[derive(Clone, Debug)]
pub struct PgCfg {
    /// `wal_sender_timeout`.
    pub wal_sender_timeout: Millis,
    /// `wal_receiver_timeout`.
    pub wal_receiver_timeout: Millis,
    /// `wal_receiver_status_interval`.
    pub status_interval: Millis,
    /// `wal_retrieve_retry_interval`.
    pub retry_interval: Millis,
    /// `synchronous_commit`.
    pub sync_commit: SyncCommit,
    /// Every process's name (a standby's `application_name` is its member name).
    pub names: Vec<String>,
}

/// What the server is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PgRole {
    /// Read-write.
    Primary,
    /// In recovery, following `upstream` if it has one.
    Standby,
    /// A fast shutdown waiting for its walsenders.
    ShuttingDown,
    /// Not running.
    Stopped,
}

#[derive(Clone, Debug)]
struct Sender {
    to: ProcId,
    stream: u32,
    flush: u64,
    last_reply: Millis,
    ping_sent: bool,
    /// It has caught up once: PostgreSQL's `streaming` state, the only one in which a
    /// standby can be synchronous (`catchup` before).
    streaming: bool,
}

#[derive(Clone, Copy, Debug)]
struct Waiter {
    op: OpId,
    client: ProcId,
    lsn: u64,
}

#[derive(Clone, Copy, Debug)]
struct Receiver {
    to: ProcId,
    stream: u32,
    last_msg: Millis,
    last_status: Millis,
    streaming: bool,
}

/// How often the server looks at its replication timeouts.
pub const TICK_MS: Millis = 500;

/// One PostgreSQL server.
#[derive(Clone, Debug)]
pub struct Pg {
    me: ProcId,
    cfg: PgCfg,
    role: PgRole,
    wal: imbl::Vector<Rec>,
    tl: Tl,
    history: Vec<(Tl, u64)>,
    rows: DataSet,
    ssn: SyncNames,
    senders: Vec<Sender>,
    waiters: Vec<Waiter>,
    upstream: Option<ProcId>,
    receiver: Option<Receiver>,
    next_try: Millis,
    streams: u32,
    /// Its WAL does not continue the upstream's: nothing it receives fits.
    diverged: bool,
    /// The upstream refused to stream: its history forked before this server's end.
    refused: bool,
    accepted: u64,
    /// The highest LSN a standby has confirmed flushing from this server.
    replicated: u64,
    /// When it released commits that waited for standbys, per timeline it led:
    /// (timeline's promotion, first, last).
    sync_acks: Vec<(u32, Millis, Millis)>,
}

impl Pg {
    /// A server with `wal`, on timeline 1.
    pub fn new(me: ProcId, cfg: PgCfg, role: PgRole, wal: imbl::Vector<Rec>) -> Pg {
        let rows = rows_of(&wal);
        Pg {
            me,
            cfg,
            role,
            tl: Tl { n: 1, uid: 1 },
            history: Vec::new(),
            rows,
            wal,
            ssn: SyncNames::None,
            senders: Vec::new(),
            waiters: Vec::new(),
            upstream: None,
            receiver: None,
            next_try: 0,
            streams: 0,
            diverged: false,
            refused: false,
            accepted: 0,
            replicated: 0,
            sync_acks: Vec::new(),
        }
    }

    /// What it is doing.
    pub fn role(&self) -> PgRole {
        self.role
    }
    /// Its end of WAL.
    pub fn lsn(&self) -> u64 {
        self.wal.len() as u64
    }
    /// Its timeline.
    pub fn tl(&self) -> Tl {
        self.tl
    }
    /// The rows it holds.
    pub fn rows(&self) -> &DataSet {
        &self.rows
    }
    /// Who it streams from.
    pub fn upstream(&self) -> Option<ProcId> {
        self.upstream
    }
    /// Whether it cannot stream from its upstream (forked history).
    pub fn cannot_stream(&self) -> bool {
        self.diverged || self.refused
    }
    /// `synchronous_standby_names` in force.
    pub fn ssn(&self) -> &SyncNames {
        &self.ssn
    }
    /// Commits waiting for a standby.
    pub fn waiting(&self) -> usize {
        self.waiters.len()
    }
    /// When it acknowledged synchronous commits, per timeline it led: (the timeline's
    /// promotion, first, last).
    pub fn sync_acks(&self) -> &[(u32, Millis, Millis)] {
        &self.sync_acks
    }

    /// The highest LSN a standby has confirmed flushing from it (its own end on a
    /// standby): what lies beyond exists on this server alone.
    pub fn replicated(&self) -> u64 {
        match self.role {
            PgRole::Primary | PgRole::ShuttingDown => self.replicated.min(self.lsn()),
            _ => self.lsn(),
        }
    }

    /// Rows it accepted as primary.
    pub fn accepted(&self) -> u64 {
        self.accepted
    }
    /// The standbys streaming from it, with what they have flushed
    /// (`pg_stat_replication`).
    pub fn streaming(&self) -> impl Iterator<Item = (ProcId, u64)> + '_ {
        self.senders
            .iter()
            .filter(|s| s.streaming)
            .map(|s| (s.to, s.flush))
    }

    /// Where it streams from when it starts (a standby of a cluster up a while).
    pub fn set_upstream(&mut self, p: ProcId) {
        self.upstream = Some(p);
    }

    /// The timelines of its last `n` WAL records, oldest first.
    pub fn recent_timelines(&self, n: u64) -> Vec<u64> {
        let len = self.wal.len();
        let from = len.saturating_sub(n as usize);
        (from..len).map(|i| self.wal[i].tl.n as u64).collect()
    }

    fn name(&self, p: ProcId) -> &str {
        &self.cfg.names[p.idx()]
    }

    /// Arms the timeout checks (once, at start).
    pub fn start(&mut self, ctx: &mut PCtx) {
        let phase = 1 + ctx.rng().below(TICK_MS);
        ctx.timer(phase, Timer::PgTick);
        if self.role == PgRole::Primary {
            ctx.signal(Signal::Writable {
                writable: true,
                epoch: self.tl.n as u64,
            });
        }
        self.connect(ctx);
    }

    // ---- SQL ----

    /// An `INSERT`: written locally, then answered at once or after the standbys.
    pub fn insert(&mut self, from: ProcId, op: OpId, value: u64, ctx: &mut PCtx) {
        let result = match self.role {
            PgRole::Primary => None,
            PgRole::Standby => Some(SqlResult::ReadOnly),
            PgRole::ShuttingDown | PgRole::Stopped => Some(SqlResult::NotAccepting),
        };
        if let Some(result) = result {
            ctx.send(from, Msg::Sql { op, result });
            return;
        }
        self.accepted += 1;
        let lsn = self.append(Rec { tl: self.tl, value });
        if self.needs_wait(lsn) {
            self.waiters.push(Waiter {
                op,
                client: from,
                lsn,
            });
        } else {
            ctx.send(
                from,
                Msg::Sql {
                    op,
                    result: SqlResult::Ok,
                },
            );
        }
        self.stream_new(ctx);
    }

    /// `pg_is_in_recovery()`.
    pub fn is_in_recovery(&self, from: ProcId, op: OpId, ctx: &mut PCtx) {
        let result = match self.role {
            PgRole::Primary => SqlResult::InRecovery(false),
            PgRole::Standby => SqlResult::InRecovery(true),
            _ => SqlResult::NotAccepting,
        };
        ctx.send(from, Msg::Sql { op, result });
    }

    /// A cancel request: a commit waiting for standbys ends with success and a warning.
    pub fn cancel(&mut self, op: OpId, ctx: &mut PCtx) {
        if let Some(i) = self.waiters.iter().position(|w| w.op == op) {
            let w = self.waiters.remove(i);
            ctx.event(PatroniEvent::CancelledWait { op });
            ctx.send(
                w.client,
                Msg::Sql {
                    op,
                    result: SqlResult::OkCommittedLocally,
                },
            );
        }
    }

    fn append(&mut self, r: Rec) -> u64 {
        if r.tl != self.tl {
            self.history.push((self.tl, self.lsn()));
            self.tl = r.tl;
        }
        self.wal.push_back(r);
        if r.value != 0 {
            self.rows.insert(r.value);
        }
        self.lsn()
    }

    fn needs_wait(&self, lsn: u64) -> bool {
        !matches!(self.cfg.sync_commit, SyncCommit::Off | SyncCommit::Local) && !self.synced(lsn)
    }

    /// Whether the synchronous standbys in force have flushed `lsn`.
    fn synced(&self, lsn: u64) -> bool {
        let named =
            |s: &Sender, names: &[String]| names.iter().any(|n| n == "*" || n == self.name(s.to));
        match &self.ssn {
            SyncNames::None => true,
            SyncNames::First(k, names) => {
                // The first k listed names that stream are the synchronous standbys.
                let mut chosen: Vec<&Sender> = Vec::new();
                for n in names {
                    for s in self.senders.iter().filter(|s| s.streaming) {
                        let fits = n == "*" || n == self.name(s.to);
                        if fits && !chosen.iter().any(|c| c.to == s.to) && chosen.len() < *k {
                            chosen.push(s);
                        }
                    }
                }
                chosen.len() == *k && chosen.iter().all(|s| s.flush >= lsn)
            }
            SyncNames::Any(k, names) => {
                self.senders
                    .iter()
                    .filter(|s| s.streaming && named(s, names) && s.flush >= lsn)
                    .count()
                    >= *k
            }
        }
    }

    fn release(&mut self, ctx: &mut PCtx) {
        let mut i = 0;
        while i < self.waiters.len() {
            if self.synced(self.waiters[i].lsn) {
                let w = self.waiters.remove(i);
                if !matches!(self.ssn, SyncNames::None) {
                    let (uid, now) = (self.tl.uid, ctx.now);
                    match self.sync_acks.last_mut() {
                        Some(last) if last.0 == uid => last.2 = now,
                        _ => self.sync_acks.push((uid, now, now)),
                    }
                }
                ctx.send(
                    w.client,
                    Msg::Sql {
                        op: w.op,
                        result: SqlResult::Ok,
                    },
                );
            } else {
                i += 1;
            }
        }
    }

    /// Patroni sets `synchronous_standby_names` (a reload): waits it no longer needs end.
    pub fn set_ssn(&mut self, ssn: SyncNames, ctx: &mut PCtx) {
        if ssn != self.ssn {
            self.ssn = ssn;
            self.release(ctx);
        }
    }

    // ---- primary side of replication ----

    fn stream_new(&mut self, ctx: &mut PCtx) {
        let end = self.lsn();
        for k in 0..self.senders.len() {
            let (to, stream) = (self.senders[k].to, self.senders[k].stream);
            self.send_from(to, stream, end - 1, ctx);
        }
    }

    fn send_from(&self, to: ProcId, stream: u32, from: u64, ctx: &mut PCtx) {
        // Indexing an imbl vector is O(log n); skipping through its iterator is O(n).
        let recs: Vec<Rec> = (from as usize..self.wal.len())
            .map(|i| self.wal[i])
            .collect();
        let prev = from.checked_sub(1).map(|i| self.wal[i as usize]);
        ctx.send(
            to,
            Msg::Wal {
                stream,
                tl: self.tl,
                from,
                recs,
                prev,
                reply: false,
            },
        );
    }

    /// `START_REPLICATION`: streams from `lsn` if that point is in this server's history.
    pub fn start_repl(&mut self, from: ProcId, stream: u32, tl: Tl, lsn: u64, ctx: &mut PCtx) {
        if !matches!(self.role, PgRole::Primary) {
            ctx.send(from, Msg::ReplRefused { stream });
            return;
        }
        // Only the number is compared, as PostgreSQL does.
        let ok = if tl.n == self.tl.n {
            lsn <= self.lsn()
        } else if tl.n < self.tl.n {
            // The switch point: where the timeline after `tl.n` began.
            let switch = self
                .history
                .iter()
                .find(|(t, _)| t.n == tl.n)
                .map(|(_, at)| *at)
                .unwrap_or(0);
            lsn <= switch
        } else {
            false
        };
        if !ok {
            ctx.send(from, Msg::ReplRefused { stream });
            return;
        }
        self.senders.retain(|s| s.to != from);
        self.senders.push(Sender {
            to: from,
            stream,
            flush: 0,
            last_reply: ctx.now,
            ping_sent: false,
            streaming: false,
        });
        self.send_from(from, stream, lsn, ctx);
    }

    /// A standby's status update.
    pub fn wal_reply(&mut self, from: ProcId, stream: u32, flush: u64, ctx: &mut PCtx) {
        let Some(s) = self
            .senders
            .iter_mut()
            .find(|s| s.to == from && s.stream == stream)
        else {
            return;
        };
        s.flush = s.flush.max(flush);
        s.last_reply = ctx.now;
        s.ping_sent = false;
        if s.flush >= self.wal.len() as u64 {
            s.streaming = true;
        }
        self.replicated = self.replicated.max(flush);
        self.release(ctx);
        self.maybe_stopped(ctx);
    }

    // ---- standby side ----

    /// Patroni points `primary_conninfo` at `to` (None: a standby with no primary).
    pub fn follow(&mut self, to: Option<ProcId>, ctx: &mut PCtx) {
        if self.upstream != to {
            self.upstream = to;
            self.receiver = None;
            self.diverged = false;
            self.refused = false;
            self.next_try = ctx.now;
            self.connect(ctx);
        }
    }

    fn connect(&mut self, ctx: &mut PCtx) {
        let (PgRole::Standby, Some(to)) = (self.role, self.upstream) else {
            return;
        };
        if self.receiver.is_some() || ctx.now < self.next_try || self.diverged {
            return;
        }
        self.streams += 1;
        let stream = (self.me.0 as u32) << 20 | self.streams;
        self.receiver = Some(Receiver {
            to,
            stream,
            last_msg: ctx.now,
            last_status: ctx.now,
            streaming: false,
        });
        ctx.send(
            to,
            Msg::StartRepl {
                stream,
                tl: self.tl,
                lsn: self.lsn(),
            },
        );
    }

    fn drop_receiver(&mut self, ctx: &mut PCtx) {
        self.receiver = None;
        self.next_try = ctx.now + self.cfg.retry_interval;
    }

    /// WAL (or a keepalive) from the upstream: the records from `start`, and the one
    /// before them, which this server's must match.
    pub fn wal(
        &mut self,
        from: ProcId,
        stream: u32,
        (start, recs, prev): (u64, Vec<Rec>, Option<Rec>),
        reply: bool,
        ctx: &mut PCtx,
    ) {
        let Some(r) = self
            .receiver
            .as_mut()
            .filter(|r| r.stream == stream && r.to == from)
        else {
            return;
        };
        r.last_msg = ctx.now;
        r.streaming = true;
        self.refused = false;
        let end = self.lsn();
        if start > end {
            return;
        }
        if let Some(p) = prev {
            if start >= 1 && start <= end && self.wal[start as usize - 1] != p {
                // Both may be called "timeline 2": only the records tell.
                self.diverged = true;
                self.receiver = None;
                ctx.event(PatroniEvent::WalMismatch { upstream: from });
                return;
            }
        }
        let skip = (end - start) as usize;
        let n = recs.len();
        for rec in recs.into_iter().skip(skip) {
            self.append(rec);
        }
        if n > skip || reply {
            self.send_status(ctx);
        }
    }

    fn send_status(&mut self, ctx: &mut PCtx) {
        if let Some(r) = self.receiver.as_mut() {
            r.last_status = ctx.now;
            let (to, stream, flush) = (r.to, r.stream, self.wal.len() as u64);
            ctx.send(to, Msg::WalReply { stream, flush });
        }
    }

    /// The upstream refused the starting point.
    pub fn repl_refused(&mut self, stream: u32, ctx: &mut PCtx) {
        if self.receiver.is_some_and(|r| r.stream == stream) {
            if !self.refused {
                let upstream = self.upstream.unwrap_or(self.me);
                ctx.event(PatroniEvent::NotInHistory {
                    upstream,
                    lsn: self.lsn(),
                    tl: self.tl.n,
                });
            }
            self.refused = true;
            self.drop_receiver(ctx);
        }
    }

    /// A peer's host reset the connection: its process died.
    pub fn reset_from(&mut self, from: ProcId, ctx: &mut PCtx) {
        self.senders.retain(|s| s.to != from);
        if self.receiver.is_some_and(|r| r.to == from) {
            self.drop_receiver(ctx);
        }
        self.maybe_stopped(ctx);
    }

    /// The periodic look at replication timeouts.
    pub fn tick(&mut self, ctx: &mut PCtx) {
        ctx.timer(TICK_MS, Timer::PgTick);
        let now = ctx.now;
        let timeout = self.cfg.wal_sender_timeout;
        let mut gone = Vec::new();
        for s in &mut self.senders {
            if timeout > 0 && now >= s.last_reply + timeout {
                gone.push(s.to);
            } else if timeout > 0 && now >= s.last_reply + timeout / 2 && !s.ping_sent {
                s.ping_sent = true;
                ctx.send(
                    s.to,
                    Msg::Wal {
                        stream: s.stream,
                        tl: self.tl,
                        from: self.wal.len() as u64,
                        recs: Vec::new(),
                        prev: None,
                        reply: true,
                    },
                );
            }
        }
        if !gone.is_empty() {
            self.senders.retain(|s| !gone.contains(&s.to));
            for p in gone {
                ctx.event(PatroniEvent::WalSenderTimeout { standby: p });
            }
            self.maybe_stopped(ctx);
        }
        if let Some(r) = self.receiver {
            let rt = self.cfg.wal_receiver_timeout;
            if r.streaming && rt > 0 && now >= r.last_msg + rt {
                ctx.event(PatroniEvent::WalReceiverTimeout { upstream: r.to });
                self.drop_receiver(ctx);
            } else if r.streaming && now >= r.last_status + self.cfg.status_interval {
                self.send_status(ctx);
            } else if !r.streaming && now >= r.last_msg + self.cfg.retry_interval {
                // No answer to START_REPLICATION: try again.
                self.receiver = None;
            }
        }
        self.connect(ctx);
    }

    // ---- life cycle, driven by Patroni ----

    /// `pg_ctl stop -m fast` (`fast`) or `-m immediate`. Backends end: a commit
    /// waiting for standbys is committed locally and its client sees the connection close.
    pub fn stop(&mut self, fast: bool, ctx: &mut PCtx) {
        for w in std::mem::take(&mut self.waiters) {
            ctx.send(
                w.client,
                Msg::Sql {
                    op: w.op,
                    result: SqlResult::Closed,
                },
            );
        }
        if self.role == PgRole::Primary {
            ctx.signal(Signal::Writable {
                writable: false,
                epoch: self.tl.n as u64,
            });
        }
        self.receiver = None;
        if fast && self.role == PgRole::Primary {
            self.role = PgRole::ShuttingDown;
            // The shutdown checkpoint, which every walsender must send before it exits.
            self.append(Rec {
                tl: self.tl,
                value: 0,
            });
            self.stream_new(ctx);
            self.maybe_stopped(ctx);
        } else {
            self.role = PgRole::Stopped;
            self.senders.clear();
        }
    }

    fn maybe_stopped(&mut self, ctx: &mut PCtx) {
        if self.role != PgRole::ShuttingDown {
            return;
        }
        let end = self.lsn();
        if self.senders.iter().all(|s| s.flush >= end) {
            self.role = PgRole::Stopped;
            self.senders.clear();
            ctx.event(PatroniEvent::ShutDown);
        }
    }

    /// Starts in recovery (a standby), following `upstream`.
    pub fn start_standby(&mut self, upstream: Option<ProcId>, ctx: &mut PCtx) {
        self.role = PgRole::Standby;
        self.ssn = SyncNames::None;
        self.upstream = None;
        self.follow(upstream, ctx);
    }

    /// `pg_ctl promote`: a new timeline starts at the end of its WAL.
    pub fn promote(&mut self, uid: u32, ctx: &mut PCtx) {
        let n = self
            .history
            .iter()
            .map(|(t, _)| t.n)
            .chain([self.tl.n])
            .max()
            .unwrap_or(1)
            + 1;
        self.append(Rec {
            tl: Tl { n, uid },
            value: 0,
        });
        self.replicated = self.lsn() - 1;
        self.role = PgRole::Primary;
        self.upstream = None;
        self.receiver = None;
        self.diverged = false;
        self.refused = false;
        ctx.signal(Signal::Writable {
            writable: true,
            epoch: n as u64,
        });
        ctx.signal(Signal::NewLeader {
            epoch: n as u64,
            leader: self.me,
        });
    }

    /// Its WAL and timeline, for a rewind of another server from it.
    pub fn rewind_source(&self) -> Msg {
        Msg::RewindResp {
            tl: self.tl,
            wal: self.wal.clone(),
            history: self.history.clone(),
        }
    }

    /// Whether it must be rewound before it can follow a server on `src` with
    /// `src_history` (Patroni's `_check_timeline_and_lsn`: a higher local timeline,
    /// or a lower one whose switch point it has gone past; an equal number never).
    pub fn needs_rewind(&self, src: Tl, src_history: &[(Tl, u64)]) -> bool {
        if self.tl.n > src.n {
            return true;
        }
        if self.tl.n == src.n {
            return false;
        }
        match src_history.iter().find(|(t, _)| t.n == self.tl.n) {
            Some((_, switch)) => self.lsn() > *switch,
            None => true,
        }
    }

    /// `pg_rewind`: its WAL becomes the source's; what it held beyond the fork is gone.
    pub fn rewind(
        &mut self,
        tl: Tl,
        wal: imbl::Vector<Rec>,
        history: Vec<(Tl, u64)>,
        ctx: &mut PCtx,
    ) {
        let rows = rows_of(&wal);
        let lost = self.rows.iter().filter(|v| !rows.contains(*v)).count();
        self.wal = wal;
        self.tl = tl;
        self.history = history;
        self.rows = rows;
        self.diverged = false;
        self.refused = false;
        if lost > 0 {
            ctx.signal(Signal::Discarded { count: lost as u64 });
        }
    }
}

fn rows_of(wal: &imbl::Vector<Rec>) -> DataSet {
    wal.iter()
        .filter(|r| r.value != 0)
        .map(|r| r.value)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synchronous_standby_names_parse_as_postgresql_reads_them() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let cases: &[(&str, SyncNames)] = &[
            ("", SyncNames::None),
            ("n2", SyncNames::First(1, names(&["n2"]))),
            ("*", SyncNames::First(1, names(&["*"]))),
            (
                "FIRST 2 (n2, n3)",
                SyncNames::First(2, names(&["n2", "n3"])),
            ),
            ("2 (n2, n3)", SyncNames::First(2, names(&["n2", "n3"]))),
            (
                "ANY 1 (replica1, replica2)",
                SyncNames::Any(1, names(&["replica1", "replica2"])),
            ),
            ("any 1 (\"n2\",n3)", SyncNames::Any(1, names(&["n2", "n3"]))),
        ];
        for (s, want) in cases {
            assert_eq!(SyncNames::parse(s).as_ref(), Ok(want), "{s}");
        }
        for bad in [
            "ANY 3 (a, b)",
            "FIRST x (a)",
            "ANY (a",
            "ANY a",
            "a,,b",
            "1 )x(",
            "ANY 1 ()",
        ] {
            assert!(SyncNames::parse(bad).is_err(), "{bad}");
        }
    }
}

#[cfg(test)]
mod rules {
    use super::*;
    use crate::process::testing::Harness;

    fn primary() -> Pg {
        let cfg = PgCfg {
            wal_sender_timeout: 60_000,
            wal_receiver_timeout: 60_000,
            status_interval: 10_000,
            retry_interval: 5_000,
            sync_commit: SyncCommit::On,
            names: vec!["pg1".into(), "pg2".into(), "C1".into()],
        };
        Pg::new(ProcId(0), cfg, PgRole::Primary, imbl::Vector::new())
    }

    fn answers(sent: &[(ProcId, Msg)]) -> Vec<SqlResult> {
        sent.iter()
            .filter_map(|(_, m)| match m {
                Msg::Sql { result, .. } => Some(*result),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_synchronous_commit_waits_and_is_visible_locally() {
        let mut h: Harness<Msg, Timer> = Harness::new(ProcId(0));
        let mut pg = primary();
        h.run(|c| pg.set_ssn(SyncNames::parse("pg2").unwrap(), c));
        let sent = h.run(|c| pg.insert(ProcId(2), OpId(1), 77, c));
        assert!(answers(&sent).is_empty(), "no standby: the commit waits");
        assert!(pg.rows().contains(&77), "written locally first");
        assert_eq!(pg.waiting(), 1);
        // The standby connects, catches up and replies: the commit is released.
        let tl = pg.tl();
        h.run(|c| pg.start_repl(ProcId(1), 5, tl, 0, c));
        let sent = h.run(|c| pg.wal_reply(ProcId(1), 5, 1, c));
        assert_eq!(answers(&sent), vec![SqlResult::Ok]);
    }

    #[test]
    fn a_cancel_ends_the_wait_with_success_and_the_warning() {
        let mut h: Harness<Msg, Timer> = Harness::new(ProcId(0));
        let mut pg = primary();
        h.run(|c| pg.set_ssn(SyncNames::parse("ANY 1 (pg2)").unwrap(), c));
        h.run(|c| pg.insert(ProcId(2), OpId(1), 77, c));
        let sent = h.run(|c| pg.cancel(OpId(1), c));
        assert_eq!(answers(&sent), vec![SqlResult::OkCommittedLocally]);
        assert!(pg.rows().contains(&77));
    }

    #[test]
    fn a_fast_shutdown_closes_waiting_commits_and_waits_for_walsenders() {
        let mut h: Harness<Msg, Timer> = Harness::new(ProcId(0));
        let mut pg = primary();
        let tl = pg.tl();
        h.run(|c| pg.start_repl(ProcId(1), 5, tl, 0, c));
        h.run(|c| pg.set_ssn(SyncNames::parse("pg2").unwrap(), c));
        h.run(|c| pg.insert(ProcId(2), OpId(1), 77, c));
        let sent = h.run(|c| pg.stop(true, c));
        assert_eq!(answers(&sent), vec![SqlResult::Closed]);
        assert_eq!(
            pg.role(),
            PgRole::ShuttingDown,
            "the standby has not confirmed"
        );
        // wal_sender_timeout passes with no reply: the walsender goes, the server stops.
        h.now = 60_000;
        h.run(|c| pg.tick(c));
        assert_eq!(pg.role(), PgRole::Stopped);
    }

    #[test]
    fn a_server_past_the_switch_point_needs_a_rewind_and_an_equal_number_never() {
        let mut h: Harness<Msg, Timer> = Harness::new(ProcId(0));
        let mut old = primary();
        h.run(|c| old.insert(ProcId(2), OpId(1), 1, c));
        let mut new = old.clone();
        // The new primary promotes at LSN 1; the old one writes on past it.
        h.run(|c| new.promote(9, c));
        h.run(|c| old.insert(ProcId(2), OpId(2), 2, c));
        let Msg::RewindResp { tl, history, wal } = new.rewind_source() else {
            unreachable!()
        };
        assert!(old.needs_rewind(tl, &history));
        let behind = primary();
        assert!(
            !behind.needs_rewind(tl, &history),
            "a server behind the switch follows"
        );
        // Patroni compares only the numbers: another "timeline 2" is not rewound.
        let mut other = old.clone();
        h.run(|c| other.promote(10, c));
        assert!(!other.needs_rewind(tl, &history));
        h.run(|c| old.rewind(tl, wal, history, c));
        assert!(
            !old.rows().contains(&2),
            "what it wrote past the fork is gone"
        );
        assert!(h.signals().contains(&Signal::Discarded { count: 1 }));
    }
}
