import Foundation
import HTTPTransport
import Pipeline
import StreamConfig

/// Factories of the HTTP source types, from a source's `connector:` settings.
enum HTTPSourceTypes {
    static func httpJSON(_ context: ConnectorContext) throws -> any SourceConnector {
        let settings = try HTTPJSONSettings(context.settings)
        var request = try base(context, url: settings.url, accept: settings.format == .csv ? "text/csv" : "application/json")
        request.method = settings.method
        request.body = settings.body
        return HTTPSourceConnector(request: request, interpreter: HTTPJSONInterpreter(settings: settings),
                                   secrets: context.secrets, access: context.access)
    }

    static func noaaWeather(_ context: ConnectorContext) throws -> any SourceConnector {
        let s = context.settings
        let kind = s["kind"]?.stringValue ?? "alerts"
        let url = s["url"]?.stringValue ?? NOAAWeather.url(kind: kind, area: s["area"]?.stringValue, station: s["station"]?.stringValue)
        // NWS refuses requests without a User-Agent naming the application.
        let request = try base(context, url: url, accept: "application/geo+json", defaultUserAgent: NOAAWeather.defaultUserAgent)
        let interpreter: any ResponseInterpreter = kind == "observations" ? NOAAObservationsInterpreter() : NOAAAlertsInterpreter()
        return HTTPSourceConnector(request: request, interpreter: interpreter, secrets: context.secrets, access: context.access)
    }

    static func nasaFIRMS(_ context: ConnectorContext) throws -> any SourceConnector {
        let s = context.settings
        let mapKey = s["map_key"]?.stringValue ?? ""
        guard s["url"] != nil || !mapKey.isEmpty else {
            throw ConnectorRegistryError.invalidSettings("nasa_firms: 'map_key' is required (use ${FIRMS_MAP_KEY})")
        }
        let url = s["url"]?.stringValue ?? NASAFirms.url(mapKey: mapKey, product: s["product"]?.stringValue ?? "VIIRS_NOAA20_NRT",
                                                          area: s["area"]?.stringValue ?? "world",
                                                          dayRange: s["day_range"]?.intValue ?? 1)
        let request = try base(context, url: url, accept: "text/csv")
        let days = NASAFirms.dayRange(setting: s["day_range"]?.intValue, url: s["url"]?.stringValue)
        return HTTPSourceConnector(request: request, interpreter: NASAFirmsInterpreter(dayRange: days),
                                   secrets: context.secrets + [mapKey], access: context.access)
    }

    static func iotSensor(_ context: ConnectorContext) throws -> any SourceConnector {
        let s = context.settings
        guard let url = s["url"]?.stringValue, !url.isEmpty else {
            throw ConnectorRegistryError.invalidSettings("iot_sensor: 'url' is required")
        }
        let interpreter = IoTSensorInterpreter(recordsPath: s["records_path"]?.stringValue,
                                               keyField: s["key_field"]?.stringValue ?? "sensor_index",
                                               fieldsPath: s["fields_path"]?.stringValue, dataPath: s["data_path"]?.stringValue)
        return HTTPSourceConnector(request: try base(context, url: url, accept: "application/json"), interpreter: interpreter,
                                   secrets: context.secrets, access: context.access)
    }

    /// URL, headers (`headers`, `user_agent`, Accept) and the source's `timeout_seconds`. A URL
    /// outside `manager.source_access` fails here, before any poll (built from the environment,
    /// it could not be checked when the source was accepted).
    private static func base(_ context: ConnectorContext, url: String, accept: String,
                             defaultUserAgent: String = "stream-manager") throws -> HTTPSourceConnector.Request {
        if let target = RequestTarget(parsing: url), let refusal = context.access.targetCheck(target) {
            throw ConnectorRegistryError.access(Redaction(secrets: context.secrets).text(refusal))
        }
        let s = context.settings
        var headers = (s["headers"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.compactMap { k, v in v.stringValue.map { (k, $0) } }
        if !headers.contains(where: { $0.0.lowercased() == "accept" }) { headers.append(("Accept", accept)) }
        if !headers.contains(where: { $0.0.lowercased() == "user-agent" }) {
            headers.append(("User-Agent", s["user_agent"]?.stringValue ?? defaultUserAgent))
        }
        let timeout = context.source.timeoutSeconds > 0 ? context.source.timeoutSeconds : 30
        return HTTPSourceConnector.Request(url: url, headers: headers, timeout: Saturating.duration(seconds: timeout))
    }
}
