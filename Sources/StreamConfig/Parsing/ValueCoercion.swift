/// Node → typed value, reporting a type error at the value's position when it does not fit.
///
/// Strict on purpose: `enabled: "yes"` or `topic: 123` is reported rather than guessed, since
/// YAML's loose typing is a classic source of silent misconfiguration.
enum ValueCoercion {
    /// With a `bound`, a number that cannot be the setting at all (out of `Int`'s range,
    /// infinite, NaN) is reported with the range the setting accepts.
    static func int(_ node: DocumentNode, path: String, session: DecodeSession, within bound: NumericBound? = nil) -> Int? {
        if case .scalar(let s) = node {
            if case .int(let i) = s.value { return i }
            if case .double(let d) = s.value {
                if let i = ConfigValue.exactInt(d) { return i }
                let fractional = d.isFinite && abs(d) < 1e15
                if let bound, !fractional {
                    session.invalid(bound.message(got: s.text), path: path, node: node)
                    return nil
                }
                let what = fractional ? "a fractional number (\(s.text))" : "a number out of range (\(s.text))"
                session.invalid("expected an integer, got \(what)", path: path, node: node)
                return nil
            }
        }
        session.invalid("expected an integer, got \(shown(node, path: path))", path: path, node: node)
        return nil
    }

    static func double(_ node: DocumentNode, path: String, session: DecodeSession, within bound: NumericBound? = nil) -> Double? {
        if case .scalar(let s) = node, let d = s.value.doubleValue {
            guard d.isFinite else {
                session.invalid(bound?.message(got: s.text) ?? "expected a finite number, got \(s.text)", path: path, node: node)
                return nil
            }
            return d
        }
        session.invalid("expected a number, got \(shown(node, path: path))", path: path, node: node)
        return nil
    }

    static func bool(_ node: DocumentNode, path: String, session: DecodeSession) -> Bool? {
        if case .scalar(let s) = node, case .bool(let b) = s.value { return b }
        session.invalid("expected true or false, got \(shown(node, path: path))", path: path, node: node)
        return nil
    }

    static func string(_ node: DocumentNode, path: String, session: DecodeSession) -> String? {
        if case .scalar(let s) = node, case .string(let text) = s.value { return text }
        var message = "expected a string, got \(shown(node, path: path))"
        if case .scalar(let s) = node, !s.value.isNull { message += "; quote it to use it as text" }
        session.invalid(message, path: path, node: node)
        return nil
    }

    static func enumeration<E: RawRepresentable & CaseIterable>(
        _ node: DocumentNode, path: String, session: DecodeSession
    ) -> E? where E.RawValue == String {
        let allowed = E.allCases.map(\.rawValue)
        let list = allowed.joined(separator: ", ")
        guard case .scalar(let s) = node, case .string(let text) = s.value else {
            session.invalid("expected one of \(list), got \(shown(node, path: path))", path: path, node: node)
            return nil
        }
        if let value = E(rawValue: text) { return value }
        let hint = KeySuggestion.hint(for: text, in: allowed)
        session.invalid("unknown value '\(text)'; allowed: \(list)\(hint)", path: path, node: node)
        return nil
    }

    /// Any value; nested keys' positions are recorded so schema checks can point into it.
    /// `bounds` gives the ranges of a mapping's keys (a connector's numeric settings), named
    /// in the message about a number that is not finite.
    static func value(_ node: DocumentNode, path: String, session: DecodeSession,
                      bounds: [String: NumericBound] = [:], bound: NumericBound? = nil) -> ConfigValue? {
        switch node {
        case .scalar(let s):
            if case .double(let d) = s.value, !d.isFinite {
                session.invalid(bound?.message(got: s.text) ?? "expected a finite number, got \(s.text)", path: path, node: node)
                return nil
            }
            return s.value
        case .sequence(let items, _):
            var values: [ConfigValue] = []
            for (i, item) in items.enumerated() {
                let itemPath = "\(path)[\(i)]"
                session.record(itemPath, key: nil, value: item)
                if let v = value(item, path: itemPath, session: session) { values.append(v) }
            }
            return .array(values)
        case .mapping(let entries, _):
            var object = ConfigObject()
            for entry in entries {
                let entryPath = joinPath(path, entry.key)
                session.record(entryPath, key: entry.keyPosition, value: entry.value)
                if let v = value(entry.value, path: entryPath, session: session, bound: bounds[entry.key]) { object[entry.key] = v }
            }
            return .object(object)
        }
    }

    /// How a wrong value is named in a message: its kind, and its text unless the key looks
    /// like it holds a secret.
    static func shown(_ node: DocumentNode, path: String) -> String {
        guard case .scalar(let s) = node, !s.value.isNull else { return node.kindDescription }
        let key = String(path.split(separator: ".").last ?? "")
        if SecretMasker.isSecretKeyName(key) { return s.value.kindDescription }
        let text = s.text.count > 40 ? String(s.text.prefix(37)) + "..." : s.text
        if case .string = s.value { return "\(s.value.kindDescription) (\"\(text)\")" }
        return "\(s.value.kindDescription) (\(text))"
    }
}
