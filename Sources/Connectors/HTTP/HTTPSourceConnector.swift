import Foundation
import HTTPTransport
import Pipeline
import StreamConfig

/// The HTTP source types: requests a URL (following the API's pagination), hands successful
/// responses to the type's interpreter, and keeps conditional-request validators and paging
/// state in the cursor. A 304 answer yields no records and is marked `notModified` (the fetch
/// policy refunds its rate-limit token). Errors carry redacted URLs only. Every request — the
/// URL, each next page, each redirect — is held to the operator's `manager.source_access`.
public final class HTTPSourceConnector: SourceConnector {
    struct Request: Sendable {
        var url: String
        var method = "GET"
        var headers: [(String, String)] = []
        var body: [UInt8]?
        var timeout: Duration = .seconds(30)
    }

    let request: Request
    let interpreter: any ResponseInterpreter
    let client: HTTPClient
    /// Upper bound on pages read in one fetch, against an API whose next link never ends.
    let maxPages: Int

    let targetCheck: TargetCheck

    init(request: Request, interpreter: any ResponseInterpreter, secrets: [String] = [],
         access: SourceAccessPolicy = SourceAccessPolicy(), maxPages: Int = 100) {
        self.request = request
        self.interpreter = interpreter
        self.client = HTTPClient(redaction: Redaction(secrets: secrets.filter { !$0.isEmpty }))
        self.targetCheck = access.targetCheck
        self.maxPages = maxPages
    }

    /// The API host: rate limits may be shared per host, and the response cache is keyed by it.
    public var apiHost: String? { URLComponents(string: request.url)?.host }

    public func fetch(_ fetch: FetchRequest) async throws -> FetchResult {
        var cursor = HTTPJSONCursor(fetch.cursor)
        var url = cursor.nextURL ?? request.url
        let firstPage = cursor.nextURL == nil
        var records: [SourceRecord] = []
        for page in 0..<maxPages {
            var headers = request.headers
            if page == 0 && firstPage {
                if let etag = cursor.etag { headers.append(("If-None-Match", etag)) }
                if let date = cursor.lastModified { headers.append(("If-Modified-Since", date)) }
            }
            let response = try await send(url: url, headers: headers, timeout: fetch.timeout ?? request.timeout)
            if response.status == 304 {
                return FetchResult(records: records, nextCursor: cursor.text, notModified: records.isEmpty)
            }
            guard response.isSuccess else { throw statusError(response) }
            let out = try interpreter.interpret(response.body, cursor: cursor)
            cursor = out.cursor
            if page == 0 && firstPage {
                cursor.etag = response.header("ETag")
                cursor.lastModified = response.header("Last-Modified")
            }
            records += out.records
            guard let next = out.nextURL, next != url else {
                cursor.nextURL = nil
                return FetchResult(records: records, nextCursor: cursor.text)
            }
            // The next page: read on now, or on the next fetch when this one is full.
            cursor.nextURL = next
            url = next
            if records.count >= fetch.maxRecords { break }
        }
        return FetchResult(records: records, nextCursor: cursor.text, hasMore: true)
    }

    private func send(url: String, headers: [(String, String)], timeout: Duration) async throws -> HTTPResponse {
        let http = HTTPRequest(url: url, method: request.method, headers: headers, body: request.body,
                               timeout: timeout, targetCheck: targetCheck)
        do {
            return try await client.send(http)
        } catch {
            throw ConnectorError(error.description, isRetriable: error.isRetriable, retryAfter: error.retryAfter)
        }
    }

    private func statusError(_ response: HTTPResponse) -> ConnectorError {
        let error = HTTPError.status(response, method: request.method, redaction: client.redaction)
        let redaction = client.redaction.adding(secretsIn: response.url)
        let detail = interpreter.errorDetail(response.body).map { BodyExcerpt.make(text: $0, redaction: redaction) }
        let text = detail.map { "\(error.message) (\(request.method) \(error.url)): \($0)" } ?? error.description
        return ConnectorError(text, isRetriable: error.isRetriable, retryAfter: error.retryAfter, httpStatus: response.status)
    }
}
