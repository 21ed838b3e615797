"""Peak RSS of a vcaudit run, overall and while it writes its reports: runs CMD (with `-v`, so
that it logs `phase audit: ... s` when the rules are done), samples its VmRSS every 10 ms, and
keeps the largest sample from that line on. The overall peak (which reading a snapshot usually
sets) hides what the writers cost; the peak while writing shows it.

    python3 bench/peak_rss.py CMD...   ->   prints `wall_s peak_kib peak_writing_kib`
"""
import os
import subprocess
import sys
import threading
import time

start = time.time()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace")
writing = threading.Event()
tail = []


def read_log():
    for line in p.stderr:
        if "phase audit:" in line:
            writing.set()
        tail.append(line)
        del tail[:-20]


threading.Thread(target=read_log, daemon=True).start()
peak_writing = 0
while True:
    pid, status, usage = os.wait4(p.pid, os.WNOHANG)
    if pid:
        break
    try:
        with open(f"/proc/{p.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:") and writing.is_set():
                    peak_writing = max(peak_writing, int(line.split()[1]))
    except OSError:
        pass
    time.sleep(0.01)
wall = time.time() - start
code = os.waitstatus_to_exitcode(status)
if code != 0 or not writing.is_set():
    sys.stderr.write(f"bench: {sys.argv[1:]} exited {code} (phase audit logged: {writing.is_set()}):\n{''.join(tail)}")
    sys.exit(1)
# ru_maxrss is in KiB on Linux.
print(f"{wall:.2f} {usage.ru_maxrss} {peak_writing}")
