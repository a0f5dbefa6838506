import StreamConfig

/// A config-topic record as `apply` and `diff` see it: parsed leniently (a newer writer's
/// unknown keys are fine), or unreadable (then any file content replaces it).
public struct LiveConfig: Sendable, Equatable {
    public var config: SourceConfig?
    public var configVersion: String

    public init(config: SourceConfig?, configVersion: String) {
        self.config = config
        self.configVersion = configVersion
    }
}

/// One line of the plan `apply` executes and `diff` prints.
public struct ConfigChange: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case add
        case remove
        /// The changed fields; empty when the live record could not be read.
        case change([FieldChange])
    }

    public var sourceID: String
    public var kind: Kind
    /// The config to publish (nil for a removal).
    public var config: SourceConfig?

    public init(sourceID: String, kind: Kind, config: SourceConfig?) {
        self.sourceID = sourceID
        self.kind = kind
        self.config = config
    }

    /// `+ <id>`, `- <id>`, `~ <id> (<dotted.path>: <old json> → <new json>, …)`.
    public var line: String {
        switch kind {
        case .add: return "+ \(sourceID)"
        case .remove: return "- \(sourceID)"
        case .change(let fields) where fields.isEmpty: return "~ \(sourceID) (the live record is unreadable)"
        case .change(let fields): return "~ \(sourceID) (\(fields.map(\.description).joined(separator: ", ")))"
        }
    }
}

/// The plan of a file against the live topic: publish only what differs by canonical hash
/// (so reformatting or YAML → JSON publishes nothing); with `prune`, remove live sources the
/// file lacks. Sorted by source id.
public func planConfigChanges(file: [String: SourceConfig], live: [String: LiveConfig], prune: Bool) -> [ConfigChange] {
    var changes: [ConfigChange] = []
    for id in Set(file.keys).union(prune ? Set(live.keys) : []).sorted() {
        switch (file[id], live[id]) {
        case (let want?, nil):
            changes.append(ConfigChange(sourceID: id, kind: .add, config: want))
        case (let want?, let have?):
            guard let old = have.config else {
                changes.append(ConfigChange(sourceID: id, kind: .change([]), config: want))
                continue
            }
            if old.configHash != want.configHash {
                changes.append(ConfigChange(sourceID: id, kind: .change(want.changes(from: old)), config: want))
            }
        case (nil, _?):
            changes.append(ConfigChange(sourceID: id, kind: .remove, config: nil))
        case (nil, nil):
            break
        }
    }
    return changes
}
