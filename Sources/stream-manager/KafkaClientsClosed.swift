import Kafka

/// Runs a command's body, then waits until the Kafka clients it dropped are destroyed (see
/// `KafkaClients`), whether the body returned or threw: the body's own values are released when
/// it returns, so its clients are among those waited for.
func withKafkaClientsClosed(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch {
        await KafkaClients.awaitClosed()
        throw error
    }
    await KafkaClients.awaitClosed()
}
