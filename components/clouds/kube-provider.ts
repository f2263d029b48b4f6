// The Kubernetes provider of a cloud region, built from its own cluster's outputs: every Kubernetes
// object of the region goes through it (never a default provider, never the user's kubeconfig).
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";

/** A kubeconfig (an object, serialised here) for one cluster; secret when it carries credentials. */
export function clusterProvider(name: string, kubeconfig: pulumi.Input<object>, parent: pulumi.Resource, dependsOn: pulumi.Input<pulumi.Resource>[] = []): k8s.Provider {
    return new k8s.Provider(
        name,
        {
            kubeconfig: pulumi.output(kubeconfig).apply((c) => JSON.stringify(c)),
            enableServerSideApply: true,
            // As on existing clusters (components/clouds/existing.ts): ConfigMaps update in place.
            enableConfigMapMutable: true,
        },
        { parent, dependsOn },
    );
}

/** A kubeconfig whose user runs an exec credential plugin (aws eks get-token, gke-gcloud-auth-plugin). */
export function execKubeconfig(args: {
    cluster: string;
    server: pulumi.Input<string>;
    /** Base64 PEM of the cluster's CA, as the clouds report it. */
    caData: pulumi.Input<string>;
    command: string;
    commandArgs: pulumi.Input<string>[];
    env?: { name: string; value: string }[];
}): pulumi.Output<object> {
    return pulumi.all([args.server, args.caData, pulumi.all(args.commandArgs)]).apply(([server, caData, commandArgs]) => ({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: args.cluster, cluster: { server, "certificate-authority-data": caData } }],
        contexts: [{ name: args.cluster, context: { cluster: args.cluster, user: args.cluster } }],
        "current-context": args.cluster,
        users: [
            {
                name: args.cluster,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: args.command,
                        args: commandArgs,
                        ...(args.env === undefined ? {} : { env: args.env }),
                        interactiveMode: "Never",
                        provideClusterInfo: false,
                    },
                },
            },
        ],
    }));
}
