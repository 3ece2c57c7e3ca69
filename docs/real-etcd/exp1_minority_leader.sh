#!/bin/bash
# Exp 1: 3 members, isolate the leader L alone for 30 s, client puts to L during the cut, then heal.
source /tmp/etcd-real/lib.sh; export EXP=$BASE/exp1${RUN}; rm -rf $EXP; mkdir -p $EXP
N=3; start_cluster $N false; L=$(wait_leader $N); log "initial leader n$L"
ctl $L put k v0 >/dev/null; log "put k=v0 committed"; status $N | tee -a $EXP/events.log
# background poller of each member's view
( for k in $(seq 1 220); do for i in 1 2 3; do echo "$(date -u +%H:%M:%S.%3N) n$i $(st $i)"; done; sleep 0.2; done ) > $EXP/poll.log 2>&1 &
POLL=$!
sleep 1
log "CUT leader n$L isolated from other members"; isolate $L $N
sleep 0.3
( s=$(date +%s.%N); out=$(ctl $L put k v-during-cut-1 2>&1); rc=$?; e=$(date +%s.%N)
  log "PUT#1 to n$L (sent +0.3s) rc=$rc after $(echo "$e - $s" | bc)s: $out" ) &
sleep 7.7
( s=$(date +%s.%N); out=$(ctl $L put k v-during-cut-2 2>&1); rc=$?; e=$(date +%s.%N)
  log "PUT#2 to n$L (sent +8s) rc=$rc after $(echo "$e - $s" | bc)s: $out" ) &
sleep 2
M=$(for i in 1 2 3; do [ $i != $L ] && echo $i; done | head -1)
( s=$(date +%s.%N); out=$(ctl $M put k v-majority 2>&1); rc=$?; e=$(date +%s.%N)
  log "PUT to majority n$M (sent +10s) rc=$rc after $(echo "$e - $s" | bc)s: $out" ) &
sleep 20
log "status just before heal:"; status $N | tee -a $EXP/events.log
log "HEAL"; heal $N
sleep 10
log "status 10s after heal:"; status $N | tee -a $EXP/events.log
for i in 1 2 3; do log "n$i serializable get k: $(ctl $i get k --consistency=s --print-value-only 2>&1)"; done
log "n$L revision history of k:"; ctl $L get k -w json | jq -c '.kvs[0] | {mod_revision,version,value: (.value|@base64d)}' | tee -a $EXP/events.log
wait $POLL; stop_cluster
