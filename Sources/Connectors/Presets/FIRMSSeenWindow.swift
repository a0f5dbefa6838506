import Foundation

/// The FIRMS rows a source has sent, by acquisition date, over the query's day range. The area
/// API answers every call with the whole day range again, and detections arrive late (a satellite
/// pass is processed hours after it was acquired), so exactly-once needs the identity of every row
/// still inside the range: a new row is sent whatever its time, a row seen before is not.
///
/// Kept compact because it lives in the committed cursor (an offsets-topic record, 1 MB by
/// default): a row is 6 bytes of its key's SHA-256 (48 bits: about a 1-in-50,000 chance of any
/// collision among 100,000 rows of one window), written as base64, 8 characters a row, in one
/// string per date. Dates older than the day range are forgotten; if the window still exceeds
/// `maxBytes`, the oldest dates go first.
struct FIRMSSeenWindow: Equatable {
    /// `YYYY-MM-DD` → the row hashes of that date.
    private(set) var dates: [String: Set<Data>] = [:]

    static let maxBytes = 900_000

    init() {}

    /// From the cursor's `seenByDate`; unreadable entries are ignored.
    init(encoded: [String: String]?) {
        for (date, text) in encoded ?? [:] {
            guard let blob = Data(base64Encoded: text), blob.count % 6 == 0 else { continue }
            var set = Set<Data>()
            set.reserveCapacity(blob.count / 6)
            var i = blob.startIndex
            while i < blob.endIndex {
                set.insert(Data(blob[i..<(i + 6)]))
                i += 6
            }
            dates[date] = set
        }
    }

    /// What is wrong with one `seenByDate` entry written by hand, or nil: the key a
    /// `YYYY-MM-DD` date, the value base64 of whole 6-byte row hashes.
    static func problem(date: String, encoded: Any) -> String? {
        guard RFC3339Date.parse(date) != nil else { return "'seenByDate' key '\(date)' is not a YYYY-MM-DD date" }
        guard let text = encoded as? String, let blob = Data(base64Encoded: text), blob.count % 6 == 0 else {
            return "'seenByDate' value of \(date) is not base64 of 6-byte row hashes"
        }
        return nil
    }

    var isEmpty: Bool { dates.values.allSatisfy(\.isEmpty) }
    var count: Int { dates.values.reduce(0) { $0 + $1.count } }
    var newestDate: String? { dates.keys.max() }

    func contains(_ hash: Data, on date: String) -> Bool { dates[date]?.contains(hash) ?? false }

    mutating func insert(_ hash: Data, on date: String) { dates[date, default: []].insert(hash) }

    /// Forgets dates before `date`.
    mutating func forget(before date: String) {
        dates = dates.filter { $0.key >= date }
    }

    /// The cursor's `seenByDate`, oldest dates dropped first while it is over `maxBytes`.
    mutating func encoded() -> [String: String] {
        var out: [String: String] = [:]
        var total = 0
        for date in dates.keys.sorted(by: >) {
            let blob = dates[date]!.sorted { $0.lexicographicallyPrecedes($1) }.reduce(into: Data()) { $0.append($1) }
            let text = blob.base64EncodedString()
            if total + text.utf8.count + date.utf8.count + 6 > Self.maxBytes {
                dates = dates.filter { $0.key > date }
                break
            }
            total += text.utf8.count + date.utf8.count + 6
            out[date] = text
        }
        return out
    }

    /// `date` minus `days`, both `YYYY-MM-DD` (UTC); nil when `date` is not one.
    static func date(_ date: String, minusDays days: Int) -> String? {
        guard let day = RFC3339Date.parse(date) else { return nil }
        return RFC3339Date.format(day.addingTimeInterval(-Double(days) * 86_400))
    }
}

/// `YYYY-MM-DD` in UTC, the form FIRMS writes `acq_date` in.
enum RFC3339Date {
    private static let calendar: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }()

    static func parse(_ text: String) -> Date? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, text.count == 10 else { return nil }
        return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))
    }

    static func format(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }
}
