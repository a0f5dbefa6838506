import Pipeline
import StreamConfig

/// A source type the runtime can run: its `SourceTypeSpec` (schema, typed settings and their
/// defaults, cacheability), which validation reads, plus the factory that builds its connector
/// from the typed settings. The built-in types conform their spec from `BuiltinSourceTypes`
/// here, so the one list in `SourceTypeRegistry` serves both.
public protocol SourceType: SourceTypeSpec {
    /// The connector for settings decoded by `settings(from:)`; throws for what only the
    /// runtime can check (`manager.source_access`, a glob that matches outside the roots).
    func makeConnector(_ settings: Settings, context: ConnectorContext) throws -> any SourceConnector

    /// The cursor to store for one written by hand as JSON (`offsets set`), in the form this
    /// type's connector reads; throws naming the shape it expects. Types whose cursor has no
    /// checked shape take the default: any JSON, stored as compact JSON.
    func storedCursor(json value: Any) throws(CursorShapeError) -> String
}

extension SourceType {
    public func storedCursor(json value: Any) throws(CursorShapeError) -> String { CursorJSON.text(value) }

    /// Decodes the context's resolved settings once and builds the connector from them.
    func connector(for context: ConnectorContext) throws -> any SourceConnector {
        let settings: Settings
        do {
            settings = try self.settings(from: context.settings)
        } catch {
            throw ConnectorRegistryError.invalidSettings(error.message)
        }
        return try makeConnector(settings, context: context)
    }
}
