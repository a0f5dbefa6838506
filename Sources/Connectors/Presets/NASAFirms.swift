import Crypto
import Foundation
import StreamConfig
import Pipeline

/// `nasa_firms`: the FIRMS area API's CSV (VIIRS or MODIS layout). Rows have no id, so a row's
/// key is a hash of what identifies a detection; the area API returns the whole day range on
/// every call, so rows already sent are remembered (in the cursor, `FIRMSSeenWindow`) and not
/// sent again.
enum NASAFirms {
    static func url(mapKey: String, product: String, area: String, dayRange: Int) -> String {
        "https://firms.modaps.eosdis.nasa.gov/api/area/csv/\(mapKey)/\(product)/\(area)/\(dayRange)"
    }

    /// Stable across polls and replicas: latitude, longitude, acquisition date and time, satellite.
    static func key(_ row: [String: JSONScalar]) -> String { key(digest(row)) }

    static func key(_ digest: SHA256.Digest) -> String {
        ConfigHash.hex(digest.prefix(10))
    }

    /// What the seen-window remembers of a row: the first 6 bytes of the key's digest.
    static func memoryHash(_ digest: SHA256.Digest) -> Data { Data(digest.prefix(6)) }

    static func digest(_ row: [String: JSONScalar]) -> SHA256.Digest {
        let parts = ["latitude", "longitude", "acq_date", "acq_time", "satellite"].map { name -> String in
            switch row[name] {
            case .string(let s), .number(let s): return s
            default: return ""
            }
        }
        return SHA256.hash(data: Data(parts.joined(separator: "|").utf8))
    }

    /// The day range of a request: the setting, else the last path segment of a `url` in the API's
    /// form, else the API's maximum (remembering too long only costs cursor space).
    static func dayRange(setting: Int?, url: String?) -> Int {
        if let setting { return min(max(setting, 1), 10) }
        if let last = url.flatMap({ URLComponents(string: $0)?.path.split(separator: "/").last }), let days = Int(last) {
            return min(max(days, 1), 10)
        }
        return 10
    }

    /// `acq_date` + `acq_time` (HHMM, leading zeros often dropped) as RFC 3339 text.
    static func acquired(_ row: [String: JSONScalar]) -> String? {
        guard case .string(let date)? = row["acq_date"] else { return nil }
        let time: String
        switch row["acq_time"] {
        case .number(let t), .string(let t): time = String(repeating: "0", count: max(0, 4 - t.count)) + t
        default: return nil
        }
        return "\(date)T\(time.prefix(2)):\(time.suffix(2)):00Z"
    }

}

/// Every row of the first response is sent; later responses send only rows not sent before, late
/// arrivals included, as long as they fall inside the remembered window (from the newest date
/// seen back over the day range, one day of margin). Older rows are outside what any request
/// returns now and are not sent.
struct NASAFirmsInterpreter: ResponseInterpreter {
    /// Days of data each request returns (`day_range`): how long rows must be remembered.
    var dayRange = 1

    func interpret(_ body: [UInt8], cursor: HTTPJSONCursor) throws -> (records: [SourceRecord], cursor: HTTPJSONCursor, nextURL: String?) {
        let text = Substring(decoding: body, as: UTF8.self)
        let rows = CSVTable.rows(text)
        guard let header = rows.first else { return ([], cursor, nil) }
        guard header.contains("latitude"), header.contains("acq_date") else {
            // FIRMS answers some errors with 200 and a line of text.
            throw ConnectorError("FIRMS: unexpected response: \(text.prefix(200))", isRetriable: false)
        }
        let objects = CSVTable.objects(header: header, rows: rows.dropFirst())
        var window = FIRMSSeenWindow(encoded: cursor.seenByDate)
        // Rows dated before the remembered window (the day range back from the newest date seen)
        // are older than any request returns now: sent before, or forgotten; not sent again.
        let floor = window.newestDate.flatMap { FIRMSSeenWindow.date($0, minusDays: dayRange) }
        var records: [SourceRecord] = []
        for row in objects {
            guard case .string(let date)? = row["acq_date"], let acquired = NASAFirms.acquired(row),
                  let at = RFC3339.date(acquired) else { continue }
            let digest = NASAFirms.digest(row)
            let hash = NASAFirms.memoryHash(digest)
            if window.contains(hash, on: date) { continue }
            if let floor, date < floor { continue }
            window.insert(hash, on: date)
            records.append(SourceRecord(key: Array(NASAFirms.key(digest).utf8), value: row.jsonBytes(order: header),
                                        eventTimeMilliseconds: Int64(at.timeIntervalSince1970 * 1000)))
        }
        if let newest = window.newestDate, let start = FIRMSSeenWindow.date(newest, minusDays: dayRange) {
            window.forget(before: start)
        }
        var next = cursor
        next.seen = nil
        next.seenByDate = window.encoded()
        return (records, next, nil)
    }

    func errorDetail(_ body: [UInt8]) -> String? {
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : "FIRMS: \(text)"
    }
}
