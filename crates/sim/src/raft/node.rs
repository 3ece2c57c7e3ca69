//! An etcd member: go.etcd.io/raft's state machine (etcd 3.4.23's `raft/raft.go`,
//! whose rules 3.5 keeps) with the parts of etcd's server the lab needs (proposal
//! forwarding, ReadIndex reads, the WAL's write-then-send order). Each rule names the
//! Go function it follows. Where the Raft paper and etcd differ, this follows etcd.

use super::events::RaftEvent;
use super::kv::{Kv, KvCmd, KvOp, KvResult, REVOKE_CHECK_MS};
use super::msg::{Entry, Msg};
use super::{NCtx, Timer};
use crate::history::OpId;
use crate::ids::{Millis, ProcId};
use crate::process::{DataSet, Signal};
use crate::view::{LogStrip, ProcView, Role};

/// A member's fixed settings, with etcd's names.
#[derive(Clone, Debug)]
pub struct NodeCfg {
    /// `--heartbeat-interval`: one Raft tick.
    pub tick_ms: Millis,
    /// `--election-timeout` in ticks (`ElectionTicks()`).
    pub election_ticks: u64,
    /// `--pre-vote`.
    pub pre_vote: bool,
    /// CheckQuorum (always on in etcd; off only to show what it prevents).
    pub check_quorum: bool,
    /// Raft's `ReadOnlyLeaseBased` instead of etcd's `ReadOnlySafe`.
    pub lease_reads: bool,
    /// How long one WAL write-and-fsync takes.
    pub fsync_ms: Millis,
    /// The fenced storage the leader writes through to, with its term, if any.
    pub storage: Option<ProcId>,
}

/// Raft's roles (`StateType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// `StateFollower`.
    Follower,
    /// `StatePreCandidate`.
    PreCandidate,
    /// `StateCandidate`.
    Candidate,
    /// `StateLeader`.
    Leader,
}

/// What survives a crash: raft-rs's and etcd's `HardState` (term, vote, commit) and the
/// WAL's entries, as of the last completed fsync.
#[derive(Clone, Debug, Default)]
pub struct HardState {
    /// `Term`.
    pub term: u64,
    /// `Vote`.
    pub vote: Option<ProcId>,
    /// `Commit`.
    pub commit: u64,
    /// The entries in the WAL, from index 1.
    pub log: imbl::Vector<Entry>,
}

/// The leader's view of one follower (`tracker.Progress`).
#[derive(Clone, Copy, Debug)]
struct Progress {
    matched: u64,
    next: u64,
    /// `StateReplicate` (send optimistically) rather than `StateProbe` (one at a time).
    replicate: bool,
    probe_sent: bool,
    recent_active: bool,
}

/// A linearizable read waiting at the leader for a heartbeat quorum (`readOnly`).
#[derive(Clone, Debug)]
struct ReadReq {
    ctx: u64,
    index: u64,
    acks: u64,
    from: ProcId,
}

/// A read waiting at this member: for its read index, then for apply.
#[derive(Clone, Copy, Debug)]
struct LocalRead {
    ctx: u64,
    op: OpId,
    client: ProcId,
    index: Option<u64>,
}

/// A proposal held while there was no leader: the client operation, its value, its
/// KV command, its compare, and when it was made.
type Blocked = (OpId, u64, Option<KvCmd>, Option<u64>, Millis);

/// One etcd member.
#[derive(Clone, Debug)]
pub struct Node {
    me: ProcId,
    /// Every voter, this one included, in id order.
    peers: Vec<ProcId>,
    cfg: NodeCfg,
    /// Disk latency in force (a slow-disk fault changes it).
    fsync_ms: Millis,
    state: State,
    term: u64,
    vote: Option<ProcId>,
    lead: Option<ProcId>,
    /// Entries from index 1 (index i is `log[i - 1]`).
    log: imbl::Vector<Entry>,
    commit: u64,
    applied: u64,
    election_elapsed: u64,
    randomized_timeout: u64,
    votes: Vec<Option<bool>>,
    prs: Vec<Progress>,
    reads: Vec<ReadReq>,
    /// Reads queued until this leader commits an entry of its term
    /// (`pendingReadIndexMessages`, etcd 3.4.20+).
    reads_pending: Vec<(u64, ProcId)>,
    local_reads: Vec<LocalRead>,
    next_ctx: u64,
    /// Client writes waiting to apply: (op, client).
    waiting: Vec<(OpId, ProcId)>,
    /// Proposals that found no leader: etcd's `node.run` stops taking proposals while
    /// there is none, so they wait until one is known (or the client gives up).
    blocked: Vec<Blocked>,
    /// The time of the input being handled (applying a lease grant needs it).
    now: Millis,
    /// etcd's key-value store and lessor (used by a system built on etcd: Patroni).
    kv: Kv,
    /// KV commands waiting to apply: (request, client).
    kv_waiting: Vec<(u64, ProcId)>,
    /// Keep-alives forwarded to the leader: (request, client).
    lease_waiting: Vec<(u64, ProcId)>,
    /// When the leader's lessor last looked for expired leases.
    revoke_checked: Millis,
    /// The applied key: every value written (set workload) and the latest (register).
    values: DataSet,
    last_value: u64,
    /// The client key's `mod_revision`: the index of the entry that last put it.
    value_rev: u64,
    writes_accepted: u64,
    /// The WAL as of the last fsync.
    durable: HardState,
    /// Whether term, vote or entries changed since the last fsync (`raft.MustSync`).
    dirty: bool,
    /// A WAL fsync in progress: the member's loop is blocked in `storage.Save`.
    syncing: bool,
    /// When the current sync started, and whether the stall already warned.
    sync_started: Millis,
    /// Messages decided but not yet sent.
    outbox: Vec<(ProcId, Msg)>,
    /// Input that arrived while the loop was blocked, handled when it ends.
    inbox: Vec<(ProcId, Msg)>,
    /// Ticks dropped while blocked (Go's ticker drops them for a slow reader).
    ticks_dropped: u64,
}

const MAX_ENTRIES_PER_APP: usize = 256;
/// etcd's server resends a read's ReadIndex every `readIndexRetryTime`.
pub const READ_RETRY_MS: Millis = 500;

impl Node {
    /// Member `me` of a cluster of `peers`, in the steady state of a cluster that has
    /// been up a while: `leader` leads term 1 and every member holds its committed
    /// empty entry.
    pub fn new(me: ProcId, peers: Vec<ProcId>, cfg: NodeCfg, leader: ProcId) -> Self {
        let n = peers.len();
        let first = Entry {
            term: 1,
            value: 0,
            op: OpId(0),
            origin: leader,
            kv: None,
            expect: None,
        };
        let log: imbl::Vector<Entry> = std::iter::once(first).collect();
        let mut node = Node {
            me,
            peers,
            fsync_ms: cfg.fsync_ms,
            cfg,
            state: State::Follower,
            term: 1,
            vote: Some(leader),
            lead: Some(leader),
            log: log.clone(),
            commit: 1,
            applied: 1,
            election_elapsed: 0,
            randomized_timeout: 0,
            votes: vec![None; n],
            prs: vec![
                Progress {
                    matched: 1,
                    next: 2,
                    replicate: true,
                    probe_sent: false,
                    recent_active: true,
                };
                n
            ],
            reads: Vec::new(),
            reads_pending: Vec::new(),
            local_reads: Vec::new(),
            next_ctx: 0,
            waiting: Vec::new(),
            blocked: Vec::new(),
            now: 0,
            kv: Kv::default(),
            kv_waiting: Vec::new(),
            lease_waiting: Vec::new(),
            revoke_checked: 0,
            values: DataSet::new(),
            last_value: 0,
            value_rev: 0,
            writes_accepted: 0,
            durable: HardState {
                term: 1,
                vote: Some(leader),
                commit: 1,
                log,
            },
            dirty: false,
            syncing: false,
            sync_started: 0,
            outbox: Vec::new(),
            inbox: Vec::new(),
            ticks_dropped: 0,
        };
        if me == leader {
            node.state = State::Leader;
        }
        node
    }

    /// etcd's `ReqTimeout()`: 5 s plus two election timeouts.
    fn req_timeout(&self) -> Millis {
        5000 + 2 * self.cfg.election_ticks * self.cfg.tick_ms
    }

    fn quorum(&self) -> usize {
        self.peers.len() / 2 + 1
    }

    fn idx(&self, p: ProcId) -> Option<usize> {
        self.peers.iter().position(|x| *x == p)
    }

    fn last_index(&self) -> u64 {
        self.log.len() as u64
    }

    fn term_at(&self, i: u64) -> u64 {
        if i == 0 {
            0
        } else {
            self.log.get(i as usize - 1).map_or(0, |e| e.term)
        }
    }

    fn last_term(&self) -> u64 {
        self.term_at(self.last_index())
    }

    /// The role, for tests and the final read.
    pub fn state(&self) -> State {
        self.state
    }

    /// The current term.
    pub fn term(&self) -> u64 {
        self.term
    }

    /// The commit index.
    pub fn commit(&self) -> u64 {
        self.commit
    }

    /// The committed entries.
    pub fn committed(&self) -> impl Iterator<Item = &Entry> {
        self.log.iter().take(self.commit as usize)
    }

    /// The applied values.
    pub fn values(&self) -> &DataSet {
        &self.values
    }

    /// Who it last voted for.
    pub fn vote(&self) -> Option<ProcId> {
        self.vote
    }

    /// The number of entries it holds.
    pub fn log_len(&self) -> u64 {
        self.last_index()
    }

    fn send(&mut self, to: ProcId, m: Msg) {
        self.outbox.push((to, m));
    }

    pub(crate) fn start(&mut self, ctx: &mut NCtx) {
        self.now = ctx.now;
        if self.state == State::Leader {
            let extend = self.cfg.tick_ms * self.cfg.election_ticks;
            self.kv.promote(ctx.now, extend);
        }
        self.reset_timeout(ctx);
        // Each member's ticker started when its process did: a phase of its own. The
        // leader of a cluster that has been up a while is anywhere in its CheckQuorum
        // period, so a cut is noticed between one and two election timeouts later.
        let phase = 1 + ctx.rng().below(self.cfg.tick_ms);
        ctx.timer(phase, Timer::Tick);
        if self.state == State::Leader {
            self.election_elapsed = ctx.rng().below(self.cfg.election_ticks);
        }
        ctx.timer(READ_RETRY_MS, Timer::ReadRetry);
        if self.state == State::Leader {
            ctx.signal(Signal::Writable {
                writable: true,
                epoch: self.term,
            });
        }
    }

    /// `resetRandomizedElectionTimeout`: [ET, 2·ET−1] ticks.
    fn reset_timeout(&mut self, ctx: &mut NCtx) {
        let et = self.cfg.election_ticks;
        self.randomized_timeout = et + ctx.rng().below(et);
    }

    /// Input goes through here: while a WAL fsync blocks the member's loop, it waits.
    pub(crate) fn on_msg(&mut self, from: ProcId, msg: Msg, ctx: &mut NCtx) {
        self.now = ctx.now;
        if self.syncing {
            self.inbox.push((from, msg));
            return;
        }
        self.step(from, msg, ctx);
        self.ready(ctx);
    }

    pub(crate) fn on_timer(&mut self, t: Timer, ctx: &mut NCtx) {
        self.now = ctx.now;
        match t {
            Timer::Tick => {
                ctx.timer(self.cfg.tick_ms, Timer::Tick);
                if self.syncing {
                    self.ticks_dropped += 1;
                    return;
                }
                self.tick(ctx);
                self.ready(ctx);
            }
            Timer::Synced => self.synced(ctx),
            Timer::ReadRetry => {
                ctx.timer(READ_RETRY_MS, Timer::ReadRetry);
                if self.syncing {
                    return;
                }
                // etcd's linearizableReadLoop resends a read that got no index.
                if let Some(lead) = self.lead.filter(|l| *l != self.me) {
                    let pending: Vec<u64> = self
                        .local_reads
                        .iter()
                        .filter(|r| r.index.is_none())
                        .map(|r| r.ctx)
                        .collect();
                    for c in pending {
                        self.send(lead, Msg::ReadIndex { ctx: c });
                    }
                }
                self.ready(ctx);
            }
            _ => {}
        }
    }

    /// etcd's `raftNode.start` for one `Ready`: a leader sends first and writes its WAL
    /// in parallel (raft thesis 10.2.1); followers and candidates write and fsync first,
    /// then send, so that nothing they promise is forgotten in a crash.
    fn ready(&mut self, ctx: &mut NCtx) {
        if self.dirty && self.fsync_ms > 0 {
            if self.state == State::Leader {
                for (to, m) in self.outbox.drain(..) {
                    ctx.send(to, m);
                }
            }
            self.dirty = false;
            self.syncing = true;
            self.sync_started = ctx.now;
            ctx.timer(self.fsync_ms, Timer::Synced);
            return;
        }
        if self.dirty {
            self.persist();
        }
        for (to, m) in self.outbox.drain(..) {
            ctx.send(to, m);
        }
    }

    fn persist(&mut self) {
        self.dirty = false;
        self.durable = HardState {
            term: self.term,
            vote: self.vote,
            commit: self.commit,
            log: self.log.clone(),
        };
    }

    fn synced(&mut self, ctx: &mut NCtx) {
        self.syncing = false;
        self.persist();
        let stalled = ctx.now - self.sync_started;
        if self.state == State::Leader && stalled > 2 * self.cfg.tick_ms {
            ctx.event(RaftEvent::LateHeartbeat {
                stalled_ms: stalled,
            });
        }
        self.ticks_dropped = 0;
        for (to, m) in self.outbox.drain(..) {
            ctx.send(to, m);
        }
        // What arrived meanwhile, in order, until another fsync blocks the loop.
        while !self.syncing && !self.inbox.is_empty() {
            let (from, m) = self.inbox.remove(0);
            self.step(from, m, ctx);
            self.ready(ctx);
        }
    }

    /// `tickElection` and `tickHeartbeat`.
    fn tick(&mut self, ctx: &mut NCtx) {
        self.election_elapsed += 1;
        if self.state != State::Leader {
            if self.election_elapsed >= self.randomized_timeout {
                self.election_elapsed = 0;
                let pre = self.cfg.pre_vote;
                self.campaign(pre, ctx);
            }
            return;
        }
        if self.election_elapsed >= self.cfg.election_ticks {
            self.election_elapsed = 0;
            if self.cfg.check_quorum {
                self.check_quorum(ctx);
            }
        }
        if self.state == State::Leader && self.now >= self.revoke_checked + REVOKE_CHECK_MS {
            self.revoke_checked = self.now;
            let me = self.me;
            for id in self.kv.take_expired(self.now) {
                ctx.event(RaftEvent::LeaseExpired { lease: id });
                self.propose(OpId(0), 0, me, Some(KvCmd::Revoke { id }), None, ctx);
            }
        }
        if self.state == State::Leader {
            self.bcast_heartbeat();
        }
    }

    /// `stepLeader`, `case MsgCheckQuorum`.
    fn check_quorum(&mut self, ctx: &mut NCtx) {
        let me = self.idx(self.me).unwrap_or(0);
        self.prs[me].recent_active = true;
        let active = self.prs.iter().filter(|p| p.recent_active).count();
        if active < self.quorum() {
            let term = self.term;
            ctx.event(RaftEvent::SteppedDown { term });
            self.become_follower(term, None, ctx);
        }
        for (i, p) in self.prs.iter_mut().enumerate() {
            if i != me {
                p.recent_active = false;
            }
        }
    }

    /// `campaign`: a pre-vote for term+1 without raising the term, or a real vote.
    fn campaign(&mut self, pre: bool, ctx: &mut NCtx) {
        let term = if pre {
            // becomePreCandidate: no term change, no vote change, no reset.
            self.state = State::PreCandidate;
            self.lead = None;
            ctx.event(RaftEvent::PreVote {
                term: self.term + 1,
            });
            self.term + 1
        } else {
            self.become_candidate(ctx);
            self.term
        };
        self.votes.iter_mut().for_each(|v| *v = None);
        let me = self.idx(self.me).unwrap_or(0);
        self.votes[me] = Some(true);
        if self.tally() == Some(true) {
            // A cluster of one wins at once.
            if pre {
                self.campaign(false, ctx);
            } else {
                self.become_leader(ctx);
            }
            return;
        }
        let (last_index, last_term) = (self.last_index(), self.last_term());
        for p in self.peers.clone() {
            if p != self.me {
                self.send(
                    p,
                    Msg::Vote {
                        pre,
                        term,
                        last_index,
                        last_term,
                    },
                );
            }
        }
    }

    /// Won (Some(true)), lost (Some(false)) or still open.
    fn tally(&self) -> Option<bool> {
        let yes = self.votes.iter().filter(|v| **v == Some(true)).count();
        let no = self.votes.iter().filter(|v| **v == Some(false)).count();
        let q = self.quorum();
        if yes >= q {
            Some(true)
        } else if self.peers.len() - no < q {
            Some(false)
        } else {
            None
        }
    }

    /// `reset(term)`.
    fn reset(&mut self, term: u64, ctx: &mut NCtx) {
        if self.term != term {
            self.term = term;
            self.vote = None;
            self.dirty = true;
        }
        self.lead = None;
        self.election_elapsed = 0;
        self.reset_timeout(ctx);
        let last = self.last_index();
        for p in &mut self.prs {
            *p = Progress {
                matched: 0,
                next: last + 1,
                replicate: false,
                probe_sent: false,
                recent_active: false,
            };
        }
        if let Some(me) = self.idx(self.me) {
            self.prs[me].matched = last;
        }
        self.kv.demote();
        // Pending ReadIndex requests are dropped with the old leadership.
        self.reads.clear();
        self.reads_pending.clear();
    }

    fn set_leading(&mut self, leading: bool, ctx: &mut NCtx) {
        let was = self.state == State::Leader;
        if was != leading {
            ctx.signal(Signal::Writable {
                writable: leading,
                epoch: self.term,
            });
        }
    }

    /// `becomeFollower(term, lead)`.
    fn become_follower(&mut self, term: u64, lead: Option<ProcId>, ctx: &mut NCtx) {
        self.set_leading(false, ctx);
        self.state = State::Follower;
        self.reset(term, ctx);
        self.lead = lead;
        self.release_blocked(ctx);
    }

    /// `becomeCandidate`: term + 1, vote for itself.
    fn become_candidate(&mut self, ctx: &mut NCtx) {
        self.set_leading(false, ctx);
        self.state = State::Candidate;
        let t = self.term + 1;
        self.reset(t, ctx);
        self.vote = Some(self.me);
        self.dirty = true;
        ctx.signal(Signal::ElectionStarted { epoch: t });
    }

    /// `becomeLeader`: appends an empty entry of the new term, then `bcastAppend`.
    fn become_leader(&mut self, ctx: &mut NCtx) {
        let votes = self.votes.iter().filter(|v| **v == Some(true)).count() as u32;
        let t = self.term;
        self.reset(t, ctx);
        self.state = State::Leader;
        self.lead = Some(self.me);
        // etcdserver: `s.lessor.Promote(s.Cfg.electionTimeout())`.
        let extend = self.cfg.tick_ms * self.cfg.election_ticks;
        self.kv.promote(self.now, extend);
        self.revoke_checked = self.now;
        ctx.signal(Signal::Elected {
            epoch: t,
            votes,
            needed: self.quorum() as u32,
        });
        ctx.signal(Signal::NewLeader {
            epoch: t,
            leader: self.me,
        });
        ctx.signal(Signal::Writable {
            writable: true,
            epoch: t,
        });
        let me = self.me;
        self.append(Entry {
            term: t,
            value: 0,
            op: OpId(0),
            origin: me,
            kv: None,
            expect: None,
        });
        self.bcast_append();
        self.release_blocked(ctx);
    }

    /// Proposals held while there was no leader go to the leader now.
    fn release_blocked(&mut self, ctx: &mut NCtx) {
        if self.lead.is_none() || self.blocked.is_empty() {
            return;
        }
        let me = self.me;
        let req_timeout = self.req_timeout();
        for (op, value, kv, expect, at) in std::mem::take(&mut self.blocked) {
            // etcd's proposal context ends after ReqTimeout(): then it is gone.
            if ctx.now - at <= req_timeout {
                self.propose(op, value, me, kv, expect, ctx);
            }
        }
    }

    /// `appendEntry` on the leader: the leader counts its own copy at once, before its
    /// own fsync (etcd sends before it saves).
    fn append(&mut self, e: Entry) {
        self.log.push_back(e);
        self.dirty = true;
        let last = self.last_index();
        if let Some(me) = self.idx(self.me) {
            self.prs[me].matched = last;
            self.prs[me].next = last + 1;
        }
        self.maybe_commit();
    }

    /// `maybeCommit`: the quorum-th highest match, committed only if it is an entry of
    /// the leader's own term (older entries commit with it, never by counting).
    fn maybe_commit(&mut self) -> bool {
        let mut m: Vec<u64> = self.prs.iter().map(|p| p.matched).collect();
        m.sort_unstable_by(|a, b| b.cmp(a));
        let idx = m[self.quorum() - 1];
        if idx > self.commit && self.term_at(idx) == self.term {
            self.commit = idx;
            self.apply();
            if !self.reads_pending.is_empty() {
                for (c, from) in std::mem::take(&mut self.reads_pending) {
                    self.read_index(c, from);
                }
            }
            return true;
        }
        false
    }

    fn apply(&mut self) {
        while self.applied < self.commit {
            self.applied += 1;
            let e = self.log[self.applied as usize - 1];
            if let Some(cmd) = e.kv {
                let (result, told) = self.kv.apply(cmd, self.now);
                for (w, key, value) in told {
                    self.send(w, Msg::WatchEvent { key, value });
                }
                if e.origin == self.me {
                    if let Some(i) = self.kv_waiting.iter().position(|(r, _)| *r == e.op.0) {
                        let (req, client) = self.kv_waiting.remove(i);
                        self.send(client, Msg::KvResp { req, result });
                    }
                }
            }
            if e.value != 0 {
                // A `Txn` whose compare fails puts nothing: every member decides the
                // same, since each applies the same log in the same order.
                let succeeded = e.expect.is_none_or(|r| r == self.value_rev);
                if succeeded {
                    self.values.insert(e.value);
                    self.last_value = e.value;
                    self.value_rev = self.applied;
                }
                if e.origin == self.me {
                    if let Some(i) = self.waiting.iter().position(|(op, _)| *op == e.op) {
                        let (op, client) = self.waiting.remove(i);
                        let rev = self.value_rev;
                        self.send(
                            client,
                            Msg::Reply {
                                op,
                                read: None,
                                rev,
                                succeeded,
                            },
                        );
                    }
                }
            }
        }
        self.serve_reads();
    }

    fn serve_reads(&mut self) {
        let applied = self.applied;
        let value = self.last_value;
        let rev = self.value_rev;
        let mut i = 0;
        while i < self.local_reads.len() {
            let r = self.local_reads[i];
            if r.index.is_some_and(|x| x <= applied) {
                self.local_reads.remove(i);
                self.send(
                    r.client,
                    Msg::Reply {
                        op: r.op,
                        read: Some(value),
                        rev,
                        succeeded: true,
                    },
                );
            } else {
                i += 1;
            }
        }
    }

    fn send_append(&mut self, k: usize) {
        let to = self.peers[k];
        if to == self.me {
            return;
        }
        let pr = self.prs[k];
        if !pr.replicate && pr.probe_sent {
            return;
        }
        let prev_index = pr.next - 1;
        let prev_term = self.term_at(prev_index);
        let last = self.last_index();
        let end = last.min(prev_index + MAX_ENTRIES_PER_APP as u64);
        let entries: Vec<Entry> = (pr.next..=end).map(|i| self.log[i as usize - 1]).collect();
        if pr.replicate {
            self.prs[k].next = end + 1;
        } else {
            self.prs[k].probe_sent = true;
        }
        let commit = self.commit;
        let term = self.term;
        self.send(
            to,
            Msg::App {
                term,
                prev_index,
                prev_term,
                entries,
                commit,
            },
        );
    }

    fn bcast_append(&mut self) {
        for k in 0..self.peers.len() {
            self.send_append(k);
        }
    }

    /// `bcastHeartbeat`, carrying the newest pending read's context.
    fn bcast_heartbeat(&mut self) {
        let ctx = self.reads.last().map_or(0, |r| r.ctx);
        self.heartbeat_with(ctx);
    }

    fn heartbeat_with(&mut self, c: u64) {
        for k in 0..self.peers.len() {
            let to = self.peers[k];
            if to == self.me {
                continue;
            }
            let commit = self.prs[k].matched.min(self.commit);
            let term = self.term;
            self.send(
                to,
                Msg::Heartbeat {
                    term,
                    commit,
                    ctx: c,
                },
            );
        }
    }

    /// The leader's answer to a read (`sendMsgReadIndexResponse`).
    fn read_index(&mut self, c: u64, from: ProcId) {
        if self.term_at(self.commit) != self.term {
            // Not yet committed in its term: wait (etcd 3.4.20+).
            self.reads_pending.push((c, from));
            return;
        }
        if self.cfg.lease_reads || self.peers.len() == 1 {
            let index = self.commit;
            self.answer_read(c, index, from);
            return;
        }
        let me = self.idx(self.me).unwrap_or(0);
        self.reads.push(ReadReq {
            ctx: c,
            index: self.commit,
            acks: 1 << me,
            from,
        });
        self.heartbeat_with(c);
    }

    fn answer_read(&mut self, c: u64, index: u64, from: ProcId) {
        if from == self.me {
            if let Some(r) = self.local_reads.iter_mut().find(|r| r.ctx == c) {
                r.index = Some(index);
            }
            self.serve_reads();
        } else {
            self.send(from, Msg::ReadIndexResp { ctx: c, index });
        }
    }

    /// `Step`: term checks first, then the role's own handling.
    fn step(&mut self, from: ProcId, msg: Msg, ctx: &mut NCtx) {
        let mterm = match &msg {
            Msg::Vote { term, .. }
            | Msg::VoteResp { term, .. }
            | Msg::App { term, .. }
            | Msg::AppResp { term, .. }
            | Msg::Heartbeat { term, .. }
            | Msg::HeartbeatResp { term, .. } => Some(*term),
            _ => None,
        };
        if let Some(mterm) = mterm {
            if mterm > self.term {
                if let Msg::Vote { .. } = msg {
                    // The lease: a member that heard from a leader within an election
                    // timeout ignores a vote request (the leader always does).
                    let in_lease = self.cfg.check_quorum
                        && self.lead.is_some()
                        && self.election_elapsed < self.cfg.election_ticks;
                    if in_lease {
                        return;
                    }
                }
                match msg {
                    Msg::Vote { pre: true, .. } => {}
                    Msg::VoteResp {
                        pre: true,
                        reject: false,
                        ..
                    } => {}
                    Msg::App { .. } | Msg::Heartbeat { .. } => {
                        self.become_follower(mterm, Some(from), ctx)
                    }
                    _ => {
                        if self.state == State::Leader {
                            ctx.event(RaftEvent::Deposed {
                                term: self.term,
                                by: from,
                                new_term: mterm,
                            });
                        }
                        self.become_follower(mterm, None, ctx)
                    }
                }
            } else if mterm < self.term {
                match msg {
                    Msg::App { .. } | Msg::Heartbeat { .. }
                        if self.cfg.check_quorum || self.cfg.pre_vote =>
                    {
                        // Tells a stale leader about the newer term.
                        let term = self.term;
                        self.send(
                            from,
                            Msg::AppResp {
                                term,
                                index: 0,
                                reject: false,
                                hint: 0,
                            },
                        );
                    }
                    Msg::Vote { pre: true, .. } => {
                        let term = self.term;
                        self.send(
                            from,
                            Msg::VoteResp {
                                pre: true,
                                term,
                                reject: true,
                            },
                        );
                    }
                    _ => {}
                }
                return;
            }
        }
        match msg {
            Msg::Vote {
                pre,
                term,
                last_index,
                last_term,
            } => {
                let can_vote = self.vote == Some(from)
                    || (self.vote.is_none() && self.lead.is_none())
                    || (pre && term > self.term);
                // isUpToDate: a later last term, or the same with at least as many entries.
                let up_to_date = last_term > self.last_term()
                    || (last_term == self.last_term() && last_index >= self.last_index());
                if can_vote && up_to_date {
                    self.send(
                        from,
                        Msg::VoteResp {
                            pre,
                            term,
                            reject: false,
                        },
                    );
                    if !pre {
                        // Recorded, and fsynced before the grant leaves (see `ready`).
                        self.election_elapsed = 0;
                        self.vote = Some(from);
                        self.dirty = true;
                        ctx.signal(Signal::Voted {
                            epoch: term,
                            candidate: from,
                        });
                    }
                } else {
                    let term = self.term;
                    self.send(
                        from,
                        Msg::VoteResp {
                            pre,
                            term,
                            reject: true,
                        },
                    );
                }
            }
            Msg::VoteResp { pre, reject, .. } => {
                let mine = match self.state {
                    State::PreCandidate => pre,
                    State::Candidate => !pre,
                    _ => false,
                };
                if !mine {
                    return;
                }
                if let Some(k) = self.idx(from) {
                    self.votes[k] = Some(!reject);
                }
                match self.tally() {
                    Some(true) if pre => self.campaign(false, ctx),
                    Some(true) => self.become_leader(ctx),
                    Some(false) => {
                        let t = self.term;
                        self.become_follower(t, None, ctx);
                    }
                    None => {}
                }
            }
            Msg::App {
                prev_index,
                prev_term,
                entries,
                commit,
                ..
            } => {
                if self.state != State::Follower {
                    let t = self.term;
                    self.become_follower(t, Some(from), ctx);
                }
                self.election_elapsed = 0;
                self.lead = Some(from);
                self.release_blocked(ctx);
                self.handle_append(from, prev_index, prev_term, entries, commit, ctx);
            }
            Msg::Heartbeat { commit, ctx: c, .. } => {
                if self.state != State::Follower {
                    let t = self.term;
                    self.become_follower(t, Some(from), ctx);
                }
                self.election_elapsed = 0;
                self.lead = Some(from);
                self.release_blocked(ctx);
                if commit > self.commit {
                    self.commit = commit.min(self.last_index());
                    self.apply();
                }
                let term = self.term;
                self.send(from, Msg::HeartbeatResp { term, ctx: c });
            }
            Msg::AppResp {
                index,
                reject,
                hint,
                ..
            } if self.state == State::Leader => {
                let Some(k) = self.idx(from) else { return };
                self.prs[k].recent_active = true;
                if reject {
                    // MaybeDecrTo: back off towards the follower's log and probe.
                    let pr = &mut self.prs[k];
                    if pr.replicate && index <= pr.matched {
                        return;
                    }
                    pr.next = index.min(hint + 1).max(pr.matched + 1).max(1);
                    pr.replicate = false;
                    pr.probe_sent = false;
                    self.send_append(k);
                } else if index > self.prs[k].matched {
                    let pr = &mut self.prs[k];
                    pr.matched = index;
                    pr.next = pr.next.max(index + 1);
                    pr.probe_sent = false;
                    let was_probe = !pr.replicate;
                    pr.replicate = true;
                    if self.maybe_commit() {
                        self.bcast_append();
                    } else if was_probe || self.prs[k].next <= self.last_index() {
                        self.send_append(k);
                    }
                }
            }
            Msg::HeartbeatResp { ctx: c, .. } if self.state == State::Leader => {
                let Some(k) = self.idx(from) else { return };
                self.prs[k].recent_active = true;
                self.prs[k].probe_sent = false;
                if self.prs[k].matched < self.last_index() {
                    self.send_append(k);
                }
                if c != 0 {
                    self.read_ack(k, c);
                }
            }
            Msg::Prop {
                op,
                value,
                origin,
                kv,
                expect,
            } => self.propose(op, value, origin, kv, expect, ctx),
            Msg::KvReq { req, op } => self.kv_request(from, req, op, ctx),
            Msg::LeaseFwd { req, id } if self.state == State::Leader => {
                let ttl = self.kv.renew(id, self.now);
                self.send(from, Msg::LeaseFwdResp { req, ttl });
            }
            Msg::LeaseFwdResp { req, ttl } => {
                if let Some(i) = self.lease_waiting.iter().position(|(r, _)| *r == req) {
                    let (req, client) = self.lease_waiting.remove(i);
                    let result = KvResult::KeepAlive(ttl);
                    self.send(client, Msg::KvResp { req, result });
                }
            }
            Msg::ReadIndex { ctx: c } => match self.state {
                State::Leader => self.read_index(c, from),
                // stepFollower forwards to the leader it knows, or drops the read.
                State::Follower => {
                    if let Some(l) = self.lead {
                        self.send(l, Msg::ReadIndex { ctx: c });
                    }
                }
                _ => {}
            },
            Msg::ReadIndexResp { ctx: c, index } => {
                if let Some(r) = self.local_reads.iter_mut().find(|r| r.ctx == c) {
                    r.index = Some(index);
                }
                self.serve_reads();
            }
            Msg::Put { op, value, expect } => {
                self.waiting.push((op, from));
                let me = self.me;
                self.propose(op, value, me, None, expect, ctx);
            }
            Msg::Get { op, serializable } => {
                if serializable {
                    // Served from this member's own applied state, whatever it is.
                    let read = Some(self.last_value);
                    let rev = self.value_rev;
                    self.send(
                        from,
                        Msg::Reply {
                            op,
                            read,
                            rev,
                            succeeded: true,
                        },
                    );
                } else {
                    self.next_ctx += 1;
                    let c = ((self.me.0 as u64) << 40) | self.next_ctx;
                    self.local_reads.push(LocalRead {
                        ctx: c,
                        op,
                        client: from,
                        index: None,
                    });
                    match (self.state, self.lead) {
                        (State::Leader, _) => {
                            let me = self.me;
                            self.read_index(c, me)
                        }
                        (_, Some(l)) => self.send(l, Msg::ReadIndex { ctx: c }),
                        // No leader: dropped; etcd retries every 500 ms.
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    /// A client write: the leader appends it; a follower forwards it (`stepFollower`,
    /// `MsgProp`); with no leader it waits.
    fn propose(
        &mut self,
        op: OpId,
        value: u64,
        origin: ProcId,
        kv: Option<KvCmd>,
        expect: Option<u64>,
        ctx: &mut NCtx,
    ) {
        match (self.state, self.lead) {
            (State::Leader, _) => {
                let term = self.term;
                if kv.is_none() {
                    self.writes_accepted += 1;
                    if let Some(st) = self.cfg.storage {
                        self.send(st, Msg::Store { token: term, value });
                    }
                }
                self.append(Entry {
                    term,
                    value,
                    op,
                    origin,
                    kv,
                    expect,
                });
                self.bcast_append();
            }
            (State::Follower, Some(l)) => self.send(
                l,
                Msg::Prop {
                    op,
                    value,
                    origin,
                    kv,
                    expect,
                },
            ),
            _ => {
                if origin == self.me {
                    self.blocked.push((op, value, kv, expect, ctx.now));
                }
            }
        }
    }

    /// A request of etcd's KV or lease API from a client of this member.
    fn kv_request(&mut self, from: ProcId, req: u64, op: KvOp, ctx: &mut NCtx) {
        match op {
            // Serializable: this member's applied state, however stale.
            KvOp::Range { key } => {
                let result = KvResult::Range(self.kv.get(key));
                self.send(from, Msg::KvResp { req, result });
            }
            KvOp::Watch { key } => self.kv.watch(from, key),
            KvOp::KeepAlive { id } => match (self.state, self.lead) {
                (State::Leader, _) => {
                    let result = KvResult::KeepAlive(self.kv.renew(id, self.now));
                    self.send(from, Msg::KvResp { req, result });
                }
                // `LeaseRenew` forwards to the leader; with none known it waits for
                // one, and the client times out first.
                (_, Some(l)) => {
                    self.lease_waiting.push((req, from));
                    self.send(l, Msg::LeaseFwd { req, id });
                }
                _ => {}
            },
            KvOp::Cmd(cmd) => {
                self.kv_waiting.push((req, from));
                let me = self.me;
                self.propose(OpId(req), 0, me, Some(cmd), None, ctx);
            }
        }
    }

    /// Commands committed before the run starts: a cluster in use holds its users' keys
    /// and leases (a Patroni deployment's leader key).
    pub fn preload(&mut self, cmds: &[KvCmd]) {
        let origin = self.lead.unwrap_or(self.me);
        for c in cmds {
            self.log.push_back(Entry {
                term: self.term,
                value: 0,
                op: OpId(0),
                origin,
                kv: Some(*c),
                expect: None,
            });
        }
        let n = self.last_index();
        self.commit = n;
        self.apply();
        for p in &mut self.prs {
            p.matched = n;
            p.next = n + 1;
        }
        self.persist();
    }

    /// etcd's key-value store as this member has applied it.
    pub fn kv(&self) -> &Kv {
        &self.kv
    }

    /// The time of the last input it handled.
    pub fn now(&self) -> Millis {
        self.now
    }

    /// `readOnly.recvAck` then `advance`: a quorum of heartbeat acks releases the read
    /// and every read queued before it.
    fn read_ack(&mut self, k: usize, c: u64) {
        let Some(pos) = self.reads.iter().position(|r| r.ctx == c) else {
            return;
        };
        self.reads[pos].acks |= 1 << k;
        if (self.reads[pos].acks.count_ones() as usize) < self.quorum() {
            return;
        }
        let done: Vec<ReadReq> = self.reads.drain(..=pos).collect();
        for r in done {
            self.answer_read(r.ctx, r.index, r.from);
        }
    }

    /// `handleAppendEntries` with `maybeAppend` and `findConflict`.
    fn handle_append(
        &mut self,
        from: ProcId,
        prev_index: u64,
        prev_term: u64,
        entries: Vec<Entry>,
        commit: u64,
        ctx: &mut NCtx,
    ) {
        let term = self.term;
        if prev_index < self.commit {
            let index = self.commit;
            self.send(
                from,
                Msg::AppResp {
                    term,
                    index,
                    reject: false,
                    hint: 0,
                },
            );
            return;
        }
        if self.term_at(prev_index) != prev_term || prev_index > self.last_index() {
            let hint = self.last_index();
            self.send(
                from,
                Msg::AppResp {
                    term,
                    index: prev_index,
                    reject: true,
                    hint,
                },
            );
            return;
        }
        let last_new = prev_index + entries.len() as u64;
        // findConflict: the first entry whose term differs, or that is new.
        let conflict = entries.iter().enumerate().find_map(|(k, e)| {
            let i = prev_index + 1 + k as u64;
            (i > self.last_index() || self.term_at(i) != e.term).then_some(k)
        });
        if let Some(k) = conflict {
            let i = prev_index + 1 + k as u64;
            if i <= self.last_index() {
                // Truncate the conflicting suffix: entries no quorum ever held.
                let dropped = self.last_index() - i + 1;
                let discarded = self
                    .log
                    .iter()
                    .skip(i as usize - 1)
                    .filter(|e| e.value != 0)
                    .count() as u64;
                self.log.truncate(i as usize - 1);
                ctx.event(RaftEvent::Truncated {
                    entries: dropped,
                    from_index: i,
                });
                if discarded > 0 {
                    ctx.signal(Signal::Discarded { count: discarded });
                }
            }
            for e in &entries[k..] {
                self.log.push_back(*e);
            }
            self.dirty = true;
        }
        let new_commit = commit.min(last_new);
        if new_commit > self.commit {
            self.commit = new_commit;
            self.apply();
        }
        self.send(
            from,
            Msg::AppResp {
                term,
                index: last_new,
                reject: false,
                hint: 0,
            },
        );
    }

    /// A slow disk, or its repair.
    pub(crate) fn set_disk(&mut self, ms: Option<Millis>) {
        self.fsync_ms = ms.unwrap_or(self.cfg.fsync_ms);
    }

    /// What it had fsynced.
    pub(crate) fn durable(&self) -> HardState {
        self.durable.clone()
    }

    /// etcd restarts from its WAL: term, vote and entries come back, the state machine
    /// is rebuilt from the committed entries, and it starts as a follower with no
    /// leader. Without a WAL (`durable` None) it starts empty, at term 0.
    pub(crate) fn restart(&mut self, durable: Option<HardState>, ctx: &mut NCtx) {
        let hs = durable.unwrap_or_default();
        let leader = self.lead.unwrap_or(self.me);
        let mut fresh = Node::new(self.me, self.peers.clone(), self.cfg.clone(), leader);
        fresh.state = State::Follower;
        fresh.lead = None;
        fresh.term = hs.term;
        fresh.vote = hs.vote;
        fresh.log = hs.log.clone();
        fresh.commit = hs.commit.min(hs.log.len() as u64);
        fresh.applied = 0;
        fresh.durable = hs;
        fresh.fsync_ms = self.fsync_ms;
        *self = fresh;
        self.apply();
        self.outbox.clear();
        self.start(ctx);
    }

    pub(crate) fn view(&self) -> ProcView {
        let (role, label) = match self.state {
            State::Leader => (Role::Primary, "leader"),
            State::Candidate => (Role::Candidate, "candidate"),
            State::PreCandidate => (Role::Candidate, "pre-candidate"),
            State::Follower => (Role::Replica, "follower"),
        };
        const SHOWN: u64 = 18;
        let first = self.last_index().saturating_sub(SHOWN) + 1;
        let terms = (first..=self.last_index())
            .map(|i| self.term_at(i))
            .collect();
        let mut v = ProcView::new(role, label)
            .epoch(self.term)
            .leader(self.lead)
            .writable(self.state == State::Leader, self.writes_accepted)
            .data(self.values.len())
            .log(LogStrip {
                first,
                epochs: terms,
                commit: self.commit,
            });
        v = v
            .vote(self.vote)
            .num("last index", self.last_index())
            .num("commit index", self.commit)
            .num("applied index", self.applied);
        if self.fsync_ms != self.cfg.fsync_ms || self.syncing {
            v = v.num("fsync (ms)", self.fsync_ms);
        }
        if self.syncing {
            v = v.fact("disk", "fsync in progress: the member waits");
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::testing::Harness;

    fn cfg() -> NodeCfg {
        NodeCfg {
            tick_ms: 100,
            election_ticks: 10,
            pre_vote: false,
            check_quorum: true,
            lease_reads: false,
            fsync_ms: 0,
            storage: None,
        }
    }

    fn peers(n: u16) -> Vec<ProcId> {
        (0..n).map(ProcId).collect()
    }

    /// Member `me` of three, led by #0 in term 1, out of its lease.
    fn follower(me: u16) -> (Harness<Msg, Timer>, Node) {
        let mut h = Harness::new(ProcId(me));
        let mut n = Node::new(ProcId(me), peers(3), cfg(), ProcId(0));
        h.run(|ctx| n.start(ctx));
        n.election_elapsed = 10;
        (h, n)
    }

    fn vote(term: u64, last_index: u64, last_term: u64) -> Msg {
        Msg::Vote {
            pre: false,
            term,
            last_index,
            last_term,
        }
    }

    fn granted(sent: &[(ProcId, Msg)]) -> bool {
        matches!(sent, [(_, Msg::VoteResp { reject: false, .. })])
    }

    #[test]
    fn votes_once_per_term() {
        let (mut h, mut n) = follower(2);
        let a = h.run(|ctx| n.on_msg(ProcId(1), vote(2, 1, 1), ctx));
        assert!(granted(&a));
        assert_eq!(n.vote(), Some(ProcId(1)));
        let b = h.run(|ctx| n.on_msg(ProcId(0), vote(2, 1, 1), ctx));
        assert!(
            !granted(&b),
            "a second candidate of the same term is refused"
        );
        let again = h.run(|ctx| n.on_msg(ProcId(1), vote(2, 1, 1), ctx));
        assert!(
            granted(&again),
            "the same candidate asking again is granted"
        );
    }

    #[test]
    fn refuses_a_candidate_whose_log_is_behind() {
        let (mut h, mut n) = follower(2);
        n.log.push_back(Entry {
            term: 1,
            value: 7,
            op: OpId(7),
            origin: ProcId(0),
            kv: None,
            expect: None,
        });
        let behind = h.run(|ctx| n.on_msg(ProcId(1), vote(2, 1, 1), ctx));
        assert!(!granted(&behind), "last index 1 < 2 in the same last term");
        assert_eq!(n.term(), 2, "the term is raised all the same");
        let later_term = h.run(|ctx| n.on_msg(ProcId(1), vote(3, 1, 2), ctx));
        assert!(
            granted(&later_term),
            "a later last term wins over a longer log"
        );
    }

    #[test]
    fn ignores_votes_within_the_lease() {
        let (mut h, mut n) = follower(2);
        n.election_elapsed = 3;
        let sent = h.run(|ctx| n.on_msg(ProcId(1), vote(5, 9, 9), ctx));
        assert!(
            sent.is_empty(),
            "no answer while a leader was heard recently"
        );
        assert_eq!(n.term(), 1);
    }

    #[test]
    fn pre_vote_does_not_raise_the_term() {
        let mut c = cfg();
        c.pre_vote = true;
        let mut h = Harness::new(ProcId(2));
        let mut n = Node::new(ProcId(2), peers(3), c, ProcId(0));
        h.run(|ctx| n.start(ctx));
        n.election_elapsed = 10;
        let sent = h.run(|ctx| {
            n.campaign(true, ctx);
            n.ready(ctx)
        });
        assert_eq!(n.term(), 1, "a pre-candidate keeps its term");
        assert!(sent.iter().all(|(_, m)| matches!(
            m,
            Msg::Vote {
                pre: true,
                term: 2,
                ..
            }
        )));
        // A voter answers a pre-vote without raising its own term either.
        let (mut hv, mut v) = follower(1);
        let r = hv.run(|ctx| {
            v.on_msg(
                ProcId(2),
                Msg::Vote {
                    pre: true,
                    term: 2,
                    last_index: 1,
                    last_term: 1,
                },
                ctx,
            )
        });
        assert!(granted(&r));
        assert_eq!(v.term(), 1);
        assert_eq!(v.vote(), Some(ProcId(0)), "a pre-vote records no vote");
    }

    #[test]
    fn commits_only_current_term_entries_by_counting() {
        let mut h = Harness::new(ProcId(0));
        let mut n = Node::new(ProcId(0), peers(3), cfg(), ProcId(0));
        h.run(|ctx| n.start(ctx));
        // An entry of term 1 that only the leader holds, then the leader moves to term 3.
        n.log.push_back(Entry {
            term: 1,
            value: 5,
            op: OpId(5),
            origin: ProcId(0),
            kv: None,
            expect: None,
        });
        n.term = 3;
        n.prs[0].matched = 2;
        n.prs[1].matched = 2;
        assert!(!n.maybe_commit(), "a majority holds index 2, but of term 1");
        assert_eq!(n.commit(), 1);
        n.append(Entry {
            term: 3,
            value: 6,
            op: OpId(6),
            origin: ProcId(0),
            kv: None,
            expect: None,
        });
        n.prs[1].matched = 3;
        assert!(n.maybe_commit());
        assert_eq!(
            n.commit(),
            3,
            "the term-3 entry commits, and the term-1 one with it"
        );
    }

    #[test]
    fn conflicting_suffix_is_truncated() {
        let (mut h, mut n) = follower(2);
        for v in [10, 11] {
            n.log.push_back(Entry {
                term: 1,
                value: v,
                op: OpId(v),
                origin: ProcId(2),
                kv: None,
                expect: None,
            });
        }
        let e = Entry {
            term: 2,
            value: 20,
            op: OpId(20),
            origin: ProcId(1),
            kv: None,
            expect: None,
        };
        let sent = h.run(|ctx| {
            n.on_msg(
                ProcId(1),
                Msg::App {
                    term: 2,
                    prev_index: 1,
                    prev_term: 1,
                    entries: vec![e],
                    commit: 1,
                },
                ctx,
            )
        });
        assert_eq!(
            n.log_len(),
            2,
            "entries 2 and 3 of term 1 replaced by one of term 2"
        );
        assert_eq!(n.term_at(2), 2);
        assert!(matches!(
            sent.as_slice(),
            [(
                _,
                Msg::AppResp {
                    index: 2,
                    reject: false,
                    ..
                }
            )]
        ));
        assert!(h
            .signals()
            .iter()
            .any(|s| matches!(s, Signal::Discarded { count: 2 })));
    }

    #[test]
    fn check_quorum_steps_down_a_leader_cut_off() {
        let mut h = Harness::new(ProcId(0));
        let mut n = Node::new(ProcId(0), peers(3), cfg(), ProcId(0));
        h.run(|ctx| n.start(ctx));
        for p in &mut n.prs {
            p.recent_active = false;
        }
        h.run(|ctx| {
            for _ in 0..10 {
                n.tick(ctx);
            }
        });
        assert_eq!(n.state(), State::Follower);
        assert_eq!(n.term(), 1, "it steps down in the same term");
    }

    #[test]
    fn follower_answers_only_after_its_fsync() {
        let mut c = cfg();
        c.fsync_ms = 5;
        let mut h = Harness::new(ProcId(2));
        let mut n = Node::new(ProcId(2), peers(3), c, ProcId(0));
        h.run(|ctx| n.start(ctx));
        let e = Entry {
            term: 1,
            value: 9,
            op: OpId(9),
            origin: ProcId(0),
            kv: None,
            expect: None,
        };
        let app = Msg::App {
            term: 1,
            prev_index: 1,
            prev_term: 1,
            entries: vec![e],
            commit: 1,
        };
        let before = h.run(|ctx| n.on_msg(ProcId(0), app, ctx));
        assert!(before.is_empty(), "nothing leaves before the WAL is synced");
        let after = h.run(|ctx| n.on_timer(Timer::Synced, ctx));
        assert!(matches!(
            after.as_slice(),
            [(_, Msg::AppResp { index: 2, .. })]
        ));
        assert_eq!(n.durable().log.len(), 2);
    }
}
