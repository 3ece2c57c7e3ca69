//! A client updating the document by read-modify-write: it reads the document, takes
//! a while to compute its change (adding one item of its own), and writes the whole
//! document back. With a version check it reads again just before writing, as the
//! seed's `ConflictAwareStore.save` does, and merges if the document changed.

use super::events::LwwEvent;
use super::msg::{Cell, Msg, Status};
use super::{Concurrency, Consistency, LCtx, Timer, DOC};
use crate::history::{OpId, OpKind, OpResult};
use crate::ids::{Millis, ProcId};
use crate::process::Signal;
use crate::view::{ProcView, Role};

/// A client's fixed settings.
#[derive(Clone, Debug)]
pub struct ClientCfg {
    /// Its index among clients (makes items unique).
    pub index: u32,
    /// The node it sends its requests to.
    pub coordinator: ProcId,
    /// Its writes' consistency level.
    pub write: Consistency,
    /// Its reads' consistency level.
    pub read: Consistency,
    /// How it guards the read-modify-write.
    pub concurrency: Concurrency,
    /// How long it computes between reading and writing.
    pub work: Millis,
    /// How long it waits between updates.
    pub think: Millis,
    /// The driver's request timeout.
    pub timeout: Millis,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Idle,
    /// Reading the document to change it.
    Reading {
        req: u64,
        op: OpId,
    },
    /// Computing the change.
    Working,
    /// Reading it again to check its version.
    Checking {
        req: u64,
        op: OpId,
    },
    /// Writing it back.
    Writing {
        req: u64,
        op: OpId,
    },
}

/// One client.
#[derive(Clone, Debug)]
pub struct Client {
    cfg: ClientCfg,
    phase: Phase,
    req: u64,
    seq: u64,
    updates: u64,
    /// The version its change is made on (None: there was no document yet).
    base: Option<Cell>,
    acked: u64,
    conflicts: u64,
}

/// The seed's check, `existing.version > doc.version`: the stored version is newer
/// than the one the change was made on (a document that appeared since counts).
pub fn conflicts(base: Option<&Cell>, stored: Option<&Cell>) -> bool {
    match (base, stored) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(b), Some(s)) => s.ts > b.ts,
    }
}

impl Client {
    /// A client with these settings.
    pub fn new(cfg: ClientCfg) -> Self {
        Client {
            cfg,
            phase: Phase::Idle,
            req: 0,
            seq: 0,
            updates: 0,
            base: None,
            acked: 0,
            conflicts: 0,
        }
    }

    pub(super) fn start(&mut self, ctx: &mut LCtx) {
        let offset = ctx.rng().below(self.cfg.think.max(1));
        ctx.timer(offset.max(1), Timer::Next);
    }

    pub(super) fn restart(&mut self, ctx: &mut LCtx) {
        self.phase = Phase::Idle;
        self.base = None;
        self.start(ctx);
    }

    fn next_op(&mut self) -> OpId {
        self.seq += 1;
        OpId::of(self.cfg.index, self.seq)
    }

    fn read(&mut self, check: bool, ctx: &mut LCtx) {
        let op = self.next_op();
        ctx.signal(Signal::OpInvoke {
            op,
            kind: OpKind::Read,
            key: DOC,
            value: 0,
        });
        self.req += 1;
        let req = self.req;
        self.phase = if check {
            Phase::Checking { req, op }
        } else {
            Phase::Reading { req, op }
        };
        ctx.send(
            self.cfg.coordinator,
            Msg::Read {
                req,
                cl: self.cfg.read,
            },
        );
        ctx.timer(self.cfg.timeout, Timer::Request(req));
    }

    fn write(&mut self, ctx: &mut LCtx) {
        let op = self.next_op();
        let mut items = self
            .base
            .as_ref()
            .map(|c| c.items.clone())
            .unwrap_or_default();
        items.insert(op.0);
        ctx.signal(Signal::OpInvoke {
            op,
            kind: OpKind::Write,
            key: DOC,
            value: op.0,
        });
        self.req += 1;
        let req = self.req;
        self.phase = Phase::Writing { req, op };
        ctx.send(
            self.cfg.coordinator,
            Msg::Write {
                req,
                op: op.0,
                items,
                cl: self.cfg.write,
            },
        );
        ctx.timer(self.cfg.timeout, Timer::Request(req));
    }

    fn idle(&mut self, ctx: &mut LCtx) {
        self.phase = Phase::Idle;
        // People and jobs do not keep a metronome's time: between half and one and a
        // half times the think time, so that two clients drift in and out of step.
        let think = self.cfg.think.max(1);
        let wait = think / 2 + ctx.rng().below(think + 1);
        ctx.timer(wait.max(1), Timer::Next);
    }

    fn result(status: Status, what: &str) -> OpResult {
        match status {
            Status::Ok => OpResult::Ok,
            Status::Timeout { .. } => OpResult::Unknown(format!("{what}Timeout")),
            Status::Unavailable { .. } => OpResult::Error("Unavailable".into()),
        }
    }

    pub(super) fn on_msg(&mut self, msg: Msg, ctx: &mut LCtx) {
        match (msg, self.phase) {
            (
                Msg::ReadReply { req, status, cell },
                Phase::Reading { req: r, op } | Phase::Checking { req: r, op },
            ) if req == r => {
                let checking = matches!(self.phase, Phase::Checking { .. });
                ctx.signal(Signal::OpComplete {
                    op,
                    result: Self::result(status, "Read"),
                    read: (status == Status::Ok).then(|| cell.as_ref().map_or(0, |c| c.op)),
                });
                if status != Status::Ok {
                    self.idle(ctx);
                } else if !checking {
                    self.base = cell;
                    self.updates += 1;
                    self.phase = Phase::Working;
                    ctx.timer(self.cfg.work, Timer::Work(self.updates));
                } else {
                    if conflicts(self.base.as_ref(), cell.as_ref()) {
                        let stored = cell.expect("a conflict has a stored version");
                        self.conflicts += 1;
                        ctx.event(LwwEvent::ConflictDetected {
                            read_ts: self.base.as_ref().map_or(0, |b| b.ts),
                            stored_ts: stored.ts,
                        });
                        // `{...currentData, ...yourData}`: the stored document with
                        // this client's change laid over it.
                        let mut merged = stored.clone();
                        if let Some(b) = &self.base {
                            merged.items = b.items.clone().union(stored.items);
                        }
                        self.base = Some(merged);
                    }
                    self.write(ctx);
                }
            }
            (Msg::WriteReply { req, status }, Phase::Writing { req: r, op }) if req == r => {
                if status == Status::Ok {
                    self.acked += 1;
                }
                ctx.signal(Signal::OpComplete {
                    op,
                    result: Self::result(status, "Write"),
                    read: None,
                });
                self.idle(ctx);
            }
            _ => {}
        }
    }

    pub(super) fn on_timer(&mut self, t: Timer, ctx: &mut LCtx) {
        match (t, self.phase) {
            (Timer::Next, Phase::Idle) => self.read(false, ctx),
            (Timer::Work(n), Phase::Working) if n == self.updates => match self.cfg.concurrency {
                Concurrency::None => self.write(ctx),
                Concurrency::VersionCheck => self.read(true, ctx),
            },
            (
                Timer::Request(req),
                Phase::Reading { req: r, op }
                | Phase::Checking { req: r, op }
                | Phase::Writing { req: r, op },
            ) if req == r => {
                ctx.signal(Signal::OpComplete {
                    op,
                    result: OpResult::Unknown("client timeout".into()),
                    read: None,
                });
                self.idle(ctx);
            }
            _ => {}
        }
    }

    pub(super) fn view(&self) -> ProcView {
        let v = ProcView::new(Role::Client, "client").proc("coordinator", self.cfg.coordinator);
        let v = match self.phase {
            Phase::Idle => v.fact("doing", "waiting"),
            Phase::Reading { .. } => v.fact(
                "doing",
                format!("reading the document at {}", self.cfg.read.name()),
            ),
            Phase::Working => v.fact(
                "doing",
                match &self.base {
                    Some(c) => format!("changing the version of timestamp {}", c.ts),
                    None => "creating the document".into(),
                },
            ),
            Phase::Checking { .. } => v.fact("doing", "checking the version before writing"),
            Phase::Writing { .. } => {
                v.fact("doing", format!("writing at {}", self.cfg.write.name()))
            }
        };
        let v = v.num("updates acknowledged", self.acked);
        if self.cfg.concurrency == Concurrency::VersionCheck {
            v.num("conflicts detected", self.conflicts)
        } else {
            v
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::DataSet;

    fn cell(ts: i64) -> Cell {
        Cell {
            ts,
            items: DataSet::new(),
            op: 1,
        }
    }

    #[test]
    fn the_version_check_is_the_seeds_newer_than_what_was_read() {
        assert!(!conflicts(Some(&cell(5)), Some(&cell(5))), "unchanged");
        assert!(conflicts(Some(&cell(5)), Some(&cell(6))), "written since");
        assert!(conflicts(None, Some(&cell(1))), "created since");
        assert!(!conflicts(None, None));
        // A stored version stamped by a clock behind looks older: no conflict seen.
        assert!(!conflicts(Some(&cell(5)), Some(&cell(4))));
    }
}
