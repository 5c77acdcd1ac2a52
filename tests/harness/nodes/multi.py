#!/usr/bin/env python3
"""A Maelstrom node for Squall's harness tests (Python 3 standard library only).

Serves echo, unique-ids, broadcast, g-set, g-counter and pn-counter. Sets and counters
are state-based CRDTs gossiped to every other node every GOSSIP_MS; broadcast also
pushes each new message to the topology neighbours at once.

Faults for negative controls (argument --fault NAME, repeatable):
  no-gossip        never tell other nodes anything
  garbage-line     write a line that is not JSON after the 3rd client request
  crash-after=N    exit with status 3 after handling N client requests
  duplicate-ids    unique-ids: every node hands out the same ids
  lose-adds        counters: drop every third add (still acknowledged)
  extra-key        broadcast: echo "message" back in broadcast_ok (closed schema)
"""
import json
import os
import select
import sys
import time

GOSSIP_MS = 50

faults = set()
args = sys.argv[1:]
i = 0
while i < len(args):
    if args[i] == "--fault" and i + 1 < len(args):
        faults.add(args[i + 1])
        i += 2
    else:
        i += 1
crash_after = None
for f in list(faults):
    if f.startswith("crash-after="):
        crash_after = int(f.split("=", 1)[1])

node_id = None
node_ids = []
neighbours = []
next_msg_id = 0
id_counter = 0
client_requests = 0
adds_seen = 0
messages = set()          # broadcast / g-set elements
counters = {}             # node -> [positive, negative]


def send(dest, body):
    out = {"src": node_id, "dest": dest, "body": body}
    sys.stdout.write(json.dumps(out) + "\n")


def reply(msg, body):
    global next_msg_id
    next_msg_id += 1
    body["msg_id"] = next_msg_id
    body["in_reply_to"] = msg["body"]["msg_id"]
    send(msg["src"], body)


def counter_value():
    return sum(p - n for p, n in counters.values())


def gossip():
    if "no-gossip" in faults or node_id is None:
        return
    state = {"type": "gossip", "messages": sorted(messages),
             "counters": {k: v for k, v in counters.items()}}
    for peer in node_ids:
        if peer != node_id:
            send(peer, state)


def merge(body):
    for m in body.get("messages", []):
        messages.add(m)
    for k, (p, n) in body.get("counters", {}).items():
        mine = counters.setdefault(k, [0, 0])
        mine[0] = max(mine[0], p)
        mine[1] = max(mine[1], n)


def handle(msg):
    global node_id, node_ids, neighbours, id_counter, client_requests, adds_seen
    body = msg["body"]
    kind = body["type"]
    from_client = msg["src"].startswith("c")
    if kind == "init":
        node_id = body["node_id"]
        node_ids = body["node_ids"]
        counters.setdefault(node_id, [0, 0])
        reply(msg, {"type": "init_ok"})
        return
    if kind == "gossip":
        merge(body)
        return
    if from_client and kind != "topology":
        client_requests += 1
        if crash_after is not None and client_requests > crash_after:
            print("crashing on purpose after %d requests" % crash_after, file=sys.stderr)
            sys.stderr.flush()
            sys.stdout.flush()
            os._exit(3)
        if "garbage-line" in faults and client_requests == 3:
            sys.stdout.write("this is not json {\n")
    if kind == "echo":
        reply(msg, {"type": "echo_ok", "echo": body["echo"]})
    elif kind == "generate":
        id_counter += 1
        uid = id_counter if "duplicate-ids" in faults else "%s-%d" % (node_id, id_counter)
        reply(msg, {"type": "generate_ok", "id": uid})
    elif kind == "topology":
        neighbours = body["topology"].get(node_id, [])
        reply(msg, {"type": "topology_ok"})
    elif kind == "broadcast":
        m = body["message"]
        if m not in messages:
            messages.add(m)
            if "no-gossip" not in faults:
                for peer in neighbours:
                    send(peer, {"type": "gossip", "messages": [m]})
        out = {"type": "broadcast_ok"}
        if "extra-key" in faults:
            out["message"] = m
        reply(msg, out)
    elif kind == "add" and "delta" in body:
        adds_seen += 1
        d = body["delta"]
        if not ("lose-adds" in faults and adds_seen % 3 == 0):
            mine = counters.setdefault(node_id, [0, 0])
            if d >= 0:
                mine[0] += d
            else:
                mine[1] -= d
        reply(msg, {"type": "add_ok"})
    elif kind == "add":
        messages.add(body["element"])
        reply(msg, {"type": "add_ok"})
    elif kind == "read":
        if "workload" in os.environ.get("SQUALL_TEST_IGNORE", ""):
            pass
        mode = read_mode
        if mode == "broadcast":
            reply(msg, {"type": "read_ok", "messages": sorted(messages)})
        elif mode == "counter":
            reply(msg, {"type": "read_ok", "value": counter_value()})
        else:
            reply(msg, {"type": "read_ok", "value": sorted(messages)})
    elif "msg_id" in body:
        reply(msg, {"type": "error", "code": 10, "text": "unsupported: " + kind})


# Which read reply shape to use; the harness tests pass --read broadcast|set|counter.
read_mode = "broadcast"
if "--read" in args:
    read_mode = args[args.index("--read") + 1]

buf = b""
last_gossip = time.monotonic()
stdin = sys.stdin.buffer.raw if hasattr(sys.stdin.buffer, "raw") else sys.stdin.buffer
fd = sys.stdin.fileno()
while True:
    timeout = max(0.0, GOSSIP_MS / 1000.0 - (time.monotonic() - last_gossip))
    ready, _, _ = select.select([fd], [], [], timeout)
    if ready:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if line.strip():
                handle(json.loads(line))
    if time.monotonic() - last_gossip >= GOSSIP_MS / 1000.0:
        gossip()
        last_gossip = time.monotonic()
    sys.stdout.flush()
