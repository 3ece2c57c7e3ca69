//! A Redis Sentinel monitoring one master ("mymaster"), following Redis 7.0.15
//! `src/sentinel.c`: PING/INFO/hello periods, SDOWN, ODOWN, the leader election of
//! `sentinelVoteLeader`/`sentinelGetLeader`, the failover state machine, replica
//! selection and config propagation through hello messages.

use super::events::RedisEvent;
use super::msg::{Hello, Info, Msg};
use super::{RCtx, Timer};
use crate::ids::{Millis, ProcId};
use crate::process::Signal;
use crate::view::{ProcView, Role};

/// `SENTINEL_PING_PERIOD`.
pub const PING_PERIOD: Millis = 1000;
/// `sentinel_info_period` (1 s for replicas while the master is ODOWN or failing over).
pub const INFO_PERIOD: Millis = 10_000;
/// `sentinel_publish_period`: hello every 2 s.
pub const PUBLISH_PERIOD: Millis = 2000;
/// `sentinel_ask_period`.
pub const ASK_PERIOD: Millis = 1000;
/// `SENTINEL_MAX_DESYNC`.
pub const MAX_DESYNC: Millis = 1000;
/// `sentinel_election_timeout`.
pub const ELECTION_TIMEOUT: Millis = 10_000;
/// `sentinel_tilt_trigger`: a timer that runs this late means the clock jumped or
/// the process was stopped.
pub const TILT_TRIGGER: Millis = 2000;
/// `sentinel_tilt_period` (`SENTINEL_PING_PERIOD * 30`).
pub const TILT_PERIOD: Millis = 30_000;
/// `sentinel_slave_reconf_timeout`.
pub const SLAVE_RECONF_TIMEOUT: Millis = 10_000;

/// The settings a Sentinel is configured with.
#[derive(Clone, Debug)]
pub struct SentinelCfg {
    /// `sentinel monitor ... <quorum>`.
    pub quorum: u32,
    /// `down-after-milliseconds`.
    pub down_after: Millis,
    /// `failover-timeout`.
    pub failover_timeout: Millis,
    /// `parallel-syncs`.
    pub parallel_syncs: u32,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Reconf {
    None,
    Sent(Millis),
    InProg,
    Done,
}

/// What a Sentinel knows of one Redis instance.
#[derive(Clone, Debug)]
struct Instance {
    id: ProcId,
    act_ping_time: Option<Millis>,
    last_ping_time: Millis,
    last_pong_time: Millis,
    last_avail_time: Millis,
    last_pub_time: Millis,
    info_refresh: Option<Millis>,
    last_info_sent: Option<Millis>,
    info: Option<Info>,
    role_reported_master: bool,
    role_reported_time: Millis,
    s_down_since: Option<Millis>,
    reconf: Reconf,
}

impl Instance {
    fn new(id: ProcId, now: Millis, reported_master: bool) -> Self {
        Instance {
            id,
            act_ping_time: None,
            last_ping_time: 0,
            last_pong_time: now,
            last_avail_time: now,
            last_pub_time: 0,
            info_refresh: None,
            last_info_sent: None,
            info: None,
            role_reported_master: reported_master,
            role_reported_time: now,
            s_down_since: None,
            reconf: Reconf::None,
        }
    }
}

/// What a Sentinel knows of another Sentinel.
#[derive(Clone, Debug)]
struct Peer {
    id: ProcId,
    last_pub_time: Millis,
    master_down: bool,
    last_down_reply: Millis,
    last_ask: Millis,
    leader: Option<ProcId>,
    leader_epoch: u64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Failover {
    None,
    WaitStart,
    SelectSlave,
    SendSlaveofNoOne,
    WaitPromotion,
    ReconfSlaves,
}

/// One Sentinel.
#[derive(Clone, Debug)]
pub struct Sentinel {
    me: ProcId,
    cfg: SentinelCfg,
    current_epoch: u64,
    config_epoch: u64,
    /// Index 0 is the master; the rest are its replicas.
    insts: Vec<Instance>,
    peers: Vec<Peer>,
    o_down_since: Option<Millis>,
    leader: Option<ProcId>,
    leader_epoch: u64,
    failover: Failover,
    failover_epoch: u64,
    /// None until the first attempt (Redis's 0: wall-clock time makes any attempt "long ago").
    failover_start_time: Option<Millis>,
    failover_state_change_time: Millis,
    promoted: Option<ProcId>,
    /// `sentinel.previous_time`: when its timer last ran.
    previous_time: Option<Millis>,
    /// `sentinel.tilt_start_time` while in TILT mode.
    tilt_since: Option<Millis>,
}

impl Sentinel {
    /// A Sentinel configured to monitor `master` (`sentinel monitor mymaster ...`),
    /// knowing the `replicas` and the other `sentinels` its config file lists
    /// (`sentinel known-replica`, `sentinel known-sentinel`): all of them for a
    /// deployment that has been up a while, none for one just brought up, which
    /// discovers them from INFO and hello messages.
    pub fn new(
        me: ProcId,
        cfg: SentinelCfg,
        master: ProcId,
        replicas: &[ProcId],
        sentinels: &[ProcId],
    ) -> Self {
        let mut insts = vec![Instance::new(master, 0, true)];
        insts.extend(
            replicas
                .iter()
                .filter(|&&r| r != master)
                .map(|&r| Instance::new(r, 0, false)),
        );
        let mut s = Sentinel {
            me,
            cfg,
            current_epoch: 0,
            config_epoch: 0,
            insts,
            peers: Vec::new(),
            o_down_since: None,
            leader: None,
            leader_epoch: 0,
            failover: Failover::None,
            failover_epoch: 0,
            failover_start_time: None,
            failover_state_change_time: 0,
            promoted: None,
            previous_time: None,
            tilt_since: None,
        };
        for &p in sentinels.iter().filter(|&&p| p != me) {
            s.peer(p, 0);
        }
        s
    }

    /// The master this Sentinel names to clients (`sentinelGetCurrentMasterAddress`:
    /// the promoted replica once the failover reaches RECONF_SLAVES).
    pub fn current_master(&self) -> ProcId {
        match (self.failover, self.promoted) {
            (Failover::ReconfSlaves, Some(p)) => p,
            _ => self.insts[0].id,
        }
    }

    /// Whether it flags the master s_down or o_down.
    pub fn master_down(&self) -> bool {
        self.insts[0].s_down_since.is_some() || self.o_down_since.is_some()
    }

    /// The config epoch of the master it follows.
    pub fn config_epoch(&self) -> u64 {
        self.config_epoch
    }

    fn hz_period(ctx: &mut RCtx) -> Millis {
        // sentinelTimer: server.hz = CONFIG_DEFAULT_HZ + rand() % CONFIG_DEFAULT_HZ, so
        // Sentinels drift apart and do not act in lockstep.
        1000 / (10 + ctx.rng().below(10))
    }

    pub(super) fn start(&mut self, ctx: &mut RCtx) {
        // Sentinels start at different moments: their timers have their own phases.
        let first = ctx.rng().below(1000) + Self::hz_period(ctx);
        ctx.timer(first, Timer::Tick);
    }

    pub(super) fn restart(&mut self, ctx: &mut RCtx) {
        // Sentinel rewrites its config file (epochs, known replicas and Sentinels), so a
        // restart keeps what it knew; link state starts afresh.
        let now = ctx.now;
        for i in &mut self.insts {
            *i = Instance::new(i.id, now, i.role_reported_master);
        }
        self.failover = Failover::None;
        self.o_down_since = None;
        self.previous_time = None;
        self.tilt_since = None;
        self.start(ctx);
    }

    fn inst(&mut self, id: ProcId) -> Option<usize> {
        self.insts.iter().position(|i| i.id == id)
    }

    fn peer(&mut self, id: ProcId, now: Millis) -> usize {
        match self.peers.iter().position(|p| p.id == id) {
            Some(i) => i,
            None => {
                self.peers.push(Peer {
                    id,
                    last_pub_time: 0,
                    master_down: false,
                    last_down_reply: now,
                    last_ask: 0,
                    leader: None,
                    leader_epoch: 0,
                });
                self.peers.len() - 1
            }
        }
    }

    fn hello(&self) -> Hello {
        Hello {
            sentinel: self.me,
            current_epoch: self.current_epoch,
            master: self.current_master(),
            config_epoch: self.config_epoch,
        }
    }

    pub(super) fn on_timer(&mut self, t: Timer, ctx: &mut RCtx) {
        if t != Timer::Tick {
            return;
        }
        let next = Self::hz_period(ctx);
        ctx.timer(next, Timer::Tick);
        if self.previous_time.is_none() {
            // The process starts now: its links are created now (createInstanceLink
            // sets last_pong_time to the creation time), so its PINGs keep their own
            // phase instead of all Sentinels pinging at the same moments.
            let now = ctx.now;
            for i in &mut self.insts {
                i.last_pong_time = now;
                i.last_avail_time = now;
            }
        }
        self.check_tilt(ctx);
        // sentinelHandleDictOfRedisInstances: the master first (periodic commands,
        // SDOWN, ODOWN, failover), then its replicas, then the other Sentinels.
        // sentinelHandleRedisInstance skips the acting half while in TILT.
        self.periodic(0, ctx);
        if self.acting(ctx) {
            self.check_sdown(0, ctx);
            self.check_odown(ctx);
            if self.start_failover_if_needed(ctx) {
                self.ask_others(true, ctx);
            }
            self.failover_state_machine(ctx);
            self.ask_others(false, ctx);
        }
        for k in 1..self.insts.len() {
            self.periodic(k, ctx);
            if self.acting(ctx) {
                self.check_sdown(k, ctx);
            }
        }
        let now = ctx.now;
        let hello = self.hello();
        for p in &mut self.peers {
            if now - p.last_pub_time > PUBLISH_PERIOD {
                p.last_pub_time = now;
                ctx.send(p.id, Msg::Hello(hello));
            }
        }
    }

    /// `sentinelCheckTiltCondition`: a timer that ran more than 2 s after the previous
    /// one (or before it) enters TILT.
    fn check_tilt(&mut self, ctx: &mut RCtx) {
        let now = ctx.now;
        if let Some(prev) = self.previous_time {
            let late = now - prev;
            if late > TILT_TRIGGER {
                self.tilt_since = Some(now);
                ctx.event(RedisEvent::Tilt { late_ms: late });
            }
        }
        self.previous_time = Some(now);
    }

    /// Whether the acting half runs: not in TILT, which ends after 30 s (`-tilt`).
    fn acting(&mut self, ctx: &mut RCtx) -> bool {
        match self.tilt_since {
            Some(t) if ctx.now - t < TILT_PERIOD => false,
            Some(_) => {
                self.tilt_since = None;
                ctx.event(RedisEvent::TiltExit);
                true
            }
            None => true,
        }
    }

    /// `sentinelSendPeriodicCommands` for instance `k`: INFO, PING and hello.
    fn periodic(&mut self, k: usize, ctx: &mut RCtx) {
        let now = ctx.now;
        let odown_or_failover = self.o_down_since.is_some() || self.failover != Failover::None;
        let ping_period = self.cfg.down_after.min(PING_PERIOD);
        let hello = self.hello();
        let i = &mut self.insts[k];
        let link_down = i.info.as_ref().is_some_and(|x| x.link_down_ms > 0);
        // INFO every second for replicas while the master is ODOWN or failing over, or
        // while the replica reports its master link down; every 10 s otherwise.
        let info_period = if k > 0 && (odown_or_failover || link_down) {
            1000
        } else {
            INFO_PERIOD
        };
        // The real Sentinel queues INFO every tick while no reply arrives (up to 100
        // pending commands on a stalled link); one request per period is sent here.
        let due = i.info_refresh.is_none_or(|r| now - r > info_period)
            && i.last_info_sent
                .is_none_or(|s| now - s >= info_period.min(PING_PERIOD));
        if due {
            i.last_info_sent = Some(now);
            ctx.send(i.id, Msg::InfoReq);
        }
        if now - i.last_pong_time > ping_period && now - i.last_ping_time > ping_period / 2 {
            i.last_ping_time = now;
            if i.act_ping_time.is_none() {
                i.act_ping_time = Some(now);
            }
            ctx.send(i.id, Msg::Ping);
        }
        if now - i.last_pub_time > PUBLISH_PERIOD {
            i.last_pub_time = now;
            ctx.send(i.id, Msg::Hello(hello));
        }
    }

    /// `sentinelCheckSubjectivelyDown`: down when the oldest unanswered PING is older
    /// than `down-after-milliseconds` (or a master keeps reporting the slave role).
    fn check_sdown(&mut self, k: usize, ctx: &mut RCtx) {
        let now = ctx.now;
        let down_after = self.cfg.down_after;
        let i = &mut self.insts[k];
        let elapsed = i.act_ping_time.map_or(0, |t| now - t);
        let wrong_role = k == 0
            && !i.role_reported_master
            && now - i.role_reported_time > down_after + 2 * INFO_PERIOD;
        if elapsed > down_after || wrong_role {
            if i.s_down_since.is_none() {
                i.s_down_since = Some(now);
                let id = i.id;
                ctx.event(RedisEvent::Sdown {
                    target: id,
                    down_after_ms: down_after,
                });
            }
        } else if i.s_down_since.take().is_some() {
            let id = i.id;
            ctx.note(move || format!("-sdown: {} answers again", id));
        }
    }

    /// `sentinelCheckObjectivelyDown`: only while we see SDOWN ourselves; we count
    /// ourselves plus every Sentinel whose last reply said the master is down.
    fn check_odown(&mut self, ctx: &mut RCtx) {
        let mut votes = 0;
        if self.insts[0].s_down_since.is_some() {
            votes = 1 + self.peers.iter().filter(|p| p.master_down).count() as u32;
        }
        let odown = votes > 0 && votes >= self.cfg.quorum;
        let master = self.insts[0].id;
        if odown && self.o_down_since.is_none() {
            self.o_down_since = Some(ctx.now);
            ctx.event(RedisEvent::Odown {
                target: master,
                votes,
                quorum: self.cfg.quorum,
            });
        } else if !odown && self.o_down_since.take().is_some() {
            ctx.note(move || format!("-odown: {} is no longer objectively down", master));
        }
    }

    /// `sentinelStartFailoverIfNeeded` + `sentinelStartFailover`.
    fn start_failover_if_needed(&mut self, ctx: &mut RCtx) -> bool {
        if self.o_down_since.is_none() || self.failover != Failover::None {
            return false;
        }
        if self
            .failover_start_time
            .is_some_and(|t| ctx.now.saturating_sub(t) < self.cfg.failover_timeout * 2)
        {
            return false; // "Next failover delay: I will not start a failover before ..."
        }
        self.current_epoch += 1;
        self.failover_epoch = self.current_epoch;
        self.failover = Failover::WaitStart;
        self.failover_start_time = Some(ctx.now + ctx.rng().below(MAX_DESYNC));
        self.failover_state_change_time = ctx.now;
        let epoch = self.failover_epoch;
        ctx.signal(Signal::ElectionStarted { epoch });
        ctx.note(move || {
            format!("+try-failover: new epoch {epoch}, asking the other Sentinels for their vote")
        });
        true
    }

    /// `sentinelAskMasterStateToOtherSentinels`: while the master is SDOWN, ask every
    /// peer `is-master-down-by-addr`, with our id (a vote request) once failing over.
    fn ask_others(&mut self, forced: bool, ctx: &mut RCtx) {
        let now = ctx.now;
        for p in &mut self.peers {
            // Replies older than five ask periods no longer count.
            if now - p.last_down_reply > ASK_PERIOD * 5 {
                p.master_down = false;
                p.leader = None;
            }
        }
        if self.insts[0].s_down_since.is_none() {
            return;
        }
        let master = self.insts[0].id;
        let candidate = (self.failover != Failover::None).then_some(self.me);
        let epoch = self.current_epoch;
        for p in &mut self.peers {
            // Redis re-asks when the last reply is older than the ask period; a request
            // is not re-sent while one is outstanding within that period.
            if !forced && (now - p.last_down_reply < ASK_PERIOD || now - p.last_ask < ASK_PERIOD) {
                continue;
            }
            p.last_ask = now;
            ctx.send(
                p.id,
                Msg::IsMasterDown {
                    master,
                    epoch,
                    candidate,
                },
            );
        }
    }

    /// `sentinelVoteLeader`: one vote per epoch, to the first Sentinel that asks, on the
    /// epoch alone: the voter does not check that it sees the master down.
    fn vote(&mut self, req_epoch: u64, candidate: ProcId, ctx: &mut RCtx) -> (Option<ProcId>, u64) {
        if req_epoch > self.current_epoch {
            self.current_epoch = req_epoch;
        }
        if self.leader_epoch < req_epoch && self.current_epoch <= req_epoch {
            self.leader = Some(candidate);
            self.leader_epoch = self.current_epoch;
            ctx.signal(Signal::Voted {
                epoch: req_epoch,
                candidate,
            });
            if candidate != self.me {
                // Voting for another delays our own failover attempt (2 x failover-timeout).
                self.failover_start_time = Some(ctx.now + ctx.rng().below(MAX_DESYNC));
                ctx.note(move || format!("+vote-for-leader {} in epoch {req_epoch}", candidate));
            }
        }
        (self.leader, self.leader_epoch)
    }

    /// `sentinelGetLeader`: the winner needs a majority of every Sentinel ever known
    /// (reachable or not) and at least `quorum` votes.
    fn get_leader(&mut self, epoch: u64, ctx: &mut RCtx) -> (Option<ProcId>, u32, u32) {
        let mut counts: Vec<(ProcId, u32)> = Vec::new();
        let mut add = |who: ProcId| match counts.iter_mut().find(|c| c.0 == who) {
            Some(c) => c.1 += 1,
            None => counts.push((who, 1)),
        };
        for p in &self.peers {
            if let Some(l) = p.leader {
                if p.leader_epoch == self.current_epoch {
                    add(l);
                }
            }
        }
        let top = counts
            .iter()
            .max_by_key(|c| (c.1, std::cmp::Reverse(c.0)))
            .map(|c| c.0);
        let (my, my_epoch) = self.vote(epoch, top.unwrap_or(self.me), ctx);
        if let Some(m) = my {
            if my_epoch == epoch {
                match counts.iter_mut().find(|c| c.0 == m) {
                    Some(c) => c.1 += 1,
                    None => counts.push((m, 1)),
                }
            }
        }
        let voters = self.peers.len() as u32 + 1;
        let needed = (voters / 2 + 1).max(self.cfg.quorum);
        let best = counts
            .iter()
            .max_by_key(|c| (c.1, std::cmp::Reverse(c.0)))
            .copied();
        match best {
            Some((w, n)) if n >= needed => (Some(w), n, needed),
            Some((_, n)) => (None, n, needed),
            None => (None, 0, needed),
        }
    }

    fn abort(&mut self, reason: &'static str, ctx: &mut RCtx) {
        let epoch = self.failover_epoch;
        self.failover = Failover::None;
        self.promoted = None;
        ctx.event(RedisEvent::FailoverAborted { epoch, reason });
    }

    fn failover_state_machine(&mut self, ctx: &mut RCtx) {
        let now = ctx.now;
        let timeout = self.cfg.failover_timeout;
        match self.failover {
            Failover::None => {}
            Failover::WaitStart => {
                let epoch = self.failover_epoch;
                let (leader, votes, needed) = self.get_leader(epoch, ctx);
                if leader != Some(self.me) {
                    let election_timeout = ELECTION_TIMEOUT.min(timeout);
                    if now.saturating_sub(self.failover_start_time.unwrap_or(now))
                        > election_timeout
                    {
                        self.abort("-failover-abort-not-elected: not enough votes", ctx);
                    }
                    return;
                }
                ctx.signal(Signal::Elected {
                    epoch,
                    votes,
                    needed,
                });
                ctx.note(move || {
                    format!(
                        "+elected-leader for epoch {epoch} with {votes} of {needed} needed votes"
                    )
                });
                // One state per timer tick, as sentinelFailoverStateMachine does.
                self.failover = Failover::SelectSlave;
                self.failover_state_change_time = now;
            }
            Failover::SelectSlave => match self.select_slave(now) {
                None => self.abort("-failover-abort-no-good-slave", ctx),
                Some(k) => {
                    let id = self.insts[k].id;
                    self.promoted = Some(id);
                    self.failover = Failover::SendSlaveofNoOne;
                    self.failover_state_change_time = now;
                    ctx.note(move || format!("+selected-slave {}", id));
                }
            },
            Failover::SendSlaveofNoOne => {
                let Some(p) = self.promoted else { return };
                let k = self.inst(p).unwrap_or(0);
                if now - self.insts[k].last_avail_time > PING_PERIOD * 5 {
                    if now - self.failover_state_change_time > timeout {
                        self.abort("-failover-abort-slave-timeout", ctx);
                    }
                    return;
                }
                ctx.send(
                    p,
                    Msg::SlaveOf {
                        master: None,
                        epoch: self.failover_epoch,
                    },
                );
                ctx.note(move || {
                    format!(
                        "+failover-state-send-slaveof-noone: SLAVEOF NO ONE to {}",
                        p
                    )
                });
                self.failover = Failover::WaitPromotion;
                self.failover_state_change_time = now;
            }
            Failover::WaitPromotion => {
                if now - self.failover_state_change_time > timeout {
                    self.abort("-failover-abort-slave-timeout", ctx);
                }
            }
            Failover::ReconfSlaves => self.reconf_slaves(ctx),
        }
    }

    /// `sentinelSelectSlave` with `compareSlavesForPromotion`.
    fn select_slave(&self, now: Millis) -> Option<usize> {
        let master = &self.insts[0];
        let info_validity = if master.s_down_since.is_some() {
            PING_PERIOD * 5
        } else {
            INFO_PERIOD * 3
        };
        let max_master_down = master.s_down_since.map_or(0, |s| now - s) + self.cfg.down_after * 10;
        // compareSlavesForPromotion: lower priority, then higher offset, then smaller run id.
        type Rank = (u32, std::cmp::Reverse<u64>, u64);
        let mut best: Option<(usize, Rank)> = None;
        for (k, i) in self.insts.iter().enumerate().skip(1) {
            let Some(info) = &i.info else { continue };
            if i.s_down_since.is_some()
                || now - i.last_avail_time > PING_PERIOD * 5
                || info.priority == 0
                || i.info_refresh.is_none_or(|r| now - r > info_validity)
                || info.link_down_ms > max_master_down
                || info.master_of.is_none()
            {
                continue;
            }
            let key = (info.priority, std::cmp::Reverse(info.offset), info.run_id);
            if best.as_ref().is_none_or(|b| key < b.1) {
                best = Some((k, key));
            }
        }
        best.map(|b| b.0)
    }

    /// `sentinelFailoverReconfNextSlave` + `sentinelFailoverDetectEnd`.
    fn reconf_slaves(&mut self, ctx: &mut RCtx) {
        let now = ctx.now;
        let Some(p) = self.promoted else { return };
        let mut in_progress = 0;
        for i in self.insts.iter_mut().skip(1) {
            if let Reconf::Sent(t) = i.reconf {
                if now - t > SLAVE_RECONF_TIMEOUT {
                    i.reconf = Reconf::Done;
                }
            }
            if matches!(i.reconf, Reconf::Sent(_) | Reconf::InProg) {
                in_progress += 1;
            }
        }
        for i in self.insts.iter_mut().skip(1) {
            if in_progress >= self.cfg.parallel_syncs {
                break;
            }
            if i.id == p || i.reconf != Reconf::None || i.s_down_since.is_some() {
                continue;
            }
            i.reconf = Reconf::Sent(now);
            in_progress += 1;
            ctx.send(
                i.id,
                Msg::SlaveOf {
                    master: Some(p),
                    epoch: self.failover_epoch,
                },
            );
            let id = i.id;
            ctx.note(move || format!("+slave-reconf-sent: SLAVEOF {} to {}", p, id));
        }
        let timed_out = now - self.failover_state_change_time > self.cfg.failover_timeout;
        let all_done = self
            .insts
            .iter()
            .skip(1)
            .all(|i| i.id == p || i.s_down_since.is_some() || i.reconf == Reconf::Done);
        if all_done || timed_out {
            ctx.note(move || {
                format!(
                    "+failover-end{}",
                    if timed_out { "-for-timeout" } else { "" }
                )
            });
            self.switch_master(p, ctx);
        }
    }

    /// `sentinelResetMasterAndChangeAddress`: the promoted replica becomes the master;
    /// every other known instance, the old master included, becomes its replica.
    fn switch_master(&mut self, new: ProcId, ctx: &mut RCtx) {
        let old = self.insts[0].id;
        if old == new {
            return;
        }
        let now = ctx.now;
        let ids: Vec<ProcId> = self.insts.iter().map(|i| i.id).collect();
        let mut insts = vec![Instance::new(new, now, true)];
        insts.extend(
            ids.into_iter()
                .filter(|&i| i != new)
                .map(|i| Instance::new(i, now, false)),
        );
        self.insts = insts;
        self.failover = Failover::None;
        self.failover_start_time = None;
        self.promoted = None;
        self.o_down_since = None;
        self.leader = None;
        let epoch = self.config_epoch;
        ctx.note(move || format!("+switch-master: {} -> {} (config epoch {epoch})", old, new));
    }

    /// `sentinelRefreshInstanceInfo`.
    fn on_info(&mut self, from: ProcId, info: Info, ctx: &mut RCtx) {
        let now = ctx.now;
        let Some(k) = self.inst(from) else { return };
        let reports_master = info.master_of.is_none();
        if self.insts[k]
            .info
            .as_ref()
            .is_some_and(|old| old.run_id != info.run_id)
        {
            ctx.event(RedisEvent::Reboot { target: from });
        }
        {
            let i = &mut self.insts[k];
            i.info_refresh = Some(now);
            if i.role_reported_master != reports_master {
                i.role_reported_master = reports_master;
                i.role_reported_time = now;
            }
        }
        if k == 0 && reports_master {
            for r in &info.replicas {
                if self.inst(*r).is_none() {
                    self.insts.push(Instance::new(*r, now, false));
                    let r = *r;
                    ctx.note(move || format!("+slave {} discovered", r));
                }
            }
        }
        let master_of = info.master_of;
        let link_up = info.link_up;
        self.insts[k].info = Some(info);
        // "None of the following conditions are processed when in tilt mode".
        if k == 0 || self.tilt_since.is_some() {
            return;
        }
        if reports_master {
            if self.failover == Failover::WaitPromotion && self.promoted == Some(from) {
                // +promoted-slave: the failover's config epoch becomes the master's.
                self.config_epoch = self.failover_epoch;
                self.failover = Failover::ReconfSlaves;
                self.failover_state_change_time = now;
                let epoch = self.failover_epoch;
                // +promoted-slave
                ctx.signal(Signal::NewLeader {
                    epoch,
                    leader: from,
                });
                for i in &mut self.insts {
                    i.last_pub_time = 0; // sentinelForceHelloUpdateForMaster
                }
                for p in &mut self.peers {
                    p.last_pub_time = 0;
                }
                return;
            }
            // A replica claims to be master: after a while, force our view on it.
            let wait = PUBLISH_PERIOD * 4;
            let master_sane = self.insts[0].s_down_since.is_none()
                && self.o_down_since.is_none()
                && self.insts[0].role_reported_master;
            let i = &self.insts[k];
            let no_down_for = i.s_down_since.is_none_or(|s| now - s > wait);
            if self.failover == Failover::None
                && master_sane
                && no_down_for
                && now - i.role_reported_time > wait
            {
                let m = self.insts[0].id;
                ctx.send(
                    from,
                    Msg::SlaveOf {
                        master: Some(m),
                        epoch: self.config_epoch,
                    },
                );
                ctx.note(move || {
                    format!(
                        "+convert-to-slave {}: it claims to be master, {} is",
                        from, m
                    )
                });
            }
            return;
        }
        if self.failover == Failover::ReconfSlaves
            && Some(master_of.unwrap_or(from)) == self.promoted
        {
            let i = &mut self.insts[k];
            i.reconf = match (i.reconf, link_up) {
                (Reconf::Sent(_), false) => Reconf::InProg,
                (Reconf::Sent(_) | Reconf::InProg, true) => Reconf::Done,
                (r, _) => r,
            };
        }
    }

    /// `sentinelProcessHelloMessage`.
    fn on_hello(&mut self, h: Hello, ctx: &mut RCtx) {
        if h.sentinel == self.me {
            return;
        }
        let now = ctx.now;
        let known = self.peers.iter().any(|p| p.id == h.sentinel);
        self.peer(h.sentinel, now);
        if !known {
            let s = h.sentinel;
            ctx.note(move || format!("+sentinel {} discovered", s));
        }
        if h.current_epoch > self.current_epoch {
            self.current_epoch = h.current_epoch;
        }
        if h.config_epoch > self.config_epoch {
            self.config_epoch = h.config_epoch;
            if h.master != self.insts[0].id {
                let (from, m, e) = (h.sentinel, h.master, h.config_epoch);
                ctx.note(move || {
                    format!(
                        "+config-update-from {}: master is {} in config epoch {e}",
                        from, m
                    )
                });
                if self.inst(h.master).is_none() {
                    self.insts.push(Instance::new(h.master, now, true));
                }
                self.switch_master(h.master, ctx);
            }
        }
    }

    pub(super) fn on_msg(&mut self, from: ProcId, msg: Msg, ctx: &mut RCtx) {
        let now = ctx.now;
        match msg {
            Msg::Pong => {
                if let Some(k) = self.inst(from) {
                    let i = &mut self.insts[k];
                    i.act_ping_time = None;
                    i.last_pong_time = now;
                    i.last_avail_time = now;
                }
            }
            Msg::Info(info) => self.on_info(from, *info, ctx),
            Msg::Hello(h) => self.on_hello(h, ctx),
            Msg::IsMasterDown {
                master,
                epoch,
                candidate,
            } => {
                let known = self.insts[0].id == master;
                // In TILT a Sentinel reports the master up (`!sentinel.tilt && ... SRI_S_DOWN`).
                let down =
                    known && self.tilt_since.is_none() && self.insts[0].s_down_since.is_some();
                let (leader, leader_epoch) = match candidate {
                    Some(c) if known => self.vote(epoch, c, ctx),
                    _ => (None, 0),
                };
                ctx.send(
                    from,
                    Msg::IsMasterDownReply {
                        down,
                        leader,
                        leader_epoch,
                    },
                );
            }
            Msg::IsMasterDownReply {
                down,
                leader,
                leader_epoch,
            } => {
                let k = self.peer(from, now);
                let p = &mut self.peers[k];
                p.master_down = down;
                p.last_down_reply = now;
                if leader.is_some() {
                    p.leader = leader;
                    p.leader_epoch = leader_epoch;
                }
            }
            Msg::GetMaster { req } => {
                let master = self.current_master();
                let down = self.master_down();
                ctx.send(from, Msg::MasterIs { req, master, down });
            }
            Msg::Ping => ctx.send(from, Msg::Pong),
            _ => {}
        }
    }

    pub(super) fn view(&self) -> ProcView {
        let state = match self.failover {
            Failover::None => "none",
            Failover::WaitStart => "wait-start (election)",
            Failover::SelectSlave => "select-slave",
            Failover::SendSlaveofNoOne => "send-slaveof-noone",
            Failover::WaitPromotion => "wait-promotion",
            Failover::ReconfSlaves => "reconf-slaves",
        };
        let flags = match (
            self.insts[0].s_down_since.is_some(),
            self.o_down_since.is_some(),
        ) {
            (_, true) => "o_down",
            (true, false) => "s_down",
            _ => "ok",
        };
        let role = if self.failover == Failover::WaitStart {
            Role::Candidate
        } else {
            Role::Watcher
        };
        let v = ProcView::new(role, "sentinel")
            .epoch(self.current_epoch)
            .leader(Some(self.current_master()))
            .fact("master flags", flags)
            .num("config epoch", self.config_epoch)
            .fact("failover", state);
        let v = v.vote(
            self.leader
                .filter(|_| self.leader_epoch == self.current_epoch),
        );
        let v = v
            .num("known sentinels", (self.peers.len() + 1) as u64)
            .num("known replicas", (self.insts.len() - 1) as u64);
        if self.tilt_since.is_some() {
            v.fact("mode", "TILT: acts on nothing")
        } else {
            v
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::testing::Harness;

    fn sentinel(me: u16, quorum: u32) -> Sentinel {
        let cfg = SentinelCfg {
            quorum,
            down_after: 5000,
            failover_timeout: 180_000,
            parallel_syncs: 1,
        };
        Sentinel::new(ProcId(me), cfg, ProcId(0), &[], &[])
    }

    fn ask(h: &mut Harness<Msg, Timer>, s: &mut Sentinel, from: u16, epoch: u64) -> Msg {
        let sent = h.run(|ctx| {
            s.on_msg(
                ProcId(from),
                Msg::IsMasterDown {
                    master: ProcId(0),
                    epoch,
                    candidate: Some(ProcId(from)),
                },
                ctx,
            )
        });
        sent.into_iter().next().expect("a reply").1
    }

    /// The reply of a Sentinel that sees the master up and voted for `leader` in `epoch`.
    fn voted_for(leader: u16, epoch: u64) -> Msg {
        Msg::IsMasterDownReply {
            down: false,
            leader: Some(ProcId(leader)),
            leader_epoch: epoch,
        }
    }

    #[test]
    fn grants_one_vote_per_epoch_to_the_first_asker() {
        let mut s = sentinel(10, 2);
        let mut h = Harness::new(ProcId(10));
        let first = ask(&mut h, &mut s, 11, 1);
        assert_eq!(first, voted_for(11, 1));
        // A second candidate in the same epoch is told who already has the vote.
        let second = ask(&mut h, &mut s, 12, 1);
        assert_eq!(second, voted_for(11, 1));
        // A newer epoch gets a new vote.
        let third = ask(&mut h, &mut s, 12, 2);
        assert_eq!(third, voted_for(12, 2));
        assert_eq!(s.current_epoch, 2);
    }

    #[test]
    fn votes_even_while_it_sees_the_master_up() {
        // sentinelVoteLeader does not look at the master's state: down:false, vote granted.
        let mut s = sentinel(10, 2);
        let mut h = Harness::new(ProcId(10));
        assert!(s.insts[0].s_down_since.is_none());
        let reply = ask(&mut h, &mut s, 11, 5);
        assert_eq!(reply, voted_for(11, 5));
    }

    #[test]
    fn voting_for_another_delays_its_own_failover() {
        let mut s = sentinel(10, 1);
        let mut h = Harness::new(ProcId(10));
        h.now = 50_000;
        ask(&mut h, &mut s, 11, 1);
        let t = s.failover_start_time.expect("set by the vote");
        assert!((50_000..51_000).contains(&t));
        // Even at ODOWN it will not start its own failover within 2 x failover-timeout.
        s.o_down_since = Some(60_000);
        h.now = 60_000;
        let started = h.run(|ctx| assert!(!s.start_failover_if_needed(ctx)));
        assert!(started.is_empty());
    }

    #[test]
    fn leader_needs_a_majority_of_known_sentinels_and_the_quorum() {
        // Five known Sentinels (four peers + itself), quorum 4: majority is 3, so 4 are needed.
        let mut s = sentinel(10, 4);
        let mut h = Harness::new(ProcId(10));
        for p in 11..15 {
            s.peer(ProcId(p), 0);
        }
        s.current_epoch = 1;
        for (k, p) in s.peers.iter_mut().enumerate() {
            if k < 2 {
                p.leader = Some(ProcId(10));
                p.leader_epoch = 1;
            }
        }
        h.run(|ctx| {
            let (leader, votes, needed) = s.get_leader(1, ctx);
            assert_eq!((leader, votes, needed), (None, 3, 4));
        });
        s.peers[2].leader = Some(ProcId(10));
        s.peers[2].leader_epoch = 1;
        h.run(|ctx| {
            let (leader, votes, needed) = s.get_leader(1, ctx);
            assert_eq!((leader, votes, needed), (Some(ProcId(10)), 4, 4));
        });
    }

    fn replica(id: u16, priority: u32, offset: u64, run_id: u64, now: Millis) -> Instance {
        let mut i = Instance::new(ProcId(id), now, false);
        i.info_refresh = Some(now);
        i.info = Some(Info {
            run_id,
            master_of: Some(ProcId(0)),
            link_up: true,
            link_down_ms: 0,
            offset,
            priority,
            replicas: vec![],
        });
        i
    }

    #[test]
    fn replica_selection_prefers_priority_then_offset_then_run_id() {
        let now = 100_000;
        let mut s = sentinel(10, 2);
        s.insts.push(replica(1, 100, 500, 9, now));
        s.insts.push(replica(2, 50, 100, 9, now));
        s.insts.push(replica(3, 100, 900, 9, now));
        assert_eq!(
            s.insts[s.select_slave(now).unwrap()].id,
            ProcId(2),
            "lowest priority wins"
        );
        s.insts[2].info.as_mut().unwrap().priority = 100;
        assert_eq!(
            s.insts[s.select_slave(now).unwrap()].id,
            ProcId(3),
            "then the larger offset"
        );
        s.insts[1].info.as_mut().unwrap().offset = 900;
        s.insts[1].info.as_mut().unwrap().run_id = 1;
        assert_eq!(
            s.insts[s.select_slave(now).unwrap()].id,
            ProcId(1),
            "then the smaller run id"
        );
    }

    #[test]
    fn replica_selection_excludes_priority_zero_stale_and_long_disconnected() {
        let now = 100_000;
        let mut s = sentinel(10, 2);
        s.insts.push(replica(1, 0, 900, 1, now));
        let mut stale = replica(2, 100, 900, 1, now);
        stale.info_refresh = Some(now - INFO_PERIOD * 3 - 1);
        s.insts.push(stale);
        let mut cut_off = replica(3, 100, 900, 1, now);
        cut_off.info.as_mut().unwrap().link_down_ms = 5000 * 10 + 1;
        s.insts.push(cut_off);
        let mut silent = replica(4, 100, 900, 1, now);
        silent.last_avail_time = now - PING_PERIOD * 5 - 1;
        s.insts.push(silent);
        assert_eq!(s.select_slave(now), None);
        s.insts.push(replica(5, 100, 1, 1, now));
        assert_eq!(s.insts[s.select_slave(now).unwrap()].id, ProcId(5));
    }
}
