import Reconciler
import StreamConfig
import Testing

@Suite("DesiredStateStore")
struct DesiredStateStoreTests {
    func source(_ id: String, _ version: String, topic: String = "t") -> DesiredSource {
        DesiredSource(sourceID: id, config: SourceConfig(sourceType: "generator", topic: topic), configVersion: version)
    }

    @Test("synced only after initDone; a good config clears a refusal; delete removes both")
    func basics() {
        var store = DesiredStateStore()
        store.apply(.initStarted)
        store.apply(.apply(source("a", "kafka:0:1")))
        #expect(!store.isSynced && store.state.sources.isEmpty)  // not visible before the snapshot completes
        #expect(store.apply(.initDone) == ["a"])
        #expect(store.isSynced && store.state.sources["a"]?.configVersion == "kafka:0:1")
        let refused = Rejection(configHash: "x", configVersion: "kafka:0:2", error: "bad")
        #expect(store.apply(.reject(sourceID: "a", refused)) == ["a"])
        #expect(store.state.sources["a"] != nil && store.state.rejections["a"] == refused)  // last good config stays
        store.apply(.apply(source("a", "kafka:0:3", topic: "u")))
        #expect(store.state.rejections["a"] == nil && store.state.sources["a"]?.config.topic == "u")
        store.apply(.delete(sourceID: "a", configVersion: "kafka:0:4"))
        #expect(store.state.sources.isEmpty)
    }

    @Test("a re-list replaces the state at its initDone; a document error rejects every source and changes nothing else")
    func relistAndDocumentError() {
        var store = DesiredStateStore()
        for e: DesiredStateEvent in [.initStarted, .apply(source("a", "file:1")), .apply(source("b", "file:1")), .initDone] { store.apply(e) }
        let broken = Rejection(configHash: nil, configVersion: "file:2", error: "line 4, column 3: mapping values are not allowed here")
        #expect(store.apply(.documentError(broken)) == ["a", "b"])
        #expect(store.state.sources.count == 2 && store.state.rejections == ["a": broken, "b": broken])
        #expect(store.documentError == broken)
        for e: DesiredStateEvent in [.initStarted, .apply(source("b", "file:3")), .initDone] { store.apply(e) }
        #expect(Set(store.state.sources.keys) == ["b"] && store.state.rejections.isEmpty && store.documentError == nil)
    }
}
