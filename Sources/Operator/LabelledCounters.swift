import CoreMetrics
import Synchronization

/// Counters with labels (one per source, per rule…), kept here rather than in the Prometheus
/// registry. swift-prometheus copies a metric's whole label table each time a new label set is
/// added, so registering the per-source counters of N sources costs O(N²): with 10,000 sources that
/// took longer than starting them (bench/RESULTS.md). Here a new label set is one dictionary insert;
/// the values are written in the same text exposition after the registry's.
final class LabelledCounters: Sendable {
    final class Cell: CounterHandler, Sendable {
        let value = Atomic<Int64>(0)
        let name: String
        let labels: String
        init(name: String, labels: String) {
            self.name = name
            self.labels = labels
        }
        func increment(by amount: Int64) { value.add(amount, ordering: .relaxed) }
        func reset() { value.store(0, ordering: .relaxed) }
    }

    /// name → rendered labels (`source="a",rule="custom"`) → value
    private let families = Mutex<[String: [String: Cell]]>([:])

    func counter(name: String, dimensions: [(String, String)]) -> Cell {
        let labels = dimensions.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",")
        return families.withLock { f in
            if let cell = f[name]?[labels] { return cell }
            let cell = Cell(name: name, labels: labels)
            f[name, default: [:]][labels] = cell
            return cell
        }
    }

    /// Removes a series (`Counter.destroy()`): a removed source's counters leave the exposition.
    func remove(_ cell: Cell) {
        families.withLock { f in
            guard f[cell.name]?[cell.labels] === cell else { return }
            f[cell.name]![cell.labels] = nil
            if f[cell.name]!.isEmpty { f[cell.name] = nil }
        }
    }

    /// Prometheus text format, families and series sorted.
    func emit(into out: inout String) {
        let snapshot = families.withLock { $0 }
        for name in snapshot.keys.sorted() {
            out += "# TYPE \(name) counter\n"
            for (labels, cell) in snapshot[name]!.sorted(by: { $0.key < $1.key }) {
                out += "\(name){\(labels)} \(cell.value.load(ordering: .relaxed))\n"
            }
        }
    }

    /// Label values escape backslash, double quote and line feed (the text format's rules).
    static func escape(_ value: String) -> String {
        var out = ""
        for c in value {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }
}

/// swift-metrics' backend: labelled counters go to `LabelledCounters`, everything else (gauges,
/// histograms, unlabelled counters) to swift-prometheus.
struct OperatorMetricsFactory: MetricsFactory {
    let prometheus: any MetricsFactory
    let labelled: LabelledCounters

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        dimensions.isEmpty ? prometheus.makeCounter(label: label, dimensions: dimensions)
            : labelled.counter(name: label, dimensions: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        prometheus.makeFloatingPointCounter(label: label, dimensions: dimensions)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        prometheus.makeMeter(label: label, dimensions: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        prometheus.makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        prometheus.makeTimer(label: label, dimensions: dimensions)
    }

    func destroyCounter(_ handler: any CounterHandler) {
        if let cell = handler as? LabelledCounters.Cell { labelled.remove(cell) } else { prometheus.destroyCounter(handler) }
    }

    func destroyMeter(_ handler: any MeterHandler) { prometheus.destroyMeter(handler) }
    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) { prometheus.destroyFloatingPointCounter(handler) }
    func destroyRecorder(_ handler: any RecorderHandler) { prometheus.destroyRecorder(handler) }
    func destroyTimer(_ handler: any TimerHandler) { prometheus.destroyTimer(handler) }
}
