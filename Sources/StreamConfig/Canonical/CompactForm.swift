/// The source in as few bytes as it is said: the canonical form without the settings that have
/// their default value. It parses back to the same `SourceConfig` (the defaults fill in again), so
/// it has the same canonical hash; it is what the offsets topic stores beside every cursor (one
/// record per second per busy source), where the full canonical form would be four times longer.
extension SourceConfig {
    public var compactJSON: String {
        var compact = Self.withoutDefaults(canonicalValue, defaults: SourceConfig(sourceType: sourceType).canonicalValue)
        if case .object(var object) = compact {  // the one setting without a default
            object["source_type"] = .string(sourceType)
            compact = .object(object)
        }
        return CanonicalJSON.encode(compact)
    }

    /// `value` with every entry equal to the same entry of `defaults` left out, mappings
    /// compared key by key; a mapping left empty goes too.
    static func withoutDefaults(_ value: ConfigValue, defaults: ConfigValue) -> ConfigValue {
        guard case .object(let object) = value, case .object(let base) = defaults else { return value }
        var out = ConfigObject()
        for (key, item) in object.entries {
            guard let standard = base[key] else {
                out[key] = item
                continue
            }
            if item == standard { continue }
            let reduced = withoutDefaults(item, defaults: standard)
            if case .object(let inner) = reduced, inner.isEmpty, case .object = standard { continue }
            out[key] = reduced
        }
        return .object(out)
    }
}
