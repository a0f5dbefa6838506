import Foundation

/// What the dashboard's endpoints read beyond the status topic: this replica's view of the desired
/// state and the committed cursors, and the config topic's versions of a source. A protocol so the
/// endpoints can be tested on their own.
public protocol DashboardData: Sendable {
    var fleet: FleetBoard { get }
    /// The source's accepted config as canonical JSON (`${ENV}` references as written), or why
    /// there is none.
    func desiredConfig(of sourceID: String) -> Result<String, DashboardNote>
    /// The cursor last committed for the source (the offsets topic's record), nil when none.
    func committedCursorJSON(of sourceID: String) -> String?
    /// The versions the config topic holds (`history -o json`'s list), or why there are none.
    func configVersions(of sourceID: String, configVersion: String?) async -> Result<String, DashboardNote>
}

/// Why a part of a source's detail is missing, in words for the page.
public struct DashboardNote: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
