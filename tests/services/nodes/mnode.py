"""A minimal Maelstrom node runtime for Squall's test nodes (Python 3, standard library only).

One thread, one event loop: read a JSON message per line from stdin, answer init with
init_ok, dispatch requests to handlers by body type, and route replies (in_reply_to) to
the callback of the RPC that sent them. Nothing but messages goes to stdout; logs go to
stderr. Bad input lines are logged and skipped, never fatal.
"""
import json
import sys


class Node:
    def __init__(self):
        self.node_id = None
        self.node_ids = []
        self._next_msg_id = 0
        self._handlers = {}
        self._callbacks = {}

    def on(self, type_, handler):
        """Registers handler(msg) for requests whose body type is type_."""
        self._handlers[type_] = handler

    def log(self, *parts):
        print(*parts, file=sys.stderr, flush=True)

    def send(self, dest, body):
        msg = {"src": self.node_id, "dest": dest, "body": body}
        sys.stdout.write(json.dumps(msg, separators=(",", ":")) + "\n")
        sys.stdout.flush()

    def reply(self, request, body):
        body = dict(body)
        msg_id = request["body"].get("msg_id")
        if msg_id is not None:
            body["in_reply_to"] = msg_id
        self.send(request["src"], body)

    def error(self, request, code, text):
        self.reply(request, {"type": "error", "code": code, "text": text})

    def rpc(self, dest, body, callback):
        """Sends body to dest; callback(reply_body) runs when the reply arrives."""
        self._next_msg_id += 1
        body = dict(body)
        body["msg_id"] = self._next_msg_id
        self._callbacks[self._next_msg_id] = callback
        self.send(dest, body)

    def kv_read(self, service, key, callback, missing=0):
        """Reads `key` from a KV service: callback(value), callback(missing) when the
        key does not exist yet (error 20), callback(None) on any other failure."""
        def on_read(body):
            if body.get("type") == "read_ok":
                callback(body["value"])
            elif body.get("code") == 20:
                callback(missing)
            else:
                callback(None)
        self.rpc(service, {"type": "read", "key": key}, on_read)

    def _dispatch(self, msg):
        body = msg["body"]
        in_reply_to = body.get("in_reply_to")
        if in_reply_to is not None:
            callback = self._callbacks.pop(in_reply_to, None)
            if callback is None:
                self.log("reply to unknown msg_id", in_reply_to)
            else:
                callback(body)
            return
        type_ = body.get("type")
        if type_ == "init":
            self.node_id = body["node_id"]
            self.node_ids = list(body.get("node_ids", []))
            self.reply(msg, {"type": "init_ok"})
            return
        handler = self._handlers.get(type_)
        if handler is None:
            self.error(msg, 10, "unsupported request type %r" % (type_,))
            return
        handler(msg)

    def run(self):
        while True:
            line = sys.stdin.readline()
            if not line:
                return
            line = line.strip()
            if not line:
                continue
            try:
                msg = json.loads(line)
                if not isinstance(msg, dict) or not isinstance(msg.get("body"), dict):
                    raise ValueError("not a message envelope")
            except ValueError as e:
                self.log("skipping bad input line:", e, line[:200])
                continue
            try:
                self._dispatch(msg)
            except (KeyError, TypeError, ValueError) as e:
                self.log("error handling", line[:200], ":", repr(e))
                if msg["body"].get("msg_id") is not None and "in_reply_to" not in msg["body"]:
                    self.error(msg, 12, "malformed request: %r" % (e,))
