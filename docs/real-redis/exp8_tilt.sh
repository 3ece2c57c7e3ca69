#!/bin/bash
# Exp 8: SIGSTOP Sentinel 2 for STOP seconds, then SIGCONT; record +tilt / -tilt and what it answers while in TILT.
# usage: exp8_tilt.sh [STOPSECS]
S=${1:-5}
cd "$(dirname "$0")"; source ./lib.sh
new_exp exp8-stop$S
net_down; net_up 3 || exit 1
start_servers; wait_sync 1 2
start_sentinels; wait_sentinels_know && log "sentinels know each other"
sleep 2
log "SIGSTOP sentinel2"; kill -STOP $(pid_of sentinel2)
sleep $S
log "SIGCONT sentinel2"; kill -CONT $(pid_of sentinel2)
sleep 1
log "sentinel2 INFO: $(scli 2 info sentinel | tr -d '\r' | grep -E 'tilt' | tr '\n' ' ')"
# while sentinel 2 is in TILT: ask it directly whether it considers the master down / would vote
log "is-master-down-by-addr (no vote) from s2: $(scli 2 sentinel is-master-down-by-addr $NET.1 6379 0 '*' | tr '\n' ' ')"
if [ -n "$VOTETEST" ]; then  # mode 2: does a Sentinel in TILT grant a leader vote? (asks with a made-up run id, epoch 1)
  log "vote request to s2 in TILT (epoch 1, runid 0000fake): $(scli 2 sentinel is-master-down-by-addr $NET.1 6379 1 0000fakerunid | tr '\n' ' ')"
  log "same request to s3 (not in TILT): $(scli 3 sentinel is-master-down-by-addr $NET.1 6379 1 0000fakerunid | tr '\n' ' ')"
  log "s2 INFO: $(scli 2 info sentinel | tr -d '\r' | grep -E 'tilt' | tr '\n' ' ')"
  stop_all 2>/dev/null; grep -E 'tilt|vote|epoch' $EXP/sentinel*.log; net_down; exit 0
fi
log "CUT host1 while sentinel2 is in TILT"; isolate 1
for k in $(seq 1 12); do sleep 1; log "t+${k}s s2: $(scli 2 info sentinel | tr -d '\r' | grep -E 'sentinel_tilt:' ) master2=$(master_of 2) master3=$(master_of 3) s2 is-master-down: $(scli 2 sentinel is-master-down-by-addr $NET.1 6379 0 '*' | head -1)"; done
log "sentinel3 view: master=$(master_of 3)"
sleep 20
log "HEAL"; heal
sleep 3
for i in 2 3; do log "s$i tilt: $(scli $i info sentinel | tr -d '\r' | grep -E 'sentinel_tilt' | tr '\n' ' ') master=$(master_of $i)"; done
stop_all 2>/dev/null
./timeline.py $EXP SIGCONT | grep -v 'Memory overcommit\|Accepted\|Client closed' | grep -E 'events|tilt|sdown|odown|failover|vote|elected|leader|selected|promoted|switch' > $EXP/timeline.txt
echo "== $EXP/timeline.txt"; cat $EXP/timeline.txt
net_down   # remove namespaces and bridge
