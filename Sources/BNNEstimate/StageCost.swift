/// A stage's estimated size: logic, and the memories it declares (already counted in `total`).
public struct StageCost: Sendable, Equatable {
    public var total: Resources
    public var memories: [MemoryShape]

    public init(total: Resources, memories: [MemoryShape]) {
        self.total = total
        self.memories = memories
    }
}
