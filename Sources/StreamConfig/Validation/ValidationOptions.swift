/// How strict loading and validation are.
public struct ValidationOptions: Sendable {
    /// `.error` for `validate` and `apply`; `.warning` for the running operator.
    public var unknownKeys: UnknownKeyPolicy
    /// When set, `${NAME}` references without a default whose variable is missing here are
    /// reported as warnings (CI validates without the operator's secrets). nil: not checked.
    public var environment: [String: String]?
    /// The source types, with the schemas of their `connector:` settings.
    public var registry: SourceTypeRegistry
    /// Whether sources are checked against `manager.source_access`, and how strictly.
    public var access: SourceAccessCheck

    public init(unknownKeys: UnknownKeyPolicy = .error,
                environment: [String: String]? = nil,
                registry: SourceTypeRegistry = .shared,
                access: SourceAccessCheck = .off) {
        self.unknownKeys = unknownKeys
        self.environment = environment
        self.registry = registry
        self.access = access
    }

    /// `validate` and `apply`: unknown keys are errors.
    public static var strict: ValidationOptions { ValidationOptions(unknownKeys: .error) }

    /// The running operator: unknown keys are warnings (forward compatibility).
    public static var lenient: ValidationOptions { ValidationOptions(unknownKeys: .warning) }

    /// The running operator's desired sources: lenient, and held to its `manager.source_access`.
    public static func `operator`(_ access: SourceAccessPolicy) -> ValidationOptions {
        ValidationOptions(unknownKeys: .warning, access: .enforce(access))
    }
}
