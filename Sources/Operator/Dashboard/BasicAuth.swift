import Foundation
import Hummingbird

/// HTTP basic auth (`manager.http_auth`) in front of everything but the probes and Prometheus'
/// scrape: `/healthz`, `/readyz` and `/metrics` answer without credentials, so a cluster's probes
/// and ServiceMonitor keep working when the dashboard is locked.
public struct BasicAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    public static var openPaths: Set<String> { ["/healthz", "/readyz", "/metrics"] }

    private let expected: [UInt8]

    /// `password` is the resolved one (never logged).
    public init(username: String, password: String) {
        expected = Array("Basic \(Data("\(username):\(password)".utf8).base64EncodedString())".utf8)
    }

    public func handle(_ request: Request, context: Context,
                       next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.openPaths.contains(request.uri.path) || authorised(request.headers[.authorization]) {
            return try await next(request, context)
        }
        return Response(status: .unauthorized,
                        headers: [.wwwAuthenticate: "Basic realm=\"stream-manager\", charset=\"UTF-8\"",
                                  .contentType: "text/plain; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: "authentication required\n")))
    }

    /// Compares every byte whatever the first difference, so the time taken does not tell how much
    /// of a guess was right.
    private func authorised(_ header: String?) -> Bool {
        guard let header else { return false }
        let given = Array(header.utf8)
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for i in 0..<expected.count { difference |= expected[i] ^ (i < given.count ? given[i] : 0) }
        return difference == 0
    }
}
