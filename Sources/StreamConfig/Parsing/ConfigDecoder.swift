/// Positioned document → `StreamManagerConfig`, one section at a time. Type problems and
/// unknown keys are reported here; range and cross-field rules run later on the typed value
/// (`ConfigValidator`), so code-built configs get the same checks.
enum ConfigDecoder {
    static func decodeConfig(_ root: DocumentNode, session: DecodeSession) -> StreamManagerConfig {
        session.positions.values[""] = root.position
        guard let top = MappingReader.make(root, path: "", session: session) else {
            return StreamManagerConfig()
        }
        let defaults = StreamManagerConfig()
        var config = StreamManagerConfig(
            kafka: top.mapping("kafka").map(decodeKafka) ?? KafkaConfig(),
            throttling: top.mapping("throttling").map(decodeThrottling) ?? ThrottlingConfig(),
            queueMaxSize: top.int("queue_max_size", default: defaults.queueMaxSize),
            queueMaxBytes: top.int("queue_max_bytes", default: defaults.queueMaxBytes),
            queueOverflowStrategy: top.enumeration("queue_overflow_strategy", default: defaults.queueOverflowStrategy),
            enableDLQ: top.bool("enable_dlq", default: defaults.enableDLQ),
            dlqRedrive: top.mapping("dlq_redrive").map(decodeRedrive) ?? DLQRedriveConfig(),
            manager: top.mapping("manager").map(decodeManager) ?? ManagerConfig(),
            topicRouting: top.mapping("topic_routing").map(decodeRouting) ?? TopicRoutingConfig())
        if let sources = top.mapping("sources") {
            for key in sources.writtenKeys {
                guard let node = sources.node(key) else { continue }
                let path = joinPath("sources", key)
                if let source = decodeSource(node, path: path, session: session, sourceID: key) {
                    config.sources[key] = source
                }
            }
        }
        if let budgets = top.mapping("budgets") {
            for name in budgets.writtenKeys {
                guard let reader = budgets.mapping(name) else { continue }
                config.budgets[name] = decodeBudget(reader)
            }
        }
        top.finish()
        return config
    }

    /// One `budgets.<name>` entry (or a `__budget:<name>` record): `requests` and
    /// `interval_seconds` are required.
    static func decodeBudget(_ r: MappingReader) -> BudgetConfig {
        defer { r.finish() }
        let b = SettingBounds.self
        if !r.has("requests") { r.requireMissing("requests") }
        if !r.has("interval_seconds") { r.requireMissing("interval_seconds") }
        var hosts: [String] = []
        for (i, node) in (r.sequence("hosts") ?? []).enumerated() {
            let path = "\(r.path).hosts[\(i)]"
            r.session.record(path, key: nil, value: node)
            if let host = ValueCoercion.string(node, path: path, session: r.session) { hosts.append(host) }
        }
        return BudgetConfig(requests: r.int("requests", default: 0, within: b.budgetRequests),
                            intervalSeconds: r.double("interval_seconds", default: 0, within: b.budgetInterval),
                            hosts: hosts)
    }

    static func decodeKafka(_ r: MappingReader) -> KafkaConfig {
        let d = KafkaConfig()
        defer { r.finish() }
        return KafkaConfig(
            bootstrapServers: r.string("bootstrap_servers", default: d.bootstrapServers),
            clientID: r.string("client_id", default: d.clientID),
            compressionType: r.enumeration("compression_type", default: d.compressionType),
            batchSize: r.int("batch_size", default: d.batchSize),
            lingerMs: r.int("linger_ms", default: d.lingerMs),
            maxRetries: r.int("max_retries", default: d.maxRetries),
            retryBackoffBase: r.double("retry_backoff_base", default: d.retryBackoffBase),
            properties: r.stringMap("properties", scalarsAsText: true))
    }

    static func decodeThrottling(_ r: MappingReader) -> ThrottlingConfig {
        let d = ThrottlingConfig()
        defer { r.finish() }
        return ThrottlingConfig(
            enabled: r.bool("enabled", default: d.enabled),
            minSendRate: r.double("min_send_rate", default: d.minSendRate),
            maxSendRate: r.double("max_send_rate", default: d.maxSendRate),
            targetConsumerLag: r.int("target_consumer_lag", default: d.targetConsumerLag),
            criticalConsumerLag: r.int("critical_consumer_lag", default: d.criticalConsumerLag),
            adjustmentFactor: r.double("adjustment_factor", default: d.adjustmentFactor),
            recoveryCycles: r.int("recovery_cycles", default: d.recoveryCycles),
            consumerGroup: r.optionalString("consumer_group"))
    }

    static func decodeRedrive(_ r: MappingReader) -> DLQRedriveConfig {
        let d = DLQRedriveConfig()
        defer { r.finish() }
        return DLQRedriveConfig(
            enabled: r.bool("enabled", default: d.enabled),
            delaySeconds: r.double("delay_seconds", default: d.delaySeconds),
            maxRedrives: r.int("max_redrives", default: d.maxRedrives))
    }

    static func decodeManager(_ r: MappingReader) -> ManagerConfig {
        let d = ManagerConfig()
        defer { r.finish() }
        return ManagerConfig(
            configTopic: r.string("config_topic", default: d.configTopic),
            statusTopic: r.string("status_topic", default: d.statusTopic),
            offsetsTopic: r.string("offsets_topic", default: d.offsetsTopic),
            configTopicPartitions: r.int("config_topic_partitions", default: d.configTopicPartitions),
            groupID: r.string("group_id", default: d.groupID),
            sessionTimeoutMs: r.int("session_timeout_ms", default: d.sessionTimeoutMs),
            instanceID: r.optionalString("instance_id"),
            statusIntervalSeconds: r.double("status_interval_seconds", default: d.statusIntervalSeconds),
            httpPort: r.int("http_port", default: d.httpPort),
            brokerUnavailableSeconds: r.double("broker_unavailable_seconds", default: d.brokerUnavailableSeconds),
            restartAfterFailures: r.int("restart_after_failures", default: d.restartAfterFailures),
            sourceAccess: r.mapping("source_access").map(decodeSourceAccess) ?? d.sourceAccess,
            httpAuth: r.mapping("http_auth").map(decodeHTTPAuth))
    }

    static func decodeHTTPAuth(_ r: MappingReader) -> HTTPAuthConfig {
        defer { r.finish() }
        if !r.has("username") { r.requireMissing("username") }
        if !r.has("password") { r.requireMissing("password") }
        return HTTPAuthConfig(username: r.string("username", default: ""), password: r.string("password", default: ""))
    }

    static func decodeRouting(_ r: MappingReader) -> TopicRoutingConfig {
        defer { r.finish() }
        let custom = r.stringMap("custom")
        var patterns: [TopicPattern] = []
        for (i, node) in (r.sequence("patterns") ?? []).enumerated() {
            let path = "\(r.path).patterns[\(i)]"
            r.session.record(path, key: nil, value: node)
            guard let p = MappingReader.make(node, path: path, session: r.session) else { continue }
            let match = p.string("match", default: "")
            let on = p.enumeration("on", default: PatternTarget.sourceID)
            let topic = p.string("topic", default: "")
            if !p.has("match") { p.requireMissing("match") }
            if !p.has("topic") { p.requireMissing("topic") }
            p.finish()
            patterns.append(TopicPattern(match: match, on: on, topic: topic))
        }
        var rules: [ContentRule] = []
        for (i, node) in (r.sequence("content_rules") ?? []).enumerated() {
            let path = "\(r.path).content_rules[\(i)]"
            r.session.record(path, key: nil, value: node)
            guard let c = MappingReader.make(node, path: path, session: r.session) else { continue }
            let field = c.string("field", default: "")
            let equals = c.value("equals")
            let matches = c.optionalString("matches")
            // Both optional; the validator requires at least one of them.
            let topic = c.optionalString("topic")
            let priority = c.optionalEnumeration("priority", as: SourcePriority.self)
            if !c.has("field") { c.requireMissing("field") }
            c.finish()
            rules.append(ContentRule(field: field, equals: equals, matches: matches, topic: topic, priority: priority))
        }
        return TopicRoutingConfig(custom: custom, patterns: patterns, contentRules: rules,
                                  fallbackTopic: r.optionalString("fallback_topic"))
    }

    /// One source entry. `sourceID` is the key it is stored under (nil for a config-topic
    /// record validated without its key); a `source_id` field must agree with it.
    static func decodeSource(_ node: DocumentNode, path: String, session: DecodeSession,
                             sourceID: String?) -> SourceConfig? {
        var written: String?
        return decodeSource(node, path: path, session: session, sourceID: sourceID, writtenID: &written)
    }

    /// As above; `writtenID` receives the entry's own `source_id` field, if any.
    static func decodeSource(_ node: DocumentNode, path: String, session: DecodeSession,
                             sourceID: String?, writtenID: inout String?) -> SourceConfig? {
        if node.isNull {
            session.invalid("a source needs at least 'source_type'; got an empty entry", path: path, node: node)
            return nil
        }
        guard let r = MappingReader.make(node, path: path, session: session) else { return nil }
        let sourceType = r.string("source_type", default: "")
        if !r.has("source_type") { r.requireMissing("source_type") }
        writtenID = r.optionalString("source_id")
        if let written = writtenID, let sourceID, written != sourceID {
            session.error("source_id '\(written)' does not match the source's key '\(sourceID)'",
                          path: joinPath(path, "source_id"),
                          at: session.positions.values[joinPath(path, "source_id")])
        }
        let d = SourceConfig(sourceType: sourceType)
        let b = SettingBounds.self
        var source = SourceConfig(
            sourceType: sourceType,
            enabled: r.bool("enabled", default: d.enabled),
            topic: r.optionalString("topic"),
            priority: r.enumeration("priority", default: d.priority),
            ingestion: r.mapping("ingestion").map(decodeIngestion) ?? IngestionConfig(),
            rateLimitPerMinute: r.int("rate_limit_per_minute", default: d.rateLimitPerMinute, within: b.rateLimitPerMinute),
            timeoutSeconds: r.double("timeout_seconds", default: d.timeoutSeconds, within: b.timeout),
            cacheTTLSeconds: r.double("cache_ttl_seconds", default: d.cacheTTLSeconds, within: b.cacheTTL),
            maxRetries: r.int("max_retries", default: d.maxRetries, within: b.maxRetries),
            dlqTopic: r.optionalString("dlq_topic"),
            budget: r.optionalString("budget"))
        if let connectorNode = r.node("connector"), !connectorNode.isNull {
            let connectorPath = joinPath(path, "connector")
            if case .mapping = connectorNode {
                let bounds = session.registry.schema(for: sourceType)?.settings.compactMapValues(\.bound) ?? [:]
                source.connector = ValueCoercion.value(connectorNode, path: connectorPath, session: session, bounds: bounds)?
                    .objectValue ?? [:]
            } else {
                session.invalid("expected a mapping, got \(connectorNode.kindDescription)", path: connectorPath, node: connectorNode)
            }
        }
        r.finish { key in
            key == "sources" || key == "kafka"
                ? "this looks like a whole config file, not a single source entry" : nil
        }
        return source
    }

    static func decodeIngestion(_ r: MappingReader) -> IngestionConfig {
        let d = IngestionConfig()
        let b = SettingBounds.self
        defer { r.finish() }
        return IngestionConfig(
            mode: r.enumeration("mode", default: d.mode),
            pollingIntervalSeconds: r.double("polling_interval_seconds", default: d.pollingIntervalSeconds, within: b.pollingInterval),
            maxRecordsPerPoll: r.int("max_records_per_poll", default: d.maxRecordsPerPoll, within: b.maxRecordsPerPoll),
            bufferSize: r.int("buffer_size", default: d.bufferSize, within: b.bufferSize),
            bufferFlushIntervalSeconds: r.double("buffer_flush_interval_seconds", default: d.bufferFlushIntervalSeconds, within: b.bufferFlushInterval),
            batchSize: r.int("batch_size", default: d.batchSize, within: b.batchSize),
            scheduleIntervalSeconds: r.optionalDouble("schedule_interval_seconds", within: b.scheduleInterval))
    }
}
