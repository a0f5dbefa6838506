import Kafka
import Logging
import Pipeline
import StreamConfig

/// Feeds the throttler: every few seconds, the consumer lag of `throttling.consumer_group`
/// on the topics the streams write to (the largest lag counts).
enum LagMonitor {
    static func start(config: StreamManagerConfig, bootstrapServers: [String], throttler: Throttler,
                      topics: @escaping @Sendable () -> [String], logger: Logger,
                      interval: Duration = .seconds(2)) -> Task<Void, Never>? {
        guard config.throttling.enabled, let group = config.throttling.consumerGroup, !group.isEmpty else { return nil }
        return Task {
            guard let query = try? ConsumerLagQuery(bootstrapServers: bootstrapServers, group: group, logger: logger) else {
                logger.error("cannot create the lag query for group \(group)")
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
