"""An API shared by many sources, for the budget tests: it counts every request it gets.

Usage: budget_server.py PORT_FILE
Binds 127.0.0.1 on a free port and writes the port number to PORT_FILE (write, then rename, so a
reader never sees half a number). Serves until stdin reaches EOF or SIGTERM.

  GET  /feed/<name>                  200 with an empty JSON array (a poll that finds nothing new)
  POST /throttle-once?retry_after=N  the next /feed request gets 429 with Retry-After: N
  GET  /log                          [{"t": <time.time() on arrival>, "name": ..., "status": ...}, ...]

Only /feed requests are logged: the log is what the API provider would count against a quota.
"""
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

# A child inherits the test runner's signal mask; SIGTERM must reach this process.
signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM])
# The test runner holds stdin open: when it dies, this server goes too.
threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)), daemon=True).start()

lock = threading.Lock()
log = []
throttle = {"retry_after": None}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        arrived = time.time()  # before anything else: the moment the provider would count
        url = urlparse(self.path)
        parts = [p for p in url.path.split("/") if p]
        if len(parts) == 2 and parts[0] == "feed":
            with lock:
                retry_after, throttle["retry_after"] = throttle["retry_after"], None
                status = 200 if retry_after is None else 429
                log.append({"t": arrived, "name": parts[1], "status": status})
            if status == 429:
                self.send(429, b'{"error":"too many requests"}', {"Retry-After": str(retry_after)})
            else:
                self.send(200, b"[]")
        elif parts == ["log"]:
            with lock:
                body = json.dumps(log).encode()
            self.send(200, body)
        else:
            self.send(404, b'{"error":"not found"}')

    def do_POST(self):
        url = urlparse(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if url.path == "/throttle-once":
            retry_after = parse_qs(url.query).get("retry_after", ["5"])[0]
            with lock:
                throttle["retry_after"] = retry_after
            self.send(200, b'{"armed":true}')
        else:
            self.send(404, b'{"error":"not found"}')


ThreadingHTTPServer.daemon_threads = True
# Three replicas open a dozen connections each at once; a short listen backlog would drop some
# SYNs, and the client's retransmit a second later would show up as a late request.
ThreadingHTTPServer.request_queue_size = 128
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_port))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
