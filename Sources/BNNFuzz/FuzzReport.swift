import Foundation

/// What a fuzzing pass did and found.
public struct FuzzReport: Sendable, CustomStringConvertible {
    /// One finding: the stage, what went wrong, and the input that did it.
    public struct Finding: Sendable, CustomStringConvertible {
        public var iteration: Int
        public var stage: String
        public var detail: String
        public var input: [UInt8]
        public var description: String { "#\(iteration) \(stage): \(detail)" }
    }

    public var executions = 0
    /// Model files tried, and how far they got.
    public var modelRuns = 0
    public var loaded = 0
    public var loadRejected = 0
    public var compiled = 0
    public var compileRejected = 0
    /// Compiled designs checked against the reference on a random input and emitted.
    public var verified = 0
    public var emitted = 0
    public var laterRejected = 0
    /// .npy files tried (inputs and labels for a model that loads).
    public var npyRuns = 0
    public var npyParsed = 0
    public var npyRejected = 0
    public var npyInputsAccepted = 0
    /// Rejections whose message is not one line naming the file with "error:" (each one a bug).
    public var badMessages: [Finding] = []
    /// Designs the reference and the simulator disagree on, or that the reference cannot evaluate
    /// although the compiler accepted them (each one a bug).
    public var mismatches: [Finding] = []
    /// Executions that took longer than `Options.slowSeconds`.
    public var slow: [Finding] = []
    /// Findings past the first 3000, counted but not kept.
    public var droppedFindings = 0
    /// How often each kind of rejection happened (message with numbers and quoted text elided).
    public var rejectionKinds: [String: Int] = [:]
    public var seconds = 0.0

    /// Accepted inputs, at any stage: models that loaded, and .npy files that parsed.
    public var accepted: Int { loaded + npyParsed }
    /// Rejected inputs, at any stage.
    public var rejected: Int { loadRejected + compileRejected + laterRejected + npyRejected }

    /// No bad message, no mismatch.
    public var isClean: Bool { badMessages.isEmpty && mismatches.isEmpty }

    public var description: String {
        var lines = [
            "\(executions) executions in \(String(format: "%.1f", seconds)) s" + (seconds > 0.1 ? " (\(String(format: "%.0f", Double(executions) / seconds)) / s)" : ""),
            "  models: \(modelRuns) tried, \(loadRejected) rejected by the loader, \(loaded) loaded; \(compileRejected) rejected by the compiler, \(compiled) compiled; \(verified) verified against the reference, \(emitted) emitted, \(laterRejected) rejected later",
            "  .npy: \(npyRuns) tried, \(npyParsed) parsed, \(npyInputsAccepted) accepted as inputs, \(npyRejected) rejections",
            "  bad messages: \(badMessages.count), mismatches: \(mismatches.count), slow: \(slow.count)\(droppedFindings > 0 ? " (and \(droppedFindings) more)" : "")",
        ]
        for list in [badMessages, mismatches, slow] {
            for finding in list.prefix(20) { lines.append("  " + finding.description) }
            if list.count > 20 { lines.append("  ... \(list.count - 20) more") }
        }
        return lines.joined(separator: "\n")
    }

    /// The most frequent rejection kinds, most frequent first.
    public func topRejections(_ count: Int) -> [(kind: String, count: Int)] {
        rejectionKinds.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(count).map { ($0.key, $0.value) }
    }
}
