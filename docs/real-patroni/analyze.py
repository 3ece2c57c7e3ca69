#!/usr/bin/python3
# analyze.py EXPDIR : per node, which client-acknowledged seqs are missing from the node's final table t
import sys, glob, re, os
e = sys.argv[1]
acked = {}
for f in sorted(glob.glob(f'{e}/writer*.log')):
    for l in open(f):
        p = l.split()
        if len(p) >= 3 and p[1] == 'ACK': acked[int(p[2])] = (os.path.basename(f), p[0])
def ranges(xs):
    xs = sorted(xs); out = []; 
    for x in xs:
        if out and x == out[-1][1] + 1: out[-1][1] = x
        else: out.append([x, x])
    return ', '.join(f'{a}-{b}' if a != b else f'{a}' for a, b in out)
for n in (1, 2, 3):
    fn = f'{e}/rows-n{n}.txt'
    rows = set(int(x) for x in open(fn).read().split() if x.isdigit()) if os.path.exists(fn) else set()
    miss = sorted(set(acked) - rows)
    extra = sorted(rows - set(acked))
    print(f'n{n}: rows={len(rows)} acked_total={len(acked)} acked_missing={len(miss)} [{ranges(miss)}]'
          + (f' ; missing acked at {acked[miss[0]][1]}..{acked[miss[-1]][1]}' if miss else '')
          + f' ; present_but_never_acked={len(extra)} [{ranges(extra)}]')
