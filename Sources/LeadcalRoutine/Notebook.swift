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
            case let s as String: return s.contains(where: { ",\"\n".contains($0) }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
            case let v?: return "\(v)"
            }
        })
    }

    var text: String { ([columns.joined(separator: ",")] + rows.map { $0.joined(separator: ",") }).joined(separator: "\n") + "\n" }
}
