import Testing
@testable import StreamConfig

@Suite("Environment references")
struct EnvReferenceTests {
    let env = ["FIRMS_MAP_KEY": "k123", "EMPTY": "", "HOST": "broker"]

    @Test("resolve ${NAME} and ${NAME:-default}")
    func resolve() throws {
        #expect(try EnvReference.resolve("${FIRMS_MAP_KEY}", environment: env) == "k123")
        #expect(try EnvReference.resolve("https://x/${FIRMS_MAP_KEY}/VIIRS", environment: env) == "https://x/k123/VIIRS")
        #expect(try EnvReference.resolve("${NOPE:-fallback}", environment: env) == "fallback")
        #expect(try EnvReference.resolve("${EMPTY:-fallback}", environment: env) == "fallback")
        #expect(try EnvReference.resolve("${EMPTY}", environment: env) == "")
        #expect(try EnvReference.resolve("${HOST}:${PORT:-9092}", environment: env) == "broker:9092")
        #expect(try EnvReference.resolve("cost: $5, $${LITERAL}", environment: env) == "cost: $5, ${LITERAL}")
        #expect(try EnvReference.resolve("no references", environment: [:]) == "no references")
    }

    @Test("a missing variable is an error naming it")
    func missing() {
        #expect(throws: EnvReferenceError.missingVariable(name: "FIRMS_MAP_KEY")) {
            try EnvReference.resolve("key=${FIRMS_MAP_KEY}", environment: [:])
        }
        #expect(EnvReferenceError.missingVariable(name: "X").description
                == "environment variable X is not set (referenced as ${X})")
    }

    @Test("malformed references are errors")
    func malformed() {
        for text in ["${", "${UNCLOSED", "${}", "${1ABC}", "${A-B}", "${ A}"] {
            #expect(throws: EnvReferenceError.self, "\(text)") { try EnvReference.references(in: text) }
        }
    }

    @Test("references are listed as written; nested values resolve")
    func listAndNested() throws {
        let refs = try EnvReference.references(in: "${A}/${B:-x:y}")
        #expect(refs == [EnvReference(name: "A"), EnvReference(name: "B", defaultValue: "x:y")])
        #expect(refs.map(\.description) == ["${A}", "${B:-x:y}"])
        let connector: ConfigObject = ["map_key": "${FIRMS_MAP_KEY}", "headers": ["X-Key": "${HOST}"], "n": 1, "l": ["${HOST}"]]
        let resolved = try EnvReference.resolve(connector, environment: env)
        #expect(resolved == ["map_key": "k123", "headers": ["X-Key": "broker"], "n": 1, "l": ["broker"]])
        #expect(EnvReference.missingVariables(in: "${A}${B:-1}${HOST}", environment: env) == ["A"])
    }
}
