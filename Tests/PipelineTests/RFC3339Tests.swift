import Foundation
import Testing
@testable import Pipeline

@Suite("RFC 3339 timestamps as StreamManager writes them")
struct RFC3339Tests {
    @Test("UTC with milliseconds, zero-padded, and read back")
    func format() {
        let cases: [(Double, String)] = [
            (0, "1970-01-01T00:00:00.000Z"),
            (951_782_400.5, "2000-02-29T00:00:00.500Z"),
            (1_795_966_860.123, "2026-11-29T15:41:00.123Z"),
            (1_795_966_860.999_9, "2026-11-29T15:41:00.999Z"),
            (253_402_300_799, "9999-12-31T23:59:59.000Z"),
        ]
        for (seconds, text) in cases {
            #expect(RFC3339.string(Date(timeIntervalSince1970: seconds)) == text)
            #expect(RFC3339.date(text).map { RFC3339.string($0) } == text)
        }
    }
}
