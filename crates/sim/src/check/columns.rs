//! A history in columns: what the lab's worker hands the page after reading a history
//! file, as typed arrays that cross between threads as one copy each (no text to parse
//! again on the page's side, and no parser in the page's wasm).

use super::{Call, Operation, Status};

/// A history as columns, one entry per operation, with its text in two tables.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Columns {
    /// The processes' names.
    pub processes: Vec<String>,
    /// The keys.
    pub keys: Vec<String>,
    /// Each operation's process (an index into `processes`).
    pub process: Vec<u32>,
    /// Each operation's key (an index into `keys`).
    pub key: Vec<u32>,
    /// Each operation's call (0 read, 1 write, 2 compare-and-set), plus its status
    /// times 4 (0 ok, 1 fail, 2 unknown), plus 16 when a read returned a value, plus
    /// 32 when it completed.
    pub kind: Vec<u8>,
    /// The value written, compared, or read.
    pub a: Vec<u64>,
    /// The value a compare-and-set sets.
    pub b: Vec<u64>,
    /// When each was invoked.
    pub invoke: Vec<i64>,
    /// When each completed (meaningless unless flagged).
    pub complete: Vec<i64>,
}

impl Columns {
    /// A history in columns.
    pub fn from_ops(ops: &[Operation]) -> Columns {
        let mut c = Columns::default();
        let mut procs: std::collections::HashMap<&str, u32> = Default::default();
        let mut keys: std::collections::HashMap<&str, u32> = Default::default();
        for op in ops {
            let n = procs.len() as u32;
            let p = *procs.entry(op.process.as_str()).or_insert_with(|| {
                c.processes.push(op.process.clone());
                n
            });
            let n = keys.len() as u32;
            let k = *keys.entry(op.key.as_str()).or_insert_with(|| {
                c.keys.push(op.key.clone());
                n
            });
            let (call, a, b) = match op.call {
                Call::Read => (0, op.read.unwrap_or(0), 0),
                Call::Write { value } => (1, value, 0),
                Call::Cas { from, to } => (2, from, to),
            };
            let status = match op.status {
                Status::Ok => 0,
                Status::Fail => 1,
                Status::Info => 2,
            };
            c.process.push(p);
            c.key.push(k);
            c.kind.push(
                call | status << 2
                    | u8::from(op.read.is_some()) << 4
                    | u8::from(op.complete.is_some()) << 5,
            );
            c.a.push(a);
            c.b.push(b);
            c.invoke.push(op.invoke);
            c.complete.push(op.complete.unwrap_or(0));
        }
        c
    }

    /// The operations again; None when the columns disagree with each other.
    pub fn into_ops(self) -> Option<Vec<Operation>> {
        let n = self.kind.len();
        let lengths = [
            self.process.len(),
            self.key.len(),
            self.a.len(),
            self.b.len(),
            self.invoke.len(),
            self.complete.len(),
        ];
        if lengths.iter().any(|l| *l != n) {
            return None;
        }
        (0..n)
            .map(|i| {
                let kind = self.kind[i];
                let (a, b) = (self.a[i], self.b[i]);
                let call = match kind & 3 {
                    0 => Call::Read,
                    1 => Call::Write { value: a },
                    2 => Call::Cas { from: a, to: b },
                    _ => return None,
                };
                Some(Operation {
                    process: self.processes.get(self.process[i] as usize)?.clone(),
                    key: self.keys.get(self.key[i] as usize)?.clone(),
                    read: (call == Call::Read && kind & 16 != 0).then_some(a),
                    call,
                    invoke: self.invoke[i],
                    complete: (kind & 32 != 0).then_some(self.complete[i]),
                    status: match (kind >> 2) & 3 {
                        0 => Status::Ok,
                        1 => Status::Fail,
                        _ => Status::Info,
                    },
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_history_in_columns_comes_back_the_same() {
        let mut ops = crate::check::bench_history(2000, 7, 5, 11);
        ops[3].status = Status::Fail;
        ops[4].read = None;
        ops[4].call = Call::Read;
        assert!(ops.iter().any(|o| o.complete.is_none()));
        let c = Columns::from_ops(&ops);
        assert_eq!((c.processes.len(), c.keys.len()), (5, 7));
        assert_eq!(c.into_ops().unwrap(), ops);
        let mut broken = Columns::from_ops(&ops);
        broken.key.pop();
        assert_eq!(broken.into_ops(), None, "columns of different lengths");
    }
}
