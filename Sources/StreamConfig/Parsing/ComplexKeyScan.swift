/// Refuses, before composing, a document with anchors whose mapping keys are not plain text.
///
/// Yams hashes every mapping key while composing, to find duplicates, so a key that is an
/// alias (or a list or mapping holding one) costs as much as its expansion — exponential in
/// nested aliases — before `DocumentParser` can count a single node. Config keys are plain
/// words, so the scan forbids, in documents that define anchors (without anchors nothing
/// expands), the three ways YAML writes another kind of key: an alias followed by `:`, an
/// explicit `? ` key, and a flow list or mapping followed by `:`.
///
/// It reads bytes without parsing quotes, comments or block scalars: one of those shapes
/// inside a string of a document with anchors is refused too. That errs on the safe side;
/// tracking quotes in a scanner that is not YAML's own could be led to skip a real key.
enum ComplexKeyScan {
    static func problem(_ text: String) -> Diagnostic? {
        let bytes = Array(text.utf8)
        guard definesAnchor(bytes) else { return nil }
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            var flagged = false
            switch byte {
            case UInt8(ascii: "*") where startsToken(bytes, at: i):
                var end = i + 1
                while end < bytes.count, isNameByte(bytes[end]) { end += 1 }
                flagged = end > i + 1 && colonFollows(bytes, from: end)
            case UInt8(ascii: "?") where startsNode(bytes, at: i):
                flagged = i + 1 == bytes.count || isSpace(bytes[i + 1])
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                flagged = colonFollows(bytes, from: i + 1)
            default:
                break
            }
            if flagged {
                return .error("in a document with anchors, mapping keys must be plain text: an alias, an explicit '?' key "
                              + "or a list or mapping used as a key is refused (an alias as a key is expanded in full while parsing)",
                              at: DocumentLimits.position(ofByte: i, in: bytes))
            }
            i += 1
        }
        return nil
    }

    /// An `&name` token anywhere: libyaml's anchor names are ASCII letters, digits, `_`, `-`.
    static func definesAnchor(_ bytes: [UInt8]) -> Bool {
        for i in bytes.indices where bytes[i] == UInt8(ascii: "&") && startsToken(bytes, at: i) {
            if i + 1 < bytes.count, isNameByte(bytes[i + 1]) { return true }
        }
        return false
    }

    /// Tokens follow whitespace, the start, or an indicator (`-?:[{,`); `a&b` in a URL does not.
    static func startsToken(_ bytes: [UInt8], at i: Int) -> Bool {
        guard i > 0 else { return true }
        return isSpace(bytes[i - 1]) || isIndicator(bytes[i - 1])
    }

    /// Where a node may begin: the start of a line or a flow entry, after indentation.
    static func startsNode(_ bytes: [UInt8], at i: Int) -> Bool {
        var j = i - 1
        while j >= 0, bytes[j] == UInt8(ascii: " ") || bytes[j] == UInt8(ascii: "\t") { j -= 1 }
        return j < 0 || bytes[j] == 0x0A || bytes[j] == 0x0D || isIndicator(bytes[j])
    }

    /// A `:` after optional whitespace (line breaks included, to err on the safe side).
    static func colonFollows(_ bytes: [UInt8], from start: Int) -> Bool {
        var j = start
        while j < bytes.count, isSpace(bytes[j]) { j += 1 }
        return j < bytes.count && bytes[j] == UInt8(ascii: ":")
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    static func isIndicator(_ b: UInt8) -> Bool {
        b == UInt8(ascii: "-") || b == UInt8(ascii: "?") || b == UInt8(ascii: ":") || b == UInt8(ascii: "[")
            || b == UInt8(ascii: "{") || b == UInt8(ascii: ",")
    }

    static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
            || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
    }
}
