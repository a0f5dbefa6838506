/// The closed range one numeric setting accepts.
///
/// Every numeric setting has one, so a value written by anyone (a config-topic record is
/// anyone's to write) keeps the arithmetic done with it in range: a duration fits a `Duration`,
/// a count fits an allocation. The same value checks (`ConfigValidator`, connector schemas),
/// clamps code-built configs that skipped validation, and is printed in messages and the docs.
public struct NumericBound: Sendable, Hashable {
    /// The key's dotted path inside its section: from the document root for manager-wide
    /// settings (`kafka.batch_size`), from the source entry for source settings
    /// (`ingestion.polling_interval_seconds`), from `connector` for connector settings.
    public let key: String
    public let range: ClosedRange<Double>
    /// Integer settings; both limits are then whole numbers well inside `Int`.
    public let isInteger: Bool
    /// Shown after the limits in messages: "seconds", "bytes", ...
    public let unit: String?
    /// What 0 means when it is accepted outside `range` ("no ceiling"); nil when it is not.
    public let zeroMeans: String?

    public init(_ key: String, _ range: ClosedRange<Double>, integer: Bool = false,
                unit: String? = nil, zeroMeans: String? = nil) {
        self.key = key
        self.range = range
        self.isInteger = integer
        self.unit = unit
        self.zeroMeans = zeroMeans
    }

    /// Whether `value` is accepted. NaN and infinities never are.
    public func contains(_ value: Double) -> Bool {
        (zeroMeans != nil && value == 0) || range.contains(value)
    }

    public func contains(_ value: Int) -> Bool {
        // Exact: both limits are whole numbers below 2^53, so comparing in Int loses nothing.
        (zeroMeans != nil && value == 0) || (intRange.contains(value))
    }

    /// The limits as integers (for integer settings).
    public var intRange: ClosedRange<Int> { Int(range.lowerBound)...Int(range.upperBound) }

    /// `value` moved into the accepted range; NaN becomes `fallback` (itself clamped).
    public func clamp(_ value: Double, nanAs fallback: Double) -> Double {
        if value.isNaN { return fallback.isNaN ? range.lowerBound : clamp(fallback, nanAs: range.lowerBound) }
        if zeroMeans != nil && value <= 0 { return 0 }
        return Swift.min(Swift.max(value, range.lowerBound), range.upperBound)
    }

    public func clamp(_ value: Int) -> Int {
        if zeroMeans != nil && value <= 0 { return 0 }
        return Swift.min(Swift.max(value, intRange.lowerBound), intRange.upperBound)
    }

    /// `0.01...31536000`: how the docs and messages spell the range.
    public var rangeText: String { "\(Self.format(range.lowerBound))...\(Self.format(range.upperBound))" }

    /// "must be between 0.01 and 31536000 seconds, got 1e+16".
    public func message(got value: String) -> String {
        let unit = self.unit.map { " \($0)" } ?? ""
        let between = "between \(Self.format(range.lowerBound)) and \(Self.format(range.upperBound))\(unit)"
        if let zeroMeans { return "must be 0 (\(zeroMeans)) or \(between), got \(value)" }
        return "must be \(between), got \(value)"
    }

    public func message(got value: Double) -> String { message(got: Self.format(value)) }

    public func message(got value: Int) -> String { message(got: String(value)) }

    /// Whole numbers without a fraction, others in Swift's shortest form (`1e+16`), and the
    /// non-finite ones as YAML spells them.
    public static func format(_ d: Double) -> String {
        if d.isNaN { return ".nan" }
        if d.isInfinite { return d < 0 ? "-.inf" : ".inf" }
        if let i = ConfigValue.exactInt(d) { return String(i) }
        return "\(d)"
    }
}
