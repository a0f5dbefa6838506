import CRdKafka
import Logging

/// librdkafka's in-process mock cluster: real Kafka protocol over TCP on 127.0.0.1,
/// for development (`stream-manager kafka-dev`), the `embedded` mode, and tests.
/// It has no compaction and auto-creates unknown topics on first use.
public final class EmbeddedKafkaCluster: @unchecked Sendable {
    // The mock cluster lives inside a client instance; both die together.
    private let host: RDKafkaHandle
    private let cluster: OpaquePointer
    public let bootstrapServers: String
    public let brokerCount: Int

    public init(brokers: Int = 1, logger: Logger = Logger(label: "embedded-kafka")) throws(KafkaError) {
        host = try RDKafkaHandle(type: RD_KAFKA_PRODUCER, properties: ["client.id": "embedded-kafka-host", "log_level": "3"],
                                 context: RDKafkaContext(logger: logger))
        guard let mc = rd_kafka_mock_cluster_new(host.pointer, Int32(brokers)) else {
            throw KafkaError(code: .fatal, message: "could not start the embedded Kafka cluster")
        }
        cluster = mc
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(mc))
        brokerCount = brokers
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
    }

    public var bootstrapList: [String] { .bootstrapList(bootstrapServers) }

    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws(KafkaError) {
        let err = rd_kafka_mock_topic_create(cluster, name, Int32(partitions), Int32(min(replicationFactor, brokerCount)))
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, context: "create topic \(name)") }
    }

    /// Broker ids are 1...brokerCount. A down broker drops its connections and refuses new ones.
    public func setBrokerDown(_ broker: Int32 = 1) {
        _ = rd_kafka_mock_broker_set_down(cluster, broker)
    }

    public func setBrokerUp(_ broker: Int32 = 1) {
        _ = rd_kafka_mock_broker_set_up(cluster, broker)
    }

    public func setRoundTripTime(_ rtt: Duration, broker: Int32 = 1) {
        _ = rd_kafka_mock_broker_set_rtt(cluster, broker, Int32(rtt.milliseconds))
    }

    /// The next requests of this API (e.g. 0 = Produce, 1 = Fetch) fail with these errors, in order.
    public func pushRequestErrors(apiKey: Int16, _ errors: [KafkaError.Code]) {
        var raw = errors.map { rd_kafka_resp_err_t(rawValue: $0.rawValue) }
        rd_kafka_mock_push_request_errors_array(cluster, apiKey, raw.count, &raw)
    }

    public func clearRequestErrors(apiKey: Int16) {
        rd_kafka_mock_clear_request_errors(cluster, apiKey)
    }
}
