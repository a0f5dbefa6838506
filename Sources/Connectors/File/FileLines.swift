import Foundation
import Pipeline

/// Reads whole lines (or, for CSV, whole records) from a byte offset.
enum FileLines {
    /// Up to `max` lines from `offset`; returns them, the offset after the last one, and whether
    /// the file's end was reached. A last line without a line break counts only if `takePartialLast`.
    /// With `csvQuotes`, a line break inside a quoted field does not end the line: a CSV record
    /// whose field holds a line break (RFC 4180) is one line here.
    static func read(_ path: String, from offset: UInt64, max: Int, chunkBytes: Int, takePartialLast: Bool,
                     csvQuotes: Bool = false) throws -> (lines: [ArraySlice<UInt8>], offset: UInt64, atEnd: Bool) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ConnectorError("cannot read \(path)", isRetriable: true)
        }
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        guard offset < size else { return ([], min(offset, size), true) }
        try handle.seek(toOffset: offset)
        var data = [UInt8]()
        var lines: [ArraySlice<UInt8>] = []
        var consumed = 0
        var position = offset
        // Read chunks until enough lines, or the end; a line longer than a chunk is read whole.
        while lines.count < max {
            let chunk = try handle.read(upToCount: chunkBytes) ?? Data()
            position += UInt64(chunk.count)
            let atEOF = chunk.isEmpty || position >= size
            data += chunk
            var start = consumed
            var i = consumed
            var inQuotes = false  // the scan restarts at a record's first byte
            while i < data.count && lines.count < max {
                let byte = data[i]
                if csvQuotes && byte == UInt8(ascii: "\"") {
                    inQuotes.toggle()  // a doubled quote toggles twice: still inside
                } else if byte == UInt8(ascii: "\n") && !inQuotes {
                    lines.append(data[start..<i])
                    start = i + 1
                }
                i += 1
            }
            consumed = start
            if lines.count >= max { break }
            if atEOF {
                if takePartialLast && consumed < data.count {
                    lines.append(data[consumed...])
                    consumed = data.count
                }
                break
            }
        }
        let newOffset = offset + UInt64(consumed)
        return (lines, newOffset, newOffset >= size)
    }

    static func size(_ path: String) throws -> UInt64 {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.size] as? NSNumber)?.uint64Value ?? 0
    }

    /// The first record of a CSV file (its header).
    static func firstLine(_ path: String) throws -> ArraySlice<UInt8> {
        try read(path, from: 0, max: 1, chunkBytes: 64 * 1024, takePartialLast: true, csvQuotes: true).lines.first ?? []
    }
}
