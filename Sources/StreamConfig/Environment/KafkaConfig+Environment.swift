import Foundation

extension KafkaConfig {
    /// `kafka.properties` with `${ENV}` references resolved, at use (the stored config keeps the
    /// reference): the security settings every Kafka client of the operator shares.
    public func resolvedProperties(environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(EnvReferenceError) -> [String: String] {
        var resolved: [String: String] = [:]
        for (key, value) in properties { resolved[key] = try EnvReference.resolve(value, environment: environment) }
        return resolved
    }
}
