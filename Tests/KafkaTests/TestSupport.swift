import Foundation
import Kafka
import Logging
import Synchronization

/// Shared helpers for tests against a real Kafka protocol endpoint.
enum TestSupport {
    static let logger: Logger = {
        var l = Logger(label: "kafka-tests") { StreamLogHandler.standardError(label: $0) }
        l.logLevel = ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return l
    }()

    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Polls until `count` records arrived or the deadline passes.
    static func consume(_ consumer: KafkaConsumer, count: Int, timeout: Duration = .seconds(20)) async throws -> [ConsumerRecord] {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var records: [ConsumerRecord] = []
        while records.count < count && ContinuousClock.now < deadline {
            records += try await consumer.poll(maxRecords: 1_000, timeout: .milliseconds(200)).records
        }
        return records
    }

    static func readAll(bootstrap: [String], topic: String, partitions: Int, count: Int,
                        timeout: Duration = .seconds(20)) async throws -> [ConsumerRecord] {
        let consumer = try KafkaConsumer(configuration: .init(bootstrapServers: bootstrap), logger: logger)
        var positions: [TopicPartition: KafkaOffset] = [:]
        for p in 0..<partitions { positions[TopicPartition(topic: topic, partition: Int32(p))] = .beginning }
        try consumer.assign(positions)
        let records = try await consume(consumer, count: count, timeout: timeout)
        await consumer.close()
        return records
    }

    /// Waits until `condition` holds, checking every 50 ms.
    static func eventually(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    /// Runs a program and returns its exit status and output.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], stdin: String? = nil,
                    environment: [String: String]? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}

/// Collects values from callbacks on other threads.
final class Collector<T: Sendable>: Sendable {
    private let items = Mutex<[T]>([])
    func append(_ values: [T]) { items.withLock { $0 += values } }
    func append(_ value: T) { items.withLock { $0.append(value) } }
    var all: [T] { items.withLock { $0 } }
    var count: Int { items.withLock { $0.count } }
}

/// A value shared with callbacks on other threads.
final class Locked<T: Sendable>: Sendable {
    private let state: Mutex<T>
    init(_ value: T) { state = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout T) -> R) -> R { state.withLock { body(&$0) } }
    var value: T { state.withLock { $0 } }
}
