import Foundation
import Logging

/// What the watcher reports about its one ConfigMap.
public enum ConfigMapChange: Sendable, Equatable {
    /// A (re)list: the ConfigMap as it is now, nil when it does not exist.
    case listed(ConfigMap?)
    /// Created or changed.
    case applied(ConfigMap)
    /// Deleted (the object as it was).
    case deleted(ConfigMap)
    /// A problem worth telling a user (401/403, a refused request); the watcher keeps trying.
    case failed(String)
}

/// Follows one ConfigMap the way client-go's reflector and kube-rs's watcher do: list (for a
/// `resourceVersion`), then watch from it with bookmarks; remember the newest version seen
/// (bookmarks included) and resume from it when a watch ends; relist on 410 Expired; back off on
/// connection errors, 5xx and 429 (800 ms doubling to 30 s, with jitter, reset once a watch has
/// been healthy); 401/403 are reported and retried at the slowest pace.
public struct ConfigMapWatcher: Sendable {
    public struct Timing: Sendable {
        public var initialBackoff: Duration = .milliseconds(800)
        public var maxBackoff: Duration = .seconds(30)
        /// A watch that stayed open this long (or delivered an event) resets the backoff.
        public var healthyAfter: Duration = .seconds(10)
        /// The server closes each watch after about this many seconds (±10 %, so a fleet's
        /// watches do not expire together).
        public var watchTimeoutSeconds: Int = 300
        public init() {}
    }

    public let client: KubeAPIClient
    public let namespace: String
    public let name: String
    private let timing: Timing
    private let logger: Logger

    public init(client: KubeAPIClient, namespace: String, name: String, timing: Timing = Timing(), logger: Logger) {
        self.client = client
        self.namespace = namespace
        self.name = name
        self.timing = timing
        self.logger = logger
    }

    /// Lists, then watches, in the caller's task, handing each change to `emit`, until the task
    /// is cancelled.
    public func watch(_ emit: (ConfigMapChange) -> Void) async {
        var resourceVersion: String?  // nil: list first
        var backoff = timing.initialBackoff
        while !Task.isCancelled {
            do {
                if resourceVersion == nil {
                    let list = try await client.listConfigMaps(namespace: namespace, name: name)
                    resourceVersion = list.resourceVersion
                    emit(.listed(list.items.first { $0.name == name }))
                }
                let opened = ContinuousClock.now
                var delivered = false
                let jitter = Int.random(in: -(timing.watchTimeoutSeconds / 10)...(timing.watchTimeoutSeconds / 10))
                try await client.watchConfigMaps(namespace: namespace, name: name, resourceVersion: resourceVersion ?? "",
                                                 timeoutSeconds: max(1, timing.watchTimeoutSeconds + jitter)) { event in
                    switch event {
                    case .added(let map), .modified(let map):
                        resourceVersion = map.resourceVersion
                        delivered = true
                        if map.name == name { emit(.applied(map)) }
                    case .deleted(let map):
                        resourceVersion = map.resourceVersion
                        delivered = true
                        if map.name == name { emit(.deleted(map)) }
                    case .bookmark(let rv):
                        if !rv.isEmpty { resourceVersion = rv }
                    case .error(let status) where status.isExpired:
                        logger.info("watch of configmap \(namespace)/\(name) expired at \(resourceVersion ?? "?"); relisting")
                        resourceVersion = nil
                        return false
                    case .error(let status):
                        throw KubeError(.unavailable, "watch ended with \(status.code) \(status.reason): \(status.message)")
                    }
                    return true
                }
                // The server ended the watch (its timeout): resume from the newest version seen.
                if delivered || ContinuousClock.now - opened >= timing.healthyAfter { backoff = timing.initialBackoff }
                if resourceVersion != nil && !delivered && ContinuousClock.now - opened < .milliseconds(100) {
                    // An immediately closed watch must not spin.
                    try? await Task.sleep(for: jittered(backoff))
                    backoff = min(backoff * 2, timing.maxBackoff)
                }
            } catch let error as KubeError {
                switch error.kind {
                case .expired:
                    resourceVersion = nil  // relist at once
                    continue
                case .unauthorized, .refused, .configuration, .malformed, .tls:
                    logger.error("configmap \(namespace)/\(name): \(error)")
                    emit(.failed(error.message))
                    try? await Task.sleep(for: jittered(timing.maxBackoff))
                case .unavailable:
                    logger.warning("configmap \(namespace)/\(name): \(error) (retry in \(backoff))")
                    try? await Task.sleep(for: jittered(backoff))
                    backoff = min(backoff * 2, timing.maxBackoff)
                }
            } catch {
                logger.warning("configmap \(namespace)/\(name): \(error)")
                try? await Task.sleep(for: jittered(backoff))
                backoff = min(backoff * 2, timing.maxBackoff)
            }
        }
    }

    /// ±20 %, so many watchers do not retry in step.
    private func jittered(_ d: Duration) -> Duration {
        d * Double.random(in: 0.8...1.2)
    }
}
