// The policy file's schema: the single source for its types, defaults, JSON Schema and docs.
import { z } from "zod";
import { parseDuration } from "./duration.js";

export const RISK_TIERS = ["low", "medium", "high", "critical"] as const;
export const RiskTier = z.enum(RISK_TIERS).meta({
  description: "A risk tier, from lowest to highest: low < medium < high < critical.",
});
export type RiskTier = z.infer<typeof RiskTier>;

/** `@org/team-slug`, a login, or `permission:maintain` / `permission:admin`. */
export const ReviewerSpec = z
  .string()
  // Checked first, so the message says the real reason: a bot account can never sign off.
  .refine((spec) => !/\[bot\]$/i.test(spec.trim()), {
    message: "is a bot account; a bot can never sign off (name the people or teams who review for it)",
    abort: true,
  })
  .regex(
    /^(@[A-Za-z0-9](?:[A-Za-z0-9-]*)\/[A-Za-z0-9._-]+|permission:(?:maintain|admin)|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)$/,
    'must be a team ("@org/team-slug"), a login ("octocat"), or "permission:maintain" / "permission:admin"',
  )
  .meta({
    description:
      'Who may sign off: a team as "@org/team-slug" (active members), a GitHub login, or "permission:maintain" / "permission:admin" (anyone with at least that permission on the repository).',
  });

const stringList = (description: string) => z.array(z.string().min(1)).default([]).meta({ description });

export const DetectionSchema = z
  .strictObject({
    builtin: z.boolean().default(true).meta({
      description: "Use the built-in catalogue of AI signals (known AI apps, commit trailers, description markers, branch prefixes).",
    }),
    disable: stringList(
      'Ids of built-in signals to switch off, e.g. ["branch-prefix"]. The catalogue is in docs/policy.md under "Built-in AI signals".',
    ),
    authors: stringList("Extra logins whose pull requests or commits are AI-assisted."),
    emails: stringList('Extra commit author, committer or co-author emails that mark AI assistance; "*@domain" matches a whole domain.'),
    trailers: stringList('Extra commit-message trailer keys that mark AI assistance, e.g. "AI-Tool".'),
    body_patterns: stringList(
      "Extra regular expressions (RE2 syntax: no lookarounds or backreferences, so they run in linear time; case-insensitive) over each line of the pull request description.",
    ),
    branch_prefixes: stringList('Extra head-branch prefixes that mark AI assistance, e.g. "ai/".'),
    labels: z.array(z.string().min(1)).default(["ai-assisted"]).meta({
      description: "A pull request carrying one of these labels is AI-assisted.",
    }),
    ignore_authors: stringList("Logins never treated as AI, e.g. an in-house release bot."),
    disclosure: z.boolean().default(true).meta({
      description:
        'Read an explicit AI-use disclosure in the description (an "AI disclosure" section, a checked "[x] AI-assisted" box, an "AI used: …" line); one that says no AI was used is not evidence and never overrides other signals.',
    }),
    provenance: z.boolean().default(true).meta({
      description:
        "Read provenance records: Agent Trace records the PR adds under .agent-trace/ and Git AI authorship notes (refs/notes/ai) on its commits; they gate the PR and give the AI share of its added lines.",
    }),
  })
  .prefault({})
  .meta({ description: "How AI assistance is detected." });

export const RiskRuleSchema = z
  .strictObject({
    tier: RiskTier.meta({ description: "The tier this rule gives a pull request it matches." }),
    reason: z.string().min(1).optional().meta({
      description: "Why this rule exists, shown in the check summary when it matches.",
    }),
    paths: z.array(z.string().min(1)).min(1).optional().meta({
      description:
        "Glob patterns (picomatch, dotfiles included) matched against every changed path and the previous path of a renamed file.",
    }),
    changed_lines: z.int().min(1).optional().meta({ description: "Matches when additions + deletions are at least this many." }),
    changed_files: z.int().min(1).optional().meta({ description: "Matches when at least this many files changed." }),
    deleted_files: z.int().min(1).optional().meta({ description: "Matches when at least this many files were deleted." }),
    components: z.int().min(1).optional().meta({
      description: "Matches when at least this many distinct component directories (risk.components) are touched.",
    }),
    content: z.array(z.string().min(1)).min(1).optional().meta({
      description:
        "Regular expressions (RE2 syntax: no lookarounds or backreferences, so they run in linear time) matched against each added and removed line; with `paths`, only in files those globs match.",
    }),
  })
  .refine(
    (rule) =>
      rule.paths !== undefined ||
      rule.changed_lines !== undefined ||
      rule.changed_files !== undefined ||
      rule.deleted_files !== undefined ||
      rule.components !== undefined ||
      rule.content !== undefined,
    { message: "a rule needs at least one condition: paths, changed_lines, changed_files, deleted_files, components or content" },
  )
  .meta({
    description: "A risk rule: when all of its conditions hold, the pull request gets at least its tier.",
  });
export type RiskRule = z.infer<typeof RiskRuleSchema>;

export const RiskSchema = z
  .strictObject({
    builtin: z.boolean().default(true).meta({
      description: "Keep the built-in risk rules (workflows, infrastructure, migrations, auth, dependencies, size); yours are added.",
    }),
    default: RiskTier.default("low").meta({ description: "The tier of a pull request that no rule matches." }),
    components: z.array(z.string().min(1)).default(["services/*", "packages/*", "apps/*"]).meta({
      description: "Glob patterns for directories that count as components, for `components` rules.",
    }),
    rules: z.array(RiskRuleSchema).default([]).meta({
      description: "Rules added to the built-in ones; a pull request gets the highest tier any rule gives it.",
    }),
  })
  .prefault({})
  .meta({ description: "How the blast radius of a change is assessed." });

/** One group of `signoff.require`: all groups must hold. */
export const SignoffGroupSchema = z
  .strictObject({
    reviewers: z.array(ReviewerSpec).min(1).meta({
      description: 'Who may sign off for this group: teams ("@org/slug"), logins, or "permission:maintain"/"permission:admin".',
    }),
    approvals: z.int().min(0).max(10).default(1).meta({
      description: "How many distinct eligible people of this group must approve; 0 exempts the group (it needs nobody's sign-off).",
    }),
    paths: z.array(z.string().min(1)).min(1).optional().meta({
      description:
        "Glob patterns (as in risk.rules[].paths): the group applies only when a changed path, or the previous path of a renamed file, matches one. Without paths the group always applies.",
    }),
  })
  .meta({ description: "A group of reviewers that must sign off; one person's approval may satisfy several groups." });
export type SignoffGroup = z.infer<typeof SignoffGroupSchema>;

const requireGroups = (where: string) =>
  z
    .array(SignoffGroupSchema)
    .min(1)
    .max(20)
    .optional()
    .meta({
      description: `Groups that must all be satisfied, used instead of ${where}reviewers/approvals (setting both is an invalid policy). At least one group must have no paths, so every gated pull request needs someone's sign-off.`,
    });

export const TierSignoffSchema = z
  .strictObject({
    reviewers: z.array(ReviewerSpec).min(1).optional().meta({
      description: "Who may sign off at this tier; falls back to signoff.reviewers.",
    }),
    approvals: z.int().min(0).max(10).optional().meta({
      description:
        "How many distinct eligible people must approve at this tier; falls back to signoff.approvals. 0 exempts the tier: its pull requests need no sign-off (labels are still set).",
    }),
    require: requireGroups("this tier's "),
  })
  .meta({ description: "Sign-off requirements for one risk tier, overriding the top-level ones key by key." });

/** A duration such as "90m", "24h", "2d" or "1h30m". */
export const Duration = z
  .string()
  .regex(/^\s*(\d{1,6}[dhmDHM])+\s*$/, 'must be a duration such as "90m", "24h", "2d" or "1h30m" (minutes, hours, days)')
  .refine((text) => parseDuration(text) !== undefined, {
    message: 'must be a duration such as "90m", "24h", "2d" or "1h30m" (minutes, hours, days; at least 1 minute)',
  })
  .meta({ description: 'A duration: minutes, hours and days, e.g. "90m", "24h", "2d", "1h30m".' });

export const EscalateSchema = z
  .strictObject({
    after: Duration.meta({ description: 'How long a pull request may wait for sign-off before `to` is asked too, e.g. "24h" or "90m".' }),
    to: z.array(ReviewerSpec).min(1).meta({
      description: 'Who is asked once the pull request has waited longer than `after`: teams ("@org/slug") or logins. Asked once.',
    }),
  })
  .meta({
    description:
      "Ask more people when a pull request still waits for sign-off after `after`: checked on each event and by a periodic sweep, so it fires without a new event; the summary says so.",
  });
export type Escalate = z.infer<typeof EscalateSchema>;

export const SignoffSchema = z
  .strictObject({
    reviewers: z.array(ReviewerSpec).min(1).default(["permission:maintain"]).meta({
      description:
        'Who may sign off: teams ("@org/slug"), logins, or "permission:maintain"/"permission:admin". Default: anyone with maintain or admin permission.',
    }),
    approvals: z.int().min(0).max(10).default(1).meta({
      description: "How many distinct eligible people must approve; 0 exempts every tier that does not set its own (no sign-off needed).",
    }),
    require: requireGroups("signoff."),
    tiers: z
      .strictObject({
        low: TierSignoffSchema.optional(),
        medium: TierSignoffSchema.optional(),
        high: TierSignoffSchema.optional(),
        critical: TierSignoffSchema.optional(),
      })
      .default({})
      .meta({ description: "Per-tier overrides of reviewers and approvals." }),
    fresh_approval: z
      .union([z.boolean(), z.literal("same-diff")])
      .default(true)
      .meta({
        description:
          'true: an approval counts only when it was given on the current head commit. "same-diff": an approval on an earlier commit also counts when the pull request\'s own changes (its diff against the merge base with the base branch) are the same there as at the head, so merging the base branch in or a clean rebase keeps it; any other change, or a diff that cannot be read, makes it stale. false: an approval on any commit of the pull request counts.',
      }),
    allow_contributors: z.boolean().default(false).meta({
      description: "Whether people who authored or committed a commit of the pull request may sign off.",
    }),
    request_reviews: z.boolean().default(true).meta({
      description: "Request review from the designated teams and users when a pull request is gated.",
    }),
    assign: z.int().min(1).max(10).optional().meta({
      description:
        "Request this many eligible people instead of whole teams: those who own the touched paths (CODEOWNERS at the base, then the people who most recently changed those files), the ones with the fewest open Countersign review requests first. Never the author or a contributor. Absent: the designated teams and users are requested, as before. If nobody eligible can be chosen, the teams are requested.",
    }),
    escalate: EscalateSchema.optional(),
  })
  .prefault({})
  .meta({ description: "Who must sign off on a gated pull request, and how many." });

export const OverrideSchema = z
  .strictObject({
    by: z.array(ReviewerSpec).default([]).meta({
      description: 'Who may post "/countersign override <reason>". Empty: nobody can override.',
    }),
  })
  .prefault({})
  .meta({ description: "Who may override the gate for one head commit." });

export const LabelsSchema = z
  .strictObject({
    enabled: z.boolean().default(true).meta({ description: "Whether Countersign writes labels at all." }),
    ai_assisted: z.string().min(1).max(50).default("ai-assisted").meta({
      description: "The label Countersign puts on AI-assisted pull requests; it is the pull request's memory of that finding.",
    }),
    risk_prefix: z.string().min(1).max(40).default("risk:").meta({
      description: 'Prefix of the risk labels; the tier is appended ("risk:high").',
    }),
  })
  .prefault({})
  .meta({ description: "Names of the labels Countersign writes." });

export const PolicySchema = z
  .strictObject({
    _extends: z.string().optional().meta({
      description: 'Another policy to extend: "repo", "owner/repo" or "owner/repo:path.yml". This file wins key by key; arrays replace.',
    }),
    mode: z.enum(["enforce", "report"]).default("enforce").meta({
      description: "enforce blocks until sign-off; report never blocks and says what enforce would require.",
    }),
    gate: z.enum(["ai-assisted", "all"]).default("ai-assisted").meta({
      description: "Which pull requests need sign-off: only AI-assisted ones, or all.",
    }),
    branches: z.array(z.string().min(1)).min(1).optional().meta({
      description:
        'Glob patterns of the base branch names the gate applies to, e.g. ["main", "release/**"] (names, not "refs/heads/main"; `*` stays within one segment of the name). A pull request into another branch gets a passing check that says why (and still its labels). Absent: every branch.',
    }),
    detection: DetectionSchema,
    risk: RiskSchema,
    signoff: SignoffSchema,
    override: OverrideSchema,
    labels: LabelsSchema,
  })
  .meta({
    title: "Countersign policy",
    description: "The policy in .github/countersign.yml: which pull requests need senior sign-off, from whom, and how many.",
  });

export type Policy = z.output<typeof PolicySchema>;
export type PolicyInput = z.input<typeof PolicySchema>;
export type ReviewerSpec = z.infer<typeof ReviewerSpec>;
export type TierSignoff = z.infer<typeof TierSignoffSchema>;

/** The policy that applies when a repository and its organisation have none. */
export const DEFAULT_POLICY: Policy = PolicySchema.parse({});
