#!/bin/bash
# Exp 4: 3 members (pre-vote=false, default), SIGSTOP the leader for 3 s, then SIGCONT.
source /tmp/etcd-real/lib.sh; export EXP=$BASE/exp4${RUN}; rm -rf $EXP; mkdir -p $EXP
N=3; start_cluster $N false; L=$(wait_leader $N); log "initial leader n$L pid $(cat $EXP/n$L.pid)"
ctl $L put k v0 >/dev/null; sleep 1; status $N | tee -a $EXP/events.log
log "STOP leader n$L (kill -STOP)"; kill -STOP $(cat $EXP/n$L.pid)
sleep 3
log "CONT leader n$L (kill -CONT)"; kill -CONT $(cat $EXP/n$L.pid)
sleep 6
log "status 6s after CONT:"; status $N | tee -a $EXP/events.log
stop_cluster
