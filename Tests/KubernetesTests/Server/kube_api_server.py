"""A Kubernetes API server for the KubernetesTests: core/v1 ConfigMaps only, real list/watch semantics.

Usage:
  kube_api_server.py --cert SERVER_CERT_PEM --key SERVER_KEY_PEM --token TOKEN [--client-ca CA_PEM]
                     [--port 0] [--bookmark-interval SECONDS] [--history N] [--port-file PATH]
                     [--verbose]

Serves HTTPS on 127.0.0.1 and prints exactly one line on stdout once it accepts connections:
`listening <port>` (and, with --port-file, writes the port to that file). It exits when its stdin
reaches EOF (the test process is gone) or on SIGTERM.

It behaves like kube-apiserver (watch cache in front of etcd) where a list/watch client can tell:
  * one global resourceVersion counter; objects carry the rv of their last change, a DELETED event
    carries the object with the rv of the deletion; rvs are strings on the wire;
  * a bounded event history (--history): watching from an rv older than the history is "too old",
    reported as a 200 response holding one ERROR event with a 410 Expired Status (an admin switch
    turns it into an HTTP 410); listing from such an rv answers HTTP 410 Expired;
  * list: resourceVersion unset (latest) / "0" (any: latest, limit ignored) / N (NotOlderThan:
    latest; Exact with resourceVersionMatch=Exact or, the legacy rule, with limit and no match),
    limit and continue (consistent pages; Expired once the token's rv is compacted), fieldSelector
    metadata.name / metadata.namespace, equality-based labelSelector; an rv from the future waits
    3 s, then 504 ResourceVersionTooLarge;
  * watch: synthetic ADDED for rv unset or "0", replay of retained events for rv=N, then live
    events, each written as its own chunk as it happens; BOOKMARKs (allowWatchBookmarks=true) every
    --bookmark-interval seconds; timeoutSeconds; sendInitialEvents (streaming list) with the
    "k8s.io/initial-events-end" bookmark;
  * Bearer token authentication, or a client certificate verified against --client-ca; 401 Status
    otherwise. Every error is a v1 Status object, as the real server sends.

Admin endpoints for the tests (no authentication; JSON bodies), see Handler.admin:
  PUT    /_test/configmaps/{ns}/{name}  {"data": {...}, "labels": {...}?, "annotations": {...}?}
  DELETE /_test/configmaps/{ns}/{name}
  POST   /_test/compact | /_test/expire-watches | /_test/close-watches
  POST   /_test/expired-as-status {"enabled": bool}
  POST   /_test/down {"seconds": N, "abrupt": bool?}
  GET    /_test/stats
Stats count every request routed to a ConfigMap URL, including those answered 401 or 503:
{"lists", "watches", "gets", "watch_rvs" (each watch's resourceVersion, "" when unset),
 "unauthorized", "open_watches", "resourceVersion", "compactedResourceVersion"}.
"""
import argparse
import base64
import collections
import json
import os
import queue
import select
import signal
import socket
import ssl
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

FIRST_RESOURCE_VERSION = 1000
# kube-apiserver waits this long for a list's future resourceVersion before answering 504.
TOO_LARGE_RV_WAIT = 3.0
# How often an idle watch checks whether its client hung up (so stats and the registry stay true).
LIVENESS_TICK = 0.5
INITIAL_EVENTS_END = "k8s.io/initial-events-end"

VERBOSE = False


def log(message):
    if VERBOSE:
        print(message, file=sys.stderr, flush=True)


def dump(value):
    # Compact, single-line JSON: the shape Go's encoding/json produces.
    return json.dumps(value, separators=(",", ":")).encode()


# ---------------------------------------------------------------------------------------------
# Errors: every failure is answered with a v1 Status, as kube-apiserver does.

def status_object(code, reason, message, details=None):
    status = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
              "message": message, "reason": reason}
    if details is not None:
        status["details"] = details
    status["code"] = code
    return status


class ApiError(Exception):
    def __init__(self, code, reason, message, details=None, headers=()):
        super().__init__(message)
        self.status = status_object(code, reason, message, details)
        self.code = code
        self.headers = headers


def not_found(name):
    return ApiError(404, "NotFound", f'configmaps "{name}" not found',
                    {"name": name, "kind": "configmaps"})


def too_old(requested, oldest):
    # The exact text of the watch cache's error; clients only look at reason/code.
    return status_object(410, "Expired", f"too old resource version: {requested} ({oldest})")


def invalid_list_options(field, detail):
    return ApiError(422, "Invalid", f'ListOptions.meta.k8s.io "" is invalid: {field}: {detail}',
                    {"group": "meta.k8s.io", "kind": "ListOptions",
                     "causes": [{"reason": "FieldValueInvalid", "message": detail, "field": field}]})


LIST_TOO_OLD = "The resourceVersion for the provided list is too old."
CONTINUE_TOO_OLD = (
    "The provided continue parameter is too old to display a consistent list result. You can start a "
    "new list without the continue parameter, or use the continue token in this response to retrieve "
    "the remainder of the results. Continuing with the provided token results in an inconsistent list "
    "- objects that were created, modified, or deleted between the time the first chunk was returned "
    "and now may show up in the list.")


# ---------------------------------------------------------------------------------------------
# Query parameters, parsed the way the API server's conversion functions do.

def query_bool(query, name):
    # metav1 bool params: absent, "", "0", "f", "false" are false; anything else is true.
    value = query.get(name)
    return value is not None and value.lower() not in ("", "0", "f", "false")


def query_int(query, name):
    value = query.get(name, "")
    if value == "":
        return 0
    try:
        return int(value)
    except ValueError:
        raise ApiError(400, "BadRequest", f'invalid value for {name}: "{value}"')


def parse_rv(text):
    try:
        rv = int(text)
        if rv < 0:
            raise ValueError
        return rv
    except ValueError:
        raise ApiError(400, "BadRequest", f'invalid resource version: "{text}"')


class Selector:
    """fieldSelector (metadata.name, metadata.namespace: the fields ConfigMaps support) and an
    equality-based labelSelector (k=v, k==v, k!=v, k, !k)."""

    def __init__(self, field_text="", label_text="", name=None):
        self.fields = []  # (field, wanted-equal, value)
        self.labels = []  # (key, op, value) with op in "=", "!=", "exists", "!exists"
        if name is not None:  # watch on a single object's URL is a metadata.name selector
            self.fields.append(("metadata.name", True, name))
        for term in terms(field_text):
            field, equal, value = split_term(term, field_text)
            if field not in ("metadata.name", "metadata.namespace"):
                raise ApiError(400, "BadRequest", f"field label not supported: {field}")
            self.fields.append((field, equal, value))
        for term in terms(label_text):
            if "=" in term:
                key, equal, value = split_term(term, label_text)
                self.labels.append((key, "=" if equal else "!=", value))
            elif term.startswith("!"):
                self.labels.append((term[1:].strip(), "!exists", None))
            else:
                self.labels.append((term, "exists", None))

    @property
    def empty(self):
        return not self.fields and not self.labels

    def matches(self, obj):
        meta = obj["metadata"]
        for field, equal, value in self.fields:
            actual = meta["name"] if field == "metadata.name" else meta["namespace"]
            if (actual == value) != equal:
                return False
        labels = meta.get("labels") or {}
        for key, op, value in self.labels:
            if op == "=" and labels.get(key) != value:
                return False
            if op == "!=" and labels.get(key) == value:
                return False
            if op == "exists" and key not in labels:
                return False
            if op == "!exists" and key in labels:
                return False
        return True


def terms(text):
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def split_term(term, whole):
    for op in ("!=", "==", "="):
        if op in term:
            left, right = term.split(op, 1)
            return left.strip(), op != "!=", right.strip()
    raise ApiError(400, "BadRequest", f"invalid selector: '{whole}'; can't understand '{term}'")


# ---------------------------------------------------------------------------------------------
# State: objects, the event history and the open watches, all under one lock so that a watch's
# replay and its registration for live events see exactly the same history (no gap, no duplicate).

Event = collections.namedtuple("Event", "type obj rv")


def key_of(ns, name):
    return f"{ns}/{name}"  # etcd's key order: namespace, then name


class Control:
    """Sent through a watch's queue by the admin endpoints to end it."""
    CLOSE = "close"    # terminating chunk, like a timeoutSeconds expiry
    ABRUPT = "abrupt"  # connection dropped mid-stream, like a crashed server
    EXPIRE = "expire"  # ERROR event with a 410 Expired Status, then the terminating chunk

    def __init__(self, kind):
        self.kind = kind


class Watcher:
    def __init__(self, namespace, selector, after_rv, start_rv):
        self.namespace = namespace
        self.selector = selector
        self.after_rv = after_rv  # only events newer than this (matters for a future rv)
        self.last_rv = start_rv   # every event up to here has been seen: a bookmark's rv
        self.queue = queue.SimpleQueue()

    def matches(self, obj):
        if self.namespace is not None and obj["metadata"]["namespace"] != self.namespace:
            return False
        return self.selector.matches(obj)

    def wants(self, event):
        return event.rv > self.after_rv and self.matches(event.obj)


class Store:
    def __init__(self, history_limit):
        self.cond = threading.Condition()
        self.rv = FIRST_RESOURCE_VERSION
        self.objects = {}  # key -> object (never mutated: events and snapshots share them)
        self.history = collections.deque()  # Events newer than compacted_rv
        self.base = {}  # the objects as of compacted_rv; base + history = any servable state
        self.compacted_rv = FIRST_RESOURCE_VERSION
        self.history_limit = history_limit
        self.watchers = set()
        self.expired_as_status = False
        self.down_until = 0.0
        self.stats = {"lists": 0, "watches": 0, "gets": 0, "watch_rvs": [], "unauthorized": 0}

    # -- changes (admin) --

    def put(self, ns, name, data, labels, annotations):
        """Create or update. Like a real update, one that changes nothing writes nothing: same rv,
        no event. Returns (object, created, changed)."""
        with self.cond:
            key = key_of(ns, name)
            old = self.objects.get(key)
            if old is not None and (old.get("data", {}) == data
                                    and old["metadata"].get("labels") == labels
                                    and old["metadata"].get("annotations") == annotations):
                return old, False, False
            self.rv += 1
            meta = {"name": name, "namespace": ns,
                    "uid": old["metadata"]["uid"] if old else str(uuid.uuid4()),
                    "resourceVersion": str(self.rv),
                    "creationTimestamp": old["metadata"]["creationTimestamp"] if old else now_rfc3339()}
            if labels is not None:
                meta["labels"] = labels
            if annotations is not None:
                meta["annotations"] = annotations
            obj = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": meta, "data": data}
            self.objects[key] = obj
            self.record(Event("ADDED" if old is None else "MODIFIED", obj, self.rv))
            return obj, old is None, True

    def delete(self, ns, name):
        with self.cond:
            old = self.objects.pop(key_of(ns, name), None)
            if old is None:
                return None
            self.rv += 1
            # The DELETED event carries the last state with the deletion's rv, as from etcd.
            obj = dict(old, metadata=dict(old["metadata"], resourceVersion=str(self.rv)))
            self.record(Event("DELETED", obj, self.rv))
            return obj

    def record(self, event):
        self.history.append(event)
        while len(self.history) > self.history_limit:
            self.drop_oldest()
        for watcher in self.watchers:
            watcher.queue.put(event)
        self.cond.notify_all()  # lists waiting for a future rv

    def drop_oldest(self):
        event = self.history.popleft()
        apply(self.base, event)
        self.compacted_rv = event.rv

    def compact(self):
        with self.cond:
            while self.history:
                self.drop_oldest()
            self.compacted_rv = self.rv
            return self.compacted_rv

    def end_watches(self, kind):
        with self.cond:
            for watcher in self.watchers:
                watcher.queue.put(Control(kind))
            return len(self.watchers)

    def open_watch(self, namespace, selector, requested, synthetic):
        """Registers a watch and returns (watcher, initial events), or the Expired Status when
        requested is older than the history. Called with the lock held, so that the initial events
        and the live ones that follow neither overlap nor leave a gap."""
        if not synthetic and requested is not None and requested < self.compacted_rv:
            return too_old(requested, self.compacted_rv)
        current = self.rv
        if synthetic:
            initial = [Event("ADDED", self.objects[k], current) for k in sorted(self.objects)]
        elif requested is None:
            initial = []  # sendInitialEvents=false without an rv: only what happens next
        else:
            initial = [e for e in self.history if e.rv > requested]
        # For an rv from the future, nothing until the counter passes it.
        watcher = Watcher(namespace, selector, max(current, requested or 0), current)
        self.watchers.add(watcher)
        return watcher, [e for e in initial if watcher.matches(e.obj)]

    # -- reads --

    def state_at(self, rv):
        """The objects as they were at rv (compacted_rv <= rv <= self.rv)."""
        if rv >= self.rv:
            return dict(self.objects)
        state = dict(self.base)
        for event in self.history:
            if event.rv > rv:
                break
            apply(state, event)
        return state

    def is_down(self):
        return time.monotonic() < self.down_until


def apply(state, event):
    key = key_of(event.obj["metadata"]["namespace"], event.obj["metadata"]["name"])
    if event.type == "DELETED":
        state.pop(key, None)
    else:
        state[key] = event.obj


def now_rfc3339():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


# ---------------------------------------------------------------------------------------------
# HTTP

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, and chunked transfer encoding for watches

    # Set in main().
    store: Store = None
    token = ""
    bookmark_interval = 1.0

    def setup(self):
        # The TLS handshake runs here, on the connection's own thread, not in the accept loop
        # where one slow or failing client would hold up every other.
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(10)
            self.request.do_handshake()
            self.request.settimeout(None)
        super().setup()

    def log_message(self, fmt, *args):
        log("%s %s" % (self.address_string(), fmt % args))

    # -- responses --

    def send_json(self, code, value, headers=()):
        body = dump(value)
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Content-Length", str(len(body)))
        for name, val in headers:
            self.send_header(name, val)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error_status(self, error):
        self.send_json(error.code, error.status, error.headers)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    # -- dispatch --

    def do_GET(self):
        self.dispatch()

    def do_HEAD(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def do_PATCH(self):
        self.dispatch()

    def dispatch(self):
        url = urlsplit(self.path)
        parts = [unquote(p) for p in url.path.split("/") if p]
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        body = self.read_body()  # always drained, so the keep-alive connection stays in step
        try:
            if parts[:1] == ["_test"]:
                try:
                    self.admin(parts[1:], body)
                except (ValueError, TypeError, AttributeError) as error:  # a malformed test request
                    raise ApiError(400, "BadRequest", f"bad admin request: {error}")
            else:
                self.api(parts, query)
        except ApiError as error:
            self.send_error_status(error)

    def api(self, parts, query):
        store = self.store
        route = api_route(parts)
        watch = route is not None and (route[2] or query_bool(query, "watch"))
        with store.cond:  # counted before auth and outage checks: they are requests all the same
            if route is not None and route[1] is not None and not watch:
                store.stats["gets"] += 1
            elif watch:
                store.stats["watches"] += 1
                store.stats["watch_rvs"].append(query.get("resourceVersion", ""))
            elif route is not None:
                store.stats["lists"] += 1
        if store.is_down():
            raise ApiError(503, "ServiceUnavailable", "the server is currently unable to handle the request")
        if not self.authenticated():
            with store.cond:
                store.stats["unauthorized"] += 1
            raise ApiError(401, "Unauthorized", "Unauthorized")
        if route is None:
            raise ApiError(404, "NotFound", "the server could not find the requested resource", {})
        if self.command not in ("GET", "HEAD"):
            # The client under test only reads; writes go through /_test/.
            raise ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
        namespace, name, _ = route
        if watch:
            self.watch(namespace, name, query)
        elif name is not None:
            with store.cond:
                obj = store.objects.get(key_of(namespace, name))
            if obj is None:
                raise not_found(name)
            self.send_json(200, obj)
        else:
            self.send_json(200, self.list(namespace, query))

    def authenticated(self):
        if isinstance(self.connection, ssl.SSLSocket) and self.connection.getpeercert():
            return True  # a client certificate that verified against --client-ca
        scheme, _, credential = (self.headers.get("Authorization") or "").strip().partition(" ")
        return scheme.lower() == "bearer" and credential.strip() == self.token

    # -- list --

    def list(self, namespace, query):
        store = self.store
        selector = Selector(query.get("fieldSelector", ""), query.get("labelSelector", ""))
        rv_text = query.get("resourceVersion", "")
        match = query.get("resourceVersionMatch", "")
        limit = max(0, query_int(query, "limit"))
        token = query.get("continue", "")
        if match:
            if not rv_text:
                raise invalid_list_options("resourceVersionMatch", "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided")
            if match not in ("Exact", "NotOlderThan"):
                raise invalid_list_options("resourceVersionMatch", f'Unsupported value: "{match}"')
            if match == "Exact" and rv_text == "0":
                raise invalid_list_options("resourceVersionMatch", 'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"')
        if token and rv_text not in ("", "0"):
            raise ApiError(400, "BadRequest", "specifying resource version is not allowed when using continue")

        with store.cond:
            if token:
                snapshot_rv, start = decode_continue(token)
                if snapshot_rv < store.compacted_rv:
                    raise ApiError(410, "Expired", CONTINUE_TOO_OLD)
                exact = True
            else:
                start = ""
                if rv_text in ("", "0"):
                    # Unset: a consistent read of the latest state. "0": any state (the cache's),
                    # and the watch cache ignores limit then.
                    snapshot_rv, exact = store.rv, False
                    if rv_text == "0":
                        limit = 0
                else:
                    snapshot_rv = parse_rv(rv_text)
                    if snapshot_rv > store.rv:
                        store.cond.wait_for(lambda: store.rv >= snapshot_rv, TOO_LARGE_RV_WAIT)
                        if snapshot_rv > store.rv:
                            raise ApiError(
                                504, "Timeout", f"Too large resource version: {snapshot_rv}, current: {store.rv}",
                                {"causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
                                 "retryAfterSeconds": 1}, headers=[("Retry-After", "1")])
                    if snapshot_rv < store.compacted_rv:
                        raise ApiError(410, "Expired", LIST_TOO_OLD)
                    # Exact when asked, or (legacy rule) when paginating from an rv without a match.
                    exact = match == "Exact" or (match == "" and limit > 0)
                    if not exact:
                        snapshot_rv = store.rv  # NotOlderThan: the latest state is not older
            state = store.state_at(snapshot_rv) if exact else dict(store.objects)

        keys = sorted(k for k, obj in state.items()
                      if (namespace is None or obj["metadata"]["namespace"] == namespace)
                      and k > start and selector.matches(obj))
        metadata = {"resourceVersion": str(snapshot_rv)}
        if limit and len(keys) > limit:
            metadata["continue"] = encode_continue(snapshot_rv, keys[limit - 1] + "\x00")
            if selector.empty:  # as etcd: only counted when no selector filters the rest
                metadata["remainingItemCount"] = len(keys) - limit
            keys = keys[:limit]
        return {"kind": "ConfigMapList", "apiVersion": "v1", "metadata": metadata,
                "items": [state[k] for k in keys]}

    # -- watch --

    def watch(self, namespace, name, query):
        store = self.store
        selector = Selector(query.get("fieldSelector", ""), query.get("labelSelector", ""), name)
        rv_text = query.get("resourceVersion", "")
        bookmarks = query_bool(query, "allowWatchBookmarks")
        timeout = query_int(query, "timeoutSeconds")
        send_initial = query.get("sendInitialEvents")
        match = query.get("resourceVersionMatch", "")
        if send_initial is not None and match != "NotOlderThan":
            raise invalid_list_options("resourceVersionMatch", "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan")
        if send_initial is None and match:
            raise invalid_list_options("resourceVersionMatch", "Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided")
        send_initial = None if send_initial is None else query_bool(query, "sendInitialEvents")
        requested = None if rv_text in ("", "0") else parse_rv(rv_text)

        # Without sendInitialEvents, rv unset or "0" means "start with the current state";
        # with it, the initial state is the current one whatever rv says (NotOlderThan).
        synthetic = send_initial if send_initial is not None else requested is None
        with store.cond:
            opened = store.open_watch(namespace, selector, requested, synthetic)
            if isinstance(opened, dict) and store.expired_as_status:
                raise ApiError(410, "Expired", opened["message"])
        try:
            if isinstance(opened, dict):
                # The watch cache reports a too-old rv inside a successful watch response.
                self.start_stream()
                self.stream_line({"type": "ERROR", "object": opened})
                self.end_stream()
                return
            watcher, initial = opened
            try:
                self.stream_watch(watcher, initial, bookmarks and send_initial, bookmarks, timeout)
            finally:
                with store.cond:
                    store.watchers.discard(watcher)
        except (OSError, ValueError):  # the client hung up (ssl errors are OSErrors)
            self.close_connection = True

    def stream_watch(self, watcher, initial, initial_end_bookmark, bookmarks, timeout):
        self.start_stream()
        for event in initial:
            self.stream_line({"type": event.type, "object": event.obj})
        if initial_end_bookmark:
            self.stream_line(bookmark(watcher.last_rv, initial_events_end=True))

        started = time.monotonic()
        deadline = started + timeout if timeout > 0 else None
        interval = self.bookmark_interval if bookmarks and self.bookmark_interval > 0 else None
        next_bookmark = started + interval if interval else None
        while True:
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                self.end_stream()  # timeoutSeconds: a clean end, the client re-watches
                return
            if next_bookmark is not None and now >= next_bookmark:
                # Every event up to last_rv went through this watch (sent or filtered out), so the
                # client may resume from here: that is what makes bookmarks worth having.
                self.stream_line(bookmark(watcher.last_rv))
                next_bookmark = now + interval
            wait = min(t - now for t in (deadline, next_bookmark, now + LIVENESS_TICK) if t is not None)
            try:
                item = watcher.queue.get(timeout=max(0.0, wait))
            except queue.Empty:
                if self.client_gone():
                    self.close_connection = True
                    return
                continue
            if isinstance(item, Control):
                if item.kind == Control.ABRUPT:
                    self.close_connection = True  # no terminating chunk: the stream just breaks
                    return
                if item.kind == Control.EXPIRE:
                    with self.store.cond:
                        oldest = max(self.store.compacted_rv, watcher.last_rv + 1)
                    self.stream_line({"type": "ERROR", "object": too_old(watcher.last_rv, oldest)})
                self.end_stream()
                return
            watcher.last_rv = item.rv
            if watcher.wants(item):
                self.stream_line({"type": item.type, "object": item.obj})

    def start_stream(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()

    def stream_line(self, value):
        # One event per chunk, written at once: the client must see each as it happens.
        data = dump(value) + b"\n"
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def end_stream(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def client_gone(self):
        """True once the client closed the connection. It sends nothing while a watch runs, so
        anything readable means EOF (or a client we cannot serve any more anyway)."""
        sock = self.connection
        try:
            readable, _, _ = select.select([sock], [], [], 0)
            if not readable:
                return False
            sock.settimeout(0.05)
            try:
                sock.recv(1)  # b"" at EOF; raises on a reset
                return True
            finally:
                sock.settimeout(None)
        except (socket.timeout, ssl.SSLWantReadError):
            return False  # a partial TLS record, not an EOF
        except (OSError, ValueError):
            return True

    # -- admin --

    def admin(self, parts, body):
        store = self.store
        try:
            args = json.loads(body) if body.strip() else {}
        except ValueError:
            raise ApiError(400, "BadRequest", "body is not JSON")
        command = (self.command, parts[0] if parts else "")
        if command in (("PUT", "configmaps"), ("DELETE", "configmaps")) and len(parts) == 3:
            ns, name = parts[1], parts[2]
            if self.command == "DELETE":
                obj = store.delete(ns, name)
                if obj is None:
                    raise not_found(name)
                self.send_json(200, obj)
                return
            data, labels, annotations = args.get("data", {}), args.get("labels"), args.get("annotations")
            for value in (data, labels or {}, annotations or {}):
                if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                    raise ApiError(400, "BadRequest", "data, labels and annotations must map strings to strings")
            obj, created, _ = store.put(ns, name, data, labels, annotations)
            self.send_json(201 if created else 200, obj)
        elif command == ("POST", "compact"):
            rv = store.compact()
            self.send_json(200, {"compactedResourceVersion": str(rv)})
        elif command == ("POST", "expire-watches"):
            self.send_json(200, {"watches": store.end_watches(Control.EXPIRE)})
        elif command == ("POST", "close-watches"):
            self.send_json(200, {"watches": store.end_watches(Control.CLOSE)})
        elif command == ("POST", "expired-as-status"):
            with store.cond:
                store.expired_as_status = bool(args.get("enabled", True))
            self.send_json(200, {"enabled": store.expired_as_status})
        elif command == ("POST", "down"):
            seconds = float(args.get("seconds", 0))
            with store.cond:
                store.down_until = time.monotonic() + seconds
            # An outage breaks open watches mid-stream unless the test asks for a clean end.
            kind = Control.ABRUPT if args.get("abrupt", True) else Control.CLOSE
            self.send_json(200, {"seconds": seconds, "watches": store.end_watches(kind)})
        elif command == ("GET", "stats"):
            with store.cond:
                stats = dict(store.stats, watch_rvs=list(store.stats["watch_rvs"]),
                             open_watches=len(store.watchers), resourceVersion=str(store.rv),
                             compactedResourceVersion=str(store.compacted_rv))
            self.send_json(200, stats)
        else:
            raise ApiError(404, "NotFound", "no such test endpoint", {})


def api_route(parts):
    """(namespace or None, name or None, watch-by-path) for a ConfigMap URL, else None. Also takes
    the legacy /api/v1/watch/... form."""
    if parts[:2] != ["api", "v1"]:
        return None
    rest, watch = parts[2:], False
    if rest[:1] == ["watch"]:
        rest, watch = rest[1:], True
    if rest == ["configmaps"]:
        return None, None, watch
    if len(rest) in (3, 4) and rest[0] == "namespaces" and rest[2] == "configmaps":
        return rest[1], rest[3] if len(rest) == 4 else None, watch
    return None


def bookmark(rv, initial_events_end=False):
    # A real bookmark is an empty object of the watched kind; Go writes its zero creationTimestamp
    # as null, so clients meet that too.
    meta = {"resourceVersion": str(rv), "creationTimestamp": None}
    if initial_events_end:
        meta["annotations"] = {INITIAL_EVENTS_END: "true"}
    return {"type": "BOOKMARK", "object": {"kind": "ConfigMap", "apiVersion": "v1", "metadata": meta}}


def encode_continue(rv, start):
    token = dump({"v": "meta.k8s.io/v1", "rv": rv, "start": start})
    return base64.urlsafe_b64encode(token).decode().rstrip("=")


def decode_continue(token):
    try:
        value = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if value.get("v") != "meta.k8s.io/v1" or not isinstance(value["rv"], int):
            raise ValueError("unexpected token")
        return value["rv"], str(value["start"])
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ApiError(400, "BadRequest", f"continue key is not valid: {error}")


# ---------------------------------------------------------------------------------------------

class Server(ThreadingHTTPServer):
    daemon_threads = True     # open watches must not keep the process alive
    request_queue_size = 128

    def handle_error(self, request, client_address):
        if VERBOSE:
            super().handle_error(request, client_address)


def exit_when_parent_goes():
    # The test holds our stdin open; EOF means it ended (or crashed) without stopping us.
    sys.stdin.buffer.read()
    os._exit(0)


def main():
    global VERBOSE
    parser = argparse.ArgumentParser(description="Kubernetes API (ConfigMaps) test server")
    parser.add_argument("--cert", required=True, help="server certificate (PEM)")
    parser.add_argument("--key", required=True, help="server private key (PEM)")
    parser.add_argument("--token", required=True, help="the accepted bearer token")
    parser.add_argument("--client-ca", help="CA (PEM) for optional client certificates")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--bookmark-interval", type=float, default=1.0, help="seconds; 0 = no bookmarks")
    parser.add_argument("--history", type=int, default=1000, help="events retained before compaction")
    parser.add_argument("--port-file", help="also write the port here (atomically), for launchers that read no stdout")
    parser.add_argument("--verbose", action="store_true", help="log requests to stderr")
    args = parser.parse_args()
    VERBOSE = args.verbose

    # Spawned from a Swift thread we may inherit blocked or ignored signals: SIGTERM must stop us.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=exit_when_parent_goes, daemon=True).start()

    Handler.store = Store(max(0, args.history))
    Handler.token = args.token
    Handler.bookmark_interval = args.bookmark_interval

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    if args.client_ca:
        context.verify_mode = ssl.CERT_OPTIONAL  # a certificate authenticates; a token still may
        context.load_verify_locations(args.client_ca)
    server = Server(("127.0.0.1", args.port), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)

    port = server.server_address[1]
    print(f"listening {port}", flush=True)
    sys.stdout = sys.stderr  # the one stdout line is written; nothing else may ever go there
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(str(port))
        os.replace(args.port_file + ".tmp", args.port_file)  # the reader never sees a partial number
    server.serve_forever()


if __name__ == "__main__":
    main()
