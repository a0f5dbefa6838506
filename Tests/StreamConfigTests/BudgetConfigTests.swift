import Foundation
import StreamConfig
import Testing

@Suite("budgets in the config: the section, the source key, the record, the members")
struct BudgetConfigTests {
    static let file = """
        budgets:
          firms: {requests: 5000, interval_seconds: 600, hosts: [firms.modaps.eosdis.nasa.gov]}
          api: {requests: 60, interval_seconds: 10}
        sources:
          a: {source_type: generator, topic: t, budget: api}
          b: {source_type: generator, topic: t}
        """

    @Test("a file declares budgets and sources join one with 'budget:'; the hash of a source without one is unchanged")
    func parse() throws {
        let config = try ConfigLoader.parse(Self.file).result.get()
        #expect(config.budgets["api"] == BudgetConfig(requests: 60, intervalSeconds: 10))
        #expect(config.budgets["firms"]?.hosts == ["firms.modaps.eosdis.nasa.gov"])
        #expect(config.sources["a"]?.budget == "api" && config.sources["b"]?.budget == nil)
        #expect(config.sources["a"]!.canonicalJSON.contains("\"budget\":\"api\""))
        #expect(!config.sources["b"]!.canonicalJSON.contains("budget"))
        #expect(config.sources["b"]!.configHash == SourceConfig(sourceType: "generator", topic: "t").configHash)
    }

    @Test("joining or leaving a budget is a hot change")
    func hot() throws {
        let config = try ConfigLoader.parse(Self.file).result.get()
        var moved = config.sources["b"]!
        moved.budget = "api"
        #expect(classify(config.sources["b"]!, moved) == .hot(["budget"]))
    }

    @Test("an unknown budget, a bad name, missing or out-of-range numbers and bad hosts: errors with line and column")
    func errors() {
        let unknown = ConfigLoader.parse("""
            budgets: {api: {requests: 60, interval_seconds: 10}}
            sources:
              a: {source_type: generator, topic: t, budget: apj}
            """).diagnostics.errors
        #expect(unknown.count == 1)
        #expect(unknown.first?.path == "sources.a.budget" && unknown.first?.line == 3 && unknown.first?.column == 49)
        #expect(unknown.first?.message.contains("budget 'apj' is not defined (budgets: api)") == true)
        #expect(unknown.first?.message.contains("api") == true)

        let bad = ConfigLoader.parse("""
            budgets:
              "x y": {requests: 1, interval_seconds: 1}
              zero: {requests: 0, interval_seconds: 0.5}
              huge: {requests: 1e12, interval_seconds: .inf}
              partial: {requests: 10}
              hosts: {requests: 1, interval_seconds: 1, hosts: ["", "a b"]}
            """).diagnostics.errors
        let paths = Set(bad.map(\.path))
        #expect(paths.isSuperset(of: ["budgets.x y", "budgets.zero.requests", "budgets.zero.interval_seconds",
                                      "budgets.huge.requests", "budgets.huge.interval_seconds",
                                      "budgets.partial.interval_seconds", "budgets.hosts.hosts[0]", "budgets.hosts.hosts[1]"]),
                "\(bad.map { "\($0.path): \($0.message)" })")
        #expect(bad.allSatisfy { $0.line > 0 })
    }

    @Test("a budget record: JSON or YAML, validated, unknown keys only warned about")
    func record() {
        let good = ConfigLoader.parseBudgetDocument(data: Data(#"{"requests":60,"interval_seconds":10,"hosts":[],"later":1}"#.utf8), name: "api")
        #expect(good.value == BudgetConfig(requests: 60, intervalSeconds: 10))
        #expect(good.diagnostics.contains { $0.severity == .warning })
        #expect(ConfigLoader.parseBudgetDocument(data: Data(BudgetConfig(requests: 7, intervalSeconds: 1.5, hosts: ["h"]).canonicalJSON.utf8),
                                                 name: "x").value == BudgetConfig(requests: 7, intervalSeconds: 1.5, hosts: ["h"]))
        let bad = ConfigLoader.parseBudgetDocument(data: Data(#"{"requests":-1}"#.utf8), name: "api")
        #expect(bad.value == nil && bad.diagnostics.errors.count == 2)
        #expect(ConfigLoader.parseBudgetDocument(data: Data("[1, 2".utf8), name: "api").value == nil)
        #expect(ConfigLoader.parseBudgetDocument(data: Data(#"{"requests":1,"interval_seconds":1}"#.utf8), name: "__x").value == nil)
        #expect(BudgetConfig.name(fromRecordKey: "__budget:api") == "api" && BudgetConfig.name(fromRecordKey: "api") == nil)
    }

    @Test("members: the named budget, else the first covering the API host; enabled sources only; need from the interval")
    func members() throws {
        let budgets = ["firms": BudgetConfig(requests: 5000, intervalSeconds: 600, hosts: ["*.eosdis.nasa.gov"]),
                       "api": BudgetConfig(requests: 60, intervalSeconds: 10)]
        var named = SourceConfig(sourceType: "http_json", connector: ["url": "https://example.org/x"], budget: "api")
        named.ingestion.pollingIntervalSeconds = 2
        let covered = SourceConfig(sourceType: "nasa_firms", connector: ["map_key": "k"])
        let coveredByURL = SourceConfig(sourceType: "http_json", connector: ["url": "https://firms.modaps.eosdis.nasa.gov/api/x"])
        var disabled = covered
        disabled.enabled = false
        let elsewhere = SourceConfig(sourceType: "http_json", connector: ["url": "https://example.org/x"])
        let unknown = SourceConfig(sourceType: "generator", budget: "nope")
        let members = BudgetMembership.members(budgets: budgets, sources: [
            "named": named, "covered": covered, "url": coveredByURL, "disabled": disabled, "elsewhere": elsewhere, "unknown": unknown])
        #expect(members["api"]?.map(\.sourceID) == ["named"])
        #expect(members["api"]?.first?.demandPerSecond == 0.5)
        #expect(members["firms"]?.map(\.sourceID) == ["covered", "url"])
    }
}
