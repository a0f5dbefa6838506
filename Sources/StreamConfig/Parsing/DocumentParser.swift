import Foundation
import Yams

/// Text → `DocumentNode`, through Yams' node API for YAML and JSON alike (YAML is a superset
/// of JSON), so JSON mistakes get line and column too.
enum DocumentParser {
    /// Expanding aliases can multiply a small document; past this many nodes it is refused.
    static let maxNodes = 200_000
    /// Deeper than any config needs; keeps recursion bounded.
    static let maxDepth = 64

    /// The root node (nil for an empty document) or the diagnostics explaining why not.
    static func parse(_ text: String) -> (root: DocumentNode?, diagnostics: [Diagnostic]) {
        let node: Yams.Node?
        do {
            // `.basic` (no implicit typing): types come from our core-schema resolution below.
            // Yams types mapping keys only to find duplicates, and then `1` and "1" are the
            // same key, as they are to us.
            node = try Yams.compose(yaml: text, Resolver.basic, Constructor.default, .utf8)
        } catch {
            return (nil, [SyntaxErrors.diagnostic(for: error, text: text)])
        }
        guard let node else { return (nil, []) }
        var builder = Builder()
        let root = builder.convert(node, depth: 0)
        return (builder.failed ? nil : root, builder.diagnostics)
    }

    /// Bytes → text: invalid UTF-8 is reported at its line and column instead of being
    /// silently replaced.
    static func decode(_ data: Data) -> (text: String?, diagnostics: [Diagnostic]) {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if let text = String(validating: bytes, as: UTF8.self) { return (text, []) }
        // Find the first bad byte by decoding scalar by scalar.
        var line = 1, column = 1
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar == "\n" { line += 1; column = 1 } else { column += 1 }
            case .emptyInput: break loop
            case .error: break loop
            }
        }
        return (nil, [Diagnostic(severity: .error, path: "", line: line, column: column,
                                 message: "the file is not valid UTF-8 text")])
    }

    private struct Builder {
        var diagnostics: [Diagnostic] = []
        var nodes = 0
        /// A structural problem (not a value problem): the document cannot be used.
        var failed = false

        mutating func fail(_ message: String, _ mark: Mark?) {
            failed = true
            diagnostics.append(.error(message, at: mark.map(Position.init)))
        }

        mutating func convert(_ node: Yams.Node, depth: Int) -> DocumentNode {
            nodes += 1
            let position = node.mark.map(Position.init) ?? Position(line: 1, column: 1)
            if nodes > DocumentParser.maxNodes {
                if nodes == DocumentParser.maxNodes + 1 {
                    fail("the document expands to more than \(DocumentParser.maxNodes) values (aliases?)", node.mark)
                }
                return .scalar(.init(text: "", value: .null, position: position))
            }
            if depth > DocumentParser.maxDepth {
                if !failed { fail("the document nests deeper than \(DocumentParser.maxDepth) levels", node.mark) }
                return .scalar(.init(text: "", value: .null, position: position))
            }
            switch node {
            case .scalar(let scalar):
                return .scalar(.init(text: scalar.string, value: resolve(scalar), position: position))
            case .sequence(let sequence):
                checkCollectionTag(sequence.tag, expected: .seq, sequence.mark)
                return .sequence(sequence.map { convert($0, depth: depth + 1) }, position)
            case .mapping(let mapping):
                checkCollectionTag(mapping.tag, expected: .map, mapping.mark)
                return .mapping(entries(of: mapping, depth: depth), position)
            case .alias(let alias):
                fail("unresolved alias '\(alias.anchor.rawValue)'", alias.mark)
                return .scalar(.init(text: "", value: .null, position: position))
            }
        }

        /// Entries with `<<` merge keys applied: merged keys come first and keys written in
        /// the mapping itself win, as YAML's merge-key convention says.
        mutating func entries(of mapping: Yams.Node.Mapping, depth: Int) -> [DocumentNode.Entry] {
            var own: [DocumentNode.Entry] = []
            var merged: [DocumentNode.Entry] = []
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let keyScalar) = keyNode else {
                    fail("mapping keys must be plain text, not \(keyNode.mapping != nil ? "a mapping" : "a list")", keyNode.mark)
                    continue
                }
                let keyPosition = keyScalar.mark.map(Position.init) ?? Position(line: 1, column: 1)
                if keyScalar.string == "<<", keyScalar.style == .plain {
                    merged += mergeSources(valueNode, depth: depth)
                    continue
                }
                own.append(.init(key: keyScalar.string, keyPosition: keyPosition,
                                 value: convert(valueNode, depth: depth + 1)))
            }
            let ownKeys = Set(own.map(\.key))
            var seen = Set<String>()
            let inherited = merged.filter { !ownKeys.contains($0.key) && seen.insert($0.key).inserted }
            return inherited + own
        }

        mutating func mergeSources(_ node: Yams.Node, depth: Int) -> [DocumentNode.Entry] {
            switch node {
            case .mapping(let mapping):
                return entries(of: mapping, depth: depth + 1)
            case .sequence(let sequence):
                var all: [DocumentNode.Entry] = []
                for element in sequence {
                    guard case .mapping(let mapping) = element else {
                        fail("a merge key (<<) takes a mapping or a list of mappings", element.mark)
                        continue
                    }
                    all += entries(of: mapping, depth: depth + 1)
                }
                return all
            default:
                fail("a merge key (<<) takes a mapping or a list of mappings", node.mark)
                return []
            }
        }

        mutating func checkCollectionTag(_ tag: Tag, expected: Tag.Name, _ mark: Mark?) {
            let name = tag.description
            if name.isEmpty || name == "!" || name == expected.rawValue { return }
            fail("unsupported YAML tag '\(name)'", mark)
        }

        /// Core schema for plain scalars; quoted and block scalars are strings; the standard
        /// explicit tags (`!!str`, `!!int`, ...) are honoured.
        mutating func resolve(_ scalar: Yams.Node.Scalar) -> ConfigValue {
            let text = scalar.string
            switch scalar.tag.description {
            case "":
                return scalar.style == .plain || scalar.style == .any ? ScalarResolver.resolvePlain(text) : .string(text)
            case "!", Tag.Name.str.rawValue:
                return .string(text)
            case Tag.Name.int.rawValue:
                if let i = ScalarResolver.integer(text) { return .int(i) }
            case Tag.Name.float.rawValue:
                if let d = ScalarResolver.resolvePlain(text).doubleValue { return .double(d) }
            case Tag.Name.bool.rawValue:
                if case .bool(let b) = ScalarResolver.resolvePlain(text) { return .bool(b) }
            case Tag.Name.null.rawValue:
                if case .null = ScalarResolver.resolvePlain(text) { return .null }
            default:
                fail("unsupported YAML tag '\(scalar.tag.description)'", scalar.mark)
                return .string(text)
            }
            fail("'\(text)' is not a valid value for tag '\(scalar.tag.description)'", scalar.mark)
            return .string(text)
        }
    }
}

extension Position {
    init(_ mark: Mark) {
        self.init(line: mark.line, column: mark.column)
    }
}
