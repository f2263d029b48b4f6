// How a LoadBalancer Service asks for one exact address. Kubernetes deprecated spec.loadBalancerIP
// in 1.24 without a replacement, so each implementation has its own annotation. Data, not branches:
// checked 2026-11-25 against each project's documentation:
// - MetalLB (controller/service.go AnnotationLoadBalancerIPs; the older metallb.universe.tf/ prefix is
//   kept there only as deprecated): annotation metallb.io/loadBalancerIPs;
// - Cilium LB IPAM (docs.cilium.io network/lb-ipam, "Requesting IPs"): annotation lbipam.cilium.io/ips;
// - kube-vip cloud provider (kube-vip/kube-vip#528, kube-vip-cloud-provider v0.0.7): annotation kube-vip.io/loadbalancerIPs;
// - anything else: spec.loadBalancerIP, which cloud controllers and most implementations still honour.
import type { LOAD_BALANCERS } from "../config/schema";

export type LoadBalancerImplementation = (typeof LOAD_BALANCERS)[number];

const ANNOTATION: Readonly<Record<LoadBalancerImplementation, string | undefined>> = {
    generic: undefined,
    metallb: "metallb.io/loadBalancerIPs",
    cilium: "lbipam.cilium.io/ips",
    "kube-vip": "kube-vip.io/loadbalancerIPs",
};

/** Annotations and spec fields that make a Service's load balancer give it exactly one address. */
export interface AddressRequest<S = string> {
    annotations: Record<string, S | string>;
    spec: { loadBalancerIP?: S | string; loadBalancerClass?: string };
}

/** The annotations and spec fields that make `implementation` give a Service exactly `address`. */
export function requestAddress<S = string>(implementation: LoadBalancerImplementation, address: S): AddressRequest<S> {
    const annotation = ANNOTATION[implementation];
    return annotation === undefined
        ? { annotations: {}, spec: { loadBalancerIP: address } }
        : { annotations: { [annotation]: address }, spec: {} };
}
