#!/usr/bin/env python3
"""Time from saving a file to `charter serve` serving the new page.

    scripts/serve_latency.py SITE FILE PAGE OLD [EDITS]
    e.g. scripts/serve_latency.py /dev/shm/c10k content/g10/d00010.md \\
             roles/d00010/deputy/ 副主任 10

Starts `target/release/charter serve` (or $CHARTER_BIN) on SITE, waits for the first build,
then EDITS times (default 10): replaces `title = "OLD"` in FILE with a new
title, and polls /PAGE every 20 ms until the new title is there. Prints
each edit's time (file written to page served: the debounce, the rebuild
and the swap of what is served, but not the browser's reload), the
median and the maximum, and the rebuild times `serve` printed. FILE is
restored at the end. The polling itself takes some CPU from the server.
"""
import os
import statistics
import subprocess
import sys
import time
import urllib.request

if len(sys.argv) < 5:
    sys.exit(__doc__)
site, rel, page, old = sys.argv[1:5]
edits = int(sys.argv[5]) if len(sys.argv) > 5 else 10
charter = os.environ.get("CHARTER_BIN") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "release", "charter")
path = os.path.join(site, rel)
orig = open(path, encoding="utf-8").read()
if f'title = "{old}"' not in orig:
    sys.exit(f'{path} has no `title = "{old}"`')
port = "18111"
server = subprocess.Popen(
    [charter, "serve", "--root", site, "--port", port],
    stdout=subprocess.PIPE,
    stderr=subprocess.STDOUT,
    text=True,
)
url = f"http://127.0.0.1:{port}/{page}"


def get():
    try:
        return urllib.request.urlopen(url, timeout=5).read().decode()
    except Exception:
        return ""


times = []
try:
    start = time.time()
    while old not in get():
        time.sleep(0.2)
        if time.time() - start > 300:
            sys.exit("the first build did not finish in 5 minutes")
    print(f"first build served after {time.time() - start:.1f} s")
    time.sleep(3)
    for i in range(edits):
        new = f"{old}改{i}"
        t = time.time()
        with open(path, "w", encoding="utf-8") as f:
            f.write(orig.replace(f'title = "{old}"', f'title = "{new}"', 1))
        while new not in get():
            time.sleep(0.02)
            if time.time() - t > 30:
                sys.exit("the edit did not show in 30 s")
        times.append((time.time() - t) * 1000)
        print(f"edit {i}: served after {times[-1]:.0f} ms")
        # Let the search index that follows the pages finish.
        time.sleep(2.5)
finally:
    with open(path, "w", encoding="utf-8") as f:
        f.write(orig)
    time.sleep(1)
    server.terminate()
print(f"median {statistics.median(times):.0f} ms, max {max(times):.0f} ms")
out = server.stdout.read()
print("serve: " + ", ".join(l.split(":")[0] for l in out.splitlines() if l.startswith("rebuilt in")))
