//! Shared storage that checks fencing tokens; the token here is the Sentinel config
//! epoch of the master that writes.

use super::msg::Msg;
use super::RCtx;
use crate::fencing::FencedStore;
use crate::ids::ProcId;
use crate::process::DataSet;
use crate::view::ProcView;

/// The storage.
#[derive(Clone, Debug, Default)]
pub struct Storage {
    store: FencedStore,
}

impl Storage {
    /// A storage that checks tokens, or one that takes every write.
    pub fn new(checks: bool) -> Self {
        Storage {
            store: FencedStore::new(checks),
        }
    }

    /// The values it holds.
    pub fn data(&self) -> &DataSet {
        self.store.data()
    }

    pub(super) fn on_msg(&mut self, from: ProcId, msg: Msg, ctx: &mut RCtx) {
        if let Msg::Store { op, token, value } = msg {
            let (accepted, newest) = self.store.write(from, token, value, ctx);
            ctx.send(
                from,
                Msg::StoreReply {
                    op,
                    accepted,
                    newest,
                },
            );
        }
    }

    pub(super) fn view(&self) -> ProcView {
        self.store.view()
    }
}
