#!/bin/bash
# Exp A: what `etcdctl lock --ttl=10` does when its holder is paused (SIGSTOP, "GC pause").
# One 3-member loopback cluster (heartbeat 100 ms, election timeout 1000 ms), then REPS runs of:
#   client 1 takes the lock -> poll its lease TTL every 200 ms -> random 2..5.5 s later SIGSTOP
#   client 1 (T0) and start client 2 -> time until client 2 prints the key (acquired) ->
#   revisions of both keys -> SIGCONT client 1 at T0+15 s -> what client 1 does (output, exit).
HERE=$(cd $(dirname $0) && pwd); source $HERE/lib.sh
export EXP=$BASE/expA; rm -rf $EXP; mkdir -p $EXP
REPS=${REPS:-3}; PAUSE=${PAUSE:-15}
N=3; start_cluster $N; L=$(wait_leader $N); log "cluster up, leader n$L (pid $(cat $EXP/n$L.pid))"
status $N | tee -a $EXP/events.log

# wait_line FILE TIMEOUT_S -> prints first line of FILE once it exists (poll 10 ms)
wait_line() { local f=$1 t=$2 k; for k in $(seq 1 $((t*100))); do [ -s $f ] && { head -1 $f; return 0; }; sleep 0.01; done; return 1; }
ttl_of() { ctl lease timetolive $1 -w json 2>&1 | grep -o '"ttl":-\?[0-9]*' | cut -d: -f2; }

for r in $(seq 1 $REPS); do
  R=$EXP/run$r; mkdir -p $R; log "=== run $r ==="
  # --- step 2: client 1 takes the lock (no command: holds until killed, prints key on acquire)
  T_start1=$(now)
  etcdctl --endpoints=$(allep 3) lock --ttl=10 mylock > >(stamp > $R/c1.out) 2> >(stamp > $R/c1.err) &
  C1=$!
  L1=$(wait_line $R/c1.out 20) || { log "client 1 did not acquire"; exit 1; }
  T_acq1=${L1%% *}; KEY1=${L1#* }; LEASE1=${KEY1#mylock/}
  log "client 1 pid $C1 acquired $KEY1 at $T_acq1 (started $T_start1)"
  locks mylock | tee $R/locks_c1.txt | tee -a $EXP/events.log
  # --- poll client 1's lease TTL every 200 ms (before/after timestamps of each poll)
  ( while :; do a=$(now); t=$(ttl_of $LEASE1); echo "$a $(now) $t"; sleep 0.2; done ) > $R/ttl1.txt &
  TP=$!
  sleep $(awk -v r=$RANDOM 'BEGIN{printf "%.3f", 2+3.5*r/32767}')
  # --- step 3: pause client 1, start client 2
  T0=$(now); kill -STOP $C1
  etcdctl --endpoints=$(allep 3) lock --ttl=10 mylock > >(stamp > $R/c2.out) 2> >(stamp > $R/c2.err) &
  C2=$!
  log "T0=$T0 SIGSTOP client 1 (pid $C1); client 2 pid $C2 started"
  sleep 0.3; log "keys while client 2 waits:"; locks mylock | tee $R/locks_waiting.txt | tee -a $EXP/events.log
  L2=$(wait_line $R/c2.out 30) || log "client 2 did not acquire within 30 s"
  T_acq2=${L2%% *}; KEY2=${L2#* }
  log "client 2 acquired $KEY2 at $T_acq2; T_acquire2-T0 = $(awk -v a=$T_acq2 -v b=$T0 'BEGIN{printf "%.3f", a-b}') s"
  locks mylock | tee $R/locks_c2.txt | tee -a $EXP/events.log
  # --- step 6: resume client 1 after PAUSE s total
  sleep $(awk -v t0=$T0 -v n=$(now) -v p=$PAUSE 'BEGIN{d=t0+p-n; if(d<0)d=0; printf "%.3f", d}')
  T_cont=$(now); kill -CONT $C1; log "T_cont=$T_cont SIGCONT client 1 (paused $(awk -v a=$T_cont -v b=$T0 'BEGIN{printf "%.3f", a-b}') s)"
  rc1=running
  for k in $(seq 1 1500); do kill -0 $C1 2>/dev/null || break; sleep 0.01; done
  T_exit1=$(now)
  if kill -0 $C1 2>/dev/null; then log "client 1 still running 15 s after SIGCONT"; kill -INT $C1; wait $C1; rc1="killed-by-us:$?"
  else wait $C1; rc1=$?; log "client 1 exited rc=$rc1 at $T_exit1 ($(awk -v a=$T_exit1 -v b=$T_cont 'BEGIN{printf "%.3f", a-b}') s after SIGCONT)"; fi
  kill $TP 2>/dev/null; wait $TP 2>/dev/null
  sleep 0.2
  log "client 1 stdout:"; sed 's/^/  /' $R/c1.out | tee -a $EXP/events.log
  log "client 1 stderr:"; sed 's/^/  /' $R/c1.err | tee -a $EXP/events.log
  log "lease $LEASE1 now: $(ctl lease timetolive $LEASE1 2>&1)"
  locks mylock | tee $R/locks_after_cont.txt | tee -a $EXP/events.log
  # --- release client 2 (SIGINT -> Unlock) before next run
  kill -INT $C2; wait $C2; log "client 2 released (rc=$?)"; sleep 0.3
  locks mylock | tee -a $EXP/events.log
  cat > $R/summary.txt <<EOT
run=$r T_start1=$T_start1 T_acq1=$T_acq1 key1=$KEY1 T0=$T0 T_acq2=$T_acq2 key2=$KEY2 T_cont=$T_cont T_exit1=$T_exit1 rc1=$rc1
EOT
  sleep 1
done
stop_cluster; log "cluster stopped"
