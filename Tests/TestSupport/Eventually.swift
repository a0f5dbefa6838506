/// Polls `condition` until it holds or `timeout` passes, and returns whether it held. Waits with
/// `Task.sleep`, never blocking a thread of the cooperative pool (a blocked thread on a 2-core
/// machine stalls every other test in the process).
///
/// For a wait on what the code under test does: a test waits for the observable condition rather
/// than for a fixed time that is too long on a fast machine and too short on a loaded one.
@discardableResult
public func eventually(timeout: Duration = .seconds(20), every interval: Duration = .milliseconds(50),
                       _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}

/// `eventually`, throwing `TestFailure("timed out after <timeout> waiting for <what>")` when the
/// condition does not hold in time: for a wait a test cannot go on without.
public func waitFor(_ what: @autoclosure () -> String, timeout: Duration = .seconds(20),
                    every interval: Duration = .milliseconds(50), _ condition: () async throws -> Bool) async throws {
    guard try await eventually(timeout: timeout, every: interval, condition) else {
        throw TestFailure("timed out after \(timeout) waiting for \(what())")
    }
}
