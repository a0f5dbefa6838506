import Pipeline
import StreamConfig

/// A record whose value is `bytes` long (no key, no headers), so byte bounds are easy to reason about.
func testRecord(_ source: String, _ sequence: UInt64, _ priority: SourcePriority = .normal, bytes: Int = 10,
            stream: String? = nil) -> PipelineRecord {
    PipelineRecord(sourceID: source, streamID: stream ?? "\(source)-stream", key: nil,
                   value: Array(repeating: UInt8(ascii: "x"), count: bytes), priority: priority,
                   sequence: sequence)
}

/// A record carrying a JSON value.
func testJSONRecord(_ source: String, _ json: String, _ priority: SourcePriority = .normal) -> PipelineRecord {
    PipelineRecord(sourceID: source, streamID: "\(source)-stream", key: nil, value: Array(json.utf8),
                   priority: priority)
}

/// "source:sequence" labels, for readable order assertions.
func recordLabels(_ records: [PipelineRecord]) -> [String] {
    records.map { "\($0.sourceID):\($0.sequence)" }
}
