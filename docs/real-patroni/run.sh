#!/bin/bash
# usage: run.sh MODE K EXPDIR [CUT_SECONDS]
#   MODE: async (full cut, synchronous_mode false) | sync (full cut, synchronous_mode true) | dcsonly (cut tcp 2379,2380 only, async)
D=$(cd $(dirname $0); pwd)
MODE=$1; K=$2; EXP=$3; CUTS=${4:-60}
[ $MODE = sync ] && SYNC=true || SYNC=false
rm -rf $EXP; mkdir -p $EXP/etcd; chmod 755 $EXP
source $D/lib.sh
net_down; net_up
etcd_up
for k in $(seq 1 30); do ctl 1 endpoint health >/dev/null 2>&1 && break; sleep 0.3; done
for i in 1 2 3; do patroni_cfg $i; done
log "START mode=$MODE sync=$SYNC patroni=$(${PATRONI_BIN:-/usr/bin/patroni} --version)"
cluster_up
log "streaming=$(q 1 "select string_agg(application_name||':'||sync_state, ',') from pg_stat_replication") ssn=$(q 1 'show synchronous_standby_names')"
q 1 "create table t(seq int, at timestamptz)" >/dev/null
P=1
ip netns exec $(ns $P) /usr/bin/python3 $D/writer.py $NET.$P $EXP/writer.log & echo $! > $EXP/writer.pid
# second client on the majority side (in n2's namespace), writes to whichever of n2/n3 is primary, seq offset 1000000
[ -n "$W2" ] && { ip netns exec $(ns 2) /usr/bin/python3 $D/writer.py $NET.2,$NET.3 $EXP/writer2.log 1000000 & echo $! > $EXP/writer2.pid; }
sleep 15
poll() { poll_once "$1"; }
if [ $MODE = dcsonly ]; then cut $P "2379 2380"; else cut $P; fi
CUT=$(date +%s.%N); log "CUT n$P ($MODE)"
end=$(echo "$CUT + $CUTS" | bc)
while [ $(echo "$(date +%s.%N) < $end" | bc) = 1 ]; do poll "cut+$(printf %.1f $(echo "$(date +%s.%N) - $CUT" | bc))"; sleep 0.3; done
heal; H=$(date +%s.%N); log "HEAL"
end=$(echo "$H + 60" | bc)
while [ $(echo "$(date +%s.%N) < $end" | bc) = 1 ]; do poll "heal+$(printf %.1f $(echo "$(date +%s.%N) - $H" | bc))"; sleep 0.3; done
kill $(cat $EXP/writer.pid); [ -f $EXP/writer2.pid ] && kill $(cat $EXP/writer2.pid); sleep 1
for i in 1 2 3; do log "final n$i: $(role $i) rows/max=$(q $i 'select count(*), max(seq) from t')"; done
for i in 1 2 3; do plist $i | tail -6 >> $EXP/events.log; break; done
# which acked seqs are missing on each node
cat $EXP/writer*.log | grep ' ACK ' | awk '{print $3}' | sort -n > $EXP/acked.txt
for i in 1 2 3; do q $i "select seq from t order by 1" | sort -n > $EXP/rows-n$i.txt
  log "n$i: acked=$(wc -l < $EXP/acked.txt) present=$(wc -l < $EXP/rows-n$i.txt) acked_missing=$(comm -23 $EXP/acked.txt $EXP/rows-n$i.txt | wc -l) ($(comm -23 $EXP/acked.txt $EXP/rows-n$i.txt | head -1)..$(comm -23 $EXP/acked.txt $EXP/rows-n$i.txt | tail -1))"; done
stop_all; net_down
log "DONE"
