/// A source type as the config sees it: the schema validation holds its `connector:`
/// settings to, their decoding into a typed value with the defaults written once, and whether
/// its fetches may be answered from the response cache.
///
/// This is the half of a source type's descriptor that needs no runtime, so validation (the
/// CLI's `validate`, `ConfigLoader`) knows every built-in type without anything being
/// registered first. The `Connectors` module adds the other half, the factory, by conforming
/// the same value to its `SourceType` protocol; both read `SourceTypeRegistry`, which starts
/// with `BuiltinSourceTypes.all` (docs/architecture.md).
public protocol SourceTypeSpec: Sendable {
    /// The settings the connector is built from, defaults applied.
    associatedtype Settings: Sendable

    /// The `source_type` word (`generator`, `http_json`, ...).
    var name: String { get }
    /// What validation checks in the `connector:` block.
    var schema: ConnectorSchema { get }
    /// Whether a repeated fetch within `cache_ttl_seconds` may be answered from the response
    /// cache: only for requests to an API, whose answer a repeat would not change; a file tail
    /// or a generator has new data for the same cursor at any moment.
    var fetchesMayBeCached: Bool { get }

    /// The typed settings of a `connector:` block whose `${ENV}` references are resolved.
    /// Throws only for what no connector can run without (validation reports it earlier, with
    /// its position); anything else missing takes its default.
    func settings(from connector: ConfigObject) throws(SourceSettingsError) -> Settings

    /// The API host its requests go to when its settings give no `url` (a preset's fixed API),
    /// for the budgets that cover hosts; nil for types that make no HTTP requests.
    var defaultAPIHost: String? { get }
}

extension SourceTypeSpec {
    public var defaultAPIHost: String? { nil }
}

/// A `connector:` block no connector can be built from (a required setting is missing).
public struct SourceSettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
