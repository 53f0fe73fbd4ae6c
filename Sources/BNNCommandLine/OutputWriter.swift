import BNNEmit
import BNNModel
import Foundation

/// Writes a generated project so that the target directory is either the old output, intact,
/// or the complete new one: files go to a temporary directory beside the target, which is
/// renamed into place only when everything is written.
enum OutputWriter {
    static func write(_ files: [GeneratedFile], to directory: String, force: Bool) throws(Diagnostic) {
        let fm = FileManager.default
        let target = URL(fileURLWithPath: directory).standardizedFileURL
        let parent = target.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: parent.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Diagnostic(file: directory, message: "parent directory does not exist")
        }
        let exists = fm.fileExists(atPath: target.path, isDirectory: &isDirectory)
        if exists {
            guard isDirectory.boolValue else { throw Diagnostic(file: directory, message: "exists and is not a directory") }
            let contents = (try? fm.contentsOfDirectory(atPath: target.path)) ?? []
            let isOurs = contents.contains(ProjectEmitter.markerFile)
            guard contents.isEmpty || isOurs || force else {
                throw Diagnostic(file: directory, message: "exists and does not look like bnn-hls output (no \(ProjectEmitter.markerFile)); use --force to replace it")
            }
        }
        let stamp = "\(ProcessInfo.processInfo.processIdentifier)"
        let temporary = parent.appendingPathComponent(".\(target.lastPathComponent).bnn-hls-new-\(stamp)")
        let retired = parent.appendingPathComponent(".\(target.lastPathComponent).bnn-hls-old-\(stamp)")
        try? fm.removeItem(at: temporary)
        do {
            try fm.createDirectory(at: temporary, withIntermediateDirectories: false)
            for file in files {
                let url = temporary.appendingPathComponent(file.path)
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.contents).write(to: url)
                if file.isExecutable { try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path) }
            }
            if exists {
                try fm.moveItem(at: target, to: retired)
                do {
                    try fm.moveItem(at: temporary, to: target)
                } catch {
                    try? fm.moveItem(at: retired, to: target)
                    throw error
                }
                try? fm.removeItem(at: retired)
            } else {
                try fm.moveItem(at: temporary, to: target)
            }
        } catch {
            try? fm.removeItem(at: temporary)
            throw Diagnostic(file: directory, message: "cannot write output: \(error.localizedDescription)")
        }
    }
}
