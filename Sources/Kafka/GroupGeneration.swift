import CRdKafka

/// The consumer group's generation id, which librdkafka 2.0 keeps inside its opaque group
/// metadata (no getter). The metadata's serialised form holds it as a plain integer; where is
/// learnt once by serialising two probes made with known generations, so a different layout in
/// another librdkafka version yields nil (callers fall back), never a wrong number.
enum GroupGeneration {
    private static let offset: Int? = {
        let a: Int32 = 0x1A2B_3C4D, b: Int32 = 0x0F1E_2D3C
        guard let first = serialised(generation: a), let second = serialised(generation: b), first.count == second.count else {
            return nil
        }
        let candidates = (0...(first.count - 4)).filter { int32(first, at: $0) == a && int32(second, at: $0) == b }
        return candidates.count == 1 ? candidates[0] : nil
    }()

    /// The generation of a consumer's current group membership, if librdkafka's layout is known.
    static func of(_ rk: OpaquePointer) -> Int32? {
        guard let offset, let metadata = rd_kafka_consumer_group_metadata(rk) else { return nil }
        defer { rd_kafka_consumer_group_metadata_destroy(metadata) }
        guard let bytes = write(metadata), bytes.count >= offset + 4 else { return nil }
        return int32(bytes, at: offset)
    }

    private static func serialised(generation: Int32) -> [UInt8]? {
        guard let metadata = rd_kafka_consumer_group_metadata_new_with_genid("probe-group", generation, "probe-member", nil) else {
            return nil
        }
        defer { rd_kafka_consumer_group_metadata_destroy(metadata) }
        return write(metadata)
    }

    private static func write(_ metadata: OpaquePointer) -> [UInt8]? {
        var buffer: UnsafeMutableRawPointer?
        var size = 0
        if let error = rd_kafka_consumer_group_metadata_write(metadata, &buffer, &size) {
            rd_kafka_error_destroy(error)
            return nil
        }
        guard let buffer else { return nil }
        defer { rd_kafka_mem_free(nil, buffer) }
        return Array(UnsafeRawBufferPointer(start: buffer, count: size))
    }

    /// Native byte order, as librdkafka copies the field.
    private static func int32(_ bytes: [UInt8], at offset: Int) -> Int32 {
        var value: Int32 = 0
        withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: bytes[offset..<offset + 4]) }
        return value
    }
}

extension KafkaConsumer {
    /// The group generation this member belongs to (nil before joining, or if unknown).
    public var groupGeneration: Int? { GroupGeneration.of(handle.pointer).map(Int.init) }
}
