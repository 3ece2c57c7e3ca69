//! One of RedLock's independent Redis masters, as far as the lock needs it: one key
//! set with `SET NX PX`, deleted by the release script, and expired by this server's
//! own clock. Redis keeps a key's expiry as an absolute time of its clock (`expire.c`)
//! and deletes it when that clock passes it (`keyIsExpired`: `now > when`), on access
//! or in the active expire cycle of `serverCron` (10 times a second at `hz 10`). A
//! clock that runs fast, or is stepped forward, expires the key early in real time.

use super::events::RedlockEvent;
use super::msg::Msg;
use super::{AppendFsync, RCtx, Timer};
use crate::ids::{Millis, ProcId};
use crate::view::{ProcView, Role};

/// `serverCron` at the default `hz 10`.
pub const CRON_MS: Millis = 100;

/// The lock key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockKey {
    /// Its value (the client's random value).
    pub value: u64,
    /// When it expires, by this server's clock.
    pub expire_at: i64,
    /// Its time to live when set.
    pub px: Millis,
    /// When it was set, in real time (for telling how early a clock expired it).
    pub set_at: Millis,
    /// The client that set it (what `CLIENT LIST` would show; for the drawing).
    pub owner: ProcId,
}

/// How the master persists its keys.
#[derive(Clone, Copy, Debug)]
pub struct MasterCfg {
    /// `appendonly yes`.
    pub appendonly: bool,
    /// `appendfsync`.
    pub appendfsync: AppendFsync,
    /// How long it stays down after a restart before it answers (the algorithm's
    /// advice: at least the longest TTL, so it cannot grant a lock it forgot).
    pub restart_delay: Millis,
}

/// A master.
#[derive(Clone, Debug)]
pub struct Master {
    cfg: MasterCfg,
    key: Option<LockKey>,
    /// What the append-only file holds on disk.
    synced: Option<LockKey>,
    last_fsync: Millis,
    /// It answers nothing before this (a delayed restart).
    down_until: Millis,
    now: Millis,
    clock: i64,
    granted: u64,
    refused: u64,
}

impl Master {
    /// A master that holds no key.
    pub fn new(cfg: MasterCfg) -> Self {
        Master {
            cfg,
            key: None,
            synced: None,
            last_fsync: 0,
            down_until: 0,
            now: 0,
            clock: 0,
            granted: 0,
            refused: 0,
        }
    }

    /// The lock key, if it has not expired by this server's clock at its last event.
    pub fn key(&self) -> Option<LockKey> {
        self.key
    }

    /// What survives a crash: the append-only file's content, if there is one.
    pub fn durable(&self) -> Option<LockKey> {
        if self.cfg.appendonly {
            self.synced
        } else {
            None
        }
    }

    pub(super) fn start(&mut self, ctx: &mut RCtx) {
        ctx.timer(CRON_MS, Timer::Cron);
    }

    pub(super) fn restart(&mut self, durable: Option<LockKey>, ctx: &mut RCtx) {
        self.key = durable;
        self.synced = durable;
        self.last_fsync = ctx.now;
        self.down_until = ctx.now + self.cfg.restart_delay;
        if self.cfg.restart_delay > 0 {
            ctx.event(RedlockEvent::RestartDelayed {
                ms: self.cfg.restart_delay,
            });
        }
        self.start(ctx);
    }

    /// Deletes the key if this server's clock has passed its expiry.
    fn expire(&mut self, ctx: &mut RCtx) {
        self.now = ctx.now;
        self.clock = ctx.clock;
        if let Some(k) = self.key.filter(|k| ctx.clock > k.expire_at) {
            self.key = None;
            let real_expiry = k.set_at + k.px;
            ctx.event(RedlockEvent::KeyExpired {
                owner: k.owner,
                early_ms: real_expiry.saturating_sub(ctx.now),
            });
            self.log_change(ctx);
        }
    }

    /// The append-only file takes a change at once with `appendfsync always`, at the
    /// next once-a-second fsync with `everysec`.
    fn log_change(&mut self, ctx: &RCtx) {
        if self.cfg.appendfsync == AppendFsync::Always {
            self.synced = self.key;
            self.last_fsync = ctx.now;
        }
    }

    pub(super) fn on_timer(&mut self, t: Timer, ctx: &mut RCtx) {
        if t != Timer::Cron {
            return;
        }
        self.expire(ctx);
        if ctx.now >= self.last_fsync + 1000 {
            self.synced = self.key;
            self.last_fsync = ctx.now;
        }
        ctx.timer(CRON_MS, Timer::Cron);
    }

    pub(super) fn on_msg(&mut self, from: ProcId, msg: Msg, ctx: &mut RCtx) {
        if ctx.now < self.down_until {
            // Still waiting out its restart delay: not listening yet.
            return;
        }
        self.expire(ctx);
        match msg {
            Msg::Set { req, value, px } => {
                let ok = self.key.is_none();
                if ok {
                    self.key = Some(LockKey {
                        value,
                        expire_at: ctx.clock + px as i64,
                        px,
                        set_at: ctx.now,
                        owner: from,
                    });
                    self.granted += 1;
                    self.log_change(ctx);
                } else {
                    self.refused += 1;
                }
                ctx.send(from, Msg::SetReply { req, ok });
            }
            Msg::Unlock { value } if self.key.is_some_and(|k| k.value == value) => {
                self.key = None;
                self.log_change(ctx);
            }
            _ => {}
        }
    }

    pub(super) fn view(&self) -> ProcView {
        // Drawn as an elector, not as a leader: each master grants its key to one
        // client, as a Sentinel gives its vote; the masters lead nothing.
        let mut v = ProcView::new(Role::Watcher, "master");
        if self.now < self.down_until {
            v = v.fact(
                "restart delay",
                format!("answers from {} ms", self.down_until),
            );
        }
        match self.key {
            Some(k) => {
                let left = (k.expire_at - self.clock).max(0) as Millis;
                v = v
                    .proc("lock key set by", k.owner)
                    .num("its value", k.value)
                    .gauge(
                        "lock key's time to live, by this server's clock",
                        left,
                        k.px,
                    );
            }
            None => v = v.fact("lock key", "none"),
        }
        v.clock(self.now, self.clock)
            .num("SET NX granted", self.granted)
            .num("SET NX refused", self.refused)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::testing::Harness;

    fn master() -> Master {
        Master::new(MasterCfg {
            appendonly: false,
            appendfsync: AppendFsync::Everysec,
            restart_delay: 0,
        })
    }

    fn set(m: &mut Master, h: &mut Harness<Msg, Timer>, from: u16, value: u64) -> bool {
        let sent = h.run(|ctx| {
            m.on_msg(
                ProcId(from),
                Msg::Set {
                    req: 1,
                    value,
                    px: 10_000,
                },
                ctx,
            )
        });
        matches!(sent[..], [(_, Msg::SetReply { ok: true, .. })])
    }

    #[test]
    fn set_nx_grants_the_key_to_one_client_until_it_expires_by_this_clock() {
        let mut m = master();
        let mut h = Harness::new(ProcId(0));
        assert!(set(&mut m, &mut h, 5, 111));
        assert!(!set(&mut m, &mut h, 6, 222), "NX: the key exists");
        // Redis expires a key once its clock is past the expiry (`now > when`).
        h.now = 10_000;
        assert!(
            !set(&mut m, &mut h, 6, 222),
            "not yet: 10,000 is not past 10,000"
        );
        h.now = 10_001;
        assert!(set(&mut m, &mut h, 6, 222));
    }

    #[test]
    fn a_release_deletes_only_the_clients_own_value() {
        let mut m = master();
        let mut h = Harness::new(ProcId(0));
        assert!(set(&mut m, &mut h, 5, 111));
        h.run(|ctx| m.on_msg(ProcId(6), Msg::Unlock { value: 222 }, ctx));
        assert_eq!(
            m.key().map(|k| k.value),
            Some(111),
            "another value leaves it"
        );
        h.run(|ctx| m.on_msg(ProcId(5), Msg::Unlock { value: 111 }, ctx));
        assert_eq!(m.key(), None);
    }
}
