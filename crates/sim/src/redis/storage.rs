//! Shared storage that checks fencing tokens (Kleppmann, "How to do distributed
//! locking"): it accepts a write only if its token is at least the newest it has seen.
//! The token here is the Sentinel config epoch of the master that writes.

use super::msg::Msg;
use super::RCtx;
use crate::ids::ProcId;
use crate::process::{DataSet, Signal};
use crate::view::{ProcView, Role};

/// The storage.
#[derive(Clone, Debug, Default)]
pub struct Storage {
    newest: u64,
    data: DataSet,
    rejected: u64,
}

impl Storage {
    /// The values it holds.
    pub fn data(&self) -> &DataSet {
        &self.data
    }

    pub(super) fn on_msg(&mut self, from: ProcId, msg: Msg, ctx: &mut RCtx) {
        if let Msg::Store { op, token, value } = msg {
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
                    format!(
                        "rejected a write from {} with token {token}: newest seen is {newest}",
                        from
                    )
                });
            }
            ctx.send(
                from,
                Msg::StoreReply {
                    op,
                    accepted,
                    newest: self.newest,
                },
            );
        }
    }

    pub(super) fn view(&self) -> ProcView {
        ProcView {
            role: Role::Storage,
            role_label: "storage".into(),
            epoch: Some(self.newest),
            offset: None,
            believes_primary: None,
            writable: false,
            writes_accepted: 0,
            data_len: self.data.len(),
            facts: vec![
                ("newest token".into(), self.newest.to_string()),
                ("rejected".into(), self.rejected.to_string()),
            ],
        }
    }
}
