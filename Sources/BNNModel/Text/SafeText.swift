/// User text (layer names, labels, the model file's name) as each generated file's language
/// can hold it without the text ending the comment, cell, string or element it sits in.
///
/// The loader already refuses names with invisible or line-breaking characters; these functions
/// are the second line of defence, and the only way user text reaches a generated file. JSON
/// output uses `JSONText.quoted`; Tcl, make and Vitis config files get no user text at all
/// (only the model name, a checked identifier).
public enum SafeText {
    /// Characters refused in names and replaced in every output: control characters (C0, DEL, C1),
    /// format characters (bidi overrides and isolates, zero-width characters, U+FEFF), line and
    /// paragraph separators, and noncharacters (U+FFFE, U+FFFF...).
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return scalar.properties.isNoncharacterCodePoint
        }
    }

    /// The first unsafe character of `text`, if any.
    public static func firstUnsafe(in text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first(where: isUnsafe)
    }

    /// `U+000A`: how messages name a character.
    public static func codePoint(_ scalar: Unicode.Scalar) -> String {
        "U+" + hexDigits(scalar)
    }

    /// The scalar's value in uppercase hex, at least four digits.
    static func hexDigits(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// `text` with line breaks and tabs as `\n` `\r` `\t`, `"` and `\` backslashed when `quotes`,
    /// and each other scalar `escape` picks as `\uXXXX`: the escaping of JSON strings
    /// (`JSONText.quoted`) and of one-line messages (`singleLine`).
    static func backslashEscaped(_ text: String, quotes: Bool, escape: (Unicode.Scalar) -> Bool) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"" where quotes: out += "\\\""
            case "\\" where quotes: out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where escape(scalar): out += "\\u" + hexDigits(scalar)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Text for a C++ `//` comment: printable ASCII only; anything else, and the backslash (which
    /// continues the comment onto the next line), becomes `?`. No `??` is written (a trigraph such
    /// as `??/` is a backslash under -std=c++11/14), nor `/*` or `*/`.
    public static func cppComment(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            var c = Character(scalar)
            if !(0x20...0x7E).contains(scalar.value) || c == "\\" { c = "?" }
            switch (out.last, c) {
            case ("?", "?"): continue
            case ("*", "/"), ("/", "*"): out.append(" ")
            default: break
            }
            out.append(c)
        }
        return out
    }

    /// Text for Markdown, in a table cell or running text (never inside a code span): the
    /// characters that start HTML, entities, links, code spans and escapes, and the cell
    /// separator, are backslash-escaped; unsafe characters become `?`. Emphasis marks (`*`, `_`,
    /// `~`) are left alone: at worst they style the text.
    public static func markdown(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) {
                out += "?"
                continue
            }
            if "\\`<>&[]|".unicodeScalars.contains(scalar) { out += "\\" }
            out.unicodeScalars.append(scalar)
        }
        return out
    }

    /// Text for XML character data and attribute values (report.svg); unsafe characters, which
    /// XML either forbids or would normalise, become spaces.
    public static func xml(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case _ where isUnsafe(scalar): out += " "
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Text for one line of a plain text file: unsafe characters become `?`.
    public static func line(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { isUnsafe($0) ? "?" : $0 }))
    }
}
