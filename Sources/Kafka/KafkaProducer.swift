import BlockingCalls
import CRdKafka
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// A producer over librdkafka with a per-record delivery result.
///
/// `send` enqueues without waiting and returns the record's id; delivery reports arrive
/// in batches on a dedicated polling thread and go to `onDeliveries` (the pipeline tracks
/// cursors with them) and to any `sendAndWait` caller. As a `Service`, its `run()` ends on
/// graceful shutdown after flushing what is queued.
public final class KafkaProducer: Service, Sendable {
    public typealias DeliveryHandler = @Sendable ([DeliveryReport]) -> Void

    let handle: RDKafkaHandle
    private let logger: Logger
    private let poller: PollThread
    private let serving: ReportServing
    private let sends: SendCounter
    private let topics = TopicHandles()
    private let router: DeliveryRouter
    private let nextID = Atomic<UInt64>(1)
    private let closed = Atomic<Bool>(false)

    public init(configuration: KafkaProducerConfiguration, logger: Logger,
                onDeliveries: DeliveryHandler? = nil) throws(KafkaError) {
        let collector = DeliveryCollector()
        let context = RDKafkaContext(logger: logger, onDelivery: { _, message in collector.collect(message) })
        let handle = try RDKafkaHandle(type: RD_KAFKA_PRODUCER, properties: configuration.librdkafkaProperties(),
                                       context: context)
        self.handle = handle
        self.logger = logger
        // The poll step must not capture `self`, so a dropped producer still deinitialises.
        let router = DeliveryRouter(handler: onDeliveries)
        self.router = router
        let serving = ReportServing(handle: handle, collector: collector, router: router)
        self.serving = serving
        // Reports are served on the sending thread, every few hundred sends, as a hand-written
        // librdkafka loop would; the thread serves them only while nobody sends. Serving on
        // another thread than the one that sends makes glibc's malloc arenas contend
        // (librdkafka frees each message where its report is served): measured in bench/.
        let sends = SendCounter()
        self.sends = sends
        self.poller = PollThread(name: "kafka-producer-poll") {
            let seen = sends.count.load(ordering: .relaxed)
            // Yield to a busy sender, but never for more than ~10 ms, so a slow but steady
            // sender still gets its reports promptly.
            if sends.seenByPoller.exchange(seen, ordering: .relaxed) != seen,
               sends.pollerSkips.wrappingAdd(1, ordering: .relaxed).newValue % 5 != 0 {
                _ = serving.dispatchCollected()
                usleep(2_000)
            } else {
                let served = serving.poll(timeoutMilliseconds: 20)
                if serving.dispatchCollected() == 0 && served == 0 { usleep(500) }
            }
        }
        poller.start()
    }

    deinit {
        // Closing can wait on librdkafka (purging, stopping the thread): never on the thread
        // that happens to drop the last reference, which may be one of Swift's few pool threads.
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let (handle, router, poller, topics) = (self.handle, self.router, self.poller, self.topics)
        BlockingCalls.detach { KafkaProducer.shutDown(handle: handle, router: router, poller: poller, topics: topics) }
    }

    /// Enqueues a record without waiting. Throws `queueFull` (retriable) when librdkafka's
    /// local queue is at `maxQueuedMessages`: that is backpressure, not a failure.
    @discardableResult
    public func send(_ record: ProducerRecord) throws(KafkaError) -> UInt64 {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        try enqueue(record, id: id, rkt: topicHandle(record.topic))
        return id
    }

    /// Like `send`, with the handle of `record.topic` looked up beforehand: a sender of
    /// many records to one topic saves a locked lookup per record.
    /// The record's parts are passed separately, so a sender holding them in its own record type
    /// builds no intermediate `ProducerRecord` per record.
    @discardableResult
    public func send(to topic: TopicHandle, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader] = [],
                     timestampMilliseconds: Int64? = nil) throws(KafkaError) -> UInt64 {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        try enqueue(id: id, rkt: topic.pointer, partition: RD_KAFKA_PARTITION_UA, key: key, value: value,
                    headers: headers, timestampMilliseconds: timestampMilliseconds)
        return id
    }

    /// The producer's handle for a topic (created on first use, valid while the producer lives).
    public func topicHandle(for name: String) throws(KafkaError) -> TopicHandle {
        TopicHandle(name: name, pointer: try topicHandle(name))
    }

    /// Like `send`, but waits (polling gently) while the local queue is full.
    @discardableResult
    public func sendWhenReady(_ record: ProducerRecord) async throws -> UInt64 {
        while true {
            let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
            let result: Result<Void, KafkaError> = Result { () throws(KafkaError) in try enqueue(record, id: id, rkt: topicHandle(record.topic)) }
            switch result {
            case .success: return id
            case .failure(let error) where error.code == .queueFull:
                try await Task.sleep(for: .milliseconds(2))
            case .failure(let error): throw error
            }
        }
    }

    /// Sends and waits for the record's delivery report; throws the delivery error.
    public func sendAndWait(_ record: ProducerRecord) async throws -> DeliveryReport {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        let report = await withCheckedContinuation { (c: CheckedContinuation<DeliveryReport, Never>) in
            // Registered before enqueueing, so a fast report cannot miss its waiter.
            router.waiters.withLock { $0[id] = c }
            router.waiterCount.add(1, ordering: .releasing)
            do throws(KafkaError) {
                try enqueue(record, id: id, rkt: topicHandle(record.topic))
            } catch {
                let removed = router.waiters.withLock { $0.removeValue(forKey: id) }
                if removed != nil { router.waiterCount.subtract(1, ordering: .releasing) }
                removed?.resume(returning: DeliveryReport(messageID: id, topic: record.topic, partition: -1,
                                                          offset: -1, error: error))
            }
        }
        if let error = report.error { throw error }
        return report
    }

    /// Waits until every record sent so far has a delivery report, or the timeout passes.
    public func flush(timeout: Duration = .seconds(30)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while router.inFlight.load(ordering: .acquiring) > 0 {
            if clock.now >= deadline {
                throw KafkaError(code: .timedOut,
                                 message: "flush timed out with \(router.inFlight.load(ordering: .relaxed)) record(s) undelivered")
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Serves the delivery reports that are ready, on the calling thread, without waiting; returns
    /// how many. A sender whose `send` threw `queueFull` calls this before backing off: each
    /// served report frees a slot in librdkafka's queue (its handler still runs on the polling thread).
    @discardableResult
    public func serveDeliveryReports() -> Int {
        Int(serving.poll(timeoutMilliseconds: 0))
    }

    /// Names of the topics the cluster has (a metadata request).
    public func topicNames(timeout: Duration = .seconds(10)) async throws -> Set<String> {
        let handle = self.handle
        let topics = try await BlockingCalls.run { try handle.metadata(topic: nil, timeoutMilliseconds: timeout.milliseconds) }
        return Set(topics.filter { $0.error == nil }.map(\.name))
    }

    /// Asks a broker for `topic`'s metadata; throws when none answers within `timeout`. A quiet
    /// producer hears nothing from librdkafka when the brokers come back, so health is probed.
    public func probe(topic: String, timeout: Duration) async throws {
        let handle = self.handle
        _ = try await BlockingCalls.run { try handle.metadata(topic: topic, timeoutMilliseconds: timeout.milliseconds) }
    }

    /// Records sent and not yet reported.
    public var pendingCount: Int { router.inFlight.load(ordering: .relaxed) }

    /// The latest client-level error librdkafka reported (e.g. brokers unreachable).
    public var lastClientError: KafkaError? { handle.context.lastError }

    /// Service: runs until graceful shutdown, then flushes and closes.
    public func run() async throws {
        try? await gracefulShutdown()
        do {
            try await flush(timeout: .seconds(30))
        } catch {
            logger.warning("producer flush at shutdown: \(error)")
        }
        await close()
    }

    /// Fails whatever is still queued (with delivery reports saying so) and stops polling.
    public func close() async {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let (handle, router, poller, topics) = (self.handle, self.router, self.poller, self.topics)
        _ = try? await BlockingCalls.run { KafkaProducer.shutDown(handle: handle, router: router, poller: poller, topics: topics) }
    }

    private static func shutDown(handle: RDKafkaHandle, router: DeliveryRouter, poller: PollThread, topics: TopicHandles) {
        if router.inFlight.load(ordering: .acquiring) > 0 {
            // Turn what can no longer be sent into failure reports, never silence.
            rd_kafka_purge(handle.pointer, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
            var spins = 0
            while router.inFlight.load(ordering: .acquiring) > 0 && spins < 200 {
                usleep(5_000)
                spins += 1
            }
        }
        poller.stop()
        topics.destroyAll()
    }

    private func topicHandle(_ name: String) throws(KafkaError) -> OpaquePointer {
        try topics.handle(name, client: handle)
    }

    private func enqueue(_ record: ProducerRecord, id: UInt64, rkt: OpaquePointer) throws(KafkaError) {
        try enqueue(id: id, rkt: rkt, partition: record.partition ?? RD_KAFKA_PARTITION_UA, key: record.key,
                    value: record.value, headers: record.headers, timestampMilliseconds: record.timestampMilliseconds)
    }

    private func enqueue(id: UInt64, rkt: OpaquePointer, partition: Int32, key: [UInt8]?, value: [UInt8]?,
                         headers: [KafkaHeader], timestampMilliseconds: Int64?) throws(KafkaError) {
        if sends.count.wrappingAdd(1, ordering: .relaxed).newValue & 511 == 0 {
            _ = serving.poll(timeoutMilliseconds: 0)
        }
        guard !closed.load(ordering: .relaxed) else {
            throw KafkaError(code: .state, message: "producer is closed")
        }
        let opaque = UnsafeMutableRawPointer(bitPattern: UInt(id))
        router.inFlight.add(1, ordering: .relaxed)
        let error: KafkaError? = withBytes(key) { keyPtr, keyLen in
            withBytes(value) { valuePtr, valueLen in
                if headers.isEmpty && timestampMilliseconds == nil {
                    // The plain call is the cheapest path through librdkafka.
                    let rc = rd_kafka_produce(rkt, partition, RD_KAFKA_MSG_F_COPY,
                                              UnsafeMutableRawPointer(mutating: valuePtr), valueLen,
                                              keyPtr, keyLen, opaque)
                    return rc == 0 ? nil : KafkaError(rd_kafka_last_error())
                }
                return produceWithHeaders(headers, timestampMilliseconds, rkt: rkt, partition: partition,
                                          key: (keyPtr, keyLen), value: (valuePtr, valueLen), opaque: opaque)
            }
        }
        if let error {
            router.inFlight.subtract(1, ordering: .relaxed)
            throw error
        }
    }

    private func produceWithHeaders(_ recordHeaders: [KafkaHeader], _ timestamp: Int64?, rkt: OpaquePointer, partition: Int32,
                                    key: (UnsafeRawPointer?, Int), value: (UnsafeRawPointer?, Int),
                                    opaque: UnsafeMutableRawPointer?) -> KafkaError? {
        var headers: OpaquePointer? = nil
        if !recordHeaders.isEmpty {
            headers = rd_kafka_headers_new(recordHeaders.count)
            for h in recordHeaders {
                // The name by pointer and length: header names are small strings, stored inline,
                // and passing one as a C string would allocate a NUL-terminated copy per record.
                var name = h.key
                name.withUTF8 { name in
                    withBytes(h.value) { ptr, len in
                        _ = name.withMemoryRebound(to: CChar.self) { name in
                            rd_kafka_header_add(headers, name.baseAddress, name.count, h.value == nil ? nil : ptr, h.value == nil ? 0 : len)
                        }
                    }
                }
            }
        }
        // On the stack: this runs once per record with headers.
        return withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 8) { vus -> KafkaError? in
            var n = 0
            func add(_ type: rd_kafka_vtype_t, _ fill: (inout rd_kafka_vu_t) -> Void) {
                vus[n] = rd_kafka_vu_t()
                vus[n].vtype = type
                fill(&vus[n])
                n += 1
            }
            add(RD_KAFKA_VTYPE_RKT) { $0.u.rkt = rkt }
            add(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = partition }
            add(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
            add(RD_KAFKA_VTYPE_VALUE) { $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: value.0); $0.u.mem.size = value.1 }
            add(RD_KAFKA_VTYPE_KEY) { $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.0); $0.u.mem.size = key.1 }
            add(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = opaque }
            if let ts = timestamp { add(RD_KAFKA_VTYPE_TIMESTAMP) { $0.u.i64 = ts } }
            if let headers { add(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = headers } }
            if let err = rd_kafka_produceva(handle.pointer, vus.baseAddress, n) {
                // Ownership of the headers passes to librdkafka only on success.
                if let headers { rd_kafka_headers_destroy(headers) }
                return KafkaError(consuming: err)
            }
            return nil
        }
    }
}

final class SendCounter: Sendable {
    let count = Atomic<UInt32>(0)
    /// The count the polling thread saw last; a change means someone is sending.
    let seenByPoller = Atomic<UInt32>(0)
    let pollerSkips = Atomic<UInt32>(0)
}

/// Serves librdkafka's report queue. Any thread may poll it (librdkafka then frees the
/// delivered messages on that thread), one at a time; the reports it collects are handed to
/// the handlers only by the polling thread, so a handler never runs inside `send`.
final class ReportServing: @unchecked Sendable {
    private let handle: RDKafkaHandle
    private let collector: DeliveryCollector
    private let router: DeliveryRouter
    private let busy = Atomic<Bool>(false)
    /// Touched only by the polling thread.
    private var spare: [DeliveryReport] = []

    init(handle: RDKafkaHandle, collector: DeliveryCollector, router: DeliveryRouter) {
        self.handle = handle
        self.collector = collector
        self.router = router
    }

    private func tryAcquire() -> Bool {
        busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
    }

    private func release() { busy.store(false, ordering: .releasing) }

    /// Polls on the calling thread; returns the events served (0 when another thread is polling).
    func poll(timeoutMilliseconds: Int32) -> Int32 {
        guard tryAcquire() else { return 0 }
        defer { release() }
        return rd_kafka_poll(handle.pointer, timeoutMilliseconds)
    }

    /// Polling thread only: dispatches what has been collected; returns how many reports.
    func dispatchCollected() -> Int {
        guard tryAcquire() else { return 0 }
        collector.swapPending(with: &spare)
        release()
        let count = spare.count
        if count > 0 {
            router.dispatch(spare)
            spare.removeAll(keepingCapacity: true)
        }
        return count
    }
}

/// Hands delivery reports to `sendAndWait` callers and the batch handler. Shared by
/// the producer (which registers waiters and counts sends) and its polling thread.
final class DeliveryRouter: Sendable {
    let waiters = Mutex<[UInt64: CheckedContinuation<DeliveryReport, Never>]>([:])
    let waiterCount = Atomic<Int>(0)
    /// Records sent whose report has not been dispatched yet.
    let inFlight = Atomic<Int>(0)
    let handler: KafkaProducer.DeliveryHandler?

    init(handler: KafkaProducer.DeliveryHandler?) { self.handler = handler }

    func dispatch(_ reports: [DeliveryReport]) {
        guard !reports.isEmpty else { return }
        if waiterCount.load(ordering: .acquiring) > 0 {
            let resumed: [(CheckedContinuation<DeliveryReport, Never>, DeliveryReport)] = waiters.withLock { waiters in
                reports.compactMap { r in waiters.removeValue(forKey: r.messageID).map { ($0, r) } }
            }
            if !resumed.isEmpty { waiterCount.subtract(resumed.count, ordering: .releasing) }
            for (c, r) in resumed { c.resume(returning: r) }
        }
        handler?(reports)
        // Counted last, so a flush that sees zero knows every handler call has returned.
        inFlight.subtract(reports.count, ordering: .releasing)
    }
}

/// A non-null pointer for empty byte arrays: librdkafka tells an empty value
/// (pointer, length 0) from a tombstone (NULL).
nonisolated(unsafe) private let emptyByte: UnsafeMutableRawPointer = .allocate(byteCount: 1, alignment: 1)

private func withBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawPointer?, Int) -> R) -> R {
    guard let bytes else { return body(nil, 0) }
    if bytes.isEmpty { return body(UnsafeRawPointer(emptyByte), 0) }
    return bytes.withUnsafeBytes { body($0.baseAddress, $0.count) }
}

/// A producer's handle for one topic; see `KafkaProducer.topicHandle(for:)`.
public struct TopicHandle: @unchecked Sendable {
    public let name: String
    // Owned by the producer's `TopicHandles`, destroyed only when the producer shuts down.
    let pointer: OpaquePointer
}

/// The producer's topic handles, created once per topic and destroyed with the producer.

final class TopicHandles: Sendable {
    private let map = Mutex<[String: OpaquePointer]>([:])

    func handle(_ name: String, client: RDKafkaHandle) throws(KafkaError) -> OpaquePointer {
        let result: Result<OpaquePointer, KafkaError> = map.withLock { topics in
            if let rkt = topics[name] { return .success(rkt) }
            guard let rkt = rd_kafka_topic_new(client.pointer, name, nil) else {
                return .failure(KafkaError(rd_kafka_last_error(), context: "topic \(name)"))
            }
            topics[name] = rkt
            return .success(rkt)
        }
        return try result.get()
    }

    func destroyAll() {
        map.withLock { topics in
            for rkt in topics.values { rd_kafka_topic_destroy(rkt) }
            topics.removeAll()
        }
    }
}
