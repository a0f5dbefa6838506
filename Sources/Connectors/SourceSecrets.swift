import HTTPTransport
import StreamConfig

/// What a source's `${NAME}` references bring in from the environment: each variable's value,
/// and each whole string it ends up in (a URL with a key inside). Masked wherever a message
/// about the source may quote them: libcurl's errors, response excerpts, `last_error`, logs.
///
/// A whole string is listed only when one of its values is too short to be masked on its own
/// (`Redaction.minimumSecretLength`): otherwise masking the values already hides everything
/// secret in it, and the rest stays readable (`GET http://REDACTED.invalid:1/x`, not `GET REDACTED`).
public enum SourceSecrets {
    public static func values(in connector: ConfigObject, environment: [String: String]) -> [String] {
        var out: [String] = []
        func walk(_ value: ConfigValue) {
            switch value {
            case .string(let text):
                guard EnvReference.containsReference(text), let references = try? EnvReference.references(in: text) else { return }
                let values = references.compactMap { environment[$0.name] }.filter { !$0.isEmpty }
                guard !values.isEmpty else { return }  // only defaults: nothing secret came in
                out += values
                if values.contains(where: { $0.count < Redaction.minimumSecretLength }),
                   let resolved = try? EnvReference.resolve(text, environment: environment) {
                    out.append(resolved)
                }
            case .array(let items): items.forEach(walk)
            case .object(let object): object.entries.forEach { walk($0.value) }
            default: break
            }
        }
        walk(.object(connector))
        return out
    }
}
