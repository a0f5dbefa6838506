import Foundation

/// Stream ids: `<source_id>_<YYYYMMDD>_<HHMMSS>_<8 lowercase hex>` (UTC).
public enum StreamID {
    public static func make(sourceID: String, at date: Date = Date()) -> String {
        var t = time_t(date.timeIntervalSince1970)
        var tm = tm()
        gmtime_r(&t, &tm)
        let stamp = String(format: "%04d%02d%02d_%02d%02d%02d", Int(tm.tm_year) + 1900, Int(tm.tm_mon) + 1,
                           Int(tm.tm_mday), Int(tm.tm_hour), Int(tm.tm_min), Int(tm.tm_sec))
        let suffix = String(format: "%08x", UInt32.random(in: 0...UInt32.max))
        return "\(sourceID)_\(stamp)_\(suffix)"
    }
}
