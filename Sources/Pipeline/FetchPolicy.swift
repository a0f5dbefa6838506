import Metrics
import StreamConfig
import Synchronization

/// The fetch policy's section of a stream's metrics (`api_client` in `/status`).
public struct FetchPolicyMetrics: Sendable, Equatable, Codable {
    public var totalRequests: Int
    public var successfulRequests: Int
    public var failedRequests: Int
    public var successRate: Double
    public var cacheHitRate: Double
    public var notModified: Int
    public var retries: Int

    enum CodingKeys: String, CodingKey {
        case totalRequests = "total_requests"
        case successfulRequests = "successful_requests"
        case failedRequests = "failed_requests"
        case successRate = "success_rate"
        case cacheHitRate = "cache_hit_rate"
        case notModified = "not_modified"
        case retries
    }
}

/// The policy every fetch from a connector goes through: the rate limit (per source or shared
/// per API host), a response cache, a timeout, and retries with exponential backoff that
/// honour `Retry-After`.
public final class FetchPolicy: Sendable {
    public struct Settings: Sendable, Equatable {
        public var timeout: Duration
        public var cacheTTL: Duration
        public var maxRetries: Int
        public var retryBackoffBase: Duration
        /// Whether a repeated fetch within `cacheTTL` may be answered from the cache: the
        /// source type's declaration (`SourceTypeSpec.fetchesMayBeCached`).
        public var fetchesMayBeCached: Bool

        public init(timeout: Duration = .seconds(30), cacheTTL: Duration = .zero, maxRetries: Int = 3,
                    retryBackoffBase: Duration = .seconds(1), fetchesMayBeCached: Bool = false) {
            self.timeout = timeout
            self.cacheTTL = cacheTTL
            self.maxRetries = maxRetries
            self.retryBackoffBase = retryBackoffBase
            self.fetchesMayBeCached = fetchesMayBeCached
        }

        /// A source's fetch settings, clamped into `SettingBounds` first (a config built in code
        /// may not have been validated), with `kafka.retry_backoff_base` as the backoff base.
        /// Whether fetches may be cached comes from the source type in `types`; a type it does
        /// not know (a connector passed in directly) is never cached.
        public init(source: SourceConfig, retryBackoffBase: Double, types: SourceTypeRegistry = .shared) {
            let s = source.clampedToBounds()
            let base = SettingBounds.kafkaRetryBackoffBase.clamp(retryBackoffBase, nanAs: KafkaConfig().retryBackoffBase)
            self.init(timeout: Saturating.wholeMilliseconds(seconds: s.timeoutSeconds),
                      cacheTTL: Saturating.wholeMilliseconds(seconds: s.cacheTTLSeconds),
                      maxRetries: s.maxRetries, retryBackoffBase: Saturating.wholeMilliseconds(seconds: base),
                      fetchesMayBeCached: types.spec(for: source.sourceType)?.fetchesMayBeCached ?? false)
        }
    }

    private struct Counts {
        var requests = 0, successes = 0, failures = 0, notModified = 0, retries = 0
    }

    private let sourceID: String
    private let connector: any SourceConnector
    private let limiter: TokenBucket
    private let budgets: BudgetBoard?
    private let cache: ResponseCache<FetchResult>
    private let clock: any PipelineClock
    private let settings: Mutex<Settings>
    private let counts = Mutex(Counts())
    private let requestCounter: Counter
    private let errorCounter: Counter

    /// `budgets`: the fleet-wide budgets; a fetch of a source in one also waits for its slot there.
    public init(sourceID: String, connector: any SourceConnector, limiter: TokenBucket, settings: Settings,
                budgets: BudgetBoard? = nil, clock: any PipelineClock = SystemPipelineClock()) {
        self.sourceID = sourceID
        self.connector = connector
        self.limiter = limiter
        self.budgets = budgets
        budgets?.started(sourceID: sourceID)
        self.clock = clock
        self.settings = Mutex(settings)
        cache = ResponseCache(ttl: settings.cacheTTL, maxEntries: 256, clock: clock)
        requestCounter = Counter(label: "stream_manager_api_requests_total", dimensions: [("source", sourceID)])
        errorCounter = Counter(label: "stream_manager_api_errors_total", dimensions: [("source", sourceID)])
    }

    /// Drops a removed source's request series. Handles with the same labels reach the same
    /// series, so this works after the stream (and its policy) is gone.
    public static func forgetMetrics(sourceID: String) {
        Counter(label: "stream_manager_api_requests_total", dimensions: [("source", sourceID)]).destroy()
        Counter(label: "stream_manager_api_errors_total", dimensions: [("source", sourceID)]).destroy()
    }

    /// Hot change of timeout, cache TTL and retries.
    public func update(_ new: Settings) {
        settings.withLock { $0 = new }
        cache.update(ttl: new.cacheTTL)
    }

    public func fetch(_ request: FetchRequest) async throws -> FetchResult {
        let settings = self.settings.withLock { $0 }
        // The same request within the TTL is answered from the cache as "nothing new":
        // the data counts as fresh, and re-emitting it would duplicate records.
        let cacheKey = "\(request.cursor ?? "")|\(request.maxRecords)"
        let caching = settings.cacheTTL > .zero && settings.fetchesMayBeCached
        if caching, cache.value(forKey: cacheKey) != nil {
            return FetchResult(records: [], nextCursor: request.cursor, notModified: true)
        }
        let policy = RetryPolicy(maxRetries: settings.maxRetries, baseDelay: settings.retryBackoffBase, clock: clock)
        let result = try await policy.run({
            try await attempt(request, timeout: settings.timeout)
        }, isRetriable: { error in
            (error as? ConnectorError)?.isRetriable ?? !(error is CancellationError)
        }, retryAfter: { error in
            (error as? ConnectorError)?.retryAfter
        }, onRetry: { _ in
            self.counts.withLock { $0.retries += 1 }
        })
        if caching { cache.store(result, forKey: cacheKey) }
        return result
    }

    private func attempt(_ request: FetchRequest, timeout: Duration) async throws -> FetchResult {
        // Both limits hold, so the stricter one wins: the source's own rate (and its API host's),
        // then its slot in the fleet-wide budget.
        try await limiter.acquire()
        try await budgets?.acquire(sourceID: sourceID)
        counts.withLock { $0.requests += 1 }
        requestCounter.increment()
        do {
            var request = request
            request.timeout = timeout > .zero ? timeout : nil
            let result = try await withTimeout(timeout) { [connector, request] in try await connector.fetch(request) }
            if result.notModified { limiter.refund() }  // a 304 costs no rate budget
            budgets?.succeeded(sourceID: sourceID)
            counts.withLock {
                $0.successes += 1
                if result.notModified { $0.notModified += 1 }
            }
            return result
        } catch {
            counts.withLock { $0.failures += 1 }
            errorCounter.increment()
            if let refusal = error as? ConnectorError, refusal.isThrottle, let status = refusal.httpStatus {
                budgets?.throttled(sourceID: sourceID, status: status, retryAfter: refusal.retryAfter)
            }
            throw error
        }
    }

    private func withTimeout<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        guard timeout > .zero else { return try await body() }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask { [clock] in
                try await clock.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw ConnectorError("request timed out after \(timeout.inSeconds) s", isRetriable: true)
            }
            return value
        }
    }

    public var metrics: FetchPolicyMetrics {
        let c = counts.withLock { $0 }
        let cacheMetrics = cache.metrics
        return FetchPolicyMetrics(totalRequests: c.requests, successfulRequests: c.successes, failedRequests: c.failures,
                                successRate: c.requests == 0 ? 1 : Double(c.successes) / Double(c.requests),
                                cacheHitRate: cacheMetrics.cacheHitRate, notModified: c.notModified,
                                retries: c.retries)
    }
}
