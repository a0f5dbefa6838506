/// The `dlq_redrive:` section: dead-lettered records are sent back to their topic after a
/// delay, a bounded number of times (failures such as a missing topic or an ACL are often
/// fixed later by an operator).
public struct DLQRedriveConfig: Sendable, Hashable {
    public var enabled: Bool
    /// `delay_seconds`: time between a record's failure and its re-drive.
    public var delaySeconds: Double
    /// `max_redrives`: re-drives per record; then it stays in the DLQ.
    public var maxRedrives: Int

    public init(enabled: Bool = true, delaySeconds: Double = 300, maxRedrives: Int = 3) {
        self.enabled = enabled
        self.delaySeconds = delaySeconds
        self.maxRedrives = maxRedrives
    }
}
