#!/bin/bash
# Exp B: does Redis 7.0.15 expire a `SET k v NX PX 10000` key early when the server's wall
# clock jumps forward? The machine clock cannot be changed, so only the clock redis-server
# sees is shifted.
#  Step 0: try libfaketime (the planned method): redis-server under LD_PRELOAD=libfaketime with
#          FAKETIME_TIMESTAMP_FILE + FAKETIME_NO_CACHE=1. Recorded: it hangs at start-up
#          (libfaketime vs. jemalloc recursion on clock_gettime, libfaketime issue #130).
#  Steps 1-5: unmodified redis-server, with gdb attached running redis_clock_shim.py, which
#          adds an offset (read from a file at every call) to every gettimeofday() result
#          Redis's own code gets. Offset file written = the clock step. A fresh server per case.
# Real clock = this shell's $EPOCHREALTIME.
HERE=$(cd $(dirname $0) && pwd)
EXP=/tmp/real-locks/expB; rm -rf $EXP; mkdir -p $EXP
PORT=16379
ts() { echo "$EPOCHREALTIME"; }
log() { echo "$(date -u +%H:%M:%S.%3N) $*" | tee -a $EXP/log.txt; }
cli() { redis-cli -p $PORT "$@"; }
r() { local t=$(ts); local out; out=$(cli "$@" 2>&1 | tr '\n' ' '); log "  [real $t] $* -> $out"; }
srvtime() { local t=$(ts); local a=($(cli TIME)); local s=${a[0]}.$(printf %06d ${a[1]})
  log "  [real $t] server TIME = $s (server - real = $(awk -v s=$s -v r=$t 'BEGIN{printf "%+.3f", s-r}') s)"; }

# ---------- step 0: libfaketime attempt
FT=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1; echo "+0" > $EXP/faketime.rc
log "libfaketime $(dpkg -s libfaketime | awk '/^Version/{print $2}'): starting redis-server under it"
LD_PRELOAD=$FT FAKETIME_TIMESTAMP_FILE=$EXP/faketime.rc FAKETIME_NO_CACHE=1 FAKETIME_DONT_FAKE_MONOTONIC=1 \
  redis-server --port $PORT --bind 127.0.0.1 --save "" --appendonly no --dir $EXP > $EXP/faketime-attempt.out 2>&1 &
FP=$!; sleep 3
log "  after 3 s: PING -> $(cli PING 2>&1); process state $(ps -o stat=,wchan= -p $FP)"
sed 's/^/  | /' $EXP/faketime-attempt.out | tee -a $EXP/log.txt
kill -9 $FP; wait $FP 2>/dev/null; rm -f $EXP/faketime.rc

# ---------- gdb clock shim set-up (addresses from the installed binary)
objdump -d --no-show-raw-insn /usr/bin/redis-server > $EXP/redis.dis
export SHIM_PLT=$(awk '/<gettimeofday@plt>:$/{print $1; exit}' $EXP/redis.dis)
export SHIM_REF=$(nm -D /usr/bin/redis-server | awk '$3=="ustime"{print $1}')
awk '/call.*<gettimeofday@plt>/{f=1; next} f && /^ +[0-9a-f]+:/{sub(":","",$1); print $1; f=0}' $EXP/redis.dis > $EXP/sites.txt
export SHIM_SITES=$EXP/sites.txt SHIM_OFFSET_FILE=$EXP/offset
log "shim: gettimeofday@plt=0x$SHIM_PLT, ustime=0x$SHIM_REF, $(wc -w < $EXP/sites.txt) call sites"

start() { echo 0 > $SHIM_OFFSET_FILE
  redis-server --port $PORT --bind 127.0.0.1 --save "" --appendonly no --dir $EXP --logfile $EXP/redis-$1.log &
  SRV=$!; for k in $(seq 1 100); do cli PING >/dev/null 2>&1 && break; sleep 0.05; done
  gdb -q -batch -p $SRV -ex 'set pagination off' -ex 'set confirm off' \
    -ex 'handle SIGPIPE SIGTERM SIGINT SIGUSR1 SIGUSR2 SIGALRM nostop noprint pass' \
    -x $HERE/redis_clock_shim.py -ex continue > $EXP/gdb-$1.log 2>&1 &
  GDB=$!; for k in $(seq 1 100); do grep -q 'redis_clock_shim:' $EXP/gdb-$1.log && break; sleep 0.05; done; sleep 0.3
  log "case $1: redis-server pid $SRV ($(cli INFO server | grep -E '^redis_version' | tr -d '\r')), gdb pid $GDB: $(grep 'redis_clock_shim:' $EXP/gdb-$1.log)"; }
stop() { kill $SRV; wait $GDB 2>/dev/null; wait $SRV 2>/dev/null; log "redis-server $SRV stopped"; }
jump() { log "  [real $(ts)] CLOCK STEP: offset file <- $1 s"; echo "$1" > $SHIM_OFFSET_FILE; }
stats() { log "  INFO: $(cli INFO stats | grep -a '^expired_keys' | tr -d '\r'), dbsize=$(cli DBSIZE)"; }

# ---------- case 0: control, no clock change
start control; srvtime
r SET k v NX PX 10000; r PTTL k; sleep 1; r PTTL k; r GET k; r SET k v2 NX PX 10000
stop
# ---------- case 1: +20 s right after SET, then touch the key at once
start plus20; srvtime
r SET k v NX PX 10000; r PTTL k
jump 20; r PTTL k; r GET k; r EXISTS k; srvtime; r SET k v2 NX PX 10000; r GET k; r PTTL k; stats
stop
# ---------- case 2: +20 s, then do not touch the key for 0.5 s (background expiry?)
start plus20_idle; srvtime
r SET k v NX PX 10000; stats
jump 20; sleep 0.5; stats; r GET k
stop
# ---------- case 3: +5 s right after SET
start plus5; srvtime
r SET k v NX PX 10000; r PTTL k
jump 5; r PTTL k; r GET k; srvtime; r SET k v2 NX PX 10000
log "  sleep 4.5 s real (server clock then ~9.6 s after the SET), then 0.7 s more"
sleep 4.5; r PTTL k; r GET k; sleep 0.7; r PTTL k; r GET k
stop
# ---------- case 4 (extra): -20 s right after SET
start minus20; srvtime
r SET k v NX PX 10000; r PTTL k
jump -20; r PTTL k; r GET k; srvtime; log "  sleep 11 s real"; sleep 11; r PTTL k; r GET k
stop
rm -f $EXP/redis.dis
