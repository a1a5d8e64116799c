// The ids of the built-in AI signals: what `detection.disable` takes, and the enum of the JSON Schema.
// The words the check summary uses and the detection itself live in src/core/ (ai-catalogue.ts, detect.ts).
export const BUILTIN_SIGNAL_IDS = [
  "author-app",
  "commit-agent",
  "commit-author-app",
  "co-author-trailer",
  "tool-trailer",
  "assisted-by-trailer",
  "commit-marker",
  "body-marker",
  "disclosure",
  "agent-trace",
  "git-ai-note",
  "branch-prefix",
  "unread-commits",
  "agent-account",
  "review-bot-suggestion",
  "tool-footer",
  "prose-disclosure",
  "merged-pull",
] as const;

export type BuiltinSignalId = (typeof BUILTIN_SIGNAL_IDS)[number];
