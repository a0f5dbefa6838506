import StreamConfig

extension ConfigVersion {
    /// `[{"config_version", "offset", "timestamp", "applied_by", "git_commit", "config_hash",
    /// "change", "config", "error"}]`, oldest first; `config` is the canonical JSON object.
    public static func json(_ versions: [ConfigVersion]) -> String {
        func quoted(_ s: String?) -> String { s.map(CanonicalJSON.quoted) ?? "null" }
        var previous: ConfigVersion?
        var items: [String] = []
        for v in versions {
            let fields = [
                "\"applied_by\":\(quoted(v.appliedBy))", "\"change\":\(quoted(v.change(from: previous)))",
                "\"config\":\(v.config?.canonicalJSON ?? "null")", "\"config_hash\":\(quoted(v.configHash))",
                "\"config_version\":\(quoted(v.configVersion))", "\"error\":\(quoted(v.error))",
                "\"git_commit\":\(quoted(v.gitCommit))", "\"offset\":\(v.offset)", "\"timestamp\":\(quoted(v.timestamp))",
            ]
            items.append("{" + fields.joined(separator: ",") + "}")
            previous = v.value == nil ? nil : v
        }
        return "[" + items.joined(separator: ",") + "]"
    }
}
