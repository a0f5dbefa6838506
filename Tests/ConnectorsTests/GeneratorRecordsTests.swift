import Connectors
import Foundation
import StreamConfig
import Testing

@Suite("generator records: the exact keys and values")
struct GeneratorRecordsTests {
    @Test("values are JSON of the payload size with seq, source_id and padding; keys cycle; tiny sizes still hold the fields")
    func records() throws {
        for (payload, seq) in [(200, UInt64(0)), (200, 135_809), (0, 7), (31, UInt64.max), (1_048_576, 42)] {
            var settings = GeneratorSettings()
            settings.payloadBytes = payload
            settings.keyCardinality = 16
            let generator = GeneratorConnector(sourceID: "tb\"0", settings: settings)
            let record = generator.record(seq: seq)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(record.value)) as? [String: Any])
            #expect((object["seq"] as? NSNumber)?.uint64Value == seq)
            #expect(object["source_id"] as? String == "tb\"0")
            let padding = try #require(object["payload"] as? String)
            #expect(padding.allSatisfy { $0 == "x" })
            let fields = record.value.count - padding.utf8.count  // the value without its padding
            #expect(record.value.count == max(payload, fields), "\(record.value.count) bytes for payload_bytes \(payload)")
            if record.value.count > payload { #expect(padding.isEmpty, "only a value too small for its fields grows") }
            #expect(String(decoding: try #require(record.key), as: UTF8.self) == "tb\"0-\(seq % 16)")
        }
    }
}
