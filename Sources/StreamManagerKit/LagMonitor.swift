import Kafka
import Logging
import Pipeline
import ServiceLifecycle
import StreamConfig

/// Feeds the throttler: every few seconds, the consumer lag of `throttling.consumer_group`
/// on the topics the streams write to (the largest lag counts). Runs until graceful shutdown.
struct LagMonitor: Service {
    let group: String
    let bootstrapServers: [String]
    let throttler: Throttler
    let topics: @Sendable () -> [String]
    let logger: Logger
    let interval: Duration

    /// nil when the config does not ask for it (throttling on, with a consumer group).
    init?(config: StreamManagerConfig, bootstrapServers: [String], throttler: Throttler,
          topics: @escaping @Sendable () -> [String], logger: Logger, interval: Duration = .seconds(2)) {
        guard config.throttling.enabled, let group = config.throttling.consumerGroup, !group.isEmpty else { return nil }
        self.group = group
        self.bootstrapServers = bootstrapServers
        self.throttler = throttler
        self.topics = topics
        self.logger = logger
        self.interval = interval
    }

    func run() async {
        await cancelWhenGracefulShutdown { [self] in
            guard let query = try? ConsumerLagQuery(bootstrapServers: bootstrapServers, group: group, logger: logger) else {
                logger.error("cannot create the lag query for group \(group)")
                try? await gracefulShutdown()  // ends at its turn: an early return would cancel the group
                return
            }
            while !Task.isCancelled {
                var worst: Int64 = 0
                for topic in topics() {
                    if let lag = try? await query.lag(topic: topic, timeout: .seconds(5)) { worst = max(worst, lag.total) }
                }
                throttler.record(lag: worst)
                try? await Task.sleep(for: interval)
            }
            await query.close()
        }
    }
}
