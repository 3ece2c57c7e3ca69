#!/usr/bin/python3
# hangclient.py HOST OUT MODE SEQ : one INSERT into t on HOST; MODE stmt = SET statement_timeout='5s' first;
# cancelme = application_name 'cancelme' (run2.sh cancels it with pg_cancel_backend); plain = nothing special. Logs timing + notices.
import sys, time, psycopg2, datetime
host, out, mode, seq = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
f = open(out, 'a', buffering=1)
def ts(): return datetime.datetime.utcnow().strftime('%H:%M:%S.%f')[:-3]
try:
    conn = psycopg2.connect(host=host, user='postgres', dbname='postgres', connect_timeout=2, application_name=mode)
    conn.autocommit = True; cur = conn.cursor()
    if mode == 'stmt': cur.execute("SET statement_timeout = '5s'")
    t0 = time.time(); f.write(f'{ts()} SEND {seq} mode={mode}\n')
    cur.execute('INSERT INTO t(seq, at) VALUES (%s, now())', (seq,))
    f.write(f'{ts()} ACK {seq} {time.time()-t0:.3f}s status={cur.statusmessage}\n')
except Exception as e:
    f.write(f'{ts()} ERR {seq} {time.time()-t0:.3f}s {str(e).strip().replace(chr(10)," | ")}\n')
try:
    for n in conn.notices: f.write(f'{ts()} NOTICE {n.strip().replace(chr(10)," | ")}\n')
except Exception: pass
