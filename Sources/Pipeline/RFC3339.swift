import Foundation

/// RFC 3339 UTC with milliseconds, e.g. `2026-11-29T14:30:22.123Z`: the format of every
/// timestamp StreamManager writes (status and offsets topics, DLQ headers, JSON logs).
public enum RFC3339 {
    public static func string(_ date: Date) -> String {
        let ms = Saturating.int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = ms / 1000, millis = Int(ms % 1000)
        var t = time_t(seconds)
        var tm = tm()
        gmtime_r(&t, &tm)
        // Digits written by hand: every status record and committed cursor carries a timestamp,
        // and `String(format:)` cost more than the rest of writing a status record.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var v = value
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8((v / divisor) % 10))
                v %= divisor
                divisor /= 10
            }
        }
        digits(Int(tm.tm_year) + 1900, 4); bytes.append(UInt8(ascii: "-"))
        digits(Int(tm.tm_mon) + 1, 2); bytes.append(UInt8(ascii: "-"))
        digits(Int(tm.tm_mday), 2); bytes.append(UInt8(ascii: "T"))
        digits(Int(tm.tm_hour), 2); bytes.append(UInt8(ascii: ":"))
        digits(Int(tm.tm_min), 2); bytes.append(UInt8(ascii: ":"))
        digits(Int(tm.tm_sec), 2); bytes.append(UInt8(ascii: "."))
        digits(millis, 3); bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses what `string` writes, and RFC 3339 timestamps with other offsets or precision.
    public static func date(_ text: String) -> Date? {
        if let d = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return d }
        return try? Date.ISO8601FormatStyle().parse(text)
    }
}
