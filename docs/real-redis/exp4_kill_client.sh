#!/bin/bash
# Exp 4: kill -9 the master while a client (redis-py, one connection, INCR every 100 ms, from the client
# namespace) is connected. Measures kill -> first client error and what the error is.
# usage: exp4_kill_client.sh [SOCKET_TIMEOUT_SECONDS|none] [RUNS]
TO=${1:-none}; RUNS=${2:-3}
cd "$(dirname "$0")"; source ./lib.sh
for run in $(seq 1 $RUNS); do
new_exp exp4-to$TO-run$run
net_down; net_up 3 || exit 1
write_server_conf 1; start_server 1; sleep 0.5
A=""; [ "$TO" != none ] && A=$TO
ip netns exec sblrc $RPY writer.py $NET.1 6379 0.1 6 $A > $EXP/client_writer.log 2>&1 & W=$!
ip netns exec sblrc $RPY rawclient.py $NET.1 6379 0.1 6 > $EXP/client_raw.log 2>&1 & W="$W $!"
sleep 2.$((RANDOM % 10))
log "KILL -9 master pid $(pid_of redis1)"; kill -9 $(pid_of redis1)
wait $W
./timeline.py $EXP KILL > $EXP/timeline.txt
grep -E 'KILL|writer|raw' $EXP/timeline.txt | head -7; grep summary $EXP/timeline.txt
stop_all
done
net_down   # remove namespaces and bridge
