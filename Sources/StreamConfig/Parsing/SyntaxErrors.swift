import Yams

/// Yams/libyaml errors as diagnostics: where, what, and the offending line (masked).
enum SyntaxErrors {
    static func diagnostic(for error: any Error, text: String) -> Diagnostic {
        guard let yamlError = error as? YamlError else {
            return located("could not parse the document: \(error)", Position(line: 1, column: 1), text)
        }
        switch yamlError {
        case let .scanner(context, problem, mark, _),
             let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            var message = "syntax error: \(problem)"
            var excerptLine: Int?
            if let context, problem.hasPrefix("but ") {
                // Yams' own wording reads as one sentence: "expected ..., but found ...".
                message = "syntax error: \(context.text), \(problem)"
            } else if let context {
                message += " (\(context.text) at \(context.mark.line):\(context.mark.column))"
                // At the end of the text the problem line is empty; the context line is the useful one.
                if lineText(mark.line, in: text)?.trimming(" \t").isEmpty ?? true { excerptLine = context.mark.line }
            }
            return located(message, Position(mark), text, excerptLine: excerptLine)
        case let .reader(problem, offset, _, _):
            let at = offset.map { SyntaxErrors.position(ofCharacterOffset: $0, in: text) } ?? Position(line: 1, column: 1)
            return located("unreadable text: \(problem)", at, text)
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            let noun = duplicates.count == 1 ? "key" : "keys"
            return located("duplicate \(noun) \(keys) in the same mapping", Position(context.mark), text)
        default:
            return located("could not parse the document: \(yamlError)", Position(line: 1, column: 1), text)
        }
    }

    /// The diagnostic with the offending line appended (on one line, so the CLI output stays
    /// one problem per line) and kept in `excerpt`.
    private static func located(_ message: String, _ position: Position, _ text: String,
                                excerptLine: Int? = nil) -> Diagnostic {
        // Control characters (often the very problem) are shown as '?' so output stays one line of text.
        let line = lineText(excerptLine ?? position.line, in: text).map(SecretMasker.maskLine).map { raw in
            String(String.UnicodeScalarView(raw.unicodeScalars.map { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F ? "?" : $0 }))
        }
        var full = message
        if let line, !line.trimming(" \t").isEmpty {
            let shown = line.count > 120 ? String(line.prefix(117)) + "..." : line
            full += ": `\(shown.trimming(" \t"))`"
        }
        return Diagnostic(severity: .error, path: "", line: max(position.line, 1),
                          column: max(position.column, 1), message: full, excerpt: line)
    }

    /// The 1-based line `number` of `text`, without its line break.
    static func lineText(_ number: Int, in text: String) -> String? {
        guard number >= 1 else { return nil }
        var current = 1
        var start = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == "\n" || text[index] == "\r\n" || text[index] == "\r" {
                if current == number { return String(text[start..<index]) }
                current += 1
                start = text.index(after: index)
            }
            index = text.index(after: index)
        }
        return current == number ? String(text[start...]) : nil
    }

    static func position(ofCharacterOffset offset: Int, in text: String) -> Position {
        var line = 1, column = 1
        for (i, ch) in text.enumerated() {
            if i >= offset { break }
            if ch == "\n" || ch == "\r\n" || ch == "\r" {
                line += 1
                column = 1
            } else {
                column += ch.unicodeScalars.count
            }
        }
        return Position(line: line, column: column)
    }
}
