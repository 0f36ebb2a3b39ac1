// deploy.kubernetes_manifests: validates every document of deploy/kubernetes
// offline, without a cluster:
//   1. the Kubernetes JSON schemas (npm kubernetes-models: the class for the
//      document's apiVersion and kind, .validate());
//   2. no unknown fields (the schemas allow any: a misspelt `readinesProbe`
//      would pass them), from the models' TypeScript declarations;
//   3. the project's policies: resources, security contexts, probes, image
//      tags, grace periods, secrets without key material, Services and
//      PodDisruptionBudgets that select pods, NetworkPolicies, kustomization;
//   4. with --registry-server/--report-server/--reportctl BINARY: every flag
//      the manifests pass is one the program knows (its --helpfull).
//
// Usage: node kubernetes_validate.mjs MANIFEST_DIR [--registry-server=BIN]
//          [--report-server=BIN] [--reportctl=BIN]
// Run from tests/deploy/kubernetes_validate.sh, which installs the npm
// packages (package.json, package-lock.json) with `npm ci` and sets
// NODE_PATH. Exits 1 naming file, kind, name and the problem of each finding.
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";

// The packages live outside the source tree (NODE_PATH): resolve from there.
const require = createRequire(path.join(process.env.NODE_PATH || process.cwd(), "noop.js"));
const YAML = require("yaml");
const modelsRoot = path.dirname(require.resolve("kubernetes-models/package.json"));
const nodeModules = path.dirname(modelsRoot);

const args = process.argv.slice(2);
const manifestDir = args.find((a) => !a.startsWith("--"));
if (!manifestDir) {
  console.error("usage: kubernetes_validate.mjs MANIFEST_DIR [--registry-server=BIN] ...");
  process.exit(2);
}
const binaries = Object.fromEntries(
  args.filter((a) => a.startsWith("--")).map((a) => a.slice(2).split("=", 2)));

const findings = [];
let checked = 0;
function fail(where, message) {
  findings.push(`${where}: ${message}`);
}

// --- 1. schema: the kubernetes-models class of apiVersion/kind -------------------
// "apps/v1" -> apps/v1/Deployment; "v1" -> v1/Service; "batch/v1" -> batch/v1/CronJob.
function modelClass(apiVersion, kind) {
  const file = path.join(modelsRoot, ...apiVersion.split("/"), `${kind}.js`);
  if (!fs.existsSync(file)) return null;
  return require(file)[kind];
}

// --- 2. unknown fields, from the .d.ts declarations ------------------------------
// For a declaration file: its interface's properties and, for each, the
// declaration file of the object type it holds (if any) and its shape
// (value, array, map).
const declarations = new Map();
function declaration(dtsFile) {
  if (declarations.has(dtsFile)) return declarations.get(dtsFile);
  const text = fs.readFileSync(dtsFile, "utf8");
  const imports = new Map();
  for (const m of text.matchAll(/import \{ (\w+) \} from "([^"]+)";/g)) {
    const spec = m[2];
    const base = spec.startsWith(".") ? path.resolve(path.dirname(dtsFile), spec)
                                      : path.join(nodeModules, spec);
    imports.set(m[1], `${base}.d.ts`);
  }
  const body = text.match(/export interface I\w+(?: extends ([\w, ]+))? \{([\s\S]*?)\n\}/);
  let result = null;  // null: not an object type (e.g. IntOrString, Quantity)
  if (body) {
    result = new Map();
    // TypeMeta: apiVersion and kind.
    if ((body[1] ?? "").includes("TypeMeta")) {
      result.set("apiVersion", { file: null, shape: "value" });
      result.set("kind", { file: null, shape: "value" });
    }
    // Without comments, on one line: `"labels"?: { [key: string]: string; };`.
    const props = body[2].replace(/\/\*[\s\S]*?\*\//g, "").replace(/\s+/g, " ");
    for (const p of props.matchAll(/"([^"]+)"\??: (\{[^}]*\}|[^;]+);/g)) {
      const type = p[2].trim();
      let shape = "value";
      let inner = type;
      let m;
      if ((m = type.match(/^Array<(\w+)>$/))) { shape = "array"; inner = m[1]; }
      else if ((m = type.match(/^\{\s*\[key: string\]: (\w+);?\s*\}$/))) { shape = "map"; inner = m[1]; }
      const file = imports.get(inner);
      result.set(p[1], { file: file && fs.existsSync(file) ? file : null, shape });
    }
  }
  declarations.set(dtsFile, result);
  return result;
}

function checkFields(value, dtsFile, where, pathText) {
  const fields = declaration(dtsFile);
  if (!fields || value === null || typeof value !== "object" || Array.isArray(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const field = fields.get(key);
    const childPath = pathText ? `${pathText}.${key}` : key;
    if (!field) {
      fail(where, `unknown field ${childPath}`);
      continue;
    }
    if (!field.file) continue;
    if (field.shape === "array" && Array.isArray(child)) {
      child.forEach((c, i) => checkFields(c, field.file, where, `${childPath}[${i}]`));
    } else if (field.shape === "map" && child && typeof child === "object") {
      for (const [k, c] of Object.entries(child)) checkFields(c, field.file, where, `${childPath}.${k}`);
    } else {
      checkFields(child, field.file, where, childPath);
    }
  }
}

// --- load every document ----------------------------------------------------
const files = fs.readdirSync(manifestDir).filter((f) => /\.ya?ml$/.test(f)).sort();
if (files.length === 0) {
  console.error(`no YAML files in ${manifestDir}`);
  process.exit(1);
}
const objects = [];  // {file, doc, where}
let kustomization = null;
for (const file of files) {
  const text = fs.readFileSync(path.join(manifestDir, file), "utf8");
  const docs = YAML.parseAllDocuments(text, { prettyErrors: true });
  docs.forEach((d, index) => {
    const where0 = `${file} (document ${index + 1})`;
    if (d.errors.length > 0) {
      for (const e of d.errors) fail(where0, `YAML: ${e.message}`);
      return;
    }
    const doc = d.toJS();
    if (doc === null || doc === undefined) return;  // empty document
    if (doc.kind === "Kustomization") { kustomization = { file, doc }; return; }
    const where = `${file}: ${doc.kind ?? "?"}/${doc.metadata?.name ?? "?"}`;
    if (!doc.apiVersion || !doc.kind) {
      fail(where0, "no apiVersion or kind");
      return;
    }
    const Model = modelClass(doc.apiVersion, doc.kind);
    if (!Model) {
      fail(where, `unknown apiVersion/kind ${doc.apiVersion} ${doc.kind}`);
      return;
    }
    try {
      new Model(doc).validate();
    } catch (error) {
      const details = (error.errors || [])
        .map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ");
      fail(where, `schema: ${details || error.message}`);
    }
    const dts = path.join(modelsRoot, ...doc.apiVersion.split("/"), `${doc.kind}.d.ts`);
    checkFields(doc, dts, where, "");
    objects.push({ file, doc, where });
    checked++;
  });
}

// --- 3. policies ---------------------------------------------------------------
const NAMESPACE = "missions";
const byKind = (kind) => objects.filter((o) => o.doc.kind === kind);

// Pod templates of the workloads: [object, pod spec, pod labels].
function podTemplates() {
  const result = [];
  for (const o of objects) {
    const { kind, spec } = o.doc;
    if (["Deployment", "StatefulSet", "DaemonSet", "Job"].includes(kind)) {
      result.push([o, spec?.template?.spec ?? {}, spec?.template?.metadata?.labels ?? {}]);
    } else if (kind === "CronJob") {
      const t = spec?.jobTemplate?.spec?.template;
      result.push([o, t?.spec ?? {}, t?.metadata?.labels ?? {}]);
    } else if (kind === "Pod") {
      result.push([o, spec ?? {}, o.doc.metadata?.labels ?? {}]);
    }
  }
  return result;
}

function durationSeconds(text) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text ?? "");
  if (!m) return null;
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2]];
}
function flagValue(container, flag) {
  const all = [...(container.command ?? []), ...(container.args ?? [])];
  const hit = all.find((a) => a.startsWith(`--${flag}=`));
  return hit === undefined ? undefined : hit.slice(flag.length + 3);
}
const matches = (selector, labels) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);

for (const o of objects) {
  const ns = o.doc.metadata?.namespace;
  if (o.doc.kind === "Namespace") continue;
  if (ns !== NAMESPACE) fail(o.where, `namespace is ${ns ?? "unset"}, expected ${NAMESPACE}`);
}
if (!byKind("Namespace").some((o) => o.doc.metadata?.name === NAMESPACE)) {
  fail("deploy/kubernetes", `no Namespace ${NAMESPACE}`);
}

const pods = podTemplates();
for (const [o, spec, labels] of pods) {
  const podSc = spec.securityContext ?? {};
  if (podSc.seccompProfile?.type !== "RuntimeDefault") {
    fail(o.where, "pod securityContext.seccompProfile.type is not RuntimeDefault");
  }
  if (podSc.runAsNonRoot !== true) fail(o.where, "pod securityContext.runAsNonRoot is not true");
  if (!Number.isInteger(podSc.runAsUser) || podSc.runAsUser === 0) {
    fail(o.where, "pod securityContext.runAsUser is not a non-zero numeric UID");
  }
  if (spec.automountServiceAccountToken !== false) {
    fail(o.where, "automountServiceAccountToken is not false (no pod here calls the API)");
  }
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) fail(o.where, "host namespaces");
  if (Object.keys(labels).length === 0) fail(o.where, "pod template without labels");
  const all = [...(spec.initContainers ?? []).map((c) => [c, true]),
               ...(spec.containers ?? []).map((c) => [c, false])];
  for (const [c, init] of all) {
    const cw = `${o.where} container ${c.name}`;
    for (const kind of ["requests", "limits"]) {
      for (const r of ["cpu", "memory"]) {
        if (c.resources?.[kind]?.[r] === undefined) fail(cw, `no resources.${kind}.${r}`);
      }
    }
    const sc = c.securityContext ?? {};
    if (sc.allowPrivilegeEscalation !== false) fail(cw, "allowPrivilegeEscalation is not false");
    if (sc.readOnlyRootFilesystem !== true) fail(cw, "readOnlyRootFilesystem is not true");
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) fail(cw, "capabilities.drop lacks ALL");
    if ((sc.capabilities?.add ?? []).length > 0) fail(cw, "capabilities.add is not empty");
    if (sc.privileged) fail(cw, "privileged");
    if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) fail(cw, "runAsNonRoot is not true");
    if (sc.runAsUser === 0) fail(cw, "runAsUser 0");
    const image = c.image ?? "";
    const digest = image.includes("@sha256:");
    const tag = image.split("/").pop().split(":")[1];
    if (!digest && (!tag || tag === "latest")) fail(cw, `image ${image}: no tag, or :latest`);
    if (!c.command || c.command.length === 0) {
      fail(cw, "no command: every workload names the program of the image it runs");
    }
    // Deployments serve: startup, liveness and readiness probes; a gRPC
    // probe must not target the TLS gRPC port (the kubelet's gRPC probe
    // speaks plaintext and cannot complete a TLS handshake).
    if (o.doc.kind === "Deployment" && !init) {
      for (const p of ["livenessProbe", "readinessProbe"]) {
        const probe = c[p];
        if (!probe) { fail(cw, `no ${p}`); continue; }
        if (probe.grpc) {
          const target = (c.ports ?? []).find((port) => port.containerPort === probe.grpc.port);
          if (target?.name === "grpc") {
            fail(cw, `${p}: grpc probe on the TLS gRPC port ${probe.grpc.port} fails (plaintext probe)`);
          }
          // The plaintext health-only listener is --health_listen.
          const health = flagValue(c, "health_listen");
          if (!health || !health.endsWith(`:${probe.grpc.port}`)) {
            fail(cw, `${p}: grpc probe on port ${probe.grpc.port}, but --health_listen is ${health ?? "not set"}`);
          }
          if (!target) fail(cw, `${p}: grpc probe port ${probe.grpc.port} is not a container port`);
        } else if (probe.httpGet) {
          const port = probe.httpGet.port;
          if (!(c.ports ?? []).some((q) => q.name === port || q.containerPort === port)) {
            fail(cw, `${p}: httpGet port ${port} is not a container port`);
          }
        } else if (!probe.tcpSocket && !probe.exec) {
          fail(cw, `${p}: no handler`);
        }
      }
      // The grace period must cover the drain and the shutdown grace.
      const drain = durationSeconds(flagValue(c, "drain") ?? "5s");
      const grace = durationSeconds(flagValue(c, "shutdown_grace") ?? "5s");
      const period = spec.terminationGracePeriodSeconds ?? 30;
      if (drain === null || grace === null) {
        fail(cw, "--drain or --shutdown_grace is not a duration");
      } else if (period <= drain + grace) {
        fail(cw, `terminationGracePeriodSeconds ${period} <= --drain ${drain}s + --shutdown_grace ${grace}s`);
      }
      // Servers listen beyond the pod's loopback, never --insecure.
      if ((c.args ?? []).includes("--insecure")) fail(cw, "--insecure in a Deployment");
    }
    // Every volume mounted exists, every env reference names a key.
    for (const m of c.volumeMounts ?? []) {
      if (!(spec.volumes ?? []).some((v) => v.name === m.name)) fail(cw, `mounts unknown volume ${m.name}`);
    }
    // A $(VAR) in command/args must be defined in env (else Kubernetes
    // passes it literally).
    const defined = new Set((c.env ?? []).map((e) => e.name));
    for (const a of [...(c.command ?? []), ...(c.args ?? [])]) {
      for (const m of a.matchAll(/(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) {
        if (!defined.has(m[1])) fail(cw, `$(${m[1]}) is not defined in env`);
      }
    }
    // No secret values inline: passwords and tokens come from Secrets.
    for (const e of c.env ?? []) {
      if (/PASSWORD|TOKEN$|SECRET/.test(e.name) && e.value !== undefined) {
        fail(cw, `env ${e.name} has an inline value; use secretKeyRef`);
      }
    }
    if ((c.args ?? []).some((a) => /^--storage=postgres(ql)?:\/\/[^/@]*:[^/@]*@/.test(a))) {
      fail(cw, "--storage URI holds a password");
    }
  }
  // Referenced Secrets and ConfigMaps are documented in this directory.
  for (const v of spec.volumes ?? []) {
    if (v.secret && !byKind("Secret").some((s) => s.doc.metadata.name === v.secret.secretName)) {
      fail(o.where, `volume ${v.name}: Secret ${v.secret.secretName} has no template`);
    }
    if (v.configMap && !byKind("ConfigMap").some((s) => s.doc.metadata.name === v.configMap.name)) {
      fail(o.where, `volume ${v.name}: ConfigMap ${v.configMap.name} is not defined`);
    }
    if (v.persistentVolumeClaim &&
        !byKind("PersistentVolumeClaim").some((s) => s.doc.metadata.name === v.persistentVolumeClaim.claimName)) {
      fail(o.where, `volume ${v.name}: PersistentVolumeClaim ${v.persistentVolumeClaim.claimName} is not defined`);
    }
    if (v.hostPath) fail(o.where, `volume ${v.name}: hostPath`);
  }
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    for (const e of c.env ?? []) {
      const s = e.valueFrom?.secretKeyRef;
      const m = e.valueFrom?.configMapKeyRef;
      if (s) {
        const secret = byKind("Secret").find((x) => x.doc.metadata.name === s.name);
        if (!secret) fail(o.where, `env ${e.name}: Secret ${s.name} has no template`);
        else if (!(s.key in { ...secret.doc.data, ...secret.doc.stringData })) {
          fail(o.where, `env ${e.name}: Secret ${s.name} has no key ${s.key}`);
        }
      }
      if (m) {
        const cm = byKind("ConfigMap").find((x) => x.doc.metadata.name === m.name);
        if (!cm || !(m.key in (cm.doc.data ?? {}))) fail(o.where, `env ${e.name}: ConfigMap ${m.name} has no key ${m.key}`);
      }
    }
  }
}

// Deployments: replicas, and registry-server has a PodDisruptionBudget.
for (const o of byKind("Deployment")) {
  const labels = o.doc.spec?.template?.metadata?.labels ?? {};
  if (!matches(o.doc.spec?.selector?.matchLabels, labels)) fail(o.where, "selector does not match the template labels");
  if (o.doc.metadata.name === "registry-server" && !((o.doc.spec.replicas ?? 1) >= 2)) {
    fail(o.where, "registry-server needs 2 or more replicas");
  }
  if ((o.doc.spec.replicas ?? 1) >= 2 &&
      !byKind("PodDisruptionBudget").some((p) => matches(p.doc.spec?.selector?.matchLabels, labels))) {
    fail(o.where, "no PodDisruptionBudget selects its pods");
  }
}
for (const o of byKind("PodDisruptionBudget")) {
  if (!pods.some(([, , labels]) => matches(o.doc.spec?.selector?.matchLabels, labels))) {
    fail(o.where, "selects no pods");
  }
}
// Services select pods and name ports that the containers have.
for (const o of byKind("Service")) {
  const selected = pods.filter(([, , labels]) => matches(o.doc.spec?.selector, labels));
  if (selected.length === 0) { fail(o.where, "selects no pods"); continue; }
  for (const p of o.doc.spec.ports ?? []) {
    const ok = selected.some(([, spec]) => (spec.containers ?? []).some((c) => (c.ports ?? [])
      .some((q) => q.name === p.targetPort || q.containerPort === (p.targetPort ?? p.port))));
    if (!ok) fail(o.where, `port ${p.name}: targetPort ${p.targetPort} is no container port`);
  }
}
// NetworkPolicies: a default deny of both directions; each policy selects pods.
if (!byKind("NetworkPolicy").some((o) => Object.keys(o.doc.spec?.podSelector ?? {}).length === 0 &&
    !o.doc.spec.ingress && !o.doc.spec.egress &&
    ["Ingress", "Egress"].every((t) => (o.doc.spec.policyTypes ?? []).includes(t)))) {
  fail("deploy/kubernetes", "no default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules)");
}
for (const o of byKind("NetworkPolicy")) {
  const sel = o.doc.spec?.podSelector?.matchLabels;
  if (sel && !pods.some(([, , labels]) => matches(sel, labels))) fail(o.where, "podSelector selects no pods");
}
// Secrets: templates only, no key material, no token.
for (const o of byKind("Secret")) {
  const values = { ...(o.doc.stringData ?? {}) };
  for (const [k, v] of Object.entries(o.doc.data ?? {})) {
    values[k] = Buffer.from(String(v), "base64").toString("utf8");
  }
  for (const [k, v] of Object.entries(values)) {
    const text = String(v);
    if (/-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----/.test(text)) {
      fail(o.where, `key ${k} holds PEM material: ship placeholders only`);
    }
    if (/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./.test(text)) fail(o.where, `key ${k} holds a JWT`);
    if (/^postgres(ql)?:\/\/[^/@]*:[^/@]*@/.test(text)) fail(o.where, `key ${k}: URI with a password`);
    if (!/PLACEHOLDER/.test(text) && !/^postgres(ql)?:\/\//.test(text)) {
      fail(o.where, `key ${k} is not an obvious PLACEHOLDER`);
    }
  }
}
// kustomization.yaml lists every manifest but the Secret templates.
if (!kustomization) {
  fail("deploy/kubernetes", "no kustomization.yaml");
} else {
  const listed = new Set(kustomization.doc.resources ?? []);
  for (const f of new Set(objects.map((o) => o.file))) {
    const secretsOnly = objects.filter((o) => o.file === f).every((o) => o.doc.kind === "Secret");
    if (secretsOnly && listed.has(f)) fail(kustomization.file, `lists ${f}: Secrets are created from files`);
    if (!secretsOnly && !listed.has(f)) fail(kustomization.file, `does not list ${f}`);
  }
  for (const f of listed) {
    if (!files.includes(f)) fail(kustomization.file, `lists missing ${f}`);
  }
}

// --- 4. the flags the manifests pass exist in the programs --------------------------
const knownFlags = new Map();
function flagsOf(program) {
  if (knownFlags.has(program)) return knownFlags.get(program);
  const binary = binaries[program];
  let flags = null;
  if (binary) {
    let out;
    try {
      out = execFileSync(binary, ["--helpfull"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
      out = `${error.stdout ?? ""}${error.stderr ?? ""}`;  // --helpfull may exit 1
    }
    flags = new Set([...out.matchAll(/^\s+--([a-z_0-9]+)/gm)].map((m) => m[1]));
    if (flags.size === 0) fail(binary, "--helpfull listed no flags");
  }
  knownFlags.set(program, flags);
  return flags;
}
let flagChecks = 0;
for (const [o, spec] of pods) {
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const words = [...(c.command ?? []), ...(c.args ?? [])].flatMap((a) => a.split(/\s+/));
    const exe = words.find((w) => /^\/usr\/bin\/(registry-server|report-server|reportctl|registryctl)$/.test(w));
    if (!exe) continue;
    const flags = flagsOf(path.basename(exe));
    if (!flags) continue;
    for (const w of words) {
      const m = /^--([a-z_0-9]+)(=|$)/.exec(w);
      if (!m) continue;
      flagChecks++;
      if (!flags.has(m[1]) && !flags.has(m[1].replace(/^no/, ""))) {
        fail(`${o.where} container ${c.name}`, `${path.basename(exe)} has no flag --${m[1]}`);
      }
    }
  }
}

// --- result -----------------------------------------------------------------------
if (findings.length > 0) {
  for (const f of findings) console.log(`FAIL: ${f}`);
  console.log(`kubernetes manifests: ${findings.length} problem(s) in ${files.length} files, ${checked} objects`);
  process.exit(1);
}
console.log(`kubernetes manifests: ${checked} objects in ${files.length} files valid ` +
  `(schemas, fields, policies; ${flagChecks} flags checked against the binaries)`);
