"""A real HTTP server for the connector tests: serves fixtures and misbehaves on purpose.

Usage: fixture_server.py PORT_FILE FIXTURES_DIR
Binds 127.0.0.1 on a free port and writes the port number to PORT_FILE.
"""
import hashlib
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

FIXTURES = sys.argv[2]
counters = {}
requests_seen = []
lock = threading.Lock()


def count(key):
    with lock:
        counters[key] = counters.get(key, 0) + 1
        return counters[key]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, content_type="application/json", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def fixture(self, name):
        path = os.path.join(FIXTURES, os.path.basename(name))
        with open(path, "rb") as f:
            body = f.read()
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        kind = "text/csv" if name.endswith(".csv") else "application/geo+json"
        self.send(200, body, kind, {"ETag": etag, "Last-Modified": "Sun, 29 Nov 2026 08:00:00 GMT"})

    def do_POST(self):
        self.do_GET()

    def do_GET(self):
        url = urlparse(self.path)
        parts = [p for p in url.path.split("/") if p]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with lock:
            requests_seen.append({"method": self.command, "path": self.path,
                                  "headers": {k: v for k, v in self.headers.items()},
                                  "body": body.decode("utf-8", "replace")})
        head = parts[0] if parts else ""
        if head == "requests":
            with lock:
                self.send(200, json.dumps(requests_seen).encode())
        elif head == "fixtures":
            self.fixture(parts[1])
        elif head == "flaky":  # /flaky/N/name: N failures (500) per path, then the fixture
            if count(self.path) <= int(parts[1]):
                self.send(500, b'{"error":"try again"}')
            else:
                self.fixture(parts[2])
        elif head == "ratelimited":  # first call 429 with Retry-After: 1
            if count(self.path) == 1:
                self.send(429, b'{"error":"slow down"}', headers={"Retry-After": "1"})
            else:
                self.fixture(parts[1])
        elif head == "slow":  # /slow/SECONDS/name
            time.sleep(float(parts[1]))
            self.fixture(parts[2])
        elif head == "truncated":  # promises more than it sends, then closes
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b'{"features": [{"properties"')
            self.wfile.flush()
            self.close_connection = True
            return
        elif head == "badjson":
            self.send(200, b'{"features": [{"properties": {"id": "x"')
        elif head == "pages":  # /pages/N?page=K[&next_host=H]: next links name host H (default 127.0.0.1)
            total = int(parts[1])
            query = parse_qs(url.query)
            page = int(query.get("page", ["1"])[0])
            host = query.get("next_host", ["127.0.0.1"])[0]
            items = [{"id": (page - 1) * 10 + i, "page": page} for i in range(10)]
            doc = {"data": {"items": items}}
            if page < total:
                doc["pagination"] = {"next": "http://%s:%d/pages/%d?page=%d" % (host, self.server.server_port, total, page + 1)}
            self.send(200, json.dumps(doc).encode())
        elif head == "redirect":  # /redirect?to=URL
            self.send(302, b"", headers={"Location": parse_qs(url.query)["to"][0]})
        elif head == "echo-key":  # /echo-key/STATUS: an error page quoting the X-Api-Key it got, then filler
            key = self.headers.get("X-Api-Key") or ""
            self.send(int(parts[1]), ("bad key " + key + " " + "x" * 500).encode(), "text/plain")
        elif head == "huge":  # /huge/COUNT
            n = int(parts[1])
            items = ",".join('{"id":%d,"reading":%d.5,"text":"%s"}' % (i, i % 97, "x" * 40) for i in range(n))
            self.send(200, ('{"items":[' + items + "]}").encode())
        elif head == "problem":
            self.send(400, json.dumps({"correlationId": "4a1f9c", "title": "Bad Request", "status": 400,
                                       "detail": "Parameter \"area\" is invalid"}).encode(), "application/problem+json")
        elif head == "firms-invalid":
            self.send(400, b"Invalid MAP_KEY.", "text/plain")
        elif head == "echo":
            self.send(200, json.dumps({"items": [{"method": self.command, "body": body.decode()}]}).encode())
        else:
            self.send(404, b'{"error":"no such path"}')


def exit_when_parent_goes():
    # The test holds our stdin open; EOF means it ended (or crashed) without stopping us.
    sys.stdin.buffer.read()
    os._exit(0)


# Spawned from a Swift thread, we inherit its blocked signals: unblock SIGTERM so stop() works.
signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
threading.Thread(target=exit_when_parent_goes, daemon=True).start()
ThreadingHTTPServer.daemon_threads = True
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(server.server_port))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
