/// `noaa_weather`: the NWS API (api.weather.gov), active alerts or station observations.
public struct NOAAWeatherSourceType: SourceTypeSpec {
    public let name = "noaa_weather"
    /// An API's answer to the same request is the same within the cache TTL.
    public let fetchesMayBeCached = true
    public let defaultAPIHost: String? = "api.weather.gov"

    public let schema = ConnectorSchema(
        summary: "NWS API (api.weather.gov): active alerts or station observations",
        settings: HTTPRequestSettings.schema(adding: [
            "kind": SettingSpec(.string, "what to fetch (default alerts)", allowedValues: NOAAWeatherSettings.Kind.allCases.map(\.rawValue)),
            "area": SettingSpec(.string, "alerts: state or marine area code(s), e.g. CA"),
            "station": SettingSpec(.string, "observations: station id, e.g. KOAK"),
        ]),
        check: { settings in
            var issues = HTTPRequestSettings.checks(settings)
            let kind = settings["kind"]?.stringValue ?? NOAAWeatherSettings.Kind.alerts.rawValue
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

    public init() {}

    public func settings(from s: ConfigObject) -> NOAAWeatherSettings {
        NOAAWeatherSettings(http: HTTPRequestSettings(s),
                            kind: s["kind"]?.stringValue == NOAAWeatherSettings.Kind.observations.rawValue ? .observations : .alerts,
                            area: s["area"]?.stringValue, station: s["station"]?.stringValue)
    }
}

/// The `noaa_weather` type's settings.
public struct NOAAWeatherSettings: Sendable {
    /// What to fetch; anything but `observations` reads alerts (validation refuses other words).
    public enum Kind: String, Sendable, CaseIterable { case alerts, observations }

    public var http: HTTPRequestSettings
    public var kind: Kind
    /// Alerts: state or marine area code(s); nil = every active alert.
    public var area: String?
    /// Observations: the station id.
    public var station: String?

    public init(http: HTTPRequestSettings = HTTPRequestSettings(), kind: Kind = .alerts, area: String? = nil, station: String? = nil) {
        self.http = http
        self.kind = kind
        self.area = area
        self.station = station
    }
}
