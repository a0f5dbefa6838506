import Foundation
import Reconciler
import StreamConfig
import Synchronization

extension StreamOperator: DashboardData {
    public func desiredConfig(of sourceID: String) -> Result<String, DashboardNote> {
        let desired = loop.desired
        if let source = desired.sources[sourceID] { return .success(source.config.canonicalJSON) }
        if desired.rejections[sourceID] != nil {
            return .failure(DashboardNote("its config was refused and nothing of it runs (the error is in the status)"))
        }
        return .failure(DashboardNote("not in the desired state this manager reads"))
    }

    public func committedCursorJSON(of sourceID: String) -> String? {
        runtime.latestCommittedCursor(forSource: sourceID).map { String(decoding: $0.json(), as: UTF8.self) }
    }

    public func configVersions(of sourceID: String, configVersion: String?) async -> Result<String, DashboardNote> {
        guard case .kafka = settings.desiredSource else {
            return .failure(DashboardNote("config versions come from the config topic; this manager reads its sources from a \(settings.configSourceName)"))
        }
        if let cached = versionCache.get(sourceID, configVersion: configVersion) { return .success(cached) }
        // Each read scans the whole config topic with a consumer of its own: a client asking for
        // many sources at once must not make the operator open as many.
        guard versionCache.beginRead() else {
            return .failure(DashboardNote("the config topic is being read for other requests; the versions show on the next update"))
        }
        defer { versionCache.endRead() }
        do {
            let versions = try await ConfigHistory.read(
                sourceID: sourceID, topic: settings.configTopic,
                configuration: Self.reader("stream-manager-dashboard-history", settings, properties),
                logger: logger)
            let json = ConfigVersion.json(versions)
            versionCache.put(sourceID, configVersion: configVersion, json: json)
            return .success(json)
        } catch {
            return .failure(DashboardNote("could not read \(settings.configTopic): \(error)"))
        }
    }
}

/// A source's versions as last read from the config topic, reused while its status names the
/// same config version and for at most a minute: the page asks again on every update of the
/// source it shows, and each read scans the whole config topic.
final class ConfigVersionCache: Sendable {
    private struct Entry {
        var configVersion: String?
        var json: String
        var at: ContinuousClock.Instant
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let reads = Mutex(0)
    static let maxConcurrentReads = 2
    static let maxAge = Duration.seconds(60)
    static let maxEntries = 256

    /// Takes one of the concurrent config-topic reads; false when all are taken.
    func beginRead() -> Bool {
        reads.withLock { n in
            guard n < Self.maxConcurrentReads else { return false }
            n += 1
            return true
        }
    }

    func endRead() { reads.withLock { $0 -= 1 } }

    func get(_ sourceID: String, configVersion: String?) -> String? {
        entries.withLock { e in
            guard let entry = e[sourceID], entry.configVersion == configVersion,
                  ContinuousClock.now - entry.at < Self.maxAge else { return nil }
            return entry.json
        }
    }

    func put(_ sourceID: String, configVersion: String?, json: String) {
        entries.withLock { e in
            if e.count >= Self.maxEntries { e = e.filter { ContinuousClock.now - $0.value.at < Self.maxAge } }
            if e.count >= Self.maxEntries { e.removeAll() }
            e[sourceID] = Entry(configVersion: configVersion, json: json, at: .now)
        }
    }
}
