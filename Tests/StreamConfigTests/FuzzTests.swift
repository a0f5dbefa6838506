import Foundation
import Testing
@testable import StreamConfig

/// Thousands of damaged documents: the parser and validator must answer each with
/// diagnostics (or a value), never crash, hang, or produce a position outside the text.
@Suite("Fuzz: mutated, truncated and random documents")
struct FuzzTests {
    static let seeds: [String] = [
        ThreeWaysInTests.yaml,
        ThreeWaysInTests.json,
        DiagnosticPositionTests.yaml,
        (try? Repo.text("config/stream_config.example.yaml")) ?? ThreeWaysInTests.yaml,
    ]

    /// Characters that matter to YAML and JSON, so mutations reach the interesting paths.
    static let structural: [UInt8] = Array(":-{}[],\"'&*!|>#%@`?\t\n \\$.0123456789".utf8)

    static func mutate(_ base: [UInt8], _ rng: inout SeededRandom) -> [UInt8] {
        var bytes = base
        switch rng.next() % 8 {
        case 0:  // truncate anywhere
            bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count + 1))))
        case 1:  // random bytes, binary included
            bytes = (0..<Int(rng.next() % 300)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        case 2:  // delete a run
            guard !bytes.isEmpty else { break }
            let start = Int(rng.next() % UInt64(bytes.count))
            let length = Int(rng.next() % 40)
            bytes.removeSubrange(start..<min(bytes.count, start + length))
        case 3:  // duplicate a line elsewhere (duplicate keys, bad indentation)
            let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
            guard lines.count > 1 else { break }
            let line = lines[Int(rng.next() % UInt64(lines.count))]
            var out = Array(lines)
            out.insert(line, at: Int(rng.next() % UInt64(out.count)))
            bytes = Array(out.joined(separator: [0x0A]))
        default:  // flip or insert a few structural or arbitrary bytes
            for _ in 0..<(1 + Int(rng.next() % 6)) {
                let position = Int(rng.next() % UInt64(bytes.count + 1))
                let byte = rng.next() % 4 == 0 ? UInt8(truncatingIfNeeded: rng.next())
                    : structural[Int(rng.next() % UInt64(structural.count))]
                if rng.next() % 2 == 0 || position == bytes.count {
                    bytes.insert(byte, at: position)
                } else {
                    bytes[position] = byte
                }
            }
        }
        return bytes
    }

    @Test("2000 damaged documents give diagnostics, never a crash or a hang")
    func fuzz() {
        var rng = SeededRandom(seed: 0x5EED_C0F1)
        let seeds = Self.seeds.map { Array($0.utf8) }
        let lenient = ValidationOptions(unknownKeys: .warning, environment: [:])
        var outcomes = (values: 0, errors: 0)
        let started = ContinuousClock.now
        for i in 0..<2000 {
            let doc = Self.mutate(seeds[i % seeds.count], &rng)
            let data = Data(doc)
            let whole = ConfigLoader.parse(data: data, options: i % 2 == 0 ? .strict : lenient)
            let single = ConfigLoader.parseSourceDocument(data: data, sourceID: "fuzz", options: lenient)
            for result in [whole.diagnostics, single.diagnostics] {
                let lineCount = doc.split(separator: 0x0A, omittingEmptySubsequences: false).count
                for d in result {
                    #expect(d.line >= 0 && d.line <= lineCount + 1, "line \(d.line) of \(lineCount): \(d)")
                    #expect(d.column >= 0)
                    #expect(!d.message.isEmpty)
                    #expect(!d.formatted(file: "f").contains("\n"))
                }
            }
            // A result is either usable or explains why not.
            #expect((whole.value != nil) != whole.hasErrors)
            #expect((single.value != nil) != single.hasErrors)
            if let value = whole.value {
                outcomes.values += 1
                for source in value.sources.values { _ = source.configHash }
            } else {
                outcomes.errors += 1
            }
        }
        // Both outcomes occur, so the mutations neither always break nor never break documents.
        #expect(outcomes.values > 50 && outcomes.errors > 300, "\(outcomes)")
        #expect(ContinuousClock.now - started < .seconds(120))
    }

    @Test("every prefix of the example config is handled")
    func truncations() throws {
        let text = try Repo.text("config/stream_config.example.yaml")
        let bytes = Array(text.utf8)
        for end in stride(from: 0, through: bytes.count, by: 17) {
            let result = ConfigLoader.parse(data: Data(bytes[..<end]), options: .lenient)
            #expect((result.value != nil) != result.hasErrors)
        }
    }
}
