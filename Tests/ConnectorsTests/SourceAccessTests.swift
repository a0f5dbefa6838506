import Foundation
@testable import Connectors
import Pipeline
import StreamConfig
import Testing

/// The connectors hold every source to `manager.source_access` at use — references, the URL,
/// next pages, redirects, files — and mask what the references resolved to in their errors.
@Suite("source access at use")
struct SourceAccessTests {
    func make(_ type: String, _ settings: ConfigObject, access: SourceAccessPolicy,
              environment: [String: String] = [:]) throws -> any SourceConnector {
        let source = SourceConfig(sourceType: type, topic: "t", timeoutSeconds: 5, connector: settings)
        return try ConnectorRegistry.shared.makeConnector(sourceID: "s", source: source, environment: environment, access: access)
    }

    func refusal(_ body: () throws -> Void) -> ConnectorRegistryError? {
        do { try body() } catch let e as ConnectorRegistryError { return e } catch { Issue.record("\(error)") }
        return nil
    }

    func fetchError(_ connector: any SourceConnector) async -> ConnectorError? {
        do { _ = try await connector.fetch(FetchRequest(cursor: nil, maxRecords: 100)) } catch let e as ConnectorError { return e } catch {
            Issue.record("\(error)")
        }
        return nil
    }

    @Test("a reference to a variable the operator does not list is refused before anything resolves")
    func unlistedVariable() {
        let error = refusal {
            _ = try make("http_json", ["url": "http://collector.example/?h=${HOME}"], access: SourceAccessPolicy(),
                         environment: ["HOME": "/root"])
        }
        #expect(error == .access("environment variable HOME is not in manager.source_access.env (the operator's allow-list); "
            + "add it or a glob such as FIRMS_* to the operator's --config"))
        // Listed: it resolves.
        #expect(throws: Never.self) {
            _ = try make("http_json", ["url": "http://collector.example/?h=${HOME}"], access: SourceAccessPolicy(env: ["HOME"]),
                         environment: ["HOME": "/root"])
        }
    }

    @Test("a URL built from the environment is checked when the connector is made; file:// is off by default")
    func builtURL() {
        let error = refusal {
            _ = try make("http_json", ["url": "${FEED_URL}"], access: SourceAccessPolicy(env: ["FEED_*"], hosts: ["api.example.org"]),
                         environment: ["FEED_URL": "http://metadata.internal/latest"])
        }
        #expect(error?.description.hasPrefix("host 'metadata.internal' is not in manager.source_access.hosts") == true)
        let file = refusal {
            _ = try make("http_json", ["url": "file:///etc/passwd", "format": "csv"], access: SourceAccessPolicy())
        }
        #expect(file?.description.hasPrefix("URL scheme 'file' is not in manager.source_access.url_schemes") == true)
        let passwd = refusal { _ = try make("file", ["path": "/etc/passwd"], access: SourceAccessPolicy()) }
        #expect(passwd?.description.hasPrefix("path '/etc/passwd' is outside manager.source_access.file_roots") == true)
    }

    @Test("a next_url_path page on a host outside the list is not fetched: the fetch fails with a clear error")
    func nextPageElsewhere() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let settings: ConfigObject = ["url": .string("\(server.base)/pages/3?next_host=localhost"), "records_path": "data.items",
                                      "next_url_path": "pagination.next"]
        let c = try make("http_json", settings, access: SourceAccessPolicy(hosts: ["127.0.0.1"]))
        let error = await fetchError(c)
        #expect(error?.isRetriable == false)
        #expect(error?.message.hasPrefix("refused: host 'localhost' is not in manager.source_access.hosts") == true, "\(error?.message ?? "")")
        let asked = try await server.requests().compactMap { $0["path"] as? String }
        #expect(asked.filter { $0.hasPrefix("/pages") }.count == 1)   // only the first page was fetched
    }

    @Test("a redirect to a host outside the list, or to file://, is not followed")
    func redirects() async throws {
        let server = try await FixtureServer.start()
        defer { server.stop() }
        let access = SourceAccessPolicy(hosts: ["127.0.0.1"])
        let away = "http://localhost:\(server.port)/fixtures/nws_alerts_active.json"
        let toElsewhere = try make("noaa_weather", ["url": .string("\(server.base)/redirect?to=\(away)")], access: access)
        let error = await fetchError(toElsewhere)
        #expect(error?.message.hasPrefix("refused redirect to \(away): host 'localhost' is not in manager.source_access.hosts") == true,
                "\(error?.message ?? "")")
        let toFile = try make("http_json", ["url": .string("\(server.base)/redirect?to=file:///etc/passwd"), "format": "csv"],
                              access: SourceAccessPolicy(urlSchemes: [.http, .file], hosts: ["127.0.0.1"], fileRoots: ["/"]))
        let fileError = await fetchError(toFile)
        #expect(fileError?.message.hasPrefix("refused redirect to file:///etc/passwd: a redirect to a file:// URL is never followed") == true)
        // Inside the list, the redirect is followed.
        let inside = try make("noaa_weather", ["url": .string("\(server.base)/redirect?to=/fixtures/nws_alerts_active.json")], access: access)
        #expect(try await inside.fetch(FetchRequest(cursor: nil, maxRecords: 10)).records.count == 2)
    }

    @Test("what a reference resolved to never shows in an error: curl's resolver message, an error body echoing it")
    func secretsMasked() async throws {
        let secret = "probe-7f3a9c21e4"
        let access = SourceAccessPolicy(env: ["PROBE_*"])
        let unresolvable = try make("http_json", ["url": "http://${PROBE_SECRET}.invalid:1/x"], access: access,
                                    environment: ["PROBE_SECRET": secret])
        let resolver = try #require(await fetchError(unresolvable))
        #expect(resolver.message.contains("curl error 6") && resolver.message.contains("REDACTED.invalid"), "\(resolver.message)")
        #expect(!resolver.message.contains(secret))

        let server = try await FixtureServer.start()
        defer { server.stop() }
        let echoing = try make("iot_sensor", ["url": .string("\(server.base)/echo-key/401"), "headers": ["X-Api-Key": "${PROBE_KEY}"]],
                               access: access, environment: ["PROBE_KEY": secret])
        let status = try #require(await fetchError(echoing))
        #expect(status.message.hasPrefix("HTTP 401 (GET \(server.base)/echo-key/401): bad key REDACTED xxx"), "\(status.message)")
        #expect(!status.message.contains(secret) && status.message.hasSuffix("…"))
        #expect(status.message.utf8.count < 300)
    }

    @Test("the file source checks every file right before reading it: a symlink swapped in later is refused")
    func fileSymlinkLater() async throws {
        let root = NSTemporaryDirectory() + "file-access-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try "{\"n\":1}\n".write(toFile: "\(root)/a.jsonl", atomically: true, encoding: .utf8)
        let c = try make("file", ["path": .string("\(root)/*.jsonl")], access: SourceAccessPolicy(fileRoots: [root]))
        let first = try await c.fetch(FetchRequest(cursor: nil, maxRecords: 10))
        #expect(first.records.count == 1)
        try FileManager.default.createSymbolicLink(atPath: "\(root)/b.jsonl", withDestinationPath: "/etc/passwd")
        let error = await fetchError(c)
        #expect(error?.message.hasPrefix("path '\(root)/b.jsonl' is outside manager.source_access.file_roots") == true,
                "\(error?.message ?? "")")
    }
}
