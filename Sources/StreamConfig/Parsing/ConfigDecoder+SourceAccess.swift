extension ConfigDecoder {
    /// `manager.source_access`: four lists; a key left out keeps its default.
    static func decodeSourceAccess(_ r: MappingReader) -> SourceAccessPolicy {
        let d = SourceAccessPolicy()
        defer { r.finish() }
        return SourceAccessPolicy(
            env: r.stringList("env") ?? d.env,
            urlSchemes: r.enumerationList("url_schemes", as: SourceAccessPolicy.Scheme.self) ?? d.urlSchemes,
            hosts: r.stringList("hosts") ?? d.hosts,
            fileRoots: r.stringList("file_roots") ?? d.fileRoots)
    }
}

extension MappingReader {
    /// A list of strings; nil when absent or null. Items of another type are reported and left out.
    func stringList(_ key: String) -> [String]? {
        list(key) { node, path in ValueCoercion.string(node, path: path, session: session) }
    }

    /// A list of words from a closed set; an unknown word is reported with the allowed ones.
    func enumerationList<E: RawRepresentable & CaseIterable>(_ key: String, as type: E.Type) -> [E]?
    where E.RawValue == String {
        list(key) { node, path in ValueCoercion.enumeration(node, path: path, session: session) }
    }

    private func list<T>(_ key: String, _ item: (DocumentNode, String) -> T?) -> [T]? {
        guard let items = sequence(key) else { return nil }
        var values: [T] = []
        for (i, node) in items.enumerated() {
            let path = "\(joinPath(self.path, key))[\(i)]"
            session.record(path, key: nil, value: node)
            if let value = item(node, path) { values.append(value) }
        }
        return values
    }
}
