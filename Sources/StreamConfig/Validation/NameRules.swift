/// Kafka's rules for topic names, checked before Kafka refuses them at run time.
public enum TopicName {
    public static let maxLength = 249

    /// nil when Kafka accepts `name`, else why not.
    public static func problem(_ name: String) -> String? {
        if name.isEmpty { return "a topic name cannot be empty" }
        if name == "." || name == ".." { return "'\(name)' is not a valid topic name" }
        if EnvReference.containsReference(name) {
            return "topic names cannot reference the environment ('\(name)')"
        }
        if name.unicodeScalars.count > maxLength {
            return "a topic name can have at most \(maxLength) characters (this one has \(name.unicodeScalars.count))"
        }
        if let bad = name.unicodeScalars.first(where: { !isLegal($0) }) {
            return "topic name '\(name)' contains '\(printable(bad))'; only letters, digits, '.', '_' and '-' are allowed"
        }
        return nil
    }

    /// Kafka warns that `.` and `_` collide in metric names: `a.b` and `a_b` clash.
    public static func warning(_ name: String) -> String? {
        if name.contains(".") && name.contains("_") {
            return "topic name '\(name)' mixes '.' and '_', which collide in Kafka's metric names"
        }
        return nil
    }

    static func isLegal(_ c: Unicode.Scalar) -> Bool {
        c.isASCII && (("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c)
                      || c == "." || c == "_" || c == "-")
    }

    static func printable(_ c: Unicode.Scalar) -> String {
        c.value < 0x20 || c.value == 0x7F ? "\\u{\(String(c.value, radix: 16))}" : String(c)
    }
}

/// Source ids: the config-topic key, part of stream ids, status keys and metric labels.
public enum SourceID {
    public static let maxLength = 200

    /// nil when `id` is a valid source id, else why not.
    public static func problem(_ id: String) -> String? {
        if id.isEmpty { return "a source id cannot be empty" }
        if id.hasPrefix("__") { return "source ids starting with '__' are reserved" }
        if id.unicodeScalars.count > maxLength {
            return "a source id can have at most \(maxLength) characters"
        }
        // No '.': ids appear in dotted key paths (`sources.<id>.topic`), which must stay unambiguous.
        if let bad = id.unicodeScalars.first(where: { !TopicName.isLegal($0) || $0 == "." }) {
            return "source id '\(id)' contains '\(TopicName.printable(bad))'; only letters, digits, '_' and '-' are allowed"
        }
        if let first = id.unicodeScalars.first, !(first.properties.isAlphabetic || ("0"..."9").contains(first)) {
            return "a source id must start with a letter or a digit"
        }
        return nil
    }
}
