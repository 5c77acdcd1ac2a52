#!/usr/bin/env python3
"""A single-node g-counter whose reads start failing after a while.

Meant for --node-count 1 with a short run: adds and reads are correct until
READS_FOR_S seconds after init; later reads (the final reads, after the main phase and the
recovery wait) get error 11. No final read succeeds, so the counter's converged value
cannot be checked: the verdict must be unknown, and the report must say why.
"""
import sys
import time

from maelstrom_node import serve

READS_FOR_S = float(sys.argv[1]) if len(sys.argv) > 1 else 2.5
state = {"total": 0, "started": None}


def started():
    state["started"] = time.monotonic()


def handle(body, reply):
    if body["type"] == "add":
        state["total"] += body["delta"]
        reply({"type": "add_ok"})
    elif body["type"] == "read":
        if time.monotonic() - state["started"] < READS_FOR_S:
            reply({"type": "read_ok", "value": state["total"]})
        else:
            reply({"type": "error", "code": 11, "text": "reads are switched off"})


serve(handle, on_init=started)
