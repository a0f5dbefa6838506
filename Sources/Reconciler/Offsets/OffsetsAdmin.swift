import Connectors
import Foundation
import Kafka
import Logging
import Pipeline
import StreamConfig
import StreamManagerKit

/// Reads and edits the committed cursors of the offsets topic (`stream-manager offsets`). An edit
/// is refused while the source runs — its stream's next commit would overwrite it, and a
/// connector's position is not changed under it (Kafka Connect's offsets API asks the same) —:
/// pause the source (`enabled: false`), edit, enable it; the runtime reads the offsets topic again
/// before starting a source it stopped, so the edit is where it resumes.
public struct OffsetsAdmin: Sendable {
    public struct Topics: Sendable {
        public var offsets: String
        public var status: String
        public var config: String

        public init(offsets: String, status: String, config: String) {
            self.offsets = offsets
            self.status = status
            self.config = config
        }
    }

    /// The source states in which a stream runs and commits its cursor.
    public static let runningStates: Set<SourceState> = [.running, .degraded, .starting, .reconfiguring]

    public let topics: Topics
    private let bootstrapServers: [String]
    private let properties: [String: String]
    private let registry: ConnectorRegistry
    private let logger: Logger

    /// `properties` are the Kafka client properties (security), `${ENV}` already resolved.
    public init(topics: Topics, bootstrapServers: [String], properties: [String: String] = [:],
                registry: ConnectorRegistry = .shared, logger: Logger) {
        self.topics = topics
        self.bootstrapServers = bootstrapServers
        self.properties = properties
        self.registry = registry
        self.logger = logger
    }

    /// Every committed cursor, sorted by source id.
    public func list() async throws -> [OffsetsEntry] {
        try await records().sorted { $0.key < $1.key }.map { OffsetsEntry(sourceID: $0.key, record: $0.value) }
    }

    /// One source's committed cursor.
    public func get(_ sourceID: String) async throws -> OffsetsEntry {
        guard let record = try await records()[sourceID] else { throw OffsetsAdminError.noRecord(sourceID) }
        return OffsetsEntry(sourceID: sourceID, record: record)
    }

    /// `force` skips the refusal while the status topic says the source runs (for records a
    /// manager that is gone for good left behind).
    ///
    /// Sets a stopped source's cursor to `json` (checked against its source type's shape) and
    /// returns the record before and after. The record keeps its config, hash, version and stream
    /// id; a source with none takes them from its config-topic record.
    @discardableResult
    public func set(_ sourceID: String, cursor json: String, force: Bool = false,
                    at date: Date = Date()) async throws -> (before: OffsetsEntry?, after: OffsetsEntry) {
        async let statusRead = force ? nil : runningRefusal(sourceID)
        let existing = try await records()[sourceID]
        var record: CommittedCursor
        var sourceType = existing.flatMap { OffsetsEntry(sourceID: sourceID, record: $0).sourceType }
        if let existing {
            record = existing
            if sourceType == nil { sourceType = try await liveConfig(sourceID)?.config?.sourceType }
        } else {
            guard let live = try await liveConfig(sourceID) else { throw OffsetsAdminError.unknownSource(sourceID) }
            // A record that does not parse gives no config to write with the cursor (and the
            // manager runs nothing for it).
            guard let config = live.config else { throw OffsetsAdminError.unreadableConfig(sourceID, configVersion: live.configVersion) }
            sourceType = config.sourceType
            let desired = DesiredSource(sourceID: sourceID, config: config, configVersion: live.configVersion)
            // Nothing has run yet: no stream id.
            record = CommittedCursor(cursor: nil, configHash: desired.configHash, streamID: "", config: desired.compactJSON,
                                     configVersion: desired.configVersion)
        }
        let stored: String
        do {
            stored = try registry.storedCursor(json: json, sourceType: sourceType)
        } catch {
            throw OffsetsAdminError.invalidCursor(sourceID: sourceID, sourceType: sourceType, error)
        }
        if let refusal = try await statusRead { throw refusal }
        record.cursor = stored
        record.updatedAt = RFC3339.string(date)
        try await write(sourceID, record)
        return (existing.map { OffsetsEntry(sourceID: sourceID, record: $0) }, OffsetsEntry(sourceID: sourceID, record: record))
    }

    /// Forgets a stopped source's cursor (a tombstone): its next start begins as new. Returns the
    /// record forgotten, nil when there was none (nothing is written then).
    @discardableResult
    public func reset(_ sourceID: String, force: Bool = false) async throws -> OffsetsEntry? {
        async let statusRead = force ? nil : runningRefusal(sourceID)
        let existing = try await records()[sourceID]
        if let refusal = try await statusRead { throw refusal }
        guard let existing else { return nil }
        try await write(sourceID, nil)
        return OffsetsEntry(sourceID: sourceID, record: existing)
    }

    // MARK: reading and writing

    /// The refusal when the status topic says the source runs under a manager whose heartbeat is
    /// there; a record left by a manager that is gone does not hold an edit up.
    func runningRefusal(_ sourceID: String) async throws -> OffsetsAdminError? {
        guard try await exists(topics.status) else { return nil }
        let board = try await StatusWatch.snapshot(topic: topics.status, configuration: consumer("stream-manager-offsets-status"),
                                                   logger: logger)
        guard let status = board.sources[sourceID], Self.runningStates.contains(status.state),
              board.managers[status.instanceID] != nil else { return nil }
        return .running(sourceID: sourceID, state: status.state.rawValue, instanceID: status.instanceID)
    }

    private func records() async throws -> [String: CommittedCursor] {
        guard try await exists(topics.offsets) else { return [:] }
        let reader = CompactedTopicReader(topic: topics.offsets, configuration: consumer("stream-manager-offsets"), logger: logger)
        let (values, duplicates) = try await reader.snapshot()
        for d in duplicates { logger.warning("\(topics.offsets): \(d)") }
        return OffsetStore.cursors(values, logger: logger)
    }

    private func liveConfig(_ sourceID: String) async throws -> LiveConfig? {
        guard try await exists(topics.config) else { return nil }
        let (live, _, _) = try await LiveConfigReader.read(topic: topics.config, configuration: consumer("stream-manager-offsets-config"),
                                                        logger: logger)
        return live[sourceID]
    }

    /// Through the offsets store, the operator's own writer: the same partitioner puts the edit
    /// in the partition of the source's commits, where the newest record wins.
    private func write(_ sourceID: String, _ record: CommittedCursor?) async throws {
        let store = try OffsetStore(topic: topics.offsets, bootstrapServers: bootstrapServers, properties: properties, logger: logger)
        do {
            try await store.write(sourceID: sourceID, record)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    /// Whether a topic exists: a topic nobody created yet holds nothing (and reading one would
    /// have an auto-creating broker make it).
    private func exists(_ topic: String) async throws -> Bool {
        var configuration = KafkaAdminConfiguration(bootstrapServers: bootstrapServers)
        configuration.properties = properties
        let admin = try KafkaAdmin(configuration: configuration, logger: logger)
        return try await admin.partitions(of: topic) != nil
    }

    private func consumer(_ clientID: String) -> KafkaConsumerConfiguration {
        var c = KafkaConsumerConfiguration(bootstrapServers: bootstrapServers)
        c.clientID = clientID
        c.properties = properties
        c.idleFetchWaitMilliseconds = KafkaConsumerConfiguration.promptIdleFetchWaitMilliseconds
        return c
    }
}
