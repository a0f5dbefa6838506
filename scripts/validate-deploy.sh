#!/usr/bin/env bash
# Validates the deployment files without a cluster:
#   1. manifests/*.yaml against the Kubernetes 1.31 OpenAPI schemas (kubernetes-validate --strict);
#   2. the Helm chart: `helm lint` (through the helm-sdkpy package, which bundles Helm's Go library),
#      the values schema (bad values must fail), and the chart rendered in each mode, whose objects
#      go through kubernetes-validate too;
#   3. every config document they carry (the manifests' ConfigMap, the chart's `sources` value, the
#      rendered ConfigMaps) with `stream-manager validate`;
#   4. the chart's Grafana dashboard: its ConfigMap as rendered, and every metric its queries name
#      against what a running operator exports (scripts/check-grafana-metrics.py).
#
# Usage: scripts/validate-deploy.sh        (env: STREAM_MANAGER, default .build/debug/stream-manager;
#                                           PYTHON, default python3)
# The Python tools are pip-installed once into .cache/deploy-tools (pip --target: needs neither
# python3-venv nor a way around Debian's externally-managed system Python) and reused after that.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PY="${PYTHON:-python3}"
STREAM_MANAGER="${STREAM_MANAGER:-.build/debug/stream-manager}"
K8S_VERSION=1.31.0
TOOLS="$ROOT/.cache/deploy-tools"
WORK="$ROOT/.cache/deploy-validate"
# helm-sdkpy declares Python >= 3.12 but runs on 3.11 (cffi over a Go shared library).
PINS=(kubernetes-validate==1.37.0 helm-sdkpy==0.1.32)

die() { echo "validate-deploy: $*" >&2; exit 1; }
command -v "$PY" >/dev/null || die "$PY not found"
[[ -x "$STREAM_MANAGER" ]] || die "$STREAM_MANAGER not found: build it first (swift build), or set STREAM_MANAGER"

stamp="${PINS[*]} $("$PY" -c 'import sys; print(sys.version.split()[0])')"
if [[ "$(cat "$TOOLS/.stamp" 2>/dev/null)" != "$stamp" ]]; then
  echo "installing ${PINS[*]} into ${TOOLS#"$ROOT"/}"
  rm -rf "$TOOLS"
  "$PY" -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
    --ignore-requires-python --target "$TOOLS" "${PINS[@]}" 2>&1 | grep -v "Running pip as the 'root' user" >&2 || true
  PYTHONPATH="$TOOLS" "$PY" -c 'import kubernetes_validate, helm_sdkpy' || die "pip install of ${PINS[*]} failed"
  echo "$stamp" >"$TOOLS/.stamp"
fi
export PYTHONPATH="$TOOLS"
rm -rf "$WORK" && mkdir -p "$WORK"

status=0
echo "== manifests/: kubernetes-validate --strict -k $K8S_VERSION"
"$PY" -m kubernetes_validate --strict -k "$K8S_VERSION" manifests/*.yaml || status=1

echo "== the chart (helm lint, values schema, rendered per mode) and the config documents"
"$PY" - "$ROOT" "$WORK" "$STREAM_MANAGER" "$K8S_VERSION" <<'PYEOF' || status=1
import ast, copy, json, os, re, shutil, subprocess, sys
import yaml

root, work, stream_manager, k8s_version = sys.argv[1:5]
chart = os.path.join(root, "helm", "stream-manager")
failures = []

def fail(msg):
    failures.append(msg)
    print("FAIL " + msg)

def sm_validate(path, what):
    r = subprocess.run([stream_manager, "validate", path], capture_output=True, text=True)
    out = (r.stdout + r.stderr).strip()
    if r.returncode != 0:
        fail(f"stream-manager validate {what}:\n{out}")
    else:
        print(f"ok   stream-manager validate {what}" + (f"\n{out}" if out else ""))

def k8s_validate(paths, what):
    r = subprocess.run([sys.executable, "-m", "kubernetes_validate", "--strict", "--quiet", "-k", k8s_version, *paths],
                       capture_output=True, text=True)
    out = (r.stdout + r.stderr).strip()
    if r.returncode != 0:
        fail(f"kubernetes-validate {what}:\n{out}")
    else:
        print(f"ok   kubernetes-validate --strict {what}" + (f"\n{out}" if out else ""))

# helm lint runs in a child process: Helm's Go code logs to the process's stderr, and in lint mode
# `fail` only logs its message; the render step below reads the rendered templates from there.
LINT = """
import asyncio, json, sys, helm_sdkpy
r = asyncio.run(helm_sdkpy.Lint(helm_sdkpy.Configuration(namespace="default")).run(sys.argv[1]))
print(json.dumps(r))
"""
SEVERITY = {1: "INFO", 2: "WARNING", 3: "ERROR"}

def lint(path):
    """(problems, fail-messages): lint messages of severity WARNING or worse, and what `fail` logged."""
    r = subprocess.run([sys.executable, "-c", LINT, path], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"helm lint of {path} crashed:\n{r.stderr}")
    result = json.loads(r.stdout)
    # Helm's errors are Go values that serialize as {}: only the severity and the file survive.
    problems = [f"{SEVERITY.get(m['Severity'], m['Severity'])} {m['Path']}"
                for m in result.get("Messages") or [] if m["Severity"] >= 2]
    fails = [ast.literal_eval(m) for m in re.findall(r'funcMap fail message=("(?:[^"\\]|\\.)*")', r.stderr)]
    return problems, fails

def hardening(pod):
    """What the read-only, non-root image relies on; the names of the settings that are missing."""
    c = pod["containers"][0]
    sc, psc = c.get("securityContext", {}), pod.get("securityContext", {})
    tmp = {m["name"] for m in c.get("volumeMounts", []) if m["mountPath"] == "/tmp"}
    wanted = {
        "runAsNonRoot": sc.get("runAsNonRoot", psc.get("runAsNonRoot")) is True,
        "runAsUser 10001": sc.get("runAsUser", psc.get("runAsUser")) == 10001,
        "readOnlyRootFilesystem": sc.get("readOnlyRootFilesystem") is True,
        "allowPrivilegeEscalation false": sc.get("allowPrivilegeEscalation") is False,
        "capabilities drop ALL": sc.get("capabilities", {}).get("drop") == ["ALL"],
        "seccomp RuntimeDefault": sc.get("seccompProfile", psc.get("seccompProfile", {})).get("type") == "RuntimeDefault",
        "emptyDir at /tmp": any(v["name"] in tmp and "emptyDir" in v for v in pod.get("volumes", [])),
        "probes /healthz /readyz": (c["livenessProbe"]["httpGet"]["path"], c["readinessProbe"]["httpGet"]["path"]) == ("/healthz", "/readyz"),
    }
    return [k for k, ok in wanted.items() if not ok]

def merge(base, over):
    out = copy.deepcopy(base)
    for k, v in over.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out

values = yaml.safe_load(open(os.path.join(chart, "values.yaml")))

# 1. helm lint on the chart as shipped.
problems, _ = lint(chart)
if problems:
    fail("helm lint helm/stream-manager: " + "; ".join(problems) + " (run `helm lint` for the messages)")
else:
    print("ok   helm lint helm/stream-manager")

def chart_copy(name, overrides, render):
    """A copy of the chart with `overrides` merged into values.yaml. With render, the templates
    become plain files that one template renders through `tpl` and hands to `fail`."""
    d = os.path.join(work, name)
    shutil.copytree(chart, d)
    with open(os.path.join(d, "values.yaml"), "w") as f:
        yaml.safe_dump(merge(values, overrides), f, sort_keys=False)
    if render:
        os.makedirs(os.path.join(d, "render"))
        for t in os.listdir(os.path.join(d, "templates")):
            if not t.startswith("_"):
                os.rename(os.path.join(d, "templates", t), os.path.join(d, "render", t))
        with open(os.path.join(d, "templates", "zz-render.yaml"), "w") as f:
            f.write('{{- range $path, $_ := $.Files.Glob "render/*" }}\n'
                    '{{- fail (printf "@@RENDER %s\\n%s" $path (tpl ($.Files.Get $path) $)) }}\n'
                    '{{- end }}\n')
    return d

# 2. Values the schema must refuse (helm install/upgrade would fail on them).
for name, overrides in [("mode", {"mode": "kafak"}), ("replicas", {"replicas": "3"}),
                        ("pullPolicy", {"image": {"pullPolicy": "Sometimes"}}),
                        ("typo", {"replica": 3}), ("source-id", {"sources": {"__reserved": {"source_type": "generator"}}}),
                        ("grafana-enabled", {"metrics": {"grafanaDashboard": {"enabled": "yes"}}}),
                        ("grafana-label", {"metrics": {"grafanaDashboard": {"label": "grafana dashboard"}}}),
                        ("grafana-typo", {"metrics": {"grafanaDashboard": {"folder": "Kafka"}}})]:
    problems, _ = lint(chart_copy(f"bad-{name}", overrides, render=False))
    if any(p == "ERROR values.yaml" for p in problems):
        print(f"ok   values schema rejects {json.dumps(overrides)}")
    else:
        fail(f"values schema accepted {json.dumps(overrides)}")

# 3. The chart rendered per mode: objects valid for Kubernetes, config documents valid for the
#    operator, and the mode rules (replicas, strategy, RBAC, token, args) as documented.
def render(name, overrides):
    d = chart_copy(f"render-{name}", overrides, render=True)
    problems, fails = lint(d)
    rendered = {}
    for msg in fails:
        if not msg.startswith("@@RENDER "):
            raise ValueError(f"template failed: {msg}")
        head, _, body = msg.partition("\n")
        rendered[os.path.basename(head.split(" ", 1)[1])] = body
    if problems:
        raise ValueError("helm lint: " + "; ".join(problems))
    if not rendered:
        raise ValueError("nothing rendered (did Helm's lint-mode `fail` logging change?)")
    return d, rendered

def dashboard_problems(cm, dep, merged):
    """What is wrong with the rendered Grafana dashboard ConfigMap, as a list of short names."""
    g = merged["metrics"]["grafanaDashboard"]
    meta, dmeta = cm["metadata"], dep["metadata"]
    labels = meta.get("labels", {})
    # `quote` renders what --set may have typed as a number or boolean the way Go prints it.
    value = str(g["labelValue"]).lower() if isinstance(g["labelValue"], bool) else str(g["labelValue"])
    with open(os.path.join(chart, "dashboards", "stream-manager.json")) as f:
        shipped = json.load(f)
    try:
        dash = json.loads(cm.get("data", {}).get("stream-manager.json", ""))
    except ValueError:
        dash = None
    wanted = {
        "name": meta["name"] == dmeta["name"] + "-grafana-dashboard",
        "namespace": meta.get("namespace") == (g.get("namespace") or dmeta["namespace"]),
        "chart labels": all(labels.get(k) == v for k, v in dmeta["labels"].items()),
        "sidecar label": labels.get(g["label"]) == value,
        "annotations": meta.get("annotations", {}) == (g.get("annotations") or {}),
        "data keys": sorted(cm.get("data", {})) == ["stream-manager.json"],
        "JSON": isinstance(dash, dict),
        "dashboard": isinstance(dash, dict) and dash.get("uid") == "stream-manager" and bool(dash.get("panels")),
        "same as dashboards/stream-manager.json": dash == shipped,
    }
    return [k for k, ok in wanted.items() if not ok]

def check_mode(name, overrides, expect):
    try:
        check_rendered(name, overrides, expect)
    except Exception as e:  # a template that fails, renders no valid YAML, or lacks an object
        fail(f"render ({name}): {type(e).__name__}: {e}")

def check_rendered(name, overrides, expect):
    d, rendered = render(name, overrides)
    out = os.path.join(d, "out")
    os.makedirs(out)
    objects, files, dashboards = {}, [], []
    for fname, text in sorted(rendered.items()):
        if fname == "NOTES.txt":
            if "stream-manager status" not in text:
                fail(f"render ({name}): NOTES.txt does not say how to watch status")
            continue
        docs = [o for o in yaml.safe_load_all(text) if o]
        if not docs:
            continue
        files.append(os.path.join(out, fname))
        with open(files[-1], "w") as f:
            f.write(text)
        for o in docs:
            # A second ConfigMap: kept apart so objects["ConfigMap"] stays the config document's.
            if fname == "grafana-dashboard.yaml":
                dashboards.append(o)
            else:
                objects[o["kind"]] = o
    k8s_validate(files, f"rendered chart ({name}): {', '.join(sorted(objects))}"
                        + (", Grafana dashboard ConfigMap" if dashboards else ""))
    merged = merge(values, overrides)
    mode, key = merged["mode"], merged["configMap"]["key"]
    cm = objects["ConfigMap"]["data"]
    doc = os.path.join(out, f"config-{key}")
    with open(doc, "w") as f:
        f.write(cm[key])
    sm_validate(doc, f"rendered ConfigMap key {key} ({name})")
    dep = objects["Deployment"]["spec"]
    pod = dep["template"]["spec"]
    args = pod["containers"][0]["args"]
    checks = {
        "replicas": dep["replicas"] == expect["replicas"],
        "strategy": dep["strategy"]["type"] == ("RollingUpdate" if mode == "kafka" else "Recreate"),
        "--source": args[args.index("--source") + 1] == mode,
        "token": pod["automountServiceAccountToken"] == (expect.get("role") is not None),
        "role": ("Role" in objects) == (expect.get("role") is not None),
        "servicemonitor": ("ServiceMonitor" in objects) == expect.get("servicemonitor", False),
        "grafana dashboard": len(dashboards) == (1 if expect.get("grafana") else 0),
        "grace": pod["terminationGracePeriodSeconds"] > float(args[args.index("--shutdown-timeout") + 1]) + 5,
    }
    if expect.get("role") is True:  # the chart's own ConfigMap
        expect = dict(expect, role=objects["ConfigMap"]["metadata"]["name"])
    if expect.get("role"):
        rule = objects["Role"]["rules"]
        checks["role-rule"] = rule == [{"apiGroups": [""], "resources": ["configmaps"],
                                        "resourceNames": [expect["role"]], "verbs": ["get", "list", "watch"]}]
        checks["watched"] = args[args.index("--configmap") + 1] == expect["role"]
        checks["keep-on-delete"] = ("--keep-on-delete" in args) == merged["keepOnDelete"]
    bad = [k for k, ok in checks.items() if not ok] + hardening(pod)
    if dashboards:
        bad += [f"Grafana dashboard {k}" for k in dashboard_problems(dashboards[0], objects["Deployment"], merged)]
    if bad:
        fail(f"render ({name}): wrong {', '.join(bad)}")
    else:
        print(f"ok   render ({name}): replicas {dep['replicas']}, {dep['strategy']['type']}, "
              f"args {' '.join(args[1:3])}" + (f", Role on {expect['role']}" if expect.get("role") else ", no RBAC")
              + (", Grafana dashboard ConfigMap" if dashboards else ""))

check_mode("kafka", {}, {"replicas": 3})
check_mode("kafka-scaled", {"replicas": 5, "kafka": {"existingSecret": "kafka-sasl",
                                                     "properties": {"security.protocol": "SASL_SSL",
                                                                    "sasl.username": "${KAFKA_USERNAME}",
                                                                    "sasl.password": "${KAFKA_PASSWORD}"}},
                            "metrics": {"serviceMonitor": {"enabled": True}, "grafanaDashboard": {"enabled": True}}},
           {"replicas": 5, "servicemonitor": True, "grafana": True})
check_mode("configmap", {"mode": "configmap", "replicas": 3, "keepOnDelete": True},
           {"replicas": 1, "role": True})
check_mode("configmap-external", {"mode": "configmap", "configMap": {"name": "feeds"}},
           {"replicas": 1, "role": "feeds"})
check_mode("file", {"mode": "file", "extraConfig": {"queue_max_size": 20000, "throttling": {"enabled": False}},
                    "metrics": {"grafanaDashboard": {"enabled": True, "label": "grafana.example.org/dashboard",
                                                     "labelValue": 1, "namespace": "monitoring",
                                                     "annotations": {"grafana_folder": "Kafka"}}}},
           {"replicas": 1, "grafana": True})
try:
    render("short-grace", {"terminationGracePeriodSeconds": 30})
    fail("render (short-grace): a grace period shorter than the drain was accepted")
except ValueError as e:
    if "terminationGracePeriodSeconds must exceed" in str(e):
        print("ok   render refuses terminationGracePeriodSeconds 30 with shutdownTimeoutSeconds 45")
    else:
        fail(f"render (short-grace): {e}")

# 4. The manifests' Deployment hardening, and the config documents of the manifests and the
#    chart's values.
with open(os.path.join(root, "manifests", "deployment.yaml")) as f:
    dep = next(o for o in yaml.safe_load_all(f) if o and o["kind"] == "Deployment")
missing = hardening(dep["spec"]["template"]["spec"])
if missing:
    fail("manifests/deployment.yaml: wrong " + ", ".join(missing))
else:
    print("ok   manifests/deployment.yaml: non-root, read-only root, no capabilities, seccomp, /tmp emptyDir, probes")
with open(os.path.join(root, "manifests", "configmap.yaml")) as f:
    cm = next(o for o in yaml.safe_load_all(f) if o and o["kind"] == "ConfigMap")
path = os.path.join(work, "manifests-stream_config.yaml")
with open(path, "w") as f:
    f.write(cm["data"]["stream_config.yaml"])
sm_validate(path, "manifests/configmap.yaml (data.stream_config.yaml)")
# JSON: what Helm read from values.yaml (YAML 1.1, like PyYAML), with no second YAML reading.
path = os.path.join(work, "chart-values-sources.json")
with open(path, "w") as f:
    json.dump({"sources": values["sources"]}, f, indent=2)
sm_validate(path, "helm/stream-manager/values.yaml (sources)")

if failures:
    print(f"{len(failures)} chart or config check(s) failed")
    sys.exit(1)
PYEOF

echo "== the Grafana dashboard's metric names against a running operator"
"$PY" scripts/check-grafana-metrics.py --binary "$STREAM_MANAGER" || status=1

if ((status)); then
  echo "validate-deploy: FAILED (see above)"
  exit 1
fi
echo "validate-deploy: all checks passed"
