import Foundation
import StreamConfig
import Testing

@Suite("manager.http_auth: basic auth for the dashboard")
struct HTTPAuthConfigTests {
    @Test("read from the manager section; the password stays a reference until resolved at start")
    func parse() throws {
        let config = try ConfigLoader.parse("""
            manager:
              http_auth: {username: ops, password: "${DASH_PW}"}
            """).result.get()
        let auth = try #require(config.manager.httpAuth)
        #expect(auth == HTTPAuthConfig(username: "ops", password: "${DASH_PW}"))
        #expect(try auth.resolvedPassword(environment: ["DASH_PW": "s3cret"]) == "s3cret")
        #expect(throws: EnvReferenceError.self) { try auth.resolvedPassword(environment: [:]) }
        #expect(try ConfigLoader.parse("manager: {http_port: 0}").result.get().manager.httpAuth == nil)
    }

    @Test("missing or empty parts, a colon or control characters in the user: errors at their line and column; a literal password: a warning")
    func problems() {
        let missing = ConfigLoader.parse("""
            manager:
              http_auth: {username: ops}
            """).diagnostics
        #expect(missing.errors.contains { $0.path == "manager.http_auth.password" && $0.line == 2 })

        let bad = ConfigLoader.parse("""
            manager:
              http_auth:
                username: "a:b"
                password: ""
            """).diagnostics.errors
        let user = bad.first { $0.path == "manager.http_auth.username" }
        #expect(user?.line == 3 && user?.column == 15, "\(bad)")
        #expect(bad.contains { $0.path == "manager.http_auth.password" && $0.line == 4 })

        let control = ConfigLoader.parse("manager: {http_auth: {username: \"a\\u0007\", password: \"${P}\"}}").diagnostics.errors
        #expect(control.contains { $0.path == "manager.http_auth.username" })

        let literal = ConfigLoader.parse("manager: {http_auth: {username: ops, password: hunter2}}").diagnostics
        #expect(literal.errors.isEmpty)
        #expect(literal.contains { $0.severity == .warning && $0.path == "manager.http_auth.password" && $0.message.contains("${ENV}") })
        // The literal password appears in no diagnostic: validate prints them.
        #expect(!literal.contains { $0.message.contains("hunter2") || ($0.excerpt ?? "").contains("hunter2") })

        let unknown = ConfigLoader.parse("manager: {http_auth: {username: ops, password: \"${P}\", realm: x}}").diagnostics
        #expect(unknown.contains { $0.path.hasPrefix("manager.http_auth.realm") })
    }
}
