import Foundation
import StreamConfig

/// A whole config document (a file, a ConfigMap key) as desired-state events: its `sources` as a
/// full snapshot when it parses, a whole-document error otherwise (wrapped in a snapshot the first
/// time, so the reconciler can start with nothing). Diagnostics name `origin:line:column`. Sources
/// are held to the operator's `manager.source_access` (not to one the document may write: only
/// the operator's own `--config` sets it); one that reaches outside it is an error like any other.
enum DocumentSnapshot {
    static func events(_ bytes: Data, version: String, origin: String, firstRead: Bool,
                       access: SourceAccessPolicy = SourceAccessPolicy()) -> [DesiredStateEvent] {
        let result = ConfigLoader.parse(data: bytes, options: .operator(access))
        guard let config = result.value else {
            let errors = result.diagnostics.filter { $0.severity == .error }.map { $0.formatted(file: origin) }
            let r = Rejection(configHash: nil, configVersion: version, error: errors.joined(separator: "; "))
            return firstRead ? [.initStarted, .documentError(r), .initDone] : [.documentError(r)]
        }
        let warnings = result.diagnostics.filter { $0.severity == .warning }
        var events: [DesiredStateEvent] = [.initStarted]
        for name in config.budgets.keys.sorted() { events.append(.budget(name: name, config.budgets[name]!)) }
        for id in config.sources.keys.sorted() {
            let own = warnings.filter { $0.path.hasPrefix("sources.\(id)") }.map { $0.formatted(file: origin) }
            events.append(.apply(DesiredSource(sourceID: id, config: config.sources[id]!, configVersion: version, warnings: own)))
        }
        events.append(.initDone)
        return events
    }
}
