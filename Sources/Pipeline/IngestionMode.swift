import StreamConfig

/// A source's `ingestion:` block as the ingestion loop uses it: durations instead of seconds.
/// Changing any of these numbers is a hot change: the running loop picks them up at its next step.
public struct IngestionSettings: Sendable, Equatable {
    /// Which fields the loop reads depends on the mode (`IngestionMode.relevantKeys`).
    public var mode: IngestionMode
    public var pollingInterval: Duration = .seconds(60)
    public var maxRecordsPerPoll: Int = 1_000
    public var bufferSize: Int = 100
    public var bufferFlushInterval: Duration = .seconds(5)
    public var batchSize: Int = 1_000
    public var scheduleInterval: Duration = .seconds(3_600)
}

extension IngestionSettings {
    /// The settings of a source's `ingestion:` block, clamped into `SettingBounds` first (a
    /// config built in code may not have been validated). Without `schedule_interval_seconds`
    /// batch mode runs hourly. Outside this module it is the only initialiser.
    public init(_ config: IngestionConfig) {
        let c = config.clampedToBounds()
        self.init(mode: c.mode,
                  pollingInterval: Saturating.wholeMilliseconds(seconds: c.pollingIntervalSeconds),
                  maxRecordsPerPoll: c.maxRecordsPerPoll,
                  bufferSize: c.bufferSize,
                  bufferFlushInterval: Saturating.wholeMilliseconds(seconds: c.bufferFlushIntervalSeconds),
                  batchSize: c.batchSize,
                  scheduleInterval: Saturating.wholeMilliseconds(seconds: c.scheduleIntervalSeconds ?? 3_600))
    }
}
