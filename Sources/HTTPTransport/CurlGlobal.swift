import CCurl

/// libcurl's process-wide initialisation. `curl_global_init` is not guaranteed thread-safe, so it
/// runs exactly once, behind a Swift global (lazily initialised under `swift_once`).
enum CurlGlobal {
    private static let initResult: CURLcode = curl_global_init(ccurl_global_default())

    /// Call before creating any easy handle; cheap after the first call.
    static func ensureInitialized() {
        precondition(initResult == CURLE_OK, "curl_global_init failed: \(initResult.rawValue)")
    }
}
