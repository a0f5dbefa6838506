import Pipeline
import StreamConfig

extension FileSourceType: SourceType {
    public func makeConnector(_ settings: FileSourceSettings, context: ConnectorContext) throws -> any SourceConnector {
        if let refusal = context.access.globRefusal(settings.path, matches: FileGlob.matches(settings.path)) {
            throw ConnectorRegistryError.access(refusal)
        }
        return FileConnector(sourceID: context.sourceID, settings: settings, access: context.access)
    }

    public func storedCursor(json value: Any) throws(CursorShapeError) -> String {
        try FileCursor(json: value).text
    }
}
