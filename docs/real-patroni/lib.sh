# Helpers for the real-Patroni experiments (Split-Brain Lab). Source me (as root).
# Network K (1..9): bridge sblpgK, namespaces pK1..pK3 = 10.9K.0.1..3 (each: etcd member + PostgreSQL 15 + Patroni 3.0.2)
# Patroni talks only to its local etcd member (etcd3: host: 10.9K.0.i:2379), v3 API.
# Usage: K=1 EXP=/tmp/pgreal/b1 ; source lib.sh
: ${K:=1}
BR=sblpg$K; NET=10.9$K.0
log() { echo "$(date -u +%H:%M:%S.%3N) $*" | tee -a "$EXP/events.log"; }
ns() { echo p$K$1; }
net_up() {
  ip link add $BR type bridge 2>/dev/null; ip link set $BR up
  for i in 1 2 3; do local n=$(ns $i)
    ip netns add $n; ip link add v$n type veth peer name eth0 netns $n
    ip link set v$n master $BR up
    ip -n $n addr add $NET.$i/24 dev eth0; ip -n $n link set eth0 up; ip -n $n link set lo up
  done
}
net_down() { for i in 1 2 3; do ip netns del $(ns $i) 2>/dev/null; ip link del v$(ns $i) 2>/dev/null; done; ip link del $BR 2>/dev/null; true; }

etcd_up() {
  local ic="" tok=sblpg-$K-$$-$RANDOM
  for i in 1 2 3; do ic="$ic${ic:+,}n$i=http://$NET.$i:2380"; done
  for i in 1 2 3; do
    ip netns exec $(ns $i) etcd --name n$i --data-dir $EXP/etcd/n$i \
      --listen-peer-urls http://$NET.$i:2380 --initial-advertise-peer-urls http://$NET.$i:2380 \
      --listen-client-urls http://$NET.$i:2379,http://127.0.0.1:2379 --advertise-client-urls http://$NET.$i:2379 \
      --initial-cluster "$ic" --initial-cluster-state new --initial-cluster-token $tok \
      --logger zap --log-outputs stderr >$EXP/etcd-n$i.log 2>&1 &
    echo $! > $EXP/etcd-n$i.pid
  done
}

# write patroni config for node i; SYNC=true|false
patroni_cfg() { local i=$1
  mkdir -p $EXP/pg/n$i $EXP/sock/n$i; chown -R postgres:postgres $EXP/pg $EXP/sock; chmod 700 $EXP/pg/n$i
  cat > $EXP/patroni-n$i.yml <<Y
scope: sbl
namespace: /service/
name: n$i
log:
  level: INFO
  format: '%(asctime)s %(levelname)s: %(message)s'
restapi:
  listen: $NET.$i:8008
  connect_address: $NET.$i:8008
etcd3:
  host: $NET.$i:2379
bootstrap:
  dcs:
    ttl: 30
    loop_wait: 10
    retry_timeout: 10
    maximum_lag_on_failover: 1048576
    synchronous_mode: ${SYNC:-false}
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_log_hints: 'on'
        max_wal_senders: 10
        max_replication_slots: 10
        wal_keep_size: 256MB
  initdb:
  - encoding: UTF8
  pg_hba:
  - local all all trust
  - host all all 127.0.0.1/32 trust
  - host replication all $NET.0/24 trust
  - host all all $NET.0/24 trust
postgresql:
  listen: '*:5432'
  connect_address: $NET.$i:5432
  data_dir: $EXP/pg/n$i/data
  bin_dir: /usr/lib/postgresql/15/bin
  pgpass: $EXP/pg/n$i/pgpass
  authentication:
    replication: {username: replicator, password: rep}
    superuser: {username: postgres, password: pg}
    rewind: {username: postgres, password: pg}
  parameters:
    unix_socket_directories: '$EXP/sock/n$i'
watchdog:
  mode: off
Y
}
patroni_start() { local i=$1
  ip netns exec $(ns $i) runuser -u postgres -- ${PATRONI_BIN:-/usr/bin/patroni} $EXP/patroni-n$i.yml >>$EXP/patroni-n$i.log 2>&1 &
  echo $! > $EXP/patroni-n$i.pid
}
# psql to node i from inside namespace j (default i)
# n1's Patroni first, until it is primary; then n2 and n3, until both stream (and, with
# SYNC=true, one is synchronous).
cluster_up() {
  patroni_start 1
  for k in $(seq 1 60); do [ "$(role 1)" = "primary tl=1" ] && break; sleep 1; done
  log "n1: $(role 1)"
  patroni_start 2; patroni_start 3
  for k in $(seq 1 90); do c=$(q 1 "select count(*) from pg_stat_replication where state='streaming'"); [ "$c" = 2 ] && break; sleep 1; done
  [ $SYNC = true ] && for k in $(seq 1 30); do s=$(q 1 "select count(*) from pg_stat_replication where sync_state='sync'"); [ "$s" = 1 ] && break; sleep 1; done
  return 0
}
q() { local i=$1; shift; ip netns exec $(ns $i) runuser -u postgres -- psql -h $NET.$i -U postgres -d postgres -XAtq -c "$*" 2>&1; }
role() { q $1 "select case when pg_is_in_recovery() then 'replica' else 'primary' end || ' tl=' || (select timeline_id from pg_control_checkpoint())" ; }
ctl() { ip netns exec $(ns $1) etcdctl --endpoints=http://$NET.$1:2379 "${@:2}"; }
leaderkey() { ctl $1 --command-timeout=2s get --consistency=s /service/sbl/leader --print-value-only 2>&1 | head -1; }
plist() { ip netns exec $(ns $1) runuser -u postgres -- patronictl -c $EXP/patroni-n$1.yml list 2>&1; }

# cut node i from the others: ALL traffic (ports empty) or only listed tcp ports (e.g. "2379 2380")
cut() { local i=$1 ports="$2" n=$(ns $1)
  for j in 1 2 3; do [ $j = $i ] && continue
    if [ -z "$ports" ]; then
      ip netns exec $n iptables -A INPUT -s $NET.$j -j DROP; ip netns exec $n iptables -A OUTPUT -d $NET.$j -j DROP
    else for p in $ports; do
      ip netns exec $n iptables -A INPUT -s $NET.$j -p tcp --dport $p -j DROP; ip netns exec $n iptables -A INPUT -s $NET.$j -p tcp --sport $p -j DROP
      ip netns exec $n iptables -A OUTPUT -d $NET.$j -p tcp --dport $p -j DROP; ip netns exec $n iptables -A OUTPUT -d $NET.$j -p tcp --sport $p -j DROP
    done; fi
  done; }
heal() { for i in 1 2 3; do ip netns exec $(ns $i) iptables -F; done; }

stop_all() {
  for f in $EXP/writer*.pid $EXP/patroni-n*.pid; do [ -f $f ] && kill $(cat $f) 2>/dev/null; done
  sleep 5
  for f in $EXP/patroni-n*.pid; do [ -f $f ] && kill -9 $(cat $f) 2>/dev/null; done
  # postgres started by patroni (postmaster pid file)
  for i in 1 2 3; do p=$(head -1 $EXP/pg/n$i/data/postmaster.pid 2>/dev/null); [ -n "$p" ] && kill -QUIT $p 2>/dev/null; done
  for f in $EXP/etcd-n*.pid; do kill $(cat $f) 2>/dev/null; done; sleep 1
  for f in $EXP/etcd-n*.pid; do kill -9 $(cat $f) 2>/dev/null; done; true
}
# one status line: each node's view of the leader key (from its local etcd member, serializable) and pg role/timeline
poll_once() { local tag=$1 line="$1" tmp=$EXP/.poll; mkdir -p $tmp
  for i in 1 2 3; do
    ( ctl $i --command-timeout=1s get --consistency=s /service/sbl/leader --print-value-only 2>/dev/null | head -1 > $tmp/k$i ) & pids="$pids $!"
    ( PGCONNECT_TIMEOUT=1 timeout 2 ip netns exec $(ns $i) runuser -u postgres -- psql -h $NET.$i -U postgres -d postgres -XAtq -c "select case when pg_is_in_recovery() then 'replica' else 'PRIMARY' end || '/tl' || (select timeline_id from pg_control_checkpoint())" 2>/dev/null | head -1 > $tmp/r$i ) & pids="$pids $!"
  done; wait $pids
  for i in 1 2 3; do line="$line | n$i key=$(cat $tmp/k$i) pg=$(cat $tmp/r$i)"; done
  log "$line"
}
