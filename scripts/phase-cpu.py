#!/usr/bin/env python3
"""phase-cpu.py PHASE_FILE [REQUESTS]: CPU per process kind over a bench's measured phase.

Start it, then run a frontdesk-bench command with FRONTDESK_BENCH_PHASE_FILE=PHASE_FILE: the bench
writes "start" to the file as its measured phase begins and "end" as it ends. This samples utime +
stime of every process (/proc) at both moments and prints each kind's share of a core over the phase
(every postgres process counted as one kind) and, given REQUESTS, CPU milliseconds per request.
A process that ends before the phase does is not counted (the server, PostgreSQL's backends and the
bench all live through it).

  rm -f /tmp/phase; scripts/phase-cpu.py /tmp/phase 2000 &
  FRONTDESK_BENCH_PHASE_FILE=/tmp/phase frontdesk-bench checkins --members 2000 --clients 32 --url ... --database-url ...
"""
import os
import sys
import time


def snapshot():
    ticks = {}
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            stat = open(f'/proc/{pid}/stat').read()
        except OSError:
            continue
        name = stat[stat.index('(') + 1:stat.rindex(')')]
        fields = stat[stat.rindex(')') + 2:].split()
        ticks[pid] = (name, int(fields[11]) + int(fields[12]))
    return ticks


def phase(path):
    try:
        return open(path).read().strip()
    except OSError:
        return ''


def main():
    path = sys.argv[1]
    requests = float(sys.argv[2]) if len(sys.argv) > 2 else 0
    while phase(path) != 'start':
        time.sleep(0.005)
    before, started = snapshot(), time.time()
    while phase(path) != 'end':
        time.sleep(0.005)
    after, elapsed = snapshot(), time.time() - started
    hertz = os.sysconf('SC_CLK_TCK')
    kinds = {}
    for pid, (name, ticks) in after.items():
        if name.startswith('kworker'):
            continue
        kind = 'postgres' if name.startswith('postgres') else name
        kinds[kind] = kinds.get(kind, 0) + ticks - (before[pid][1] if pid in before else 0)
    top = sorted(kinds.items(), key=lambda item: -item[1])[:3]
    parts = []
    for kind, ticks in top:
        seconds = ticks / hertz
        part = f"{kind} {100 * seconds / elapsed:.0f}%"
        if requests:
            part += f" {1000 * seconds / requests:.3f} ms/req"
        parts.append(part)
    print(f"  phase {elapsed:.2f} s  cpu: " + "  ".join(parts), flush=True)


if __name__ == '__main__':
    main()
