extension ConfigValidator {
    /// `manager.source_access`: each entry must be something the checks can match against.
    static func sourceAccess(_ a: SourceAccessPolicy, _ r: Reporter) {
        let base = "manager.source_access"
        for (i, name) in a.env.enumerated() where !isVariableGlob(name) {
            r.error("expected a variable name or a glob of one (letters, digits, '_', '*' and '?'), got '\(name)'",
                    "\(base).env[\(i)]")
        }
        for (i, entry) in a.hosts.enumerated() {
            let (host, port) = HostGlob.split(entry)
            let hostChars = host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.*?[]:".contains($0)) }
            if host.isEmpty || !hostChars || !(port.map(HostGlob.isValidPort) ?? true) {
                r.error("expected a host name or glob, optionally with ':port' (e.g. api.example.org, *.example.org, localhost:8080), got '\(entry)'",
                        "\(base).hosts[\(i)]")
            }
        }
        for (i, root) in a.fileRoots.enumerated() {
            let path = "\(base).file_roots[\(i)]"
            if root.trimming(" ").isEmpty {
                r.error("must not be empty (use '.' for the working directory)", path)
            } else if root.contains(where: { "*?[".contains($0) }) || EnvReference.containsReference(root) {
                r.error("expected a directory, not a glob or an environment reference", path)
            } else if root.hasPrefix("/"), FileRoots.physical(root, from: "/") == "/" {
                r.warning("lets sources read every file the operator can read", path)
            }
        }
    }

    static func isVariableGlob(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_*?".unicodeScalars.contains($0)) }
    }

    /// `validate` and `apply` of a whole file: the file's own `manager.source_access`, when it
    /// has one, is the best guess of the operator's (in file mode it is the operator's).
    static func advisingWithOwnPolicy(_ options: ValidationOptions, _ config: StreamManagerConfig) -> ValidationOptions {
        guard case .advise = options.access else { return options }
        var options = options
        options.access = .advise(config.manager.sourceAccess)
        return options
    }
}
