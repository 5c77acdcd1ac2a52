#!/usr/bin/env python3
"""An echo node that misbehaves on purpose, for Squall's robustness tests (stdlib only).

It answers echo correctly except for every third request, whose reply is broken the way
--mode says:
  huge-number     the echo value written as 1e400 (valid JSON grammar, no double holds it)
  lone-surrogate  the echo value written as "\\ud800" (a UTF-16 surrogate with no pair)
  nul-byte        a NUL byte and more text after the reply's closing brace (JSON has no
                  raw NUL; a reader that takes NUL for the end of text sees a whole reply)
  null-src        "src": null in the envelope
  missing-key     echo_ok without its "echo" key (breaks the reply's schema)
  escapes         a terminal escape (ESC [2J) and invalid UTF-8 in the echo value, a raw
                  non-JSON line carrying them, and the same bytes on stderr
"""
import json
import sys

mode = sys.argv[sys.argv.index("--mode") + 1] if "--mode" in sys.argv else ""
out = sys.stdout.buffer
node_id = None
requests = 0
ESC_BYTES = b"\x1b[2J\xff\xfe\xc0"


def write(raw):
    out.write(raw + b"\n")
    out.flush()


def reply(msg, body):
    body["in_reply_to"] = msg["body"]["msg_id"]
    write(json.dumps({"src": node_id, "dest": msg["src"], "body": body}).encode())


def broken(msg):
    irt = msg["body"]["msg_id"]
    dest = json.dumps(msg["src"]).encode()
    src = json.dumps(node_id).encode()
    head = b'{"src":' + src + b',"dest":' + dest + b',"body":{"type":"echo_ok","in_reply_to":%d,' % irt
    if mode == "huge-number":
        write(head + b'"echo":1e400}}')
    elif mode == "lone-surrogate":
        write(head + b'"echo":"\\ud800"}}')
    elif mode == "nul-byte":
        write(head + b'"echo":1}}\x00junk')
    elif mode == "null-src":
        write(b'{"src":null,"dest":' + dest + b',"body":{"type":"echo_ok","in_reply_to":%d,"echo":1}}' % irt)
    elif mode == "missing-key":
        write(head[:-1] + b"}}")
    elif mode == "escapes":
        sys.stderr.buffer.write(b"stderr says " + ESC_BYTES + b"\n")
        sys.stderr.buffer.flush()
        write(b"not json " + ESC_BYTES)
        write(head + b'"echo":"\\u001b[2J ' + ESC_BYTES[4:] + b'"}}')


for line in sys.stdin:
    msg = json.loads(line)
    body = msg["body"]
    if body["type"] == "init":
        node_id = body["node_id"]
        reply(msg, {"type": "init_ok"})
        continue
    requests += 1
    if requests % 3 == 0 and mode:
        broken(msg)
    else:
        reply(msg, {"type": "echo_ok", "echo": body["echo"]})
