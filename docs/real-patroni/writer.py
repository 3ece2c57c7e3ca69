#!/usr/bin/python3
# Writer: INSERT one row every 100 ms into table t on HOST (autocommit), log each send/ack/error with wall time.
# usage: writer.py HOST[,HOST2,...] OUTFILE [SEQ_OFFSET]   (libpq target_session_attrs=read-write: only a primary accepts)
import sys, time, psycopg2, datetime
host, out = sys.argv[1], sys.argv[2]
off = int(sys.argv[3]) if len(sys.argv) > 3 else 0
f = open(out, 'a', buffering=1)
def ts(): return datetime.datetime.utcnow().strftime('%H:%M:%S.%f')[:-3]
conn = None; seq = off; t0 = time.time()
while True:
    try:
        if conn is None:
            conn = psycopg2.connect(host=host, user='postgres', dbname='postgres', connect_timeout=2, target_session_attrs='read-write')
            conn.autocommit = True
            f.write(f'{ts()} CONNECTED\n')
        seq += 1
        t0 = time.time(); f.write(f'{ts()} SEND {seq}\n')
        cur = conn.cursor(); cur.execute('INSERT INTO t(seq, at) VALUES (%s, now())', (seq,)); cur.close()
        f.write(f'{ts()} ACK {seq} {time.time()-t0:.3f}s\n')
        for n in conn.notices: f.write(f'{ts()} NOTICE {n.strip()}\n')
        del conn.notices[:]
    except Exception as e:
        f.write(f'{ts()} ERR {seq} {time.time()-t0:.3f}s {str(e).strip().replace(chr(10)," | ")}\n')
        try: conn.close()
        except Exception: pass
        conn = None; time.sleep(0.5); continue
    time.sleep(0.1)
