import BNNModel
import Foundation

extension FuzzState {
    /// A rejection as the user sees it: one line, starting with the file it is about, with "error:".
    mutating func check(_ message: String, stage: String, files: [String], iteration: Int, input: [UInt8]) {
        var problems: [String] = []
        if message.contains(where: \.isNewline) { problems.append("spans several lines") }
        if !message.contains("error:") { problems.append("has no \"error:\"") }
        if !files.contains(where: { message.hasPrefix($0 + ":") }) { problems.append("does not start with the file (\(files.joined(separator: " or ")))") }
        if !problems.isEmpty {
            record(.badMessage, iteration, stage, "message \(problems.joined(separator: ", ")): \(message.debugDescription)", input)
        }
        report.rejectionKinds["\(stage): \(Self.kind(of: message))", default: 0] += 1
    }

    /// The message with its file, numbers and quoted text elided, to count rejections by kind.
    static func kind(of message: String) -> String {
        let body = message.range(of: "error: ").map { String(message[$0.upperBound...]) } ?? message
        var out = ""
        var inQuote = false
        var lastWasDigit = false
        for ch in body.prefix(90) {
            if ch == "\"" { inQuote.toggle(); if inQuote { out += "\"…\"" }; continue }
            if inQuote { continue }
            if ch.isNumber { if !lastWasDigit { out += "#" }; lastWasDigit = true; continue }
            lastWasDigit = false
            out.append(ch)
        }
        return out
    }

    enum FindingKind { case badMessage, mismatch, slow }

    mutating func record(_ kind: FindingKind, _ iteration: Int, _ stage: String, _ detail: String, _ input: [UInt8]) {
        func finding(keeping count: Int) -> FuzzReport.Finding {
            FuzzReport.Finding(iteration: iteration, stage: stage, detail: String(detail.prefix(600)),
                               input: count < options.keepFindings ? input : [])
        }
        guard report.badMessages.count + report.mismatches.count + report.slow.count < 3000 else {
            report.droppedFindings += 1
            return
        }
        switch kind {
        case .badMessage: report.badMessages.append(finding(keeping: report.badMessages.count))
        case .mismatch: report.mismatches.append(finding(keeping: report.mismatches.count))
        case .slow: report.slow.append(finding(keeping: report.slow.count))
        }
    }

    mutating func noteIfSlow(_ started: Date, iteration: Int, stage: String, input: [UInt8]) {
        let seconds = Date().timeIntervalSince(started)
        if seconds > options.slowSeconds, report.slow.count < 100 {
            record(.slow, iteration, stage, "took \(String(format: "%.1f", seconds)) s", input)
        }
    }

    func saveLastInput(_ bytes: [UInt8]) {
        guard let path = options.lastInputPath else { return }
        // Not atomic: a plain overwrite is much cheaper, and the process only dies on a trap.
        try? Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}

/// How `bnn-hls` prints an error that is not a `Diagnostic` or a usage error.
func commandLineMessage(_ error: Error) -> String {
    if let diagnostic = error as? Diagnostic { return diagnostic.description }
    return "bnn-hls: error: \(error)"
}
