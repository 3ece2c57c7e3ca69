#!/bin/bash
# Exp 11: how redis-server / redis-sentinel 7.0.15 parse single config lines.
# Each file = a small base config + ONE line under test. Runs in a namespace that has only loopback
# (so a line naming another address cannot send anything anywhere). Refused -> the FATAL text;
# accepted -> the resulting value (CONFIG GET / SENTINEL MASTER).
cd "$(dirname "$0")"; source ./lib.sh
OUT=$BASE/exp11; rm -rf $OUT; mkdir -p $OUT
ip netns del sblrcfg 2>/dev/null; ip netns add sblrcfg; ip -n sblrcfg link set lo up
n=0
try() {  # try server|sentinel "LINE" "CHECK-CMD(redis-cli args)" [EXTRA-PRE-LINE]
  local kind=$1 line=$2 check=$3 pre=$4; n=$((n+1)); local f=$OUT/t$n.conf port
  if [ $kind = server ]; then port=7000; printf 'port %s\nbind 127.0.0.1\ndaemonize no\ndir %s\n' $port $OUT > $f
  else port=27000; printf 'port %s\nbind 127.0.0.1\ndaemonize no\ndir %s\n' $port $OUT > $f; fi
  [ -n "$pre" ] && echo "$pre" >> $f
  echo "$line" >> $f
  local bin=redis-server; [ $kind = sentinel ] && bin=redis-sentinel
  ip netns exec sblrcfg $bin $f > $OUT/t$n.out 2>&1 & local p=$!
  sleep 0.6
  if kill -0 $p 2>/dev/null; then
    local v; v=$(ip netns exec sblrcfg redis-cli -p $port $check 2>&1 | tr '\n' ' ')
    echo "| $kind | \`$line\` | ACCEPTED | \`$check\` -> $v |"
    kill $p; wait $p 2>/dev/null
  else
    wait $p; local rc=$?
    local msg; msg=$(grep -v '^$' $OUT/t$n.out | grep -vi 'oO0OoO0\|Redis version\|Configuration loaded\|just started\|monotonic' | tr '\n' ' ' | sed 's/|/\\|/g')
    echo "| $kind | \`$line\` | REFUSED (exit $rc) | $msg |"
  fi
}
SM='sentinel monitor mymaster 127.0.0.1 6390 2'
smf() { echo "sentinel master mymaster"; }
{
echo "| kind | line under test | result | message / value |"; echo "|---|---|---|---|"
try server 'min-replicas-to-write -1'        'config get min-replicas-to-write'
try server 'min-replicas-to-write abc'       'config get min-replicas-to-write'
try server 'replicaof 10.0.0.1'              'config get replicaof'
try server 'replicaof 10.0.0.1 notaport'     'config get replicaof'
try server 'repl-timeout 0'                  'config get repl-timeout'
try server 'repl-backlog-size 10'            'config get repl-backlog-size'
try server 'repl-backlog-size 1x'            'config get repl-backlog-size'
try server 'appendonly maybe'                'config get appendonly'
try server 'save "900 1 300"'                'config get save'
try server 'save 900'                        'config get save'
try server 'frobnicate yes'                  'config get frobnicate'
try server 'replica-priority -5'             'config get replica-priority'
try server 'repl-diskless-sync-delay -1'     'config get repl-diskless-sync-delay'
try server 'min-replicas-max-lag -1'         'config get min-replicas-max-lag'
try server 'replica-priority 0'              'config get replica-priority'
try server 'replica-priority 2147483647'     'config get replica-priority'
try server 'replica-priority 2147483648'     'config get replica-priority'
try server 'slave-priority 0'                'config get replica-priority'
try server 'slave-priority 42'               'config get slave-priority'
try server 'slaveof 127.0.0.1 6390'          'config get replicaof'
try server 'slaveof no one'                  'config get replicaof'
try server 'min-slaves-to-write 2'           'config get min-replicas-to-write'
try server 'repl-backlog-size 1mb'           'config get repl-backlog-size'
try server 'save ""'                         'config get save'
try server 'save 900 1 300 10'               'config get save'
try server 'appendonly YES'                  'config get appendonly'
try sentinel 'sentinel monitor mymaster 10.0.0.1 6379 0'  'sentinel masters'
try sentinel 'sentinel monitor mymaster 10.0.0.1 6379'    'sentinel masters'
try sentinel 'sentinel down-after-milliseconds mymaster 0' "$(smf)" "$SM"
try sentinel 'sentinel down-after-milliseconds othermaster 5000' "$(smf)" "$SM"
try sentinel 'sentinel parallel-syncs mymaster 0' "$(smf)" "$SM"
try sentinel 'sentinel failover-timeout mymaster abc' "$(smf)" "$SM"
try sentinel 'sentinel frob mymaster 1' "$(smf)" "$SM"
try sentinel 'sentinel down-after-milliseconds mymaster -1' "$(smf)" "$SM"
try sentinel 'sentinel down-after-milliseconds mymaster abc' "$(smf)" "$SM"
try sentinel 'sentinel parallel-syncs mymaster -1' "$(smf)" "$SM"
try sentinel 'sentinel failover-timeout mymaster 0' "$(smf)" "$SM"
try sentinel 'sentinel down-after-milliseconds mymaster 5000' "$(smf)"
try sentinel 'sentinel monitor mymaster 127.0.0.1 6390 5' "$(smf)"
} | tee $OUT/results.md
ip netns del sblrcfg
