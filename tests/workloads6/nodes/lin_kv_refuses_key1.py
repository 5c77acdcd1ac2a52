#!/usr/bin/env python3
"""A single-node lin-kv store that answers "not a leader" (error 11) for key 1.

Meant for --node-count 1: one process holding the map is linearizable. Every request on
key 1 is refused with the definite error 11 (temporarily-unavailable), as a Raft node
answers while it is not the leader; the harness records those ops as :fail, so key 1's
sub-history holds only failed ops, which is trivially linearizable.
"""
from maelstrom_node import serve

store = {}


def handle(body, reply):
    key = body.get("key")
    if key == 1:
        reply({"type": "error", "code": 11, "text": "not a leader"})
    elif body["type"] == "read":
        if key in store:
            reply({"type": "read_ok", "value": store[key]})
        else:
            reply({"type": "error", "code": 20, "text": "no such key"})
    elif body["type"] == "write":
        store[key] = body["value"]
        reply({"type": "write_ok"})
    elif body["type"] == "cas":
        if key not in store:
            reply({"type": "error", "code": 20, "text": "no such key"})
        elif store[key] != body["from"]:
            reply({"type": "error", "code": 22, "text": "value differs"})
        else:
            store[key] = body["to"]
            reply({"type": "cas_ok"})


serve(handle)
