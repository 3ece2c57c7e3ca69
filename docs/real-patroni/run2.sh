#!/bin/bash
# usage: run2.sh MODE K EXPDIR
#  MODE: fson-stop | fsoff-stop | fson-kill | fsoff-kill   (A: failsafe_mode true/false; all 3 etcd members SIGSTOPped / kill -9ed at T0 for 60 s, then SIGCONT / restarted)
#        strict | nonstrict   (B/C: synchronous_mode true, synchronous_mode_strict true/false; kill -9 Patroni + PostgreSQL of both replicas at T0,
#                               restart n2's Patroni at T0+40 s)
# Env PRE=seconds: extra sleep before T0 (shifts the fault against the 10 s HA-loop phase). Start it detached (setsid nohup ... &);
# never run two instances with the same K, and wait for "DONE" in events.log before reusing a K (net_down at the end deletes the namespaces).
# Reuses lib.sh (network, etcd, Patroni config); only adds failsafe_mode / synchronous_mode_strict to bootstrap.dcs.
D=$(cd $(dirname $0); pwd)
MODE=$1; K=$2; EXP=$3
case $MODE in fson-*) FS=true; SYNC=false; STRICT=false;; fsoff-*) FS=false; SYNC=false; STRICT=false;;
  strict) FS=false; SYNC=true; STRICT=true;; nonstrict) FS=false; SYNC=true; STRICT=false;; *) echo bad mode; exit 1;; esac
rm -rf $EXP; mkdir -p $EXP/etcd; chmod 755 $EXP
source $D/lib.sh
net_down; net_up
etcd_up
for k in $(seq 1 30); do ctl 1 endpoint health >/dev/null 2>&1 && break; sleep 0.3; done
for i in 1 2 3; do patroni_cfg $i
  sed -i "s/^    synchronous_mode: .*/    synchronous_mode: $SYNC\n    synchronous_mode_strict: $STRICT\n    failsafe_mode: $FS/" $EXP/patroni-n$i.yml; done
log "START mode=$MODE sync=$SYNC strict=$STRICT failsafe=$FS patroni=$(${PATRONI_BIN:-/usr/bin/patroni} --version)"
cluster_up
q 1 "create table t(seq int, at timestamptz)" >/dev/null
sleep 12   # let at least one HA loop write /failsafe, /sync
log "streaming=$(q 1 "select string_agg(application_name||':'||sync_state, ',') from pg_stat_replication") ssn=$(q 1 'show synchronous_standby_names')"
ctl 1 get --prefix /service/sbl/ > $EXP/dcs-before.txt 2>&1; log "dcs keys: $(grep ^/service $EXP/dcs-before.txt | tr '\n' ' ')"
if [ $SYNC = true ]; then HOSTS=$NET.1; else HOSTS=$NET.1,$NET.2,$NET.3; fi
ip netns exec $(ns 1) /usr/bin/python3 $D/writer.py $HOSTS $EXP/writer.log & echo $! > $EXP/writer.pid
sleep 5
poll2() { local line="$1" s
  [ $SYNC = true ] && { s=$(PGCONNECT_TIMEOUT=1 timeout 2 ip netns exec $(ns 1) runuser -u postgres -- psql -h $NET.1 -U postgres -d postgres -XAtq -c "select current_setting('synchronous_standby_names')||' repl='||coalesce((select string_agg(application_name||':'||state||':'||sync_state, ',') from pg_stat_replication),'-')||' syncrepwaiters='||(select count(*) from pg_stat_activity where wait_event='SyncRep')" 2>&1 | head -1); line="$line ssn=$s"; }
  poll_once "$line"; }
sleep ${PRE:-0}   # optional extra delay to shift T0 against the HA-loop phase
T0=$(date +%s.%N)
if [ $SYNC = true ]; then
  for i in 2 3; do pp=$(head -1 $EXP/pg/n$i/data/postmaster.pid); rp=$(cat $EXP/patroni-n$i.pid); kill -9 $(pgrep -P $rp) $rp $pp $(pgrep -P $pp); done
  log "FAULT kill -9 patroni+postgres of n2,n3"
  # extra clients: one with statement_timeout=5s, one that we cancel with pg_cancel_backend at T0+15
  ip netns exec $(ns 1) /usr/bin/python3 $D/hangclient.py $NET.1 $EXP/client-stmt.log stmt 1000001 & 
  ip netns exec $(ns 1) /usr/bin/python3 $D/hangclient.py $NET.1 $EXP/client-cancel.log cancelme 1000002 &
  ip netns exec $(ns 1) /usr/bin/python3 $D/hangclient.py $NET.1 $EXP/client-plain.log plain 1000003 &
  CANCELED=0; RESTARTED=0
  end=$(echo "$T0 + 100" | bc)
  while [ $(echo "$(date +%s.%N) < $end" | bc) = 1 ]; do
    rel=$(echo "$(date +%s.%N) - $T0" | bc)
    if [ $CANCELED = 0 ] && [ $(echo "$rel > 15" | bc) = 1 ]; then CANCELED=1
      log "CANCEL $(q 1 "select pid||':'||pg_cancel_backend(pid) from pg_stat_activity where application_name='cancelme'")"; fi
    if [ $RESTARTED = 0 ] && [ $(echo "$rel > 40" | bc) = 1 ]; then RESTARTED=1; patroni_start 2; log "RESTART n2 patroni"; fi
    poll2 "T0+$(printf %.1f $rel)"; sleep 0.3; done
else
  for i in 1 2 3; do cp $EXP/etcd-n$i.log $EXP/etcd-n$i.before.log; done
  if [[ $MODE == *-stop ]]; then for i in 1 2 3; do kill -STOP $(cat $EXP/etcd-n$i.pid); done; log "FAULT SIGSTOP all etcd"
  else for i in 1 2 3; do kill -9 $(cat $EXP/etcd-n$i.pid); done; log "FAULT kill -9 all etcd"; fi
  end=$(echo "$T0 + 60" | bc)
  while [ $(echo "$(date +%s.%N) < $end" | bc) = 1 ]; do poll2 "T0+$(printf %.1f $(echo "$(date +%s.%N) - $T0" | bc))"; sleep 0.3; done
  if [[ $MODE == *-stop ]]; then for i in 1 2 3; do kill -CONT $(cat $EXP/etcd-n$i.pid); done; log "ETCDBACK SIGCONT all etcd"
  else etcd_up; log "ETCDBACK restarted all etcd"; fi
  end=$(echo "$T0 + 130" | bc)
  while [ $(echo "$(date +%s.%N) < $end" | bc) = 1 ]; do poll2 "T0+$(printf %.1f $(echo "$(date +%s.%N) - $T0" | bc))"; sleep 0.3; done
fi
kill $(cat $EXP/writer.pid); sleep 1
for i in 1 2 3; do log "final n$i: $(role $i) rows/max=$(q $i 'select count(*), max(seq) from t where seq<1000000')"; done
plist 1 | tail -6 >> $EXP/events.log
stop_all; net_down
log "DONE"
