import Foundation
@testable import Connectors
import Pipeline
import Testing

/// `nasa_firms` sends every detection once: the whole first response, then only rows it has not
/// sent, late arrivals included, with a cursor that stays small enough for an offsets record.
@Suite("FIRMS: every detection exactly once across polls")
struct FIRMSExactlyOnceTests {
    static let header = "latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight"

    static func row(lat: Double, lon: Double, date: String, time: Int) -> String {
        "\(lat),\(lon),330.1,0.39,0.36,\(date),\(time),N20,VIIRS,n,2.0NRT,295.8,2.2,N"
    }

    func poll(_ csv: String, _ cursor: HTTPJSONCursor, dayRange: Int = 2) throws -> (records: [SourceRecord], cursor: HTTPJSONCursor) {
        let out = try NASAFirmsInterpreter(dayRange: dayRange).interpret(Array(csv.utf8), cursor: cursor)
        return (out.records, out.cursor)
    }

    @Test("the real 32-row VIIRS response: all 32 on the first poll, 0 on the same response, 1 for a late row inside the day range, 0 for a row older than it",
          .enabled(if: Fixture.hasReal))
    func realResponse() throws {
        let csv = String(decoding: try #require(Fixture.real("firms_area_viirs_noaa20_nrt.csv")), as: UTF8.self)
        let rows = csv.split(separator: "\n").count - 1
        #expect(rows == 32)
        let first = try poll(csv, HTTPJSONCursor())
        #expect(first.records.count == 32)
        #expect(Set(first.records.compactMap(\.key)).count == 32)
        let again = try poll(csv, first.cursor)
        #expect(again.records.isEmpty)
        // A detection acquired a day earlier, published late: inside the day range, never sent.
        let late = csv.trimmingCharacters(in: .newlines) + "\n" + Self.row(lat: 39.5, lon: -8.1, date: "2026-07-24", time: 1354) + "\n"
        let third = try poll(late, again.cursor)
        #expect(third.records.count == 1)
        #expect((try JSONSerialization.jsonObject(with: Data(third.records[0].value)) as? [String: Any])?["latitude"] as? Double == 39.5)
        #expect(try poll(late, third.cursor).records.isEmpty)
        // Older than the day range back from the newest date seen: not what a request returns now.
        let old = late + Self.row(lat: 40.0, lon: -8.0, date: "2026-07-20", time: 1200) + "\n"
        #expect(try poll(old, third.cursor).records.isEmpty)
    }

    @Test("100,000 rows: all sent once, the cursor fits an offsets record (< 1 MB), and days that leave the range are forgotten")
    func largeResponse() throws {
        var lines = [Self.header]
        lines.reserveCapacity(100_001)
        for i in 0..<100_000 {
            let date = i % 2 == 0 ? "2026-07-24" : "2026-07-25"
            lines.append(Self.row(lat: -60 + Double(i % 1000) * 0.1, lon: -170 + Double(i / 1000) * 0.1, date: date, time: i % 2400))
        }
        let csv = lines.joined(separator: "\n") + "\n"
        let first = try poll(csv, HTTPJSONCursor())
        #expect(first.records.count == 100_000)
        let size = first.cursor.text.utf8.count
        print("FIRMS cursor for 100,000 rows: \(size) bytes")
        #expect(size < 1_000_000)
        #expect(try poll(csv, first.cursor).records.isEmpty)
        // Four days later only the new day remains remembered.
        let later = Self.header + "\n" + Self.row(lat: 1, lon: 1, date: "2026-07-29", time: 100) + "\n"
        let moved = try poll(later, first.cursor)
        #expect(moved.records.count == 1)
        #expect(moved.cursor.seenByDate.map { Array($0.keys) } == ["2026-07-29"])
        #expect(moved.cursor.text.utf8.count < 200)
    }

    @Test("the day range comes from the setting, else from the URL's last path segment, else the API's maximum")
    func dayRange() {
        #expect(NASAFirms.dayRange(setting: 3, url: nil) == 3)
        #expect(NASAFirms.dayRange(setting: nil, url: "http://127.0.0.1:8/api/area/csv/KEY/VIIRS_NOAA20_NRT/world/2") == 2)
        #expect(NASAFirms.dayRange(setting: nil, url: "http://127.0.0.1:8/firms.csv") == 10)
        #expect(NASAFirms.dayRange(setting: 99, url: nil) == 10)
    }
}
