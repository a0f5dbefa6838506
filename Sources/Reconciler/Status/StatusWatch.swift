import Kafka
import Logging

/// Follows the status topic: the board after the initial sync, then after every change.
public enum StatusWatch {
    /// Calls `check` with the board after the initial sync and after each record until it returns
    /// a value, or `timeout` passes (then nil).
    public static func follow<T: Sendable>(topic: String, configuration: KafkaConsumerConfiguration, logger: Logger,
                                           timeout: Duration, check: @escaping @Sendable (StatusBoard) -> T?) async throws -> T? {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                let reader = CompactedTopicReader(topic: topic, configuration: configuration, logger: logger)
                var board = StatusBoard()
                var synced = false
                var result: T?
                try await reader.read { event in
                    switch event {
                    case .initDone(let snapshot):
                        for (key, record) in snapshot { board.apply(key: key, value: record.value) }
                        synced = true
                    case .upsert(let record):
                        board.apply(key: record.keyString ?? "", value: record.value)
                    case .delete(let key, _):
                        board.apply(key: key, value: nil)
                    case .duplicateKey:
                        return true
                    }
                    if synced { result = check(board) }
                    return result == nil
                }
                return result
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// The board as it is now (read to the high watermark).
    public static func snapshot(topic: String, configuration: KafkaConsumerConfiguration, logger: Logger) async throws -> StatusBoard {
        let reader = CompactedTopicReader(topic: topic, configuration: configuration, logger: logger)
        let (values, _) = try await reader.snapshot()
        var board = StatusBoard()
        for (key, record) in values { board.apply(key: key, value: record.value) }
        return board
    }
}
