#!/bin/bash
# Exp A2 (supplementary, 1 run): the `etcdctl lock --ttl=10 mylock -- CMD` form. Client 1's
# command prints ETCD_LOCK_KEY / ETCD_LOCK_REV (set by etcdctl) and then sleeps. SIGSTOP only
# the etcdctl process (the command keeps running), start client 2, SIGCONT etcdctl at T0+15 s,
# and see whether etcdctl or its command notice that the lock was lost.
HERE=$(cd $(dirname $0) && pwd); source $HERE/lib.sh
export EXP=$BASE/expA2; rm -rf $EXP; mkdir -p $EXP
wait_line() { local f=$1 t=$2 k; for k in $(seq 1 $((t*100))); do [ -s $f ] && { head -1 $f; return 0; }; sleep 0.01; done; return 1; }
start_cluster 3; L=$(wait_leader 3); log "cluster up, leader n$L"
etcdctl --endpoints=$(allep 3) lock --ttl=10 mylock -- sh -c 'echo "cmd: key=$ETCD_LOCK_KEY rev=$ETCD_LOCK_REV pid=$$"; exec sleep 1000' \
  > >(stamp > $EXP/c1.out) 2> >(stamp > $EXP/c1.err) &
C1=$!; L1=$(wait_line $EXP/c1.out 20); log "client 1 (etcdctl pid $C1): $L1"
CMDPID=$(pgrep -P $C1 sleep); log "client 1 command: sleep pid $CMDPID"
locks mylock | tee -a $EXP/events.log
sleep 2; T0=$(now); kill -STOP $C1
etcdctl --endpoints=$(allep 3) lock --ttl=10 mylock > >(stamp > $EXP/c2.out) 2> >(stamp > $EXP/c2.err) &
C2=$!; log "T0=$T0 SIGSTOP etcdctl $C1 (its command $CMDPID keeps running); client 2 pid $C2"
L2=$(wait_line $EXP/c2.out 30); log "client 2: $L2 (T_acquire2-T0 = $(awk -v a=${L2%% *} -v b=$T0 'BEGIN{printf "%.3f", a-b}') s)"
log "at client 2's acquisition, client 1's command alive? $(kill -0 $CMDPID 2>/dev/null && echo yes || echo no)"
locks mylock | tee -a $EXP/events.log
sleep $(awk -v t0=$T0 -v n=$(now) 'BEGIN{d=t0+15-n; if(d<0)d=0; printf "%.3f", d}')
T_cont=$(now); kill -CONT $C1; log "T_cont=$T_cont SIGCONT etcdctl $C1"
sleep 10
log "10 s after SIGCONT: etcdctl alive? $(kill -0 $C1 2>/dev/null && echo yes || echo no); command alive? $(kill -0 $CMDPID 2>/dev/null && echo yes || echo no)"
log "client 1 stdout:"; sed 's/^/  /' $EXP/c1.out | tee -a $EXP/events.log
log "client 1 stderr:"; sed 's/^/  /' $EXP/c1.err | tee -a $EXP/events.log
locks mylock | tee -a $EXP/events.log
kill $CMDPID 2>/dev/null; wait $C1; log "killed client 1's command; etcdctl exited rc=$?"
kill -INT $C2; wait $C2; log "client 2 released rc=$?"
stop_cluster; log "cluster stopped"
