// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "StreamManager",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "stream-manager", targets: ["stream-manager"]),
        .library(name: "Kafka", targets: ["Kafka"]),
        .library(name: "StreamConfig", targets: ["StreamConfig"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
        .library(name: "HTTPTransport", targets: ["HTTPTransport"]),
        .library(name: "StreamManagerKit", targets: ["StreamManagerKit"]),
        .library(name: "Reconciler", targets: ["Reconciler"]),
        .library(name: "Kubernetes", targets: ["Kubernetes"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        // Only for the CSV benchmark: the maintained parser CSVTable is measured against.
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .target(
            name: "CCurl",
            linkerSettings: [.linkedLibrary("curl")]
        ),
        .target(name: "TextEscaping", swiftSettings: strict),
        .target(name: "BlockingCalls", swiftSettings: strict),
        .target(
            name: "HTTPTransport",
            dependencies: [
                "CCurl",
                "BlockingCalls",
                "TextEscaping",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Kafka",
            dependencies: [
                "CRdKafka",
                "BlockingCalls",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "StreamConfig",
            dependencies: [
                "TextEscaping",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Pipeline",
            dependencies: [
                "Kafka",
                "StreamConfig",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Connectors",
            dependencies: ["Kafka", "Pipeline", "StreamConfig", "HTTPTransport", "BlockingCalls", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(
            name: "Kubernetes",
            dependencies: ["HTTPTransport", .product(name: "Logging", package: "swift-log"),
                           .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(
            name: "Reconciler",
            dependencies: ["StreamConfig", "StreamManagerKit", "Connectors", "Kafka", "Pipeline", "Kubernetes", .product(name: "Logging", package: "swift-log"),
                           .product(name: "Metrics", package: "swift-metrics"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            swiftSettings: strict
        ),
        .target(
            name: "Operator",
            dependencies: [
                "Kafka", "StreamConfig", "StreamManagerKit", "Reconciler", "Pipeline", "Kubernetes",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "StreamManagerKit",
            dependencies: [
                "Kafka",
                "Pipeline",
                "StreamConfig",
                "Connectors",
                "HTTPTransport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "stream-manager",
            dependencies: [
                "Kafka",
                "Pipeline",
                "StreamConfig",
                "StreamManagerKit",
                "Reconciler",
                "Operator",
                "Kubernetes",
                "TextEscaping",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "kafka-producer-bench",
            dependencies: ["Kafka", "CRdKafka"],
            path: "bench/KafkaProducerBench",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "pipeline-bench",
            dependencies: ["StreamManagerKit", "Connectors", "Pipeline", "StreamConfig", "Kafka", "CRdKafka"],
            path: "bench/PipelineBench",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "csv-bench",
            dependencies: ["Connectors", .product(name: "CSV", package: "CSV.swift")],
            path: "bench/CSVBench",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "reconcile-bench",
            dependencies: ["Operator", "Reconciler", "StreamConfig", "Kafka",
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "Logging", package: "swift-log")],
            path: "bench/ReconcileBench",
            swiftSettings: strict
        ),
        .testTarget(
            name: "KafkaTests",
            dependencies: ["Kafka", "CRdKafka", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PipelineTests",
            dependencies: [
                "Pipeline",
                "Kafka",
                "StreamConfig",
                "TestSupport",
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StreamManagerKitTests",
            dependencies: ["StreamManagerKit", "StreamConfig", "Kafka", "Connectors", "Pipeline", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ConnectorsTests",
            dependencies: ["Connectors", "Pipeline", "StreamConfig", "HTTPTransport", "StreamManagerKit", "Kafka", "TestSupport"],
            exclude: ["Fixtures", "Server"],  // read from the source tree (#filePath): the fixture server and what it serves
            swiftSettings: strict
        ),
        .testTarget(
            name: "ReconcilerTests",
            dependencies: ["Reconciler", "StreamConfig", "Kafka", "StreamManagerKit", "Connectors", "Pipeline", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "OperatorTests",
            dependencies: ["Operator", "Reconciler", "StreamConfig", "Kafka", "StreamManagerKit", "HTTPTransport", "TestSupport",
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KubernetesTests",
            dependencies: ["Kubernetes", "Reconciler", "Operator", "StreamConfig", "Kafka", "StreamManagerKit", "TestSupport",
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            exclude: ["Server"],  // the Python API server, run from the source tree (#filePath)
            swiftSettings: strict
        ),
        .testTarget(
            name: "StreamConfigTests",
            dependencies: ["StreamConfig"],
            swiftSettings: strict
        ),
        .target(
            name: "TestSupport",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "HTTPTransportTests",
            dependencies: ["HTTPTransport", "TestSupport"],
            exclude: ["Server"],  // the Python test server, run from the source tree (#filePath)
            swiftSettings: strict
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["Kafka", "TestSupport"],
            exclude: ["Server"],
            swiftSettings: strict
        ),
    ]
)
