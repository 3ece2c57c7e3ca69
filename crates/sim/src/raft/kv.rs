//! etcd's key-value store and lessor, as far as a user of etcd (Patroni) needs them:
//! keys with a value, a lease and revisions (`mvcc`), transactions that compare before
//! they put (`Txn`), leases with a TTL kept alive by the leader alone (`lease/lessor.go`)
//! and watches on a key.
//!
//! Rules from etcd v3.4.23:
//! - Grants, puts, deletes and revokes go through Raft, so every member applies them in
//!   the same order; a lease's *expiry* is the leader's alone: `LeaseKeepAlive` is served
//!   by the leader (`etcdserver/v3_server.go` `LeaseRenew` forwards to it), followers'
//!   lessors are demoted and never expire anything.
//! - A member that becomes leader promotes its lessor: every lease is extended to
//!   now + TTL + an election timeout (`lessor.Promote(s.Cfg.electionTimeout())` in
//!   `etcdserver/server.go`), so a lease outlives a change of etcd leader.
//! - The leader looks for expired leases every 500 ms (`revokeExpiredLeases`) and
//!   proposes their revocation; the revocation deletes the keys attached to them.
//! - A keep-alive of an expired lease that is still being revoked answers "not found"
//!   (`lessor.Renew` waits for the revocation).
//! - A serializable range is answered from the member's own applied state, whatever it
//!   is: a member cut off in a minority still answers, with what it last applied.

use std::collections::BTreeMap;

use crate::ids::{Millis, ProcId};
use crate::trace::Fnv;

/// A key. Users of the model name their keys with constants (`/service/demo/leader`).
pub type Key = &'static str;

/// How often the leader's lessor looks for expired leases (`revokeExpiredLeases`).
pub const REVOKE_CHECK_MS: Millis = 500;

/// What a transaction compares before it puts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compare {
    /// Nothing: an unconditional put.
    Any,
    /// `create_revision == 0`: the key does not exist.
    Absent,
    /// The key's value is this, or the key does not exist (Patroni 3.0.3's
    /// `update_leader`: `value == me`, else a nested `create_revision == 0`).
    IsOrAbsent(u64),
}

/// A command that goes through Raft.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KvCmd {
    /// `LeaseGrant` with the id the client asked for.
    Grant {
        /// Lease id.
        id: u64,
        /// TTL.
        ttl_ms: Millis,
    },
    /// `LeaseRevoke`: the lease and every key attached to it go.
    Revoke {
        /// Lease id.
        id: u64,
    },
    /// A `Txn` whose success branch is one put (a plain put compares nothing).
    Put {
        /// The key.
        key: Key,
        /// The value.
        value: u64,
        /// The lease it is attached to (0: none).
        lease: u64,
        /// The comparison.
        cmp: Compare,
    },
}

impl KvCmd {
    /// Feeds the trace hash.
    pub fn digest(&self, h: &mut Fnv) {
        match *self {
            KvCmd::Grant { id, ttl_ms } => {
                h.u64(101);
                h.u64(id);
                h.u64(ttl_ms);
            }
            KvCmd::Revoke { id } => {
                h.u64(102);
                h.u64(id);
            }
            KvCmd::Put {
                key,
                value,
                lease,
                cmp,
            } => {
                h.u64(103);
                h.str(key);
                h.u64(value);
                h.u64(lease);
                h.u64(match cmp {
                    Compare::Any => 0,
                    Compare::Absent => 1,
                    Compare::IsOrAbsent(v) => 2 + v,
                });
            }
        }
    }
}

/// A request from a user of etcd to a member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KvOp {
    /// A serializable `Range` of one key.
    Range {
        /// The key.
        key: Key,
    },
    /// `LeaseKeepAlive`.
    KeepAlive {
        /// Lease id.
        id: u64,
    },
    /// A command through Raft.
    Cmd(KvCmd),
    /// `Watch` a key: the member sends every change it applies.
    Watch {
        /// The key.
        key: Key,
    },
}

/// A key's value as a range returns it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyValue {
    /// The value.
    pub value: u64,
    /// Its lease (0: none).
    pub lease: u64,
    /// The revision that last changed it.
    pub mod_revision: u64,
}

/// A member's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KvResult {
    /// A range: the key's value if it exists.
    Range(Option<KeyValue>),
    /// A keep-alive: the lease's TTL, or None when the lease is not found.
    KeepAlive(Option<Millis>),
    /// A grant.
    Granted,
    /// A transaction: whether its comparison held and it put.
    Txn(bool),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Lease {
    ttl: Millis,
    /// Only the leader's lessor counts down; `Millis::MAX` elsewhere.
    expiry: Millis,
    revoking: bool,
}

/// One member's store: applied keys and leases, and its lessor's view of expiry.
#[derive(Clone, Debug, Default)]
pub struct Kv {
    keys: BTreeMap<Key, KeyValue>,
    leases: BTreeMap<u64, Lease>,
    revision: u64,
    /// Watches of this member's clients (volatile: lost when it restarts).
    watchers: Vec<(ProcId, Key)>,
    primary: bool,
}

impl Kv {
    /// A key's value as this member last applied it.
    pub fn get(&self, key: Key) -> Option<KeyValue> {
        self.keys.get(key).copied()
    }

    /// Time left on a lease, as this member's lessor counts (None: not counting or unknown).
    pub fn remaining(&self, id: u64, now: Millis) -> Option<Millis> {
        let l = self.leases.get(&id)?;
        (l.expiry != Millis::MAX).then(|| l.expiry.saturating_sub(now))
    }

    /// A lease's TTL, if this member knows the lease.
    pub fn ttl(&self, id: u64) -> Option<Millis> {
        self.leases.get(&id).map(|l| l.ttl)
    }

    /// Registers a watch.
    pub fn watch(&mut self, who: ProcId, key: Key) {
        if !self.watchers.contains(&(who, key)) {
            self.watchers.push((who, key));
        }
    }

    /// Applies a committed command; returns its result and the watchers to tell of a
    /// changed key (with its new value, None when deleted).
    pub fn apply(
        &mut self,
        cmd: KvCmd,
        now: Millis,
    ) -> (KvResult, Vec<(ProcId, Key, Option<u64>)>) {
        let mut changed: Vec<(Key, Option<u64>)> = Vec::new();
        let result = match cmd {
            KvCmd::Grant { id, ttl_ms } => {
                let expiry = if self.primary {
                    now + ttl_ms
                } else {
                    Millis::MAX
                };
                self.leases.insert(
                    id,
                    Lease {
                        ttl: ttl_ms,
                        expiry,
                        revoking: false,
                    },
                );
                KvResult::Granted
            }
            KvCmd::Revoke { id } => {
                if self.leases.remove(&id).is_some() {
                    let gone: Vec<Key> = self
                        .keys
                        .iter()
                        .filter(|(_, v)| v.lease == id)
                        .map(|(k, _)| *k)
                        .collect();
                    if !gone.is_empty() {
                        self.revision += 1;
                    }
                    for k in gone {
                        self.keys.remove(k);
                        changed.push((k, None));
                    }
                }
                KvResult::Txn(true)
            }
            KvCmd::Put {
                key,
                value,
                lease,
                cmp,
            } => {
                let cur = self.keys.get(key);
                let holds = match cmp {
                    Compare::Any => true,
                    Compare::Absent => cur.is_none(),
                    Compare::IsOrAbsent(v) => cur.is_none_or(|c| c.value == v),
                };
                // A put with a lease that is gone fails (`ErrLeaseNotFound`).
                let lease_ok = lease == 0 || self.leases.contains_key(&lease);
                if holds && lease_ok {
                    self.revision += 1;
                    self.keys.insert(
                        key,
                        KeyValue {
                            value,
                            lease,
                            mod_revision: self.revision,
                        },
                    );
                    changed.push((key, Some(value)));
                }
                KvResult::Txn(holds && lease_ok)
            }
        };
        let mut tell = Vec::new();
        for (k, v) in changed {
            for (w, wk) in &self.watchers {
                if *wk == k {
                    tell.push((*w, k, v));
                }
            }
        }
        (result, tell)
    }

    /// The member became leader: its lessor counts every lease from now, extended.
    pub fn promote(&mut self, now: Millis, extend: Millis) {
        self.primary = true;
        for l in self.leases.values_mut() {
            l.expiry = now + l.ttl + extend;
            l.revoking = false;
        }
    }

    /// The member is no longer leader: its lessor stops counting.
    pub fn demote(&mut self) {
        self.primary = false;
        for l in self.leases.values_mut() {
            l.expiry = Millis::MAX;
            l.revoking = false;
        }
    }

    /// `Renew` on the leader: the lease's TTL, or None if it is not found or expired.
    pub fn renew(&mut self, id: u64, now: Millis) -> Option<Millis> {
        let l = self.leases.get_mut(&id)?;
        if l.expiry <= now || l.revoking {
            return None;
        }
        l.expiry = now + l.ttl;
        Some(l.ttl)
    }

    /// Leases whose time is up and that nobody is revoking yet; marks them revoking.
    pub fn take_expired(&mut self, now: Millis) -> Vec<u64> {
        let mut out = Vec::new();
        for (id, l) in self.leases.iter_mut() {
            if self.primary && !l.revoking && l.expiry <= now {
                l.revoking = true;
                out.push(*id);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const K: Key = "/leader";

    fn put(value: u64, lease: u64, cmp: Compare) -> KvCmd {
        KvCmd::Put {
            key: K,
            value,
            lease,
            cmp,
        }
    }

    #[test]
    fn create_only_if_absent_lets_one_owner_win() {
        let mut kv = Kv::default();
        kv.apply(
            KvCmd::Grant {
                id: 1,
                ttl_ms: 30_000,
            },
            0,
        );
        kv.apply(
            KvCmd::Grant {
                id: 2,
                ttl_ms: 30_000,
            },
            0,
        );
        assert_eq!(
            kv.apply(put(1, 1, Compare::Absent), 0).0,
            KvResult::Txn(true)
        );
        assert_eq!(
            kv.apply(put(2, 2, Compare::Absent), 0).0,
            KvResult::Txn(false)
        );
        assert_eq!(kv.get(K).map(|v| v.value), Some(1));
        // 3.0.3's update: mine or absent; 3.0.2's unconditional put overwrites.
        assert_eq!(
            kv.apply(put(2, 2, Compare::IsOrAbsent(2)), 0).0,
            KvResult::Txn(false)
        );
        assert_eq!(kv.apply(put(2, 2, Compare::Any), 0).0, KvResult::Txn(true));
        assert_eq!(kv.get(K).map(|v| v.value), Some(2));
    }

    #[test]
    fn only_the_leaders_lessor_expires_and_a_revoke_deletes_the_key() {
        let mut follower = Kv::default();
        let mut leader = Kv::default();
        leader.promote(0, 1000);
        for kv in [&mut follower, &mut leader] {
            kv.watch(ProcId(7), K);
            kv.apply(
                KvCmd::Grant {
                    id: 1,
                    ttl_ms: 30_000,
                },
                0,
            );
            kv.apply(put(1, 1, Compare::Absent), 0);
        }
        assert_eq!(follower.take_expired(1_000_000), Vec::<u64>::new());
        assert_eq!(leader.take_expired(29_999), Vec::<u64>::new());
        assert_eq!(leader.renew(1, 10_000), Some(30_000));
        assert_eq!(leader.take_expired(39_999), Vec::<u64>::new());
        assert_eq!(leader.take_expired(40_000), vec![1]);
        assert_eq!(leader.renew(1, 40_100), None, "expired: being revoked");
        let (_, told) = leader.apply(KvCmd::Revoke { id: 1 }, 40_200);
        assert_eq!(told, vec![(ProcId(7), K, None)]);
        assert_eq!(leader.get(K), None);
        // A put with the revoked lease fails.
        assert_eq!(
            leader.apply(put(1, 1, Compare::Any), 40_300).0,
            KvResult::Txn(false)
        );
    }

    #[test]
    fn a_new_leader_extends_every_lease_by_an_election_timeout() {
        let mut kv = Kv::default();
        kv.apply(
            KvCmd::Grant {
                id: 1,
                ttl_ms: 30_000,
            },
            0,
        );
        kv.promote(5_000, 1_000);
        assert_eq!(kv.remaining(1, 5_000), Some(31_000));
        kv.demote();
        assert_eq!(kv.remaining(1, 5_000), None);
    }
}
