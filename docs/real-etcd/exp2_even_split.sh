#!/bin/bash
# Exp 2: 4 members split 2+2 ({n1,n2} | {n3,n4}) for 20 s, puts on both sides, then heal.
source /tmp/etcd-real/lib.sh; export EXP=$BASE/exp2${RUN}; rm -rf $EXP; mkdir -p $EXP
N=4; start_cluster $N false; L=$(wait_leader $N); log "initial leader n$L"
ctl $L put k v0 >/dev/null; log "put k=v0 committed"; status $N | tee -a $EXP/events.log
sleep 1
log "CUT 2+2 split {n1,n2}|{n3,n4}"; for a in 1 2; do for b in 3 4; do block_pair $a $b; done; done
puttimed() { local i=$1 v=$2 tag=$3; s=$(date +%s.%N); out=$(ctl $i put k $v 2>&1); rc=$?; e=$(date +%s.%N)
  log "$tag put to n$i rc=$rc after $(echo "$e - $s" | bc)s: $(echo "$out" | tail -1)"; }
puttimed 1 side-a "(+0s)" & puttimed 3 side-b "(+0s)" &
sleep 5
puttimed 2 side-a2 "(+5s)" & puttimed 4 side-b2 "(+5s)" &
sleep 5
log "status at +10s (no leader expected):"; status $N | tee -a $EXP/events.log
for i in 1 2 3 4; do log "n$i leader-view: $(ctl $i endpoint status -w json --command-timeout=1s 2>/dev/null | jq -c '.[0].Status | {leader,raft_term}')"; done
sleep 10
log "HEAL"; heal $N
for k in $(seq 1 100); do l=$(leader_idx $N); [ "$l" != none ] && { log "leader visible via endpoint status: n$l"; break; }; sleep 0.1; done
sleep 5; status $N | tee -a $EXP/events.log
for i in 1 2 3 4; do log "n$i get k: $(ctl $i get k --consistency=s --print-value-only 2>&1)"; done
stop_cluster
