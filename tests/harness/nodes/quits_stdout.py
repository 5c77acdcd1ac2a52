#!/usr/bin/env python3
# An echo node that closes its stdout 0.1 s after init and keeps running: the harness
# must report it then, not when the run ends.
import json
import os
import sys
import time

for line in sys.stdin:
    msg = json.loads(line)
    if msg["body"]["type"] == "init":
        body = {"type": "init_ok", "in_reply_to": msg["body"]["msg_id"]}
        sys.stdout.write(json.dumps({"src": msg["dest"], "dest": msg["src"], "body": body}) + "\n")
        sys.stdout.flush()
        time.sleep(0.1)
        os.close(1)
        print("closed stdout", file=sys.stderr, flush=True)
        time.sleep(1000)
