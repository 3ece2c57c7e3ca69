#!/usr/bin/env python3
"""Per-run figures for Exp A from /tmp/real-locks/expA/runN/{summary.txt,ttl1.txt}.
ttl1.txt lines: <poll start> <poll end> <ttl>, ttl = int64(Remaining().Seconds()) from the
leader's lessor (truncated toward zero; -1 = lease not found, i.e. revoked).
After a keep-alive at time K (lease ttl 10 s) the poll reads k while K+10-t in [k, k+1), so a
change k -> k-1 between two polls brackets K+(10-k). Intersecting all brackets after the last
upward jump gives the time K of the last keep-alive the leader applied before the pause."""
import sys, glob, os
base = sys.argv[1] if len(sys.argv) > 1 else '/tmp/real-locks/expA'
TTL = 10.0
for rd in sorted(glob.glob(os.path.join(base, 'run*'))):
    s = dict(kv.split('=', 1) for kv in open(os.path.join(rd, 'summary.txt')).read().split())
    T0, A1, A2, TC, TX = (float(s[k]) for k in ('T0', 'T_acq1', 'T_acq2', 'T_cont', 'T_exit1'))
    polls = [(float(a), float(b), int(t)) for a, b, t in (l.split() for l in open(os.path.join(rd, 'ttl1.txt')) if len(l.split()) == 3)]
    mid = [((a + b) / 2, t) for a, b, t in polls]
    # index of the last upward jump (keep-alive) before T0
    start = 0
    for i in range(1, len(mid)):
        if mid[i][1] > mid[i - 1][1] and mid[i][1] >= 0 and mid[i][0] < T0:
            start = i
    lo, hi = -1e18, 1e18
    if start > 0:  # the jump itself brackets K
        lo, hi = mid[start - 1][0], mid[start][0]
    for i in range(start + 1, len(mid)):
        k_prev, k = mid[i - 1][1], mid[i][1]
        if k == k_prev - 1 and k >= 0:   # crossing K + (10 - k_prev)
            off = TTL - k_prev
            lo, hi = max(lo, mid[i - 1][0] - off), min(hi, mid[i][0] - off)
    K = (lo + hi) / 2
    last0 = max(m for m, t in mid if t == 0)
    first_gone = min(m for m, t in mid if t == -1)
    print(f"{os.path.basename(rd)}: key1={s['key1']} key2={s['key2']}")
    print(f"  T0 - T_acq1                     = {T0 - A1:6.3f} s")
    print(f"  last keep-alive K before T0     = T0 - {T0 - hi:.3f} .. T0 - {T0 - lo:.3f} s  (bracket {1000*(hi-lo):.0f} ms)")
    print(f"  lease remaining at T0 (K+10-T0) = {K + TTL - T0:6.3f} s (+-{(hi-lo)/2:.3f})")
    print(f"  lease revoked (ttl 0 -> -1)      between T0+{last0 - T0:.3f} and T0+{first_gone - T0:.3f} s")
    print(f"  T_acquire2 - T0                 = {A2 - T0:6.3f} s")
    print(f"  T_acquire2 - (K+10) (expiry)    = {A2 - (K + TTL):6.3f} s")
    print(f"  SIGCONT at T0+{TC - T0:.3f}; client 1 gone {TX - TC:.3f} s later, rc={s['rc1']}")
