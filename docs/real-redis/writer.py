#!/usr/bin/env python3
"""writer.py HOST PORT INTERVAL DURATION [SOCKET_TIMEOUT] [KEY]
One redis-py connection (no retry); INCR KEY every INTERVAL seconds for DURATION seconds.
Prints '<epoch> ...' for the first OK, every error (with how long the call took) and the first OK
after an error, plus a summary. On an error it reconnects on the next tick (redis-py does so itself)."""
import sys, time, redis
host, port, ivl, dur = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
to = float(sys.argv[5]) if len(sys.argv) > 5 else None
key = sys.argv[6] if len(sys.argv) > 6 else 'counter'
r = redis.Redis(host=host, port=port, socket_timeout=to, socket_connect_timeout=to, retry_on_timeout=False)
end = time.time() + dur; state = None; n_ok = n_err = 0; last = None
while time.time() < end:
    t0 = time.time()
    try:
        v = r.incr(key); n_ok += 1; last = v
        if state != 'ok':
            print(f'{time.time():.3f} writer {host} OK value={v} (call took {time.time()-t0:.3f}s)', flush=True)
        state = 'ok'
    except Exception as e:
        n_err += 1
        print(f'{time.time():.3f} writer {host} ERR {type(e).__name__}: {str(e)[:120]} (call started {t0:.3f}, took {time.time()-t0:.3f}s)', flush=True)
        state = 'err'
    time.sleep(max(0, ivl - (time.time() - t0)))
print(f'{time.time():.3f} writer {host} summary ok={n_ok} err={n_err} last={last}', flush=True)
