#!/usr/bin/env python3
# An echo node with bad manners, for the process-lifetime tests: it ignores stdin EOF and
# the polite signals, and starts a detached child (its own session, `setsid`) that
# sleeps. argv[1] is a marker the tests look for in /proc/*/cmdline; both processes
# carry it.
import json
import os
import signal
import subprocess
import sys
import time

marker = sys.argv[1] if len(sys.argv) > 1 else "stubborn"
for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
    signal.signal(sig, signal.SIG_IGN)
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1000)", marker], start_new_session=True)


def reply(msg, body):
    body["in_reply_to"] = msg["body"]["msg_id"]
    sys.stdout.write(json.dumps({"src": msg["dest"], "dest": msg["src"], "body": body}) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    msg = json.loads(line)
    kind = msg["body"]["type"]
    if kind == "init":
        reply(msg, {"type": "init_ok"})
    elif kind == "echo":
        reply(msg, {"type": "echo_ok", "echo": msg["body"]["echo"]})
while True:  # stdin is closed: stay anyway
    time.sleep(1)
