//! Stable sorting through one shared copy of the standard library's sort.
//!
//! Each `sort_by` or `sort_by_key` with a closure of its own makes rustc emit another
//! copy of the standard sort (3 to 5 KB of wasm each; the page carried 26 of them).
//! These sort the positions `0..n` through one `dyn` comparison instead, then move the
//! elements into place: a little slower per comparison, so they serve the sorts that
//! are not on a simulation's hot path.

use std::cmp::Ordering;

/// Sorts `v` stably by `cmp`, as `v.sort_by(cmp)` would.
pub fn by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    let order = {
        let v = &*v;
        positions(v.len(), &mut |a, b| cmp(&v[a], &v[b]))
    };
    permute(v, order);
}

/// Sorts `v` stably by `key`, as `v.sort_by_key(key)` would.
pub fn by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    by(v, |a, b| key(a).cmp(&key(b)));
}

/// `0..n` sorted stably by `cmp`: the one copy of the standard sort.
#[inline(never)]
fn positions(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

/// Puts `v[order[i]]` at `i`, following each cycle of the permutation once.
fn permute<T>(v: &mut [T], mut order: Vec<usize>) {
    for i in 0..order.len() {
        let mut j = i;
        // A position is done once it holds what it should: mark it by pointing it at itself.
        while order[j] != j {
            let k = order[j];
            order[j] = j;
            if k == i {
                break;
            }
            v.swap(j, k);
            j = k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SimRng;

    #[test]
    fn sorts_as_the_standard_sort_does_ties_in_order() {
        let mut rng = SimRng::new(7);
        let mut runs = 0;
        for n in 0..200usize {
            let v: Vec<(u32, usize)> = (0..n).map(|i| ((rng.next_u64() % 8) as u32, i)).collect();
            let mut want = v.clone();
            want.sort_by_key(|x| x.0);
            let mut got = v.clone();
            by_key(&mut got, |x| x.0);
            assert_eq!(got, want, "n = {n}");
            let mut got = v;
            by(&mut got, |a, b| b.0.cmp(&a.0));
            want.sort_by_key(|x| std::cmp::Reverse(x.0));
            assert_eq!(got, want, "n = {n}, reversed");
            runs += 2;
        }
        println!("{runs} sorts compared with the standard sort");
    }
}
