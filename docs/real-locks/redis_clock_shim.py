# gdb Python script: shift the wall clock that an UNMODIFIED, running redis-server sees.
# Used because libfaketime 0.9.10 deadlocks at start-up with Debian's redis-server (dynamic
# libjemalloc; libfaketime issue #130). Redis 7.0 reads the wall clock only through
# gettimeofday() (ustime()/mstime(), the per-command cached time in call(), TIME, ...);
# every such call site goes through the PLT entry gettimeofday@plt. We break on that PLT
# entry (remember the struct timeval* in %rdi, per thread) and on the instruction after each
# of the call sites (add the offset, read from SHIM_OFFSET_FILE in seconds, to the timeval).
# CLOCK_MONOTONIC and time() are left alone, like an NTP/admin step of CLOCK_REALTIME.
# Env: SHIM_PLT (static addr of gettimeofday@plt), SHIM_SITES (file of static return-site
# addrs), SHIM_REF (static addr of ustime, to find the PIE load base), SHIM_OFFSET_FILE.
import gdb, os, struct
PLT = int(os.environ['SHIM_PLT'], 16)
REF = int(os.environ['SHIM_REF'], 16)
SITES = [int(x, 16) for x in open(os.environ['SHIM_SITES']).read().split()]
OFF_FILE = os.environ['SHIM_OFFSET_FILE']
base = int(gdb.parse_and_eval('(long)&ustime')) - REF
inf = gdb.selected_inferior()
pending = {}
def off_us():
    try:
        return int(round(float(open(OFF_FILE).read().strip() or 0) * 1e6))
    except Exception:
        return 0
class Entry(gdb.Breakpoint):
    def stop(self):
        pending[gdb.selected_thread().ptid] = int(gdb.parse_and_eval('(unsigned long)$rdi'))
        return False
class Ret(gdb.Breakpoint):
    def stop(self):
        tvp = pending.pop(gdb.selected_thread().ptid, 0)
        o = off_us()
        if tvp and o:
            s, u = struct.unpack('<qq', inf.read_memory(tvp, 16).tobytes())
            t = s * 1000000 + u + o
            inf.write_memory(tvp, struct.pack('<qq', t // 1000000, t % 1000000))
        return False
Entry('*0x%x' % (base + PLT), internal=True)
for s in SITES:
    Ret('*0x%x' % (base + s), internal=True)
print('redis_clock_shim: base=0x%x, 1 entry + %d return-site breakpoints' % (base, len(SITES)))
