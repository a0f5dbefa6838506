@testable import Connectors
import Testing

@Suite("CSV (RFC 4180)")
struct CSVTableTests {
    @Test("quoted commas, doubled quotes and line breaks inside quotes; CRLF; no empty trailing row")
    func quoting() {
        let rows = CSVTable.rows("a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",\n")
        #expect(rows == [["a", "b", "c"], ["1", "x, y", "say \"hi\""], ["2", "two\nlines", ""]])
    }

    @Test("numbers stay numbers, everything else is text, short rows get nulls; JSON keeps header order")
    func objects() {
        let objects = CSVTable.objects(header: ["lat", "conf", "date", "frp", "note"],
                                       rows: [["-33.5", "h", "2026-11-29", "1e3"]][...])
        #expect(String(decoding: objects[0].jsonBytes(order: ["lat", "conf", "date", "frp", "note"]), as: UTF8.self)
                == #"{"lat":-33.5,"conf":"h","date":"2026-11-29","frp":1e3,"note":null}"#)
        #expect(!JSONScalar.isNumber("007") && !JSONScalar.isNumber("1.") && !JSONScalar.isNumber("-") && JSONScalar.isNumber("-0.25"))
    }
}

@Suite("CSV edge cases, as the earlier parser read them")
struct CSVEdgeCaseTests {
    @Test("blank lines, trailing commas, quotes inside plain fields, text after a closing quote, an unclosed quote")
    func edges() {
        #expect(CSVTable.rows("a,b\n\n\r\n1,2") == [["a", "b"], ["1", "2"]])
        #expect(CSVTable.rows("a,b,") == [["a", "b", ""]])
        #expect(CSVTable.rows("a,b,\n") == [["a", "b", ""]])
        #expect(CSVTable.rows(",") == [["", ""]])
        #expect(CSVTable.rows("\"\"\n") == [[""]])
        #expect(CSVTable.rows("ab\"c,\"q\"x") == [["ab\"c", "qx"]])
        #expect(CSVTable.rows("\"open, never\nclosed") == [["open, never\nclosed"]])
        #expect(CSVTable.rows("\"keeps\r\ninside\"\r\n") == [["keeps\r\ninside"]])
        #expect(CSVTable.rows("ünï,cödé\n") == [["ünï", "cödé"]])
        #expect(CSVTable.rows("") == [])
    }
}
