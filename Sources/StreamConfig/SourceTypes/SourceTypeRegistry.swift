import Synchronization

/// Source type name → its `SourceTypeSpec`: the one table validation and the runtime both read.
///
/// `shared` starts with `BuiltinSourceTypes.all`; a library that adds a source type registers
/// its descriptor there (or in a registry of its own, passed through `ValidationOptions` and
/// the connector registry). An unknown `source_type` is reported with the registered names.
public final class SourceTypeRegistry: Sendable {
    private let specs: Mutex<[String: any SourceTypeSpec]>

    public init(_ specs: [any SourceTypeSpec] = []) {
        self.specs = Mutex(Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last }))
    }

    /// The process-wide registry, pre-filled with the built-in types.
    public static let shared = SourceTypeRegistry.withBuiltins()

    /// A fresh registry holding only the built-in types (for tests and isolated tools).
    public static func withBuiltins() -> SourceTypeRegistry { SourceTypeRegistry(BuiltinSourceTypes.all) }

    /// Adds or replaces the type named `spec.name`.
    public func register(_ spec: any SourceTypeSpec) {
        specs.withLock { $0[spec.name] = spec }
    }

    public func unregister(type: String) {
        specs.withLock { _ = $0.removeValue(forKey: type) }
    }

    public func spec(for type: String) -> (any SourceTypeSpec)? {
        specs.withLock { $0[type] }
    }

    public func schema(for type: String) -> ConnectorSchema? { spec(for: type)?.schema }

    /// Every registered descriptor, sorted by name.
    public var all: [any SourceTypeSpec] {
        specs.withLock { $0.values.sorted { $0.name < $1.name } }
    }

    /// Registered type names, sorted.
    public var registeredTypes: [String] {
        specs.withLock { $0.keys.sorted() }
    }
}
