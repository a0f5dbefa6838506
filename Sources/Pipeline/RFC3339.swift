import Foundation

/// RFC 3339 UTC with milliseconds, e.g. `2026-11-29T14:30:22.123Z`: the format of every
/// timestamp StreamManager writes (status and offsets topics, DLQ headers, JSON logs).
public enum RFC3339 {
    public static func string(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = ms / 1000, millis = Int(ms % 1000)
        var t = time_t(seconds)
        var tm = tm()
        gmtime_r(&t, &tm)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(tm.tm_year) + 1900, Int(tm.tm_mon) + 1,
                      Int(tm.tm_mday), Int(tm.tm_hour), Int(tm.tm_min), Int(tm.tm_sec), millis)
    }

    /// Parses what `string` writes, and RFC 3339 timestamps with other offsets or precision.
    public static func date(_ text: String) -> Date? {
        if let d = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return d }
        return try? Date.ISO8601FormatStyle().parse(text)
    }
}
