"""The loop the test nodes of this folder share: read a message per line, answer init,
hand every other request to the node's handler with a reply function."""
import json
import sys


def serve(handle, on_init=None):
    node_id = None
    for line in sys.stdin:
        msg = json.loads(line)
        body = msg["body"]

        def reply(answer, msg=msg):
            answer["in_reply_to"] = msg["body"]["msg_id"]
            sys.stdout.write(json.dumps({"src": node_id, "dest": msg["src"], "body": answer}) + "\n")
            sys.stdout.flush()

        if body["type"] == "init":
            node_id = body["node_id"]
            if on_init:
                on_init()
            reply({"type": "init_ok"})
        else:
            handle(body, reply)
