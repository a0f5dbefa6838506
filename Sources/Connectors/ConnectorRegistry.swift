import Foundation
import Pipeline
import StreamConfig
import Synchronization

/// What a factory gets to build a connector: the source's id and config, with `${ENV}`
/// references in its `connector` settings already resolved (they are resolved here, at use,
/// and nowhere earlier, so the stored config keeps the reference).
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

public typealias ConnectorFactory = @Sendable (ConnectorContext) throws -> any SourceConnector

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

/// Maps `source_type` to a connector factory. Library users register their own types (with a
/// settings schema, which the config validator then enforces).
public final class ConnectorRegistry: Sendable {
    private let factories: Mutex<[String: ConnectorFactory]>
    private let schemas: ConnectorSchemaRegistry

    public init(schemas: ConnectorSchemaRegistry = .shared, factories: [String: ConnectorFactory] = [:]) {
        self.schemas = schemas
        self.factories = Mutex(factories)
    }

    /// The built-in source types.
    public static let shared: ConnectorRegistry = {
        let registry = ConnectorRegistry()
        registry.register(type: "generator", factory: GeneratorConnector.make)
        registry.register(type: "file", factory: FileConnector.make)
        registry.register(type: "http_json", factory: HTTPSourceTypes.httpJSON)
        registry.register(type: "noaa_weather", factory: HTTPSourceTypes.noaaWeather)
        registry.register(type: "nasa_firms", factory: HTTPSourceTypes.nasaFIRMS)
        registry.register(type: "iot_sensor", factory: HTTPSourceTypes.iotSensor)
        return registry
    }()

    public func register(type: String, schema: ConnectorSchema? = nil, factory: @escaping ConnectorFactory) {
        if let schema { schemas.register(type: type, schema: schema) }
        factories.withLock { $0[type] = factory }
    }

    public var registeredTypes: [String] { factories.withLock { $0.keys.sorted() } }

    /// The connector for `source`, its `${NAME}` references resolved from the variables `access`
    /// lets sources read (a reference to any other is refused, naming the setting to change).
    public func makeConnector(sourceID: String, source: SourceConfig,
                              environment: [String: String] = ProcessInfo.processInfo.environment,
                              access: SourceAccessPolicy = SourceAccessPolicy()) throws -> any SourceConnector {
        guard let factory = factories.withLock({ $0[source.sourceType] }) else {
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
        return try factory(ConnectorContext(sourceID: sourceID, source: source.clampedToBounds(), settings: settings, access: access,
                                            secrets: SourceSecrets.values(in: source.connector, environment: visible)))
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

extension GeneratorConnector {
    static func make(_ context: ConnectorContext) throws -> any SourceConnector {
        let s = context.settings
        let settings = GeneratorSettings(
            ratePerSecond: s["rate_per_second"]?.doubleValue ?? 1,
            totalRecords: s["total_records"]?.intValue ?? 0,
            payloadBytes: s["payload_bytes"]?.intValue ?? 200,
            keyCardinality: s["key_cardinality"]?.intValue ?? 16)
        return GeneratorConnector(sourceID: context.sourceID, settings: settings)
    }
}
