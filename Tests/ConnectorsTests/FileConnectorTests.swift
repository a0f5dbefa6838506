import Foundation
@testable import Connectors
import Pipeline
import StreamConfig
import Testing

@Suite("file source type")
struct FileConnectorTests {
    let dir: String = {
        let d = NSTemporaryDirectory() + "file-source-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    /// The test's directory is the only file root.
    var access: SourceAccessPolicy { SourceAccessPolicy(fileRoots: [dir]) }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: "\(dir)/\(name)", atomically: false, encoding: .utf8)
    }

    func append(_ name: String, _ text: String) throws {
        let h = try #require(FileHandle(forWritingAtPath: "\(dir)/\(name)"))
        try h.seekToEnd()
        try h.write(contentsOf: Data(text.utf8))
        try h.close()
    }

    func values(_ r: FetchResult) -> [String] { r.records.map { String(decoding: $0.value, as: UTF8.self) } }

    @Test("a glob of JSON-lines files is read in name order, in pages; the cursor resumes exactly")
    func jsonlPagesAndResume() async throws {
        try write("b.jsonl", "{\"n\":3}\n{\"n\":4}\n")
        try write("a.jsonl", "{\"n\":1}\n\n{\"n\":2}\n")
        let c = FileConnector(sourceID: "f", settings: FileSourceSettings(path: "\(dir)/*.jsonl"), access: access)
        let first = try await c.fetch(FetchRequest(cursor: nil, maxRecords: 3))
        #expect(values(first) == ["{\"n\":1}", "{\"n\":2}", "{\"n\":3}"])
        #expect(first.hasMore)
        // A new connector (a restart) continues from the cursor: no gap, no repeat.
        let again = FileConnector(sourceID: "f", settings: FileSourceSettings(path: "\(dir)/*.jsonl"), access: access)
        let second = try await again.fetch(FetchRequest(cursor: first.nextCursor, maxRecords: 3))
        #expect(values(second) == ["{\"n\":4}"])
        #expect(!second.hasMore)
        let third = try await again.fetch(FetchRequest(cursor: second.nextCursor, maxRecords: 3))
        #expect(third.records.isEmpty && third.nextCursor == second.nextCursor)
    }

    @Test("follow: lines appended later are read; a line still being written waits for its line break")
    func follow() async throws {
        try write("live.jsonl", "{\"n\":1}\n{\"n\":")
        let c = FileConnector(sourceID: "f", settings: FileSourceSettings(path: "\(dir)/live.jsonl", follow: true), access: access)
        let first = try await c.fetch(FetchRequest(cursor: nil, maxRecords: 10))
        #expect(values(first) == ["{\"n\":1}"])
        try append("live.jsonl", "2}\n{\"n\":3}\n")
        let second = try await c.fetch(FetchRequest(cursor: first.nextCursor, maxRecords: 10))
        #expect(values(second) == ["{\"n\":2}", "{\"n\":3}"])
    }

    @Test("CSV rows become JSON objects by the header, also when resuming mid-file; bad rows are marked malformed")
    func csv() async throws {
        try write("fires.csv", "latitude,longitude,confidence\n-33.1,151.2,h\n-34.0,150.9,n\n-35.5,149.1\n-36.0,148.0,l\n")
        let c = FileConnector(sourceID: "f", settings: FileSourceSettings(path: "\(dir)/fires.csv"), access: access)
        let first = try await c.fetch(FetchRequest(cursor: nil, maxRecords: 2))
        #expect(values(first) == [#"{"latitude":-33.1,"longitude":151.2,"confidence":"h"}"#,
                                  #"{"latitude":-34.0,"longitude":150.9,"confidence":"n"}"#])
        let rest = try await c.fetch(FetchRequest(cursor: first.nextCursor, maxRecords: 10))
        #expect(rest.records.count == 2)
        #expect(rest.records[0].malformed?.contains("2 fields, the header 3") == true)
        #expect(rest.records[1].malformed == nil)
        #expect(values(rest)[1] == #"{"latitude":-36.0,"longitude":148.0,"confidence":"l"}"#)
    }

    @Test("CSV as RFC 4180: quoted fields with commas, doubled quotes and line breaks are one record; a record still open waits for its closing line break")
    func csvQuotedLineBreaks() async throws {
        try write("notes.csv", "id,note,level\r\n1,\"two\nlines, one record\",h\r\n2,\"say \"\"hi\"\"\",l\r\n3,\"still\nbeing")
        let c = FileConnector(sourceID: "f", settings: FileSourceSettings(path: "\(dir)/notes.csv", follow: true), access: access)
        let first = try await c.fetch(FetchRequest(cursor: nil, maxRecords: 10))
        #expect(values(first) == [#"{"id":1,"note":"two\nlines, one record","level":"h"}"#,
                                  #"{"id":2,"note":"say \"hi\"","level":"l"}"#])
        #expect(first.records.allSatisfy { $0.malformed == nil })
        try append("notes.csv", " written\",n\n")
        let second = try await c.fetch(FetchRequest(cursor: first.nextCursor, maxRecords: 10))
        #expect(values(second) == [#"{"id":3,"note":"still\nbeing written","level":"n"}"#])
        // Resumed mid-file, the header is still read whole.
        let resumed = FileConnector(sourceID: "f", settings: FileSourceSettings(path: "\(dir)/notes.csv"), access: access)
        let tail = try await resumed.fetch(FetchRequest(cursor: first.nextCursor, maxRecords: 10))
        #expect(values(tail).count == 1)
    }

    @Test("a line that is not JSON is marked malformed (it goes to the DLQ), the others pass")
    func malformedLine() async throws {
        try write("mixed.jsonl", "{\"ok\":1}\n{broken\n{\"ok\":2}\n")
        let c = FileConnector(sourceID: "f", settings: FileSourceSettings(path: "\(dir)/mixed.jsonl"), access: access)
        let r = try await c.fetch(FetchRequest(cursor: nil, maxRecords: 10))
        #expect(r.records.map { $0.malformed != nil } == [false, true, false])
    }

    @Test("the registry builds it from config settings; a missing file is a retriable error")
    func registry() async throws {
        let missing = FileConnector(sourceID: "f", settings: FileSourceSettings(path: "\(dir)/nothing-*.jsonl"), access: access)
        await #expect(throws: ConnectorError.self) { try await missing.fetch(FetchRequest(cursor: nil, maxRecords: 1)) }
        #expect(ConnectorRegistry.shared.registeredTypes.contains("file"))
    }
}
