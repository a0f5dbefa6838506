import Foundation

/// Source type → the schema of its `connector:` settings.
///
/// `shared` starts with the built-in types; libraries that add a source type register its
/// schema there (or in their own registry passed through `ValidationOptions`). An unknown
/// `source_type` is reported with the list of registered types.
public final class ConnectorSchemaRegistry: @unchecked Sendable {
    // @unchecked: every access to `schemas` holds `lock`.
    private let lock = NSLock()
    private var schemas: [String: ConnectorSchema]

    public init(schemas: [String: ConnectorSchema] = [:]) {
        self.schemas = schemas
    }

    /// The process-wide registry, pre-filled with the built-in types.
    public static let shared = ConnectorSchemaRegistry.withBuiltins()

    /// A fresh registry holding only the built-in types (for tests and isolated tools).
    public static func withBuiltins() -> ConnectorSchemaRegistry {
        ConnectorSchemaRegistry(schemas: BuiltinConnectorSchemas.all)
    }

    /// Adds or replaces the schema of `type`.
    public func register(type: String, schema: ConnectorSchema) {
        lock.withLock { schemas[type] = schema }
    }

    public func unregister(type: String) {
        lock.withLock { _ = schemas.removeValue(forKey: type) }
    }

    public func schema(for type: String) -> ConnectorSchema? {
        lock.withLock { schemas[type] }
    }

    /// Registered type names, sorted.
    public var registeredTypes: [String] {
        lock.withLock { schemas.keys.sorted() }
    }
}
