import Synchronization

/// Drives one stream's polling in its ingestion mode. It owns the live cursor: every page it
/// emits carries the cursor after that page, and `stop()` ends the loop at a poll boundary and
/// returns the cursor after the last emitted record — the hand-over point for make-before-break.
public final class IngestionLoop: Sendable {
    public typealias Fetch = @Sendable (FetchRequest) async throws -> FetchResult
    /// Takes a page of records and the cursor that follows it; may suspend (queue backpressure).
    public typealias Emit = @Sendable ([SourceRecord], String?) async throws -> Void
    public typealias ErrorHandler = @Sendable (Error) -> Void

    private struct State {
        var settings: IngestionSettings
        var cursor: String?
        var stopping = false
        var finished = false
        /// Bumped by every signal, so a waiter that registers late still sees it.
        var generation: UInt64 = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Continuous streaming also flushes once its buffer holds this many bytes of keys and
    /// values: `buffer_size` counts records, and records can be large (up to a megabyte each
    /// from the generator), so a count alone could hold gigabytes until the next flush.
    public static let maxBufferedBytes = 16 << 20

    private let state: Mutex<State>
    private let clock: PipelineClock
    private let fetch: Fetch
    private let emit: Emit
    private let onError: ErrorHandler

    public init(settings: IngestionSettings, cursor: String?, clock: PipelineClock = SystemPipelineClock(),
                fetch: @escaping Fetch, emit: @escaping Emit, onError: @escaping ErrorHandler = { _ in }) {
        state = Mutex(State(settings: settings, cursor: cursor))
        self.clock = clock
        self.fetch = fetch
        self.emit = emit
        self.onError = onError
    }

    public var cursor: String? { state.withLock { $0.cursor } }
    public var settings: IngestionSettings { state.withLock { $0.settings } }

    /// A hot change: applied at the loop's next step, without a restart.
    public func update(_ settings: IngestionSettings) {
        state.withLock { $0.settings = settings }
        signal()
    }

    /// Asks the loop to stop at the next poll boundary (what it fetched is still emitted).
    public func requestStop() {
        state.withLock { $0.stopping = true }
        signal()
    }

    private func signal() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.generation &+= 1
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in waiters { w.resume() }
    }

    private var isStopping: Bool { state.withLock { $0.stopping } }

    /// Whether a stop was asked for: a loop that ended without one ended on its own.
    public var stopRequested: Bool { isStopping }

    /// Runs until stopped; returns the final cursor (the position after the last emitted record).
    public func run() async -> String? {
        var buffer: [SourceRecord] = []
        var bufferBytes = 0
        var bufferCursor: String?
        // The position after the last fetched record, emitted or still buffered.
        var fetchCursor = cursor
        var lastFlush = clock.now()

        func emitPage(_ records: [SourceRecord], _ next: String?) async -> Bool {
            if await emitOrFail(records, next) { return true }
            fetchCursor = cursor  // not emitted: fetch those records again
            return false
        }

        while !isStopping && !Task.isCancelled {
            let settings = self.settings
            switch settings.mode {
            case .batch:
                // Page through everything available now, then wait for the next run.
                while !isStopping {
                    guard let result = await poll(max: settings.batchSize, from: fetchCursor) else { break }
                    fetchCursor = result.nextCursor ?? fetchCursor
                    if !(await emitPage(result.records, result.nextCursor)) || !result.hasMore { break }
                }
                await pause(settings.scheduleInterval)
            case .realTime:
                if let result = await poll(max: settings.maxRecordsPerPoll, from: fetchCursor) {
                    fetchCursor = result.nextCursor ?? fetchCursor
                    if await emitPage(result.records, result.nextCursor), result.hasMore { continue }
                }
                await pause(settings.pollingInterval)
            case .continuousStreaming:
                let room = settings.bufferSize > buffer.count ? settings.bufferSize - buffer.count : 1
                var more = false
                if let result = await poll(max: room, from: fetchCursor) {
                    fetchCursor = result.nextCursor ?? fetchCursor
                    buffer += result.records
                    bufferBytes += result.records.reduce(0) { $0 + $1.value.count + ($1.key?.count ?? 0) }
                    bufferCursor = result.nextCursor ?? bufferCursor
                    more = result.hasMore
                }
                let due = clock.now() - lastFlush >= settings.bufferFlushInterval
                if buffer.count >= settings.bufferSize || bufferBytes >= Self.maxBufferedBytes || due {
                    if !buffer.isEmpty || bufferCursor != nil { _ = await emitPage(buffer, bufferCursor) }
                    buffer.removeAll(keepingCapacity: true)
                    bufferBytes = 0
                    bufferCursor = nil
                    lastFlush = clock.now()
                }
                if !more { await pause(min(settings.pollingInterval, settings.bufferFlushInterval)) }
            }
        }
        // Whatever is buffered goes out before the hand-over, so the returned cursor is exact.
        if !buffer.isEmpty || bufferCursor != nil { _ = await emitPage(buffer, bufferCursor) }
        return state.withLock { s in s.finished = true; return s.cursor }
    }

    private func poll(max: Int, from cursor: String?) async -> FetchResult? {
        do {
            return try await fetch(FetchRequest(cursor: cursor, maxRecords: max))
        } catch {
            onError(error)
            return nil
        }
    }

    private func emitOrFail(_ records: [SourceRecord], _ next: String?) async -> Bool {
        do {
            try await emit(records, next)
            state.withLock { if let next { $0.cursor = next } }
            return true
        } catch {
            onError(error)
            return false
        }
    }

    /// Sleeps on the clock, but wakes early for a stop or a settings change.
    private func pause(_ duration: Duration) async {
        guard !isStopping, duration > .zero else { return }
        let generation = state.withLock { $0.generation }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [clock] in try? await clock.sleep(for: duration) }
            group.addTask { [self] in
                await withCheckedContinuation { c in
                    let now = state.withLock { s -> Bool in
                        if s.generation != generation || s.stopping { return true }
                        s.waiters.append(c)
                        return false
                    }
                    if now { c.resume() }
                }
            }
            await group.next()
            group.cancelAll()
            signal()  // releases the waiter when the sleep ended first
        }
    }
}
