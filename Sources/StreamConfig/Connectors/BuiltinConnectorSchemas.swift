/// The `connector:` settings of the built-in source types. The names are a contract
/// (issue 5, "Setting names"); a type that gains a setting adds it here, to
/// `config/stream_config.example.yaml` and to `docs/configuration.md` in the same change.
enum BuiltinConnectorSchemas {
    static var all: [String: ConnectorSchema] {
        [
            "http_json": httpJSON,
            "noaa_weather": noaaWeather,
            "nasa_firms": nasaFIRMS,
            "iot_sensor": iotSensor,
            "file": file,
            "generator": generator,
        ]
    }

    /// Settings every HTTP-based type accepts.
    static let http: [String: SettingSpec] = [
        "url": SettingSpec(.string, "full URL; for presets it replaces the URL built from the other settings", reads: .url),
        "headers": SettingSpec(.stringMap, "extra request headers; use ${ENV} for keys and tokens"),
        "user_agent": SettingSpec(.string, "User-Agent header"),
    ]

    static let httpJSON = ConnectorSchema(
        summary: "any JSON or CSV HTTP API",
        settings: http.merging([
            "method": SettingSpec(.string, "HTTP method", allowedValues: ["GET", "POST"]),
            "body": SettingSpec(.any, "request body for POST: text, or JSON written as YAML"),
            "format": SettingSpec(.string, "response format", allowedValues: ["json", "csv"]),
            "records_path": SettingSpec(.string, "where the records are: `features`, `data.items`, `$` for the whole body"),
            "key_path": SettingSpec(.string, "record field used as the Kafka key"),
            "timestamp_path": SettingSpec(.string, "record field holding the event time"),
            "next_url_path": SettingSpec(.string, "response field with the next page's URL"),
            "cursor_field": SettingSpec(.string, "record field for incremental polling"),
        ]) { a, _ in a },
        required: ["url"],
        check: { settings in
            var issues = commonHTTPChecks(settings)
            if settings["body"] != nil, settings["method"]?.stringValue != "POST" {
                issues.append(.warning("'body' is only sent with method: POST", key: "body"))
            }
            return issues
        })

    static let noaaWeather = ConnectorSchema(
        summary: "NWS API (api.weather.gov): active alerts or station observations",
        settings: http.merging([
            "kind": SettingSpec(.string, "what to fetch (default alerts)", allowedValues: ["alerts", "observations"]),
            "area": SettingSpec(.string, "alerts: state or marine area code(s), e.g. CA"),
            "station": SettingSpec(.string, "observations: station id, e.g. KOAK"),
        ]) { a, _ in a },
        check: { settings in
            var issues = commonHTTPChecks(settings)
            let kind = settings["kind"]?.stringValue ?? "alerts"
            let hasURL = settings["url"] != nil
            if kind == "observations", settings["station"] == nil, !hasURL {
                issues.append(.error("kind: observations needs 'station' (or a full 'url')", key: nil))
            }
            if kind == "observations", settings["area"] != nil {
                issues.append(.warning("'area' is not used with kind: observations", key: "area"))
            }
            if kind == "alerts", settings["station"] != nil {
                issues.append(.warning("'station' is not used with kind: alerts", key: "station"))
            }
            if let area = settings["area"]?.stringValue, !EnvReference.containsReference(area) {
                let codes = area.split(separator: ",", omittingEmptySubsequences: false)
                if codes.isEmpty || !codes.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isUppercase } }) {
                    issues.append(.error("expected two-letter upper-case area codes such as CA (comma-separated for several)", key: "area"))
                }
            }
            if let station = settings["station"]?.stringValue,
               station.isEmpty || !station.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
                issues.append(.error("expected a station id of letters and digits, such as KOAK", key: "station"))
            }
            return issues
        })

    /// FIRMS products known when this was written; others draw a warning, not an error,
    /// because FIRMS adds products.
    static let firmsProducts = ["VIIRS_NOAA20_NRT", "VIIRS_NOAA21_NRT", "VIIRS_SNPP_NRT", "VIIRS_SNPP_SP",
                                "VIIRS_NOAA20_SP", "MODIS_NRT", "MODIS_SP", "LANDSAT_NRT"]

    static let nasaFIRMS = ConnectorSchema(
        summary: "NASA FIRMS area API (CSV fire detections)",
        settings: http.merging([
            "map_key": SettingSpec(.string, "FIRMS MAP_KEY; use ${FIRMS_MAP_KEY}", secret: true),
            "product": SettingSpec(.string, "FIRMS source, e.g. VIIRS_NOAA20_NRT"),
            "area": SettingSpec(.string, "`west,south,east,north` in degrees, or `world`"),
            "day_range": SettingSpec(.integer, "days of data per request", bound: SettingBounds.firmsDayRange),
        ]) { a, _ in a },
        check: { settings in
            var issues = commonHTTPChecks(settings)
            if settings["map_key"] == nil, settings["url"] == nil {
                issues.append(.error("missing required setting 'map_key' (or a full 'url')", key: nil))
            }
            if let product = settings["product"]?.stringValue, !firmsProducts.contains(product) {
                let hint = KeySuggestion.hint(for: product, in: firmsProducts)
                issues.append(.warning("'\(product)' is not a FIRMS product known to this version\(hint)", key: "product"))
            }
            if let area = settings["area"]?.stringValue, area != "world", let problem = boundingBoxProblem(area) {
                issues.append(.error(problem, key: "area"))
            }
            return issues
        })

    static let iotSensor = ConnectorSchema(
        summary: "sensor-network APIs: arrays of readings or columnar fields/data (PurpleAir style)",
        settings: http.merging([
            "records_path": SettingSpec(.string, "where the reading objects are"),
            "key_field": SettingSpec(.string, "field used as the Kafka key (default sensor_index)"),
            "fields_path": SettingSpec(.string, "columnar shape: where the column names are"),
            "data_path": SettingSpec(.string, "columnar shape: where the rows are"),
        ]) { a, _ in a },
        required: ["url"],
        check: { settings in
            var issues = commonHTTPChecks(settings)
            if (settings["fields_path"] == nil) != (settings["data_path"] == nil) {
                let present = settings["fields_path"] != nil ? "fields_path" : "data_path"
                issues.append(.error("'fields_path' and 'data_path' go together (the columnar shape)", key: present))
            }
            return issues
        })

    static let file = ConnectorSchema(
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

    static let generator = ConnectorSchema(
        summary: "synthetic records for demos, benchmarks and tests",
        settings: [
            "rate_per_second": SettingSpec(.number, "records per second; 0 = as fast as possible",
                                           bound: SettingBounds.Generator.ratePerSecond),
            "total_records": SettingSpec(.integer, "stop after this many; 0 = endless", bound: SettingBounds.Generator.totalRecords),
            "payload_bytes": SettingSpec(.integer, "size of each value in bytes", bound: SettingBounds.Generator.payloadBytes),
            "key_cardinality": SettingSpec(.integer, "number of distinct keys", bound: SettingBounds.Generator.keyCardinality),
        ])

    /// URL scheme and literal-secret checks shared by the HTTP types.
    static func commonHTTPChecks(_ settings: ConfigObject) -> [ConnectorIssue] {
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

    /// nil when `area` is `west,south,east,north` within the globe, west < east, south < north.
    static func boundingBoxProblem(_ area: String) -> String? {
        let parts = area.split(separator: ",", omittingEmptySubsequences: false)
            .map { Double($0.trimming(" ")) }
        guard parts.count == 4, let w = parts[0], let s = parts[1], let e = parts[2], let n = parts[3] else {
            return "expected `west,south,east,north` in degrees or `world`"
        }
        if !(-180...180).contains(w) || !(-180...180).contains(e) { return "longitudes must be within -180...180" }
        if !(-90...90).contains(s) || !(-90...90).contains(n) { return "latitudes must be within -90...90" }
        if w >= e || s >= n { return "expected west < east and south < north" }
        return nil
    }
}
