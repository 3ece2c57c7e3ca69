# Shared helpers for the real-Redis experiments (Split-Brain Lab). Source me (as root).
# Private network: bridge sblrbr0 (root ns, no IP); namespaces sblr1..sblr3 = hosts 10.99.1.1..3,
# client namespace sblrc = 10.99.1.100. Each host runs redis-server :6379 and redis-sentinel :26379.
# All traffic stays on this machine.
BASE=${BASE:-/tmp/redis-real}
BR=sblrbr0
NET=10.99.1
RPY=/usr/bin/python3          # Debian python3 with python3-redis (redis-py 4.3.4)

ts() { date +%s.%N | cut -c1-14; }
log() { local t; t=$(ts); echo "$t $(date -u -d @$t +%H:%M:%S.%3N) $*" | tee -a "$EXP/events.log"; }

net_up() {   # $1 = number of hosts
  local n=${1:-3}
  ip link add $BR type bridge 2>/dev/null; ip link set $BR up
  for i in $(seq 1 $n) c; do
    local ns=sblr$i ip=$NET.$i; [ $i = c ] && ip=$NET.100
    ip netns add $ns
    ip link add v$ns type veth peer name eth0 netns $ns
    ip link set v$ns master $BR up
    ip -n $ns addr add $ip/24 dev eth0
    ip -n $ns link set eth0 up; ip -n $ns link set lo up
  done
  for i in $(seq 1 $n); do ip -n sblr$i -o addr show dev eth0 2>/dev/null | grep -q "$NET.$i/" || { echo "net_up FAILED for sblr$i" >&2; return 1; }; done
}
net_down() {
  for ns in $(ip netns list | awk '{print $1}' | grep '^sblr'); do ip netns del $ns; done
  ip link del $BR 2>/dev/null
  # namespace teardown is asynchronous: wait until the root-side veth ends are gone
  for k in $(seq 1 50); do ip -o link | grep -q ' vsblr' || break; sleep 0.1; done
  for l in $(ip -o link | awk -F': ' '{print $2}' | grep '^vsblr' | cut -d@ -f1); do ip link del $l 2>/dev/null; done
  true
}
# new_exp NAME : fresh directory $EXP
new_exp() { EXP=$BASE/$1-$(date +%H%M%S); rm -rf "$EXP"; mkdir -p "$EXP"; export EXP; }

# write_server_conf I EXTRA... ; host 1 is master, others replicaof host 1 unless NOREPL=1
write_server_conf() {
  local i=$1; shift
  mkdir -p $EXP/data/r$i
  { echo "port 6379"; echo "bind 0.0.0.0"; echo "protected-mode no"; echo "daemonize no"
    echo "dir $EXP/data/r$i"; echo "logfile $EXP/redis$i.log"; echo "loglevel ${RLOGLEVEL:-notice}"
    echo 'save ""'; echo "appendonly no"
    [ "$i" != 1 ] && [ -z "$NOREPL" ] && echo "replicaof $NET.1 6379"
    for l in "$@"; do echo "$l"; done; } > $EXP/redis$i.conf
}
write_sentinel_conf() {
  local i=$1; shift
  mkdir -p $EXP/data/s$i
  { echo "port 26379"; echo "bind 0.0.0.0"; echo "protected-mode no"; echo "daemonize no"
    echo "dir $EXP/data/s$i"; echo "logfile $EXP/sentinel$i.log"; echo "loglevel ${SLOGLEVEL:-verbose}"
    echo "sentinel monitor mymaster $NET.1 6379 ${QUORUM:-2}"
    echo "sentinel down-after-milliseconds mymaster ${DOWNAFTER:-5000}"
    echo "sentinel failover-timeout mymaster ${FOTIMEOUT:-60000}"
    for l in "$@"; do echo "$l"; done; } > $EXP/sentinel$i.conf
}
start_server()   { ip netns exec sblr$1 redis-server $EXP/redis$1.conf >>$EXP/redis$1.out 2>&1 & echo $! > $EXP/redis$1.pid; }
start_sentinel() { ip netns exec sblr$1 redis-sentinel $EXP/sentinel$1.conf >>$EXP/sentinel$1.out 2>&1 & echo $! > $EXP/sentinel$1.pid; }
pid_of() { cat $EXP/$1.pid; }

# start_all [server-extra-lines...] : writes confs and starts 3 servers, waits for sync, then 3 sentinels
start_servers() { for i in 1 2 3; do write_server_conf $i "$@"; start_server $i; done; }
start_sentinels() { for i in 1 2 3; do write_sentinel_conf $i; start_sentinel $i; done; }
stop_all() {
  for f in $EXP/*.pid; do [ -f "$f" ] || continue; p=$(cat $f); kill -CONT $p 2>/dev/null; kill $p 2>/dev/null; done
  for f in $EXP/*.pid; do [ -f "$f" ] || continue; p=$(cat $f)
    for k in $(seq 1 50); do kill -0 $p 2>/dev/null || break; sleep 0.1; done; kill -9 $p 2>/dev/null; done; true; }

# cli HOST ARGS... (run from the client namespace, 1 s timeout-ish)
cli()  { local h=$1; shift; ip netns exec sblrc timeout 3 redis-cli -h $NET.$h -p 6379 "$@"; }
scli() { local h=$1; shift; ip netns exec sblrc timeout 3 redis-cli -h $NET.$h -p 26379 "$@"; }
info_field() { cli $1 info ${3:-replication} 2>/dev/null | tr -d '\r' | awk -F: -v k=$2 '$1==k{print $2}'; }

wait_sync() {  # wait until host $1 (master) reports $2 replicas online
  local m=${1:-1} want=${2:-2}
  for k in $(seq 1 100); do
    local n; n=$(cli $m info replication 2>/dev/null | grep -c 'state=online')
    [ "$n" -ge "$want" ] && return 0; sleep 0.2
  done; echo "wait_sync timeout" >&2; return 1
}
wait_sentinels_know() { # wait until each sentinel knows 2 replicas and 2 other sentinels
  for k in $(seq 1 150); do local ok=1
    for i in 1 2 3; do
      local o; o=$(scli $i sentinel master mymaster 2>/dev/null | tr -d '\r' | paste - - | awk '$1=="num-slaves"||$1=="num-other-sentinels"{print $2}' | tr '\n' ' ')
      [ "$o" = "2 2 " ] || ok=0
    done
    [ $ok = 1 ] && return 0; sleep 0.2
  done; echo "wait_sentinels_know timeout" >&2; return 1
}
master_of() { scli ${1:-1} sentinel get-master-addr-by-name mymaster 2>/dev/null | head -1; }

# cut host i off from all other hosts (both directions); the client namespace still reaches it
isolate() { local i=$1; for j in 1 2 3; do [ $j = $i ] && continue
  ip netns exec sblr$i iptables -A INPUT -s $NET.$j -j DROP; ip netns exec sblr$i iptables -A OUTPUT -d $NET.$j -j DROP; done; }
block_pair() { local i=$1 j=$2
  ip netns exec sblr$i iptables -A INPUT -s $NET.$j -j DROP; ip netns exec sblr$i iptables -A OUTPUT -d $NET.$j -j DROP
  ip netns exec sblr$j iptables -A INPUT -s $NET.$i -j DROP; ip netns exec sblr$j iptables -A OUTPUT -d $NET.$i -j DROP; }
heal() { for i in 1 2 3; do ip netns exec sblr$i iptables -F; done; }

# redis log time "27 Nov 2026 23:54:35.123" -> epoch via timeline.py; grep helper prints matching lines
lines() { grep -hE "$1" "${@:2}"; }
