import BlockingCalls
import Foundation
import Pipeline
import StreamConfig

/// `file`: reads `FileSourceSettings`' files, for replays and offline demos. Only whole lines
/// are emitted while following, so a writer caught mid-line is read on the next poll. A CSV
/// record may span lines (a quoted field holding a line break); it is emitted once its closing
/// line break is written.
public final class FileConnector: SourceConnector {
    public let sourceID: String
    public let settings: FileSourceSettings
    /// Bytes read per file per fetch at most (a line longer than this is read whole anyway).
    private let chunkBytes: Int
    /// Every file is checked against its `file_roots` right before it is read: a glob may match
    /// files, or a symlink may be swapped in, after the source was accepted.
    private let access: SourceAccessPolicy

    public init(sourceID: String, settings: FileSourceSettings, chunkBytes: Int = 1 << 20,
                access: SourceAccessPolicy = SourceAccessPolicy()) {
        self.sourceID = sourceID
        self.settings = settings
        self.chunkBytes = chunkBytes
        self.access = access
    }

    public func fetch(_ request: FetchRequest) async throws -> FetchResult {
        // File reads block: keep them off Swift's cooperative pool.
        try await BlockingCalls.run { [self] in try read(request) }
    }

    func read(_ request: FetchRequest) throws -> FetchResult {
        let files = FileGlob.matches(settings.path)
        guard !files.isEmpty else {
            if settings.follow { return FetchResult(records: [], nextCursor: request.cursor) }
            throw ConnectorError("no file matches \(settings.path)", isRetriable: true)
        }
        var cursor = FileCursor(request.cursor) ?? FileCursor(file: files[0], offset: 0)
        // A cursor's file that is gone: continue with the next name after it.
        var index = files.firstIndex(of: cursor.file) ?? files.firstIndex { $0 > cursor.file } ?? files.count
        if files.firstIndex(of: cursor.file) == nil, index < files.count { cursor = FileCursor(file: files[index], offset: 0) }
        var records: [SourceRecord] = []
        while index < files.count && records.count < request.maxRecords {
            let file = files[index]
            if let refusal = access.pathRefusal(file) { throw ConnectorError(refusal, isRetriable: false) }
            if cursor.file != file { cursor = FileCursor(file: file, offset: 0) }
            let lastFile = index == files.count - 1
            let format = settings.format ?? (file.lowercased().hasSuffix(".csv") ? .csv : .jsonl)
            let header = format == .csv && cursor.offset == 0 ? 1 : 0  // a CSV header line is not a record
            let (lines, offset, atEnd) = try FileLines.read(file, from: cursor.offset,
                                                            max: request.maxRecords - records.count + header,
                                                            chunkBytes: chunkBytes, takePartialLast: !settings.follow,
                                                            csvQuotes: format == .csv)
            records += try FileRecords.make(lines, format: format, file: file, startsAtBeginning: cursor.offset == 0)
            cursor.offset = offset
            if !atEnd { break }
            if lastFile { break }
            index += 1
        }
        let exhausted = index >= files.count - 1 && (try? FileLines.size(cursor.file)) == cursor.offset
        return FetchResult(records: records, nextCursor: cursor.text, hasMore: !exhausted && !records.isEmpty)
    }
}
