/// A `--budget` value that does not parse (a usage error).
public struct BudgetSyntaxError: Error, Sendable, Equatable {
    public var message: String
}
