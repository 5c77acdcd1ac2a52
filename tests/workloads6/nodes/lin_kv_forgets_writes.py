#!/usr/bin/env python3
"""A lin-kv node written wrong on purpose: it acknowledges every write and stores nothing.

Every read and cas then answers error 20 (key-does-not-exist) with a text that does not
name the code, so a checker can only tell a missing key from the reply's code. A read of
a missing key after an acknowledged write to it is not linearizable.
"""
from maelstrom_node import serve


def handle(body, reply):
    if body["type"] == "write":
        reply({"type": "write_ok"})
    else:
        reply({"type": "error", "code": 20, "text": "nothing here"})


serve(handle)
