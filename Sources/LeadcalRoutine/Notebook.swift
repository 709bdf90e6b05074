import Foundation

/// A Jupyter notebook (nbformat 4.5): markdown and code cells, no outputs
/// (a kernel fills them when the notebook is executed).
public struct Notebook: Sendable {
    public enum Cell: Sendable {
        case markdown(String)
        case code(String)
    }

    public var cells: [Cell] = []

    public init() {}

    public mutating func markdown(_ text: String) { cells.append(.markdown(text)) }
    public mutating func code(_ text: String) { cells.append(.code(text)) }

    /// The `.ipynb` JSON document.
    public func json() throws -> Data {
        func source(_ text: String) -> [String] {
            let lines = text.components(separatedBy: "\n")
            return lines.enumerated().map { $0.offset < lines.count - 1 ? $0.element + "\n" : $0.element }
        }
        let cellObjects: [[String: Any]] = cells.enumerated().map { (i, cell) in
            switch cell {
            case let .markdown(text):
                return ["cell_type": "markdown", "id": "cell-\(i)", "metadata": [String: Any](), "source": source(text)]
            case let .code(text):
                return ["cell_type": "code", "id": "cell-\(i)", "metadata": [String: Any](), "execution_count": NSNull(),
                        "outputs": [Any](), "source": source(text)]
            }
        }
        let document: [String: Any] = [
            "nbformat": 4, "nbformat_minor": 5,
            "metadata": [
                "kernelspec": ["display_name": "Python 3", "language": "python", "name": "python3"],
                "language_info": ["name": "python"],
                "leadcal": ["written_by": "leadcal report"],
            ],
            "cells": cellObjects,
        ]
        return try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys]) + Data("\n".utf8)
    }
}

/// A CSV table written beside a notebook.
struct Table {
    var columns: [String]
    var rows: [[String]] = []

    init(_ columns: [String]) { self.columns = columns }

    mutating func add(_ cells: [Any?]) {
        rows.append(cells.map { cell in
            switch cell {
            case nil: return ""
            case let d as Double: return d.isFinite ? "\(d)" : ""
            case let s as String: return Self.quoted(s)
            case let v?: return "\(v)"
            }
        })
    }

    /// A text cell, RFC 4180: quoted when it holds a comma, a quote or a line break.
    static func quoted(_ s: String) -> String {
        s.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    var text: String { ([columns.map(Self.quoted).joined(separator: ",")] + rows.map { $0.joined(separator: ",") }).joined(separator: "\n") + "\n" }
}
