/// How a stream polls its source (the seed's three modes), with the settings each uses.
/// Changing any of these numbers is a hot change: the running loop picks them up at its next step.
public struct IngestionSettings: Sendable, Equatable {
    public enum Mode: String, Sendable, Equatable, CaseIterable {
        /// Every `scheduleInterval`, page through everything available in chunks of `batchSize`.
        case batch
        /// Every `pollingInterval`, fetch up to `maxRecordsPerPoll` and send at once.
        case realTime = "real_time"
        /// Poll every `pollingInterval`, buffer up to `bufferSize`, flush when full or every `bufferFlushInterval`.
        case continuousStreaming = "continuous_streaming"
    }

    public var mode: Mode
    public var pollingInterval: Duration
    public var maxRecordsPerPoll: Int
    public var bufferSize: Int
    public var bufferFlushInterval: Duration
    public var batchSize: Int
    public var scheduleInterval: Duration

    public init(mode: Mode, pollingInterval: Duration = .seconds(60), maxRecordsPerPoll: Int = 1_000,
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
}
