/// `file`: JSON-lines or CSV files, a one-shot batch or tailing.
public struct FileSourceType: SourceTypeSpec {
    public let name = "file"
    /// A followed file has new lines for the same cursor at any moment.
    public let fetchesMayBeCached = false

    public let schema = ConnectorSchema(
        summary: "JSON-lines or CSV files: a one-shot batch or tailing",
        settings: [
            "path": SettingSpec(.string, "file path or glob", reads: .filePath),
            "format": SettingSpec(.string, "file format", allowedValues: ["jsonl", "csv"]),
            "follow": SettingSpec(.boolean, "keep reading lines appended later"),
        ],
        required: ["path"],
        check: { settings in
            if let path = settings["path"]?.stringValue, path.isEmpty {
                return [.error("must not be empty", key: "path")]
            }
            return []
        })

    public init() {}

    public func settings(from s: ConfigObject) throws(SourceSettingsError) -> FileSourceSettings {
        guard let path = s["path"]?.stringValue, !path.isEmpty else {
            throw SourceSettingsError("file: 'path' is required")
        }
        return FileSourceSettings(path: path, format: s["format"]?.stringValue.flatMap(FileSourceSettings.Format.init(rawValue:)),
                                  follow: s["follow"]?.boolValue ?? false)
    }
}

/// The `file` type's settings: JSON-lines or CSV files from a path or glob. One-shot
/// (`follow: false`) reads every file once; `follow: true` keeps reading lines appended later
/// and files that appear later (names after the current one).
public struct FileSourceSettings: Sendable, Equatable {
    public enum Format: String, Sendable { case jsonl, csv }
    public var path: String
    /// nil: by extension (`.csv` is CSV, anything else JSON lines).
    public var format: Format?
    public var follow: Bool

    public init(path: String, format: Format? = nil, follow: Bool = false) {
        self.path = path
        self.format = format
        self.follow = follow
    }
}
