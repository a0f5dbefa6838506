import Foundation
import Kubernetes
import Logging
import StreamConfig

/// Desired state from one key of one ConfigMap (`--source configmap`): the key holds a config
/// document whose `sources` are wanted, validated like a file. `config_version` is
/// `configmap:<resourceVersion>`. A ConfigMap that does not exist yet means no sources; its
/// deletion stops what it held unless `keepOnDelete` (then what runs keeps running until the
/// ConfigMap comes back: safer against an accidental delete, but a deliberate one stops nothing).
/// A broken edit changes nothing that runs: it is a whole-document error.
public struct ConfigMapSource: DesiredStateSource {
    public let kind = "configmap"
    private let watcher: ConfigMapWatcher
    private let key: String
    private let keepOnDelete: Bool
    /// The operator's `manager.source_access`; a `manager` section in the ConfigMap does not change it.
    private let access: SourceAccessPolicy
    private let logger: Logger

    public init(watcher: ConfigMapWatcher, key: String, keepOnDelete: Bool, access: SourceAccessPolicy = SourceAccessPolicy(),
                logger: Logger) {
        self.watcher = watcher
        self.key = key
        self.keepOnDelete = keepOnDelete
        self.access = access
        self.logger = logger
    }

    public func produce(_ emit: (DesiredStateEvent) -> Void) async {
        let (watcher, key, keepOnDelete, access, logger) = (self.watcher, self.key, self.keepOnDelete, self.access, self.logger)
        var synced = false
        var lastVersion: String?
        await watcher.watch { change in
            var events: [DesiredStateEvent] = []
            let current: ConfigMap?
            switch change {
            case .listed(let map): current = map
            case .applied(let map): current = map
            case .deleted: current = nil
            case .failed: return  // the watcher logged it and keeps trying
            }
            if let map = current {
                // A relist that finds the version already applied changes nothing.
                guard map.resourceVersion != lastVersion else { return }
                lastVersion = map.resourceVersion
                events = Self.snapshot(map, key: key, firstRead: !synced, access: access)
            } else {
                lastVersion = nil
                if synced && keepOnDelete {
                    logger.warning("configmap \(watcher.namespace)/\(watcher.name) is gone; --keep-on-delete: the sources keep running")
                    return
                }
                events = [.initStarted, .initDone]  // no ConfigMap, no sources
            }
            for event in events {
                if case .documentError(let r) = event {
                    logger.error("configmap \(watcher.namespace)/\(watcher.name) refused, running sources unchanged: \(r.error)")
                }
                emit(event)
            }
            synced = true
        }
    }

    static func snapshot(_ map: ConfigMap, key: String, firstRead: Bool,
                         access: SourceAccessPolicy = SourceAccessPolicy()) -> [DesiredStateEvent] {
        let version = "configmap:\(map.resourceVersion)"
        let origin = "configmap \(map.namespace)/\(map.name) key \(key)"
        guard let text = map.data[key] else {
            let r = Rejection(configHash: nil, configVersion: version, error: "\(origin): the key is missing (keys: \(map.data.keys.sorted().joined(separator: ", ")))")
            return firstRead ? [.initStarted, .documentError(r), .initDone] : [.documentError(r)]
        }
        return DocumentSnapshot.events(Data(text.utf8), version: version, origin: origin, firstRead: firstRead, access: access)
    }
}
