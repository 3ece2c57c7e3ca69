# Shared helpers for the real-etcd experiments (Split-Brain Lab). Source me.
# Private network: bridge sblbr0 (root ns, no IP), namespaces sbl1..sblN = 10.99.0.N, client ns sblc = 10.99.0.100
BASE=/tmp/etcd-real
BR=sblbr0

log() { echo "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) $*" | tee -a "$EXP/events.log"; }

net_up() {   # $1 = number of members
  local n=$1
  ip link add $BR type bridge 2>/dev/null; ip link set $BR up
  for i in $(seq 1 $n) c; do
    local ns=sbl$i ip=10.99.0.$i; [ $i = c ] && ip=10.99.0.100
    ip netns add $ns
    ip link add v$ns type veth peer name eth0 netns $ns
    ip link set v$ns master $BR up
    ip -n $ns addr add $ip/24 dev eth0
    ip -n $ns link set eth0 up; ip -n $ns link set lo up
  done
}
net_down() {
  for ns in $(ip netns list | awk '{print $1}' | grep '^sbl'); do ip netns del $ns; done
  ip link del $BR 2>/dev/null; true
}

# start_cluster N prevote(true|false) ; logs in $EXP/nI.log
start_cluster() {
  local n=$1 pv=$2 ic="" tok=sbl-$(basename $EXP)-$$-$RANDOM
  for i in $(seq 1 $n); do ic="$ic${ic:+,}n$i=http://10.99.0.$i:2380"; done
  for i in $(seq 1 $n); do
    rm -rf $EXP/data/n$i; mkdir -p $EXP/data
    ip netns exec sbl$i etcd --name n$i --data-dir $EXP/data/n$i \
      --listen-peer-urls http://10.99.0.$i:2380 --initial-advertise-peer-urls http://10.99.0.$i:2380 \
      --listen-client-urls http://10.99.0.$i:2379 --advertise-client-urls http://10.99.0.$i:2379 \
      --initial-cluster "$ic" --initial-cluster-state new --initial-cluster-token $tok \
      --heartbeat-interval 100 --election-timeout 1000 --pre-vote=$pv \
      --logger zap --log-outputs stderr >$EXP/n$i.log 2>&1 &
    echo $! > $EXP/n$i.pid
  done
}
stop_cluster() { for f in $EXP/n*.pid; do p=$(cat $f); kill -CONT $p 2>/dev/null; kill $p 2>/dev/null; done
  for f in $EXP/n*.pid; do p=$(cat $f); for k in $(seq 1 50); do kill -0 $p 2>/dev/null || break; sleep 0.2; done; kill -9 $p 2>/dev/null; done; true; }

ctl() { local i=$1; shift; ip netns exec sblc etcdctl --endpoints=http://10.99.0.$i:2379 "$@"; }
allep() { local n=$1 e=""; for i in $(seq 1 $n); do e="$e${e:+,}http://10.99.0.$i:2379"; done; echo $e; }
status() { ip netns exec sblc etcdctl --endpoints=$(allep $1) --command-timeout=2s endpoint status -w table 2>&1; }
# status_json i -> "leaderid term raftindex memberid"
st() { ctl $1 --command-timeout=1s endpoint status -w json 2>/dev/null | jq -r '.[0].Status | "leader=\(.leader) term=\(.raft_term) idx=\(.raft_index) applied=\(.raftAppliedIndex) me=\(.header.member_id)"'; }
leader_idx() { # prints member number (1..n) of current leader per member 1's view
  local n=$1
  for i in $(seq 1 $n); do
    local j; j=$(ctl $i --command-timeout=1s endpoint status -w json 2>/dev/null) || continue
    local l m; l=$(echo "$j" | jq -r '.[0].Status.leader'); m=$(echo "$j" | jq -r '.[0].Status.header.member_id')
    [ "$l" = "$m" ] && { echo $i; return; }
  done; echo none
}
wait_leader() { local n=$1; for k in $(seq 1 20); do l=$(leader_idx $n); [ "$l" != none ] && { echo $l; return; }; sleep 0.5; done; echo none; }

# cut i off from all other members (both directions); clients (10.99.0.100) still reach it
isolate() { local i=$1 n=$2; for j in $(seq 1 $n); do [ $j = $i ] && continue
  ip netns exec sbl$i iptables -A INPUT -s 10.99.0.$j -j DROP; ip netns exec sbl$i iptables -A OUTPUT -d 10.99.0.$j -j DROP; done; }
# block between groups: block_pair i j (both directions, rules in both namespaces)
block_pair() { local i=$1 j=$2
  ip netns exec sbl$i iptables -A INPUT -s 10.99.0.$j -j DROP; ip netns exec sbl$i iptables -A OUTPUT -d 10.99.0.$j -j DROP
  ip netns exec sbl$j iptables -A INPUT -s 10.99.0.$i -j DROP; ip netns exec sbl$j iptables -A OUTPUT -d 10.99.0.$i -j DROP; }
heal() { local n=$1; for i in $(seq 1 $n); do ip netns exec sbl$i iptables -F; done; }

# raft lines from logs with timestamps
raftlines() { grep -hE 'became|elected leader|lost leader|stepped down|starting a new election|pre-vote|ignored|rejected|vote|term' "$@" | jq -r '"\(.ts) \(.msg)"' 2>/dev/null; }
