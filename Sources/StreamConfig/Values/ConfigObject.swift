/// A mapping from keys to `ConfigValue`s that remembers the order it was written in.
///
/// The order is kept for printing (a setting shows up where the user put it); equality and
/// hashing ignore it, because key order is formatting, not meaning.
public struct ConfigObject: Sendable {
    public private(set) var keys: [String] = []
    private var storage: [String: ConfigValue] = [:]

    public init() {}

    /// Later duplicates replace earlier ones but keep the first position.
    public init<S: Sequence>(_ entries: S) where S.Element == (String, ConfigValue) {
        for (key, value) in entries { self[key] = value }
    }

    public subscript(key: String) -> ConfigValue? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// Entries in written order.
    public var entries: [(key: String, value: ConfigValue)] {
        keys.map { ($0, storage[$0]!) }
    }

    /// The values as a plain dictionary (order dropped).
    public var dictionary: [String: ConfigValue] { storage }
}

extension ConfigObject: Equatable {
    public static func == (lhs: ConfigObject, rhs: ConfigObject) -> Bool {
        lhs.storage == rhs.storage
    }
}

extension ConfigObject: Hashable {
    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage)
    }
}

extension ConfigObject: Sequence {
    public func makeIterator() -> IndexingIterator<[(key: String, value: ConfigValue)]> {
        entries.makeIterator()
    }
}

extension ConfigObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, ConfigValue)...) {
        self.init(elements)
    }
}

extension ConfigObject: CustomStringConvertible {
    public var description: String { CanonicalJSON.encode(.object(self)) }
}
