#!/usr/bin/env python3
# A minimal Maelstrom echo node, written the way a Maelstrom user would write one
# (standard library only, nothing Squall-specific). Used to show that such a node
# runs under `squall test` unchanged.
import json
import sys


def reply(msg, body):
    body["in_reply_to"] = msg["body"]["msg_id"]
    out = {"src": msg["dest"], "dest": msg["src"], "body": body}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    msg = json.loads(line)
    kind = msg["body"]["type"]
    if kind == "init":
        print("initialised as", msg["body"]["node_id"], file=sys.stderr)
        reply(msg, {"type": "init_ok"})
    elif kind == "echo":
        reply(msg, {"type": "echo_ok", "echo": msg["body"]["echo"]})
