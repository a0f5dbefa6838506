/// `http_json`: any JSON or CSV HTTP API.
public struct HTTPJSONSourceType: SourceTypeSpec {
    public let name = "http_json"
    /// An API's answer to the same request is the same within the cache TTL.
    public let fetchesMayBeCached = true

    public let schema = ConnectorSchema(
        summary: "any JSON or CSV HTTP API",
        settings: HTTPRequestSettings.schema(adding: [
            "method": SettingSpec(.string, "HTTP method", allowedValues: ["GET", "POST"]),
            "body": SettingSpec(.any, "request body for POST: text, or JSON written as YAML"),
            "format": SettingSpec(.string, "response format", allowedValues: ["json", "csv"]),
            "records_path": SettingSpec(.string, "where the records are: `features`, `data.items`, `$` for the whole body"),
            "key_path": SettingSpec(.string, "record field used as the Kafka key"),
            "timestamp_path": SettingSpec(.string, "record field holding the event time"),
            "next_url_path": SettingSpec(.string, "response field with the next page's URL"),
            "cursor_field": SettingSpec(.string, "record field for incremental polling"),
        ]),
        required: ["url"],
        check: { settings in
            var issues = HTTPRequestSettings.checks(settings)
            if settings["body"] != nil, settings["method"]?.stringValue != "POST" {
                issues.append(.warning("'body' is only sent with method: POST", key: "body"))
            }
            return issues
        })

    public init() {}

    public func settings(from s: ConfigObject) throws(SourceSettingsError) -> HTTPJSONSettings {
        let http = HTTPRequestSettings(s)
        guard let url = http.url, !url.isEmpty else { throw SourceSettingsError("'url' is required") }
        var settings = HTTPJSONSettings(url: url)
        settings.method = s["method"]?.stringValue ?? settings.method
        if let body = s["body"] {
            // Text is sent as written; YAML structure is sent as JSON.
            settings.body = Array((body.stringValue ?? CanonicalJSON.encode(body)).utf8)
        }
        settings.headers = http.headers
        settings.userAgent = http.userAgent
        settings.format = s["format"]?.stringValue.flatMap(HTTPJSONSettings.Format.init(rawValue:)) ?? settings.format
        settings.recordsPath = s["records_path"]?.stringValue
        settings.keyPath = s["key_path"]?.stringValue
        settings.timestampPath = s["timestamp_path"]?.stringValue
        settings.nextURLPath = s["next_url_path"]?.stringValue
        settings.cursorField = s["cursor_field"]?.stringValue
        return settings
    }
}

/// The `http_json` type's settings; a property's initial value is its default.
public struct HTTPJSONSettings: Sendable, Equatable {
    public enum Format: String, Sendable { case json, csv }
    public var url: String
    public var method: String = "GET"
    public var body: [UInt8]?
    public var headers: [(String, String)] = []
    public var userAgent: String?
    public var format: Format = .json
    public var recordsPath: String?
    public var keyPath: String?
    public var timestampPath: String?
    public var nextURLPath: String?
    public var cursorField: String?

    public init(url: String) { self.url = url }

    public static func == (a: Self, b: Self) -> Bool {
        a.url == b.url && a.method == b.method && a.body == b.body && a.headers.map { [$0.0, $0.1] } == b.headers.map { [$0.0, $0.1] }
            && a.userAgent == b.userAgent && a.format == b.format && a.recordsPath == b.recordsPath && a.keyPath == b.keyPath
            && a.timestampPath == b.timestampPath && a.nextURLPath == b.nextURLPath && a.cursorField == b.cursorField
    }
}
