import Pipeline
import StreamConfig

extension IoTSensorSourceType: SourceType {
    public func makeConnector(_ settings: IoTSensorSettings, context: ConnectorContext) throws -> any SourceConnector {
        let interpreter = IoTSensorInterpreter(recordsPath: settings.recordsPath, keyField: settings.keyField,
                                               fieldsPath: settings.fieldsPath, dataPath: settings.dataPath)
        let request = try HTTPSourceConnector.Request(context, url: settings.url, headers: settings.http.headers,
                                                      userAgent: settings.http.userAgent, accept: "application/json")
        return HTTPSourceConnector(request: request, interpreter: interpreter, secrets: context.secrets, access: context.access)
    }

    public func storedCursor(json value: Any) throws(CursorShapeError) -> String {
        try HTTPJSONCursor(json: value).text
    }
}
