// The built-in risk rules: changes whose blast radius needs more care than the diff shows, and why.
//
// They apply unless a policy sets `risk.builtin: false`; a policy's own rules are added to them and
// can only raise a tier, never lower one. That is why these tiers are conservative: a tier that is
// too high here could only be escaped by dropping every built-in rule. Globs follow picomatch
// (see src/core/risk.ts): "**/" also matches at the repository root, matching is case-sensitive,
// and a negated character class is written "[^o]" (picomatch 4 reads "[!o]" as "! or o").
import type { RiskRule } from "../policy/schema.js";

export const BUILTIN_RISK_RULES: ReadonlyArray<RiskRule & { reason: string }> = [
  {
    // Critical: a workflow runs with the repository's secrets and tokens, and can publish or deploy.
    tier: "critical",
    reason: "changes CI workflows or actions, which run with the repository's secrets and can deploy",
    paths: [".github/workflows/**", ".github/actions/**"],
  },
  {
    // High, not critical: many repositories hold only non-production stacks. Raise production paths
    // in the policy ({ tier: critical, paths: ["infra/prod/**"] }).
    tier: "high",
    reason: "changes Terraform infrastructure-as-code: an apply can delete and recreate real infrastructure",
    paths: ["**/*.tf", "**/*.tf.json", "**/*.tfvars", "**/*.hcl"],
  },
  {
    tier: "high",
    reason: "changes cloud infrastructure templates (CloudFormation, SAM, CDK, Serverless, Pulumi)",
    paths: [
      "**/cdk.json",
      "**/*.template.{json,yaml,yml}",
      "**/cloudformation/**",
      "**/samconfig.toml",
      "**/serverless.{yml,yaml}",
      "**/Pulumi.yaml",
      "**/Pulumi.*.yaml",
    ],
  },
  {
    tier: "high",
    reason: "changes Kubernetes manifests, which decide what runs in the cluster and with which access",
    paths: ["**/k8s/**", "**/kubernetes/**", "**/kustomize/**", "**/kustomization.{yaml,yml}"],
  },
  {
    // Only YAML and templates under charts/: a frontend's src/components/charts/BarChart.tsx is not Helm.
    tier: "high",
    reason: "changes Helm charts, which decide what runs in the cluster and with which access",
    paths: ["**/Chart.{yaml,lock}", "**/charts/**/*.{yaml,yml,tpl}", "**/helm/**"],
  },
  {
    tier: "high",
    reason: "changes database migrations or schema, which run against production data and are hard to roll back",
    paths: ["**/migrations/**", "**/migrate/**", "**/db/**/*.sql", "**/db/schema.rb", "**/alembic/versions/**", "**/schema.prisma"],
  },
  {
    // File names: "auth" at the end of the name (oauth.go, useAuth.ts), followed by anything but "o"
    // (authz.go, auth_middleware.ts, authentication.ts, OAuthClient.java), or "authoriz…"
    // (authorization.ts, Authorizer.java). "author.md", "AUTHORS" and "authors.txt" do not match.
    tier: "high",
    reason: "changes authentication, authorization or security code, where a mistake lets the wrong people in",
    paths: [
      "**/auth/**",
      "**/authn/**",
      "**/authz/**",
      "**/*[aA]uth.*",
      "**/*[aA]uth[^o]*.*",
      "**/*[aA]uthoriz*.*",
      "**/security/**",
      "**/permissions/**",
      "**/rbac/**",
    ],
  },
  {
    tier: "high",
    reason: "changes CODEOWNERS, which decides who must review future changes",
    paths: ["**/CODEOWNERS"],
  },
  {
    tier: "medium",
    reason: "changes dependencies or their lockfiles: new third-party code enters the build",
    paths: [
      "**/package.json",
      "**/package-lock.json",
      "**/npm-shrinkwrap.json",
      "**/yarn.lock",
      "**/pnpm-lock.yaml",
      "**/bun.lock",
      "**/bun.lockb",
      "**/go.mod",
      "**/go.sum",
      "**/Cargo.toml",
      "**/Cargo.lock",
      "**/requirements*.txt",
      "**/pyproject.toml",
      "**/poetry.lock",
      "**/uv.lock",
      "**/Pipfile",
      "**/Pipfile.lock",
      "**/Gemfile",
      "**/Gemfile.lock",
      "**/composer.json",
      "**/composer.lock",
      "**/pom.xml",
      "**/build.gradle",
      "**/build.gradle.kts",
      "**/gradle.lockfile",
      "**/packages.lock.json",
    ],
  },
  {
    tier: "medium",
    reason: "is a large change (500 or more changed lines), more than one careful reading covers",
    changed_lines: 500,
  },
  {
    tier: "high",
    reason: "is a very large change (2000 or more changed lines), which no review reads line by line",
    changed_lines: 2000,
  },
  {
    tier: "high",
    reason: "changes 50 or more files, a wide blast radius",
    changed_files: 50,
  },
  {
    tier: "high",
    reason: "deletes 20 or more files",
    deleted_files: 20,
  },
];
