import TestSupport
import Foundation
import Testing

/// `stream-manager validate`, run as users run it: a separate process on real files.
@Suite("stream-manager validate")
struct ValidateCommandTests {
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A fresh temp directory per test; files written there by name.
    final class TempFiles {
        let directory: URL

        init() throws {
            directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("validate-tests-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }

        func write(_ name: String, _ text: String) throws -> String {
            let url = directory.appendingPathComponent(name)
            try Data(text.utf8).write(to: url)
            return url.path
        }

        deinit { try? FileManager.default.removeItem(at: directory) }
    }

    /// Every stdout line has the contract's shape.
    func expectContractLines(_ stdout: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let shape = #/^.+:[1-9][0-9]*:[1-9][0-9]*: (error|warning): .+$/#
        for line in stdout.split(separator: "\n") {
            #expect(line.wholeMatch(of: shape) != nil, "not FILE:LINE:COLUMN: severity: message — \(line)",
                    sourceLocation: sourceLocation)
        }
    }

    @Test("the example config validates (exit 0; at most warnings about unset secrets)")
    func example() throws {
        let path = Self.repoRoot.appendingPathComponent("config/stream_config.example.yaml").path
        let result = try StreamManagerBinary.run(["validate", path])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        expectContractLines(result.stdout)
        #expect(!result.stdout.contains(": error: "))
        let demo = try StreamManagerBinary.run(["validate", Self.repoRoot.appendingPathComponent("config/demo.yaml").path])
        #expect(demo.status == 0 && demo.stdout.isEmpty, "\(demo.stdout)\(demo.stderr)")
    }

    @Test("a typo'd key and a wrong type are both printed with exact positions; exit 1")
    func typoAndType() throws {
        let files = try TempFiles()
        let path = try files.write("typo.yaml", """
            sources:
              noaa:
                source_type: noaa_weather
                topic: weather
                ingestion:
                  mode: real_time
                  polling_interval_secs: 30
                  max_records_per_poll: many
            """)
        let result = try StreamManagerBinary.run(["validate", path])
        #expect(result.status == 1)
        #expect(result.stdout == """
            \(path):7:7: error: sources.noaa.ingestion.polling_interval_secs: unknown key 'polling_interval_secs'; did you mean 'polling_interval_seconds'?
            \(path):8:29: error: sources.noaa.ingestion.max_records_per_poll: expected an integer, got a string ("many")

            """)
    }

    @Test("a syntax error prints its position and the offending line; exit 1")
    func syntaxError() throws {
        let files = try TempFiles()
        let path = try files.write("broken.yaml", "sources:\n  a:\n    topic: x: y\n")
        let result = try StreamManagerBinary.run(["validate", path])
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("\(path):3:13: error: syntax error: mapping values are not allowed"), "\(result.stdout)")
        #expect(result.stdout.hasSuffix(": `topic: x: y`\n"), "\(result.stdout)")
        expectContractLines(result.stdout)

        let json = try files.write("broken.json", "{\n  \"kafka\": {\"batch_size\": 1}\n  \"sources\": {}\n}\n")
        let jsonResult = try StreamManagerBinary.run(["validate", json])
        #expect(jsonResult.status == 1)
        #expect(jsonResult.stdout.hasPrefix("\(json):3:3: error: syntax error"), "\(jsonResult.stdout)")
    }

    @Test("warnings alone exit 0; several files are all checked; a missing file is reported")
    func severalFiles() throws {
        let files = try TempFiles()
        let warnOnly = try files.write("warn.yaml", """
            manager: {source_access: {env: [STREAM_MANAGER_TEST_*]}}
            sources:
              a:
                source_type: http_json
                topic: t
                connector:
                  url: "https://example.org/data"
                  headers: {X-Token: "${STREAM_MANAGER_TEST_UNSET_VARIABLE}"}
            """)
        let ok = try StreamManagerBinary.run(["validate", warnOnly])
        #expect(ok.status == 0)
        #expect(ok.stdout == "\(warnOnly):8:26: warning: sources.a.connector.headers.X-Token: environment variable STREAM_MANAGER_TEST_UNSET_VARIABLE is not set here; the source fails to start where it is not set either\n")

        let bad = try files.write("bad.json", #"{"queue_overflow_strategy": "drop_all"}"#)
        let missing = files.directory.appendingPathComponent("missing.yaml").path
        let all = try StreamManagerBinary.run(["validate", warnOnly, bad, missing])
        #expect(all.status == 1)
        let lines = all.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(all.stdout)")
        #expect(lines.first?.hasPrefix("\(warnOnly):8:26: warning:") == true)
        #expect(lines.dropFirst().first == "\(bad):1:29: error: queue_overflow_strategy: unknown value 'drop_all'; allowed: drop_oldest, drop_newest, block")
        #expect(lines.last == "\(missing):1:1: error: Config file not found: \(missing)")
    }

    @Test("what an operator with the default manager.source_access would refuse is a warning naming the setting; exit 0")
    func sourceAccessWarnings() throws {
        let files = try TempFiles()
        let entry = try files.write("entry.yaml", """
            source_type: file
            topic: t
            connector: {path: /etc/passwd}
            """)
        let result = try StreamManagerBinary.run(["validate", "--source-document", entry])
        #expect(result.status == 0)
        #expect(result.stdout == "\(entry):3:19: warning: connector.path: an operator with the default manager.source_access rejects this "
            + "source: path '/etc/passwd' is outside manager.source_access.file_roots (the operator's allow-list, checked after "
            + "symlinks and '..' are resolved); add a root to the operator's --config\n", "\(result.stdout)")
    }

    @Test("--source-document checks one source entry, with an optional --source-id")
    func sourceDocument() throws {
        let files = try TempFiles()
        let record = try files.write("record.json", #"{"source_type": "generator", "topic": "demo", "connector": {"rate_per_second": 5}}"#)
        let ok = try StreamManagerBinary.run(["validate", "--source-document", "--source-id", "demo_gen", record])
        #expect(ok.status == 0 && ok.stdout.isEmpty, "\(ok.stdout)\(ok.stderr)")

        let reserved = try StreamManagerBinary.run(["validate", "--source-document", "--source-id", "__internal", record])
        #expect(reserved.status == 1)
        #expect(reserved.stdout == "\(record):1:1: error: source ids starting with '__' are reserved\n")

        let typo = try files.write("typo.yaml", "source_type: generator\nconnector:\n  rate_per_sec: 5\n")
        let bad = try StreamManagerBinary.run(["validate", "--source-document", typo])
        #expect(bad.status == 1)
        #expect(bad.stdout.hasPrefix("\(typo):3:3: error: connector.rate_per_sec: unknown setting 'rate_per_sec'"), "\(bad.stdout)")
        #expect(bad.stdout.hasSuffix("did you mean 'rate_per_second'?\n"))

        // Without --source-document, the same entry is a config file full of unknown keys.
        let asFile = try StreamManagerBinary.run(["validate", record])
        #expect(asFile.status == 1 && asFile.stdout.contains("unknown key 'source_type'"))
    }

    @Test("standard input with '-'")
    func stdin() throws {
        let result = try StreamManagerBinary.run(["validate", "-"], stdin: "queue_max_size: 0\n")
        #expect(result.status == 1)
        #expect(result.stdout == "<stdin>:1:17: error: queue_max_size: must be between 1 and 10000000 records, got 0\n")
    }
}
