#!/usr/bin/python3
# summarize2.py EXPDIR : key Patroni/PostgreSQL log lines relative to T0 (FAULT line of events.log), writer/client statistics
import sys, re, glob, os
e = sys.argv[1]
def t(s):
    h, m, rest = s.replace(',', '.').split(':'); return int(h)*3600 + int(m)*60 + float(rest)
ev = open(f'{e}/events.log').read()
T0 = t(re.search(r'^(\S+) FAULT', ev, re.M).group(1))
print(f'# {e}: {re.search(r"START (.*)", ev).group(1)}')
for l in ev.splitlines():
    if re.search(r' (FAULT|ETCDBACK|CANCEL|RESTART|dcs keys|streaming=|final)', l): print(f'  T0{t(l.split()[0])-T0:+7.1f}s  {l[13:300]}')
pats = [r'Demoting self \(\S+\)', r'Error communicating with DCS', r'promoted self to leader.*', r'demoting self because.*', r'continue to run as a leader.*',
        r'database system is shut down', r'selected new timeline ID: \d+', r'following a different leader.*', r'Could not take out TTL lock',
        r'Assigning synchronous standby status to .*', r'Updating synchronous privilege temporarily.*', r'Synchronous standby status assigned to .*',
        r'Removing synchronous privilege.*', r'No standbys available.*', r'Lost lock.*', r'DCS is not accessible', r'Lock owner: \S+ I am \S+',
        r'no action\. .*', r'Got response from \S+ .*', r'acquired session lock as a leader', r'received fast shutdown request', r'database system is ready to accept.*',
        r'started streaming WAL.*', r'starting as a secondary', r'does not have lock', r'failsafe.*', r'waiting for leader to bootstrap',
        r'Cluster is not ready.*', r'canceling wait for synchronous replication.*', r'following a different leader', r'I am \(\S+\) the leader with the lock', r'Received: .*']
rows = []
for f in sorted(glob.glob(f'{e}/patroni-n*.log')):
    n = re.search(r'patroni-(n\d)', f).group(1); prev = None
    for l in open(f, errors='replace'):
        m = re.match(r'2026-\d\d-\d\d (\d\d:\d\d:\d\d[.,]\d+)', l)
        if not m: continue
        ts = t(m.group(1))
        if ts < T0 - 12: continue
        for p in pats:
            mm = re.search(p, l)
            if mm:
                msg = mm.group(0)[:150]
                if msg != prev: rows.append((ts, n, msg))
                prev = msg; break
for ts, n, msg in sorted(rows): print(f'T0{ts-T0:+7.1f}s  {n}  {msg}')
for w in sorted(glob.glob(f'{e}/writer*.log')) + sorted(glob.glob(f'{e}/client-*.log')):
    L = [l.split() for l in open(w)]
    print(f'--- {os.path.basename(w)}')
    acks = [(t(p[0]), int(p[2]), float(p[3].rstrip('s'))) for p in L if len(p) > 3 and p[1] == 'ACK']
    errs = [(t(p[0]), ' '.join(p[2:])) for p in L if len(p) > 2 and p[1] == 'ERR']
    if 'writer' in w:
        pre = [a for a in acks if a[0] < T0]; post = [a for a in acks if a[0] >= T0]
        slow = [a for a in post if a[2] > 0.5]
        print(f'  ACKs before T0={len(pre)}, after T0={len(post)}; ERR after T0={len([x for x in errs if x[0]>=T0])}')
        for a in slow: print(f'  slow ACK seq {a[1]}: sent T0{a[0]-a[2]-T0:+.1f}s, acked T0{a[0]-T0:+.1f}s ({a[2]:.1f}s)')
        # gaps between consecutive ACKs > 1 s
        for x, y in zip(acks, acks[1:]):
            if y[0] - x[0] > 1 and y[0] >= T0: print(f'  no ACK from T0{x[0]-T0:+.1f}s to T0{y[0]-T0:+.1f}s ({y[0]-x[0]:.1f}s)')
        seen = set()
        for ts, m in errs:
            k = re.sub(r'[\d.]+s', '', m)[:60]
            if ts >= T0 and k not in seen: seen.add(k); print(f'  first ERR like this at T0{ts-T0:+.1f}s: {m[:200]}')
        if errs and errs[-1][0] >= T0: print(f'  last ERR at T0{errs[-1][0]-T0:+.1f}s')
    else:
        for p in L: print(f'  T0{t(p[0])-T0:+.1f}s {" ".join(p[1:])[:250]}')
