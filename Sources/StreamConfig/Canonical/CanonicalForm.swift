import Crypto

/// The canonical form of a source: every field with its default filled in, `${ENV}`
/// references as written, no source id. Its SHA-256 is the `config_hash` of the status and
/// offsets topics, and `apply` publishes only sources whose hash changed.
extension SourceConfig {
    /// The source as a JSON-like object with snake_case keys; unset optional fields
    /// (`topic`, `dlq_topic`, `budget`, `schedule_interval_seconds`) are left out.
    public var canonicalValue: ConfigValue {
        var ingestionObject: ConfigObject = [
            "mode": .string(ingestion.mode.rawValue),
            "polling_interval_seconds": .double(ingestion.pollingIntervalSeconds),
            "max_records_per_poll": .int(ingestion.maxRecordsPerPoll),
            "buffer_size": .int(ingestion.bufferSize),
            "buffer_flush_interval_seconds": .double(ingestion.bufferFlushIntervalSeconds),
            "batch_size": .int(ingestion.batchSize),
        ]
        if let schedule = ingestion.scheduleIntervalSeconds {
            ingestionObject["schedule_interval_seconds"] = .double(schedule)
        }
        var object: ConfigObject = [
            "source_type": .string(sourceType),
            "enabled": .bool(enabled),
            "priority": .string(priority.rawValue),
            "ingestion": .object(ingestionObject),
            "rate_limit_per_minute": .int(rateLimitPerMinute),
            "timeout_seconds": .double(timeoutSeconds),
            "cache_ttl_seconds": .double(cacheTTLSeconds),
            "max_retries": .int(maxRetries),
            "connector": .object(connector),
        ]
        if let topic { object["topic"] = .string(topic) }
        if let dlqTopic { object["dlq_topic"] = .string(dlqTopic) }
        // Only when set, so the hash of every source without a budget is what it always was.
        if let budget { object["budget"] = .string(budget) }
        return .object(object)
    }

    /// Canonical JSON: sorted keys, no whitespace, stable numbers. It parses back (as a
    /// source document) to an equal `SourceConfig`, so `apply` can publish it as the record.
    public var canonicalJSON: String {
        CanonicalJSON.encode(canonicalValue)
    }

    /// SHA-256 of the canonical JSON, 64 lowercase hex digits.
    public var configHash: String {
        ConfigHash.sha256Hex(canonicalJSON)
    }
}

public enum ConfigHash {
    /// Lowercase hex SHA-256 of the UTF-8 bytes of `text`.
    public static func sha256Hex(_ text: String) -> String {
        sha256Hex(Array(text.utf8))
    }

    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// Lowercase hex of any bytes (a digest, or a prefix of one).
    public static func hex<S: Sequence<UInt8>>(_ bytes: S) -> String {
        let digits: [Character] = Array("0123456789abcdef")
        var out = ""
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return out
    }

    /// The 12-character form shown in tables (`status`, logs).
    public static func short(_ hash: String) -> String {
        String(hash.prefix(12))
    }
}
