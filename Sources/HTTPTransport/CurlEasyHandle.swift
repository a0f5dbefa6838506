import CCurl
import Foundation

/// Where a transfer's response goes: collected whole, or handed out event by event.
enum TransferOutput: Sendable {
    case collect
    case stream(AsyncThrowingStream<HTTPStreamEvent, Error>.Continuation)
}

/// Owns one libcurl easy handle and everything it points at (header list, error buffer) for
/// the length of one transfer. Lives on a single transfer thread; libcurl's C callbacks find it
/// again through the `Unmanaged` pointer passed as their userdata.
final class CurlEasyHandle {
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
    // libcurl keeps a pointer to the list, not a copy: it must outlive curl_easy_perform.
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let request: HTTPRequest
    private let output: TransferOutput
    private let cancellation: TransferCancellation

    private var responseHeaders: [(String, String)] = []
    private var body: [UInt8] = []
    private var headDelivered = false
    private var status = 0

    /// The hop under way: the request's URL, then each redirect's when they are followed here.
    private var currentURL: String
    private var currentMethod: String
    private var sentHeaders: [(String, String)]
    /// A redirect response about to be followed: its body is held back, not delivered.
    private var holdingRedirect = false
    private var heldBody: [UInt8] = []

    init?(request: HTTPRequest, output: TransferOutput, cancellation: TransferCancellation) {
        CurlGlobal.ensureInitialized()
        guard let handle = curl_easy_init() else { return nil }
        self.handle = handle
        self.request = request
        self.output = output
        self.cancellation = cancellation
        currentURL = request.url
        currentMethod = request.method.uppercased()
        sentHeaders = request.headers
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    /// With a target check, every hop must pass it, and libcurl offers no hook between a
    /// redirect and the next connection: so redirects are followed here, one at a time.
    private var followsRedirectsItself: Bool { request.followRedirects && request.targetCheck != nil }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    /// Blocks until the transfer ends. Call on a transfer thread only.
    func perform(redaction: Redaction) -> Result<HTTPResponse, HTTPError> {
        var hops = 0
        var configured = false
        while true {
            if let refused = refusal(isRedirect: hops > 0, redaction: redaction) { return .failure(refused) }
            let code = withExtendedLifetime(self) { () -> CURLcode in
                let setup = configured ? CURLE_OK : configure()
                configured = true
                return setup == CURLE_OK ? curl_easy_perform(handle) : setup
            }
            if code != CURLE_OK { return .failure(error(for: code, redaction: redaction)) }
            if followsRedirectsItself, isRedirectResponse, let next = redirectURL {
                guard hops < request.maxRedirects else { return .failure(tooManyRedirects(redaction)) }
                hops += 1
                let setup = prepareHop(to: next)
                if setup != CURLE_OK { return .failure(error(for: setup, redaction: redaction)) }
                continue
            }
            deliverHead()
            releaseHeldBody()
            return .success(HTTPResponse(status: status, headers: responseHeaders, body: body, url: effectiveURL))
        }
    }

    // MARK: - Options

    private func configure() -> CURLcode {
        var result = CURLE_OK
        // Keep the first failure: later options may depend on earlier ones.
        func check(_ code: CURLcode) { if result == CURLE_OK { result = code } }
        let me = Unmanaged.passUnretained(self).toOpaque()

        check(ccurl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        check(ccurl_easy_setopt_string(handle, CURLOPT_URL, currentURL))
        // Signals cannot be used for timeouts in a multi-threaded process.
        check(ccurl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        // Only what we serve and test; no gopher, dict, smb… even via a redirect.
        check(ccurl_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https,file"))
        check(ccurl_easy_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"))
        check(ccurl_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, request.followRedirects && !followsRedirectsItself ? 1 : 0))
        check(ccurl_easy_setopt_long(handle, CURLOPT_MAXREDIRS, request.maxRedirects))
        if request.acceptGzip { check(ccurl_easy_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, "")) }
        if let connectTimeout = request.connectTimeout {
            check(ccurl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(connectTimeout)))
        }
        if let timeout = request.timeout {
            check(ccurl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(timeout)))
        }
        check(configureMethodAndBody())
        check(configureTLS())

        if !sentHeaders.isEmpty { check(setHeaders(sentHeaders)) }

        check(ccurl_easy_setopt_write_callback(handle, curlWriteCallback))
        check(ccurl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, me))
        check(ccurl_easy_setopt_header_callback(handle, curlHeaderCallback))
        check(ccurl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, me))
        // The progress callback is what notices cancellation while no data flows.
        check(ccurl_easy_setopt_xferinfo_callback(handle, curlXferInfoCallback))
        check(ccurl_easy_setopt_pointer(handle, CURLOPT_XFERINFODATA, me))
        check(ccurl_easy_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
        return result
    }

    /// Replaces the header list; the old one is freed once libcurl points at the new one.
    private func setHeaders(_ headers: [(String, String)]) -> CURLcode {
        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in headers {
            // "Name;" is curl's way to send a header with an empty value; "Name:" would remove it.
            list = curl_slist_append(list, value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        let code = ccurl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
        curl_slist_free_all(headerList)
        headerList = list
        return code
    }

    private func configureMethodAndBody() -> CURLcode {
        let method = request.method.uppercased()
        if method == "HEAD" { return ccurl_easy_setopt_long(handle, CURLOPT_NOBODY, 1) }
        if method == "GET" && request.body == nil { return ccurl_easy_setopt_long(handle, CURLOPT_HTTPGET, 1) }
        var code = CURLE_OK
        if let body = request.body ?? (method == "POST" ? [] : nil) {
            // Size first, then COPYPOSTFIELDS: libcurl takes its own copy of exactly that many bytes.
            code = ccurl_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            if code == CURLE_OK {
                code = body.withUnsafeBytes { bytes in
                    // An empty array may have no address; "" gives libcurl a valid zero-length one.
                    guard let base = bytes.baseAddress else {
                        return ccurl_easy_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, "")
                    }
                    return ccurl_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: base))
                }
            }
        }
        // POST is implied by a body; anything else is named explicitly.
        if code == CURLE_OK && method != "POST" {
            code = ccurl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)
        }
        return code
    }

    private func configureTLS() -> CURLcode {
        let tls = request.tls
        var codes: [CURLcode] = []
        if tls.insecureSkipVerify {
            codes.append(ccurl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 0))
            codes.append(ccurl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 0))
        } else {
            codes.append(ccurl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1))
            codes.append(ccurl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2))
        }
        if let caFile = tls.caFile { codes.append(ccurl_easy_setopt_string(handle, CURLOPT_CAINFO, caFile)) }
        if let cert = tls.clientCertificate { codes.append(ccurl_easy_setopt_string(handle, CURLOPT_SSLCERT, cert)) }
        if let key = tls.clientKey { codes.append(ccurl_easy_setopt_string(handle, CURLOPT_SSLKEY, key)) }
        return codes.first { $0 != CURLE_OK } ?? CURLE_OK
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    // MARK: - Callbacks (on the transfer thread)

    /// Returns false to abort the transfer.
    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if cancellation.isCancelled { return false }
        if !headDelivered && !holdingRedirect {
            if followsRedirectsItself && isRedirectResponse { holdingRedirect = true } else { deliverHead() }
        }
        if holdingRedirect {
            // Only delivered if the redirect turns out not to be followable; bounded all the same.
            if heldBody.count < 1 << 20 { heldBody.append(contentsOf: bytes) }
            return true
        }
        switch output {
        case .collect:
            body.append(contentsOf: bytes)
            return true
        case .stream(let continuation):
            return offer(.body(Array(bytes)), to: continuation)
        }
    }

    fileprivate func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .newlines)
        if line.hasPrefix("HTTP/") {
            // A new response (after a redirect or a 100 Continue): only the last one counts.
            responseHeaders = []
        } else if let first = line.first, first == " " || first == "\t", let last = responseHeaders.popLast() {
            // Obsolete line folding: continues the previous header's value.
            responseHeaders.append((last.0, last.1 + " " + line.trimmingCharacters(in: .whitespaces)))
        } else if let colon = line.firstIndex(of: ":") {
            let name = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
            let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            responseHeaders.append((name, value))
        }
    }

    fileprivate var shouldAbort: Bool { cancellation.isCancelled }

    /// The head goes out once, when the final response's headers are complete: at its first
    /// body byte, or at the end for an empty body.
    private func deliverHead() {
        guard !headDelivered else { return }
        headDelivered = true
        var code = 0
        _ = ccurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        // file:// has no status line; reaching here means the read worked.
        status = code == 0 && currentURL.lowercased().hasPrefix("file:") ? 200 : code
        if case .stream(let continuation) = output {
            _ = offer(.head(status: status, headers: responseHeaders), to: continuation)
        }
    }

    /// Hands an event to a bounded stream, waiting (on this dedicated thread) while the consumer
    /// is behind, so a slow consumer holds back the download instead of growing memory.
    private func offer(_ event: HTTPStreamEvent, to continuation: AsyncThrowingStream<HTTPStreamEvent, Error>.Continuation) -> Bool {
        while true {
            switch continuation.yield(event) {
            case .enqueued: return true
            case .terminated: return false
            case .dropped:
                if cancellation.isCancelled { return false }
                usleep(2_000)
            @unknown default: return false
            }
        }
    }

    // MARK: - Redirects followed here

    private var responseCode: Int {
        var code = 0
        _ = ccurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    private var isRedirectResponse: Bool {
        [301, 302, 303, 307, 308].contains(responseCode) && HTTPHeaderLookup.first("Location", in: responseHeaders) != nil
    }

    /// The absolute URL of the redirect (libcurl resolves a relative Location against the current URL).
    private var redirectURL: String? {
        var pointer: UnsafePointer<CChar>?
        guard ccurl_easy_getinfo_string(handle, CURLINFO_REDIRECT_URL, &pointer) == CURLE_OK, let pointer else { return nil }
        return String(cString: pointer)
    }

    /// The next hop on the same handle (its connections can be reused), as libcurl would make it:
    /// 303 turns anything but HEAD into GET, 301 and 302 turn POST into GET. Credentials in
    /// headers stay with the origin they were meant for.
    private func prepareHop(to next: String) -> CURLcode {
        let code = responseCode
        let from = RequestTarget(parsing: currentURL)
        let to = RequestTarget(parsing: next, isRedirect: true)
        currentURL = next
        responseHeaders = []
        body = []
        heldBody = []
        holdingRedirect = false
        headDelivered = false
        status = 0
        var codes = [ccurl_easy_setopt_string(handle, CURLOPT_URL, next)]
        if currentMethod != "GET" && currentMethod != "HEAD" && (code == 303 || ((code == 301 || code == 302) && currentMethod == "POST")) {
            currentMethod = "GET"
            codes.append(ccurl_easy_setopt_pointer(handle, CURLOPT_CUSTOMREQUEST, nil))
            codes.append(ccurl_easy_setopt_long(handle, CURLOPT_HTTPGET, 1))
        }
        if from.map(Self.origin) != to.map(Self.origin) {
            sentHeaders = sentHeaders.filter { !Redaction.isSecretHeader($0.0) }
            codes.append(setHeaders(sentHeaders))
        }
        return codes.first { $0 != CURLE_OK } ?? CURLE_OK
    }

    private static func origin(_ t: RequestTarget) -> String {
        "\(t.scheme)://\(t.host):\(t.port.map(String.init) ?? "default")"
    }

    /// A redirect that was not followed after all (no usable Location): its body is the answer.
    private func releaseHeldBody() {
        guard holdingRedirect, !heldBody.isEmpty else { return }
        switch output {
        case .collect: body += heldBody
        case .stream(let continuation): _ = offer(.body(heldBody), to: continuation)
        }
        heldBody = []
    }

    /// The target check's verdict on the hop about to be made, as an error; nil to go ahead.
    private func refusal(isRedirect: Bool, redaction: Redaction) -> HTTPError? {
        guard let check = request.targetCheck else { return nil }
        // A URL libcurl cannot parse fails in curl_easy_perform with its own error (3).
        guard let target = RequestTarget(parsing: currentURL, isRedirect: isRedirect) else { return nil }
        let reason = isRedirect && !["http", "https"].contains(target.scheme)
            ? "a redirect to a \(target.scheme):// URL is never followed" : check(target)
        guard let reason else { return nil }
        let redaction = redaction.adding(secretsIn: request.url).adding(secretsIn: currentURL)
        let message = isRedirect ? "refused redirect to \(redaction.url(currentURL)): \(reason)" : "refused: \(reason)"
        return HTTPError(kind: .refused, message: redaction.text(message), method: currentMethod,
                         url: redaction.url(request.url))
    }

    private func tooManyRedirects(_ redaction: Redaction) -> HTTPError {
        let redaction = redaction.adding(secretsIn: request.url)
        return HTTPError(kind: .transport(curlCode: Int(CURLE_TOO_MANY_REDIRECTS.rawValue)),
                         message: "curl error \(CURLE_TOO_MANY_REDIRECTS.rawValue): Maximum (\(request.maxRedirects)) redirects followed",
                         method: request.method, url: redaction.url(request.url))
    }

    // MARK: - Results

    private var effectiveURL: String {
        var pointer: UnsafePointer<CChar>?
        if ccurl_easy_getinfo_string(handle, CURLINFO_EFFECTIVE_URL, &pointer) == CURLE_OK, let pointer {
            return String(cString: pointer)
        }
        return request.url
    }

    private func error(for code: CURLcode, redaction: Redaction) -> HTTPError {
        let redaction = redaction.adding(secretsIn: request.url).adding(secretsIn: currentURL)
        let url = redaction.url(request.url)
        if cancellation.isCancelled && (code == CURLE_ABORTED_BY_CALLBACK || code == CURLE_WRITE_ERROR) {
            return HTTPError(kind: .cancelled, message: "cancelled", method: request.method, url: url)
        }
        // The error buffer has the specific reason ("… port 1 after 0 ms: Couldn't connect");
        // strerror only the generic one.
        var detail = String(cString: errorBuffer).trimmingCharacters(in: .whitespacesAndNewlines)
        if detail.isEmpty { detail = String(cString: curl_easy_strerror(code)) }
        return HTTPError(kind: .transport(curlCode: Int(code.rawValue)),
                         message: redaction.text("curl error \(code.rawValue): \(detail)"),
                         method: request.method, url: url)
    }
}

// C function pointers cannot capture context: each recovers its handle from the userdata.

private let curlWriteCallback: curl_write_callback = { data, size, count, userdata in
    let easy = Unmanaged<CurlEasyHandle>.fromOpaque(userdata!).takeUnretainedValue()
    let length = size * count
    return easy.receiveBody(UnsafeRawBufferPointer(start: data, count: length)) ? length : ccurl_writefunc_error()
}

private let curlHeaderCallback: curl_write_callback = { data, size, count, userdata in
    let easy = Unmanaged<CurlEasyHandle>.fromOpaque(userdata!).takeUnretainedValue()
    let length = size * count
    if easy.shouldAbort { return 0 }  // any short count aborts
    easy.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: length))
    return length
}

private let curlXferInfoCallback: curl_xferinfo_callback = { userdata, _, _, _, _ in
    let easy = Unmanaged<CurlEasyHandle>.fromOpaque(userdata!).takeUnretainedValue()
    return easy.shouldAbort ? 1 : 0
}
