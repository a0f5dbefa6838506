import CRdKafka

/// An error from librdkafka or from this wrapper, with the facts a caller's
/// error policy needs: is it worth retrying, and is the client still usable.
public struct KafkaError: Error, Sendable, CustomStringConvertible, Equatable {
    /// librdkafka's error code space (`rd_kafka_resp_err_t`). Negative codes are
    /// client-side, positive ones come from the broker. Extensible: any code is valid.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        init(_ err: rd_kafka_resp_err_t) { self.rawValue = err.rawValue }

        public static let noError = Code(RD_KAFKA_RESP_ERR_NO_ERROR)
        public static let queueFull = Code(RD_KAFKA_RESP_ERR__QUEUE_FULL)
        public static let messageTimedOut = Code(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)
        public static let timedOut = Code(RD_KAFKA_RESP_ERR__TIMED_OUT)
        public static let transport = Code(RD_KAFKA_RESP_ERR__TRANSPORT)
        public static let allBrokersDown = Code(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        public static let invalidArgument = Code(RD_KAFKA_RESP_ERR__INVALID_ARG)
        public static let unknownTopic = Code(RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC)
        public static let unknownTopicOrPartition = Code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        public static let topicAlreadyExists = Code(RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        public static let messageSizeTooLarge = Code(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
        public static let partitionEOF = Code(RD_KAFKA_RESP_ERR__PARTITION_EOF)
        public static let state = Code(RD_KAFKA_RESP_ERR__STATE)
        public static let fatal = Code(RD_KAFKA_RESP_ERR__FATAL)
        /// Raised by this wrapper for an invalid configuration property.
        public static let configuration = Code(RD_KAFKA_RESP_ERR__INVALID_ARG)

        /// librdkafka's symbolic name, e.g. `_QUEUE_FULL`.
        public var name: String { String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: rawValue))) }
        public var description: String { name }
        /// librdkafka's fixed text for the code, e.g. "Local: Broker transport failure" (the
        /// same every time, unlike an error's message).
        public var text: String { String(cString: rd_kafka_err2str(rd_kafka_resp_err_t(rawValue: rawValue))) }
    }

    public let code: Code
    public let message: String
    public let isRetriable: Bool
    public let isFatal: Bool

    public init(code: Code, message: String, isRetriable: Bool? = nil, isFatal: Bool = false) {
        self.code = code
        self.message = message
        self.isRetriable = isRetriable ?? KafkaError.retriableCodes.contains(code)
        self.isFatal = isFatal
    }

    /// From a plain response code; the message is librdkafka's text for it.
    init(_ err: rd_kafka_resp_err_t, context: String? = nil) {
        let text = String(cString: rd_kafka_err2str(err))
        self.init(code: Code(err), message: context.map { "\($0): \(text)" } ?? text)
    }

    /// From librdkafka's rich error object, which knows retriability itself. Consumes it.
    init(consuming error: OpaquePointer) {
        defer { rd_kafka_error_destroy(error) }
        let code = Code(rd_kafka_error_code(error))
        let text = rd_kafka_error_string(error).map { String(cString: $0) } ?? code.name
        self.init(
            code: code, message: text,
            isRetriable: rd_kafka_error_is_retriable(error) != 0 || KafkaError.retriableCodes.contains(code),
            isFatal: rd_kafka_error_is_fatal(error) != 0)
    }

    public var description: String { "Kafka error \(code.name) (\(code.rawValue)): \(message)" }

    /// Codes that clear up on their own (the broker comes back, a leader is elected,
    /// the local queue drains). Decided here only, so every caller agrees.
    static let retriableCodes: Set<Code> = [
        .queueFull, .messageTimedOut, .timedOut, .transport, .allBrokersDown,
        Code(RD_KAFKA_RESP_ERR__RESOLVE), Code(RD_KAFKA_RESP_ERR__WAIT_COORD),
        Code(RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE), Code(RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION),
        Code(RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT), Code(RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION),
        Code(RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS), Code(RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND),
        Code(RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE), Code(RD_KAFKA_RESP_ERR_NOT_COORDINATOR),
        Code(RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS), Code(RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS),
        Code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART), Code(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION),
    ]
}

/// The librdkafka version loaded at run time (it may differ from the headers built against).
public var librdkafkaVersion: String { String(cString: rd_kafka_version_str()) }
