import Foundation
import Testing
@testable import StreamConfig

/// Documents are refused by size — as written, and as their aliases expand — quickly, at the
/// place the limit is passed, before any later step walks an enormous tree.
@Suite("Document size limits")
struct DocumentLimitsTests {
    /// A 100 KB string under an anchor, a list of 1,000 aliases to it, and `connector.x`
    /// listing 190 aliases to that list: 108 KB that expands to 19 GB.
    static let aliasBomb: String = {
        let s = String(repeating: "B", count: 102_400)
        let l1 = Array(repeating: "*big", count: 1_000).joined(separator: ",")
        let x = Array(repeating: "*l1", count: 190).joined(separator: ",")
        return "source_type: generator\ntopic: p\nbig: &big \"\(s)\"\nl1: &l1 [\(l1)]\nconnector:\n  x: [\(x)]\n"
    }()

    @Test("the alias bomb is refused in well under a second, where the expansion passes the limit")
    func aliasBomb() {
        let start = ContinuousClock.now
        let single = ConfigLoader.parseSourceDocument(Self.aliasBomb, sourceID: "bomb", options: .lenient)
        let elapsed = ContinuousClock.now - start
        #expect(single.value == nil)
        #expect(single.diagnostics.count == 1)
        let d = single.diagnostics.first
        #expect(d?.message.contains("expands to more than 1048576 bytes (1 MiB)") == true, "\(single.diagnostics)")
        #expect(d?.message.contains("a single source entry") == true)
        // The list of aliases (line 4) is where the expansion passes the limit.
        #expect(d?.line == 4 && d?.column == 5, "\(String(describing: d))")
        #expect(elapsed < .milliseconds(500), "took \(elapsed)")

        // As part of a whole config the larger limit applies, and is still passed at once.
        let indented = Self.aliasBomb.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
        let whole = ConfigLoader.parse("sources:\n  bomb:\n" + indented + "\n", options: .lenient)
        #expect(whole.value == nil && whole.usable == nil)
        #expect(whole.diagnostics.map(\.message).contains { $0.contains("expands to more than 8388608 bytes (8 MiB)") })
    }

    @Test("many small aliases hit the value limit instead")
    func valueLimit() {
        // About 123,000 values: over a source entry's limit, within a whole config's.
        var lists = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...4 {
            lists += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let result = ConfigLoader.parseSourceDocument("source_type: generator\ntopic: t\n" + lists, sourceID: "s", options: .lenient)
        #expect(result.diagnostics.map(\.message) == [DocumentLimits.sourceDocument.valuesMessage])
        #expect(result.diagnostics.first?.message.contains("more than 50000 values") == true)
        let whole = ConfigLoader.parse(lists, options: .lenient)
        #expect(whole.value != nil, "\(whole.diagnostics)")
        // Ten times more is over that too.
        let more = lists + "a5: &a5 [" + Array(repeating: "*a4", count: 10).joined(separator: ", ") + "]\n"
        #expect(ConfigLoader.parse(more, options: .lenient).diagnostics.map(\.message) == [DocumentLimits.configDocument.valuesMessage])
        #expect(DocumentLimits.configDocument.valuesMessage.contains("more than 200000 values"))
    }

    @Test("text over the byte limit is refused before parsing, at the first byte past it")
    func rawLimit() {
        // Lines of 63 bytes: byte 1048576 is the fifth of line 16645.
        let line = "k" + String(repeating: "x", count: 61) + "\n"
        let exact = String(repeating: line, count: (1 << 20) / 63 + 1)
        #expect(exact.utf8.count > 1 << 20)
        let offset = 1 << 20
        let expectedLine = offset / 63 + 1, expectedColumn = offset % 63 + 1
        let result = ConfigLoader.parseSourceDocument(data: Data(exact.utf8), sourceID: "s")
        #expect(result.diagnostics.map(\.message) == ["the document is larger than 1048576 bytes (1 MiB), the limit for a single source entry"])
        #expect(result.diagnostics.first?.line == expectedLine && result.diagnostics.first?.column == expectedColumn,
                "\(result.diagnostics)")
        // One byte less and size is not the problem (the content still is: `k...` is no source).
        let fits = String(decoding: Array(exact.utf8.prefix(1 << 20)), as: UTF8.self)
        #expect(!ConfigLoader.parseSourceDocument(fits, sourceID: "s").diagnostics.contains { $0.message.contains("larger than") })
        // Columns count characters, not bytes.
        let wide = String(repeating: "é", count: 600_000)
        let d = ConfigLoader.parseSourceDocument(wide, sourceID: "s").diagnostics.first
        #expect(d?.line == 1 && d?.column == (1 << 20) / 2 + 1, "\(String(describing: d))")
    }

    @Test("a 50 MB document — bytes or a file — is refused in well under two seconds")
    func hugeDocument() throws {
        var data = Data(capacity: 50 << 20)
        data.append(Data("sources:\n  s: {source_type: generator, topic: t}\n".utf8))
        let entry = Data("  k: \"\(String(repeating: "v", count: 1000))\"\n".utf8)
        while data.count < 50 << 20 { data.append(entry) }

        var start = ContinuousClock.now
        let parsed = ConfigLoader.parse(data: data)
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(parsed.diagnostics.map(\.message) == [DocumentLimits.configDocument.rawMessage])

        let path = NSTemporaryDirectory() + "huge-\(UUID().uuidString).yaml"
        try data.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        start = ContinuousClock.now
        let loaded = ConfigLoader.load(contentsOf: path)
        let single = ConfigLoader.loadSourceDocument(contentsOf: path, sourceID: "s")
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(loaded.diagnostics.map(\.message) == [DocumentLimits.configDocument.rawMessage])
        #expect(single.diagnostics.map(\.message) == [DocumentLimits.sourceDocument.rawMessage])
        #expect(throws: ConfigError.self) { try ConfigLoader.loadOrThrow(contentsOf: path) }
    }

    @Test("keys that are aliases or collections are refused before composing in documents with anchors")
    func complexKeys() {
        // Ten levels of ten: 10^10 values behind one key, which composing would hash in full.
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...9 {
            text += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let bombs = [text + "? *a9\n: 1\n", text + "*a9 : 1\n", text + "[*a9]: 1\n", text + "x: {*a9 : 1}\n",
                     text + "x: [{? *a9 : 1}]\n"]
        for bomb in bombs {
            let start = ContinuousClock.now
            let result = ConfigLoader.parse(bomb, options: .lenient)
            #expect(ContinuousClock.now - start < .seconds(1))
            #expect(result.diagnostics.count == 1 && result.diagnostics[0].message.contains("mapping keys must be plain text"),
                    "\(result.diagnostics)")
            #expect(result.diagnostics.first?.line == 11, "\(result.diagnostics)")
        }
        // Anchors, aliases and merge keys in their ordinary use are untouched.
        let shared = """
            defaults: &d {source_type: generator, topic: t, ingestion: {mode: real_time, polling_interval_seconds: 5}}
            headers: &h {Accept: "*/*", X-Token: "${TOKEN}"}
            sources:
              a: {<<: *d, topic: own}
              b: *d
              c:
                <<: [*d]
                connector: {rate_per_second: 2}
            """
        let merged = ConfigLoader.parse(shared, options: .lenient)
        #expect(merged.value?.sources.count == 3, "\(merged.diagnostics)")
        // Without anchors nothing expands: an explicit key is just a key.
        #expect(ConfigLoader.parse("? queue_max_size\n: 10\n").value?.queueMaxSize == 10)
        #expect(ConfigLoader.parse("[a]: 1\n").diagnostics.first?.message.contains("mapping keys must be plain text") == true)
    }

    @Test("a stream (standard input) is read only up to one byte past the limit")
    func boundedHandle() throws {
        let path = NSTemporaryDirectory() + "stream-\(UUID().uuidString)"
        try Data(repeating: 0x61, count: 4 << 20).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let data = try ConfigLoader.readDocument(from: handle, limits: .sourceDocument)
        #expect(data.count == (1 << 20) + 1)
        #expect(ConfigLoader.parseSourceDocument(data: data).diagnostics.map(\.message) == [DocumentLimits.sourceDocument.rawMessage])
        let small = try ConfigLoader.readDocument(from: FileHandle(forReadingFrom: URL(fileURLWithPath: path)),
                                                  limits: DocumentLimits(maxBytes: 10, maxExpandedBytes: 10, maxValues: 10, subject: "x"))
        #expect(small.count == 11)
    }
}
