"""HTTP(S) server for HTTPTransportTests. Usage: http_test_server.py PORT_FILE [CERT KEY [CLIENT_CA]]

Binds 127.0.0.1 on a free port and writes the port to PORT_FILE once listening.
With CERT and KEY it serves HTTPS; with CLIENT_CA it also requires a client certificate.
"""
import gzip
import json
import os
import signal
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

# Stream outcomes by id, so a test can see that the client went away ("aborted").
outcomes = {}
outcomes_lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # chunked transfer encoding needs 1.1

    def log_message(self, *args):
        pass

    def send_body(self, status, body, content_type="text/plain", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_POST(self):
        self.do_GET()

    def do_PUT(self):
        self.do_GET()

    def do_GET(self):
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        parts = url.path.strip("/").split("/")
        route = parts[0]
        if route == "json":
            self.send_body(200, b'{"hello":"world"}', "application/json", [("X-Test", "yes")])
        elif route == "echo":
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            reply = {"method": self.command, "body": body.decode("utf-8"),
                     "headers": {k.lower(): v for k, v in self.headers.items()}}
            self.send_body(200, json.dumps(reply).encode(), "application/json")
        elif route == "status":
            status = int(parts[1])
            extra = [("Retry-After", query["retry_after"])] if "retry_after" in query else []
            self.send_body(status, f"status {status} body".encode(), extra=extra)
        elif route == "redirect":  # /redirect[?to=LOCATION&code=302]
            self.rfile.read(int(self.headers.get("Content-Length") or 0))  # keep the connection in step
            self.send_response(int(query.get("code", "302")))
            self.send_header("Location", query.get("to", "/json"))
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif route == "echo-status":  # /echo-status/CODE: an error page quoting the request's X-Api-Key
            key = self.headers.get("X-Api-Key") or ""
            body = ("denied for key " + key + " " + "\u00e9" * 300 + "\x01\n").encode("utf-8")
            self.send_body(int(parts[1]), body)
        elif route == "gzip":
            plain = b"compressed " * 100
            if "gzip" in (self.headers.get("Accept-Encoding") or ""):
                self.send_body(200, gzip.compress(plain), extra=[("Content-Encoding", "gzip")])
            else:
                self.send_body(200, plain)
        elif route == "chunks":
            self.chunks(int(query.get("n", "5")), int(query.get("ms", "200")), query.get("id", ""))
        elif route == "slow":
            time.sleep(int(query.get("ms", "2000")) / 1000)
            self.send_body(200, b"slow done")
        elif route == "truncated":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b"only ten b")
            self.wfile.flush()
            self.close_connection = True
        elif route == "outcome":
            with outcomes_lock:
                self.send_body(200, outcomes.get(query.get("id", ""), "unknown").encode())
        else:
            self.send_body(404, b"not found")

    def chunks(self, count, pause_ms, stream_id):
        with outcomes_lock:
            outcomes[stream_id] = "running"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for i in range(count):
                data = f"chunk {i}\n".encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                self.wfile.flush()
                if i < count - 1:
                    time.sleep(pause_ms / 1000)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
            outcome = "completed"
        except (BrokenPipeError, ConnectionResetError):
            outcome = "aborted"
            self.close_connection = True
        with outcomes_lock:
            outcomes[stream_id] = outcome


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # many concurrent connects must not overflow the listen backlog


def exit_when_parent_goes():
    # The test holds our stdin open; EOF means it ended (or crashed) without stopping us.
    sys.stdin.buffer.read()
    os._exit(0)


def main():
    # Spawned from a Swift thread, we inherit its blocked signals: unblock SIGTERM so stop() works.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    threading.Thread(target=exit_when_parent_goes, daemon=True).start()
    port_file = sys.argv[1]
    server = Server(("127.0.0.1", 0), Handler)
    if len(sys.argv) >= 4:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[2], sys.argv[3])
        if len(sys.argv) >= 5:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(sys.argv[4])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, port_file)  # atomically, so the reader never sees a partial number
    server.serve_forever()


if __name__ == "__main__":
    main()
