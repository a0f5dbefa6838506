import Foundation
import Testing
@testable import Pipeline
import StreamConfig

@Suite("TopicResolver")
struct TopicResolverTests {
    static let rules = TopicRoutingConfig(
        custom: ["special_feed": "custom-topic"],
        patterns: [
            TopicPattern(match: "firms_*", on: .sourceID, topic: "fire-detections"),
            TopicPattern(match: "noaa_?", on: .sourceID, topic: "weather-short"),
            TopicPattern(match: "iot_*", on: .sourceType, topic: "sensor-readings"),
        ],
        contentRules: [
            ContentRule(field: "confidence", equals: .string("h"), priority: .critical),
            ContentRule(field: "properties.event", matches: "^Red Flag", topic: "weather-alerts",
                        priority: .high),
            ContentRule(field: "kind", equals: .string("test"), topic: "test-records"),
        ],
        fallbackTopic: "unrouted")

    func resolved(_ resolver: TopicResolver, _ r: PipelineRecord, type: String = "http_json",
                  sourceTopic: String? = nil) -> PipelineRecord {
        var r = r
        resolver.resolve(&r, sourceType: type, sourceTopic: sourceTopic)
        return r
    }

    @Test func customMappingWinsOverEveryOtherRule() throws {
        let resolver = try TopicResolver(rules: Self.rules)
        let r = resolved(resolver, testJSONRecord("special_feed", #"{"kind":"test"}"#), type: "iot_sensor",
                         sourceTopic: "own-topic")
        #expect(r.topic == "custom-topic")
        #expect(resolver.metrics.customUsed == 1)
    }

    @Test func contentRuleBeatsPatternAndSourceTopic() throws {
        let resolver = try TopicResolver(rules: Self.rules)
        let r = resolved(resolver, testJSONRecord("firms_viirs", #"{"kind":"test"}"#), sourceTopic: "own")
        #expect(r.topic == "test-records")
        #expect(resolver.metrics.contentUsed == 1)
    }

    @Test func patternRuleBeatsTheSourceTopic() throws {
        let resolver = try TopicResolver(rules: Self.rules)
        #expect(resolved(resolver, testJSONRecord("firms_viirs", "{}"), sourceTopic: "own").topic == "fire-detections")
        #expect(resolved(resolver, testJSONRecord("noaa_x", "{}"), sourceTopic: "own").topic == "weather-short")
        #expect(resolved(resolver, testJSONRecord("noaa_xy", "{}"), sourceTopic: "own").topic == "own")
        #expect(resolved(resolver, testJSONRecord("meter7", "{}"), type: "iot_sensor").topic == "sensor-readings")
        #expect(resolver.metrics.patternUsed == 3)
        #expect(resolver.metrics.sourceTopicUsed == 1)
    }

    @Test func sourceTopicThenFallback() throws {
        let resolver = try TopicResolver(rules: Self.rules)
        #expect(resolved(resolver, testJSONRecord("other", "{}"), sourceTopic: "own").topic == "own")
        #expect(resolved(resolver, testJSONRecord("other", "{}"), sourceTopic: nil).topic == "unrouted")
        #expect(resolved(resolver, testJSONRecord("other", "{}"), sourceTopic: "").topic == "unrouted")
        let m = resolver.metrics
        #expect(m.sourceTopicUsed == 1 && m.fallbackUsed == 2)
    }

    @Test func contentRulePromotesPriorityWhateverRoutesTheRecord() throws {
        let resolver = try TopicResolver(rules: Self.rules)
        // FIRMS high confidence → critical, while the pattern still picks the topic.
        let hot = resolved(resolver, testJSONRecord("firms_viirs", #"{"latitude":38.1,"confidence":"h"}"#))
        #expect(hot.priority == .critical && hot.topic == "fire-detections")
        let nominal = resolved(resolver, testJSONRecord("firms_viirs", #"{"confidence":"n"}"#))
        #expect(nominal.priority == .normal)
        // Custom mapping routes, content still promotes.
        let custom = resolved(resolver, testJSONRecord("special_feed", #"{"confidence":"h"}"#))
        #expect(custom.priority == .critical && custom.topic == "custom-topic")
        #expect(resolver.metrics.priorityPromoted == 2)
    }

    @Test func contentRuleRoutesAndPromotesByRegexOnANestedField() throws {
        let resolver = try TopicResolver(rules: Self.rules)
        let r = resolved(resolver, testJSONRecord("noaa_alerts", #"{"properties":{"event":"Red Flag Warning"}}"#, .low))
        #expect(r.topic == "weather-alerts" && r.priority == .high)
        let other = resolved(resolver, testJSONRecord("noaa_alerts", #"{"properties":{"event":"Heat Advisory"}}"#),
                             sourceTopic: "alerts")
        #expect(other.topic == "alerts" && other.priority == .normal)
    }

    @Test func priorityIsNeverLowered() throws {
        let resolver = try TopicResolver(rules: TopicRoutingConfig(contentRules: [
            ContentRule(field: "a", equals: .string("1"), priority: .low),
        ]))
        let r = resolved(resolver, testJSONRecord("s", #"{"a":1}"#, .high))
        #expect(r.priority == .high)
        #expect(resolver.metrics.priorityPromoted == 0)
    }

    @Test func firstMatchingContentRuleWithATopicRoutes() throws {
        let resolver = try TopicResolver(rules: TopicRoutingConfig(contentRules: [
            ContentRule(field: "level", equals: .string("3"), priority: .high),  // no topic: keeps looking
            ContentRule(field: "level", matches: "^[0-9]+$", topic: "numbered"),
            ContentRule(field: "level", equals: .string("3"), topic: "three"),
        ]))
        let r = resolved(resolver, testJSONRecord("s", #"{"level": 3}"#))
        #expect(r.topic == "numbered" && r.priority == .high)
    }

    @Test func scalarsCompareByTheirJSONText() throws {
        let resolver = try TopicResolver(rules: TopicRoutingConfig(contentRules: [
            ContentRule(field: "ok", equals: .string("true"), topic: "bool"),
            ContentRule(field: "v", equals: .string("1.0"), topic: "number"),
            ContentRule(field: "n", equals: .string("null"), topic: "null"),
            ContentRule(field: "items.1.id", equals: .string("b"), topic: "array"),
            ContentRule(field: "name", equals: .string("Zoë \"Z\""), topic: "escaped"),
        ]))
        #expect(resolved(resolver, testJSONRecord("s", #"{"ok": true}"#)).topic == "bool")
        #expect(resolved(resolver, testJSONRecord("s", #"{"v": 1.0}"#)).topic == "number")
        #expect(resolved(resolver, testJSONRecord("s", #"{"v": 1}"#)).topic == TopicRoutingConfig.defaultFallbackTopic)
        #expect(resolved(resolver, testJSONRecord("s", #"{"n": null}"#)).topic == "null")
        #expect(resolved(resolver, testJSONRecord("s", #"{"items":[{"id":"a"},{"id":"b"}]}"#)).topic == "array")
        #expect(resolved(resolver, testJSONRecord("s", #"{"name":"Zo\u00eb \"Z\""}"#)).topic == "escaped")
    }

    @Test func unreadableValuesSimplyDoNotMatch() throws {
        let resolver = try TopicResolver(rules: Self.rules)
        for value in ["", "not json", #"{"confidence":"#, #"["h"]"#, #"{"confidence":{"h":1}}"#, "\u{0}\u{1}"] {
            let r = resolved(resolver, testJSONRecord("x", value), sourceTopic: "own")
            #expect(r.topic == "own" && r.priority == .normal)
        }
    }

    @Test func batchResolutionMatchesSingleResolution() throws {
        let resolver = try TopicResolver(rules: Self.rules)
        var batch = [
            testJSONRecord("firms_a", #"{"confidence":"h"}"#),
            testJSONRecord("firms_a", #"{"confidence":"l"}"#),
            testJSONRecord("firms_a", #"{"kind":"test"}"#),
            testJSONRecord("other", "{}"),
        ]
        resolver.resolve(&batch, sourceType: "nasa_firms", sourceTopic: nil)
        #expect(batch.map(\.topic) == ["fire-detections", "fire-detections", "test-records", "unrouted"])
        #expect(batch.map(\.priority) == [.critical, .normal, .normal, .normal])
        let m = resolver.metrics
        #expect(m.patternUsed == 2 && m.contentUsed == 1 && m.fallbackUsed == 1 && m.priorityPromoted == 1)
    }

    @Test func rulesCanBeReplacedAtRuntime() throws {
        let resolver = try TopicResolver(rules: Self.rules)
        #expect(resolver.topic(sourceID: "firms_x", sourceType: "t", sourceTopic: nil) == "fire-detections")
        try resolver.update(TopicRoutingConfig(custom: ["firms_x": "moved"]))
        #expect(resolver.topic(sourceID: "firms_x", sourceType: "t", sourceTopic: nil) == "moved")

        #expect(throws: RoutingRulesError.invalidRegex(field: "f", pattern: "(")) {
            try resolver.update(TopicRoutingConfig(contentRules: [ContentRule(field: "f", matches: "(")]))
        }
        #expect(resolver.topic(sourceID: "firms_x", sourceType: "t", sourceTopic: nil) == "moved")
    }

    @Test func metricsUseTheSeedsNames() throws {
        let resolver = try TopicResolver(rules: Self.rules)
        _ = resolved(resolver, testJSONRecord("special_feed", "{}"))
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(resolver.metrics)) as? [String: Any]
        for key in ["custom_used", "content_used", "pattern_used", "fallback_used", "source_topic_used"] {
            #expect(json?[key] != nil, "missing \(key)")
        }
        #expect(json?["custom_used"] as? Int == 1)
    }

    @Test func globs() {
        #expect(Glob("*").matches(""))
        #expect(Glob("a*c").matches("abbbc"))
        #expect(Glob("a*c").matches("ac"))
        #expect(!Glob("a*c").matches("acb"))
        #expect(Glob("a?c").matches("abc"))
        #expect(!Glob("a?c").matches("ac"))
        #expect(Glob("*_ca*").matches("noaa_weather_ca_north"))
        #expect(Glob("?*?").matches("ab"))
        #expect(!Glob("?*?").matches("a"))
        #expect(Glob("é?").matches("éx"))
        #expect(!Glob("noaa").matches("noaa_weather"))
    }

    @Test func fieldLookupEdgeCases() {
        func lookup(_ path: String, _ json: String) -> JSONScalar? {
            JSONPath(path).scalar(in: Array(json.utf8))
        }
        #expect(lookup("a.b", #" { "x": [1, {"b": 2}], "a" : { "c": "}", "b": -3.5e2 } } "#) == .number("-3.5e2"))
        #expect(lookup("a", #"{"a\u0062": 1, "a": "\ud83d\ude00"}"#) == .string("😀"))
        #expect(lookup("ab", #"{"a\u0062": 1}"#) == .number("1"))
        #expect(lookup("x.2", #"{"x": [true, false, null]}"#) == .null)
        #expect(lookup("x.3", #"{"x": [true, false, null]}"#) == nil)
        #expect(lookup("x", #"{"x": [1]}"#) == nil)
        #expect(lookup("missing", #"{"x": 1}"#) == nil)
        #expect(lookup("x", #"{"x": tru"#) == nil)
    }
}
