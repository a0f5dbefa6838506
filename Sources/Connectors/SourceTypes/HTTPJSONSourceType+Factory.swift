import Pipeline
import StreamConfig

extension HTTPJSONSourceType: SourceType {
    public func makeConnector(_ settings: HTTPJSONSettings, context: ConnectorContext) throws -> any SourceConnector {
        var request = try HTTPSourceConnector.Request(
            context, url: settings.url, headers: settings.headers, userAgent: settings.userAgent,
            accept: settings.format == .csv ? "text/csv" : "application/json")
        request.method = settings.method
        request.body = settings.body
        return HTTPSourceConnector(request: request, interpreter: HTTPJSONInterpreter(settings: settings),
                                   secrets: context.secrets, access: context.access)
    }

    public func storedCursor(json value: Any) throws(CursorShapeError) -> String {
        try HTTPJSONCursor(json: value).text
    }
}
