import Pipeline
import StreamConfig

extension GeneratorSourceType: SourceType {
    public func makeConnector(_ settings: GeneratorSettings, context: ConnectorContext) -> any SourceConnector {
        GeneratorConnector(sourceID: context.sourceID, settings: settings)
    }
}
