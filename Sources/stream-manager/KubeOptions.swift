import ArgumentParser
import Foundation
import Kubernetes
import Operator

/// `run --source configmap`: which ConfigMap, and how to reach the API server (discovery order:
/// --kube-server; --kubeconfig or $KUBECONFIG; the in-cluster service account).
struct KubeOptions: ParsableArguments {
    @Option(help: "Namespace of the ConfigMap (default: the kubeconfig context's, the service account's, then 'default').")
    var namespace: String?

    @Option(help: "Name of the ConfigMap.")
    var configmap: String = "stream-config"

    @Option(help: "The ConfigMap key holding the config document.")
    var configmapKey: String = "stream_config.yaml"

    @Flag(help: "Keep the sources running when the ConfigMap is deleted (instead of stopping them).")
    var keepOnDelete = false

    @Option(help: "A kubeconfig file (default $KUBECONFIG).")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context (default its current-context).")
    var context: String?

    @Option(help: "The API server URL, overriding kubeconfig and in-cluster discovery.")
    var kubeServer: String?

    @Option(help: "With --kube-server: the CA file to verify it with.")
    var kubeCaFile: String?

    @Option(help: "With --kube-server: a file holding the bearer token (re-read every minute).")
    var kubeTokenFile: String?

    func settings() throws -> OperatorSettings.ConfigMapSettings {
        let discovery = KubeConfigDiscovery(
            explicit: kubeServer.map { .init(server: $0, caFile: kubeCaFile, tokenFile: kubeTokenFile) },
            kubeconfigPath: kubeconfig, context: context)
        let client: KubeClientConfig
        do { client = try discovery.resolve() } catch { throw ValidationError("\(error)") }
        return .init(client: client, namespace: namespace ?? client.namespace ?? "default", name: configmap,
                     key: configmapKey, keepOnDelete: keepOnDelete)
    }
}
