import Foundation

/// Measurements of the CSV reader for the benchmark harness (`leadcal-bench`);
/// not used by the loaders.
package enum CSVBenchmarks {
    /// Reads `url` with the loaders' reader (blocks of whole records, parts
    /// scanned on every core, UTF-8 checked) and splits every record into its
    /// fields, touching each field's bytes: what "reading a CSV" costs before
    /// any value is parsed. Returns the records and the total field bytes.
    package static func tokenize(url: URL) throws(DataError) -> (records: Int, fieldBytes: Int) {
        let source = try CSVSource(url: url, name: url.lastPathComponent, hashing: false)
        var records = 0, bytes = 0
        try source.scan({ (scanner, _) throws(FieldError) -> (Int, Int) in
            let fields = CSVFields()
            var records = 0, bytes = 0
            while try scanner.next(into: fields) {
                records += 1
                for f in 0..<fields.count { bytes &+= fields[f].count }
            }
            return (records, bytes)
        }) { (part, _) in
            records += part.0
            bytes += part.1
        }
        return (records, bytes)
    }
}
