import ServiceLifecycle

/// Runs the ingestion loop of every stream the runtime starts, each as a child task of this
/// service. On graceful shutdown (it is the runtime's first service to stop) every stream stops
/// polling and drains, so the sink, which stops after it, sends their last records.
struct StreamLoops: Service {
    let launches: AsyncStream<RunningStream>
    let finishLaunches: @Sendable () -> Void
    let stopAll: @Sendable () async -> Void

    func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { [stopAll, finishLaunches] in
                try? await gracefulShutdown()
                await stopAll()
                finishLaunches()
            }
            for await stream in launches {
                group.addTask { await stream.run() }
            }
        }
    }
}
