import Foundation

/// A ConfigMap as the operator needs it: identity, version and data.
public struct ConfigMap: Sendable, Equatable {
    public var name: String
    public var namespace: String
    public var resourceVersion: String
    public var data: [String: String]

    public init(name: String, namespace: String, resourceVersion: String, data: [String: String]) {
        self.name = name
        self.namespace = namespace
        self.resourceVersion = resourceVersion
        self.data = data
    }

    /// From a decoded API object (`{"metadata": {...}, "data": {...}}`).
    init?(object: [String: Any]) {
        guard let metadata = object["metadata"] as? [String: Any], let name = metadata["name"] as? String else { return nil }
        self.name = name
        namespace = metadata["namespace"] as? String ?? ""
        resourceVersion = metadata["resourceVersion"] as? String ?? ""
        data = object["data"] as? [String: String] ?? [:]
    }
}

/// A Kubernetes `Status` failure (the body of API errors and of watch ERROR events).
public struct KubeStatus: Sendable, Equatable {
    public var code: Int
    public var reason: String
    public var message: String

    init(object: [String: Any]) {
        code = object["code"] as? Int ?? 0
        reason = object["reason"] as? String ?? ""
        message = object["message"] as? String ?? ""
    }

    init(code: Int, reason: String, message: String) {
        self.code = code
        self.reason = reason
        self.message = message
    }

    /// The watch or list asked for a version the server no longer has: relist.
    public var isExpired: Bool { code == 410 || reason == "Expired" || reason == "Gone" }
}
