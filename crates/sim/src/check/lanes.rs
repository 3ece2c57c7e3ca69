//! A history laid out for drawing, as Jepsen's and Porcupine's timelines draw one: a
//! lane per process, each operation a bar from its invocation to its completion. The
//! page's history view draws only what a window of time shows, so a lane answers
//! "which operations overlap [t0, t1]" with two binary searches however long the
//! history is (100,000 operations draw as fast as 100).

use std::cmp::Ordering;

use super::{Operation, Status};

/// The lanes of a history (or of one key's operations).
#[derive(Clone, Debug, PartialEq)]
pub struct Lanes {
    /// The processes, one lane each, in natural order ("C2" before "C10").
    pub names: Vec<String>,
    /// Each lane's operations (indexes into the history), by invocation.
    pub lanes: Vec<Vec<usize>>,
    /// Each lane's running maximum of drawn ends, for the binary search.
    reach: Vec<Vec<i64>>,
    /// Every operation laid out, by invocation across the lanes (for stepping
    /// through them one by one).
    order: Vec<usize>,
    /// Each lane's invocations, in its order.
    invokes: Vec<Vec<i64>>,
    /// Where each operation's bar starts and ends (by history index; 0 for those left
    /// out).
    invoke: Vec<i64>,
    ends: Vec<i64>,
    /// The first invocation.
    pub start: i64,
    /// The last completion (or invocation).
    pub end: i64,
}

/// Compares text with its runs of digits as numbers, so "C2" < "C10".
pub fn natural(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        match (a.chars().next(), b.chars().next()) {
            (None, None) => return Ordering::Equal,
            (None, _) => return Ordering::Less,
            (_, None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let da = a.len() - a.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                let db = b.len() - b.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                let (na, nb) = (
                    a[..da].trim_start_matches('0'),
                    b[..db].trim_start_matches('0'),
                );
                let o = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
                if o != Ordering::Equal {
                    return o;
                }
                (a, b) = (&a[da..], &b[db..]);
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(&y);
                }
                (a, b) = (&a[x.len_utf8()..], &b[y.len_utf8()..]);
            }
        }
    }
}

/// The keys of a history with how many operations each has, in natural order.
pub fn keys(ops: &[Operation]) -> Vec<(String, usize)> {
    let mut count: std::collections::HashMap<&str, usize> = Default::default();
    for op in ops {
        *count.entry(op.key.as_str()).or_default() += 1;
    }
    let mut out: Vec<(String, usize)> = count.into_iter().map(|(k, n)| (k.into(), n)).collect();
    crate::sort::by(&mut out, |a, b| natural(&a.0, &b.0));
    out
}

impl Lanes {
    /// Lays out `ops`, or only those of `key`. An operation that never answered is
    /// drawn until its process's next invocation, or to the end of the history.
    pub fn new(ops: &[Operation], key: Option<&str>) -> Lanes {
        let mut by_name: std::collections::HashMap<&str, usize> = Default::default();
        let mut names: Vec<&str> = Vec::new();
        let mut lanes: Vec<Vec<usize>> = Vec::new();
        let (mut start, mut end) = (i64::MAX, i64::MIN);
        for (i, op) in ops.iter().enumerate() {
            if key.is_some_and(|k| k != op.key) {
                continue;
            }
            let lane = *by_name.entry(op.process.as_str()).or_insert_with(|| {
                names.push(op.process.as_str());
                lanes.push(Vec::new());
                names.len() - 1
            });
            lanes[lane].push(i);
            start = start.min(op.invoke);
            end = end.max(op.complete.unwrap_or(op.invoke));
        }
        if start > end {
            (start, end) = (0, 0);
        }
        let mut order: Vec<usize> = (0..names.len()).collect();
        crate::sort::by(&mut order, |a, b| natural(names[*a], names[*b]));
        let mut ends = vec![0; ops.len()];
        let invoke: Vec<i64> = ops.iter().map(|o| o.invoke).collect();
        let mut invokes = Vec::with_capacity(order.len());
        let mut reach = Vec::with_capacity(order.len());
        let mut sorted = Vec::with_capacity(order.len());
        for &l in &order {
            let mut lane = std::mem::take(&mut lanes[l]);
            super::by_invoke(&mut lane, ops);
            for (k, &i) in lane.iter().enumerate() {
                let op = &ops[i];
                ends[i] = match op.complete {
                    Some(c) => c,
                    None if op.status == Status::Fail => op.invoke,
                    None => lane
                        .get(k + 1)
                        .map_or(end, |&j| ops[j].invoke.max(op.invoke)),
                };
            }
            let mut most = i64::MIN;
            reach.push(
                lane.iter()
                    .map(|&i| {
                        most = most.max(ends[i]);
                        most
                    })
                    .collect(),
            );
            invokes.push(lane.iter().map(|&i| ops[i].invoke).collect());
            sorted.push(lane);
        }
        let mut by_time: Vec<usize> = sorted.iter().flatten().copied().collect();
        super::by_invoke(&mut by_time, ops);
        Lanes {
            order: by_time,
            names: order.iter().map(|&l| names[l].to_string()).collect(),
            lanes: sorted,
            reach,
            invokes,
            invoke,
            ends,
            start,
            end,
        }
    }

    /// Every operation laid out, by invocation across the lanes.
    pub fn by_time(&self) -> &[usize] {
        &self.order
    }

    /// The operation after `from` in time (or before it, going back); from nowhere,
    /// the first one invoked at or after `t` (or the last before it).
    pub fn step(&self, from: Option<usize>, t: i64, forward: bool) -> Option<usize> {
        let o = &self.order;
        let at = match from.and_then(|p| o.iter().position(|&i| i == p)) {
            Some(k) if forward => k + 1,
            Some(k) => k.checked_sub(1)?,
            None => {
                let k = o.partition_point(|&i| self.invoke[i] < t);
                if forward {
                    k
                } else {
                    k.checked_sub(1)?
                }
            }
        };
        o.get(at).copied()
    }

    /// Where operation `i`'s bar ends.
    pub fn drawn_end(&self, i: usize) -> i64 {
        self.ends[i]
    }

    /// The operations of lane `lane` that may overlap [t0, t1]: every one that does,
    /// and (where a long bar hides shorter ones) a few that do not, which drawing
    /// skips at no cost.
    pub fn visible(&self, lane: usize, t0: i64, t1: i64) -> &[usize] {
        let (ops, reach, invokes) = (&self.lanes[lane], &self.reach[lane], &self.invokes[lane]);
        let from = reach.partition_point(|&r| r < t0);
        let to = from + invokes[from..].partition_point(|&t| t <= t1);
        &ops[from..to]
    }

    /// The operation of lane `lane` under time `t`, within `slack` either side (the
    /// nearest when several are): what a pointer or a finger points at.
    pub fn at(&self, lane: usize, t: i64, slack: i64) -> Option<usize> {
        self.visible(lane, t - slack, t + slack)
            .iter()
            .copied()
            .filter(|&i| self.ends[i] >= t - slack)
            .min_by_key(|&i| {
                let (a, b) = (self.invoke[i], self.ends[i]);
                if (a..=b).contains(&t) {
                    0
                } else {
                    (a - t).abs().min((b - t).abs())
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{bench_history, Call};

    fn op(process: &str, key: &str, invoke: i64, complete: Option<i64>) -> Operation {
        Operation {
            process: process.into(),
            key: key.into(),
            call: Call::Write { value: 1 },
            read: None,
            invoke,
            complete,
            status: if complete.is_some() {
                Status::Ok
            } else {
                Status::Info
            },
        }
    }

    #[test]
    fn names_sort_as_people_count() {
        let mut v = vec!["C10", "C2", "n1", "C1", "C02x", "the final read"];
        v.sort_by(|a, b| natural(a, b));
        assert_eq!(v, ["C1", "C2", "C02x", "C10", "n1", "the final read"]);
    }

    #[test]
    fn an_unanswered_operation_is_drawn_until_its_process_goes_on() {
        let ops = [
            op("C1", "a", 0, Some(5)),
            op("C1", "a", 10, None),
            op("C1", "b", 30, Some(40)),
            op("C2", "a", 20, None),
        ];
        let l = Lanes::new(&ops, None);
        assert_eq!(l.names, ["C1", "C2"]);
        assert_eq!((l.start, l.end), (0, 40));
        assert_eq!(l.drawn_end(1), 30, "until C1's next invocation");
        assert_eq!(l.drawn_end(3), 40, "to the end of the history");
        let a = Lanes::new(&ops, Some("a"));
        assert_eq!(a.lanes, [vec![0, 1], vec![3]]);
        assert_eq!(a.drawn_end(1), 20, "to the end of key a's history");
        assert_eq!(l.at(0, 12, 0), Some(1));
        assert_eq!(l.at(0, 7, 1), None);
        assert_eq!(l.at(0, 7, 3), Some(0), "the nearest within the slack");
        assert_eq!(keys(&ops), [("a".to_string(), 3), ("b".to_string(), 1)]);
        // Stepping goes by invocation across the lanes: 0, 1, 3 (C2 at 20), 2.
        assert_eq!(l.by_time(), [0, 1, 3, 2]);
        assert_eq!(l.step(None, 12, true), Some(3));
        assert_eq!(l.step(None, 12, false), Some(1));
        assert_eq!(l.step(Some(3), 0, true), Some(2));
        assert_eq!(l.step(Some(2), 0, true), None, "nothing after the last");
        assert_eq!(l.step(Some(0), 0, false), None, "nothing before the first");
    }

    /// `visible` against a plain filter, over windows of every size, on histories
    /// with overlapping operations in one lane and operations that never answered.
    #[test]
    fn the_visible_operations_are_those_a_window_overlaps() {
        let mut windows = 0;
        for seed in 0..20 {
            let ops = bench_history(400, 3, 4, seed);
            let l = Lanes::new(&ops, None);
            let span = l.end - l.start;
            for k in 0..50 {
                let t0 = l.start - 5 + (span + 10) * k / 50;
                for w in [0, 1, span / 100, span / 10, span] {
                    let t1 = t0 + w;
                    for lane in 0..l.lanes.len() {
                        let got: Vec<usize> = l
                            .visible(lane, t0, t1)
                            .iter()
                            .copied()
                            .filter(|&i| l.drawn_end(i) >= t0)
                            .collect();
                        let want: Vec<usize> = l.lanes[lane]
                            .iter()
                            .copied()
                            .filter(|&i| ops[i].invoke <= t1 && l.drawn_end(i) >= t0)
                            .collect();
                        assert_eq!(got, want, "seed {seed}, window {t0}..{t1}");
                        windows += 1;
                    }
                }
            }
        }
        println!("{windows} windows checked against a plain filter");
    }
}
