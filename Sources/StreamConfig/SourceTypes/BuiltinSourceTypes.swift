/// The source types this package ships, in one list: validation and the runtime both read it
/// (through `SourceTypeRegistry`). Setting names are a contract: a type that gains a setting
/// adds it to its schema, to `config/stream_config.example.yaml` and to `docs/configuration.md`
/// in the same change.
public enum BuiltinSourceTypes {
    public static let all: [any SourceTypeSpec] = [
        GeneratorSourceType(),
        FileSourceType(),
        HTTPJSONSourceType(),
        NOAAWeatherSourceType(),
        NASAFirmsSourceType(),
        IoTSensorSourceType(),
    ]
}
