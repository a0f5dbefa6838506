import Foundation
import Kafka
import Pipeline
import StreamConfig

/// Synthetic records for demos, benchmarks and zero-loss tests (`GeneratorSettings`). `seq`
/// continues from the cursor, so a restarted or handed-over stream neither skips nor repeats a
/// number.
public final class GeneratorConnector: SourceConnector {
    public let sourceID: String
    public let settings: GeneratorSettings
    private let started = ContinuousClock.now
    private let prefix: [UInt8]
    private let sourceField: [UInt8]
    private let keyPrefix: [UInt8]

    /// Bytes of keys and values one fetch returns at most, whatever `maxRecords` asks: with a
    /// rate of 0 a fetch would otherwise build `max_records_per_poll` records of up to a
    /// megabyte each at once. A fetch cut short says `hasMore`, so the loop asks again at once.
    public static let maxBytesPerFetch = 16 << 20

    public init(sourceID: String, settings: GeneratorSettings) {
        self.sourceID = sourceID
        self.settings = settings.clamped
        prefix = Array(#"{"seq":"#.utf8)
        sourceField = Array(#","source_id":"#.utf8) + GeneratorConnector.jsonString(sourceID) + Array(#","payload":""#.utf8)
        keyPrefix = Array("\(sourceID)-".utf8)
    }

    public func fetch(_ request: FetchRequest) async throws -> FetchResult {
        let start = GeneratorCursor.seq(request.cursor) ?? 0
        // Never past the last sequence number (a cursor from elsewhere may be anything).
        var count = min(UInt64(max(0, request.maxRecords)), UInt64.max - start)
        let total = UInt64(settings.totalRecords)  // clamped: never negative
        if total > 0 {
            count = min(count, total - min(start, total))
        }
        var limited = false
        if settings.ratePerSecond > 0 {
            // Paced from this connector's start: a restarted stream does not burst to catch up.
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let due = Saturating.uint64(settings.ratePerSecond * seconds).addingReportingOverflow(1)
            let emitted = emittedSinceStart(start)
            let allowed = due.overflow ? UInt64.max : due.partialValue
            count = min(count, allowed > emitted ? allowed - emitted : 0)
        }
        if count > recordsPerFetchByBytes {
            count = recordsPerFetchByBytes
            limited = true
        }
        var records: [SourceRecord] = []
        records.reserveCapacity(Int(count))
        let now = Saturating.int64(Date().timeIntervalSince1970 * 1000)
        for seq in start..<(start + count) {
            records.append(SourceRecord(key: key(seq), value: value(seq), eventTimeMilliseconds: now))
        }
        let next = start + count
        let finished = total > 0 && next >= total
        return FetchResult(records: records, nextCursor: String(next),
                           hasMore: !finished && count > 0 && (settings.ratePerSecond == 0 || limited))
    }

    /// How many records fit in `maxBytesPerFetch` (at least one).
    private var recordsPerFetchByBytes: UInt64 {
        let perRecord = max(settings.payloadBytes, 64 + sourceField.count) + keyPrefix.count + 20
        return UInt64(max(1, Self.maxBytesPerFetch / perRecord))
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
        let n = seq % UInt64(settings.keyCardinality)
        return [UInt8](unsafeUninitializedCapacity: keyPrefix.count + Self.digits(n)) { buffer, count in
            count = Self.write(keyPrefix, to: buffer, at: 0)
            count = Self.write(n, to: buffer, at: count)
        }
    }

    /// `{"seq":N,"source_id":"…","payload":"xxx…"}`, padded to `payload_bytes`: written in place
    /// into one allocation (the generator feeds throughput benchmarks, where building each value
    /// from temporary arrays cost more than sending it).
    func value(_ seq: UInt64) -> [UInt8] {
        let head = prefix.count + Self.digits(seq) + sourceField.count
        let size = max(settings.payloadBytes, head + 2)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var at = Self.write(prefix, to: buffer, at: 0)
            at = Self.write(seq, to: buffer, at: at)
            at = Self.write(sourceField, to: buffer, at: at)
            buffer[at..<(size - 2)].initialize(repeating: UInt8(ascii: "x"))
            buffer[size - 2] = UInt8(ascii: "\"")
            buffer[size - 1] = UInt8(ascii: "}")
            count = size
        }
    }

    private static func write(_ bytes: [UInt8], to buffer: UnsafeMutableBufferPointer<UInt8>, at: Int) -> Int {
        bytes.withUnsafeBufferPointer { source in
            _ = UnsafeMutableBufferPointer(rebasing: buffer[at..<(at + source.count)]).initialize(from: source)
        }
        return at + bytes.count
    }

    /// Decimal digits of `n`, written at `at`; returns the index after them.
    private static func write(_ n: UInt64, to buffer: UnsafeMutableBufferPointer<UInt8>, at: Int) -> Int {
        let end = at + digits(n)
        var n = n, i = end
        repeat {
            i -= 1
            buffer[i] = UInt8(ascii: "0") + UInt8(n % 10)
            n /= 10
        } while n > 0
        return end
    }

    private static func digits(_ n: UInt64) -> Int {
        var n = n, count = 1
        while n >= 10 { n /= 10; count += 1 }
        return count
    }

    static func jsonString(_ s: String) -> [UInt8] { Array(CanonicalJSON.quoted(s).utf8) }
}
