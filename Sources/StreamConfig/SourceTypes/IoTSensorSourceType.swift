/// `iot_sensor`: sensor-network APIs, arrays of readings or columnar fields/data (PurpleAir style).
public struct IoTSensorSourceType: SourceTypeSpec {
    public let name = "iot_sensor"
    /// An API's answer to the same request is the same within the cache TTL.
    public let fetchesMayBeCached = true

    public let schema = ConnectorSchema(
        summary: "sensor-network APIs: arrays of readings or columnar fields/data (PurpleAir style)",
        settings: HTTPRequestSettings.schema(adding: [
            "records_path": SettingSpec(.string, "where the reading objects are"),
            "key_field": SettingSpec(.string, "field used as the Kafka key (default \(IoTSensorSettings.defaultKeyField))"),
            "fields_path": SettingSpec(.string, "columnar shape: where the column names are"),
            "data_path": SettingSpec(.string, "columnar shape: where the rows are"),
        ]),
        required: ["url"],
        check: { settings in
            var issues = HTTPRequestSettings.checks(settings)
            if (settings["fields_path"] == nil) != (settings["data_path"] == nil) {
                let present = settings["fields_path"] != nil ? "fields_path" : "data_path"
                issues.append(.error("'fields_path' and 'data_path' go together (the columnar shape)", key: present))
            }
            return issues
        })

    public init() {}

    public func settings(from s: ConfigObject) throws(SourceSettingsError) -> IoTSensorSettings {
        let http = HTTPRequestSettings(s)
        guard let url = http.url, !url.isEmpty else { throw SourceSettingsError("iot_sensor: 'url' is required") }
        return IoTSensorSettings(http: http, url: url, recordsPath: s["records_path"]?.stringValue,
                                 keyField: s["key_field"]?.stringValue ?? IoTSensorSettings.defaultKeyField,
                                 fieldsPath: s["fields_path"]?.stringValue, dataPath: s["data_path"]?.stringValue)
    }
}

/// The `iot_sensor` type's settings.
public struct IoTSensorSettings: Sendable {
    public static let defaultKeyField = "sensor_index"

    public var http: HTTPRequestSettings
    /// The required `url` (`http.url`, checked).
    public var url: String
    public var recordsPath: String?
    public var keyField: String
    public var fieldsPath: String?
    public var dataPath: String?

    public init(http: HTTPRequestSettings, url: String, recordsPath: String? = nil,
                keyField: String = IoTSensorSettings.defaultKeyField, fieldsPath: String? = nil, dataPath: String? = nil) {
        self.http = http
        self.url = url
        self.recordsPath = recordsPath
        self.keyField = keyField
        self.fieldsPath = fieldsPath
        self.dataPath = dataPath
    }
}
