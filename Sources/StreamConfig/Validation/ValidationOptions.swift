/// How strict loading and validation are.
public struct ValidationOptions: Sendable {
    /// `.error` for `validate` and `apply`; `.warning` for the running operator.
    public var unknownKeys: UnknownKeyPolicy
    /// When set, `${NAME}` references without a default whose variable is missing here are
    /// reported as warnings (CI validates without the operator's secrets). nil: not checked.
    public var environment: [String: String]?
    /// Schemas of the `connector:` settings per source type.
    public var registry: ConnectorSchemaRegistry

    public init(unknownKeys: UnknownKeyPolicy = .error,
                environment: [String: String]? = nil,
                registry: ConnectorSchemaRegistry = .shared) {
        self.unknownKeys = unknownKeys
        self.environment = environment
        self.registry = registry
    }

    /// `validate` and `apply`: unknown keys are errors.
    public static var strict: ValidationOptions { ValidationOptions(unknownKeys: .error) }

    /// The running operator: unknown keys are warnings (forward compatibility).
    public static var lenient: ValidationOptions { ValidationOptions(unknownKeys: .warning) }
}
