#!/bin/bash
# Exp 5 + 6: fresh processes each run, no client writes; cut host 1 (master + sentinel 1) off.
# Records each Sentinel's +sdown/+odown times relative to the cut (exp 5) and which replica is promoted,
# with both replicas' offsets and run ids at the cut (exp 6: ties).
# usage: exp5_sdown_and_ties.sh [RUNS]
RUNS=${1:-3}
cd "$(dirname "$0")"; source ./lib.sh
for run in $(seq 1 $RUNS); do
new_exp exp5-run$run${TAG:-}
net_down; net_up 3 || exit 1
start_servers; wait_sync 1 2
start_sentinels; wait_sentinels_know
sleep 2.$((RANDOM % 10))
for i in 2 3; do log "replica$i run_id=$(info_field $i run_id server) offset=$(info_field $i slave_repl_offset) priority=$(info_field $i slave_priority)"; done
log "master offset=$(info_field 1 master_repl_offset)"
log "CUT host1"; isolate 1
sleep 16
log "after: sentinel2 says master=$(master_of 2), sentinel3 says master=$(master_of 3)"
stop_all
./timeline.py $EXP CUT | grep -v 'Memory overcommit' > $EXP/timeline.txt
echo "== run $run $EXP"
grep -E 'events|[+-]sdown master|odown|try-failover|vote-for-leader|elected-leader|selected-slave|promoted-slave|switch-master|failover-end |no-good-slave' $EXP/timeline.txt | awk '$1+0 > -1 || /run_id|offset/'
done
net_down   # remove namespaces and bridge
