/// Rules for one source entry, shared by whole files (`basePath` = `sources.<id>`) and
/// single source documents (`basePath` = "").
enum SourceValidator {
    static func validate(_ s: SourceConfig, basePath base: String, reporter r: Reporter) {
        func p(_ key: String) -> String { joinPath(base, key) }
        if let topic = s.topic { r.topic(topic, p("topic")) }
        if let dlq = s.dlqTopic {
            r.topic(dlq, p("dlq_topic"))
            if dlq == s.topic { r.error("must differ from 'topic'", p("dlq_topic"), involving: [p("topic")]) }
        }
        let b = SettingBounds.self
        r.within(b.rateLimitPerMinute, s.rateLimitPerMinute, p(b.rateLimitPerMinute.key))
        r.within(b.timeout, s.timeoutSeconds, p(b.timeout.key))
        r.within(b.cacheTTL, s.cacheTTLSeconds, p(b.cacheTTL.key))
        r.within(b.maxRetries, s.maxRetries, p(b.maxRetries.key))
        if let budget = s.budget, let problem = BudgetName.problem(budget) { r.error(problem, p("budget")) }
        ingestion(s.ingestion, basePath: base, r)
        connector(s, basePath: base, r)
        access(s, basePath: base, r)
    }

    /// `sourceBase` is the source entry's path; the bounds' keys start at `ingestion.`.
    static func ingestion(_ i: IngestionConfig, basePath sourceBase: String, _ r: Reporter) {
        let base = joinPath(sourceBase, "ingestion")
        func p(_ key: String) -> String { joinPath(base, key) }
        let b = SettingBounds.self
        func q(_ bound: NumericBound) -> String { joinPath(sourceBase, bound.key) }
        r.within(b.pollingInterval, i.pollingIntervalSeconds, q(b.pollingInterval))
        r.within(b.maxRecordsPerPoll, i.maxRecordsPerPoll, q(b.maxRecordsPerPoll))
        r.within(b.bufferSize, i.bufferSize, q(b.bufferSize))
        r.within(b.bufferFlushInterval, i.bufferFlushIntervalSeconds, q(b.bufferFlushInterval))
        r.within(b.batchSize, i.batchSize, q(b.batchSize))
        if let schedule = i.scheduleIntervalSeconds {
            r.within(b.scheduleInterval, schedule, q(b.scheduleInterval))
        } else if i.mode == .batch {
            r.report(.error, "batch mode needs 'schedule_interval_seconds' (how often a batch runs)",
                     p("schedule_interval_seconds"), at: r.positions.valuePosition(p("mode")),
                     involving: [p("mode")])
        }
        // Keys another mode reads are allowed (switching modes is one edit) but flagged when
        // set to something other than the default, which the canonical form always writes.
        guard !r.positions.isInvalid(p("mode")) else { return }
        let d = IngestionConfig()
        let nonDefault: [String: Bool] = [
            "polling_interval_seconds": i.pollingIntervalSeconds != d.pollingIntervalSeconds,
            "max_records_per_poll": i.maxRecordsPerPoll != d.maxRecordsPerPoll,
            "buffer_size": i.bufferSize != d.bufferSize,
            "buffer_flush_interval_seconds": i.bufferFlushIntervalSeconds != d.bufferFlushIntervalSeconds,
            "batch_size": i.batchSize != d.batchSize,
            "schedule_interval_seconds": i.scheduleIntervalSeconds != nil,
        ]
        let irrelevant = nonDefault.keys.sorted()
            .filter { !i.mode.relevantKeys.contains($0) && nonDefault[$0] == true && r.positions.isWritten(p($0)) }
        for key in irrelevant {
            r.report(.warning, "'\(key)' has no effect in \(i.mode.rawValue) mode", p(key),
                     at: r.positions.keyPosition(p(key)), involving: [])
        }
    }

    static func connector(_ s: SourceConfig, basePath base: String, _ r: Reporter) {
        let typePath = joinPath(base, "source_type")
        let connectorPath = joinPath(base, "connector")
        r.envReferences(in: .object(s.connector), connectorPath)
        guard !r.positions.isInvalid(typePath) else { return }
        let registry = r.options.registry
        guard let schema = registry.schema(for: s.sourceType) else {
            let types = registry.registeredTypes
            let hint = KeySuggestion.hint(for: s.sourceType, in: types)
            let list = types.isEmpty ? "no source types are registered" : "registered types: \(types.joined(separator: ", "))"
            r.error(s.sourceType.isEmpty ? "source_type must not be empty (\(list))"
                                         : "unknown source_type '\(s.sourceType)' (\(list))\(hint)", typePath)
            return
        }
        for issue in schema.validate(s.connector) {
            let path = issue.key.map { joinPath(connectorPath, $0) } ?? connectorPath
            let severity = issue.isUnknownKey ? r.options.unknownKeys.severity : issue.severity
            let position = issue.isUnknownKey ? r.positions.keyPosition(path)
                : (issue.key == nil ? r.positions.keyPosition(path) : r.positions.valuePosition(path))
            r.report(severity, issue.message, path, at: position, involving: [])
        }
    }
}
