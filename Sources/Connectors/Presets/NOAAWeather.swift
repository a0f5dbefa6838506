import Foundation
import Pipeline
import StreamConfig

/// `noaa_weather`: the NWS API (api.weather.gov). Alerts: one record per alert, keyed by its id,
/// sent again only when its `sent`/`updated` changes. Observations: `{value, unitCode}` readings
/// flattened to `<name>` and `<name>_unit`, one record per new observation time.
enum NOAAWeather {
    /// NWS asks for an application name and a contact; users should set `user_agent` to theirs.
    static let defaultUserAgent = "stream-manager"

    static func url(kind: NOAAWeatherSettings.Kind, area: String?, station: String?) -> String {
        switch kind {
        case .observations: "https://api.weather.gov/stations/\(station ?? "")/observations/latest"
        case .alerts: "https://api.weather.gov/alerts/active" + (area.map { "?area=\($0)" } ?? "")
        }
    }

    /// NWS errors are `application/problem+json`: title, detail and a correlationId for support.
    static func problemDetail(_ body: [UInt8]) -> String? {
        guard let o = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return nil }
        let parts = [o["title"] as? String, o["detail"] as? String].compactMap { $0 }.filter { !$0.isEmpty }
        guard !parts.isEmpty else { return nil }
        let id = (o["correlationId"] as? String).map { " (correlationId \($0))" } ?? ""
        return "NWS: " + parts.joined(separator: ": ") + id
    }
}

struct NOAAAlertsInterpreter: ResponseInterpreter {
    func interpret(_ body: [UInt8], cursor: HTTPJSONCursor) throws -> (records: [SourceRecord], cursor: HTTPJSONCursor, nextURL: String?) {
        var settings = HTTPJSONSettings(url: "")
        settings.recordsPath = "features"
        settings.keyPath = "properties.id"
        settings.timestampPath = "properties.sent"
        settings.nextURLPath = "pagination.next"
        let (extracted, next) = try ResponseRecords.extract(body, settings: settings)
        var cursor = cursor
        let before = cursor.seen ?? [:]
        // A listing may span pages: it replaces what was seen only once its last page is in,
        // so alerts that expired drop out and the cursor stays as small as the active set.
        var listing = cursor.nextURL == nil ? [:] : (cursor.pending ?? [:])
        var records: [SourceRecord] = []
        for alert in extracted {
            guard let id = alert.key else { continue }
            let properties = (alert.object as? [String: Any])?["properties"] as? [String: Any]
            let version = (properties?["updated"] as? String) ?? (properties?["sent"] as? String) ?? ""
            if before[id] != version && listing[id] != version { records.append(alert.sourceRecord) }
            listing[id] = version
        }
        if next == nil {
            cursor.seen = listing
            cursor.pending = nil
        } else {
            cursor.pending = listing
        }
        return (records, cursor, next)
    }

    func errorDetail(_ body: [UInt8]) -> String? { NOAAWeather.problemDetail(body) }
}

struct NOAAObservationsInterpreter: ResponseInterpreter {
    func interpret(_ body: [UInt8], cursor: HTTPJSONCursor) throws -> (records: [SourceRecord], cursor: HTTPJSONCursor, nextURL: String?) {
        guard let document = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw ConnectorError("observation response is not valid JSON (\(body.count) bytes)", isRetriable: true)
        }
        // `latest` is one Feature; the list endpoint is a FeatureCollection.
        let features = (document["features"] as? [[String: Any]]) ?? [document]
        var cursor = cursor
        var largest = cursor.after
        var records: [SourceRecord] = []
        for feature in features {
            guard var properties = feature["properties"] as? [String: Any],
                  let timestamp = properties["timestamp"] as? String else { continue }
            let value = CursorValue.text(timestamp)
            if let after = cursor.after, !(after < value) { continue }
            if largest.map({ $0 < value }) ?? true { largest = value }
            for (name, reading) in properties {
                guard let reading = reading as? [String: Any], reading.keys.contains("unitCode") else { continue }
                properties[name] = reading["value"] ?? NSNull()
                properties[name + "_unit"] = reading["unitCode"]
            }
            let station = (properties["station"] as? String)?.split(separator: "/").last.map(String.init)
            properties["station_id"] = station
            let record = ExtractedRecord(object: properties, key: station,
                                         eventTimeMilliseconds: JSONValues.timestampMilliseconds(timestamp), cursorValue: value)
            records.append(record.sourceRecord)
        }
        cursor.after = largest
        return (records.reversed(), cursor, nil)  // the list endpoint is newest first
    }

    func errorDetail(_ body: [UInt8]) -> String? { NOAAWeather.problemDetail(body) }
}
