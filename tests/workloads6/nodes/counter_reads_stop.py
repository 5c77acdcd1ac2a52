#!/usr/bin/env python3
"""A single-node g-counter whose reads start failing after a while.

Meant for --node-count 1 with a short run: adds and reads are correct until
READS_FOR_S seconds after init; later reads (the final reads, after the main phase and the
recovery wait) get error 11. No final read succeeds, so the counter's converged value
cannot be checked: the verdict must be unknown, and the report must say why.
"""
import json
import sys
import time

READS_FOR_S = float(sys.argv[1]) if len(sys.argv) > 1 else 2.5
total = 0
node_id = None
started = None


def reply(msg, body):
    body["in_reply_to"] = msg["body"]["msg_id"]
    sys.stdout.write(json.dumps({"src": node_id, "dest": msg["src"], "body": body}) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    msg = json.loads(line)
    body = msg["body"]
    kind = body["type"]
    if kind == "init":
        node_id = body["node_id"]
        started = time.monotonic()
        reply(msg, {"type": "init_ok"})
    elif kind == "add":
        total += body["delta"]
        reply(msg, {"type": "add_ok"})
    elif kind == "read":
        if time.monotonic() - started < READS_FOR_S:
            reply(msg, {"type": "read_ok", "value": total})
        else:
            reply(msg, {"type": "error", "code": 11, "text": "reads are switched off"})
