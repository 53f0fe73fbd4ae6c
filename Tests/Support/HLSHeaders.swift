import Foundation

/// The folder holding Xilinx's open `ap_int.h`/`hls_stream.h` for g++ C simulation: `$HLS_INCLUDE`,
/// else what `Templates/cpp/fetch_hls_headers.sh` of the repository at `repo` fetches (and caches).
/// Nil, with the reason, when neither works (callers skip their test).
public func hlsInclude(repo: URL) -> (path: String?, reason: String) {
    if let dir = ProcessInfo.processInfo.environment["HLS_INCLUDE"] { return (dir, "") }
    let script = repo.appendingPathComponent("Templates/cpp/fetch_hls_headers.sh").path
    guard let result = try? runProcess("sh", [script]) else { return (nil, "cannot run \(script)") }
    guard result.status == 0, let line = result.output.split(separator: "\n").last else { return (nil, result.output) }
    return (String(line), "")
}
