#!/usr/bin/env python3
"""Writes fixtures/: the lists a replay server starts from and the watch
streams tests play, in the API's wire format (README.md: where each shape
comes from). Run again after changing it; the output is committed.

The scenario: namespace shop, this node node-a runs the gateway, a-base,
a-gray and b-base; b-gray runs on node-b (known here only from b's
EndpointSlice); a not-ready b endpoint sits on node-c.
"""
import copy
import json
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
TS = "2026-12-01T08:00:00Z"


def pod(name, app, uid, ip, node="node-a", qos="Burstable", lane=None, ready=True):
    labels = {"app": app, "pod-template-hash": "5c9f7b8d6"}
    if lane:
        labels["traffic.opensergo.io/label"] = lane
    cond = lambda t, s="True": {"type": t, "status": s, "lastProbeTime": None,
                                "lastTransitionTime": TS}
    return {
        "kind": "Pod", "apiVersion": "v1",
        "metadata": {
            "name": name, "generateName": name.rsplit("-", 1)[0] + "-", "namespace": "shop",
            "uid": uid, "resourceVersion": "1", "creationTimestamp": TS, "labels": labels,
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                 "name": name.rsplit("-", 1)[0], "uid": uid[::-1],
                                 "controller": True, "blockOwnerDeletion": True}],
            "managedFields": [{"manager": "kube-controller-manager", "operation": "Update",
                               "apiVersion": "v1", "time": TS, "fieldsType": "FieldsV1",
                               "fieldsV1": {"f:metadata": {"f:labels": {".": {}}}}}],
        },
        "spec": {
            "volumes": [{"name": "kube-api-access-x2k9p", "projected": {"sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}],
                "defaultMode": 420}}],
            "containers": [{"name": app, "image": "registry.example/" + app + ":1.4",
                            "ports": [{"name": "http", "containerPort": 8080,
                                       "protocol": "TCP"}],
                            "resources": {"requests": {"cpu": "100m"}} if qos != "BestEffort"
                            else {},
                            "terminationMessagePath": "/dev/termination-log",
                            "terminationMessagePolicy": "File",
                            "imagePullPolicy": "IfNotPresent"}],
            "restartPolicy": "Always", "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirst", "serviceAccountName": "default",
            "serviceAccount": "default", "nodeName": node, "securityContext": {},
            "schedulerName": "default-scheduler", "priority": 0,
            "enableServiceLinks": True, "preemptionPolicy": "PreemptLowerPriority",
        },
        "status": {
            "phase": "Running",
            "conditions": [cond("Initialized"), cond("Ready", "True" if ready else "False"),
                           cond("ContainersReady", "True" if ready else "False"),
                           cond("PodScheduled")],
            "hostIP": "172.19.0.2", "podIP": ip, "podIPs": [{"ip": ip}], "startTime": TS,
            "containerStatuses": [{"name": app, "state": {"running": {"startedAt": TS}},
                                   "lastState": {}, "ready": ready, "restartCount": 0,
                                   "image": "registry.example/" + app + ":1.4",
                                   "imageID": "registry.example/" + app + "@sha256:" + "0" * 64,
                                   "containerID": "containerd://" + uid.replace("-", "") * 2,
                                   "started": True}],
            "qosClass": qos,
        },
    }


def service(name, ip, target, sel):
    return {"kind": "Service", "apiVersion": "v1",
            "metadata": {"name": name, "namespace": "shop", "uid": "5e7a0000-0000-4000-8000-" +
                         name.encode().hex().ljust(12, "0")[:12], "resourceVersion": "1",
                         "creationTimestamp": TS},
            "spec": {"ports": [{"name": "http", "protocol": "TCP", "port": 80,
                                "targetPort": target}],
                     "selector": sel, "clusterIP": ip, "clusterIPs": [ip], "type": "ClusterIP",
                     "sessionAffinity": "None", "ipFamilies": ["IPv4"],
                     "ipFamilyPolicy": "SingleStack", "internalTrafficPolicy": "Cluster"},
            "status": {"loadBalancer": {}}}


def endpoint(ip, node, pod_name, ready=True):
    return {"addresses": [ip],
            "conditions": {"ready": ready, "serving": ready, "terminating": False},
            "targetRef": {"kind": "Pod", "namespace": "shop", "name": pod_name,
                          "uid": "0" * 8 + "-0000-4000-8000-" + "0" * 12},
            "nodeName": node, "zone": "zone-1"}


def eps(name, svc, endpoints):
    return {"kind": "EndpointSlice", "apiVersion": "discovery.k8s.io/v1",
            "metadata": {"name": name, "generateName": svc + "-", "namespace": "shop",
                         "uid": "e5e5" + "0" * 4 + "-0000-4000-8000-" + "0" * 12,
                         "resourceVersion": "1", "creationTimestamp": TS,
                         "labels": {"endpointslice.kubernetes.io/managed-by":
                                    "endpointslice-controller.k8s.io",
                                    "kubernetes.io/service-name": svc},
                         "ownerReferences": [{"apiVersion": "v1", "kind": "Service",
                                              "name": svc, "uid": "5e7a", "controller": True,
                                              "blockOwnerDeletion": True}]},
            "addressType": "IPv4", "endpoints": endpoints,
            "ports": [{"name": "http", "protocol": "TCP", "port": 8080}]}


def handmade(name, svc, ns, addrs, port, port_name):
    """An EndpointSlice of a service without a selector, as a person or
    another controller writes it: the service-name label, no owner, no
    targetRef or nodeName (apiserver's own for default/kubernetes)."""
    return {"kind": "EndpointSlice", "apiVersion": "discovery.k8s.io/v1",
            "metadata": {"name": name, "namespace": ns,
                         "uid": "e5e6" + "0" * 4 + "-0000-4000-8000-" + name.encode().hex()[:12].ljust(12, "0"),
                         "resourceVersion": "1", "creationTimestamp": TS,
                         "labels": {"kubernetes.io/service-name": svc}},
            "addressType": "IPv4",
            "endpoints": [{"addresses": [a], "conditions": {"ready": True}} for a in addrs],
            "ports": [{"name": port_name, "protocol": "TCP", "port": port}]}


def selectorless(name, ip, target, port=80, app_protocol=None):
    s = service(name, ip, target, None)
    del s["spec"]["selector"]
    s["spec"]["ports"][0]["port"] = port
    if app_protocol:
        s["spec"]["ports"][0]["appProtocol"] = app_protocol
    return s


def tlr(name, lane, sel, value="cn-shenzhen"):
    return {"apiVersion": "traffic.opensergo.io/v1alpha1", "kind": "TrafficLabelRule",
            "metadata": {"name": name, "namespace": "shop", "uid": "7f000000-0000-4000-8000-"
                         "000000000001", "resourceVersion": "1", "generation": 1,
                         "creationTimestamp": TS},
            "spec": {"selector": sel, "trafficLabel": lane,
                     "match": [{"condition": "==", "type": "header", "key": "location",
                                "value": value}]}}


def write_list(name, kind, api, items):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump({"kind": kind, "apiVersion": api, "metadata": {"resourceVersion": "1"},
                   "items": items}, f, indent=1)
        f.write("\n")


def write_events(name, events):
    with open(os.path.join(OUT, name), "w") as f:
        for t, o in events:
            f.write(json.dumps({"type": t, "object": o}, separators=(",", ":")) + "\n")


GW = pod("gateway-7d4b9c5f8-q2w7x", "spring-cloud-zuul", "1b6f2c1e-4d3a-4a5b-9c8d-0e1f2a3b4c5d",
         "10.244.1.10")
A_BASE = pod("a-base-5f6c7d8e9-h4k2m", "a", "2c7a3d2f-5e4b-4b6c-8d9e-1f2a3b4c5d6e",
             "10.244.1.11", qos="Guaranteed")
A_GRAY = pod("a-gray-6b8d9e0f1-p9s3t", "a", "3d8b4e3a-6f5c-4c7d-9e0f-2a3b4c5d6e7f",
             "10.244.1.12", qos="BestEffort", lane="gray")
B_BASE = pod("b-base-7c9e0f1a2-n5v8z", "b", "4e9c5f4b-7a6d-4d8e-8f1a-3b4c5d6e7f80",
             "10.244.1.21")
B_GRAY = pod("b-gray-8d0f1a2b3-r6w1y", "b", "5fad6a5c-8b7e-4e9f-9a2b-4c5d6e7f8091",
             "10.244.2.22", node="node-b", lane="gray")
C_NEW = pod("c-gray-9e1a2b3c4-t7x2a", "c", "6abe7b6d-9c8f-4fa0-8b3c-5d6e7f8091a2",
            "10.244.1.31", lane="gray")


def main():
    os.makedirs(OUT, exist_ok=True)
    write_list("pods.json", "PodList", "v1", [GW, A_BASE, A_GRAY, B_BASE, B_GRAY])
    kubernetes = selectorless("kubernetes", "10.96.0.1", 6443, port=443)
    kubernetes["metadata"]["namespace"] = "default"
    kubernetes["spec"]["ports"][0]["name"] = "https"
    headless = service("a-headless", "None", 8080, {"app": "a"})
    headless["spec"]["clusterIPs"] = ["None"]
    write_list("services.json", "ServiceList", "v1",
               [kubernetes, headless, service("a", "10.96.0.11", 8080, {"app": "a"}),
                service("b", "10.96.0.12", "http", {"app": "b"}),
                # without a selector: a database outside the cluster, one
                # whose slice names a pod of this node, one on b-gray's address
                selectorless("orders-db", "10.96.0.40", 3306, 3306, "mysql"),
                selectorless("legacy", "10.96.0.41", 8080),
                selectorless("b-direct", "10.96.0.42", 9090)])
    write_list("endpointslices.json", "EndpointSliceList", "discovery.k8s.io/v1", [
        eps("a-8x2kq", "a", [endpoint("10.244.1.11", "node-a", A_BASE["metadata"]["name"]),
                             endpoint("10.244.1.12", "node-a", A_GRAY["metadata"]["name"])]),
        eps("a-headless-z7k1c", "a-headless",
            [endpoint("10.244.1.11", "node-a", A_BASE["metadata"]["name"]),
             endpoint("10.244.1.12", "node-a", A_GRAY["metadata"]["name"])]),
        eps("b-4m7pz", "b", [endpoint("10.244.1.21", "node-a", B_BASE["metadata"]["name"]),
                             endpoint("10.244.2.22", "node-b", B_GRAY["metadata"]["name"]),
                             endpoint("10.244.3.23", "node-c", "b-base-7c9e0f1a2-zzzzz",
                                      ready=False)]),
        handmade("kubernetes", "kubernetes", "default", ["172.19.0.5"], 6443, "https"),
        handmade("orders-db-1", "orders-db", "shop", ["10.250.0.5"], 3306, "mysql"),
        handmade("legacy-1", "legacy", "shop", ["10.250.0.6", "10.244.1.21"], 8080, "http"),
        handmade("b-direct-1", "b-direct", "shop", ["10.244.2.22"], 9090, "http")])
    write_list("trafficlabelrules.json", "TrafficLabelRuleList",
               "traffic.opensergo.io/v1alpha1",
               [tlr("gray-by-location", "gray", {"app": "spring-cloud-zuul"})])
    write_list("workloadlabelrules.json", "WorkloadLabelRuleList",
               "traffic.opensergo.io/v1alpha1", [])
    with open(os.path.join(OUT, "pod-template.json"), "w") as f:
        json.dump(pod("load-00000", "load", "7a1c0000-0000-4000-8000-000000000000",
                      "10.64.0.0"), f, indent=1)
        f.write("\n")
    # a pod comes, is relabelled to gray ... and goes; as the apiserver writes them
    c_base = copy.deepcopy(C_NEW)
    del c_base["metadata"]["labels"]["traffic.opensergo.io/label"]
    c_pending = copy.deepcopy(c_base)
    c_pending["status"] = {"phase": "Pending", "qosClass": "Burstable", "conditions": []}
    write_events("events-pod-lifecycle.jsonl", [("ADDED", c_pending), ("MODIFIED", c_base)])
    write_events("events-pod-relabel.jsonl", [("MODIFIED", C_NEW)])
    write_events("events-pod-delete.jsonl", [("DELETED", C_NEW)])
    # the pod on node-b: restarted (an annotation: nothing graylane reads), relabelled
    # to base, and back
    b_restarted = copy.deepcopy(B_GRAY)
    b_restarted["metadata"].setdefault("annotations", {})[
        "kubectl.kubernetes.io/restartedAt"] = "2026-12-01T09:00:00Z"
    b_base = copy.deepcopy(b_restarted)
    del b_base["metadata"]["labels"]["traffic.opensergo.io/label"]
    write_events("events-remote-annotate.jsonl", [("MODIFIED", b_restarted)])
    write_events("events-remote-relabel.jsonl", [("MODIFIED", b_base)])
    write_events("events-remote-restore.jsonl", [("MODIFIED", B_GRAY)])
    # a selectorless service's slice fixed by hand (no pod of this node in
    # it any more), then a pod of this node on one of its addresses, gone again
    write_events("events-handmade-fix.jsonl",
                 [("MODIFIED", handmade("legacy-1", "legacy", "shop", ["10.250.0.6"], 8080,
                                        "http"))])
    clash = copy.deepcopy(C_NEW)
    clash["metadata"]["name"] = "clash-7b5d9c3e1-q8r2s"
    clash["metadata"]["uid"] = "9e1a2b3c-4d5e-4f6a-8b7c-8d9e0f1a2b3c"
    clash["status"]["podIP"] = "10.250.0.6"
    clash["status"]["podIPs"] = [{"ip": "10.250.0.6"}]
    write_events("events-handmade-clash.jsonl", [("ADDED", clash)])
    write_events("events-handmade-unclash.jsonl", [("DELETED", clash)])
    hostnet = copy.deepcopy(clash)
    hostnet["metadata"]["name"] = "hostnet-5c2e8a1d7-m3k9v"
    hostnet["metadata"]["uid"] = "0a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
    hostnet["spec"]["hostNetwork"] = True
    write_events("events-handmade-hostnet.jsonl", [("ADDED", hostnet)])
    write_events("events-handmade-hostnet-gone.jsonl", [("DELETED", hostnet)])
    # managedFields nest as deep as the spec does: 40 levels, past json-c's default
    deep = copy.deepcopy(C_NEW)
    deep["metadata"]["name"] = "deep-5c9f7b8d6-k2j4h"
    deep["metadata"]["uid"] = "8d0f1a2b-3c4d-4e5f-8a6b-7c8d9e0f1a2b"
    deep["status"]["podIP"] = "10.244.1.51"
    deep["status"]["podIPs"] = [{"ip": "10.244.1.51"}]
    node = deep["metadata"]["managedFields"][0]["fieldsV1"]
    for i in range(40):
        node["f:level%d" % i] = {}
        node = node["f:level%d" % i]
    write_events("events-deep.jsonl", [("ADDED", deep), ("DELETED", deep)])
    bad = tlr("bad-lane", "Gray!", {"app": "a"})
    write_events("events-bad-rule.jsonl", [("ADDED", bad)])
    write_events("events-bad-rule-gone.jsonl", [("DELETED", bad)])
    expired = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
               "message": "too old resource version: 1000 (1200)", "reason": "Expired",
               "code": 410}
    with open(os.path.join(OUT, "events-expired.jsonl"), "w") as f:
        f.write(json.dumps({"type": "ERROR", "object": expired}, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
