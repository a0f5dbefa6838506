/// The `topic_routing:` section: which topic each record goes to, and which records are
/// promoted to a higher priority.
///
/// A record's topic, first match wins: `custom[source_id]`; `content_rules` against the
/// record, in written order (the first matching rule that has a `topic`); `patterns` in written
/// order; the source's own `topic`; `fallback_topic`. So `custom`, content rules and patterns
/// all override a source's own `topic`; only `fallback_topic` comes after it.
///
/// Independently of the topic, every matching content rule with a `priority` promotes the
/// record to that priority if it is more urgent than the record's current one (never lowers it).
public struct TopicRoutingConfig: Sendable, Hashable {
    /// `custom`: source id → topic. Wins over every other rule.
    public var custom: [String: String]
    /// `patterns`: globs over the source id or type, tried in written order.
    public var patterns: [TopicPattern]
    /// `content_rules`: per-record routing and promotion on a field of the record's JSON
    /// value, tried in written order.
    public var contentRules: [ContentRule]
    /// `fallback_topic`: where records go when nothing else routes them; nil = the pipeline's
    /// `defaultFallbackTopic`.
    public var fallbackTopic: String?

    /// Where the pipeline sends records nothing routes when `fallback_topic` is not set, so
    /// they are kept and visible.
    public static let defaultFallbackTopic = "stream-manager-unrouted"

    public init(custom: [String: String] = [:],
                patterns: [TopicPattern] = [],
                contentRules: [ContentRule] = [],
                fallbackTopic: String? = nil) {
        self.custom = custom
        self.patterns = patterns
        self.contentRules = contentRules
        self.fallbackTopic = fallbackTopic
    }

    /// The topic a source's records go to when no content rule routes them (always, when a
    /// `custom` mapping names the source), or nil when only content rules could route them.
    /// Content rules, being per record, are left to the pipeline; this answers the static part
    /// (used by validation and `status`): `custom`, `patterns`, the source's `topic`,
    /// `fallback_topic`, in that order.
    public func staticTopic(sourceID: String, source: SourceConfig) -> String? {
        if let topic = custom[sourceID] { return topic }
        for pattern in patterns {
            let subject = pattern.on == .sourceID ? sourceID : source.sourceType
            if Glob.matches(pattern.match, subject) { return pattern.topic }
        }
        if let topic = source.topic { return topic }
        return fallbackTopic
    }
}

/// One `topic_routing.patterns[]` entry: a glob on the source id or type.
public struct TopicPattern: Sendable, Hashable {
    /// `match`: glob with `*` (any run) and `?` (one character), e.g. `noaa_*`.
    public var match: String
    /// `on`: what the glob is matched against (default `source_id`).
    public var on: PatternTarget
    public var topic: String

    public init(match: String, on: PatternTarget = .sourceID, topic: String) {
        self.match = match
        self.on = on
        self.topic = topic
    }
}

/// One `topic_routing.content_rules[]` entry: routes and/or promotes a record by one of its
/// fields. It has at least one of `topic` and `priority` (the validator checks).
public struct ContentRule: Sendable, Hashable {
    /// `field`: dotted path into the record's JSON value (`properties.severity`).
    public var field: String
    /// `equals`: the rule matches when the field equals this JSON value.
    public var equals: ConfigValue?
    /// `matches`: the rule matches when the field (as text) matches this regular expression.
    public var matches: String?
    /// `topic`: where a matching record goes, unless `custom` routes its source or an earlier
    /// matching rule already chose a topic; nil = this rule does not route.
    public var topic: String?
    /// `priority`: the record priority a matching record is promoted to (the same levels as a
    /// source's `priority`); a record already more urgent keeps its own. nil = keep the
    /// source's priority.
    public var priority: SourcePriority?

    public init(field: String, equals: ConfigValue? = nil, matches: String? = nil,
                topic: String? = nil, priority: SourcePriority? = nil) {
        self.field = field
        self.equals = equals
        self.matches = matches
        self.topic = topic
        self.priority = priority
    }
}
