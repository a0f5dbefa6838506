/// Range, cross-field and naming rules on a typed config. Runs after decoding (with the
/// positions decoding recorded) and on configs built in code (positions empty, line 0).
public enum ConfigValidator {
    public static func validate(_ config: StreamManagerConfig,
                                options: ValidationOptions = .strict,
                                positions: PositionTable = PositionTable()) -> [Diagnostic] {
        let r = Reporter(positions: positions, options: advisingWithOwnPolicy(options, config))
        kafka(config.kafka, r)
        throttling(config.throttling, r)
        let b = SettingBounds.self
        r.within(b.queueMaxSize, config.queueMaxSize, b.queueMaxSize.key)
        r.within(b.queueMaxBytes, config.queueMaxBytes, b.queueMaxBytes.key)
        r.within(b.redriveDelay, config.dlqRedrive.delaySeconds, b.redriveDelay.key)
        r.within(b.maxRedrives, config.dlqRedrive.maxRedrives, b.maxRedrives.key)
        manager(config.manager, r)
        routing(config.topicRouting, r)
        budgets(config.budgets, r)
        for (id, source) in config.sources {
            let base = joinPath("sources", id)
            if let problem = SourceID.problem(id) { r.keyError(problem, base) }
            SourceValidator.validate(source, basePath: base, reporter: r)
            if let budget = source.budget, BudgetName.problem(budget) == nil, config.budgets[budget] == nil {
                let known = config.budgets.keys.sorted()
                r.error("budget '\(budget)' is not defined "
                        + (known.isEmpty ? "(this file has no 'budgets' section)" : "(budgets: \(known.joined(separator: ", ")))")
                        + KeySuggestion.hint(for: budget, in: known), joinPath(base, "budget"))
            }
            if source.topic == nil, config.topicRouting.staticTopic(sourceID: id, source: source) == nil {
                let message = "no 'topic', and no custom mapping, pattern or fallback_topic routes this source"
                let noRules = !config.topicRouting.contentRules.contains { $0.topic != nil }
                r.report(noRules ? .error : .warning,
                         message + (noRules ? "; set 'topic' or topic_routing.fallback_topic"
                                            : "; records no content rule matches will fail"),
                         base, at: positions.keyPosition(base), involving: [joinPath(base, "topic"), joinPath(base, "source_type")])
            }
        }
        return r.diagnostics.sortedByPosition()
    }

    static func kafka(_ k: KafkaConfig, _ r: Reporter) {
        bootstrapServers(k.bootstrapServers, r)
        r.nonEmpty(k.clientID, "kafka.client_id")
        r.envReferences(in: k.clientID, "kafka.client_id")
        let b = SettingBounds.self
        r.within(b.kafkaBatchSize, k.batchSize, b.kafkaBatchSize.key)
        r.within(b.kafkaLingerMs, k.lingerMs, b.kafkaLingerMs.key)
        r.within(b.kafkaMaxRetries, k.maxRetries, b.kafkaMaxRetries.key)
        r.within(b.kafkaRetryBackoffBase, k.retryBackoffBase, b.kafkaRetryBackoffBase.key)
        // Typed keys that librdkafka also has a property for: one place per setting.
        let typed = ["bootstrap.servers": "bootstrap_servers", "metadata.broker.list": "bootstrap_servers",
                     "client.id": "client_id", "compression.type": "compression_type",
                     "compression.codec": "compression_type", "linger.ms": "linger_ms",
                     "queue.buffering.max.ms": "linger_ms"]
        for (name, value) in k.properties {
            let path = "kafka.properties.\(name)"
            if name.isEmpty || !name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "_" }) {
                r.keyError("'\(name)' is not a librdkafka property name (lower-case words separated by '.')", path)
            } else if let key = typed[name] {
                r.warning("duplicates kafka.\(key); set it there instead", path)
            }
            r.envReferences(in: value, path)
        }
    }

    static func bootstrapServers(_ value: String, _ r: Reporter) {
        let path = "kafka.bootstrap_servers"
        r.envReferences(in: value, path)
        guard !EnvReference.containsReference(value) else { return }
        let entries = value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimming(" ") }
        if value.trimming(" ").isEmpty || entries.contains(where: \.isEmpty) {
            r.error("expected host:port[,host:port...], got '\(value)'", path)
            return
        }
        for entry in entries {
            let hostPort = entry.range(of: "://").map { String(entry[$0.upperBound...]) } ?? entry
            if hostPort.contains(" ") {
                r.error("'\(entry)' contains a space", path)
            } else if let colon = hostPort.lastIndex(of: ":"), !hostPort.hasSuffix("]") {
                let port = hostPort[hostPort.index(after: colon)...]
                if Int(port).map({ (1...65535).contains($0) }) != true {
                    r.error("'\(entry)' has an invalid port '\(port)'", path)
                }
            }
        }
    }

    static func throttling(_ t: ThrottlingConfig, _ r: Reporter) {
        let b = SettingBounds.self
        r.within(b.minSendRate, t.minSendRate, b.minSendRate.key)
        r.within(b.maxSendRate, t.maxSendRate, b.maxSendRate.key)
        // A max_send_rate of 0 is no ceiling, so any floor fits under it. Rates out of range
        // are reported above; comparing them would only repeat that.
        if t.maxSendRate > 0, b.minSendRate.contains(t.minSendRate), b.maxSendRate.contains(t.maxSendRate),
           t.minSendRate > t.maxSendRate {
            r.error("min_send_rate (\(CanonicalJSON.number(t.minSendRate))) is greater than max_send_rate (\(CanonicalJSON.number(t.maxSendRate)))",
                    "throttling.min_send_rate", involving: ["throttling.max_send_rate"])
        }
        r.within(b.targetConsumerLag, t.targetConsumerLag, b.targetConsumerLag.key)
        r.within(b.criticalConsumerLag, t.criticalConsumerLag, b.criticalConsumerLag.key)
        if b.targetConsumerLag.contains(t.targetConsumerLag), b.criticalConsumerLag.contains(t.criticalConsumerLag),
           t.targetConsumerLag >= t.criticalConsumerLag {
            r.error("target_consumer_lag (\(t.targetConsumerLag)) must be less than critical_consumer_lag (\(t.criticalConsumerLag))",
                    "throttling.target_consumer_lag", involving: ["throttling.critical_consumer_lag"])
        }
        r.within(b.adjustmentFactor, t.adjustmentFactor, b.adjustmentFactor.key)
        r.within(b.recoveryCycles, t.recoveryCycles, b.recoveryCycles.key)
        if let group = t.consumerGroup { r.nonEmpty(group, "throttling.consumer_group") }
    }

    static func manager(_ m: ManagerConfig, _ r: Reporter) {
        let topics = [("config_topic", m.configTopic), ("status_topic", m.statusTopic), ("offsets_topic", m.offsetsTopic)]
        for (key, name) in topics { r.topic(name, "manager.\(key)") }
        for (i, (key, name)) in topics.enumerated() {
            if let earlier = topics[..<i].first(where: { $0.1 == name }) {
                r.error("must differ from manager.\(earlier.0) ('\(name)')", "manager.\(key)",
                        involving: ["manager.\(earlier.0)"])
            }
        }
        let b = SettingBounds.self
        r.within(b.configTopicPartitions, m.configTopicPartitions, b.configTopicPartitions.key)
        r.nonEmpty(m.groupID, "manager.group_id")
        r.within(b.sessionTimeoutMs, m.sessionTimeoutMs, b.sessionTimeoutMs.key)
        if b.sessionTimeoutMs.contains(m.sessionTimeoutMs), !(6_000...1_800_000).contains(m.sessionTimeoutMs) {
            r.warning("brokers refuse session timeouts outside group.min/max.session.timeout.ms (6000...1800000 by default)",
                      "manager.session_timeout_ms")
        }
        if let id = m.instanceID {
            if id.isEmpty || id.contains(where: { $0.isWhitespace || $0.unicodeScalars.contains { $0.value < 0x20 } }) {
                r.error("must be non-empty text without spaces", "manager.instance_id")
            }
        }
        r.within(b.statusInterval, m.statusIntervalSeconds, b.statusInterval.key)
        r.within(b.brokerUnavailable, m.brokerUnavailableSeconds, b.brokerUnavailable.key)
        r.within(b.restartAfterFailures, m.restartAfterFailures, b.restartAfterFailures.key)
        r.within(b.httpPort, m.httpPort, b.httpPort.key)
        sourceAccess(m.sourceAccess, r)
        if let auth = m.httpAuth { httpAuth(auth, r) }
    }

    static func httpAuth(_ auth: HTTPAuthConfig, _ r: Reporter) {
        // RFC 7617: the user-id ends at the first colon, and neither part may carry control characters.
        if auth.username.isEmpty || auth.username.contains(":") || auth.username.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
            r.error("must be non-empty, without ':' or control characters", "manager.http_auth.username")
        }
        r.envReferences(in: auth.password, "manager.http_auth.password")
        if auth.password.isEmpty {
            r.error("must not be empty (use a ${ENV} reference, e.g. '${STREAM_MANAGER_HTTP_PASSWORD}')", "manager.http_auth.password")
        } else if !EnvReference.containsReference(auth.password) {
            r.warning("a password written in the file is readable by whoever reads the file; prefer a ${ENV} reference",
                      "manager.http_auth.password")
        }
    }

    static func budgets(_ budgets: [String: BudgetConfig], _ r: Reporter) {
        for (name, budget) in budgets {
            budgetRules(budget, basePath: joinPath("budgets", name), r)
            if let problem = BudgetName.problem(name) { r.keyError(problem, joinPath("budgets", name)) }
        }
    }

    /// One budget's rules; `base` is `budgets.<name>` in a file, "" for a config-topic record.
    static func budgetRules(_ budget: BudgetConfig, basePath base: String, _ r: Reporter) {
        let b = SettingBounds.self
        r.within(b.budgetRequests, budget.requests, joinPath(base, b.budgetRequests.key))
        r.within(b.budgetInterval, budget.intervalSeconds, joinPath(base, b.budgetInterval.key))
        for (i, host) in budget.hosts.enumerated() {
            let path = "\(joinPath(base, "hosts"))[\(i)]"
            if host.isEmpty || host.contains(where: { $0.isWhitespace || $0 == "/" || $0.unicodeScalars.contains { $0.value < 0x20 } }) {
                r.error("expected a host name or glob ('api.example.org', '*.example.org'), got \(host.debugDescription)", path)
            }
        }
    }

    static func routing(_ t: TopicRoutingConfig, _ r: Reporter) {
        for (id, topic) in t.custom {
            let path = "topic_routing.custom.\(id)"
            if let problem = SourceID.problem(id) { r.keyError(problem, path) }
            r.topic(topic, path)
        }
        for (i, p) in t.patterns.enumerated() {
            let path = "topic_routing.patterns[\(i)]"
            r.nonEmpty(p.match, "\(path).match")
            r.topic(p.topic, "\(path).topic")
        }
        for (i, c) in t.contentRules.enumerated() {
            let path = "topic_routing.content_rules[\(i)]"
            r.nonEmpty(c.field, "\(path).field")
            if let topic = c.topic { r.topic(topic, "\(path).topic") }
            if c.topic == nil, c.priority == nil {
                // Quiet when either was written but malformed (already reported).
                r.report(.error, "a content rule needs 'topic' (where a matching record goes), 'priority' "
                         + "(critical|high|normal|low: what a matching record is promoted to), or both",
                         path, at: r.positions.keyPosition(path), involving: ["\(path).topic", "\(path).priority"])
            }
            switch (c.equals, c.matches) {
            case (nil, nil):
                r.keyError("a content rule needs 'equals' or 'matches'", path)
            case (.some, .some):
                r.error("give either 'equals' or 'matches', not both", "\(path).matches")
            case (nil, .some(let pattern)):
                do { _ = try Regex(pattern) } catch {
                    r.error("not a valid regular expression: \(error)", "\(path).matches")
                }
            default: break
            }
        }
        if let fallback = t.fallbackTopic { r.topic(fallback, "topic_routing.fallback_topic") }
    }
}

extension ConfigValidator {
    /// Rules for one source on its own (a config-topic record, a source built in code).
    public static func validate(source: SourceConfig, id: String? = nil,
                                options: ValidationOptions = .strict,
                                positions: PositionTable = PositionTable()) -> [Diagnostic] {
        let r = Reporter(positions: positions, options: options)
        if let id, let problem = SourceID.problem(id) { r.error(problem, "") }
        SourceValidator.validate(source, basePath: "", reporter: r)
        return r.diagnostics.sortedByPosition()
    }
}

extension StreamManagerConfig {
    /// Every rule problem of a config built in code (no positions: line and column are 0).
    public func validate(options: ValidationOptions = .strict) -> [Diagnostic] {
        ConfigValidator.validate(self, options: options)
    }
}
