/// Conversions of settings (seconds as `Double`, counts) that clamp instead of trapping.
///
/// Swift's `Duration.seconds(_:)`, `Int64(_:)` and `UInt64(_:)` trap on NaN, infinities and
/// values out of range. Settings reach the pipeline from configs that may not have been
/// validated (a library user builds them in code), and a trap takes every stream of the
/// process down with it, so conversions of settings go through here.
public enum Saturating {
    /// The longest duration a setting turns into: about 31,700 years, far past any sensible
    /// setting and far inside `Duration` and `Int64` nanoseconds.
    public static let maxSeconds: Double = 1e12

    /// NaN and negatives give zero; anything longer than `maxSeconds` gives `maxSeconds`.
    public static func duration(seconds: Double) -> Duration {
        guard seconds > 0 else { return .zero }
        return .seconds(Swift.min(seconds, maxSeconds))
    }

    /// The config's durations (seconds as `Double`) as whole milliseconds, rounded: NaN and
    /// negatives give zero, anything longer than `maxSeconds` gives `maxSeconds`.
    public static func wholeMilliseconds(seconds: Double) -> Duration {
        guard seconds > 0 else { return .zero }
        return .milliseconds(Int64((Swift.min(seconds, maxSeconds) * 1000).rounded()))
    }

    /// The integer part of `value`, clamped to `Int64`'s range; NaN gives zero.
    public static func int64(_ value: Double) -> Int64 {
        guard !value.isNaN else { return 0 }
        if value >= 9_223_372_036_854_775_808.0 { return .max }
        if value <= -9_223_372_036_854_775_808.0 { return .min }
        return Int64(value)
    }

    /// The integer part of `value`, clamped to `UInt64`'s range; NaN and negatives give zero.
    public static func uint64(_ value: Double) -> UInt64 {
        guard value > 0 else { return 0 }
        if value >= 18_446_744_073_709_551_616.0 { return .max }
        return UInt64(value)
    }
}
