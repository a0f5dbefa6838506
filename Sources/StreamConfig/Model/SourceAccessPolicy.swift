/// `manager.source_access`: what a source may make the operator read. Whoever can write the
/// config topic (or the file, or the ConfigMap) decides which URLs are fetched and which files
/// are read, so these allow-lists, which come only from the operator's own `--config`, bound
/// what such a write can reach. The defaults let sources reach any HTTP(S) host and the files
/// under the working directory, and read no environment variable.
public struct SourceAccessPolicy: Sendable, Hashable {
    public enum Scheme: String, Sendable, Hashable, CaseIterable {
        case http, https, file
    }

    /// `env`: names or globs (`*`, `?`) of the environment variables `${NAME}` may read in a
    /// source's `connector` settings. `kafka.properties` are the operator's own and not subject to it.
    public var env: [String]
    /// `url_schemes`: what an HTTP source type's `url` (and every page and redirect) may use.
    public var urlSchemes: [Scheme]
    /// `hosts`: host globs the HTTP source types may reach, for the configured URL, next pages
    /// and redirects alike; case-insensitive; a glob without `:port` allows every port.
    public var hosts: [String]
    /// `file_roots`: directories the `file` source (and `file://` URLs) may read, after
    /// symlinks and `..` are resolved; relative ones are taken from the operator's working directory.
    public var fileRoots: [String]

    public init(env: [String] = [], urlSchemes: [Scheme] = [.http, .https], hosts: [String] = ["*"],
                fileRoots: [String] = ["."]) {
        self.env = env
        self.urlSchemes = urlSchemes
        self.hosts = hosts
        self.fileRoots = fileRoots
    }

    // MARK: environment

    public func allowsVariable(_ name: String) -> Bool {
        env.contains { Glob.matches($0, name) }
    }

    /// nil when `${name}` may be read, else the message a rejected source carries.
    public func variableRefusal(_ name: String) -> String? {
        if allowsVariable(name) { return nil }
        // A glob over the variable's family when it has one (PURPLEAIR_API_KEY → PURPLEAIR_*).
        let family = name.split(separator: "_").first.map { "\($0)_*" }
        let example = name.contains("_") && family != nil ? family! : "FIRMS_*"
        return "environment variable \(name) is not in manager.source_access.env (the operator's allow-list); "
            + "add it or a glob such as \(example) to the operator's --config"
    }

    /// Only the allowed variables of `environment`: what sources resolve against, so that a
    /// reference the checks missed still finds nothing.
    public func visibleEnvironment(_ environment: [String: String]) -> [String: String] {
        environment.filter { allowsVariable($0.key) }
    }

    // MARK: URLs

    /// nil when `scheme` may be fetched.
    public func schemeRefusal(_ scheme: String) -> String? {
        if urlSchemes.contains(where: { $0.rawValue == scheme.lowercased() }) { return nil }
        let allowed = urlSchemes.map(\.rawValue).joined(separator: ", ")
        return "URL scheme '\(scheme.lowercased())' is not in manager.source_access.url_schemes "
            + "(the operator's allow-list: \(allowed.isEmpty ? "none" : allowed)); add it to the operator's --config"
    }

    /// nil when `host` (and `port`, the scheme's default when nil) may be reached.
    public func hostRefusal(host: String, port: Int?, scheme: String) -> String? {
        if HostGlob.allows(hosts, host: host, port: port ?? HostGlob.defaultPort(scheme)) { return nil }
        return "host '\(HostGlob.normalized(host))' is not in manager.source_access.hosts (the operator's allow-list); "
            + "add it or a glob such as *.example.org to the operator's --config"
    }

    /// nil when `url` may be fetched, as far as its text tells: the scheme, the host, and for
    /// `file://` the path. Parts holding `${NAME}` references are left to the check at use.
    public func urlRefusal(_ url: String) -> String? {
        guard let target = URLTarget(url) else {
            return EnvReference.containsReference(url) ? nil : "'\(url)' is not a URL this operator can check"
        }
        if !EnvReference.containsReference(target.scheme), let refusal = schemeRefusal(target.scheme) { return refusal }
        if target.scheme == "file" {
            return EnvReference.containsReference(target.path) ? nil : pathRefusal(target.path)
        }
        if EnvReference.containsReference(target.host) || EnvReference.containsReference(target.port ?? "") { return nil }
        guard target.hasValidHost else { return "'\(target.host)' is not a valid host name" }
        return hostRefusal(host: target.host, port: target.port.flatMap { Int($0) }, scheme: target.scheme)
    }

    // MARK: files

    /// nil when `path` (a file, not a glob) lies inside a file root once symlinks and `..`
    /// are resolved.
    public func pathRefusal(_ path: String) -> String? {
        FileRoots(fileRoots).contains(path) ? nil : outsideRoots(path)
    }

    /// nil when the glob `pattern` can only match files inside the roots: every file it matches
    /// now is inside, and the part before the first wildcard leads into a root (a pattern that
    /// matches nothing yet is checked again, file by file, when it is read).
    public func globRefusal(_ pattern: String, matches: [String]) -> String? {
        let roots = FileRoots(fileRoots)
        if let outside = matches.first(where: { !roots.contains($0) }) {
            return outside == pattern ? outsideRoots(pattern) : outsideRoots(quoted: "'\(pattern)' matches '\(outside)', which")
        }
        return roots.couldMatchInside(pattern) ? nil : outsideRoots(pattern)
    }

    private func outsideRoots(_ path: String) -> String {
        outsideRoots(quoted: "'\(path)'")
    }

    private func outsideRoots(quoted subject: String) -> String {
        "path \(subject) is outside manager.source_access.file_roots (the operator's allow-list, "
            + "checked after symlinks and '..' are resolved); add a root to the operator's --config"
    }
}
