/// The `kafka:` section: how the manager's producer reaches the cluster.
///
/// Typed keys cover the common producer settings; `properties` passes anything else (SASL, SSL,
/// acks, ...) to librdkafka verbatim. Values may hold `${ENV}` references for secrets.
public struct KafkaConfig: Sendable, Hashable {
    /// `bootstrap_servers`: comma-separated `host:port` list.
    public var bootstrapServers: String
    /// `client_id`
    public var clientID: String
    /// `compression_type`
    public var compressionType: CompressionType
    /// `batch_size`: records per producer batch.
    public var batchSize: Int
    /// `linger_ms`: how long the producer waits to fill a batch.
    public var lingerMs: Int
    /// `max_retries`: send attempts after the first before a record goes to the DLQ.
    public var maxRetries: Int
    /// `retry_backoff_base`: seconds; the n-th retry waits base^n.
    public var retryBackoffBase: Double
    /// `properties`: extra librdkafka settings (`security.protocol`, `sasl.password`, ...).
    public var properties: [String: String]

    public static let defaultBootstrapServers = "localhost:9092"

    public init(bootstrapServers: String = KafkaConfig.defaultBootstrapServers,
                clientID: String = "stream-manager",
                compressionType: CompressionType = .gzip,
                batchSize: Int = 500,
                lingerMs: Int = 10,
                maxRetries: Int = 3,
                retryBackoffBase: Double = 2.0,
                properties: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.compressionType = compressionType
        self.batchSize = batchSize
        self.lingerMs = lingerMs
        self.maxRetries = maxRetries
        self.retryBackoffBase = retryBackoffBase
        self.properties = properties
    }
}
