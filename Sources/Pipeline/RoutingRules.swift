import Foundation

/// The `topic_routing` section of the config.
public struct RoutingRules: Sendable, Equatable {
    /// source_id → topic; wins over every other rule.
    public var custom: [String: String]
    /// Evaluated in order; the first match with a topic routes the record, and every match may
    /// raise its priority.
    public var contentRules: [ContentRule]
    /// Evaluated in order; the first match routes.
    public var patterns: [PatternRule]
    /// Where a record goes when nothing else names a topic.
    public var fallbackTopic: String

    public static let defaultFallbackTopic = "stream-manager-unrouted"

    public init(custom: [String: String] = [:], contentRules: [ContentRule] = [], patterns: [PatternRule] = [],
                fallbackTopic: String = RoutingRules.defaultFallbackTopic) {
        self.custom = custom
        self.contentRules = contentRules
        self.patterns = patterns
        self.fallbackTopic = fallbackTopic
    }
}

/// Routes or promotes records by a field of their JSON value.
public struct ContentRule: Sendable, Equatable {
    public enum Condition: Sendable, Equatable {
        /// The field's scalar text equals this string (numbers compare as written, booleans as
        /// `true`/`false`, null as `null`).
        case equals(String)
        /// The field's scalar text contains a match of this regular expression (ICU syntax;
        /// anchor with `^…$` for a whole-value match).
        case matches(String)
    }

    /// Dotted path into the value; a numeric component indexes an array.
    public var field: String
    public var condition: Condition
    public var topic: String?
    /// Raises the record's priority to this level if it is more important; never lowers it.
    public var priority: RecordPriority?

    public init(field: String, condition: Condition, topic: String? = nil, priority: RecordPriority? = nil) {
        self.field = field
        self.condition = condition
        self.topic = topic
        self.priority = priority
    }
}

/// Routes by a glob over the source id or the source type.
public struct PatternRule: Sendable, Equatable {
    public enum Subject: String, Sendable, Codable {
        case sourceID = "source_id"
        case sourceType = "source_type"
    }

    /// Glob: `*` any run of characters, `?` one character, everything else literal.
    public var match: String
    public var on: Subject
    public var topic: String

    public init(match: String, on: Subject = .sourceID, topic: String) {
        self.match = match
        self.on = on
        self.topic = topic
    }
}

public enum RoutingRulesError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidRegex(field: String, pattern: String)
    case emptyField(index: Int)

    public var description: String {
        switch self {
        case .invalidRegex(let field, let pattern): "content rule on '\(field)': invalid regex '\(pattern)'"
        case .emptyField(let index): "content rule #\(index + 1): empty field path"
        }
    }
}

/// Rules prepared for matching: paths split, regexes and globs compiled once per update.
struct CompiledRoutingRules: Sendable {
    struct Content: Sendable {
        enum Matcher: Sendable {
            case equals(String)
            case regex(NSRegularExpression)
        }
        let path: [String]
        let matcher: Matcher
        let topic: String?
        let priority: RecordPriority?

        func matches(_ text: String) -> Bool {
            switch matcher {
            case .equals(let expected):
                return text == expected
            case .regex(let regex):
                return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
            }
        }
    }

    struct Pattern: Sendable {
        let glob: Glob
        let on: PatternRule.Subject
        let topic: String
    }

    let custom: [String: String]
    let content: [Content]
    let patterns: [Pattern]
    let fallbackTopic: String

    init(_ rules: RoutingRules) throws(RoutingRulesError) {
        custom = rules.custom
        var content: [Content] = []
        for (index, rule) in rules.contentRules.enumerated() {
            guard !rule.field.isEmpty else { throw .emptyField(index: index) }
            let matcher: Content.Matcher
            switch rule.condition {
            case .equals(let value):
                matcher = .equals(value)
            case .matches(let pattern):
                guard let regex = try? NSRegularExpression(pattern: pattern) else {
                    throw .invalidRegex(field: rule.field, pattern: pattern)
                }
                matcher = .regex(regex)
            }
            content.append(Content(path: JSONFieldLookup.splitPath(rule.field), matcher: matcher,
                                   topic: rule.topic, priority: rule.priority))
        }
        self.content = content
        patterns = rules.patterns.map { Pattern(glob: Glob($0.match), on: $0.on, topic: $0.topic) }
        fallbackTopic = rules.fallbackTopic
    }
}

/// A compiled `*`/`?` glob, matched over Unicode scalars.
struct Glob: Sendable, Equatable {
    private let pattern: [Unicode.Scalar]

    init(_ pattern: String) { self.pattern = Array(pattern.unicodeScalars) }

    /// Greedy match that backtracks only to the last `*`, so it runs in O(n·m) worst case.
    func matches(_ text: String) -> Bool {
        let s = Array(text.unicodeScalars)
        var p = 0, t = 0
        var star: Int?, starText = 0
        while t < s.count {
            if p < pattern.count && (pattern[p] == "?" || (pattern[p] != "*" && pattern[p] == s[t])) {
                p += 1
                t += 1
            } else if p < pattern.count && pattern[p] == "*" {
                star = p
                starText = t
                p += 1
            } else if let st = star {
                p = st + 1
                starText += 1
                t = starText
            } else {
                return false
            }
        }
        while p < pattern.count && pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
