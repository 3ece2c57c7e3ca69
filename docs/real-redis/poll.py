#!/usr/bin/env python3
"""poll.py HOST PORT SECONDS INTERVAL SECTION FIELD[,FIELD...] [UNTIL field=value]
Poll INFO SECTION on HOST:PORT and print '<epoch> <field>=<value>' whenever a field changes.
Stops after SECONDS or when the UNTIL condition holds. Output lines start with an epoch (timeline.py)."""
import sys, time, redis
host, port, dur, ivl, section, fields = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5], sys.argv[6].split(',')
until = sys.argv[7].split('=', 1) if len(sys.argv) > 7 else None
prev = {}
end = time.time() + dur
r = redis.Redis(host=host, port=port, socket_timeout=0.5, socket_connect_timeout=0.5)
while time.time() < end:
    try:
        info = r.info(section)
        vals = {f: str(info.get(f)) for f in fields}
        # per-replica lines (slaveN) are dicts in redis-py
        for k, v in info.items():
            if k.startswith('slave') and isinstance(v, dict) and 'slave*' in fields:
                vals[k] = f"{v.get('ip')} state={v.get('state')} offset={v.get('offset')} lag={v.get('lag')}"
    except Exception as e:
        vals = {'error': type(e).__name__}
    for k, v in vals.items():
        if prev.get(k) != v:
            print(f'{time.time():.3f} {host} {k}={v}', flush=True)
    prev = vals
    if until and vals.get(until[0]) == until[1]:
        break
    time.sleep(ivl)
