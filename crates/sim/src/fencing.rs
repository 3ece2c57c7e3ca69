//! Shared storage that checks fencing tokens (Kleppmann, "How to do distributed
//! locking"): it accepts a write only if its token is at least the newest it has seen.
//! Each system wraps it in its own process kind, with its own token (Sentinel's config
//! epoch, a Raft term).

use crate::ids::ProcId;
use crate::process::{Ctx, DataSet, Signal};
use crate::view::{ProcView, Role};

/// The storage's state.
#[derive(Clone, Debug)]
pub struct FencedStore {
    newest: u64,
    data: DataSet,
    rejected: u64,
    /// Whether it checks tokens (off: it accepts every write, and only remembers the
    /// newest token it saw).
    checks: bool,
}

impl Default for FencedStore {
    fn default() -> Self {
        FencedStore::new(true)
    }
}

impl FencedStore {
    /// A storage that checks tokens, or one that does not.
    pub fn new(checks: bool) -> Self {
        FencedStore {
            newest: 0,
            data: DataSet::new(),
            rejected: 0,
            checks,
        }
    }

    /// The values it holds.
    pub fn data(&self) -> &DataSet {
        &self.data
    }

    /// A write of `value` with `token` from `from`: applied if the token is not stale.
    /// Returns whether it was accepted, and the newest token seen after it.
    pub fn write<M, T>(
        &mut self,
        from: ProcId,
        token: u64,
        value: u64,
        ctx: &mut Ctx<M, T>,
    ) -> (bool, u64) {
        let accepted = !self.checks || token >= self.newest;
        if accepted {
            self.newest = self.newest.max(token);
            self.data.insert(value);
            ctx.signal(Signal::FencingAccepted { token, value });
        } else {
            self.rejected += 1;
            let newest = self.newest;
            ctx.signal(Signal::FencingRejected { token, newest });
            ctx.note(move || {
                format!("rejected a write from {from} with token {token}: newest seen is {newest}")
            });
        }
        (accepted, self.newest)
    }

    /// What the UI shows.
    pub fn view(&self) -> ProcView {
        let v = ProcView::new(Role::Storage, "storage")
            .data(self.data.len())
            .num("newest token", self.newest);
        if self.checks {
            // The token it checks against is drawn beside its name, as an epoch is.
            v.epoch(self.newest).num("rejected", self.rejected)
        } else {
            v.fact("fencing", "off: accepts every write")
        }
    }
}

/// Fencing needs a storage process to check the tokens.
pub fn check(fencing: bool, storage: Option<ProcId>) -> Result<(), crate::ScenarioError> {
    if fencing && storage.is_none() {
        return Err(crate::ScenarioError::new(
            "settings.fencing",
            "fencing needs a process of kind `storage` to check the tokens",
        ));
    }
    Ok(())
}

/// The lock workload writes under the lock to a storage process.
pub fn check_lock_storage(
    locks: bool,
    storage: Option<ProcId>,
) -> Result<(), crate::ScenarioError> {
    if locks && storage.is_none() {
        return Err(crate::ScenarioError::new(
            "settings.client.workload",
            "the lock workload writes to a shared storage: add a process of kind `storage`",
        ));
    }
    Ok(())
}
