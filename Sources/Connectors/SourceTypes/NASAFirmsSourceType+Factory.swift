import Pipeline
import StreamConfig

extension NASAFirmsSourceType: SourceType {
    public func makeConnector(_ settings: NASAFirmsSettings, context: ConnectorContext) throws -> any SourceConnector {
        let url = settings.http.url ?? NASAFirms.url(mapKey: settings.mapKey, product: settings.product, area: settings.area,
                                                     dayRange: settings.dayRange ?? NASAFirmsSettings.defaultDayRange)
        let request = try HTTPSourceConnector.Request(context, url: url, headers: settings.http.headers,
                                                      userAgent: settings.http.userAgent, accept: "text/csv")
        let days = NASAFirms.dayRange(setting: settings.dayRange, url: settings.http.url)
        return HTTPSourceConnector(request: request, interpreter: NASAFirmsInterpreter(dayRange: days),
                                   secrets: context.secrets + [settings.mapKey], access: context.access)
    }

    public func storedCursor(json value: Any) throws(CursorShapeError) -> String {
        try HTTPJSONCursor(json: value).text
    }
}
