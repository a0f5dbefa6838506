import Foundation
import Pipeline
import StreamConfig

/// What a source type's factory gets besides its typed settings: the source's id and config,
/// with `${ENV}` references in its `connector` settings already resolved (they are resolved
/// here, at use, and nowhere earlier, so the stored config keeps the reference).
public struct ConnectorContext: Sendable {
    public var sourceID: String
    public var source: SourceConfig
    /// `source.connector` with environment references resolved.
    public var settings: ConfigObject
    /// The operator's `manager.source_access`: connectors refuse URLs, redirects and files
    /// outside it at use, whatever was checked when the source was accepted.
    public var access: SourceAccessPolicy
    /// What the references resolved to (`SourceSecrets`): to be masked in every message.
    public var secrets: [String]

    public init(sourceID: String, source: SourceConfig, settings: ConfigObject,
                access: SourceAccessPolicy = SourceAccessPolicy(), secrets: [String] = []) {
        self.sourceID = sourceID
        self.source = source
        self.settings = settings
        self.access = access
        self.secrets = secrets
    }
}

public enum ConnectorRegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownType(String, registered: [String])
    /// An `${ENV}` reference could not be resolved; the text names the variable, never a value.
    case environment(String)
    case invalidSettings(String)
    /// Outside `manager.source_access`: a variable, URL or file the operator may not read.
    case access(String)

    public var description: String {
        switch self {
        case .unknownType(let type, let registered):
            return "unknown source_type '\(type)'; registered types: \(registered.joined(separator: ", "))"
        case .environment(let message):
            return message
        case .invalidSettings(let message), .access(let message):
            return message
        }
    }
}

/// Builds the connector of a source from its type's descriptor in a `SourceTypeRegistry`
/// (the one validation reads): the type's settings are decoded once, with their defaults, and
/// handed to its factory. A type registered without a factory (only a `SourceTypeSpec`, for
/// validation) cannot run.
public final class ConnectorRegistry: Sendable {
    public let types: SourceTypeRegistry

    public init(types: SourceTypeRegistry = .shared) {
        self.types = types
    }

    /// The built-in source types (`BuiltinSourceTypes.all`) and whatever is registered in
    /// `SourceTypeRegistry.shared`.
    public static let shared = ConnectorRegistry()

    /// Adds or replaces a source type: validation and the runtime both see it.
    public func register(_ type: any SourceType) { types.register(type) }

    /// The types that can run (registered with a factory), sorted.
    public var registeredTypes: [String] { types.all.filter { $0 is any SourceType }.map(\.name) }

    /// The connector for `source`, its `${NAME}` references resolved from the variables `access`
    /// lets sources read (a reference to any other is refused, naming the setting to change).
    public func makeConnector(sourceID: String, source: SourceConfig,
                              environment: [String: String] = ProcessInfo.processInfo.environment,
                              access: SourceAccessPolicy = SourceAccessPolicy()) throws -> any SourceConnector {
        guard let type = types.spec(for: source.sourceType) as? any SourceType else {
            throw ConnectorRegistryError.unknownType(source.sourceType, registered: registeredTypes)
        }
        if let refusal = Self.referencedVariables(source.connector).lazy.compactMap(access.variableRefusal).first {
            throw ConnectorRegistryError.access(refusal)
        }
        let visible = access.visibleEnvironment(environment)
        let settings: ConfigObject
        do {
            settings = try EnvReference.resolve(source.connector, environment: visible)
        } catch {
            throw ConnectorRegistryError.environment(error.description)
        }
        // Factories turn these settings into timeouts and sizes; clamped, a source built in
        // code without validation cannot hand them a value that traps.
        return try type.connector(for: ConnectorContext(sourceID: sourceID, source: source.clampedToBounds(), settings: settings,
                                                        access: access,
                                                        secrets: SourceSecrets.values(in: source.connector, environment: visible)))
    }

    /// The cursor to store for one written by hand as JSON text (`offsets set`): JSON, and of
    /// the shape the source type defines; a type not registered here takes any JSON.
    public func storedCursor(json text: String, sourceType: String?) throws(CursorShapeError) -> String {
        let value = try CursorJSON.parse(text)
        guard let sourceType, let type = types.spec(for: sourceType) as? any SourceType else { return CursorJSON.text(value) }
        return try type.storedCursor(json: value)
    }

    /// Every variable the settings reference, in order of appearance.
    static func referencedVariables(_ settings: ConfigObject) -> [String] {
        var names: [String] = []
        func walk(_ value: ConfigValue) {
            switch value {
            case .string(let text):
                for reference in (try? EnvReference.references(in: text)) ?? [] where !names.contains(reference.name) {
                    names.append(reference.name)
                }
            case .array(let items): items.forEach(walk)
            case .object(let object): object.entries.forEach { walk($0.value) }
            default: break
            }
        }
        walk(.object(settings))
        return names
    }
}
