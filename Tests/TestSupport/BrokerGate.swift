import Foundation

/// A TCP relay in front of a broker that can be closed and opened again: closed, it cuts every
/// connection and refuses new ones, as a broker outage looks to a client; opened, it accepts on
/// the same port, and the broker behind it still has its data. Used for brokers that cannot be
/// taken down and brought back themselves (kafka-dev can, on SIGUSR1/SIGUSR2, and the gate takes
/// the same signals).
final class BrokerGate: Sendable {
    private let server: TestServerProcess
    var port: Int { server.port }

    init(target: Int) throws {
        let path = NSTemporaryDirectory() + "broker-gate-\(UUID().uuidString).py"
        try Self.script.write(toFile: path, atomically: true, encoding: .utf8)
        server = try TestServerProcess.startBlocking(script: path, arguments: { [$0, String(target)] })
    }

    func close() { server.send(SIGUSR1) }
    func open() { server.send(SIGUSR2) }
    func stop() { server.stop() }

    static let script = PythonServer.prelude + """

        import asyncio
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGUSR1, signal.SIGUSR2])
        target = int(sys.argv[2])
        state = {"server": None, "port": 0, "pairs": set()}

        async def relay(reader, writer):
            try:
                while data := await reader.read(65536):
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                writer.transport.abort()

        async def accept(client_reader, client_writer):
            try:
                broker_reader, broker_writer = await asyncio.open_connection("127.0.0.1", target)
            except OSError:
                client_writer.transport.abort()
                return
            pair = (client_writer, broker_writer)
            state["pairs"].add(pair)
            await asyncio.gather(relay(client_reader, broker_writer), relay(broker_reader, client_writer))
            state["pairs"].discard(pair)

        async def listen():
            state["server"] = await asyncio.start_server(accept, "127.0.0.1", state["port"], reuse_address=True)
            state["port"] = state["server"].sockets[0].getsockname()[1]

        def close():
            if state["server"] is not None:
                state["server"].close()
                state["server"] = None
            for pair in list(state["pairs"]):
                for writer in pair:
                    writer.transport.abort()
            state["pairs"].clear()

        def reopen():
            if state["server"] is None:
                asyncio.ensure_future(listen())

        async def main():
            await listen()
            loop = asyncio.get_running_loop()
            loop.add_signal_handler(signal.SIGUSR1, close)
            loop.add_signal_handler(signal.SIGUSR2, reopen)
            announce(state["port"])
            await asyncio.Event().wait()

        asyncio.run(main())
        """
}
