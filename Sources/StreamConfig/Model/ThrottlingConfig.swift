/// The `throttling:` section: backpressure from consumer lag (V1's dynamic throttling).
///
/// Below `target_consumer_lag` the producer runs at full speed; between target and
/// `critical_consumer_lag` it delays each batch; above critical it backs off exponentially by
/// `adjustment_factor`, and recovers after `recovery_cycles` consecutive low-lag checks.
public struct ThrottlingConfig: Sendable, Hashable {
    public var enabled: Bool
    /// `min_send_rate`: records per second the throttle never goes below.
    public var minSendRate: Double
    /// `max_send_rate`: records per second the throttle never exceeds; 0 (the default) = no
    /// ceiling, so a burst is sent as fast as Kafka takes it unless consumers fall behind.
    public var maxSendRate: Double
    public var targetConsumerLag: Int
    public var criticalConsumerLag: Int
    /// `adjustment_factor`: multiplier of each backoff step (> 1).
    public var adjustmentFactor: Double
    /// `recovery_cycles`: consecutive low-lag checks before speeding up again.
    public var recoveryCycles: Int
    /// `consumer_group`: the downstream group whose lag is watched; nil = throttle on the
    /// queue only (no lag measurement).
    public var consumerGroup: String?

    public init(enabled: Bool = true,
                minSendRate: Double = 1.0,
                maxSendRate: Double = 0,
                targetConsumerLag: Int = 1000,
                criticalConsumerLag: Int = 5000,
                adjustmentFactor: Double = 2.0,
                recoveryCycles: Int = 10,
                consumerGroup: String? = nil) {
        self.enabled = enabled
        self.minSendRate = minSendRate
        self.maxSendRate = maxSendRate
        self.targetConsumerLag = targetConsumerLag
        self.criticalConsumerLag = criticalConsumerLag
        self.adjustmentFactor = adjustmentFactor
        self.recoveryCycles = recoveryCycles
        self.consumerGroup = consumerGroup
    }
}
