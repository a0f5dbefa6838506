import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// What the endpoints ask the operator; a protocol so the endpoints can be tested on their own.
public protocol OperatorProbe: Sendable {
    var isAlive: Bool { get }
    var isReady: Bool { get }
    /// `GET /status`: the metrics tree as JSON.
    func metricsJSON() -> [UInt8]
}

extension StreamOperator: OperatorProbe {}

/// `/healthz`, `/readyz`, `/metrics` and `/status`, and with `dashboard` the fleet dashboard
/// (`DashboardRoutes`); `auth` puts basic auth in front of all but the probes and `/metrics`. On
/// start the contract line `http endpoints: http://127.0.0.1:<port>` goes to stdout with the port
/// actually bound.
public enum HTTPEndpoints {
    /// Resolved basic-auth credentials.
    public struct Credentials: Sendable {
        public var username: String
        public var password: String
        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }
    }

    public static func router(probe: any OperatorProbe, dashboard: (any DashboardData)? = nil,
                              auth: Credentials? = nil) -> Router<BasicRequestContext> {
        let router = Router()
        if let auth { router.add(middleware: BasicAuthMiddleware(username: auth.username, password: auth.password)) }
        router.get("healthz") { _, _ in health(probe) }
        router.get("readyz") { _, _ in ready(probe) }
        // Load balancers and some probes ask with HEAD: the status without the body.
        router.head("healthz") { _, _ in headOnly(health(probe)) }
        router.head("readyz") { _, _ in headOnly(ready(probe)) }
        router.get("metrics") { _, _ -> Response in
            text(.ok, MetricsExport.prometheusText(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("status") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(bytes: probe.metricsJSON())))
        }
        if let dashboard { DashboardRoutes.add(to: router, data: dashboard) }
        return router
    }

    /// The HTTP server as a `Service`. `host` is where it listens (all interfaces by default, so
    /// Kubernetes probes reach it); the printed line names loopback, where a local user reaches it.
    public static func application(probe: any OperatorProbe, dashboard: (any DashboardData)? = nil,
                                   auth: Credentials? = nil, host: String, port: Int, logger: Logger,
                                   onListening: @escaping @Sendable (Int) -> Void = announce) -> some Service {
        // A connection that sends nothing for the idle timeout is closed, whether it is between
        // requests or still in the middle of a request's header (a head is decoded only when
        // complete, so a client trickling bytes does not keep it alive).
        Application(router: router(probe: probe, dashboard: dashboard, auth: auth),
                    server: .http1(configuration: .init(idleTimeout: .seconds(10))),
                    configuration: .init(address: .hostname(host, port: port), serverName: "stream-manager"),
                    onServerRunning: { channel in onListening(channel.localAddress?.port ?? port) },
                    logger: logger)
    }

    @Sendable public static func announce(port: Int) {
        print("http endpoints: http://127.0.0.1:\(port)")
        print("fleet dashboard: http://127.0.0.1:\(port)/")
        fflush(nil)
    }

    private static func health(_ probe: any OperatorProbe) -> Response {
        probe.isAlive ? text(.ok, "ok\n") : text(.serviceUnavailable, "loops stalled\n")
    }

    private static func ready(_ probe: any OperatorProbe) -> Response {
        probe.isReady ? text(.ok, "ready\n")
            : text(.serviceUnavailable, "not ready: the initial sync is not applied yet, or the Kafka brokers have been unreachable too long\n")
    }

    private static func headOnly(_ response: Response) -> Response {
        Response(status: response.status, headers: response.headers, body: .init())
    }

    private static func text(_ status: HTTPResponse.Status, _ body: String,
                             contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(status: status, headers: [.contentType: contentType],
                 body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
