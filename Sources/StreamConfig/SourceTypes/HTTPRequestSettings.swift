/// The settings every HTTP-based source type accepts besides its own: `url`, `headers`,
/// `user_agent`.
public struct HTTPRequestSettings: Sendable {
    /// `url`: the full URL; the presets build one from their other settings when it is absent.
    public var url: String?
    /// `headers`, sorted by name (values that are not strings are left out).
    public var headers: [(String, String)]
    /// `user_agent`; nil = the type's default.
    public var userAgent: String?

    public init(url: String? = nil, headers: [(String, String)] = [], userAgent: String? = nil) {
        self.url = url
        self.headers = headers
        self.userAgent = userAgent
    }

    /// From a `connector:` block, `${ENV}` already resolved.
    public init(_ s: ConfigObject) {
        self.init(url: s["url"]?.stringValue,
                  headers: (s["headers"]?.objectValue ?? [:]).sorted { $0.key < $1.key }
                      .compactMap { k, v in v.stringValue.map { (k, $0) } },
                  userAgent: s["user_agent"]?.stringValue)
    }

    /// The schema entries of these settings, merged into each HTTP type's own.
    static let schema: [String: SettingSpec] = [
        "url": SettingSpec(.string, "full URL; for presets it replaces the URL built from the other settings", reads: .url),
        "headers": SettingSpec(.stringMap, "extra request headers; use ${ENV} for keys and tokens"),
        "user_agent": SettingSpec(.string, "User-Agent header"),
    ]

    /// `schema` plus a type's own settings.
    static func schema(adding own: [String: SettingSpec]) -> [String: SettingSpec] {
        schema.merging(own) { a, _ in a }
    }

    /// URL scheme and literal-secret checks shared by the HTTP types.
    static func checks(_ settings: ConfigObject) -> [ConnectorIssue] {
        var issues: [ConnectorIssue] = []
        if let url = settings["url"]?.stringValue, !url.hasPrefix("${") {
            let lower = url.lowercased()
            if !(lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("file://")) {
                issues.append(.error("expected an http://, https:// or file:// URL", key: "url"))
            } else if url.contains(where: { $0 == " " || $0 == "\t" }) {
                issues.append(.error("a URL cannot contain spaces (encode them as %20)", key: "url"))
            }
        }
        if let headers = settings["headers"]?.objectValue {
            for (name, value) in headers {
                guard let text = value.stringValue else { continue }
                if SecretMasker.isSecretKeyName(name), !text.isEmpty, !EnvReference.containsReference(text) {
                    issues.append(.warning("header '\(name)' looks like a literal secret; reference the environment instead, e.g. ${API_KEY}", key: "headers.\(name)"))
                }
            }
        }
        return issues
    }
}
