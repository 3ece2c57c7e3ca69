#!/usr/bin/env python3
"""Merge events.log (our actions, UTC) and raft/etcd log lines from nI.log; print with +seconds relative to a T0 event.
usage: timeline.py EXPDIR T0_EVENT_SUBSTRING [extra-regex]"""
import sys, json, re, glob, os, datetime as dt
d, t0key = sys.argv[1], sys.argv[2]
extra = sys.argv[3] if len(sys.argv) > 3 else None
pat = re.compile(r'became|elected leader|lost leader|stepped down|new election|pre-vote|PreVote|rejected|ignored a|has received|cast|term|timed out|leader changed' + ('|' + extra if extra else ''))
def p(s): return dt.datetime.strptime(s.replace('Z', ''), '%Y-%m-%dT%H:%M:%S.%f')
rows = []
for line in open(os.path.join(d, 'events.log')):
    if not re.match(r'\d{4}-\d\d-\d\dT', line): continue
    t, msg = line.split(' ', 1); rows.append((p(t), 'EVENT', msg.strip()))
ids = {}
for f in sorted(glob.glob(os.path.join(d, 'n*.log'))):
    name = os.path.basename(f)[:-4]
    for line in open(f):
        try: j = json.loads(line)
        except Exception: continue
        m = j.get('msg', '')
        if 'local-member-id' in j: ids[j['local-member-id']] = name
        if not pat.search(m) or 'prober' in m or 'peer' in j.get('caller','') and 'term' not in m: continue
        if j.get('caller','').startswith(('rafthttp','etcdserver/api/rafthttp')): continue
        rows.append((p(j['ts']), name, m + ('' if 'error' not in j else '  [error=%s]' % j['error'])))
rows.sort(key=lambda r: r[0])
t0 = next(r[0] for r in rows if r[1] == 'EVENT' and t0key in r[2])
for t, who, m in rows:
    for k, v in ids.items(): m = m.replace(k, v)
    print('%+8.3f %-5s %s' % ((t - t0).total_seconds(), who, m))
