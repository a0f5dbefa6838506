import Foundation

/// Runs a command to completion without blocking the calling thread; throws if it fails.
public func runCommand(_ arguments: [String], in directory: String) async throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
        do { try process.run() } catch {
            process.terminationHandler = nil
            continuation.resume(throwing: error)
        }
    }
    if status != 0 { throw TestFailure("\(arguments.joined(separator: " ")) exited with \(status)") }
}

/// Runs a program to completion: its exit status, stdout and stderr. `environment` replaces the
/// test process's environment when given.
///
/// stderr goes to a temporary file while stdout is read: reading the two pipes one after the
/// other would hang as soon as the program filled the one not being read (64 KB of log lines).
@discardableResult
public func runProcess(_ executable: URL, _ arguments: [String], stdin: String? = nil,
                       environment: [String: String]? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let environment { process.environment = environment }
    let errPath = NSTemporaryDirectory() + "stderr-\(UUID().uuidString)"
    _ = FileManager.default.createFile(atPath: errPath, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: errPath) }
    let out = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle(forWritingAtPath: errPath)
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let errData = FileManager.default.contents(atPath: errPath) ?? Data()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

@discardableResult
public func runProcess(_ executable: String, _ arguments: [String], stdin: String? = nil,
                       environment: [String: String]? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
    try runProcess(URL(fileURLWithPath: executable), arguments, stdin: stdin, environment: environment)
}

/// The path of an executable on `PATH`, as a shell's `command -v` finds it.
public func which(_ name: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let path = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}
