import Foundation

/// HTTP/1.1 over a plain socket, as a load balancer, a probe or a misbehaving client talks to the
/// operator's port: no client library that would retry, pool or hide how the server closes.
public enum RawHTTP {
    /// One request (`Connection: close`); the status code and body. nil when nothing answered.
    public static func request(port: Int, method: String = "GET", path: String,
                               headers: [String: String] = [:], timeout: TimeInterval = 5) -> (status: Int, headers: String, body: String)? {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for (k, v) in headers { text += "\(k): \(v)\r\n" }
        text += "\r\n"
        guard let fd = connect(port: port) else { return nil }
        defer { close(fd) }
        send(fd, text)
        let raw = readUntilClosed(fd, timeout: timeout).data
        let response = String(decoding: raw, as: UTF8.self)
        guard let headEnd = response.range(of: "\r\n\r\n") else { return nil }
        let head = String(response[..<headEnd.lowerBound])
        let statusLine = head.split(separator: "\r\n").first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        return (status, head, String(response[headEnd.upperBound...]))
    }

    /// Opens a connection, writes `prefix` (possibly an incomplete request, or nothing), then
    /// waits: the seconds until the server closed the connection, or nil if it was still open
    /// after `limit`.
    public static func secondsUntilClosed(port: Int, sending prefix: String, limit: TimeInterval) -> TimeInterval? {
        guard let fd = connect(port: port) else { return nil }
        defer { close(fd) }
        let start = Date()
        if !prefix.isEmpty { send(fd, prefix) }
        let result = readUntilClosed(fd, timeout: limit)
        return result.closed ? Date().timeIntervalSince(start) : nil
    }

    /// A streamed response (server-sent events): an open connection read as the server writes.
    public final class Stream: @unchecked Sendable {  // read by one caller at a time
        private let fd: Int32
        /// Everything read so far (head and body).
        public private(set) var text = ""

        public init?(port: Int, path: String, headers: [String: String] = [:]) {
            guard let fd = RawHTTP.connect(port: port) else { return nil }
            self.fd = fd
            var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
            for (k, v) in headers { request += "\(k): \(v)\r\n" }
            RawHTTP.send(fd, request + "\r\n")
        }

        deinit { close(fd) }

        /// Reads until `condition` holds for what was read (true), the server closes or `timeout` passes (false).
        public func read(until condition: (String) -> Bool, timeout: TimeInterval) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            var buffer = [UInt8](repeating: 0, count: 65_536)
            var bytes = Data(text.utf8)
            while !condition(text) {
                let remaining = deadline.timeIntervalSinceNow
                guard remaining > 0 else { return false }
                var poll = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = Glibc.poll(&poll, 1, Int32(min(remaining, 0.2) * 1000))
                if ready < 0 { return false }
                if ready == 0 { continue }
                let n = recv(fd, &buffer, buffer.count, 0)
                if n <= 0 { return false }
                bytes.append(contentsOf: buffer[0..<n])
                text = String(decoding: bytes, as: UTF8.self)
            }
            return true
        }
    }

    private static func connect(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if ok != 0 { close(fd); return nil }
        return fd
    }

    private static func send(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Reads until EOF (closed: true) or until `timeout` passes (closed: false).
    private static func readUntilClosed(_ fd: Int32, timeout: TimeInterval) -> (data: Data, closed: Bool) {
        var data = Data()
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return (data, false) }
            var poll = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = Glibc.poll(&poll, 1, Int32(min(remaining, 1) * 1000))
            if ready < 0 { return (data, true) }
            if ready == 0 { continue }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return (data, true) }
            data.append(contentsOf: buffer[0..<n])
        }
    }
}
