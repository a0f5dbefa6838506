import Foundation

/// The outcome of loading a config: the value when usable, and every problem found.
public struct LoadResult<Value: Sendable & Hashable>: Sendable {
    /// Set when there are no errors (warnings allowed).
    public var value: Value?
    /// Every problem, in document order.
    public var diagnostics: [Diagnostic]
    /// Where each key path was written (empty when the text did not parse).
    public var positions: PositionTable

    public var hasErrors: Bool { diagnostics.hasErrors }

    /// The value, or `ConfigError.invalid` with every diagnostic.
    public func get() throws(ConfigError) -> Value {
        guard let value else { throw .invalid(diagnostics: diagnostics) }
        return value
    }
}

/// A whole config file's outcome, plus what the operator can still run when only some
/// sources are invalid.
public struct ConfigLoadResult: Sendable {
    public var result: LoadResult<StreamManagerConfig>
    /// nil when the document failed as a whole (syntax, or an error outside `sources`);
    /// otherwise the config without the sources that have errors.
    public var usable: StreamManagerConfig?
    /// Source id → its errors, for the sources left out of `usable`.
    public var rejectedSources: [String: [Diagnostic]]

    public var value: StreamManagerConfig? { result.value }
    public var diagnostics: [Diagnostic] { result.diagnostics }
    public var hasErrors: Bool { result.hasErrors }
}

/// Reads configs from files, text or bytes, as YAML or JSON (one parser for both).
public enum ConfigLoader {
    /// A whole config file. A missing file gives `Config file not found: <path>`.
    public static func load(contentsOf path: String, options: ValidationOptions = .strict) -> ConfigLoadResult {
        switch read(path, limit: DocumentLimits.configDocument.maxBytes) {
        case .success(let data): return parse(data: data, options: options)
        case .failure(let error): return failedLoad(Diagnostic(severity: .error, path: "", line: 1, column: 1,
                                                               message: error.description))
        }
    }

    public static func parse(data: Data, options: ValidationOptions = .strict) -> ConfigLoadResult {
        if let tooLarge = DocumentParser.sizeProblem(data, limits: .configDocument) { return failedLoad(tooLarge) }
        let (text, problems) = DocumentParser.decode(data)
        guard let text else { return failedLoad(problems[0]) }
        return parse(text, options: options)
    }

    /// A whole config document (YAML or JSON text).
    public static func parse(_ text: String, options: ValidationOptions = .strict) -> ConfigLoadResult {
        let (root, syntax) = DocumentParser.parse(text, limits: .configDocument)
        if syntax.hasErrors { return failedLoad(syntax) }
        let session = DecodeSession(unknownKeys: options.unknownKeys, registry: options.registry)
        session.diagnostics = syntax
        let config: StreamManagerConfig
        if let root {
            config = ConfigDecoder.decodeConfig(root, session: session)
        } else {
            session.warning("the document is empty; every setting takes its default", path: "",
                            at: Position(line: 1, column: 1))
            config = StreamManagerConfig()
        }
        let checks = ConfigValidator.validate(config, options: options, positions: session.positions)
        let diagnostics = (session.diagnostics + checks).sortedByPosition()
        let result = LoadResult(value: diagnostics.hasErrors ? nil : config, diagnostics: diagnostics,
                                positions: session.positions)
        return ConfigLoadResult(result: result, usable: usablePart(config, diagnostics),
                                rejectedSources: rejected(diagnostics))
    }

    /// A single source entry file (what a config-topic record or a ConfigMap key holds).
    public static func loadSourceDocument(contentsOf path: String, sourceID: String? = nil,
                                          options: ValidationOptions = .strict) -> LoadResult<SourceConfig> {
        switch read(path, limit: DocumentLimits.sourceDocument.maxBytes) {
        case .success(let data): return parseSourceDocument(data: data, sourceID: sourceID, options: options)
        case .failure(let error):
            return LoadResult(value: nil, diagnostics: [Diagnostic(severity: .error, path: "", line: 1, column: 1,
                                                                   message: error.description)],
                              positions: PositionTable())
        }
    }

    public static func parseSourceDocument(data: Data, sourceID: String? = nil,
                                           options: ValidationOptions = .strict) -> LoadResult<SourceConfig> {
        if let tooLarge = DocumentParser.sizeProblem(data, limits: .sourceDocument) {
            return LoadResult(value: nil, diagnostics: [tooLarge], positions: PositionTable())
        }
        let (text, problems) = DocumentParser.decode(data)
        guard let text else { return LoadResult(value: nil, diagnostics: problems, positions: PositionTable()) }
        return parseSourceDocument(text, sourceID: sourceID, options: options)
    }

    /// One source entry as YAML or JSON. `sourceID` is the record key when known; a
    /// `source_id` field in the document must match it. Paths in diagnostics are relative
    /// to the entry (`ingestion.buffer_size`).
    public static func parseSourceDocument(_ text: String, sourceID: String? = nil,
                                           options: ValidationOptions = .strict) -> LoadResult<SourceConfig> {
        let (root, syntax) = DocumentParser.parse(text, limits: .sourceDocument)
        if syntax.hasErrors { return LoadResult(value: nil, diagnostics: syntax, positions: PositionTable()) }
        guard let root else {
            return LoadResult(value: nil, diagnostics: [.error("the document is empty; a source entry needs at least 'source_type'",
                                                               at: Position(line: 1, column: 1))],
                              positions: PositionTable())
        }
        let session = DecodeSession(unknownKeys: options.unknownKeys, registry: options.registry)
        session.positions.values[""] = root.position
        var writtenID: String?
        let source = ConfigDecoder.decodeSource(root, path: "", session: session, sourceID: sourceID,
                                                writtenID: &writtenID)
        var diagnostics = session.diagnostics
        if let source {
            let reporter = Reporter(positions: session.positions, options: options)
            SourceValidator.validate(source, basePath: "", reporter: reporter)
            diagnostics += reporter.diagnostics
        }
        if let id = sourceID ?? writtenID, let problem = SourceID.problem(id) {
            let at = sourceID == nil ? session.positions.valuePosition("source_id") : Position(line: 1, column: 1)
            diagnostics.append(.error(problem, path: sourceID == nil ? "source_id" : "", at: at))
        }
        diagnostics = diagnostics.sortedByPosition()
        return LoadResult(value: diagnostics.hasErrors ? nil : source, diagnostics: diagnostics,
                          positions: session.positions)
    }

    /// `apply`/`run`: load or throw the first problem (with all of them attached).
    public static func loadOrThrow(contentsOf path: String,
                                   options: ValidationOptions = .strict) throws(ConfigError) -> StreamManagerConfig {
        if case .failure(let error) = read(path, limit: 0) { throw error }
        return try load(contentsOf: path, options: options).result.get()
    }

    // MARK: helpers

    /// The file's first `limit + 1` bytes at most: enough to refuse a document over its limit
    /// without reading (or holding) the rest of a huge file.
    static func read(_ path: String, limit: Int) -> Result<Data, ConfigError> {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .failure(.fileNotFound(path: path))
        }
        if isDirectory.boolValue { return .failure(.unreadable(path: path, reason: "it is a directory")) }
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            return .success(try readDocument(from: handle, limit: limit))
        } catch {
            return .failure(.unreadable(path: path, reason: "\(error.localizedDescription)"))
        }
    }

    /// Reads a document from a file handle (standard input, a pipe) up to one byte past
    /// `limits.maxBytes`, so that one too large is refused by the parse that follows.
    public static func readDocument(from handle: FileHandle, limits: DocumentLimits) throws -> Data {
        try readDocument(from: handle, limit: limits.maxBytes)
    }

    static func readDocument(from handle: FileHandle, limit: Int) throws -> Data {
        var data = Data()
        while data.count <= limit {
            guard let chunk = try handle.read(upToCount: min(limit + 1 - data.count, 1 << 20)), !chunk.isEmpty else { break }
            data.append(chunk)
        }
        return data
    }

    private static func failedLoad(_ diagnostic: Diagnostic) -> ConfigLoadResult {
        failedLoad([diagnostic])
    }

    private static func failedLoad(_ diagnostics: [Diagnostic]) -> ConfigLoadResult {
        ConfigLoadResult(result: LoadResult(value: nil, diagnostics: diagnostics, positions: PositionTable()),
                         usable: nil, rejectedSources: [:])
    }

    /// The config minus its invalid sources, or nil when something outside `sources` is wrong.
    private static func usablePart(_ config: StreamManagerConfig, _ diagnostics: [Diagnostic]) -> StreamManagerConfig? {
        let errors = diagnostics.errors
        if errors.contains(where: { $0.sourceID == nil }) { return nil }
        var usable = config
        for id in Set(errors.compactMap(\.sourceID)) { usable.sources[id] = nil }
        return usable
    }

    private static func rejected(_ diagnostics: [Diagnostic]) -> [String: [Diagnostic]] {
        Dictionary(grouping: diagnostics.errors.filter { $0.sourceID != nil }) { $0.sourceID! }
    }
}
