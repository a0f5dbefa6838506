import Kafka

/// A record as a connector produced it, before the pipeline assigns a stream, a priority and a topic.
public struct SourceRecord: Sendable, Equatable {
    public var key: [UInt8]?
    public var value: [UInt8]
    public var headers: [KafkaHeader]
    public var eventTimeMilliseconds: Int64?
    /// Set when the connector could not make sense of this input (e.g. a line that is not
    /// JSON): the record goes to the DLQ with `dlq.stage: transform` and this reason, and the
    /// cursor moves past it, so one bad line neither blocks the stream nor is lost.
    public var malformed: String?

    public init(key: [UInt8]?, value: [UInt8], headers: [KafkaHeader] = [], eventTimeMilliseconds: Int64? = nil,
                malformed: String? = nil) {
        self.key = key
        self.value = value
        self.headers = headers
        self.eventTimeMilliseconds = eventTimeMilliseconds
        self.malformed = malformed
    }
}

/// One fetch: where to continue from and how much to take.
public struct FetchRequest: Sendable, Equatable {
    /// The connector's own position encoding; nil means "from the start".
    public var cursor: String?
    public var maxRecords: Int
    /// How long the fetch may take (the source's `timeout_seconds` as it is now): a connector that
    /// makes its own transfers gives them this bound, so a changed timeout applies to the next one.
    public var timeout: Duration?

    public init(cursor: String?, maxRecords: Int, timeout: Duration? = nil) {
        self.cursor = cursor
        self.maxRecords = maxRecords
        self.timeout = timeout
    }
}

public struct FetchResult: Sendable, Equatable {
    public var records: [SourceRecord]
    /// The position after these records. Restarting from it neither skips nor repeats.
    public var nextCursor: String?
    /// More is available right now (batch mode keeps paging).
    public var hasMore: Bool
    /// The source said nothing changed (HTTP 304); no rate budget should be charged.
    public var notModified: Bool
    /// The source asked to wait before the next request.
    public var retryAfter: Duration?

    public init(records: [SourceRecord], nextCursor: String?, hasMore: Bool = false, notModified: Bool = false,
                retryAfter: Duration? = nil) {
        self.records = records
        self.nextCursor = nextCursor
        self.hasMore = hasMore
        self.notModified = notModified
        self.retryAfter = retryAfter
    }
}

/// An error a connector reports; `isRetriable` and `retryAfter` drive the fetch policy's retries.
public struct ConnectorError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String
    public var isRetriable: Bool
    public var retryAfter: Duration?
    /// The HTTP status of the answer that failed, for HTTP sources (a 429 or 503 pauses the
    /// source's budget).
    public var httpStatus: Int?

    public init(_ message: String, isRetriable: Bool = true, retryAfter: Duration? = nil, httpStatus: Int? = nil) {
        self.message = message
        self.isRetriable = isRetriable
        self.retryAfter = retryAfter
        self.httpStatus = httpStatus
    }

    /// An answer that asks the client to slow down: every source in the budget waits.
    public var isThrottle: Bool { httpStatus == 429 || httpStatus == 503 }

    public var description: String { message }
}

/// A source type's fetcher: records from a cursor, plus the cursor after them.
public protocol SourceConnector: Sendable {
    /// A key identifying the request for the response cache and, for HTTP sources, the API host
    /// whose rate limit may be shared across sources. nil: no caching, no shared limit.
    var apiHost: String? { get }
    func fetch(_ request: FetchRequest) async throws -> FetchResult
}

extension SourceConnector {
    public var apiHost: String? { nil }
}
