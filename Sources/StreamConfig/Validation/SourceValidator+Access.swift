extension SourceValidator {
    /// A source held to `manager.source_access` (`ValidationOptions.access`): every `${NAME}`
    /// its connector settings read, and every setting its type marks as a URL or a file path.
    /// Reported where each is written.
    static func access(_ s: SourceConfig, basePath base: String, _ r: Reporter) {
        let check = r.options.access
        guard let policy = check.policy else { return }
        let connectorPath = joinPath(base, "connector")
        func refuse(_ message: String, _ path: String) {
            r.report(check.severity, advised(message, check, policy), path, at: r.positions.valuePosition(path), involving: [])
        }
        forEachString(in: .object(s.connector), connectorPath) { text, path in
            // Malformed references are reported by the environment check.
            guard let references = try? EnvReference.references(in: text) else { return }
            var seen: Set<String> = []
            for reference in references where seen.insert(reference.name).inserted {
                if let refusal = policy.variableRefusal(reference.name) { refuse(refusal, path) }
            }
        }
        guard !r.positions.isInvalid(joinPath(base, "source_type")),
              let schema = r.options.registry.schema(for: s.sourceType) else { return }
        for key in schema.settings.keys.sorted() {
            guard let reads = schema.settings[key]?.reads, let text = s.connector[key]?.stringValue else { continue }
            let path = joinPath(connectorPath, key)
            switch reads {
            case .url:
                if let refusal = policy.urlRefusal(text) { refuse(refusal, path) }
            case .filePath:
                // A path built from the environment is checked when it is read.
                guard !EnvReference.containsReference(text) else { continue }
                if let refusal = policy.globRefusal(text, matches: FileGlob.matches(text)) { refuse(refusal, path) }
            }
        }
    }

    /// CI's wording: it does not know the operator's lists, only what these would do.
    private static func advised(_ message: String, _ check: SourceAccessCheck, _ policy: SourceAccessPolicy) -> String {
        guard case .advise = check else { return message }
        let which = policy == SourceAccessPolicy() ? "the default manager.source_access" : "this file's manager.source_access"
        return "an operator with \(which) rejects this source: \(message)"
    }

    private static func forEachString(in value: ConfigValue, _ path: String, _ body: (String, String) -> Void) {
        switch value {
        case .string(let text): body(text, path)
        case .array(let items):
            for (i, item) in items.enumerated() { forEachString(in: item, "\(path)[\(i)]", body) }
        case .object(let object):
            for key in object.keys.sorted() { forEachString(in: object[key]!, joinPath(path, key), body) }
        default: break
        }
    }
}
