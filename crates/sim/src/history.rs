//! The history of client operations, in the style of Jepsen: who invoked what,
//! when, and how it ended.

use serde::{Deserialize, Serialize};

use crate::ids::{Millis, ProcId};

/// A client operation, unique within a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OpId(pub u64);

/// Read or write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    /// Adds a unique element (set workload) or sets the register.
    Write,
    /// Reads the register.
    Read,
}

/// How an operation ended, as the client saw it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", content = "reason", rename_all = "snake_case")]
pub enum OpResult {
    /// Acknowledged.
    Ok,
    /// Definitely refused, with the server's reason (`NOREPLICAS`, `READONLY`, ...).
    Error(String),
    /// No definite answer (timeout, WAIT short of its replicas): it may or may not have taken effect.
    Unknown(String),
}

/// One operation in the history.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Op {
    /// Its id.
    pub id: OpId,
    /// The client that ran it.
    pub process: ProcId,
    /// Read or write.
    pub kind: OpKind,
    /// Key touched.
    pub key: u32,
    /// The value written (0 for reads).
    pub value: u64,
    /// When it was invoked.
    pub invoke_ms: Millis,
    /// When it completed (None while in flight).
    pub complete_ms: Option<Millis>,
    /// How it ended (None while in flight).
    pub result: Option<OpResult>,
    /// What a read returned.
    pub read: Option<u64>,
}

/// All operations of a run, in invocation order.
#[derive(Clone, Debug, Default, Serialize)]
pub struct History {
    /// The operations.
    pub ops: Vec<Op>,
}

impl History {
    /// The history the client signals of a run record.
    pub fn from_signals<'a>(
        signals: impl IntoIterator<Item = &'a crate::engine::SignalRecord>,
    ) -> History {
        use crate::process::Signal;
        let mut h = History::default();
        for r in signals {
            match &r.signal {
                Signal::OpInvoke {
                    op,
                    kind,
                    key,
                    value,
                } => h.invoke(*op, r.proc, *kind, *key, *value, r.time_ms),
                Signal::OpComplete { op, result, read } => {
                    h.complete(*op, result.clone(), *read, r.time_ms)
                }
                _ => {}
            }
        }
        h
    }

    /// Records an invocation.
    pub fn invoke(
        &mut self,
        id: OpId,
        process: ProcId,
        kind: OpKind,
        key: u32,
        value: u64,
        at: Millis,
    ) {
        self.ops.push(Op {
            id,
            process,
            kind,
            key,
            value,
            invoke_ms: at,
            complete_ms: None,
            result: None,
            read: None,
        });
    }

    /// Records a completion; operations complete in roughly invocation order, so
    /// search from the end.
    pub fn complete(&mut self, id: OpId, result: OpResult, read: Option<u64>, at: Millis) {
        if let Some(op) = self.ops.iter_mut().rev().find(|o| o.id == id) {
            if op.result.is_none() {
                op.complete_ms = Some(at);
                op.result = Some(result);
                op.read = read;
            }
        }
    }
}
