import Pipeline
import Testing

@Suite("DeliveryOutcomes")
struct DeliveryOutcomesTests {
    @Test("dropped records are grouped by the stream they belong to, in runs")
    func droppedGroupsByStream() {
        func record(_ stream: String, _ seq: UInt64) -> PipelineRecord {
            PipelineRecord(sourceID: "src-\(stream)", streamID: stream, key: nil, value: [], sequence: seq)
        }
        let outcomes = DeliveryOutcomes.dropped([record("a", 1), record("a", 2), record("b", 7), record("a", 3)])
        #expect(outcomes.map(\.streamID) == ["a", "b", "a"])
        #expect(outcomes.map(\.sequences) == [[1, 2], [7], [3]])
        #expect(outcomes.map(\.sourceID) == ["src-a", "src-b", "src-a"])
        #expect(outcomes.allSatisfy { $0.delivered == 0 && $0.failed == 0 && $0.deadLettered == 0 })
    }
}
