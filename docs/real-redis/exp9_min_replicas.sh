#!/bin/bash
# Exp 9: min-replicas-to-write 1 only in the master's redis.conf (replicas: default 0; min-replicas-max-lag default 10).
# A: cut host 1 (master) off; a client (that still reaches host 1) INCRs every 100 ms: time of the first NOREPLICAS.
# B: after the failover, also cut the promoted replica's host off from the others; does it still accept writes?
# usage: exp9_min_replicas.sh [RUNS]
RUNS=${1:-3}
cd "$(dirname "$0")"; source ./lib.sh
for run in $(seq 1 $RUNS); do
new_exp exp9-run$run
net_down; net_up 3 || exit 1
write_server_conf 1 "min-replicas-to-write 1"; write_server_conf 2; write_server_conf 3
for i in 1 2 3; do start_server $i; done
wait_sync 1 2; start_sentinels; wait_sentinels_know
log "config: m=$(cli 1 config get min-replicas-to-write | tail -1) lag=$(cli 1 config get min-replicas-max-lag | tail -1) r2=$(cli 2 config get min-replicas-to-write | tail -1) r3=$(cli 3 config get min-replicas-to-write | tail -1)"
ip netns exec sblrc $RPY writer.py $NET.1 6379 0.1 25 1 > $EXP/client_writer_old.log 2>&1 & W=$!
sleep 2.$((RANDOM % 10))
log "CUT host1"; isolate 1
wait $W
NM=$(master_of 2); N=${NM##*.}
log "new master per sentinel2: $NM; its min-replicas-to-write=$(cli $N config get min-replicas-to-write | tail -1) connected_slaves=$(info_field $N connected_slaves)"
ip netns exec sblrc $RPY writer.py $NM 6379 0.1 18 1 > $EXP/client_writer_new.log 2>&1 & W=$!
sleep 2
log "CUT new master host$N too"; isolate $N
wait $W
log "new master after 16 s alone: role=$(info_field $N role) connected_slaves=$(info_field $N connected_slaves) min_slaves_good_slaves=$(info_field $N min_slaves_good_slaves)"
stop_all 2>/dev/null
./timeline.py $EXP 'CUT host1' | grep -v 'Memory overcommit\|Accepted\|Client closed' > $EXP/timeline.txt
echo "== run $run $EXP"
grep -E 'events|writer|NOREPL|[+-]sdown master|switch-master|promoted' $EXP/timeline.txt | grep -v 'ERR.*took.*ERR' | awk '$1+0 > -1'
done
net_down   # remove namespaces and bridge
