#!/bin/bash
# Exp 10: discovery from scratch. sentinel.conf has only the monitor line + down-after + failover-timeout.
# Part 1 (RUNS runs): all hosts up; time from start to each +slave / +sentinel event.
# Part 2: host 3 cut off from hosts 1-2 before the Sentinels start; then host 1 cut too; then host 3 healed;
#         then everything healed. Each Sentinel's view is recorded after each step.
# usage: exp10_discovery.sh [RUNS]
RUNS=${1:-2}
cd "$(dirname "$0")"; source ./lib.sh
view() { for i in 1 2 3; do
  local m; m=$(scli $i sentinel master mymaster 2>/dev/null | tr -d '\r' | paste - - | awk '$1~/^(flags|num-slaves|num-other-sentinels|ip)$/{printf "%s=%s ",$1,$2}')
  log "  s$i: $m master-addr=$(master_of $i) replicas=[$(scli $i sentinel replicas mymaster 2>/dev/null | tr -d '\r' | paste - - | awk '$1=="name"{printf "%s ",$2}')]"; done; }
for run in $(seq 1 $RUNS); do
  new_exp exp10-part1-run$run; net_down; net_up 3 || exit 1
  start_servers; wait_sync 1 2
  log "START sentinels"; start_sentinels
  sleep 12; view; stop_all
  ./timeline.py $EXP START | grep -E 'START|\+monitor|\+slave|\+sentinel|Sentinel ID' > $EXP/timeline.txt
  echo "== part1 run $run"; cat $EXP/timeline.txt
done
new_exp exp10-part2; net_down; net_up 3 || exit 1
start_servers; wait_sync 1 2
log "CUT host3"; isolate 3
log "START sentinels"; start_sentinels
sleep 15; log "A: host3 cut, 15 s after start"; view
log "CUT host1 too"; isolate 1
sleep 15; log "B: hosts 1 and 3 both cut, 15 s"; view
log "HEAL host3 only (host1 still cut)"; ip netns exec sblr3 iptables -F
sleep 20; log "C: host3 healed, host1 still cut, 20 s"; view
log "HEAL all"; heal
sleep 15; log "D: all healed, 15 s"; view
stop_all 2>/dev/null
./timeline.py $EXP 'START' | grep -v 'Memory overcommit\|Accepted\|Client closed' | grep -E 'events|\+monitor|\+slave|\+sentinel|sdown|odown|failover|vote|elected|leader|selected|promoted|switch|convert|tilt' > $EXP/timeline.txt
echo "== part2 $EXP/timeline.txt"; cat $EXP/timeline.txt
net_down   # remove namespaces and bridge
