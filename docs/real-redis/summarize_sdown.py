#!/usr/bin/env python3
"""summarize_sdown.py DIR... : for each run dir with a 'CUT host1' event, print each Sentinel's
'+sdown master' and '+odown' time relative to the cut, the spread, and the promoted replica."""
import sys, re, subprocess, os
here = os.path.dirname(os.path.abspath(__file__))
for d in sys.argv[1:]:
    out = subprocess.run([sys.executable, os.path.join(here, 'timeline.py'), d, 'CUT host1'], capture_output=True, text=True).stdout
    if 'CUT host1' not in out: continue
    sd, od, sel, s1 = {}, {}, None, None
    for line in out.splitlines():
        t, tag, msg = line.split(None, 2)
        t = float(t)
        if t < 0: continue
        if '+sdown master mymaster 10.99.1.1' in msg and tag not in sd: sd[tag] = t
        if '+odown master mymaster 10.99.1.1' in msg and tag not in od: od[tag] = t
        if '+selected-slave' in msg and sel is None: sel = (t, tag, msg.split()[3])
        if tag == 'sentinel1' and '+sdown' in msg and s1 is None: s1 = t
    if not sd: continue
    v = sorted(sd.values())
    print(f"{os.path.basename(d):28s} sdown {' '.join(f'{k[-1]}:{sd[k]:.3f}' for k in sorted(sd))}  spread {v[-1]-v[0]:.3f}  "
          f"odown {' '.join(f'{k[-1]}:{od[k]:.3f}' for k in sorted(od))}  s1-first-sdown-of-peers {s1 if s1 is None else round(s1,3)}  "
          f"selected {sel[2] if sel else None} by {sel[1] if sel else None} at {sel[0] if sel else 0:.3f}")
