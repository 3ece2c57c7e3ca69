#!/usr/bin/python3
# summarize.py EXPDIR : key events relative to the CUT (and HEAL) from events.log, patroni-n*.log (incl. postgres stderr), writer logs
import sys, re, glob, os, datetime
e = sys.argv[1]
def t(s):  # 'HH:MM:SS.mmm' or 'HH:MM:SS,mmm'
    h, m, rest = s.replace(',', '.').split(':'); return int(h)*3600 + int(m)*60 + float(rest)
ev = open(f'{e}/events.log').read()
cut = t(re.search(r'^(\S+) CUT', ev, re.M).group(1)); heal = t(re.search(r'^(\S+) HEAL', ev, re.M).group(1))
start = re.search(r"START (.*)", ev).group(1); cutat = re.search(r"^(\S+) CUT", ev, re.M).group(1)
print(f'# {e}: {start}; CUT at {cutat}, HEAL at cut+{heal-cut:.1f}s')
pats = [r'Demoting self \(\S+\)', r'Error communicating with DCS', r'promoted self to leader.*', r'demoting self because.*',
        r'database system is shut down', r'terminating walsender process due to replication timeout', r'selected new timeline ID: \d+',
        r'running pg_rewind from \S+$', r'pg_rewind exit code=\d+', r'servers diverged at .*', r'following a different leader.*',
        r'I am the leader but not owner of the lease', r'Could not take out TTL lock', r'Assigning synchronous standby status to .*',
        r'Updating synchronous privilege temporarily.*', r'Synchronous standby status assigned to .*', r'Lost lock.*',
        r'requested timeline \d+ is not a child.*', r'is not in this server.s history.*', r'Local timeline=\d+ lsn=\S+', r'primary_timeline=\d+']
rows = []
for f in sorted(glob.glob(f'{e}/patroni-n*.log')):
    n = re.search(r'patroni-(n\d)', f).group(1)
    seen = {}
    for l in open(f, errors='replace'):
        m = re.match(r'2026-\d\d-\d\d (\d\d:\d\d:\d\d[.,]\d+)', l)
        if not m: continue
        ts = t(m.group(1))
        if ts < cut - 1: continue
        for p in pats:
            mm = re.search(p, l)
            if mm:
                key = (p, ts >= heal)
                seen[key] = seen.get(key, 0) + 1
                if seen[key] <= 2: rows.append((ts, n, mm.group(0)[:110]))
for ts, n, msg in sorted(rows):
    rel = f'cut+{ts-cut:6.1f}s' if ts < heal else f'heal+{ts-heal:5.1f}s'
    print(f'{rel}  {n}  {msg}')
for w in sorted(glob.glob(f'{e}/writer*.log')):
    L = [l.split() for l in open(w)]
    acks = [(t(p[0]), int(p[2])) for p in L if len(p) > 2 and p[1] == 'ACK']
    before = [a for a in acks if a[0] < cut]; during = [a for a in acks if cut <= a[0] < heal]; after = [a for a in acks if a[0] >= heal]
    lastacks = f'last ACK during cut at cut+{during[-1][0]-cut:.1f}s (seq {during[-1][1]})' if during else 'no ACK during cut'
    firstafter = f'first ACK after heal at heal+{after[0][0]-heal:.1f}s (seq {after[0][1]})' if after else 'no ACK after heal'
    errs = [p for p in L if len(p) > 3 and p[1] == 'ERR' and cut <= t(p[0]) < heal]
    longest = max([float(p[3].rstrip('s')) for p in L if len(p) > 3 and p[1] in ('ACK', 'ERR') and cut <= t(p[0]) < heal] or [0])
    print(f'{os.path.basename(w)}: acks before cut={len(before)}, during cut={len(during)}, after heal={len(after)}; {lastacks}; {firstafter}; longest single request during cut={longest:.1f}s')
    if errs: print(f'   first ERR during cut at cut+{t(errs[0][0])-cut:.1f}s: {" ".join(errs[0][4:])[:150]}')
