//! Shared storage that checks fencing tokens (Kleppmann, "How to do distributed
//! locking"): it accepts a write only if its token is at least the newest it has seen.
//! Each system wraps it in its own process kind, with its own token (Sentinel's config
//! epoch, a Raft term).

use crate::ids::ProcId;
use crate::process::{Ctx, DataSet, Signal};
use crate::view::{ProcView, Role};

/// The storage's state.
#[derive(Clone, Debug, Default)]
pub struct FencedStore {
    newest: u64,
    data: DataSet,
    rejected: u64,
}

impl FencedStore {
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
        let accepted = token >= self.newest;
        if accepted {
            self.newest = token;
            self.data.insert(value);
            ctx.signal(Signal::FencingAccepted { token });
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
        ProcView::new(Role::Storage, "storage")
            .epoch(self.newest)
            .data(self.data.len())
            .num("newest token", self.newest)
            .num("rejected", self.rejected)
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
