import BlockingCalls
import CRdKafka
import Logging
import Synchronization

/// State shared with librdkafka's C callbacks. librdkafka hands it back as the
/// `opaque` pointer; the owning client keeps it alive until the handle is destroyed.
final class RDKafkaContext: Sendable {
    let logger: Logger
    /// Called on the polling thread with each delivery report (producer only).
    let onDelivery: (@Sendable (OpaquePointer, UnsafePointer<rd_kafka_message_t>) -> Void)?
    /// Called on the polling thread for a rebalance; must assign/unassign (consumer only).
    let onRebalance: (@Sendable (OpaquePointer, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> Void)?
    private let lastErrorBox = Mutex<KafkaError?>(nil)

    init(logger: Logger,
         onDelivery: (@Sendable (OpaquePointer, UnsafePointer<rd_kafka_message_t>) -> Void)? = nil,
         onRebalance: (@Sendable (OpaquePointer, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> Void)? = nil) {
        self.logger = logger
        self.onDelivery = onDelivery
        self.onRebalance = onRebalance
    }

    /// The most recent client-level error (e.g. all brokers down), for health reporting.
    var lastError: KafkaError? {
        get { lastErrorBox.withLock { $0 } }
        set { lastErrorBox.withLock { $0 = newValue } }
    }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> RDKafkaContext? {
        opaque.map { Unmanaged<RDKafkaContext>.fromOpaque($0).takeUnretainedValue() }
    }
}

/// Owns one `rd_kafka_t`. Every librdkafka client (producer, consumer, admin) is one of these.
/// librdkafka's handle is thread-safe, hence `@unchecked Sendable`.
final class RDKafkaHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    let context: RDKafkaContext
    /// Set when destroying the client would abort the process (see `KafkaConsumer.close`): the
    /// client is then left as it is.
    let neverDestroy = Atomic<Bool>(false)

    init(type: rd_kafka_type_t, properties: [String: String], context: RDKafkaContext) throws(KafkaError) {
        let conf = try RDKafkaHandle.makeConf(properties)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(context).toOpaque())
        rd_kafka_conf_set_log_cb(conf) { rk, level, facility, message in
            guard let ctx = RDKafkaContext.from(rd_kafka_opaque(rk)) else { return }
            let text = "\(facility.map { String(cString: $0) } ?? "-"): \(message.map { String(cString: $0) } ?? "")"
            // syslog levels: 0-3 error, 4 warning, 5-6 info/notice, 7 debug.
            switch level {
            case ...3: ctx.logger.error("librdkafka \(text)")
            case 4: ctx.logger.warning("librdkafka \(text)")
            case 5, 6: ctx.logger.info("librdkafka \(text)")
            default: ctx.logger.debug("librdkafka \(text)")
            }
        }
        rd_kafka_conf_set_error_cb(conf) { rk, err, reason, opaque in
            guard let ctx = RDKafkaContext.from(opaque) else { return }
            let error = KafkaError(code: .init(rawValue: err), message: reason.map { String(cString: $0) } ?? "",
                                   isFatal: err == RD_KAFKA_RESP_ERR__FATAL.rawValue)
            ctx.lastError = error
            if error.isFatal { ctx.logger.error("\(error)") } else { ctx.logger.warning("\(error)") }
        }
        if context.onDelivery != nil {
            rd_kafka_conf_set_dr_msg_cb(conf) { rk, message, opaque in
                guard let rk, let message, let ctx = RDKafkaContext.from(opaque) else { return }
                ctx.onDelivery?(rk, message)
            }
        }
        if context.onRebalance != nil {
            rd_kafka_conf_set_rebalance_cb(conf) { rk, err, partitions, opaque in
                guard let rk, let partitions, let ctx = RDKafkaContext.from(opaque) else { return }
                ctx.onRebalance?(rk, err, partitions)
            }
        }
        var errstr = [CChar](repeating: 0, count: 512)
        guard let rk = rd_kafka_new(type, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(code: .configuration, message: String(cBuffer: errstr))
        }
        self.pointer = rk
        self.context = context
    }

    deinit {
        // rd_kafka_destroy waits for librdkafka's threads (a consumer even leaves its group):
        // never block the thread that drops the last reference, which may be a pool thread.
        // The context stays alive until then: callbacks may still fire during destroy.
        guard !neverDestroy.load(ordering: .acquiring) else {
            // librdkafka's threads live on and call back into the context: it must outlive them.
            _ = Unmanaged.passRetained(context)
            return
        }
        let handle = UnsafeSendablePointer(pointer), context = self.context
        KafkaClients.closing.enter()
        BlockingCalls.detach {
            rd_kafka_destroy(handle.pointer)
            withExtendedLifetime(context) {}
            KafkaClients.closing.leave()
        }
    }

    /// Builds `rd_kafka_conf_t`. Error texts name the property but never echo values of
    /// secret-looking properties (SASL passwords, SSL key passwords).
    static func makeConf(_ properties: [String: String]) throws(KafkaError) -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        var errstr = [CChar](repeating: 0, count: 512)
        for (key, value) in properties.sorted(by: { $0.key < $1.key }) {
            if rd_kafka_conf_set(conf, key, value, &errstr, errstr.count) != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                let detail = isSecretProperty(key) ? "invalid value" : String(cBuffer: errstr)
                throw KafkaError(code: .configuration, message: "Kafka property '\(key)': \(detail)")
            }
        }
        return conf
    }

    static func isSecretProperty(_ key: String) -> Bool {
        let k = key.lowercased()
        return k.contains("password") || k.contains("secret") || k.contains("token") || k.hasSuffix(".key.pem")
    }

    /// Partition ids of `topic`, or all topics when nil. Blocking: call off the cooperative pool.
    func metadata(topic: String?, timeoutMilliseconds: Int32) throws(KafkaError) -> [TopicMetadata] {
        var md: UnsafePointer<rd_kafka_metadata>?
        var rkt: OpaquePointer?
        if let topic { rkt = rd_kafka_topic_new(pointer, topic, nil) }
        defer { if let rkt { rd_kafka_topic_destroy(rkt) } }
        let err = rd_kafka_metadata(pointer, topic == nil ? 1 : 0, rkt, &md, timeoutMilliseconds)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let md else { throw KafkaError(err, context: "metadata request") }
        defer { rd_kafka_metadata_destroy(md) }
        var result: [TopicMetadata] = []
        for i in 0..<Int(md.pointee.topic_cnt) {
            let t = md.pointee.topics[i]
            let partitions = (0..<Int(t.partition_cnt)).map { t.partitions[$0].id }.sorted()
            result.append(TopicMetadata(name: String(cString: t.topic), partitions: partitions,
                                        error: t.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(t.err)))
        }
        return result
    }

    /// Low and high watermarks from the broker. Blocking.
    func watermarks(topic: String, partition: Int32, timeoutMilliseconds: Int32) throws(KafkaError) -> (low: Int64, high: Int64) {
        var low: Int64 = 0, high: Int64 = 0
        let err = rd_kafka_query_watermark_offsets(pointer, topic, partition, &low, &high, timeoutMilliseconds)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, context: "watermarks of \(topic)[\(partition)]") }
        return (low, high)
    }

    /// The watermarks of several partitions of one topic, asked all at once: each query is a round
    /// trip (and waits for the partition's leader), so asking one after the other would add them
    /// up — seconds for a 12-partition topic on a slow broker.
    func watermarks(topic: String, partitions: [Int32],
                    timeoutMilliseconds: Int32) async throws -> [Int32: (low: Int64, high: Int64)] {
        try await withThrowingTaskGroup(of: (Int32, (low: Int64, high: Int64)).self) { group in
            for p in partitions {
                group.addTask { (p, try await BlockingCalls.run { try self.watermarks(topic: topic, partition: p, timeoutMilliseconds: timeoutMilliseconds) }) }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
    }
}

public struct TopicMetadata: Sendable, Equatable {
    public var name: String
    public var partitions: [Int32]
    public var error: KafkaError?
}

extension String {
    /// Text of a NUL-terminated C buffer filled by librdkafka.
    init(cBuffer: [CChar]) {
        self = String(decoding: cBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A raw client pointer handed to the clean-up queue.
struct UnsafeSendablePointer: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}
