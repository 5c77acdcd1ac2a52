#!/usr/bin/env python3
"""g-counter node on seq-kv that is correct: read, then compare-and-set with retries.

add: read the counter (a missing key counts as 0), then cas it from the value read to
value + delta with create_if_not_exists; on error 22 (someone else moved it, or the read
was stale) read again and retry. Every add lands exactly once.

read: seq-kv may serve a stale value, and the g-counter checker wants final reads to be
the full sum. So a read is confirmed with a no-op cas of the counter from the value read
to itself: a cas is judged against the latest state, so success proves the value is
current; on error 22 the node reads again (that failed cas has also made this node's
next read fresh).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mnode import Node  # noqa: E402

KEY = "counter"
SERVICE = "seq-kv"
MAX_ATTEMPTS = 1000  # a bound, not an expectation: retries end within a few rounds
node = Node()


def read_counter(callback):
    node.kv_read(SERVICE, KEY, callback)


def cas_loop(msg, delta, on_done, attempt=1):
    """Moves the counter from a read value v to v + delta; on_done(v) once it succeeds."""
    if attempt > MAX_ATTEMPTS:
        node.error(msg, 11, "gave up after %d cas attempts" % MAX_ATTEMPTS)
        return

    def on_value(value):
        if value is None:
            node.error(msg, 11, "seq-kv read failed")
            return

        def on_cas(body):
            if body.get("type") == "cas_ok":
                on_done(value)
            elif body.get("code") in (20, 22):
                cas_loop(msg, delta, on_done, attempt + 1)
            else:
                node.error(msg, 11, "seq-kv cas failed: %r" % (body,))
        node.rpc(SERVICE, {"type": "cas", "key": KEY, "from": value, "to": value + delta,
                           "create_if_not_exists": True}, on_cas)
    read_counter(on_value)


def handle_add(msg):
    delta = msg["body"]["delta"]
    if not isinstance(delta, int):
        node.error(msg, 12, "delta must be an integer")
        return
    cas_loop(msg, delta, lambda _value: node.reply(msg, {"type": "add_ok"}))


def handle_read(msg):
    cas_loop(msg, 0, lambda value: node.reply(msg, {"type": "read_ok", "value": value}))


node.on("add", handle_add)
node.on("read", handle_read)
node.run()
