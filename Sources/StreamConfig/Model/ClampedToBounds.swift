/// Copies of the model with every numeric setting moved into its `SettingBounds` range
/// (NaN becomes the default).
///
/// A validated config is returned unchanged. Configs built in code need not be validated, so
/// whatever turns settings into durations, counts or allocations clamps first: an absurd value
/// then behaves like the nearest sensible one instead of trapping the process.
extension IngestionConfig {
    public func clampedToBounds() -> IngestionConfig {
        let b = SettingBounds.self
        var c = self
        c.pollingIntervalSeconds = b.pollingInterval.clamp(pollingIntervalSeconds, nanAs: Self.defaultPollingIntervalSeconds)
        c.maxRecordsPerPoll = b.maxRecordsPerPoll.clamp(maxRecordsPerPoll)
        c.bufferSize = b.bufferSize.clamp(bufferSize)
        c.bufferFlushIntervalSeconds = b.bufferFlushInterval.clamp(bufferFlushIntervalSeconds,
                                                                     nanAs: Self.defaultBufferFlushIntervalSeconds)
        c.batchSize = b.batchSize.clamp(batchSize)
        c.scheduleIntervalSeconds = scheduleIntervalSeconds.map { b.scheduleInterval.clamp($0, nanAs: 3_600) }
        return c
    }
}

extension SourceConfig {
    /// The source with its own and its ingestion settings clamped (`connector` settings are
    /// the source type's to clamp).
    public func clampedToBounds() -> SourceConfig {
        let b = SettingBounds.self
        var s = self
        s.rateLimitPerMinute = b.rateLimitPerMinute.clamp(rateLimitPerMinute)
        s.timeoutSeconds = b.timeout.clamp(timeoutSeconds, nanAs: Self.defaultTimeoutSeconds)
        s.cacheTTLSeconds = b.cacheTTL.clamp(cacheTTLSeconds, nanAs: Self.defaultCacheTTLSeconds)
        s.maxRetries = b.maxRetries.clamp(maxRetries)
        s.ingestion = ingestion.clampedToBounds()
        return s
    }
}

extension KafkaConfig {
    public func clampedToBounds() -> KafkaConfig {
        let b = SettingBounds.self
        let d = KafkaConfig()
        var k = self
        k.batchSize = b.kafkaBatchSize.clamp(batchSize)
        k.lingerMs = b.kafkaLingerMs.clamp(lingerMs)
        k.maxRetries = b.kafkaMaxRetries.clamp(maxRetries)
        k.retryBackoffBase = b.kafkaRetryBackoffBase.clamp(retryBackoffBase, nanAs: d.retryBackoffBase)
        return k
    }
}

extension ThrottlingConfig {
    public func clampedToBounds() -> ThrottlingConfig {
        let b = SettingBounds.self
        let d = ThrottlingConfig()
        var t = self
        t.minSendRate = b.minSendRate.clamp(minSendRate, nanAs: d.minSendRate)
        t.maxSendRate = b.maxSendRate.clamp(maxSendRate, nanAs: d.maxSendRate)
        t.targetConsumerLag = b.targetConsumerLag.clamp(targetConsumerLag)
        t.criticalConsumerLag = b.criticalConsumerLag.clamp(criticalConsumerLag)
        t.adjustmentFactor = b.adjustmentFactor.clamp(adjustmentFactor, nanAs: d.adjustmentFactor)
        t.recoveryCycles = b.recoveryCycles.clamp(recoveryCycles)
        return t
    }
}

extension DLQRedriveConfig {
    public func clampedToBounds() -> DLQRedriveConfig {
        let b = SettingBounds.self
        var r = self
        r.delaySeconds = b.redriveDelay.clamp(delaySeconds, nanAs: DLQRedriveConfig().delaySeconds)
        r.maxRedrives = b.maxRedrives.clamp(maxRedrives)
        return r
    }
}

extension ManagerConfig {
    public func clampedToBounds() -> ManagerConfig {
        let b = SettingBounds.self
        var m = self
        m.configTopicPartitions = b.configTopicPartitions.clamp(configTopicPartitions)
        m.sessionTimeoutMs = b.sessionTimeoutMs.clamp(sessionTimeoutMs)
        m.statusIntervalSeconds = b.statusInterval.clamp(statusIntervalSeconds, nanAs: ManagerConfig().statusIntervalSeconds)
        m.brokerUnavailableSeconds = b.brokerUnavailable.clamp(brokerUnavailableSeconds, nanAs: ManagerConfig().brokerUnavailableSeconds)
        m.httpPort = b.httpPort.clamp(httpPort)
        m.restartAfterFailures = b.restartAfterFailures.clamp(restartAfterFailures)
        return m
    }
}

extension StreamManagerConfig {
    /// The whole config clamped, sources included.
    public func clampedToBounds() -> StreamManagerConfig {
        let b = SettingBounds.self
        var c = self
        c.kafka = kafka.clampedToBounds()
        c.throttling = throttling.clampedToBounds()
        c.queueMaxSize = b.queueMaxSize.clamp(queueMaxSize)
        c.queueMaxBytes = b.queueMaxBytes.clamp(queueMaxBytes)
        c.dlqRedrive = dlqRedrive.clampedToBounds()
        c.manager = manager.clampedToBounds()
        c.sources = sources.mapValues { $0.clampedToBounds() }
        return c
    }
}
