import Foundation
import StreamConfig

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

/// The `topic_routing` section prepared for matching: paths split, regexes and globs compiled
/// once per update.
struct CompiledRoutingRules: Sendable {
    struct Content: Sendable {
        enum Matcher: Sendable {
            /// The field's scalar text equals this string (numbers compare as written, booleans
            /// as `true`/`false`, null as `null`).
            case equals(String)
            /// The field's scalar text contains a match (ICU syntax; `^…$` for a whole value).
            case regex(NSRegularExpression)
        }
        let path: JSONPath
        let matcher: Matcher
        let topic: String?
        let priority: SourcePriority?

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
        let on: PatternTarget
        let topic: String
    }

    let custom: [String: String]
    let content: [Content]
    let patterns: [Pattern]
    /// `fallback_topic`, or the default topic of records nothing routes.
    let fallbackTopic: String

    init(_ config: TopicRoutingConfig) throws(RoutingRulesError) {
        custom = config.custom
        var content: [Content] = []
        for (index, rule) in config.contentRules.enumerated() {
            guard !rule.field.isEmpty else { throw .emptyField(index: index) }
            let matcher: Content.Matcher
            // `matches` wins over `equals` (validation refuses a rule with both).
            if let pattern = rule.matches {
                guard let regex = try? NSRegularExpression(pattern: pattern) else {
                    throw .invalidRegex(field: rule.field, pattern: pattern)
                }
                matcher = .regex(regex)
            } else {
                matcher = .equals(rule.equals.map(Self.scalarText) ?? "null")
            }
            content.append(Content(path: JSONPath(rule.field), matcher: matcher,
                                   topic: rule.topic, priority: rule.priority))
        }
        self.content = content
        patterns = config.patterns.map { Pattern(glob: Glob($0.match), on: $0.on, topic: $0.topic) }
        fallbackTopic = config.fallbackTopic ?? TopicRoutingConfig.defaultFallbackTopic
    }

    /// A JSON scalar of a rule's `equals` as the record's field text is compared with it.
    static func scalarText(_ v: ConfigValue) -> String {
        switch v {
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        default: return v.description
        }
    }
}
