import Logging
import Pipeline

/// The parts every stream of one manager shares: one priority queue (so priorities arbitrate
/// between sources), the throttler, the topic resolver, per-host rate limiters, the sink and
/// the offsets store.
struct ManagerComponents: Sendable {
    let queue: PriorityQueue
    let throttler: Throttler
    let resolver: TopicResolver
    let limiters: RateLimiterRegistry
    let sink: KafkaSink
    let offsets: OffsetStore?
    let clock: any PipelineClock
    let retryBackoffBase: Double
    /// Hands outcomes to the streams they belong to (by stream id).
    let settle: @Sendable ([DeliveryOutcomes]) -> Void
}
