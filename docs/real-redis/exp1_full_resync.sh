#!/bin/bash
# Exp 1: master host cut off 20 s (failover promotes a replica), then heal.
# Measures heal -> +convert-to-slave of the old master and heal -> old master's sync finished.
# usage: exp1_full_resync.sh DELAY POPULATE   (DELAY = repl-diskless-sync-delay, POPULATE = keys for DEBUG POPULATE, 0 = none)
D=${1:-5}; P=${2:-0}
cd "$(dirname "$0")"; source ./lib.sh
new_exp exp1-delay$D-pop$P
net_down; net_up 3 || exit 1
log "start delay=$D populate=$P"
OPTS=("repl-diskless-sync yes" "repl-diskless-sync-delay $D" "enable-debug-command yes")
write_server_conf 1 "${OPTS[@]}"; start_server 1; sleep 0.5
if [ "$P" != 0 ]; then cli 1 debug populate $P key 100 >/dev/null; log "populated $(cli 1 dbsize) keys used_memory_human=$(info_field 1 used_memory_human memory)"; fi
for i in 2 3; do write_server_conf $i "${OPTS[@]}"; start_server $i; done
wait_sync 1 2 && log "replicas synced"
start_sentinels; wait_sentinels_know && log "sentinels know each other"
sleep 2
log "CUT host1"; isolate 1
sleep 20
log "new master per sentinel2: $(master_of 2)"
ip netns exec sblrc $RPY poll.py $NET.1 6379 90 0.05 replication role,master_host,master_link_status,master_sync_in_progress master_link_status=up > $EXP/client_poll1.log 2>&1 &
PP=$!; sleep 0.3
log "HEAL"; heal
wait $PP
log "done; old master: role=$(info_field 1 role) link=$(info_field 1 master_link_status) master=$(info_field 1 master_host) keys=$(cli 1 dbsize)"
sleep 1; stop_all
./timeline.py $EXP HEAL 'sdown|odown|switch-master|selected-slave|promoted|convert-to-slave|MASTER <-> REPLICA|BGSAVE|Full resync|Partial|Diskless|transfer|succeeded|Connecting to MASTER|master_link|role=|error=|Delay next|asks for|Loading|Done loading|reboot|failover-end' | grep -v 'Memory overcommit' > $EXP/timeline.txt
echo "== $EXP/timeline.txt"; cat $EXP/timeline.txt
net_down   # remove namespaces and bridge
