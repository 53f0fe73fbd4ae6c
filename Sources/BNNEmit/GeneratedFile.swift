/// One file of the generated project, in memory until the command line writes the whole set.
public struct GeneratedFile: Sendable, Equatable {
    /// Relative to the output directory, `/`-separated.
    public var path: String
    public var contents: [UInt8]
    public var isExecutable: Bool

    public init(path: String, contents: [UInt8], isExecutable: Bool = false) {
        self.path = path
        self.contents = contents
        self.isExecutable = isExecutable
    }

    public init(path: String, text: String, isExecutable: Bool = false) {
        self.init(path: path, contents: Array(text.utf8), isExecutable: isExecutable)
    }
}
