import DequeModule
import Synchronization

/// Counts of one response cache.
public struct ResponseCacheMetrics: Sendable, Equatable, Codable {
    public var enabled: Bool
    public var entries: Int
    public var hits: Int
    public var misses: Int
    public var evictions: Int
    /// hits / (hits + misses) × 100; 0 before the first lookup.
    public var cacheHitRate: Double

    enum CodingKeys: String, CodingKey {
        case enabled
        case entries
        case hits
        case misses
        case evictions
        case cacheHitRate = "cache_hit_rate"
    }
}

/// Responses kept for `cache_ttl_seconds`, keyed by request key, with a bounded entry count
/// (the oldest insertion goes first). A TTL of zero disables it: lookups miss without being
/// counted and nothing is stored.
public final class ResponseCache<Value: Sendable>: Sendable {
    private struct Entry {
        var value: Value
        var expiresAt: Duration
        /// Matches the newest `order` item for this key; older items are stale.
        var stamp: UInt64
    }

    private struct State {
        var ttl: Duration
        var maxEntries: Int
        var entries: [String: Entry] = [:]
        /// Insertion order; a re-inserted key leaves a stale item behind, skipped on eviction.
        var order: Deque<(key: String, stamp: UInt64)> = []
        var nextStamp: UInt64 = 0
        var hits = 0, misses = 0, evictions = 0

        var enabled: Bool { ttl > .zero && maxEntries > 0 }

        /// false when nothing was left to evict.
        @discardableResult
        mutating func evictOldest() -> Bool {
            while let first = order.popFirst() {
                if entries[first.key]?.stamp == first.stamp {
                    entries[first.key] = nil
                    evictions += 1
                    return true
                }
            }
            return false
        }

        /// Drops stale order items once they outnumber live ones, so a hot key re-cached
        /// forever cannot grow the deque without bound.
        mutating func compactIfNeeded() {
            guard order.count > 2 * Swift.max(entries.count, 16) else { return }
            order = Deque(order.filter { entries[$0.key]?.stamp == $0.stamp })
        }
    }

    private let state: Mutex<State>
    private let clock: any PipelineClock

    public init(ttl: Duration, maxEntries: Int = 1024, clock: any PipelineClock = SystemPipelineClock()) {
        state = Mutex(State(ttl: ttl, maxEntries: maxEntries))
        self.clock = clock
    }

    public convenience init(ttlSeconds: Double, maxEntries: Int = 1024, clock: any PipelineClock = SystemPipelineClock()) {
        self.init(ttl: Saturating.duration(seconds: ttlSeconds), maxEntries: maxEntries, clock: clock)
    }

    /// The cached value if present and not expired; counts a hit or a miss.
    public func value(forKey key: String) -> Value? {
        let now = clock.now()
        return state.withLock { s -> Value? in
            guard s.enabled else { return nil }
            if let entry = s.entries[key] {
                if entry.expiresAt > now {
                    s.hits += 1
                    return entry.value
                }
                s.entries[key] = nil  // its order item is now stale
            }
            s.misses += 1
            return nil
        }
    }

    /// Stores `value` for the TTL, evicting the oldest entry when full.
    public func store(_ value: Value, forKey key: String) {
        let now = clock.now()
        state.withLock { s in
            guard s.enabled else { return }
            if s.entries[key] == nil {
                while s.entries.count >= s.maxEntries, s.evictOldest() {}
            }
            s.nextStamp += 1
            s.entries[key] = Entry(value: value, expiresAt: now + s.ttl, stamp: s.nextStamp)
            s.order.append((key, s.nextStamp))
            s.compactIfNeeded()
        }
    }

    public func removeValue(forKey key: String) {
        state.withLock { _ = $0.entries.removeValue(forKey: key) }
    }

    public func removeAll() {
        state.withLock { s in
            s.entries.removeAll()
            s.order.removeAll()
        }
    }

    /// Changes the TTL or bound in place (hot reconfiguration). Disabling empties the cache;
    /// entries already stored keep the expiry they were given.
    public func update(ttl: Duration, maxEntries: Int? = nil) {
        state.withLock { s in
            s.ttl = ttl
            if let maxEntries { s.maxEntries = maxEntries }
            if !s.enabled {
                s.entries.removeAll()
                s.order.removeAll()
            }
            while s.entries.count > s.maxEntries, s.evictOldest() {}
        }
    }

    public var metrics: ResponseCacheMetrics {
        state.withLock { s in
            let lookups = s.hits + s.misses
            return ResponseCacheMetrics(enabled: s.enabled, entries: s.entries.count, hits: s.hits, misses: s.misses,
                                        evictions: s.evictions,
                                        cacheHitRate: lookups == 0 ? 0 : Double(s.hits) / Double(lookups) * 100)
        }
    }
}
