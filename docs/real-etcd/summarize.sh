#!/bin/bash
# Extract key timings from each run's merged timeline (excludes shutdown artefacts by time window).
cd /tmp/etcd-real
tl() { ./timeline.py "$@" 2>/dev/null; }
for d in exp1 exp1-b exp1-c; do
  L=$(grep -o 'initial leader n[0-9]' $d/events.log | grep -o 'n[0-9]')
  echo "== $d (leader $L isolated)"
  tl $d CUT | awk '$1+0>0' | grep -m1 'became leader' 
  tl $d CUT | awk '$1+0>0' | grep -m1 "$L stepped down"
  grep -h 'PUT' $d/events.log | sed 's/: {.*//' | /usr/bin/cut -c25-
  tl $d HEAL 'conflict|replace' | awk '$1+0>0 && $1+0<9.9' | grep -E 'became leader|conflict|replace|lost leader .* at' | grep -v 'raft.node: n. lost leader n. at term [0-9]*$' 
  grep -h 'serializable get' $d/events.log | /usr/bin/cut -c25-
done
for d in exp2 exp2-b; do echo "== $d"; tl $d CUT | awk '$1+0>0 && $1+0<3' | grep 'stepped down'; tl $d CUT | awk '$1+0>0' | grep -c 'became leader' | sed 's/^/became-leader lines after CUT (incl after heal): /'; tl $d HEAL | awk '$1+0>0 && $1+0<7' | grep 'became leader'; grep -h 'put to' $d/events.log | /usr/bin/cut -c25-; grep -h 'get k' $d/events.log | /usr/bin/cut -c25- | sort | uniq -c; done
for d in exp3-prevote-false exp3-prevote-false-b exp3-prevote-true exp3-prevote-true-b; do echo "== $d"; grep -h 'initial leader' $d/events.log | /usr/bin/cut -c25-
  tl $d CUT | awk '$1+0>0 && $1+0<10' | grep -o 'became [a-z-]* at term [0-9]*' | tail -1 | sed 's/^/isolated follower last state during cut: /'
  tl $d HEAL | awk '$1+0>0 && $1+0<7.9' | grep -E 'became leader|higher term from .* MsgApp|MsgAppResp message with higher|elected leader' | head -6
  grep -A8 'status 8s after heal' $d/out.txt | grep '10.99' | awk -F'|' '{print $2,$6,$8}'
done
for d in exp4 exp4-b exp4-c exp4-d; do echo "== $d"; grep -h 'initial leader' $d/events.log | /usr/bin/cut -c25-; tl $d STOP | awk '$1+0>0 && $1+0<3' | grep -m1 'became leader'; tl $d CONT | awk '$1+0>=0 && $1+0<5.9' | grep -E 'became follower|changed leader|elected leader|became leader|rejected'; done
