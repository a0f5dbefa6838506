import Foundation
import Hummingbird
import StreamConfig

/// The fleet dashboard's endpoints (docs/architecture.md, "The fleet dashboard"): the page and
/// its two assets, `/api/fleet` (a snapshot), `/api/sources/<id>` (one source's detail) and
/// `/events` (server-sent events). Every URL the page uses is relative, so it also works behind
/// an ingress that serves it under a path prefix.
public enum DashboardRoutes {
    public static func add(to router: Router<BasicRequestContext>, data: any DashboardData) {
        router.get("/") { _, _ in
            var page = asset(DashboardPage.html, "text/html; charset=utf-8")
            // The page loads nothing but its own script and style sheet and talks only to this
            // server: should a record's text ever slip past textContent, it could not run or call out.
            page.headers[.contentSecurityPolicy] = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
            return page
        }
        router.get("dashboard.js") { _, _ in asset(DashboardScript.javascript, "text/javascript; charset=utf-8") }
        router.get("dashboard.css") { _, _ in asset(DashboardStyle.css, "text/css; charset=utf-8") }
        router.get("api/fleet") { _, _ in json(.ok, data.fleet.snapshotJSON().json) }
        router.get("api/sources/:id") { request, _ async -> Response in
            guard let id = sourceID(request.uri.path) else { return json(.notFound, #"{"error":"no source id"}"#) }
            return await detail(id, data)
        }
        router.get("events") { _, _ -> Response in
            Response(status: .ok,
                     headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache",
                               // nginx (and ingresses built on it) would hold the events back otherwise.
                               .init("X-Accel-Buffering")!: "no"],
                     body: ResponseBody { writer in try await FleetEventStream(board: data.fleet).run(&writer) })
        }
    }

    /// The id from `/api/sources/<id>` (percent-encoded by the page).
    static func sourceID(_ path: String) -> String? {
        let prefix = "/api/sources/"
        guard path.hasPrefix(prefix) else { return nil }
        let raw = String(path.dropFirst(prefix.count))
        guard !raw.isEmpty else { return nil }
        return raw.removingPercentEncoding ?? raw
    }

    /// `{source_id, status, transitions, config, config_error, cursor, versions, versions_note}`.
    static func detail(_ id: String, _ data: any DashboardData) async -> Response {
        let quoted = CanonicalJSON.quoted
        let board = data.fleet.source(id)
        let config = data.desiredConfig(of: id)
        if board == nil, case .failure = config {
            return json(.notFound, "{\"error\":\(quoted("no status record and no config for source '\(id)'"))}")
        }
        let versions = await data.configVersions(of: id, configVersion: board?.configVersion)
        var out = "{\"source_id\":\(quoted(id)),\"status\":\(board?.json ?? "null")"
        out += ",\"transitions\":[" + (board?.transitions ?? []).map { $0.json() }.joined(separator: ",") + "]"
        switch config {
        case .success(let json): out += ",\"config\":\(json),\"config_error\":null"
        case .failure(let note): out += ",\"config\":null,\"config_error\":\(quoted(note.message))"
        }
        out += ",\"cursor\":\(data.committedCursorJSON(of: id) ?? "null")"
        switch versions {
        case .success(let json): out += ",\"versions\":\(json),\"versions_note\":null}"
        case .failure(let note): out += ",\"versions\":null,\"versions_note\":\(quoted(note.message))}"
        }
        return json(.ok, out)
    }

    private static func asset(_ text: String, _ type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-cache", .xContentTypeOptions: "nosniff"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
