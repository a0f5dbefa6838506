/// Text from outside (a config key, an API's error body, a source's error) made safe for one
/// line of a log, a table, a diagnostic or a status record: line breaks, tabs, other control
/// characters and the invisible line and bidirectional marks become visible escapes, so such text
/// can neither start a forged line, rewrite a table row, recolour a terminal, nor hide what it says.
public enum ControlCharacters {
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where needsEscape(scalar): out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    public static func needsEscape(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x00...0x1F, 0x7F...0x9F: return true                          // C0, DEL, C1
        case 0x2028, 0x2029: return true                                     // line and paragraph separators
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true   // bidirectional marks and overrides
        default: return false
        }
    }
}
