import Foundation
@testable import Kubernetes
import Testing

@Suite("watch stream parsing")
struct WatchEventParserTests {
    static let added = #"{"type":"ADDED","object":{"kind":"ConfigMap","metadata":{"name":"cfg","namespace":"ns","resourceVersion":"11"},"data":{"k":"v"}}}"#
    static let bookmark = #"{"type":"BOOKMARK","object":{"kind":"ConfigMap","metadata":{"resourceVersion":"15"}}}"#
    static let expired = #"{"type":"ERROR","object":{"kind":"Status","status":"Failure","message":"too old resource version: 3 (9)","reason":"Expired","code":410}}"#

    @Test("events cut anywhere by chunk boundaries come out whole, one by one")
    func chunked() throws {
        let stream = Array((Self.added + "\n" + Self.bookmark + "\n" + Self.expired + "\n").utf8)
        for size in [1, 7, 64, stream.count] {
            var parser = WatchEventParser()
            var events: [WatchEvent] = []
            var offset = 0
            while offset < stream.count {
                events += try parser.feed(Array(stream[offset..<min(offset + size, stream.count)]))
                offset += size
            }
            events += try parser.finish()
            #expect(events.count == 3, "chunk size \(size)")
            #expect(events.first == .added(ConfigMap(name: "cfg", namespace: "ns", resourceVersion: "11", data: ["k": "v"])))
            #expect(events.dropFirst().first == .bookmark(resourceVersion: "15"))
            guard case .error(let status)? = events.last else { Issue.record("no error event"); return }
            #expect(status.isExpired && status.code == 410)
        }
    }

    @Test("a last event without a line break is not lost; garbage is a clear error")
    func edges() throws {
        var parser = WatchEventParser()
        #expect(try parser.feed(Array(Self.bookmark.utf8)).isEmpty)
        #expect(try parser.finish() == [.bookmark(resourceVersion: "15")])
        var broken = WatchEventParser()
        #expect(throws: KubeError.self) { try broken.feed(Array("<html>oops</html>\n".utf8)) }
    }
}
