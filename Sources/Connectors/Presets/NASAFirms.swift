import Crypto
import Foundation
import Pipeline

/// `nasa_firms`: the FIRMS area API's CSV (VIIRS or MODIS layout). Rows have no id, so a row's
/// key is a hash of what identifies a detection; the area API returns the whole day range on
/// every call, so rows already sent are remembered (in the cursor) and not sent again.
enum NASAFirms {
    static func url(mapKey: String, product: String, area: String, dayRange: Int) -> String {
        "https://firms.modaps.eosdis.nasa.gov/api/area/csv/\(mapKey)/\(product)/\(area)/\(dayRange)"
    }

    /// Stable across polls and replicas: latitude, longitude, acquisition date and time, satellite.
    static func key(_ row: [String: JSONScalar]) -> String {
        let parts = ["latitude", "longitude", "acq_date", "acq_time", "satellite"].map { name -> String in
            switch row[name] {
            case .string(let s), .number(let s): return s
            default: return ""
            }
        }
        let digest = SHA256.hash(data: Data(parts.joined(separator: "|").utf8))
        return digest.prefix(10).map { String(format: "%02x", $0) }.joined()
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

    /// How far behind the newest detection a row may still arrive and be sent; older rows are
    /// taken as sent already. Bounds the cursor for large areas.
    static let lateArrival: TimeInterval = 6 * 3600
}

struct NASAFirmsInterpreter: ResponseInterpreter {
    func interpret(_ body: [UInt8], cursor: HTTPJSONCursor) throws -> (records: [SourceRecord], cursor: HTTPJSONCursor, nextURL: String?) {
        let text = Substring(decoding: body, as: UTF8.self)
        let rows = CSVTable.rows(text)
        guard let header = rows.first else { return ([], cursor, nil) }
        guard header.contains("latitude"), header.contains("acq_date") else {
            // FIRMS answers some errors with 200 and a line of text.
            throw ConnectorError("FIRMS: unexpected response: \(text.prefix(200))", isRetriable: false)
        }
        let seen = cursor.seen ?? [:]
        let objects = CSVTable.objects(header: header, rows: rows.dropFirst())
        let times = objects.compactMap(NASAFirms.acquired).compactMap(RFC3339.date)
        let newest = max(times.max() ?? .distantPast, seen.values.compactMap(RFC3339.date).max() ?? .distantPast)
        let horizon = newest.addingTimeInterval(-NASAFirms.lateArrival)
        var kept: [String: String] = [:]
        var records: [SourceRecord] = []
        for row in objects {
            let key = NASAFirms.key(row)
            guard let acquired = NASAFirms.acquired(row), let at = RFC3339.date(acquired), at >= horizon else { continue }
            kept[key] = acquired
            if seen[key] != nil { continue }
            records.append(SourceRecord(key: Array(key.utf8), value: row.jsonBytes(order: header),
                                        eventTimeMilliseconds: Int64(at.timeIntervalSince1970 * 1000)))
        }
        // Rows sent earlier that are still inside the window stay remembered even if a call misses them.
        for (key, acquired) in seen where kept[key] == nil {
            if let at = RFC3339.date(acquired), at >= horizon { kept[key] = acquired }
        }
        var next = cursor
        next.seen = kept
        return (records, next, nil)
    }

    func errorDetail(_ body: [UInt8]) -> String? {
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : "FIRMS: \(text)"
    }
}
