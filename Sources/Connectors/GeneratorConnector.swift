import Foundation
import Kafka
import Pipeline
import StreamConfig

/// Synthetic records for demos, benchmarks and zero-loss tests. Each value is a JSON object
/// `{"seq":N,"source_id":"…","payload":"…"}` padded to `payloadBytes`; `seq` continues from
/// the cursor, so a restarted or handed-over stream neither skips nor repeats a number.
public struct GeneratorSettings: Sendable, Equatable {
    /// Records per second; 0 = as fast as the pipeline takes them. Fractions allowed.
    public var ratePerSecond: Double
    /// Stop after this many records in total (0 = endless).
    public var totalRecords: Int
    /// Target size of each JSON value in bytes (never smaller than the fields it must hold).
    public var payloadBytes: Int
    /// Keys cycle through `<source_id>-0 … <source_id>-(n-1)`.
    public var keyCardinality: Int

    public init(ratePerSecond: Double = 1, totalRecords: Int = 0, payloadBytes: Int = 200, keyCardinality: Int = 16) {
        self.ratePerSecond = ratePerSecond
        self.totalRecords = totalRecords
        self.payloadBytes = payloadBytes
        self.keyCardinality = max(1, keyCardinality)
    }
}

public final class GeneratorConnector: SourceConnector {
    public let sourceID: String
    public let settings: GeneratorSettings
    private let started = ContinuousClock.now
    private let prefix: [UInt8]
    private let sourceField: [UInt8]
    private let keyPrefix: [UInt8]

    public init(sourceID: String, settings: GeneratorSettings) {
        self.sourceID = sourceID
        self.settings = settings
        prefix = Array(#"{"seq":"#.utf8)
        sourceField = Array(#","source_id":"#.utf8) + GeneratorConnector.jsonString(sourceID) + Array(#","payload":""#.utf8)
        keyPrefix = Array("\(sourceID)-".utf8)
    }

    public func fetch(_ request: FetchRequest) async throws -> FetchResult {
        let start = request.cursor.flatMap { UInt64($0) } ?? 0
        var count = UInt64(max(0, request.maxRecords))
        if settings.totalRecords > 0 {
            count = min(count, UInt64(settings.totalRecords) &- min(start, UInt64(settings.totalRecords)))
        }
        if settings.ratePerSecond > 0 {
            // Paced from this connector's start: a restarted stream does not burst to catch up.
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let due = UInt64(settings.ratePerSecond * seconds) + 1
            let emitted = emittedSinceStart(start)
            count = min(count, due > emitted ? due - emitted : 0)
        }
        var records: [SourceRecord] = []
        records.reserveCapacity(Int(count))
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for seq in start..<(start + count) {
            records.append(SourceRecord(key: key(seq), value: value(seq), eventTimeMilliseconds: now))
        }
        let next = start + count
        let finished = settings.totalRecords > 0 && next >= UInt64(settings.totalRecords)
        return FetchResult(records: records, nextCursor: String(next),
                           hasMore: !finished && settings.ratePerSecond == 0 && count > 0)
    }

    // The first cursor this instance served, so pacing counts only what it emitted itself.
    private let firstCursor = LockedValue<UInt64?>(nil)

    private func emittedSinceStart(_ cursor: UInt64) -> UInt64 {
        let first = firstCursor.withLock { v -> UInt64 in
            if v == nil { v = cursor }
            return v!
        }
        return cursor >= first ? cursor - first : 0
    }


    /// The record for one sequence number (also what the benchmark's raw baseline sends).
    public func record(seq: UInt64, eventTimeMilliseconds: Int64? = nil) -> SourceRecord {
        SourceRecord(key: key(seq), value: value(seq), eventTimeMilliseconds: eventTimeMilliseconds)
    }

    func key(_ seq: UInt64) -> [UInt8] {
        keyPrefix + Array(String(seq % UInt64(settings.keyCardinality)).utf8)
    }

    func value(_ seq: UInt64) -> [UInt8] {
        var bytes = prefix
        bytes.reserveCapacity(max(settings.payloadBytes, 64 + sourceField.count))
        bytes += Array(String(seq).utf8)
        bytes += sourceField
        let padding = max(0, settings.payloadBytes - bytes.count - 2)
        bytes += repeatElement(UInt8(ascii: "x"), count: padding)
        bytes += [UInt8(ascii: "\""), UInt8(ascii: "}")]
        return bytes
    }

    static func jsonString(_ s: String) -> [UInt8] { Array(CanonicalJSON.quoted(s).utf8) }
}
