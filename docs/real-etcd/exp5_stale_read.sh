#!/bin/bash
# Exp 5: 3 members, isolate one follower, write on majority, then read on isolated follower: serializable vs linearizable.
source /tmp/etcd-real/lib.sh; export EXP=$BASE/exp5; rm -rf $EXP; mkdir -p $EXP
N=3; start_cluster $N false; L=$(wait_leader $N); F=$(( L % 3 + 1 )); log "initial leader n$L, will isolate follower n$F"
ctl $L put k old >/dev/null; sleep 1; log "n$F sees before cut: $(ctl $F get k --print-value-only)"
log "CUT follower n$F isolated"; isolate $F $N
sleep 1; log "majority put k=new via n$L: $(ctl $L put k new 2>&1)"
sleep 1
timed() { local tag=$1; shift; s=$(date +%s.%N); out=$("$@" 2>&1); rc=$?; e=$(date +%s.%N); log "$tag rc=$rc after $(echo "$e - $s" | bc)s: $(echo "$out" | grep -v '^{' | tr '\n' ' ')"; echo "$out" | grep '^{' | jq -r .error 2>/dev/null | sed 's/^/    grpc: /' | tee -a $EXP/events.log; }
timed "isolated n$F get --consistency=s" ctl $F get k --consistency=s --print-value-only
timed "isolated n$F get --consistency=l (default)" ctl $F get k --consistency=l --print-value-only
timed "isolated n$F get --consistency=l --command-timeout=15s" ctl $F get k --consistency=l --print-value-only --command-timeout=15s
timed "majority n$L get --consistency=l" ctl $L get k --print-value-only
log "HEAL"; heal $N; sleep 3
timed "n$F get --consistency=l after heal" ctl $F get k --print-value-only
stop_cluster
