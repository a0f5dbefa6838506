import StreamConfig

/// The `throttling` section of the config as the throttler uses it: lags as `Int64`, the
/// ceiling optional, and the fixed delays of its states.
public struct ThrottleSettings: Sendable, Equatable {
    public var enabled: Bool = true
    /// Records/s the throttler never pushes the send rate below (0 = no floor).
    public var minSendRate: Double = 1.0
    /// Records/s ceiling, applied in every state (nil or 0 = no ceiling).
    public var maxSendRate: Double? = nil
    /// Lag at which `delay` starts.
    public var targetConsumerLag: Int64 = 1000
    /// Lag at which `backoff` starts.
    public var criticalConsumerLag: Int64 = 5000
    /// Growth factor of consecutive backoff delays.
    public var adjustmentFactor: Double = 2.0
    /// Consecutive low-lag checks needed to step one state back toward `allow`.
    public var recoveryCycles: Int = 10

    /// Fixed per-batch delay in the `delay` state.
    public var delayStateDelay: Duration = .seconds(1)
    /// First delay in the `backoff` state.
    public var backoffBaseDelay: Duration = .seconds(2)
    /// Ceiling of a backoff delay.
    public var maxBackoffDelay: Duration = .seconds(60)

    public static let disabled = ThrottleSettings(enabled: false)
}

extension ThrottleSettings {
    /// The settings of the `throttling:` section, clamped into `SettingBounds` first (a config
    /// built in code may not have been validated); a `max_send_rate` of 0 means no ceiling.
    /// Outside this module it is the only initialiser: settings come from the config.
    public init(_ config: ThrottlingConfig) {
        let t = config.clampedToBounds()
        self.init(enabled: t.enabled, minSendRate: t.minSendRate, maxSendRate: t.maxSendRate > 0 ? t.maxSendRate : nil,
                  targetConsumerLag: Int64(t.targetConsumerLag), criticalConsumerLag: Int64(t.criticalConsumerLag),
                  adjustmentFactor: t.adjustmentFactor, recoveryCycles: t.recoveryCycles)
    }
}

/// The throttler's state, named as in the metrics tree.
public enum ThrottleState: String, Sendable, Codable, CaseIterable {
    case allow, delay, backoff

    var level: Int {
        switch self {
        case .allow: 0
        case .delay: 1
        case .backoff: 2
        }
    }
}

/// The `throttling` section of the metrics tree (V1's names plus `consumer_lag`).
public struct ThrottleMetrics: Sendable, Equatable, Codable {
    public var currentState: String
    /// n of the last backoff delay (2 s × factor^(n−1)); 0 outside `backoff`.
    public var backoffLevel: Int
    /// State changes.
    public var rateAdjustments: Int
    /// Batches given a `delay` or `backoff` delay (pacing under `allow` is not counted).
    public var throttledCount: Int
    /// The last lag reported; nil before the first report.
    public var consumerLag: Int64?
    public var enabled: Bool

    public init(currentState: String = ThrottleState.allow.rawValue, backoffLevel: Int = 0,
                rateAdjustments: Int = 0, throttledCount: Int = 0, consumerLag: Int64? = nil, enabled: Bool = true) {
        self.currentState = currentState
        self.backoffLevel = backoffLevel
        self.rateAdjustments = rateAdjustments
        self.throttledCount = throttledCount
        self.consumerLag = consumerLag
        self.enabled = enabled
    }

    enum CodingKeys: String, CodingKey {
        case currentState = "current_state"
        case backoffLevel = "backoff_level"
        case rateAdjustments = "rate_adjustments"
        case throttledCount = "throttled_count"
        case consumerLag = "consumer_lag"
        case enabled
    }
}
