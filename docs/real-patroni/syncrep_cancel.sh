#!/bin/bash
# Standalone PG15: synchronous_standby_names set, no standby -> commit waits. Does statement_timeout cancel it? pg_cancel_backend?
D=/tmp/pgreal/syncrep; rm -rf $D; mkdir -p $D; chown postgres $D
B=/usr/lib/postgresql/15/bin
su postgres -c "$B/initdb -D $D/data -A trust >/dev/null && $B/pg_ctl -D $D/data -o \"-p 5499 -k $D -c listen_addresses='' -c synchronous_standby_names=nosuch\" -l $D/log start >/dev/null"
P="psql -h $D -p 5499 -U postgres -XAtq"
su postgres -c "$P -c 'set synchronous_commit=local' -c 'create table s(i int)'" 2>&1
echo "--- 1) SET statement_timeout=2s; INSERT (killed by us after 8 s if it still waits)"
s=$(date +%s.%N); su postgres -c "timeout -s INT 8 $P -c \"set statement_timeout='2s'\" -c 'insert into s values (1)'" 2>&1; echo "rc=$? elapsed=$(echo "$(date +%s.%N)-$s"|bc)"
echo "--- 2) INSERT, pg_cancel_backend from another session after 3 s"
( sleep 3; su postgres -c "$P -c \"select pg_cancel_backend(pid) from pg_stat_activity where wait_event='SyncRep'\"" >/dev/null ) &
s=$(date +%s.%N); su postgres -c "$P -c 'insert into s values (2)'" 2>&1; echo "rc=$? elapsed=$(echo "$(date +%s.%N)-$s"|bc)"
echo "--- 3) INSERT, pg_terminate_backend after 3 s"
( sleep 3; su postgres -c "$P -c \"select pg_terminate_backend(pid) from pg_stat_activity where wait_event='SyncRep'\"" >/dev/null ) &
s=$(date +%s.%N); su postgres -c "$P -c 'insert into s values (3)'" 2>&1; echo "rc=$? elapsed=$(echo "$(date +%s.%N)-$s"|bc)"
sleep 1; echo "--- rows visible locally:"; su postgres -c "$P -c 'select array_agg(i order by i) from s'"
su postgres -c "$B/pg_ctl -D $D/data -m immediate stop >/dev/null"
