# StreamManager: `make run` starts the operator with an embedded Kafka and the demo config;
# `make test` installs what is missing and runs the whole suite.
SWIFT ?= swift
BIN := .build/debug/stream-manager

.PHONY: deps build run test test-tansu bench kafka-dev clean

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

run: build
	$(BIN) run --bootstrap-servers embedded --config config/demo.yaml

kafka-dev: build
	$(BIN) kafka-dev

# The Swift suites run as concurrent groups of processes (scripts/swift-tests.sh says which run in
# parallel and which one at a time, and why); each group is bounded by a timeout, so a hang fails
# the run. One sequential run instead: `swift test --skip-build --no-parallel`.
test: deps
	$(SWIFT) build --build-tests
	scripts/validate-deploy.sh
	scripts/ui-tests.sh
	SWIFT=$(SWIFT) scripts/swift-tests.sh
	$(MAKE) test-tansu

# The producer, consumer, compacted reader and ensure-topic tests again, against Tansu
# (an independent Kafka-compatible broker) with librdkafka 2.16 (see README).
test-tansu:
	scripts/tansu-tests.sh

# The Python benchmarks start their brokers themselves (kafka-dev, and Tansu through
# scripts/tansu.sh) and install confluent-kafka into .cache/bench-venv when it is missing.
bench: deps
	$(SWIFT) build -c release --product kafka-producer-bench
	$(SWIFT) build -c release --product pipeline-bench
	$(SWIFT) build -c release --product reconcile-bench
	$(SWIFT) build -c release --product stream-manager
	$(SWIFT) build -c release --product csv-bench
	.build/release/kafka-producer-bench
	taskset -c 0 .build/release/pipeline-bench
	.build/release/reconcile-bench
	python3 bench/failover_bench.py --broker embedded --binary .build/release/stream-manager
	python3 bench/failover_bench.py --broker tansu --binary .build/release/stream-manager
	python3 bench/broker_bench.py --broker both --binary .build/release/stream-manager
	python3 bench/burst_bench.py --binary .build/release/stream-manager
	python3 bench/throughput_bench.py --binary .build/release/stream-manager
	python3 bench/throughput_bench.py --binary .build/release/stream-manager --compression none --burst-records 0
	python3 bench/dashboard_bench.py --binary .build/release/stream-manager
	.build/release/csv-bench

clean:
	rm -rf .build .cache
