#!/bin/bash
# Exp 2: cut ONLY the replication link master(host1) <-> replica(host2) for CUT seconds, sentinels unaffected.
# Replica 2 sends its replication traffic from a second address 10.99.1.12 (bind-source-addr) and announces
# 10.99.1.2 (replica-announce-ip), so DROP rules on 10.99.1.12 in host 1's namespace hit only the replication link.
# A writer INCRs on the master every 100 ms throughout.
# usage: exp2_replica_cut.sh CUTSECS [both|m2r|r2m]   (m2r/r2m = drop only master->replica / replica->master; exp 3)
C=${1:-10}; MODE=${2:-both}
cd "$(dirname "$0")"; source ./lib.sh
new_exp exp2-cut$C-$MODE
net_down; net_up 3 || exit 1; ip -n sblr2 addr add $NET.12/24 dev eth0
log "start cut=$C s (repl-timeout default 60)"
write_server_conf 1; write_server_conf 2 "bind-source-addr $NET.12" "replica-announce-ip $NET.2"; write_server_conf 3
for i in 1 2 3; do start_server $i; done
wait_sync 1 2 && log "replicas synced"
start_sentinels; wait_sentinels_know && log "sentinels know each other"
DUR=$((C+40))
ip netns exec sblrc $RPY writer.py $NET.1 6379 0.1 $DUR 2 > $EXP/client_writer.log 2>&1 & BG="$!"
ip netns exec sblrc $RPY poll.py $NET.2 6379 $DUR 0.2 replication master_link_status,master_last_io_seconds_ago,master_sync_in_progress > $EXP/client_poll_r2.log 2>&1 & BG="$BG $!"
ip netns exec sblrc $RPY poll.py $NET.1 6379 $DUR 1 replication 'connected_slaves,slave*' > $EXP/client_poll_m.log 2>&1 & BG="$BG $!"
sleep 3
cli 1 client list | grep -E 'flags=S' | sed "s/^/$(ts) master-client-list-before /" >> $EXP/events.log
log "CUT replication link 1<->2 (10.99.1.12) mode=$MODE"
[ $MODE != m2r ] && ip netns exec sblr1 iptables -A INPUT -s $NET.12 -j DROP
[ $MODE != r2m ] && ip netns exec sblr1 iptables -A OUTPUT -d $NET.12 -j DROP
sleep $C
log "offsets at heal: master=$(info_field 1 master_repl_offset) r2=$(info_field 2 slave_repl_offset) r3=$(info_field 3 slave_repl_offset)"
log "HEAL"; heal
for k in 1 2 3 4 5 6 7 8 9 10; do sleep 1; log "+${k}s offsets master=$(info_field 1 master_repl_offset) r2=$(info_field 2 slave_repl_offset) r2link=$(info_field 2 master_link_status) r3=$(info_field 3 slave_repl_offset)"; done
cli 1 client list | grep -E 'flags=S' | sed "s/^/$(ts) master-client-list-after /" >> $EXP/events.log
log "sentinel views: $(for i in 1 2 3; do echo -n "s$i=$(master_of $i) "; done)"
wait $BG
stop_all
./timeline.py $EXP 'CUT' | grep -v 'Memory overcommit' | awk '$1+0 > -2' > $EXP/timeline.txt
echo "== $EXP/timeline.txt"; cat $EXP/timeline.txt
net_down   # remove namespaces and bridge
