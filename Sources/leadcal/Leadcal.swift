import ArgumentParser
import Foundation
import LeadcalData
import LeadcalModel
import LeadcalService

@main
struct Leadcal: AsyncParsableCommand {
    /// `serve` runs its handlers on the event loops that read the requests
    /// (no hop to another thread per request); the switch must happen before
    /// any other concurrent work starts.
    static func main() async {
        if CommandLine.arguments.dropFirst().first == "serve" { ScoringService.useEventLoopsAsGlobalExecutor() }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "leadcal",
        abstract: "Calibrated, time-decayed B2B lead scoring.",
        discussion: """
            Every month, export leads.csv, signals.csv and outcomes.csv from the CRM into a \
            folder with a model.yaml (the README documents the data contract), then:

              leadcal inspect DATA_DIR          check the data
              leadcal fit DATA_DIR              fit weights and half-lives, write
                                                weights/<model>-<version>.json
              leadcal compare A.json B.json DATA_DIR
                                                last month's version against this
                                                month's, before promoting it
              leadcal score --weights B.json DATA_DIR
                                                probability, score, tier, reasons
              leadcal report --weights B.json --baseline A.json DATA_DIR --out R
                                                a notebook for analysts
              leadcal export --weights B.json --format sql-postgres
                                                the model as one SQL query (or JSON)
              leadcal serve --weights B.json    score over HTTP

            Also: evaluate (one version's metrics), versions (the lineage of a folder), \
            backtest (monthly retraining on history), synth (data with known truth to try it).

            Try it: leadcal synth --leads 5000 --out demo && leadcal fit demo
            """,
        version: LeadcalVersion.string,
        subcommands: [Inspect.self, Fit.self, Score.self, Evaluate.self, Compare.self, Versions.self, BacktestCommand.self, Report.self, Export.self, Serve.self, Synth.self]
    )
}

enum LeadcalVersion {
    static let string = "0.1.0"
}

/// Runs `body`, turning input errors into their one-line message and exit status 2.
func runReportingDataErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let e as DataError {
        FileHandle.standardError.write(Data("error: \(e.description)\n".utf8))
        throw ExitCode(2)
    } catch let e as CLIError {
        FileHandle.standardError.write(Data("error: \(e.message)\n".utf8))
        throw ExitCode(2)
    } catch let e as WeightsError {
        FileHandle.standardError.write(Data("error: \(e.message)\n".utf8))
        throw ExitCode(2)
    }
}

/// Prints `error: message` on stderr; returns the exit status to throw (2).
func reportError(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    return ExitCode(2)
}

struct CLIError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Writes `value` as pretty, key-sorted JSON on stdout.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    FileHandle.standardOutput.write(try encoder.encode(value) + Data("\n".utf8))
}

/// Progress lines on stderr, only when stderr is a terminal.
enum Progress {
    static let enabled = isatty(2) == 1
    static func say(_ text: @autoclosure () -> String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text())".utf8))
    }
    static func done() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
