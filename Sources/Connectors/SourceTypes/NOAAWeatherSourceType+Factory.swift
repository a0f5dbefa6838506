import Pipeline
import StreamConfig

extension NOAAWeatherSourceType: SourceType {
    public func makeConnector(_ settings: NOAAWeatherSettings, context: ConnectorContext) throws -> any SourceConnector {
        let url = settings.http.url ?? NOAAWeather.url(kind: settings.kind, area: settings.area, station: settings.station)
        // NWS refuses requests without a User-Agent naming the application.
        let request = try HTTPSourceConnector.Request(
            context, url: url, headers: settings.http.headers, userAgent: settings.http.userAgent,
            accept: "application/geo+json", defaultUserAgent: NOAAWeather.defaultUserAgent)
        let interpreter: any ResponseInterpreter = switch settings.kind {
        case .observations: NOAAObservationsInterpreter()
        case .alerts: NOAAAlertsInterpreter()
        }
        return HTTPSourceConnector(request: request, interpreter: interpreter, secrets: context.secrets, access: context.access)
    }

    public func storedCursor(json value: Any) throws(CursorShapeError) -> String {
        try HTTPJSONCursor(json: value).text
    }
}
