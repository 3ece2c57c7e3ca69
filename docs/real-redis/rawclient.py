#!/usr/bin/env python3
"""rawclient.py HOST PORT INTERVAL DURATION
One raw TCP socket, never reconnects: sends 'INCR rawcounter' every INTERVAL s and blocks in recv for the reply.
Prints '<epoch> raw ...' for the first reply and for every send/recv outcome that is not a normal reply."""
import sys, time, socket
host, port, ivl, dur = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
s = socket.create_connection((host, port)); end = time.time() + dur; first = True
while time.time() < end:
    t0 = time.time()
    try:
        s.sendall(b'*2\r\n$4\r\nINCR\r\n$10\r\nrawcounter\r\n')
        d = s.recv(100)
        if d == b'':
            print(f'{time.time():.3f} raw recv returned EOF (peer closed), call took {time.time()-t0:.3f}s', flush=True); break
        if first: print(f'{time.time():.3f} raw first reply {d!r}', flush=True); first = False
    except Exception as e:
        print(f'{time.time():.3f} raw {type(e).__name__}: {e} (call took {time.time()-t0:.3f}s)', flush=True); break
    time.sleep(max(0, ivl - (time.time() - t0)))
