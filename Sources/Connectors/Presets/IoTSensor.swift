import Foundation
import Pipeline
import StreamConfig

/// `iot_sensor`: sensor-network APIs. Either an array of reading objects (`records_path`), or the
/// columnar shape of networks such as PurpleAir (`fields_path` names + `data_path` rows), one
/// record per sensor, keyed by `key_field` (default `sensor_index`), stamped with the response's
/// data time (`data_time_stamp`, else `time_stamp`) when the reading has none. With neither path
/// set, a body that has top-level `fields` and `data` arrays is read in the columnar shape (what
/// PurpleAir returns), anything else as a list of readings at the top.
struct IoTSensorInterpreter: ResponseInterpreter {
    var recordsPath: String?
    var keyField = IoTSensorSettings.defaultKeyField
    var fieldsPath: String?
    var dataPath: String?

    func interpret(_ body: [UInt8], cursor: HTTPJSONCursor) throws -> (records: [SourceRecord], cursor: HTTPJSONCursor, nextURL: String?) {
        let document: Any
        do {
            document = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        } catch {
            throw ConnectorError("sensor response is not valid JSON (\(body.count) bytes)", isRetriable: true)
        }
        let top = document as? [String: Any]
        let dataTime = JSONValues.timestampMilliseconds(top?["data_time_stamp"] ?? top?["time_stamp"])
        var readings: [[String: Any]] = []
        var (fieldsPath, dataPath) = (self.fieldsPath, self.dataPath)
        if fieldsPath == nil, dataPath == nil, recordsPath == nil, top?["fields"] is [Any], top?["data"] is [Any] {
            (fieldsPath, dataPath) = ("fields", "data")
        }
        if let fieldsPath, let dataPath {
            guard let fields = JSONPath(fieldsPath).value(in: document) as? [String],
                  let rows = JSONPath(dataPath).value(in: document) as? [[Any]] else {
                throw ConnectorError("fields_path/data_path do not point at a list of names and a list of rows", isRetriable: false)
            }
            readings = rows.map { row in
                var object: [String: Any] = [:]
                for (i, name) in fields.enumerated() where i < row.count { object[name] = row[i] }
                return object
            }
        } else {
            guard let list = JSONPath(recordsPath).value(in: document) as? [[String: Any]] else {
                throw ConnectorError("records_path '\(recordsPath ?? "$")' is not a list of readings", isRetriable: false)
            }
            readings = list
        }
        let records = readings.map { reading -> SourceRecord in
            let own = JSONValues.timestampMilliseconds(reading["timestamp"] ?? reading["time"] ?? reading["last_seen"])
            return ExtractedRecord(object: reading, key: JSONValues.text(reading[keyField]),
                                   eventTimeMilliseconds: own ?? dataTime, cursorValue: nil).sourceRecord
        }
        return (records, cursor, nil)
    }
}
