// The deployment examples are valid for the tools that read them: every object of
// deploy/kubernetes.yaml against the Kubernetes API's schemas (kubernetes-models, offline), and
// deploy/docker-compose.yml against the Compose Specification's JSON Schema (the copy that the
// dclint package ships, compose-spec's schemas/compose-spec.json).
// Also what the issue asks of them: shutdown timings that fit, readiness on /ready, no
// service-account token, spread over nodes, Redis with a password from a Secret and locked down.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Service } from "kubernetes-models/v1/Service";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { describe, expect, it } from "vitest";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { DEFAULT_SHUTDOWN_GRACE_SECONDS } from "../../src/server/config.js";

const root = join(import.meta.dirname, "..", "..");
const read = (file: string) => readFileSync(join(root, file), "utf8");

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "apps/v1/Deployment": Deployment,
  "v1/Service": Service,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "networking.k8s.io/v1/Ingress": Ingress,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
};

const objects = parseAllDocuments(read("deploy/kubernetes.yaml"))
  .map((doc) => doc.toJS() as Json | null)
  .filter((o): o is Json => o !== null);
const byName = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata?.name === name)!;

describe("deploy/kubernetes.yaml", () => {
  it("has the objects the docs describe", () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      [
        "Deployment/countersign",
        "Deployment/countersign-redis",
        "Ingress/countersign",
        "NetworkPolicy/countersign-redis",
        "PodDisruptionBudget/countersign",
        "Service/countersign",
        "Service/countersign-redis",
      ].sort(),
    );
  });

  it.each(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o] as const))(
    "%s is valid against the Kubernetes API schema",
    (_name, object) => {
      const Model = MODELS[`${object.apiVersion}/${object.kind}`];
      expect(Model, `no schema for ${object.apiVersion} ${object.kind}`).toBeDefined();
      expect(() => new Model!(object as never).validate()).not.toThrow();
    },
  );

  it("the schema check catches a mistake (it is not vacuous)", () => {
    const broken = structuredClone(byName("Deployment", "countersign"));
    broken.spec.template.spec.containers[0].ports[0].containerPort = "http";
    expect(() => new Deployment(broken as never).validate()).toThrow();
  });

  const app = byName("Deployment", "countersign").spec.template.spec;
  const container = app.containers[0];
  const env = (name: string) => container.env.find((e: Json) => e.name === name);

  it("lets a shutdown finish inside terminationGracePeriodSeconds", () => {
    const grace = Number(env("SHUTDOWN_GRACE_SECONDS")?.value ?? DEFAULT_SHUTDOWN_GRACE_SECONDS);
    const preStop = Number(container.lifecycle.preStop.exec.command[1]);
    expect(preStop + grace).toBeLessThan(app.terminationGracePeriodSeconds);
  });

  it("is ready only when /ready says so, lives on /ping, has no service-account token, spreads over nodes", () => {
    expect(container.readinessProbe.httpGet.path).toBe("/ready");
    expect(container.livenessProbe.httpGet.path).toBe("/ping");
    expect(app.automountServiceAccountToken).toBe(false);
    expect(app.topologySpreadConstraints.map((c: Json) => c.topologyKey)).toContain("kubernetes.io/hostname");
  });

  it("gives Redis a password from a Secret, on both sides, and a hardened container", () => {
    expect(env("REDIS_PASSWORD").valueFrom.secretKeyRef).toEqual({ name: "countersign-redis", key: "password" });
    expect(env("REDIS_URL").value).toBe("redis://:$(REDIS_PASSWORD)@countersign-redis:6379");
    const redis = byName("Deployment", "countersign-redis").spec.template.spec;
    const server = redis.containers[0];
    expect(server.env.find((e: Json) => e.name === "REDIS_PASSWORD").valueFrom.secretKeyRef.name).toBe("countersign-redis");
    expect(server.args.slice(0, 2)).toEqual(["--requirepass", "$(REDIS_PASSWORD)"]);
    expect(redis.automountServiceAccountToken).toBe(false);
    expect(redis.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(server.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
  });
});

describe("deploy/docker-compose.yml", () => {
  const composeSchema = JSON.parse(read("node_modules/dclint/schemas/compose.schema.json")) as Json;
  const ajv = new Ajv({ strict: false, allErrors: true });
  // Draft-07, named by its https:// address, which ajv knows as http://: the draft is ajv's default.
  const { $schema: _draft, ...schema } = composeSchema;
  const validate = ajv.compile(schema);
  const compose = parseYaml(read("deploy/docker-compose.yml")) as Json;

  it("is valid against the Compose Specification schema", () => {
    expect(validate(compose), JSON.stringify(validate.errors)).toBe(true);
  });

  it("the schema check catches a mistake (it is not vacuous)", () => {
    expect(
      validate({ ...compose, services: { ...compose.services, redis: { ...compose.services.redis, healthcheck: { test: 5 } } } }),
    ).toBe(false);
  });

  it("uses a Redis password on both sides and gives the app time to shut down", () => {
    expect(compose.services.app.environment.REDIS_URL).toMatch(/^redis:\/\/:\$\{REDIS_PASSWORD[^}]*\}@redis:6379$/);
    expect(compose.services.redis.command.slice(0, 2)).toEqual(["redis-server", "--requirepass"]);
    expect(Number.parseInt(compose.services.app.stop_grace_period, 10)).toBeGreaterThan(
      Number(compose.services.app.environment.SHUTDOWN_GRACE_SECONDS),
    );
  });
});
