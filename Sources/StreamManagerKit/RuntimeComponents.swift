import Logging
import Pipeline

/// The parts every stream of one runtime shares: one priority queue (so priorities arbitrate
/// between sources), the throttler, the topic resolver, per-host rate limiters and budgets, the sink, the
/// table that takes each stream's delivery outcomes, and the offsets store.
struct RuntimeComponents: Sendable {
    let queue: PriorityQueue
    let throttler: Throttler
    let resolver: TopicResolver
    let limiters: RateLimiterRegistry
    /// The fleet-wide request budgets (fed from the desired state by the reconciler).
    let budgets: BudgetBoard
    let sink: KafkaSink
    let outcomes: DeliveryOutcomeHandlers
    let offsets: OffsetStore?
    let clock: any PipelineClock
    let retryBackoffBase: Double
}
