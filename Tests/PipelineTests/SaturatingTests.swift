@testable import Pipeline
import Synchronization
import Testing

/// Settings turned into durations and counts without traps, whatever the numbers.
@Suite("Saturating conversions of settings")
struct SaturatingTests {
    @Test("seconds, Int64 and UInt64 clamp instead of trapping")
    func conversions() {
        #expect(Saturating.duration(seconds: .nan) == .zero)
        #expect(Saturating.duration(seconds: -.infinity) == .zero)
        #expect(Saturating.duration(seconds: -1) == .zero)
        #expect(Saturating.duration(seconds: .infinity) == .seconds(Int64(Saturating.maxSeconds)))
        #expect(Saturating.duration(seconds: 1e308) == .seconds(Int64(Saturating.maxSeconds)))
        #expect(Saturating.duration(seconds: 1.5) == .milliseconds(1_500))
        #expect(Saturating.int64(.nan) == 0 && Saturating.int64(1e300) == .max && Saturating.int64(-1e300) == .min)
        #expect(Saturating.int64(9_223_372_036_854_775_808.0) == .max && Saturating.int64(-2.9) == -2)
        #expect(Saturating.uint64(.nan) == 0 && Saturating.uint64(-5) == 0 && Saturating.uint64(.infinity) == .max)
        #expect(Saturating.uint64(18_446_744_073_709_551_616.0) == .max && Saturating.uint64(7.9) == 7)
    }

    @Test("the throttler takes absurd settings without trapping")
    func throttler() {
        for x in [Double.nan, .infinity, 1e-300, 0, -1, 1e300] {
            let settings = ThrottleSettings(minSendRate: x, maxSendRate: x, targetConsumerLag: 0, criticalConsumerLag: 1,
                                            adjustmentFactor: x)
            let throttler = Throttler(settings: settings, clock: TestClock())
            throttler.record(lag: .max)
            for count in [1, 1_000, Int.max] {
                let wait = throttler.delay(forBatchOf: count)
                #expect(wait >= .zero, "\(x), \(count)")
            }
        }
        // A backoff factor that never reaches the cap stays at the base delay.
        let flat = ThrottleSettings(adjustmentFactor: .nan)
        #expect(Throttler.backoffDelay(level: 1_000_000, settings: flat) == flat.backoffBaseDelay)
    }

    @Test("retry and cache durations from seconds saturate")
    func retryAndCache() {
        let policy = RetryPolicy(maxRetries: 3, backoffBaseSeconds: 1e308, jitter: 0)
        #expect(policy.delay(forRetry: 1) == policy.maxDelay)
        #expect(RetryPolicy(maxRetries: 3, backoffBaseSeconds: .nan).delay(forRetry: 2) == .zero)
        _ = ResponseCache<Int>(ttlSeconds: .infinity)
        _ = ResponseCache<Int>(ttlSeconds: .nan)
    }

    final class Pages: Sendable {
        let counts = Mutex<[Int]>([])
        let fetches = Mutex(0)
        let loop = Mutex<IngestionLoop?>(nil)
    }

    @Test("continuous streaming flushes a buffer of large records by bytes, long before buffer_size")
    func bufferBytes() async {
        let megabyte = [UInt8](repeating: 0x78, count: 1 << 20)
        let pages = Pages()
        let settings = IngestionSettings(mode: .continuousStreaming, pollingInterval: .seconds(1), maxRecordsPerPoll: 1_000,
                                         bufferSize: 1_000_000, bufferFlushInterval: .seconds(86_400))
        let loop = IngestionLoop(settings: settings, cursor: nil, clock: TestClock(), fetch: { _ in
            let n = pages.fetches.withLock { n in
                n += 1
                return n
            }
            // Five megabyte records a fetch (sharing one buffer), then nothing: without a byte
            // limit all 500 would wait for the day-long flush interval.
            guard n <= 100 else { return FetchResult(records: [], nextCursor: "\(n)") }
            return FetchResult(records: Array(repeating: SourceRecord(key: nil, value: megabyte), count: 5),
                               nextCursor: "\(n)", hasMore: true)
        }, emit: { records, _ in
            pages.counts.withLock { $0.append(records.count) }
            pages.loop.withLock { $0 }?.requestStop()
        })
        pages.loop.withLock { $0 = loop }
        _ = await loop.run()
        let counts = pages.counts.withLock { $0 }
        #expect(counts.first == 20, "\(counts)")  // four fetches: 20 MiB ≥ 16 MiB
        #expect(IngestionLoop.maxBufferedBytes == 16 << 20)
    }
}
