#!/usr/bin/env python3
"""g-counter node on seq-kv, written wrong on purpose (a negative control).

add: read the counter from seq-kv, then write back value + delta. Two nodes racing (or a
stale read) overwrite each other's adds, so increments get lost and the g-counter
checker must report the final reads as wrong. read: a plain seq-kv read, possibly stale.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mnode import Node  # noqa: E402

KEY = "counter"
SERVICE = "seq-kv"
node = Node()


def read_counter(callback):
    node.kv_read(SERVICE, KEY, callback)


def handle_add(msg):
    delta = msg["body"]["delta"]
    if not isinstance(delta, int):
        node.error(msg, 12, "delta must be an integer")
        return

    def on_value(value):
        if value is None:
            node.error(msg, 11, "seq-kv read failed")
            return

        def on_write(body):
            if body.get("type") == "write_ok":
                node.reply(msg, {"type": "add_ok"})
            else:
                node.error(msg, 11, "seq-kv write failed: %r" % (body,))
        node.rpc(SERVICE, {"type": "write", "key": KEY, "value": value + delta}, on_write)
    read_counter(on_value)


def handle_read(msg):
    def on_value(value):
        if value is None:
            node.error(msg, 11, "seq-kv read failed")
        else:
            node.reply(msg, {"type": "read_ok", "value": value})
    read_counter(on_value)


node.on("add", handle_add)
node.on("read", handle_read)
node.run()
