//! A split-brain monitor as operators script it: every second, ask each Sentinel it
//! can reach which process is the master, and alert when the answers disagree. It runs
//! on a box like everything else, so a partition can blind it.

use super::events::RedisEvent;
use super::msg::Msg;
use super::{RCtx, Timer};
use crate::ids::{Millis, ProcId};
use crate::view::{ProcView, Role};

/// How often the monitor asks.
pub const ROUND_MS: Millis = 1000;

/// The monitor.
#[derive(Clone, Debug)]
pub struct Monitor {
    sentinels: Vec<ProcId>,
    round: u64,
    answers: Vec<ProcId>,
    alerting: bool,
    alerts: u64,
    last_named: Vec<ProcId>,
}

impl Monitor {
    /// A monitor that asks these Sentinels.
    pub fn new(sentinels: Vec<ProcId>) -> Self {
        Monitor {
            sentinels,
            round: 0,
            answers: Vec::new(),
            alerting: false,
            alerts: 0,
            last_named: Vec::new(),
        }
    }

    pub(super) fn start(&mut self, ctx: &mut RCtx) {
        ctx.timer(ROUND_MS, Timer::Tick);
    }

    pub(super) fn on_timer(&mut self, t: Timer, ctx: &mut RCtx) {
        if t != Timer::Tick {
            return;
        }
        // Judge the round that just ended, then start the next.
        let mut named = std::mem::take(&mut self.answers);
        crate::sort::by(&mut named, Ord::cmp);
        named.dedup();
        if named.len() > 1 && !self.alerting {
            self.alerting = true;
            self.alerts += 1;
            ctx.event(RedisEvent::MonitorAlert {
                named: named.clone(),
            });
        } else if named.len() <= 1 {
            self.alerting = false;
        }
        self.last_named = named;
        self.round += 1;
        for &s in &self.sentinels {
            ctx.send(s, Msg::GetMaster { req: self.round });
        }
        ctx.timer(ROUND_MS, Timer::Tick);
    }

    pub(super) fn on_msg(&mut self, msg: Msg) {
        if let Msg::MasterIs { req, master, .. } = msg {
            if req == self.round {
                self.answers.push(master);
            }
        }
    }

    pub(super) fn view(&self) -> ProcView {
        let named: Vec<String> = self.last_named.iter().map(|p| p.to_string()).collect();
        ProcView::new(Role::Monitor, "monitor")
            .leader((self.last_named.len() == 1).then(|| self.last_named[0]))
            .fact(
                "masters named",
                if named.is_empty() {
                    "none reachable".into()
                } else {
                    named.join(", ")
                },
            )
            .num("alerts", self.alerts)
    }
}
