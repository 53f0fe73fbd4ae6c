import BNNModel
import Foundation

/// Number and text formatting for the reports: fixed decimals, no locale, no exponent, so the
/// same design always gives the same bytes.
enum Formatting {
    static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return "0" }
        return String(format: "%.\(decimals)f", value)
    }

    /// Integers without ".0", others with up to three decimals.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        var text = fixed(value, 3)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// A JSON string literal.
    static func json(_ text: String) -> String { JSONText.quoted(text, clip: false) }
}
