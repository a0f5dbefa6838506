/// Collects what decoding finds: diagnostics and the positions of every key.
final class DecodeSession {
    var diagnostics: [Diagnostic] = []
    var positions = PositionTable()
    let unknownKeys: UnknownKeyPolicy
    /// Connector schemas, for the ranges of connector settings in messages.
    let registry: SourceTypeRegistry

    init(unknownKeys: UnknownKeyPolicy, registry: SourceTypeRegistry = .shared) {
        self.unknownKeys = unknownKeys
        self.registry = registry
    }

    func error(_ message: String, path: String, at position: Position?) {
        diagnostics.append(.error(message, path: path, at: position))
    }

    func warning(_ message: String, path: String, at position: Position?) {
        diagnostics.append(.warning(message, path: path, at: position))
    }

    /// A malformed value: reported once, and its path marked so later checks skip it.
    func invalid(_ message: String, path: String, node: DocumentNode) {
        positions.invalid.insert(path)
        error(message, path: path, at: node.position)
    }

    func record(_ path: String, key: Position?, value: DocumentNode) {
        if let key { positions.keys[path] = key }
        positions.values[path] = value.position
    }
}

/// Reads one mapping's keys with types and defaults. Every key asked for counts as known,
/// so `finish()` can report the rest as unknown, with a suggestion among the known ones.
final class MappingReader {
    let session: DecodeSession
    let path: String
    let position: Position
    private let entries: [DocumentNode.Entry]
    private(set) var known: [String] = []

    init(session: DecodeSession, path: String, entries: [DocumentNode.Entry], position: Position) {
        self.session = session
        self.path = path
        self.entries = entries
        self.position = position
    }

    /// A reader over `node` if it is a mapping; reports a type error otherwise.
    static func make(_ node: DocumentNode, path: String, session: DecodeSession) -> MappingReader? {
        guard case .mapping(let entries, let position) = node else {
            session.invalid("expected a mapping, got \(node.kindDescription)", path: path, node: node)
            return nil
        }
        return MappingReader(session: session, path: path, entries: entries, position: position)
    }

    var writtenKeys: [String] { entries.map(\.key) }

    func has(_ key: String) -> Bool { entries.contains { $0.key == key } }

    /// The raw node at `key`, marking the key as known and recording positions.
    func node(_ key: String) -> DocumentNode? {
        known.append(key)
        guard let entry = entries.first(where: { $0.key == key }) else { return nil }
        session.record(joinPath(path, key), key: entry.keyPosition, value: entry.value)
        return entry.value
    }

    /// Reports every key not asked for. `extraHint` adds context, e.g. for a whole config
    /// passed where a single source was expected.
    func finish(extraHint: (String) -> String? = { _ in nil }) {
        for entry in entries where !known.contains(entry.key) {
            let keyPath = joinPath(path, entry.key)
            var message = "unknown key '\(entry.key)'" + KeySuggestion.hint(for: entry.key, in: known)
            if let hint = extraHint(entry.key) { message += "; \(hint)" }
            session.diagnostics.append(Diagnostic(
                severity: session.unknownKeys.severity, path: keyPath,
                line: entry.keyPosition.line, column: entry.keyPosition.column, message: message))
        }
    }

    /// Reports a missing key at the mapping's own position.
    func requireMissing(_ key: String) {
        let keyPosition = session.positions.keys[path] ?? position
        session.error("missing required key '\(key)'", path: joinPath(path, key), at: keyPosition)
        session.positions.invalid.insert(joinPath(path, key))
    }

    // MARK: typed reads (a type error keeps the default and marks the path invalid)
    // A written null is a type error for settings that have a default, and "not set" for
    // optional ones (`topic:` with nothing after it).

    /// `within` names the setting's range in messages about numbers it can never take;
    /// manager-wide settings are found in `SettingBounds` by their path.
    func int(_ key: String, default value: Int, within bound: NumericBound? = nil) -> Int {
        guard let node = node(key) else { return value }
        let path = joinPath(path, key)
        return ValueCoercion.int(node, path: path, session: session, within: bound ?? SettingBounds.manager(at: path)) ?? value
    }

    func optionalInt(_ key: String) -> Int? {
        guard let node = node(key), !node.isNull else { return nil }
        return ValueCoercion.int(node, path: joinPath(path, key), session: session)
    }

    func double(_ key: String, default value: Double, within bound: NumericBound? = nil) -> Double {
        guard let node = node(key) else { return value }
        let path = joinPath(path, key)
        return ValueCoercion.double(node, path: path, session: session, within: bound ?? SettingBounds.manager(at: path)) ?? value
    }

    func optionalDouble(_ key: String, within bound: NumericBound? = nil) -> Double? {
        guard let node = node(key), !node.isNull else { return nil }
        return ValueCoercion.double(node, path: joinPath(path, key), session: session, within: bound)
    }

    func bool(_ key: String, default value: Bool) -> Bool {
        guard let node = node(key) else { return value }
        return ValueCoercion.bool(node, path: joinPath(path, key), session: session) ?? value
    }

    func string(_ key: String, default value: String) -> String {
        guard let node = node(key) else { return value }
        return ValueCoercion.string(node, path: joinPath(path, key), session: session) ?? value
    }

    func optionalString(_ key: String) -> String? {
        guard let node = node(key), !node.isNull else { return nil }
        return ValueCoercion.string(node, path: joinPath(path, key), session: session)
    }

    func enumeration<E: RawRepresentable & CaseIterable>(_ key: String, default value: E) -> E
    where E.RawValue == String {
        guard let node = node(key) else { return value }
        return ValueCoercion.enumeration(node, path: joinPath(path, key), session: session) ?? value
    }

    /// An optional word from a closed set: nil when absent or null; an unknown word is an
    /// error listing the allowed ones (and the result is nil).
    func optionalEnumeration<E: RawRepresentable & CaseIterable>(_ key: String, as type: E.Type = E.self) -> E?
    where E.RawValue == String {
        guard let node = node(key), !node.isNull else { return nil }
        return ValueCoercion.enumeration(node, path: joinPath(path, key), session: session)
    }

    /// A nested mapping's reader; nil when absent, null, or not a mapping (reported).
    func mapping(_ key: String) -> MappingReader? {
        guard let node = node(key), !node.isNull else { return nil }
        return MappingReader.make(node, path: joinPath(path, key), session: session)
    }

    func sequence(_ key: String) -> [DocumentNode]? {
        guard let node = node(key), !node.isNull else { return nil }
        guard case .sequence(let items, _) = node else {
            session.invalid("expected a list, got \(node.kindDescription)", path: joinPath(path, key), node: node)
            return nil
        }
        return items
    }

    /// Any JSON-like value (connector settings, `equals`), positions of nested keys kept.
    func value(_ key: String) -> ConfigValue? {
        guard let node = node(key) else { return nil }
        return ValueCoercion.value(node, path: joinPath(path, key), session: session)
    }

    /// A mapping of text values. `scalarsAsText` also accepts numbers and booleans, written
    /// as they appear (librdkafka properties are all strings: `linger.ms: 5`).
    func stringMap(_ key: String, scalarsAsText: Bool = false) -> [String: String] {
        guard let reader = mapping(key) else { return [:] }
        var result: [String: String] = [:]
        for entry in reader.entries {
            let entryPath = joinPath(reader.path, entry.key)
            session.record(entryPath, key: entry.keyPosition, value: entry.value)
            if scalarsAsText, case .scalar(let s) = entry.value, !s.value.isNull {
                result[entry.key] = s.text
            } else if let text = ValueCoercion.string(entry.value, path: entryPath, session: session) {
                result[entry.key] = text
            }
        }
        return result
    }
}
