import Metrics
import StreamConfig
import Synchronization

/// The `topic_resolver` section of the metrics tree (V1's names plus ours).
public struct TopicResolverMetrics: Sendable, Equatable, Codable {
    public var customUsed: Int
    public var contentUsed: Int
    public var patternUsed: Int
    public var sourceTopicUsed: Int
    public var fallbackUsed: Int
    /// Records whose priority a content rule raised.
    public var priorityPromoted: Int

    public init(customUsed: Int = 0, contentUsed: Int = 0, patternUsed: Int = 0, sourceTopicUsed: Int = 0,
                fallbackUsed: Int = 0, priorityPromoted: Int = 0) {
        self.customUsed = customUsed
        self.contentUsed = contentUsed
        self.patternUsed = patternUsed
        self.sourceTopicUsed = sourceTopicUsed
        self.fallbackUsed = fallbackUsed
        self.priorityPromoted = priorityPromoted
    }

    enum CodingKeys: String, CodingKey {
        case customUsed = "custom_used"
        case contentUsed = "content_used"
        case patternUsed = "pattern_used"
        case sourceTopicUsed = "source_topic_used"
        case fallbackUsed = "fallback_used"
        case priorityPromoted = "priority_promoted"
    }
}

/// Which rule picked a record's topic.
public enum TopicRuleKind: String, Sendable, CaseIterable {
    case custom, content, pattern
    case sourceTopic = "source_topic"
    case fallback
}

/// Sets each record's topic by precedence: custom mapping (source id) → content rule →
/// pattern rule → the source's own `topic` → the fallback topic.
///
/// Content rules also promote priority; that is independent of which rule chose the topic,
/// so a record can be routed by a custom mapping and still be raised to critical. The JSON
/// value is read only when content rules exist.
///
/// Rules are swapped whole by `update(_:)` (hot reconfiguration); a batch sees one version.
public final class TopicResolver: Sendable {
    private struct Totals {
        var used: [Int] = Array(repeating: 0, count: TopicRuleKind.allCases.count)
        var promoted = 0
        var counters: [String: [Counter]] = [:]
    }

    private let rules: Mutex<CompiledRoutingRules>
    private let totals = Mutex(Totals())

    /// - Throws: `RoutingRulesError` if a content rule's regex does not compile.
    public init(rules: TopicRoutingConfig = TopicRoutingConfig()) throws(RoutingRulesError) {
        self.rules = Mutex(try CompiledRoutingRules(rules))
    }

    /// Replaces the rules; on error the previous rules stay in force.
    public func update(_ rules: TopicRoutingConfig) throws(RoutingRulesError) {
        let compiled = try CompiledRoutingRules(rules)
        self.rules.withLock { $0 = compiled }
    }

    public func resolve(_ record: inout PipelineRecord, sourceType: String, sourceTopic: String?) {
        let current = rules.withLock { $0 }
        var counts = Array(repeating: 0, count: TopicRuleKind.allCases.count)
        var promoted = 0
        let base = Self.sourceLevelTopic(current, sourceID: record.sourceID, sourceType: sourceType,
                                         sourceTopic: sourceTopic)
        let kind = Self.apply(current, base: base, to: &record, promoted: &promoted)
        counts[kind.index] += 1
        account([(record.sourceID, counts)], promoted: promoted)
    }

    /// Resolves a batch with one read of the rules and one metrics update. The topic that does
    /// not depend on content is worked out once per run of records from the same source.
    public func resolve(_ records: inout [PipelineRecord], sourceType: String, sourceTopic: String?) {
        guard !records.isEmpty else { return }
        let current = rules.withLock { $0 }
        var perSource: [(String, [Int])] = []
        var promoted = 0
        var base: (topic: String, kind: TopicRuleKind)?
        for index in records.indices {
            let sourceID = records[index].sourceID
            if perSource.last?.0 != sourceID {
                base = Self.sourceLevelTopic(current, sourceID: sourceID, sourceType: sourceType,
                                             sourceTopic: sourceTopic)
                perSource.append((sourceID, Array(repeating: 0, count: TopicRuleKind.allCases.count)))
            }
            let kind = Self.apply(current, base: base!, to: &records[index], promoted: &promoted)
            perSource[perSource.count - 1].1[kind.index] += 1
        }
        account(perSource, promoted: promoted)
    }

    /// The topic a source's records get when no content rule routes them.
    public func topic(sourceID: String, sourceType: String, sourceTopic: String?) -> String {
        let current = rules.withLock { $0 }
        return Self.sourceLevelTopic(current, sourceID: sourceID, sourceType: sourceType, sourceTopic: sourceTopic).topic
    }

    public var metrics: TopicResolverMetrics {
        totals.withLock { t in
            TopicResolverMetrics(customUsed: t.used[TopicRuleKind.custom.index],
                                 contentUsed: t.used[TopicRuleKind.content.index],
                                 patternUsed: t.used[TopicRuleKind.pattern.index],
                                 sourceTopicUsed: t.used[TopicRuleKind.sourceTopic.index],
                                 fallbackUsed: t.used[TopicRuleKind.fallback.index],
                                 priorityPromoted: t.promoted)
        }
    }

    // MARK: rules

    /// Custom mapping, pattern rule, source topic or fallback: everything but content rules.
    /// The custom mapping is reported here too; `apply` keeps it ahead of content rules.
    private static func sourceLevelTopic(_ rules: CompiledRoutingRules, sourceID: String, sourceType: String,
                                         sourceTopic: String?) -> (topic: String, kind: TopicRuleKind) {
        if let topic = rules.custom[sourceID] { return (topic, .custom) }
        for pattern in rules.patterns {
            let subject = pattern.on == .sourceID ? sourceID : sourceType
            if pattern.glob.matches(subject) { return (pattern.topic, .pattern) }
        }
        if let sourceTopic, !sourceTopic.isEmpty { return (sourceTopic, .sourceTopic) }
        return (rules.fallbackTopic, .fallback)
    }

    private static func apply(_ rules: CompiledRoutingRules, base: (topic: String, kind: TopicRuleKind),
                              to record: inout PipelineRecord, promoted: inout Int) -> TopicRuleKind {
        var topic = base.topic
        var kind = base.kind
        var routed = base.kind == .custom
        let original = record.priority
        for rule in rules.content {
            // Skip what this rule could not change.
            let canRoute = !routed && rule.topic != nil
            let canPromote = rule.priority.map { $0 < record.priority } ?? false
            guard canRoute || canPromote else { continue }
            guard let value = rule.path.scalar(in: record.value),
                  rule.matches(value.text) else { continue }
            if canRoute, let ruleTopic = rule.topic {
                topic = ruleTopic
                kind = .content
                routed = true
            }
            if canPromote, let priority = rule.priority { record.priority = priority }
        }
        if record.priority < original { promoted += 1 }
        record.topic = topic
        return kind
    }

    // MARK: metrics

    /// Drops a removed source's per-rule series and cached handles.
    public func forgetMetrics(sourceID: String) {
        let counters = totals.withLock { $0.counters.removeValue(forKey: sourceID) } ?? []
        for counter in counters { counter.destroy() }
    }

    private func account(_ perSource: [(String, [Int])], promoted: Int) {
        totals.withLock { t in
            t.promoted += promoted
            for (sourceID, counts) in perSource {
                let counters = Self.counters(&t, sourceID)
                for (index, n) in counts.enumerated() where n > 0 {
                    t.used[index] += n
                    counters[index].increment(by: n)
                }
            }
        }
    }

    private static func counters(_ t: inout Totals, _ sourceID: String) -> [Counter] {
        if let c = t.counters[sourceID] { return c }
        let c = TopicRuleKind.allCases.map {
            Counter(label: "stream_manager_topic_resolutions_total",
                    dimensions: [("source", sourceID), ("rule", $0.rawValue)])
        }
        t.counters[sourceID] = c
        return c
    }
}

extension TopicRuleKind {
    fileprivate var index: Int {
        switch self {
        case .custom: 0
        case .content: 1
        case .pattern: 2
        case .sourceTopic: 3
        case .fallback: 4
        }
    }
}
