#!/bin/bash
# Exp 6: slow disk on the leader: strace fault injection delays every fdatasync of the leader by $1 microseconds for 8 s, under a put load.
DELAY=${1:-1500000}; source /tmp/etcd-real/lib.sh; export EXP=$BASE/exp6-delay$DELAY; rm -rf $EXP; mkdir -p $EXP
N=3; start_cluster $N false; L=$(wait_leader $N); LP=$(cat $EXP/n$L.pid); log "initial leader n$L pid $LP"
ctl $L put k v0 >/dev/null; sleep 1
( for k in $(seq 1 50); do s=$(date +%s.%N); out=$(ip netns exec sblc etcdctl --endpoints=$(allep 3) put k load$k 2>&1 | tail -1); e=$(date +%s.%N)
    echo "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) LOADPUT $k latency=$(printf %.3f $(echo "$e - $s" | bc))s result=$out"; sleep 0.2; done ) >> $EXP/load.log 2>&1 &
LOAD=$!
sleep 2
log "SLOWDISK start: strace inject fdatasync delay_enter=${DELAY}us on leader n$L"
strace -f -qq -p $LP -e trace=fdatasync -e inject=fdatasync:delay_enter=$DELAY -o $EXP/strace.txt &
ST=$!; sleep 8
kill $ST; wait $ST 2>/dev/null; log "SLOWDISK end (strace detached)"
wait $LOAD
status $N | tee -a $EXP/events.log
stop_cluster
