# Shared helpers for the real-locks experiments (Split-Brain Lab). Source me.
# Same style as ../real-etcd/lib.sh, but the 3 members run on loopback with distinct ports
# (member i: client 127.0.0.1:2379i, peer 127.0.0.1:2380i) instead of network namespaces.
BASE=/tmp/real-locks

log() { echo "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) $*" | tee -a "$EXP/events.log"; }

# start_cluster N ; logs in $EXP/nI.log, pids in $EXP/nI.pid
start_cluster() {
  local n=$1 ic="" tok=sbl-locks-$$-$RANDOM
  for i in $(seq 1 $n); do ic="$ic${ic:+,}n$i=http://127.0.0.1:2380$i"; done
  for i in $(seq 1 $n); do
    rm -rf $EXP/data/n$i; mkdir -p $EXP/data
    etcd --name n$i --data-dir $EXP/data/n$i \
      --listen-peer-urls http://127.0.0.1:2380$i --initial-advertise-peer-urls http://127.0.0.1:2380$i \
      --listen-client-urls http://127.0.0.1:2379$i --advertise-client-urls http://127.0.0.1:2379$i \
      --initial-cluster "$ic" --initial-cluster-state new --initial-cluster-token $tok \
      --heartbeat-interval 100 --election-timeout 1000 \
      --logger zap --log-outputs stderr >$EXP/n$i.log 2>&1 &
    echo $! > $EXP/n$i.pid
  done
}
stop_cluster() { for f in $EXP/n*.pid; do p=$(cat $f); kill -CONT $p 2>/dev/null; kill $p 2>/dev/null; done
  for f in $EXP/n*.pid; do p=$(cat $f); for k in $(seq 1 50); do kill -0 $p 2>/dev/null || break; sleep 0.2; done; kill -9 $p 2>/dev/null; done; true; }

allep() { local n=$1 e=""; for i in $(seq 1 $n); do e="$e${e:+,}http://127.0.0.1:2379$i"; done; echo $e; }
ctl() { etcdctl --endpoints=$(allep 3) "$@"; }
ctl1() { local i=$1; shift; etcdctl --endpoints=http://127.0.0.1:2379$i "$@"; }
status() { etcdctl --endpoints=$(allep $1) --command-timeout=2s endpoint status -w table 2>&1; }
leader_idx() {
  local n=$1
  for i in $(seq 1 $n); do
    local j; j=$(ctl1 $i --command-timeout=1s endpoint status -w json 2>/dev/null) || continue
    local l m; l=$(echo "$j" | jq -r '.[0].Status.leader'); m=$(echo "$j" | jq -r '.[0].Status.header.member_id')
    [ "$l" = "$m" ] && { echo $i; return; }
  done; echo none
}
wait_leader() { local n=$1; for k in $(seq 1 20); do l=$(leader_idx $n); [ "$l" != none ] && { echo $l; return; }; sleep 0.5; done; echo none; }

# stamp every line of stdin with the wall clock (bash $EPOCHREALTIME, µs, no fork)
stamp() { while IFS= read -r l; do echo "$EPOCHREALTIME $l"; done; }
now() { echo $EPOCHREALTIME; }
# keys under a prefix as "key create_rev mod_rev lease_dec lease_hex" lines + header revision
locks() { ctl get --prefix "$1" -w json | python3 -c '
import json,sys,base64
d=json.load(sys.stdin)   # python ints keep the 64-bit lease id exact (jq would round it)
print("header_rev=%d" % d["header"]["revision"])
for kv in d.get("kvs", []):
    print("%s create_revision=%d mod_revision=%d lease=%d lease_hex=%x" % (base64.b64decode(kv["key"]).decode(), kv["create_revision"], kv["mod_revision"], kv.get("lease",0), kv.get("lease",0)))
'; }
