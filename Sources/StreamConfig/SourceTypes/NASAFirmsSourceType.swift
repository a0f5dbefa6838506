/// `nasa_firms`: the NASA FIRMS area API (CSV fire detections).
public struct NASAFirmsSourceType: SourceTypeSpec {
    public let name = "nasa_firms"
    /// An API's answer to the same request is the same within the cache TTL.
    public let fetchesMayBeCached = true
    public let defaultAPIHost: String? = "firms.modaps.eosdis.nasa.gov"

    /// FIRMS products known when this was written; others draw a warning, not an error,
    /// because FIRMS adds products.
    static let products = ["VIIRS_NOAA20_NRT", "VIIRS_NOAA21_NRT", "VIIRS_SNPP_NRT", "VIIRS_SNPP_SP",
                           "VIIRS_NOAA20_SP", "MODIS_NRT", "MODIS_SP", "LANDSAT_NRT"]

    public let schema = ConnectorSchema(
        summary: "NASA FIRMS area API (CSV fire detections)",
        settings: HTTPRequestSettings.schema(adding: [
            "map_key": SettingSpec(.string, "FIRMS MAP_KEY; use ${FIRMS_MAP_KEY}", secret: true),
            "product": SettingSpec(.string, "FIRMS source, e.g. VIIRS_NOAA20_NRT"),
            "area": SettingSpec(.string, "`west,south,east,north` in degrees, or `world`"),
            "day_range": SettingSpec(.integer, "days of data per request", bound: SettingBounds.firmsDayRange),
        ]),
        check: { settings in
            var issues = HTTPRequestSettings.checks(settings)
            if settings["map_key"] == nil, settings["url"] == nil {
                issues.append(.error("missing required setting 'map_key' (or a full 'url')", key: nil))
            }
            if let product = settings["product"]?.stringValue, !NASAFirmsSourceType.products.contains(product) {
                let hint = KeySuggestion.hint(for: product, in: NASAFirmsSourceType.products)
                issues.append(.warning("'\(product)' is not a FIRMS product known to this version\(hint)", key: "product"))
            }
            if let area = settings["area"]?.stringValue, area != NASAFirmsSettings.wholeWorld,
               let problem = NASAFirmsSourceType.boundingBoxProblem(area) {
                issues.append(.error(problem, key: "area"))
            }
            return issues
        })

    public init() {}

    public func settings(from s: ConfigObject) throws(SourceSettingsError) -> NASAFirmsSettings {
        let mapKey = s["map_key"]?.stringValue ?? ""
        guard s["url"] != nil || !mapKey.isEmpty else {
            throw SourceSettingsError("nasa_firms: 'map_key' is required (use ${FIRMS_MAP_KEY})")
        }
        var settings = NASAFirmsSettings(http: HTTPRequestSettings(s), mapKey: mapKey, dayRange: s["day_range"]?.intValue)
        if let product = s["product"]?.stringValue { settings.product = product }
        if let area = s["area"]?.stringValue { settings.area = area }
        return settings
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

/// The `nasa_firms` type's settings.
public struct NASAFirmsSettings: Sendable {
    /// The `area` that asks for every detection on the globe.
    public static let wholeWorld = "world"
    /// The day range of a request URL built from these settings when `day_range` is not set.
    public static let defaultDayRange = 1

    public var http: HTTPRequestSettings
    /// The FIRMS MAP_KEY; empty when a full `url` is given instead.
    public var mapKey: String
    public var product: String
    /// `west,south,east,north` in degrees, or `wholeWorld`.
    public var area: String
    /// `day_range` as written; nil = not set.
    public var dayRange: Int?

    public init(http: HTTPRequestSettings = HTTPRequestSettings(), mapKey: String = "", product: String = "VIIRS_NOAA20_NRT",
                area: String = NASAFirmsSettings.wholeWorld, dayRange: Int? = nil) {
        self.http = http
        self.mapKey = mapKey
        self.product = product
        self.area = area
        self.dayRange = dayRange
    }
}
