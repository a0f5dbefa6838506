import Foundation
import Testing
@testable import StreamConfig

@Suite("manager.source_access")
struct SourceAccessPolicyTests {
    @Test("defaults: no environment, http and https to any host, files under the working directory")
    func defaults() {
        let p = SourceAccessPolicy()
        #expect(p.env.isEmpty && p.urlSchemes == [.http, .https] && p.hosts == ["*"] && p.fileRoots == ["."])
        #expect(p.variableRefusal("HOME") == "environment variable HOME is not in manager.source_access.env (the operator's "
            + "allow-list); add it or a glob such as FIRMS_* to the operator's --config")
        #expect(p.variableRefusal("PURPLEAIR_API_KEY")?.contains("a glob such as PURPLEAIR_*") == true)
        #expect(p.urlRefusal("https://api.weather.gov/alerts") == nil)
        #expect(p.urlRefusal("file:///etc/passwd")?.hasPrefix("URL scheme 'file' is not in manager.source_access.url_schemes") == true)
        #expect(p.pathRefusal("/etc/passwd") != nil)
        #expect(p.pathRefusal("config/demo-data/sensor_readings.jsonl") == nil)
    }

    @Test("env: names and globs, case-sensitive; the visible environment holds only what is listed")
    func environment() {
        let p = SourceAccessPolicy(env: ["FIRMS_*", "KEY_?", "EXACT"])
        #expect(p.allowsVariable("FIRMS_MAP_KEY") && p.allowsVariable("KEY_1") && p.allowsVariable("EXACT"))
        #expect(!p.allowsVariable("KEY_12") && !p.allowsVariable("firms_map_key") && !p.allowsVariable("EXACTLY")
                && !p.allowsVariable("HOME"))
        #expect(p.visibleEnvironment(["FIRMS_A": "1", "HOME": "/root", "EXACT": "x"]) == ["FIRMS_A": "1", "EXACT": "x"])
    }

    @Test("hosts: case-insensitive globs; a port only when the entry has one (the scheme's default otherwise)")
    func hosts() {
        let p = SourceAccessPolicy(hosts: ["api.example.org", "*.Feeds.example.org", "localhost:8080", "[::1]:*", "10.0.0.?"])
        #expect(p.urlRefusal("https://API.Example.org:8443/x") == nil)
        #expect(p.urlRefusal("http://api.example.org./x") == nil)  // the root dot changes nothing
        #expect(p.urlRefusal("https://a.b.feeds.example.org/") == nil)
        #expect(p.urlRefusal("https://feeds.example.org/") != nil)   // *. needs a label
        #expect(p.urlRefusal("http://localhost:8080/") == nil)
        #expect(p.urlRefusal("http://localhost:8081/")?.hasPrefix("host 'localhost' is not in manager.source_access.hosts") == true)
        #expect(p.urlRefusal("http://localhost/") != nil)            // port 80, not 8080
        #expect(p.urlRefusal("http://[::1]:9999/") == nil)
        #expect(p.urlRefusal("http://10.0.0.7/") == nil && p.urlRefusal("http://10.0.0.77/") != nil)
        #expect(p.urlRefusal("http://evil.example.com/?h=api.example.org") != nil)
        #expect(p.urlRefusal("http://api.example.org@evil.example.com/") != nil)   // userinfo is not the host
        #expect(p.urlRefusal("http://evil.example.com#@api.example.org") != nil)
        #expect(p.urlRefusal(#"http://evil.example.com\.api.example.org/"#) == "'evil.example.com\\.api.example.org' is not a valid host name")
        let https = SourceAccessPolicy(hosts: ["secure.example.org:443"])
        #expect(https.urlRefusal("https://secure.example.org/") == nil && https.urlRefusal("http://secure.example.org/") != nil)
    }

    @Test("schemes; references in a URL are left to the check at use")
    func schemes() {
        let p = SourceAccessPolicy(urlSchemes: [.https], hosts: ["api.example.org"])
        #expect(p.urlRefusal("http://api.example.org/")?.contains("(the operator's allow-list: https)") == true)
        #expect(p.urlRefusal("HTTPS://api.example.org/") == nil)
        #expect(p.urlRefusal("gopher://api.example.org/") != nil)
        #expect(p.urlRefusal("https://${API_HOST}/v1") == nil)
        #expect(p.urlRefusal("${API_URL}") == nil)
        #expect(p.urlRefusal("https://api.example.org/v1?key=${KEY}") == nil)
        #expect(p.urlRefusal("not a url") == "'not a url' is not a URL this operator can check")
    }

    @Test("file roots: symlinks and '..' are resolved before comparing; globs are checked file by file")
    func fileRoots() throws {
        let base = try Self.tree()
        let p = SourceAccessPolicy(urlSchemes: [.file], fileRoots: ["\(base)/root"])
        #expect(p.pathRefusal("\(base)/root/a.jsonl") == nil)
        #expect(p.pathRefusal("\(base)/root/not-yet/b.jsonl") == nil)               // may appear later
        #expect(p.pathRefusal("\(base)/root/../outside/secret.txt") != nil)
        #expect(p.pathRefusal("\(base)/root/missing/../../outside/secret.txt") != nil)
        #expect(p.pathRefusal("\(base)/root/link-out/secret.txt") != nil)           // a symlink pointing out
        #expect(p.pathRefusal("\(base)/root/link-in") == nil)                       // a symlink staying inside
        #expect(p.pathRefusal("\(base)/rootless/a.jsonl") != nil)                   // a sibling sharing the prefix
        #expect(p.urlRefusal("file://\(base)/root/a.jsonl") == nil)
        #expect(p.urlRefusal("file://\(base)/root/%2e%2e/outside/secret.txt") != nil)

        let glob = "\(base)/root/*/secret.txt"
        let refusal = p.globRefusal(glob, matches: FileGlob.matches(glob))
        #expect(refusal == "path '\(glob)' matches '\(base)/root/link-out/secret.txt', which is outside "
            + "manager.source_access.file_roots (the operator's allow-list, checked after symlinks and '..' are "
            + "resolved); add a root to the operator's --config")
        #expect(p.globRefusal("\(base)/root/*.jsonl", matches: FileGlob.matches("\(base)/root/*.jsonl")) == nil)
        #expect(p.globRefusal("\(base)/outside/*.txt", matches: []) != nil)         // can never match inside
        #expect(p.globRefusal("\(base)/ro?t/a.jsonl", matches: FileGlob.matches("\(base)/ro?t/a.jsonl")) == nil)  // reaches into the root
        #expect(p.globRefusal("\(base)/*/a.jsonl", matches: FileGlob.matches("\(base)/*/a.jsonl")) != nil)      // ...and out of it
        let relative = SourceAccessPolicy(fileRoots: ["."])
        #expect(relative.pathRefusal("config/demo-data/../../../etc/passwd") != nil)
    }

    /// base/root/{a.jsonl, link-out → ../outside, link-in → a.jsonl}, base/outside/secret.txt, base/rootless/a.jsonl.
    static func tree() throws -> String {
        let fm = FileManager.default
        let base = NSTemporaryDirectory() + "source-access-\(UUID().uuidString)"
        for d in ["root", "outside", "rootless"] { try fm.createDirectory(atPath: "\(base)/\(d)", withIntermediateDirectories: true) }
        try "{}\n".write(toFile: "\(base)/root/a.jsonl", atomically: true, encoding: .utf8)
        try "{}\n".write(toFile: "\(base)/rootless/a.jsonl", atomically: true, encoding: .utf8)
        try "secret\n".write(toFile: "\(base)/outside/secret.txt", atomically: true, encoding: .utf8)
        try fm.createSymbolicLink(atPath: "\(base)/root/link-out", withDestinationPath: "../outside")
        try fm.createSymbolicLink(atPath: "\(base)/root/link-in", withDestinationPath: "a.jsonl")
        return base
    }

    @Test("decoded from manager.source_access; a key left out keeps its default; bad entries are reported where written")
    func decoding() throws {
        let good = parse("""
            manager:
              source_access:
                env: [FIRMS_MAP_KEY, "PURPLEAIR_*"]
                hosts: [api.weather.gov]
            """)
        let access = try #require(good.value?.manager.sourceAccess)
        #expect(access == SourceAccessPolicy(env: ["FIRMS_MAP_KEY", "PURPLEAIR_*"], hosts: ["api.weather.gov"]))
        #expect(good.diagnostics.isEmpty, "\(good.diagnostics.rendered)")

        let bad = parse("""
            manager:
              source_access:
                env: [OK, "not ok"]
                url_schemes: [https, ftp]
                hosts: ["", "h:0", "*.example.org:*"]
                file_roots: ["data/*", "/"]
                hots: []
            """)
        expectDiagnostic(bad.diagnostics, at: "manager.source_access.env[1]", line: 3, column: 15, containing: "a variable name or a glob")
        expectDiagnostic(bad.diagnostics, at: "manager.source_access.url_schemes[1]", line: 4, column: 26,
                         containing: "unknown value 'ftp'; allowed: http, https, file")
        expectDiagnostic(bad.diagnostics, at: "manager.source_access.hosts[0]", line: 5, column: 13, containing: "a host name or glob")
        expectDiagnostic(bad.diagnostics, at: "manager.source_access.hosts[1]", line: 5, column: 17, containing: "a host name or glob")
        expectDiagnostic(bad.diagnostics, at: "manager.source_access.file_roots[0]", line: 6, column: 18, containing: "not a glob")
        expectDiagnostic(bad.diagnostics, at: "manager.source_access.file_roots[1]", .warning, line: 6, column: 28,
                         containing: "every file the operator can read")
        expectDiagnostic(bad.diagnostics, at: "manager.source_access.hots", line: 7, column: 5, containing: "did you mean 'hosts'")
        #expect(bad.diagnostics.filter { $0.path.hasPrefix("manager.source_access.hosts[2]") }.isEmpty)
    }

    static let record = """
        source_type: http_json
        topic: t
        connector:
          url: "http://collector.example/?h=${HOME}&s=${ANY_SECRET}"
          headers: {X-Api-Key: "${FIRMS_MAP_KEY}"}
        """

    @Test("the operator rejects a source that reaches outside its lists, at the line and column of what does")
    func enforced() {
        let policy = SourceAccessPolicy(env: ["FIRMS_*"])
        let result = ConfigLoader.parseSourceDocument(Self.record, sourceID: "x", options: .operator(policy))
        #expect(result.value == nil)
        // One error per variable, both at the URL's value.
        let url = result.diagnostics.filter { $0.path == "connector.url" }
        #expect(url.map(\.severity) == [.error, .error] && url.allSatisfy { $0.line == 4 && $0.column == 8 })
        #expect(url.map(\.message).sorted() == ["HOME", "ANY_SECRET"].compactMap(SourceAccessPolicy().variableRefusal).sorted())
        #expect(!result.diagnostics.contains { $0.message.contains("FIRMS_MAP_KEY") })

        let passwd = ConfigLoader.parseSourceDocument("""
            source_type: http_json
            topic: t
            connector: {url: "file:///etc/passwd", format: csv}
            """, sourceID: "p", options: .operator(SourceAccessPolicy()))
        expectDiagnostic(passwd.diagnostics, at: "connector.url", line: 3, column: 18, containing: "URL scheme 'file'")
        let file = ConfigLoader.parseSourceDocument("""
            source_type: file
            topic: t
            connector:
              path: /etc/passwd
            """, sourceID: "f", options: .operator(SourceAccessPolicy()))
        expectDiagnostic(file.diagnostics, at: "connector.path", line: 4, column: 9,
                         containing: "path '/etc/passwd' is outside manager.source_access.file_roots")
        // Unknown keys stay warnings for the operator; the demo's file sources pass.
        let demo = ConfigLoader.parseSourceDocument("""
            source_type: file
            topic: t
            connector: {path: "config/demo-data/*.jsonl", follow: true}
            """, sourceID: "d", options: .operator(SourceAccessPolicy()))
        #expect(demo.value != nil, "\(demo.diagnostics.rendered)")
    }

    @Test("validate and apply only warn, naming whose lists they used; built in code, nothing is checked")
    func advisedAndOff() throws {
        let advised = ConfigLoader.parseSourceDocument(Self.record, sourceID: "x",
                                                       options: ValidationOptions(access: .advise(SourceAccessPolicy())))
        #expect(advised.value != nil)
        let warnings = advised.diagnostics.filter { $0.message.hasPrefix("an operator with the default manager.source_access rejects this source") }
        #expect(warnings.count == 3 && warnings.allSatisfy { $0.severity == .warning }, "\(advised.diagnostics.rendered)")

        // A whole file is judged by its own lists.
        let file = parse("""
            manager:
              source_access: {env: [HOME]}
            sources:
              x:
                source_type: http_json
                topic: t
                connector: {url: "http://h/?a=${HOME}&b=${USER}"}
            """, options: ValidationOptions(access: .advise(SourceAccessPolicy())))
        let own = file.diagnostics.filter { $0.message.hasPrefix("an operator with this file's manager.source_access") }
        #expect(own.count == 1 && own[0].message.contains("USER") && own[0].line == 7)

        #expect(ConfigLoader.parseSourceDocument(Self.record, sourceID: "x", options: .strict).diagnostics.isEmpty)
    }
}
