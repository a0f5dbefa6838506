/// A source's `ingestion:` block: the mode and its timing and sizes.
///
/// Every field has a value in every mode so a source can switch modes with one edit;
/// each mode reads only its own fields (listed on `IngestionMode`).
public struct IngestionConfig: Sendable, Hashable {
    public var mode: IngestionMode
    /// `polling_interval_seconds`: real_time and continuous_streaming.
    public var pollingIntervalSeconds: Double
    /// `max_records_per_poll`: real_time and continuous_streaming.
    public var maxRecordsPerPoll: Int
    /// `buffer_size`: continuous_streaming flushes when this many records are buffered...
    public var bufferSize: Int
    /// `buffer_flush_interval_seconds`: ...or when the oldest has waited this long.
    public var bufferFlushIntervalSeconds: Double
    /// `batch_size`: batch mode's chunk size.
    public var batchSize: Int
    /// `schedule_interval_seconds`: batch mode's period; required in batch mode.
    public var scheduleIntervalSeconds: Double?

    public static let defaultPollingIntervalSeconds: Double = 60
    public static let defaultMaxRecordsPerPoll = 1000
    public static let defaultBufferSize = 100
    public static let defaultBufferFlushIntervalSeconds: Double = 5
    public static let defaultBatchSize = 1000

    public init(mode: IngestionMode = .realTime,
                pollingIntervalSeconds: Double = IngestionConfig.defaultPollingIntervalSeconds,
                maxRecordsPerPoll: Int = IngestionConfig.defaultMaxRecordsPerPoll,
                bufferSize: Int = IngestionConfig.defaultBufferSize,
                bufferFlushIntervalSeconds: Double = IngestionConfig.defaultBufferFlushIntervalSeconds,
                batchSize: Int = IngestionConfig.defaultBatchSize,
                scheduleIntervalSeconds: Double? = nil) {
        self.mode = mode
        self.pollingIntervalSeconds = pollingIntervalSeconds
        self.maxRecordsPerPoll = maxRecordsPerPoll
        self.bufferSize = bufferSize
        self.bufferFlushIntervalSeconds = bufferFlushIntervalSeconds
        self.batchSize = batchSize
        self.scheduleIntervalSeconds = scheduleIntervalSeconds
    }
}

extension IngestionMode {
    /// The `ingestion` keys this mode reads; setting another one draws a warning.
    public var relevantKeys: Set<String> {
        switch self {
        case .batch: return ["mode", "batch_size", "schedule_interval_seconds"]
        case .realTime: return ["mode", "polling_interval_seconds", "max_records_per_poll"]
        case .continuousStreaming:
            return ["mode", "polling_interval_seconds", "max_records_per_poll", "buffer_size",
                    "buffer_flush_interval_seconds"]
        }
    }
}
