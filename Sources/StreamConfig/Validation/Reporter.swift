/// Turns rule violations on the typed model into positioned diagnostics.
final class Reporter {
    let positions: PositionTable
    let options: ValidationOptions
    private(set) var diagnostics: [Diagnostic] = []

    init(positions: PositionTable, options: ValidationOptions) {
        self.positions = positions
        self.options = options
    }

    /// Reports at the value of `path`. Stays quiet when `path` or any of `involving` was
    /// already reported as malformed (its typed value is only a default standing in).
    func error(_ message: String, _ path: String, involving: [String] = []) {
        report(.error, message, path, at: positions.valuePosition(path), involving: involving)
    }

    func warning(_ message: String, _ path: String, involving: [String] = []) {
        report(.warning, message, path, at: positions.valuePosition(path), involving: involving)
    }

    /// Reports at the key of `path` (for problems with a key rather than its value).
    func keyError(_ message: String, _ path: String) {
        report(.error, message, path, at: positions.keyPosition(path), involving: [])
    }

    func report(_ severity: Severity, _ message: String, _ path: String, at position: Position?,
                involving: [String]) {
        guard !positions.isInvalid(path), !involving.contains(where: positions.isInvalid) else { return }
        diagnostics.append(Diagnostic(severity: severity, path: path, line: position?.line ?? 0,
                                      column: position?.column ?? 0, message: message))
    }

    // MARK: common rules

    /// Reports a value outside its bound (NaN and infinities included) at the value of `path`.
    func within(_ bound: NumericBound, _ value: Double, _ path: String) {
        if !bound.contains(value) { error(bound.message(got: value), path) }
    }

    func within(_ bound: NumericBound, _ value: Int, _ path: String) {
        if !bound.contains(value) { error(bound.message(got: value), path) }
    }

    func topic(_ name: String, _ path: String) {
        if let problem = TopicName.problem(name) { error(problem, path) }
        else if let warning = TopicName.warning(name) { self.warning(warning, path) }
    }

    func nonEmpty(_ value: String, _ path: String) {
        if value.trimming(" \t").isEmpty { error("must not be empty", path) }
    }

    /// `${...}` references: malformed ones are errors; unset variables without a default are
    /// warnings when an environment to check against was given.
    func envReferences(in value: String, _ path: String) {
        guard value.contains("$") else { return }
        do {
            let refs = try EnvReference.references(in: value)
            guard let environment = options.environment else { return }
            for ref in refs where ref.defaultValue == nil && environment[ref.name] == nil {
                warning("environment variable \(ref.name) is not set here; the source fails to start where it is not set either", path)
            }
        } catch {
            self.error(error.description, path)
        }
    }

    func envReferences(in value: ConfigValue, _ path: String) {
        switch value {
        case .string(let s): envReferences(in: s, path)
        case .array(let items):
            for (i, item) in items.enumerated() { envReferences(in: item, "\(path)[\(i)]") }
        case .object(let object):
            for (key, item) in object { envReferences(in: item, joinPath(path, key)) }
        default: break
        }
    }
}
