import Foundation

/// Where things are, from this file's location: the repo, its examples, and `../shared`.
enum TestPaths {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func inRepo(_ path: String) -> String { repo.appendingPathComponent(path).path }
    static let sharedExamples = repo.deletingLastPathComponent().appendingPathComponent("shared/spec/examples").path

    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bnn-hls-tests-\(ProcessInfo.processInfo.processIdentifier)-\(name)")
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
