import Foundation
import Testing
@testable import StreamConfig

/// `topic_routing`: the static part of the precedence (content rules are per record and are
/// the pipeline's), and the content rule model.
@Suite("topic_routing precedence and content rules")
struct RoutingConfigTests {
    static let routing = TopicRoutingConfig(
        custom: ["custom_src": "from-custom"],
        patterns: [TopicPattern(match: "pat_*", topic: "from-pattern"),
                   TopicPattern(match: "pat_*", topic: "second-pattern"),
                   TopicPattern(match: "typed", on: .sourceType, topic: "from-type-pattern")],
        contentRules: [ContentRule(field: "confidence", equals: "h", priority: .critical)],
        fallbackTopic: "from-fallback")

    @Test("custom → patterns (in order) → the source's own topic → fallback_topic")
    func staticPrecedence() {
        let r = Self.routing
        let own = SourceConfig(sourceType: "generator", topic: "own")
        // custom and patterns override the source's own topic.
        #expect(r.staticTopic(sourceID: "custom_src", source: own) == "from-custom")
        #expect(r.staticTopic(sourceID: "pat_1", source: own) == "from-pattern")
        #expect(r.staticTopic(sourceID: "x", source: SourceConfig(sourceType: "typed", topic: "own")) == "from-type-pattern")
        // The source's own topic comes before the fallback.
        #expect(r.staticTopic(sourceID: "plain", source: own) == "own")
        #expect(r.staticTopic(sourceID: "plain", source: SourceConfig(sourceType: "generator")) == "from-fallback")
        #expect(TopicRoutingConfig().staticTopic(sourceID: "plain", source: SourceConfig(sourceType: "generator")) == nil)
    }

    @Test("a content rule's topic and priority are optional; priority is a record priority")
    func contentRuleModel() throws {
        let promote = ContentRule(field: "confidence", equals: "h", priority: .critical)
        #expect(promote.topic == nil && promote.priority == .critical)
        let route = ContentRule(field: "code", matches: "^A", topic: "coded")
        #expect(route.topic == "coded" && route.priority == nil)
        let both = ContentRule(field: "severity", equals: "Extreme", matches: nil, topic: "alerts", priority: .high)
        #expect(both.topic == "alerts" && both.priority == .high)
        #expect(Self.routing.validate().isEmpty)
        // Written order is kept (the first matching rule with a topic routes).
        let parsed = try #require(parse("""
            topic_routing:
              content_rules:
                - {field: z, equals: 1, topic: first}
                - {field: a, equals: 1, topic: second, priority: low}
                - {field: m, equals: 1, topic: ~, priority: high}
              fallback_topic: f
            """).value)
        #expect(parsed.topicRouting.contentRules.map(\.field) == ["z", "a", "m"])
        #expect(parsed.topicRouting.contentRules.map(\.priority) == [nil, .low, .high])
        #expect(parsed.topicRouting.contentRules.map(\.topic) == ["first", "second", nil])
    }
}

private extension TopicRoutingConfig {
    func validate() -> [Diagnostic] {
        StreamManagerConfig(topicRouting: self).validate()
    }
}
