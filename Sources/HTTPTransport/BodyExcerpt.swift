import TextEscaping

/// The start of a response body as an error may quote it (the status topic, `/status`, logs):
/// secrets replaced first, so that a cut never leaves half of one; control characters escaped,
/// so that one error stays one line; at most `limit` bytes of UTF-8, cut between characters,
/// with `…` marking the cut.
public enum BodyExcerpt {
    public static let limit = 200

    public static func make(_ body: [UInt8], redaction: Redaction, limit: Int = limit) -> String {
        // Decode only a window, grown until what survives redaction reaches past the cut by
        // more than the longest secret (a secret cut by the window's edge is then not shown).
        let needed = limit + redaction.longestSecretBytes + 4
        var window = min(body.count, needed)
        while true {
            let text = redaction.text(String(decoding: body.prefix(window), as: UTF8.self))
            if window == body.count || text.utf8.count >= needed {
                return cut(ControlCharacters.escaped(text), limit: limit, more: window < body.count)
            }
            window = min(body.count, window * 2)
        }
    }

    /// Text already decoded (an API's own error detail): the same treatment.
    public static func make(text: String, redaction: Redaction, limit: Int = limit) -> String {
        make(Array(text.utf8), redaction: redaction, limit: limit)
    }

    /// At most `limit` bytes including the `…` mark, never splitting a character.
    private static func cut(_ text: String, limit: Int, more: Bool) -> String {
        if !more && text.utf8.count <= limit { return text }
        let mark = "…"
        var out = ""
        var bytes = 0
        for character in text {
            let size = character.utf8.count
            if bytes + size + mark.utf8.count > limit { break }
            out.append(character)
            bytes += size
        }
        return out + mark
    }
}
