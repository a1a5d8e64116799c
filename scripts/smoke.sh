#!/usr/bin/env bash
# Smoke test of the deployable app: the Dockerfile's steps, without Docker.
#
#   build stage   → npm run build (into a fresh folder: no stale files from an old lib/)
#   runtime stage → package.json, package-lock.json, lib/, app.yml in an empty folder;
#                   npm ci --omit=dev (production dependencies only); its ENV;
#                   node node_modules/probot/bin/probot.js run ./lib/index.js
#   HEALTHCHECK   → GET /ping answers PONG
#
# Then it checks that webhooks are verified: an unsigned and a wrongly signed delivery are
# rejected (Probot 14 answers 400), a correctly signed `ping` delivery is accepted (200).
# Run from anywhere: `bash scripts/smoke.sh`. Needs node and npm, with the repo's
# dependencies installed (`npm ci`). SMOKE_PORT picks the port (default: a free one).
# Keep this in step with the Dockerfile.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK=""
APP_PID=""
LOG=""

step() { printf 'smoke: %s\n' "$*"; }
fail() {
  printf 'smoke: FAIL: %s\n' "$*" >&2
  if [[ -n "$LOG" && -s "$LOG" ]]; then
    printf 'smoke: --- app log (last 40 lines) ---\n' >&2
    tail -n 40 "$LOG" >&2 || true
  fi
  exit 1
}

cleanup() {
  local status=$?
  if [[ -n "$APP_PID" ]] && kill -0 "$APP_PID" 2>/dev/null; then
    kill "$APP_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$APP_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$APP_PID" 2>/dev/null || true
    wait "$APP_PID" 2>/dev/null || true
  fi
  if [[ -n "$WORK" && -d "$WORK" ]]; then rm -rf "$WORK"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cd "$ROOT"
command -v node >/dev/null || fail "node is not on PATH"
command -v npm >/dev/null || fail "npm is not on PATH"
[[ -d node_modules ]] || fail "node_modules/ is missing: run 'npm ci' first"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/countersign-smoke.XXXXXX")"
APP="$WORK/app"
LOG="$WORK/app.log"
mkdir -p "$APP"

# --- build stage ----------------------------------------------------------------------------
step "1/7 build (npm run build, into a fresh lib/)"
npm run build --silent -- --outDir "$APP/lib" >"$WORK/build.log" 2>&1 \
  || { cat "$WORK/build.log" >&2; fail "npm run build failed (TypeScript errors above)"; }
[[ -f "$APP/lib/index.js" ]] || fail "the build did not produce lib/index.js"

# --- runtime stage --------------------------------------------------------------------------
step "2/7 assemble the runtime folder (package.json, package-lock.json, lib/, app.yml)"
cp package.json package-lock.json app.yml "$APP/"

step "3/7 npm ci --omit=dev (production dependencies only)"
(cd "$APP" && npm ci --omit=dev --no-audit --no-fund --prefer-offline) >"$WORK/npm-ci.log" 2>&1 \
  || { tail -n 30 "$WORK/npm-ci.log" >&2; fail "npm ci --omit=dev failed"; }
[[ -f "$APP/node_modules/probot/bin/probot.js" ]] || fail "probot is not installed as a production dependency"
[[ ! -d "$APP/node_modules/typescript" ]] || fail "devDependencies were installed (node_modules/typescript exists)"

step "4/7 throwaway RSA key and a free port"
# PKCS#1 PEM, as GitHub issues them; never written to disk.
PRIVATE_KEY="$(node -e '
  const { generateKeyPairSync } = require("node:crypto");
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  process.stdout.write(privateKey.export({ type: "pkcs1", format: "pem" }));
')"
PORT="${SMOKE_PORT:-$(node -e '
  const s = require("node:net").createServer();
  s.listen(0, "127.0.0.1", () => { process.stdout.write(String(s.address().port)); s.close(); });
')}"
BASE="http://127.0.0.1:$PORT"

step "5/7 start the app on $BASE (NODE_ENV=production, as in the image)"
# A clean environment (env -i): a developer's GHE_HOST, REDIS_URL or WEBHOOK_PROXY_URL must
# not leak in; the folder has no .env for Probot to read.
(
  cd "$APP"
  exec env -i PATH="$PATH" HOME="$WORK" \
    NODE_ENV=production LOG_FORMAT=json HOST=127.0.0.1 PORT="$PORT" LOG_LEVEL=warn \
    APP_ID=1 PRIVATE_KEY="$PRIVATE_KEY" WEBHOOK_SECRET=smoke \
    node node_modules/probot/bin/probot.js run ./lib/index.js
) >"$LOG" 2>&1 &
APP_PID=$!

# GET /ping every 0.25 s for up to 30 s (one node process); stop early if the app dies.
ping_result="$(node -e '
  const [url, pid] = [process.argv[1], Number(process.argv[2])];
  const deadline = Date.now() + 30_000;
  const alive = () => { try { process.kill(pid, 0); return true; } catch { return false; } };
  (async () => {
    while (Date.now() < deadline) {
      if (!alive()) return "exited";
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
        if ((await res.text()) === "PONG") return "PONG";
      } catch {}
      await new Promise((r) => setTimeout(r, 250));
    }
    return "timeout";
  })().then((s) => process.stdout.write(s));
' "$BASE/ping" "$APP_PID")"
case "$ping_result" in
  PONG) step "    GET /ping → PONG" ;;
  exited) fail "the app exited during start-up" ;;
  *) fail "GET /ping did not answer PONG within 30 s" ;;
esac

# POST a webhook to /api/github/webhooks; prints the HTTP status. SIGN: none | wrong | right.
post_webhook() {
  node -e '
    const { createHmac, randomUUID } = require("node:crypto");
    const [url, sign] = process.argv.slice(1);
    const body = JSON.stringify({ zen: "Smoke test.", hook_id: 1 });
    const headers = {
      "content-type": "application/json",
      "x-github-event": "ping",
      "x-github-delivery": randomUUID(),
    };
    const hmac = (secret) => "sha256=" + createHmac("sha256", secret).update(body).digest("hex");
    if (sign === "wrong") headers["x-hub-signature-256"] = hmac("not-the-secret");
    if (sign === "right") headers["x-hub-signature-256"] = hmac("smoke");
    fetch(url, { method: "POST", headers, body })
      .then((r) => process.stdout.write(String(r.status)))
      .catch((e) => { console.error(e.message); process.exit(1); });
  ' "$BASE/api/github/webhooks" "$1"
}

step "6/7 webhook signature checks"
status="$(post_webhook none)" || fail "POST of an unsigned webhook did not get an answer"
[[ "$status" == "400" || "$status" == "401" ]] \
  || fail "an unsigned webhook was answered $status; expected it to be rejected (400)"
step "    unsigned delivery → $status (rejected)"
status="$(post_webhook wrong)" || fail "POST of a wrongly signed webhook did not get an answer"
[[ "$status" == "400" || "$status" == "401" ]] \
  || fail "a wrongly signed webhook was answered $status; expected it to be rejected (400)"
step "    wrongly signed delivery → $status (rejected)"
status="$(post_webhook right)" || fail "POST of a signed webhook did not get an answer"
[[ "$status" == "200" ]] || fail "a correctly signed ping was answered $status; expected 200"
step "    correctly signed ping → $status (accepted)"
kill -0 "$APP_PID" 2>/dev/null || fail "the app exited after the webhook checks"

step "7/7 stop the app and clean up"
kill "$APP_PID"
for _ in $(seq 1 50); do kill -0 "$APP_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$APP_PID" 2>/dev/null; then fail "the app did not stop within 5 s of SIGTERM"; fi
wait "$APP_PID" 2>/dev/null || true
APP_PID=""
step "OK"
