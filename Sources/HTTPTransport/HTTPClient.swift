import BlockingCalls
import CCurl
import Logging

/// HTTP over libcurl. Each transfer runs on its own thread (`BlockingCalls.thread`), so calls
/// never block Swift's cooperative pool and never wait for one another.
///
/// `send` returns a response for every HTTP status; use `HTTPResponse.checked()` to make
/// non-2xx an `HTTPError`. Transport failures always throw. Proxies come from the environment
/// (`https_proxy`, `no_proxy`…), as libcurl does by default.
public struct HTTPClient: Sendable {
    /// Applied, with the secrets found in each request's URL, to every error and log line.
    public var redaction: Redaction
    public var logger: Logger

    /// Transfers need little stack; the default 8 MiB only reserves address space, but say so.
    private static let transferStack = 512 * 1024

    public init(redaction: Redaction = Redaction(), logger: Logger = Logger(label: "http-transport")) {
        self.redaction = redaction
        self.logger = logger
    }

    /// The whole response. Cancelling the calling task aborts the transfer and throws
    /// `.cancelled` (while the connection is idle, libcurl notices within about a second).
    public func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        let redaction = redaction
        let cancellation = TransferCancellation()
        let start = ContinuousClock.now
        let result: Result<HTTPResponse, HTTPError>
        if Task.isCancelled {
            result = .failure(cancelledError(request))
        } else {
            result = await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    BlockingCalls.thread(name: "http-transfer", stackSize: Self.transferStack) {
                        continuation.resume(returning: Self.transfer(request, .collect, cancellation, redaction))
                    }
                }
            } onCancel: {
                cancellation.cancel()
            }
        }
        log(request, result.map(\.status), since: start)
        return try result.get()
    }

    /// The response as it arrives: `.head` once, then `.body` chunks; the stream then finishes,
    /// or throws an `HTTPError`. The transfer starts at once. Ending iteration early or cancelling
    /// the consuming task aborts it. At most 16 chunks are buffered: a slow consumer slows the
    /// download rather than filling memory.
    public func stream(_ request: HTTPRequest) -> AsyncThrowingStream<HTTPStreamEvent, Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(
            of: HTTPStreamEvent.self, throwing: Error.self, bufferingPolicy: .bufferingOldest(16))
        let cancellation = TransferCancellation()
        continuation.onTermination = { _ in cancellation.cancel() }
        let redaction = redaction
        let client = self
        let start = ContinuousClock.now
        BlockingCalls.thread(name: "http-transfer", stackSize: Self.transferStack) {
            let result = Self.transfer(request, .stream(continuation), cancellation, redaction)
            client.log(request, result.map(\.status), since: start)
            switch result {
            case .success: continuation.finish()
            case .failure(let error): continuation.finish(throwing: error)
            }
        }
        return stream
    }

    /// Runs on a transfer thread.
    private static func transfer(_ request: HTTPRequest, _ output: TransferOutput,
                                 _ cancellation: TransferCancellation, _ redaction: Redaction) -> Result<HTTPResponse, HTTPError> {
        guard let easy = CurlEasyHandle(request: request, output: output, cancellation: cancellation) else {
            let redaction = redaction.adding(secretsIn: request.url)
            return .failure(HTTPError(kind: .transport(curlCode: Int(CURLE_FAILED_INIT.rawValue)),
                                      message: "curl error \(CURLE_FAILED_INIT.rawValue): curl_easy_init failed",
                                      method: request.method, url: redaction.url(request.url)))
        }
        return easy.perform(redaction: redaction)
    }

    private func cancelledError(_ request: HTTPRequest) -> HTTPError {
        HTTPError(kind: .cancelled, message: "cancelled", method: request.method,
                  url: redaction.adding(secretsIn: request.url).url(request.url))
    }

    private func log(_ request: HTTPRequest, _ result: Result<Int, HTTPError>, since start: ContinuousClock.Instant) {
        guard logger.logLevel <= .debug else { return }
        let url = redaction.adding(secretsIn: request.url).url(request.url)
        var metadata: Logger.Metadata = [
            "method": "\(request.method)", "url": "\(url)",
            "duration": "\(ContinuousClock.now - start)",
        ]
        switch result {
        case .success(let status): metadata["status"] = "\(status)"
        case .failure(let error): metadata["error"] = "\(error.message)"
        }
        logger.debug("http transfer finished", metadata: metadata)
    }
}
