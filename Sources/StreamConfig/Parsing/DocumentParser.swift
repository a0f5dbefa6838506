import Foundation
import Yams

/// Text → `DocumentNode`, through Yams' node API for YAML and JSON alike (YAML is a superset
/// of JSON), so JSON mistakes get line and column too.
enum DocumentParser {
    /// Deeper than any config needs; keeps recursion bounded.
    static let maxDepth = 64

    /// The root node (nil for an empty document) or the diagnostics explaining why not.
    /// A document larger than `limits`, as written or expanded, is refused.
    static func parse(_ text: String, limits: DocumentLimits) -> (root: DocumentNode?, diagnostics: [Diagnostic]) {
        if let tooLarge = sizeProblem(text, limits: limits) { return (nil, [tooLarge]) }
        if let complexKey = ComplexKeyScan.problem(text) { return (nil, [complexKey]) }
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
        var builder = Builder(limits: limits)
        let root = builder.convert(node, depth: 0)
        return (builder.failed ? nil : root, builder.diagnostics)
    }

    /// The error for text over the raw budget, at the first byte past it; nil when it fits.
    static func sizeProblem(_ text: String, limits: DocumentLimits) -> Diagnostic? {
        guard text.utf8.count > limits.maxBytes else { return nil }
        return .error(limits.rawMessage, at: DocumentLimits.position(ofByte: limits.maxBytes, in: text.utf8))
    }

    static func sizeProblem(_ data: Data, limits: DocumentLimits) -> Diagnostic? {
        guard data.count > limits.maxBytes else { return nil }
        let position = data.withUnsafeBytes { DocumentLimits.position(ofByte: limits.maxBytes, in: $0.bindMemory(to: UInt8.self)) }
        return .error(limits.rawMessage, at: position)
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
        let limits: DocumentLimits
        var diagnostics: [Diagnostic] = []
        var nodes = 0
        /// Bytes of keys and scalars met so far, aliases expanded.
        var bytes = 0
        /// A size limit was passed: nothing more is walked.
        var exhausted = false
        /// The furthest place in the text reached so far. An alias is expanded in place but
        /// its nodes carry the anchor's marks, so this is where the walk really is.
        var frontier = Position(line: 1, column: 1)
        /// A structural problem (not a value problem): the document cannot be used.
        var failed = false

        init(limits: DocumentLimits) {
            self.limits = limits
        }

        mutating func fail(_ message: String, _ mark: Mark?) {
            failed = true
            diagnostics.append(.error(message, at: mark.map(Position.init)))
        }

        /// Counts `size` bytes, and one value unless it is a key, against the limits; false
        /// (and the document refused, at the frontier) once one is passed.
        mutating func admit(_ size: Int, at position: Position, isKey: Bool = false) -> Bool {
            guard !exhausted else { return false }
            if position > frontier { frontier = position }
            if !isKey { nodes += 1 }
            bytes += size
            let message = nodes > limits.maxValues ? limits.valuesMessage
                : bytes > limits.maxExpandedBytes ? limits.expandedMessage : nil
            guard let message else { return true }
            exhausted = true
            failed = true
            diagnostics.append(.error(message, at: frontier))
            return false
        }

        static let stop = DocumentNode.scalar(.init(text: "", value: .null, position: Position(line: 1, column: 1)))

        mutating func convert(_ node: Yams.Node, depth: Int) -> DocumentNode {
            let position = node.mark.map(Position.init) ?? Position(line: 1, column: 1)
            let size = if case .scalar(let scalar) = node { scalar.string.utf8.count } else { 0 }
            guard admit(size, at: position) else { return Self.stop }
            if depth > DocumentParser.maxDepth {
                if !failed { fail("the document nests deeper than \(DocumentParser.maxDepth) levels", node.mark) }
                return .scalar(.init(text: "", value: .null, position: position))
            }
            switch node {
            case .scalar(let scalar):
                return .scalar(.init(text: scalar.string, value: resolve(scalar), position: position))
            case .sequence(let sequence):
                checkCollectionTag(sequence.tag, expected: .seq, sequence.mark)
                var items: [DocumentNode] = []
                for element in sequence {
                    items.append(convert(element, depth: depth + 1))
                    if exhausted { break }
                }
                return .sequence(items, position)
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
                if exhausted { break }
                guard case .scalar(let keyScalar) = keyNode else {
                    fail("mapping keys must be plain text, not \(keyNode.mapping != nil ? "a mapping" : "a list")", keyNode.mark)
                    continue
                }
                let keyPosition = keyScalar.mark.map(Position.init) ?? Position(line: 1, column: 1)
                guard admit(keyScalar.string.utf8.count, at: keyPosition, isKey: true) else { break }
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
                    if exhausted { break }
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
