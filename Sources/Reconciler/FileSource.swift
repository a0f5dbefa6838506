import Foundation
import Logging
import StreamConfig

/// Desired state from the `sources` of a config file (`--source file`). The file is read again
/// whenever its bytes change — also when it is replaced by a rename or a symlink swap, as
/// Kubernetes ConfigMap volumes and git-sync do, since the path is resolved on every read.
/// `config_version` is `file:<sha256 of the file bytes>`. A broken edit changes nothing that
/// runs: it is a whole-document error.
public struct FileSource: DesiredStateSource {
    public let kind = "file"
    public let path: String
    private let pollInterval: Duration
    private let access: SourceAccessPolicy
    private let logger: Logger

    /// `access`: the operator's `manager.source_access`, as read when it started (an edit of
    /// the file's own `manager` section takes effect at the next start, like every manager setting).
    public init(path: String, pollInterval: Duration = .milliseconds(500), access: SourceAccessPolicy = SourceAccessPolicy(),
                logger: Logger) {
        self.path = path
        self.pollInterval = pollInterval
        self.access = access
        self.logger = logger
    }

    public func produce(_ emit: (DesiredStateEvent) -> Void) async {
        let (path, interval, access, logger) = (self.path, self.pollInterval, self.access, self.logger)
        var lastDigest: String?
        var synced = false
        while !Task.isCancelled {
            // A file over the document limit is refused without being read into memory.
            let limit = DocumentLimits.configDocument.maxBytes
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            let size = (attributes?[.size] as? NSNumber)?.intValue ?? 0
            let oversize = size > limit
            let bytes = oversize ? nil : FileManager.default.contents(atPath: path)
            let digest = oversize
                ? "oversize-\(size)-\((attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
                : bytes.map { ConfigHash.sha256Hex(Array($0)) } ?? "missing"
            if digest != lastDigest {
                lastDigest = digest
                let events = oversize
                    ? Self.refused("\(path): the file is \(size) bytes, over the \(limit >> 20) MiB limit of a config document",
                                   version: "file:\(digest)", firstRead: !synced)
                    : Self.read(bytes, digest: digest, path: path, firstRead: !synced, access: access)
                for event in events {
                    if case .documentError(let r) = event {
                        logger.error("config file \(path) refused, running sources unchanged: \(r.error)")
                    }
                    emit(event)
                }
                synced = true
            }
            try? await Task.sleep(for: interval)
        }
    }

    static func refused(_ error: String, version: String, firstRead: Bool) -> [DesiredStateEvent] {
        let r = Rejection(configHash: nil, configVersion: version, error: error)
        return firstRead ? [.initStarted, .documentError(r), .initDone] : [.documentError(r)]
    }

    /// The events for one version of the file.
    static func read(_ bytes: Data?, digest: String, path: String, firstRead: Bool,
                     access: SourceAccessPolicy = SourceAccessPolicy()) -> [DesiredStateEvent] {
        let version = "file:\(digest)"
        guard let bytes else {
            let r = Rejection(configHash: nil, configVersion: version, error: "\(path): cannot read the file")
            return firstRead ? [.initStarted, .documentError(r), .initDone] : [.documentError(r)]
        }
        return DocumentSnapshot.events(bytes, version: version, origin: path, firstRead: firstRead, access: access)
    }
}
