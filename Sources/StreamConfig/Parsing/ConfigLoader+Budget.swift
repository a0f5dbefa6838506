import Foundation

extension ConfigLoader {
    /// One budget as a config-topic record holds it (`{"requests": 60, "interval_seconds": 10}`,
    /// YAML or JSON), under the name its key gives. Paths in diagnostics are relative to the entry.
    public static func parseBudgetDocument(data: Data, name: String) -> LoadResult<BudgetConfig> {
        if let tooLarge = DocumentParser.sizeProblem(data, limits: .sourceDocument) {
            return LoadResult(value: nil, diagnostics: [tooLarge], positions: PositionTable())
        }
        let (text, problems) = DocumentParser.decode(data)
        guard let text else { return LoadResult(value: nil, diagnostics: problems, positions: PositionTable()) }
        let (root, syntax) = DocumentParser.parse(text, limits: .sourceDocument)
        if syntax.hasErrors { return LoadResult(value: nil, diagnostics: syntax, positions: PositionTable()) }
        guard let root else {
            return LoadResult(value: nil, diagnostics: [.error("the document is empty; a budget needs 'requests' and 'interval_seconds'",
                                                               at: Position(line: 1, column: 1))],
                              positions: PositionTable())
        }
        let session = DecodeSession(unknownKeys: .warning, registry: .shared)  // a newer apply may write more keys
        session.positions.values[""] = root.position
        var diagnostics: [Diagnostic] = []
        if let reader = MappingReader.make(root, path: "", session: session) {
            let budget = ConfigDecoder.decodeBudget(reader)
            let reporter = Reporter(positions: session.positions, options: .strict)
            ConfigValidator.budgetRules(budget, basePath: "", reporter)
            if let problem = BudgetName.problem(name) { reporter.error(problem, "") }
            diagnostics = (session.diagnostics + reporter.diagnostics).sortedByPosition()
            return LoadResult(value: diagnostics.hasErrors ? nil : budget, diagnostics: diagnostics, positions: session.positions)
        }
        return LoadResult(value: nil, diagnostics: session.diagnostics, positions: session.positions)
    }
}
