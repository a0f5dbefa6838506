import CSV
import Connectors
import Foundation

// The CSV reader the project writes itself (`CSVTable`) against a maintained package
// (yaslab/CSV.swift) on the same text: 100,000 rows shaped like a FIRMS response, one field in
// ten quoted with a comma, a doubled quote or a line break in it. Both produce every row's
// fields as Strings; the rounds alternate and the median of each is compared.
//
//     swift build -c release --product csv-bench && .build/release/csv-bench [--rows N] [--rounds R]

var rowsWanted = 100_000
var rounds = 5
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let a = arguments.next() {
    switch a {
    case "--rows": rowsWanted = Int(arguments.next() ?? "") ?? rowsWanted
    case "--rounds": rounds = Int(arguments.next() ?? "") ?? rounds
    default: break
    }
}

var text = "latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,instrument,confidence,version,bright_ti5,frp,daynight\r\n"
for i in 0..<rowsWanted {
    let note: String
    switch i % 30 {
    case 0: note = "\"n, late\""
    case 10: note = "\"say \"\"h\"\"\""
    case 20: note = "\"two\nlines\""
    default: note = i % 2 == 0 ? "n" : "h"
    }
    text += "\(-60 + Double(i % 1000) * 0.1),\(-170 + Double(i / 1000) * 0.1),330.1,0.39,0.36,2026-07-24,\(i % 2400),N20,VIIRS,\(note),2.0NRT,295.8,2.2,N\r\n"
}

func seconds(_ body: () -> Int) -> (Double, Int) {
    let start = DispatchTime.now().uptimeNanoseconds
    let n = body()
    return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, n)
}

var ours: [Double] = [], theirs: [Double] = []
print("CSV: \(rowsWanted) rows (\(text.utf8.count / 1024) KiB), \(rounds) alternating rounds")
for round in 1...rounds {
    let (a, rowsA) = seconds {
        CSVTable.rows(Substring(text)).reduce(0) { $0 + $1.count }
    }
    let (b, rowsB) = seconds {
        var fields = 0
        let reader = try! CSVReader(string: text)
        while let row = reader.next() { fields += row.count }
        return fields
    }
    ours.append(a)
    theirs.append(b)
    print("  round \(round): CSVTable \(String(format: "%.3f", a)) s (\(rowsA) fields), CSV.swift \(String(format: "%.3f", b)) s (\(rowsB) fields)")
}
func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
print("CSVTable:  \(String(format: "%.3f", median(ours))) s median")
print("CSV.swift: \(String(format: "%.3f", median(theirs))) s median")
print("ratio CSV.swift/CSVTable: \(String(format: "%.2f", median(theirs) / median(ours))) (above 1: CSVTable is faster)")
