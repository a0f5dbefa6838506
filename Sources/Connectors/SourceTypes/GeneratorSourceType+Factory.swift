import Pipeline
import StreamConfig

extension GeneratorSourceType: SourceType {
    public func makeConnector(_ settings: GeneratorSettings, context: ConnectorContext) -> any SourceConnector {
        GeneratorConnector(sourceID: context.sourceID, settings: settings)
    }

    public func storedCursor(json value: Any) throws(CursorShapeError) -> String {
        try GeneratorCursor.stored(json: value)
    }
}
