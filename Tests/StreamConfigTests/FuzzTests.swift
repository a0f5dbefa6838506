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

    /// A document sharing values through anchors: scalars, lists of aliases (nested, so they
    /// multiply), mappings merged with `<<`, sometimes a key that is an alias or a list, an
    /// undefined alias, a damaged byte.
    static func aliasDocument(_ rng: inout SeededRandom) -> String {
        func pick(_ n: Int) -> Int { Int(rng.next() % UInt64(max(n, 1))) }
        var lines: [String] = []
        var scalars: [String] = [], lists: [String] = [], maps: [String] = []
        for i in 0..<(1 + pick(8)) {
            let name = "n\(i)"
            switch pick(3) {
            case 0:
                let text = pick(2) == 0 ? String(repeating: "v", count: pick(30_000)) : String(pick(100_000))
                lines.append("\(name): &\(name) \"\(text)\"")
                scalars.append(name)
            case 1:
                let pool = (scalars + lists).map { "*\($0)" } + ["1", "x", "2.5"]
                let items = (0..<(1 + pick(120))).map { _ in pool[pick(pool.count)] }
                lines.append("\(name): &\(name) [\(items.joined(separator: ", "))]")
                lists.append(name)
            default:
                var entries = ["source_type: generator", "topic: t\(i)"]
                if let l = lists.randomElement(using: &rng) { entries.append("connector: {x: *\(l)}") }
                if pick(2) == 0 { entries.append("ingestion: {polling_interval_seconds: \(["1", "0", "1e16", ".nan", "0.5"][pick(5)])}") }
                lines.append("\(name): &\(name) {\(entries.joined(separator: ", "))}")
                maps.append(name)
            }
        }
        lines.append("sources:")
        for j in 0..<(1 + pick(4)) {
            switch (pick(4), maps.randomElement(using: &rng)) {
            case (0, let m?): lines.append("  s\(j): *\(m)")
            case (1, let m?): lines.append("  s\(j): {<<: *\(m), topic: own\(j)}")
            case (2, let m?):
                let others = maps.shuffled(using: &rng).prefix(2).map { "*\($0)" }.joined(separator: ", ")
                lines.append("  s\(j):\n    <<: [\(others)]\n    connector: {x: [\(lists.map { "*\($0)" }.joined(separator: ", "))]}\n    topic: \(m)")
            default: lines.append("  s\(j): {source_type: generator, topic: plain\(j)}")
            }
        }
        switch pick(12) {
        case 0: if let l = lists.last { lines.append("? *\(l)\n: 1") }
        case 1: if let l = lists.last { lines.append("*\(l) : 1") }
        case 2: if let l = lists.last { lines.append("k: {[*\(l)]: 1}") }
        case 3: lines.append("late: *undefined")
        default: break
        }
        var text = lines.joined(separator: "\n") + "\n"
        if pick(6) == 0, !text.isEmpty {
            var bytes = Array(text.utf8)
            bytes[pick(bytes.count)] = structural[pick(structural.count)]
            text = String(decoding: bytes, as: UTF8.self)
        }
        return text
    }

    @Test("documents built from anchors, nested alias lists and merge keys: refused or accepted promptly, never a hang")
    func aliases() {
        var rng = SeededRandom(seed: 0xA11A_5E5)
        let started = ContinuousClock.now
        var outcomes = (accepted: 0, refusedBySize: 0, refusedOtherwise: 0, documents: 0)
        var slowest = Duration.zero
        // A fixed, seeded sequence, cut short after ten seconds on a slow machine so the suite
        // stays fast.
        while outcomes.documents < 200 && ContinuousClock.now - started < .seconds(10) {
            let text = Self.aliasDocument(&rng)
            let lineCount = text.split(separator: "\n", omittingEmptySubsequences: false).count
            let one = ContinuousClock.now
            let whole = ConfigLoader.parse(text, options: .lenient)
            let single = ConfigLoader.parseSourceDocument(text, sourceID: "s", options: .lenient)
            if let value = whole.value { for source in value.sources.values { _ = source.configHash } }
            if let value = single.value { _ = value.configHash }
            slowest = max(slowest, ContinuousClock.now - one)
            outcomes.documents += 1
            for d in whole.diagnostics + single.diagnostics {
                #expect(d.line >= 0 && d.line <= lineCount + 1 && d.column >= 0, "\(d)")
            }
            #expect((whole.value != nil) != whole.hasErrors)
            if whole.value != nil {
                outcomes.accepted += 1
            } else if whole.diagnostics.contains(where: { $0.message.contains("expands to more than") }) {
                outcomes.refusedBySize += 1
            } else {
                outcomes.refusedOtherwise += 1
            }
        }
        // Each kind of outcome happens (judged once enough documents ran), and no single
        // document took long.
        #expect(outcomes.documents < 50 || (outcomes.accepted >= 5 && outcomes.refusedBySize >= 5 && outcomes.refusedOtherwise >= 5),
                "\(outcomes)")
        print("alias fuzz: \(outcomes), slowest \(slowest)")
        #expect(slowest < .seconds(5), "slowest document took \(slowest)")
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
