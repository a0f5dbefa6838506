import Foundation
import Kafka
import Logging
import StreamConfig

/// Publishes planned changes to the config topic: canonical JSON values (tombstones for
/// removals) with the three `apply` headers, through the `murmur2_random` partitioner so a
/// key lands where Java tools put it. Waits for every delivery.
public struct ConfigTopicWriter: Sendable {
    public struct Provenance: Sendable {
        /// `applied-by`: `--applied-by`, default `$USER@$HOSTNAME`.
        public var appliedBy: String
        /// `git-commit`: `--git-commit` or `$GIT_COMMIT`; the header is omitted when unknown.
        public var gitCommit: String?

        public init(appliedBy: String, gitCommit: String?) {
            self.appliedBy = appliedBy
            self.gitCommit = gitCommit
        }

        public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment,
                                           appliedBy: String? = nil, gitCommit: String? = nil) -> Provenance {
            let user = env["USER"] ?? env["LOGNAME"] ?? "unknown"
            let host = env["HOSTNAME"] ?? ProcessInfo.processInfo.hostName
            let commit = gitCommit ?? env["GIT_COMMIT"]
            return Provenance(appliedBy: appliedBy ?? "\(user)@\(host)", gitCommit: (commit?.isEmpty ?? true) ? nil : commit)
        }
    }

    public let topic: String
    private let producer: KafkaProducer

    public init(topic: String, bootstrapServers: [String], properties: [String: String], logger: Logger) throws {
        var configuration = KafkaProducerConfiguration(bootstrapServers: bootstrapServers)
        configuration.clientID = "stream-manager-apply"
        configuration.partitioner = .murmur2Random
        configuration.lingerMilliseconds = 1
        configuration.properties = properties
        self.topic = topic
        producer = try KafkaProducer(configuration: configuration, logger: logger)
    }

    public func headers(_ provenance: Provenance) -> [KafkaHeader] {
        var headers = [KafkaHeader(key: "content-type", string: "application/json"),
                       KafkaHeader(key: "applied-by", string: provenance.appliedBy)]
        if let commit = provenance.gitCommit { headers.append(KafkaHeader(key: "git-commit", string: commit)) }
        return headers
    }

    /// Publishes the changes; returns each source's `config_version` (`kafka:<partition>:<offset>`).
    @discardableResult
    public func publish(_ changes: [ConfigChange], provenance: Provenance) async throws -> [String: String] {
        let headers = headers(provenance)
        return try await withThrowingTaskGroup(of: (String, String).self) { group in
            for change in changes {
                let record = ProducerRecord(topic: topic, key: Array(change.sourceID.utf8),
                                            value: change.config.map { Array($0.canonicalJSON.utf8) }, headers: headers)
                group.addTask { [producer] in
                    let report = try await producer.sendAndWait(record)
                    return (change.sourceID, "kafka:\(report.partition):\(report.offset)")
                }
            }
            var versions: [String: String] = [:]
            for try await (id, version) in group { versions[id] = version }
            return versions
        }
    }

    /// Publishes budget changes (key `__budget:<name>`, canonical JSON; tombstones for removals)
    /// and waits for every delivery, so sources published next find their budget.
    public func publish(_ budgets: [BudgetChange], provenance: Provenance) async throws {
        let headers = headers(provenance)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for change in budgets {
                let record = ProducerRecord(topic: topic, key: Array(BudgetConfig.recordKey(change.name).utf8),
                                            value: change.config.map { Array($0.canonicalJSON.utf8) }, headers: headers)
                group.addTask { [producer] in _ = try await producer.sendAndWait(record) }
            }
            try await group.waitForAll()
        }
    }

    /// Publishes a restart request (key `__restart:<id>`); returns its `kafka:<partition>:<offset>`.
    @discardableResult
    public func publish(_ request: RestartRequest, provenance: Provenance) async throws -> String {
        let record = ProducerRecord(topic: topic, key: Array(RestartRequest.key(request.sourceID).utf8), value: request.json(),
                                    headers: headers(provenance))
        let report = try await producer.sendAndWait(record)
        return "kafka:\(report.partition):\(report.offset)"
    }

    public func close() async { await producer.close() }
}
