#!/usr/bin/env python3
"""timeline.py EXPDIR [MARKER-REGEX] [FILTER-REGEX]
Merge redis*.log, sentinel*.log, events.log and client*.log of one run into one timeline.
Times are printed relative to the first events.log line matching MARKER (or absolute epoch)."""
import re, sys, glob, os, datetime
d = sys.argv[1]; marker = sys.argv[2] if len(sys.argv) > 2 else None
flt = re.compile(sys.argv[3]) if len(sys.argv) > 3 else None
RL = re.compile(r'^(\d+):(\w) (\d+ \w+ \d+ \d\d:\d\d:\d\d\.\d+) (.) (.*)$')
rows = []
for f in sorted(glob.glob(os.path.join(d, '*.log'))):
    tag = os.path.basename(f)[:-4]
    for line in open(f, errors='replace'):
        line = line.rstrip('\n')
        m = RL.match(line)
        if m:
            t = datetime.datetime.strptime(m.group(3), '%d %b %Y %H:%M:%S.%f').replace(tzinfo=datetime.timezone.utc).timestamp()
            rows.append((t, tag, m.group(4) + ' ' + m.group(5)))
            continue
        m = re.match(r'^(\d{9,}\.\d+) (.*)$', line)
        if m:
            rows.append((float(m.group(1)), tag, m.group(2)))
rows.sort(key=lambda r: r[0])
t0 = 0.0
if marker:
    for t, tag, msg in rows:
        if tag == 'events' and re.search(marker, msg):
            t0 = t; break
for t, tag, msg in rows:
    if flt and not (flt.search(msg) or tag == 'events'):
        continue
    print(f'{t - t0:+9.3f} {tag:10s} {msg}')
