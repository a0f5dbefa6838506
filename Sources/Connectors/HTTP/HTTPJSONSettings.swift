import StreamConfig

/// `http_json` settings (names fixed by the connectors issue). The presets (`noaa_weather`,
/// `iot_sensor`, ...) build one of these too.
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

    /// From a source's `connector:` settings, `${ENV}` already resolved.
    public init(_ s: ConfigObject) throws {
        guard let url = s["url"]?.stringValue, !url.isEmpty else {
            throw ConnectorRegistryError.invalidSettings("'url' is required")
        }
        self.init(url: url)
        method = s["method"]?.stringValue ?? "GET"
        if let body = s["body"] {
            // Text is sent as written; YAML structure is sent as JSON.
            self.body = Array((body.stringValue ?? CanonicalJSON.encode(body)).utf8)
        }
        headers = (s["headers"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.compactMap { k, v in v.stringValue.map { (k, $0) } }
        userAgent = s["user_agent"]?.stringValue
        format = s["format"]?.stringValue.flatMap(Format.init(rawValue:)) ?? .json
        recordsPath = s["records_path"]?.stringValue
        keyPath = s["key_path"]?.stringValue
        timestampPath = s["timestamp_path"]?.stringValue
        nextURLPath = s["next_url_path"]?.stringValue
        cursorField = s["cursor_field"]?.stringValue
    }
}
