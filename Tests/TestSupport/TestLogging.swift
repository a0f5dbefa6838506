import Foundation
import Logging

/// The loggers tests hand to the code under test: to stderr, at the level in `TEST_LOG_LEVEL`
/// (trace … critical), `critical` when unset so a passing run stays quiet. Each logger has its own
/// handler: nothing calls `LoggingSystem.bootstrap`, which is process-wide and may run only once.
public enum TestLogging {
    public static let level: Logger.Level =
        ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .critical

    public static func logger(label: String) -> Logger {
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = level
        return logger
    }
}
