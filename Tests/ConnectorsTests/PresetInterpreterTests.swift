import Foundation
@testable import Connectors
import Pipeline
import Testing

@Suite("NOAA, FIRMS and IoT responses to records")
struct PresetInterpreterTests {
    func json(_ r: SourceRecord) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(r.value)) as? [String: Any]) ?? [:]
    }

    @Test("NWS alerts: one record per alert keyed by id; the same payload again yields nothing; an update is sent again")
    func alerts() throws {
        let body = try Fixture.bytes("nws_alerts_active.json")
        let first = try NOAAAlertsInterpreter().interpret(body, cursor: HTTPJSONCursor())
        #expect(first.records.compactMap { $0.key.map { String(decoding: $0, as: UTF8.self) } }
                == ["urn:oid:2.49.0.1.840.0.aa11.001.1", "urn:oid:2.49.0.1.840.0.bb22.002.1"])
        #expect(first.records[0].eventTimeMilliseconds == Int64(RFC3339.date("2026-11-29T15:41:00Z")!.timeIntervalSince1970 * 1000))
        let again = try NOAAAlertsInterpreter().interpret(body, cursor: first.cursor)
        #expect(again.records.isEmpty)
        let updated = Array(String(decoding: body, as: UTF8.self)
            .replacingOccurrences(of: "\"sent\": \"2026-11-29T06:10:00-08:00\"",
                                  with: "\"sent\": \"2026-11-29T06:10:00-08:00\", \"updated\": \"2026-11-29T09:00:00-08:00\"").utf8)
        let third = try NOAAAlertsInterpreter().interpret(updated, cursor: again.cursor)
        #expect(third.records.count == 1)
        #expect((json(third.records[0])["properties"] as? [String: Any])?["event"] as? String == "Wind Advisory")
        // An alert that expired drops out of the cursor.
        #expect(third.cursor.seen?.count == 2)
    }

    @Test("NWS errors (problem+json) are reported with title, detail and correlationId")
    func problem() {
        let body = Array(#"{"correlationId":"4a1f","title":"Bad Request","type":"https://api.weather.gov/problems/BadRequest","status":400,"detail":"Parameter \"area\" is invalid"}"#.utf8)
        #expect(NOAAWeather.problemDetail(body) == #"NWS: Bad Request: Parameter "area" is invalid (correlationId 4a1f)"#)
    }

    @Test("NWS observations: {value, unitCode} readings flattened; only newer observations are sent")
    func observations() throws {
        let body = try Fixture.bytes("nws_observation_latest.json")
        let first = try NOAAObservationsInterpreter().interpret(body, cursor: HTTPJSONCursor())
        let o = json(try #require(first.records.first))
        #expect(o["temperature"] as? Double == 9.4 && o["temperature_unit"] as? String == "wmoUnit:degC")
        #expect(o["windSpeed"] is NSNull && o["station_id"] as? String == "KOAK")
        #expect(first.records[0].key == Array("KOAK".utf8))
        #expect(try NOAAObservationsInterpreter().interpret(body, cursor: first.cursor).records.isEmpty)
    }

    @Test("FIRMS VIIRS and MODIS CSV: typed rows, stable hashed keys, rows already sent are not sent again")
    func firms() throws {
        let viirs = try NASAFirmsInterpreter().interpret(try Fixture.bytes("firms_viirs.csv"), cursor: HTTPJSONCursor())
        #expect(viirs.records.count == 3)
        let row = json(viirs.records[1])
        #expect(row["confidence"] as? String == "h" && row["frp"] as? Double == 11.9 && row["bright_ti4"] as? Double == 345.7)
        #expect(viirs.records[0].eventTimeMilliseconds == Int64(RFC3339.date("2026-11-29T09:12:00Z")!.timeIntervalSince1970 * 1000))
        #expect(Set(viirs.records.compactMap(\.key)).count == 3)
        let again = try NASAFirmsInterpreter().interpret(try Fixture.bytes("firms_viirs.csv"), cursor: viirs.cursor)
        #expect(again.records.isEmpty)
        let modis = try NASAFirmsInterpreter().interpret(try Fixture.bytes("firms_modis.csv"), cursor: HTTPJSONCursor())
        #expect(modis.records.count == 2 && json(modis.records[0])["confidence"] as? Int == 84)
        let none = try NASAFirmsInterpreter().interpret(Array("latitude,longitude,acq_date,acq_time\n".utf8), cursor: HTTPJSONCursor())
        #expect(none.records.isEmpty)  // a header-only CSV means no fires
        #expect(throws: ConnectorError.self) {
            try NASAFirmsInterpreter().interpret(Array("Invalid MAP_KEY.".utf8), cursor: HTTPJSONCursor())
        }
    }

    @Test("IoT: the columnar fields/data shape becomes one record per sensor, keyed by sensor_index, stamped with the data time")
    func purpleAir() throws {
        let out = try IoTSensorInterpreter(fieldsPath: "fields", dataPath: "data")
            .interpret(try Fixture.bytes("purpleair_sensors.json"), cursor: HTTPJSONCursor())
        #expect(out.records.map { String(decoding: $0.key ?? [], as: UTF8.self) } == ["134210", "66167"])
        #expect(json(out.records[1])["pm2.5"] as? Double == 1.2)
        #expect(out.records.allSatisfy { $0.eventTimeMilliseconds == 1_795_939_180_000 })
        // With no paths set, the columnar shape is recognised by its `fields` and `data` arrays.
        let defaults = try IoTSensorInterpreter().interpret(try Fixture.bytes("purpleair_sensors.json"), cursor: HTTPJSONCursor())
        #expect(defaults.records.map { String(decoding: $0.key ?? [], as: UTF8.self) } == ["134210", "66167"])
        let bare = try IoTSensorInterpreter(keyField: "id")
            .interpret(Array(#"[{"id":"s1","pm":3}]"#.utf8), cursor: HTTPJSONCursor())
        #expect(bare.records.first?.key == Array("s1".utf8))
        let list = try IoTSensorInterpreter(recordsPath: "readings", keyField: "id")
            .interpret(Array(#"{"readings":[{"id":"s1","pm":3,"timestamp":"2026-11-29T08:00:00Z"}]}"#.utf8), cursor: HTTPJSONCursor())
        #expect(list.records.first?.key == Array("s1".utf8))
    }

    @Test("the recorded real responses parse too", .enabled(if: Fixture.hasReal))
    func realPayloads() throws {
        let alerts = try NOAAAlertsInterpreter().interpret(try #require(Fixture.real("noaa_alerts_active_zone_orz004.json")),
                                                           cursor: HTTPJSONCursor())
        #expect(!alerts.records.isEmpty && alerts.records.allSatisfy { $0.key != nil })
        let obs = try NOAAObservationsInterpreter().interpret(try #require(Fixture.real("noaa_stations_observations_latest_kfll.json")),
                                                              cursor: HTTPJSONCursor())
        #expect(obs.records.count == 1 && json(obs.records[0])["station_id"] as? String == "KFLL")
        for name in ["firms_area_viirs_noaa20_nrt.csv", "firms_area_viirs_noaa21_nrt.csv", "firms_modis_c61_global_24h_sample.csv"] {
            let rows = try NASAFirmsInterpreter().interpret(try #require(Fixture.real(name)), cursor: HTTPJSONCursor())
            #expect(!rows.records.isEmpty, "\(name)")
        }
        let sensors = try IoTSensorInterpreter(fieldsPath: "fields", dataPath: "data")
            .interpret(try #require(Fixture.real("purpleair_v1_sensors_show_only.json")), cursor: HTTPJSONCursor())
        #expect(sensors.records.count == 4)
    }
}
