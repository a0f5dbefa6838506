import StreamConfig

/// A source's `ingestion:` block as the ingestion loop uses it: durations instead of seconds.
/// Changing any of these numbers is a hot change: the running loop picks them up at its next step.
public struct IngestionSettings: Sendable, Equatable {
    /// Which fields the loop reads depends on the mode (`IngestionMode.relevantKeys`).
    public var mode: IngestionMode
    public var pollingInterval: Duration
    public var maxRecordsPerPoll: Int
    public var bufferSize: Int
    public var bufferFlushInterval: Duration
    public var batchSize: Int
    public var scheduleInterval: Duration

    public init(mode: IngestionMode, pollingInterval: Duration = .seconds(60), maxRecordsPerPoll: Int = 1_000,
                bufferSize: Int = 100, bufferFlushInterval: Duration = .seconds(5), batchSize: Int = 1_000,
                scheduleInterval: Duration = .seconds(3_600)) {
        self.mode = mode
        self.pollingInterval = pollingInterval
        self.maxRecordsPerPoll = maxRecordsPerPoll
        self.bufferSize = bufferSize
        self.bufferFlushInterval = bufferFlushInterval
        self.batchSize = batchSize
        self.scheduleInterval = scheduleInterval
    }

    /// The settings of a source's `ingestion:` block, clamped into `SettingBounds` first (a
    /// config built in code may not have been validated). Without `schedule_interval_seconds`
    /// batch mode runs hourly.
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
