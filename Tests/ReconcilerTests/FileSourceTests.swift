import Foundation
import Reconciler
import StreamConfig
import TestSupport
import Testing

@Suite("desired state from a watched file")
struct FileSourceTests {
    static let two = """
        sources:
          a: {source_type: generator, topic: t, connector: {rate_per_second: 1}}
          b: {source_type: generator, topic: u}
        """

    func next(_ iterator: inout AsyncStream<DesiredStateEvent>.Iterator, until done: (DesiredStateEvent) -> Bool) async -> [DesiredStateEvent] {
        var out: [DesiredStateEvent] = []
        while let e = await iterator.next() {
            out.append(e)
            if done(e) { break }
        }
        return out
    }

    @Test("edits, a broken edit (document error with line and column), an atomic rename and a symlink swap")
    func edits() async throws {
        let dir = NSTemporaryDirectory() + "file-source-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/v1", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/v2", withIntermediateDirectories: true)
        // Kubernetes' ConfigMap volume layout: the file is a symlink through `..data` to a versioned folder.
        try Self.two.write(toFile: dir + "/v1/config.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/..data", withDestinationPath: "v1")
        try FileManager.default.createSymbolicLink(atPath: dir + "/config.yaml", withDestinationPath: "..data/config.yaml")
        let path = dir + "/config.yaml"
        let logger = TestLogging.logger(label: "file-source-tests")
        var it = FileSource(path: path, pollInterval: .milliseconds(50), logger: logger).events().makeAsyncIterator()

        let first = await next(&it) { $0 == .initDone }
        #expect(first.count == 4)
        guard case .apply(let a) = first[1] else { Issue.record("expected apply"); return }
        #expect(a.sourceID == "a" && a.configVersion?.hasPrefix("file:") == true && a.configVersion?.count == 5 + 64)

        // A broken edit: a document error, nothing else.
        try "sources:\n  a: {source_type: generator, topic: t\n".write(toFile: dir + "/v1/config.yaml", atomically: true, encoding: .utf8)
        let broken = await next(&it) { _ in true }
        guard case .documentError(let r) = broken.first else { Issue.record("expected documentError, got \(broken)"); return }
        #expect(r.configHash == nil && r.error.hasPrefix("\(path):3:1: error: syntax error"), "\(r.error)")

        // Fixed through an atomic rename over the target file.
        try (Self.two + "\n  c: {source_type: generator, topic: v}\n").write(toFile: dir + "/v1/.tmp", atomically: false, encoding: .utf8)
        try FileManager.default.removeItem(atPath: dir + "/v1/config.yaml")
        try FileManager.default.moveItem(atPath: dir + "/v1/.tmp", toPath: dir + "/v1/config.yaml")
        let fixed = await next(&it) { $0 == .initDone }
        #expect(fixed.count == 5)

        // A symlink swap of `..data` to another version, which declares a budget its source joins.
        try "budgets: {api: {requests: 5, interval_seconds: 2}}\nsources:\n  z: {source_type: generator, topic: zz, budget: api}\n"
            .write(toFile: dir + "/v2/config.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/..data_tmp", withDestinationPath: "v2")
        _ = rename(dir + "/..data_tmp", dir + "/..data")
        let swapped = await next(&it) { $0 == .initDone }
        #expect(swapped.count == 4)
        #expect(swapped[1] == .budget(name: "api", BudgetConfig(requests: 5, intervalSeconds: 2)))
        if case .apply(let z) = swapped[2] { #expect(z.sourceID == "z" && z.config.topic == "zz" && z.config.budget == "api") }
    }
}
