#!/bin/bash
# Exp 7: kill -9 the master and restart it ~1 s later (same config and data dir).
# usage: exp7_reboot.sh aof|rdb|none
P=${1:-aof}
cd "$(dirname "$0")"; source ./lib.sh
new_exp exp7-$P
net_down; net_up 3 || exit 1
case $P in
  aof)  MO=("appendonly yes") ;;
  rdb)  MO=('save 1 1') ;;        # plus an explicit SAVE before the kill so the RDB has all keys
  none) MO=() ;;
esac
write_server_conf 1 "${MO[@]}"; write_server_conf 2; write_server_conf 3
for i in 1 2 3; do start_server $i; done
wait_sync 1 2 && log "replicas synced"
start_sentinels; wait_sentinels_know && log "sentinels know each other"
cli 1 eval "for i=1,1000 do redis.call('set','k'..i,i) end" 0 >/dev/null
[ $P = rdb ] && cli 1 save >/dev/null
sleep 2
log "before: dbsize m=$(cli 1 dbsize) r2=$(cli 2 dbsize) r3=$(cli 3 dbsize) master run_id=$(info_field 1 run_id server)"
for i in 2 3; do ip netns exec sblrc $RPY poll.py $NET.$i 6379 30 0.1 replication role,master_host,master_link_status,master_sync_in_progress > $EXP/client_poll_r$i.log 2>&1 & done
sleep 1
log "KILL -9 master"; kill -9 $(pid_of redis1)
sleep 1
log "RESTART master"; start_server 1
sleep 25
log "after: dbsize m=$(cli 1 dbsize) r2=$(cli 2 dbsize) r3=$(cli 3 dbsize) master run_id=$(info_field 1 run_id server) role=$(info_field 1 role)"
log "sentinel views: $(for i in 1 2 3; do echo -n "s$i=$(master_of $i) "; done)"
stop_all 2>/dev/null
./timeline.py $EXP KILL | grep -v 'Memory overcommit\|Accepted\|Client closed' | awk '$1+0 > -1.5' > $EXP/timeline.txt
echo "== $EXP/timeline.txt"; cat $EXP/timeline.txt
net_down   # remove namespaces and bridge
