import BlockingCalls
import CRdKafka
import Logging

public struct TopicSpec: Sendable, Equatable {
    public var name: String
    public var partitions: Int
    public var replicationFactor: Int
    /// Topic configs, e.g. `["cleanup.policy": "compact"]`.
    public var configs: [String: String]

    public init(name: String, partitions: Int = 1, replicationFactor: Int = 1, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }

    public static func compacted(_ name: String, partitions: Int, replicationFactor: Int = 1) -> TopicSpec {
        TopicSpec(name: name, partitions: partitions, replicationFactor: replicationFactor,
                  configs: ["cleanup.policy": "compact"])
    }
}

public enum EnsureTopicOutcome: Sendable, Equatable {
    case created(partitions: Int)
    case alreadyExisted(partitions: Int)
    /// CreateTopics was not answered (librdkafka's mock cluster does not implement it),
    /// so the broker's auto-creation made the topic, with its default partition count and configs.
    case autoCreated(partitions: Int)

    public var partitions: Int {
        switch self {
        case .created(let n), .alreadyExisted(let n), .autoCreated(let n): return n
        }
    }
}

/// Topic administration: ensure a topic exists, list topics, read a topic's configs.
public final class KafkaAdmin: Sendable {
    // A producer-type handle: its metadata requests may auto-create topics (the fallback).
    let handle: RDKafkaHandle
    private let logger: Logger

    public init(configuration: KafkaAdminConfiguration, logger: Logger) throws(KafkaError) {
        handle = try RDKafkaHandle(type: RD_KAFKA_PRODUCER, properties: configuration.librdkafkaProperties(),
                                   context: RDKafkaContext(logger: logger))
        self.logger = logger
    }

    public func listTopics(timeout: Duration = .seconds(10)) async throws -> [TopicMetadata] {
        let handle = self.handle
        return try await BlockingCalls.run { try handle.metadata(topic: nil, timeoutMilliseconds: timeout.milliseconds) }
            .filter { $0.error == nil }
            .sorted { $0.name < $1.name }
    }

    /// Partition ids of an existing topic, nil if the cluster does not have it. Never creates it.
    public func partitions(of topic: String, timeout: Duration = .seconds(10)) async throws -> [Int32]? {
        let topics = try await listTopics(timeout: timeout)
        return topics.first { $0.name == topic && !$0.partitions.isEmpty }?.partitions
    }

    /// Makes sure the topic exists. Tries CreateTopics for `createTimeout`; if the cluster does not
    /// answer it in that time (the mock cluster never does), relies on the broker's auto-creation:
    /// a metadata request naming the topic, repeated until the topic shows up or `timeout` passes
    /// (a CreateTopics that a slow broker is still working on also ends there). The caller says
    /// what it fell back to; `.autoCreated` carries the partitions the broker chose.
    public func ensureTopic(_ spec: TopicSpec, timeout: Duration = .seconds(10),
                            createTimeout: Duration = .seconds(1)) async throws -> EnsureTopicOutcome {
        if let existing = try await partitions(of: spec.name, timeout: timeout) {
            return .alreadyExisted(partitions: existing.count)
        }
        let handle = self.handle
        let created: Result<Void, KafkaError> = try await BlockingCalls.run {
            Result { () throws(KafkaError) in try RDKafkaAdmin.createTopic(handle, spec, timeout: createTimeout) }
        }
        switch created {
        case .success:
            let n = try await partitions(of: spec.name, timeout: timeout)?.count ?? spec.partitions
            return .created(partitions: n)
        case .failure(let error) where error.code == .topicAlreadyExists:
            let n = try await partitions(of: spec.name, timeout: timeout)?.count ?? spec.partitions
            return .alreadyExisted(partitions: n)
        case .failure(let error) where error.code == .timedOut || error.code == .transport:
            logger.debug("CreateTopics for \(spec.name) not answered within \(createTimeout) (\(error.message))")
            return .autoCreated(partitions: try await autoCreate(spec.name, timeout: timeout))
        case .failure(let error):
            throw error
        }
    }

    /// A topic's configs (e.g. `cleanup.policy`), nil when the cluster does not answer DescribeConfigs.
    public func topicConfigs(_ topic: String, timeout: Duration = .seconds(5)) async throws -> [String: String]? {
        let handle = self.handle
        return try await BlockingCalls.run { try RDKafkaAdmin.describeTopicConfigs(handle, topic: topic, timeout: timeout) }
    }

    private func autoCreate(_ topic: String, timeout: Duration) async throws -> Int {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        let handle = self.handle
        while true {
            // A metadata request naming the topic asks the broker to create it.
            let md = try? await BlockingCalls.run { try handle.metadata(topic: topic, timeoutMilliseconds: 2_000) }
            if let t = md?.first(where: { $0.name == topic }), !t.partitions.isEmpty, t.error == nil {
                return t.partitions.count
            }
            if clock.now >= deadline {
                throw KafkaError(code: .timedOut, message: "topic \(topic) could not be created or auto-created")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}

/// librdkafka's admin API calls (blocking; callers run them off the cooperative pool).
enum RDKafkaAdmin {
    static func createTopic(_ handle: RDKafkaHandle, _ spec: TopicSpec, timeout: Duration) throws(KafkaError) {
        let rk = handle.pointer
        var errstr = [CChar](repeating: 0, count: 512)
        guard let topic = rd_kafka_NewTopic_new(spec.name, Int32(spec.partitions), Int32(spec.replicationFactor),
                                                &errstr, errstr.count) else {
            throw KafkaError(code: .invalidArgument, message: String(cBuffer: errstr))
        }
        defer { rd_kafka_NewTopic_destroy(topic) }
        for (k, v) in spec.configs.sorted(by: { $0.key < $1.key }) { _ = rd_kafka_NewTopic_set_config(topic, k, v) }
        let options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeout.milliseconds, &errstr, errstr.count)
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeout.milliseconds, &errstr, errstr.count)
        let queue = rd_kafka_queue_new(rk)
        defer { rd_kafka_queue_destroy(queue) }
        var topics: [OpaquePointer?] = [topic]
        rd_kafka_CreateTopics(rk, &topics, 1, options, queue)
        // The request's own timeout answers first; the margin only covers a stuck queue.
        guard let event = rd_kafka_queue_poll(queue, timeout.milliseconds + 500) else {
            throw KafkaError(code: .timedOut, message: "no CreateTopics reply")
        }
        defer { rd_kafka_event_destroy(event) }
        let err = rd_kafka_event_error(event)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(code: .init(err), message: rd_kafka_event_error_string(event).map { String(cString: $0) } ?? "")
        }
        var count = 0
        guard let result = rd_kafka_event_CreateTopics_result(event),
              let results = rd_kafka_CreateTopics_result_topics(result, &count), count > 0,
              let first = results[0] else { return }
        let topicErr = rd_kafka_topic_result_error(first)
        if topicErr != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(code: .init(topicErr),
                             message: rd_kafka_topic_result_error_string(first).map { String(cString: $0) } ?? "")
        }
    }

    static func describeTopicConfigs(_ handle: RDKafkaHandle, topic: String, timeout: Duration) throws -> [String: String]? {
        let rk = handle.pointer
        var errstr = [CChar](repeating: 0, count: 512)
        let resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic)
        defer { rd_kafka_ConfigResource_destroy(resource) }
        let options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeout.milliseconds, &errstr, errstr.count)
        let queue = rd_kafka_queue_new(rk)
        defer { rd_kafka_queue_destroy(queue) }
        var resources: [OpaquePointer?] = [resource]
        rd_kafka_DescribeConfigs(rk, &resources, 1, options, queue)
        // The request's own timeout answers first; the margin only covers a stuck queue.
        guard let event = rd_kafka_queue_poll(queue, timeout.milliseconds + 500) else { return nil }
        defer { rd_kafka_event_destroy(event) }
        guard rd_kafka_event_error(event) == RD_KAFKA_RESP_ERR_NO_ERROR,
              let result = rd_kafka_event_DescribeConfigs_result(event) else { return nil }
        var count = 0
        guard let described = rd_kafka_DescribeConfigs_result_resources(result, &count), count > 0,
              let first = described[0], rd_kafka_ConfigResource_error(first) == RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        var entryCount = 0
        guard let entries = rd_kafka_ConfigResource_configs(first, &entryCount) else { return [:] }
        var configs: [String: String] = [:]
        for i in 0..<entryCount {
            guard let entry = entries[i], let name = rd_kafka_ConfigEntry_name(entry) else { continue }
            configs[String(cString: name)] = rd_kafka_ConfigEntry_value(entry).map { String(cString: $0) } ?? ""
        }
        return configs
    }
}
