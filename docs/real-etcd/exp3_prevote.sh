#!/bin/bash
# Exp 3: 3 members, isolate a FOLLOWER for 10 s then heal; run with --pre-vote=$1 (false|true)
PV=$1; source /tmp/etcd-real/lib.sh; export EXP=$BASE/exp3-prevote-$PV${RUN}; rm -rf $EXP; mkdir -p $EXP
N=3; start_cluster $N $PV; L=$(wait_leader $N); F=$(( L % 3 + 1 )); log "pre-vote=$PV initial leader n$L, will isolate follower n$F"
ctl $L put k v0 >/dev/null; sleep 1; status $N | tee -a $EXP/events.log
log "CUT follower n$F isolated"; isolate $F $N
sleep 3; log "majority put: $(ctl $L put k v1 2>&1)"
sleep 7
log "status just before heal:"; status $N | tee -a $EXP/events.log
log "HEAL"; heal $N
sleep 8
log "status 8s after heal:"; status $N | tee -a $EXP/events.log
stop_cluster
