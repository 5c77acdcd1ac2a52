#!/usr/bin/env python3
"""A single-node lin-kv store that answers "not a leader" (error 11) for key 1.

Meant for --node-count 1: one process holding the map is linearizable. Every request on
key 1 is refused with the definite error 11 (temporarily-unavailable), as a Raft node
answers while it is not the leader; the harness records those ops as :fail, so key 1's
sub-history holds only failed ops, which is trivially linearizable.
"""
import json
import sys

store = {}
node_id = None


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
        reply(msg, {"type": "init_ok"})
    elif body.get("key") == 1:
        reply(msg, {"type": "error", "code": 11, "text": "not a leader"})
    elif kind == "read":
        if body["key"] in store:
            reply(msg, {"type": "read_ok", "value": store[body["key"]]})
        else:
            reply(msg, {"type": "error", "code": 20, "text": "no such key"})
    elif kind == "write":
        store[body["key"]] = body["value"]
        reply(msg, {"type": "write_ok"})
    elif kind == "cas":
        if body["key"] not in store:
            reply(msg, {"type": "error", "code": 20, "text": "no such key"})
        elif store[body["key"]] != body["from"]:
            reply(msg, {"type": "error", "code": 22, "text": "value differs"})
        else:
            store[body["key"]] = body["to"]
            reply(msg, {"type": "cas_ok"})
