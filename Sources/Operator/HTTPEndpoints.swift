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

/// `/healthz`, `/readyz`, `/metrics` and `/status` (DESIGN.md, "HTTP"). On start the contract line
/// `http endpoints: http://127.0.0.1:<port>` goes to stdout with the port actually bound.
public enum HTTPEndpoints {
    public static func router(probe: any OperatorProbe) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("healthz") { _, _ -> Response in
            probe.isAlive ? text(.ok, "ok\n") : text(.serviceUnavailable, "loops stalled\n")
        }
        router.get("readyz") { _, _ -> Response in
            probe.isReady ? text(.ok, "ready\n") : text(.serviceUnavailable, "initial sync not applied yet\n")
        }
        router.get("metrics") { _, _ -> Response in
            text(.ok, MetricsExport.prometheusText(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("status") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(bytes: probe.metricsJSON())))
        }
        return router
    }

    /// The HTTP server as a `Service`. `host` is where it listens (all interfaces by default, so
    /// Kubernetes probes reach it); the printed line names loopback, where a local user reaches it.
    public static func application(probe: any OperatorProbe, host: String, port: Int, logger: Logger,
                                   onListening: @escaping @Sendable (Int) -> Void = announce) -> some Service {
        Application(router: router(probe: probe),
                    configuration: .init(address: .hostname(host, port: port), serverName: "stream-manager"),
                    onServerRunning: { channel in onListening(channel.localAddress?.port ?? port) },
                    logger: logger)
    }

    @Sendable public static func announce(port: Int) {
        print("http endpoints: http://127.0.0.1:\(port)")
        fflush(nil)
    }

    private static func text(_ status: HTTPResponse.Status, _ body: String,
                             contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(status: status, headers: [.contentType: contentType],
                 body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
