#!/usr/bin/env bash
# Smoke test of the deployable app: the Dockerfile's steps, without Docker.
#
#   build stage   → npm pack (its `prepare` script builds lib/), as the image does
#   runtime stage → the tarball unpacked into an empty folder with package-lock.json;
#                   npm ci --omit=dev --ignore-scripts (production dependencies only); its ENV;
#                   a non-root user (as USER node) under tini (as ENTRYPOINT), running
#                   node lib/server/main.js (as CMD)
#   HEALTHCHECK   → GET /ping answers PONG
#
# Then it checks GET /ready, the schema at /schema/countersign.schema.json, that webhooks are
# verified (an unsigned and a wrongly signed delivery are rejected with 400, a correctly signed
# `ping` delivery is accepted with 200), and that SIGTERM stops the app with exit status 0.
# Run from anywhere: `bash scripts/smoke.sh`. Needs node and npm, with the repo's dependencies
# installed (`npm ci`), and tini: as root it is installed with apt-get when missing (as .ci/run
# does for redis-server). As root the app runs as `nobody`; otherwise as the current user.
# SMOKE_PORT picks the port (default: a free one). Keep this in step with the Dockerfile.
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
# Readable (not writable) by the unprivileged user, as the image's root-owned /app is.
chmod 755 "$WORK" "$APP"

# --- build stage ----------------------------------------------------------------------------
step "1/8 npm pack (its prepare script builds lib/)"
npm pack --pack-destination "$WORK" --silent >"$WORK/pack.log" 2>&1 \
  || { cat "$WORK/pack.log" >&2; fail "npm pack failed (TypeScript errors above?)"; }
TARBALL="$(ls "$WORK"/countersign-*.tgz 2>/dev/null | head -n 1)"
[[ -n "$TARBALL" ]] || fail "npm pack did not produce a countersign-*.tgz"

# --- runtime stage --------------------------------------------------------------------------
step "2/8 unpack $(basename "$TARBALL") into an empty folder, with package-lock.json"
tar -xzf "$TARBALL" -C "$APP" --strip-components=1
cp package-lock.json "$APP/"
for f in lib/server/main.js lib/index.js lib/cli/main.js app.yml schema/countersign.schema.json action.yml LICENSE; do
  [[ -f "$APP/$f" ]] || fail "the package lacks $f (package.json \"files\")"
done
[[ ! -d "$APP/src" && ! -d "$APP/test" ]] || fail "the package contains src/ or test/"

step "3/8 npm ci --omit=dev --ignore-scripts (production dependencies only)"
(cd "$APP" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline) >"$WORK/npm-ci.log" 2>&1 \
  || { tail -n 30 "$WORK/npm-ci.log" >&2; fail "npm ci --omit=dev failed"; }
[[ -f "$APP/node_modules/probot/package.json" ]] || fail "probot is not installed as a production dependency"
[[ ! -d "$APP/node_modules/typescript" ]] || fail "devDependencies were installed (node_modules/typescript exists)"
chmod -R a+rX "$APP"

step "4/8 init and user (ENTRYPOINT tini, USER node)"
if ! command -v tini >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" == "0" ]]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends tini) >"$WORK/apt.log" 2>&1 \
      || { tail -n 20 "$WORK/apt.log" >&2; fail "could not install tini"; }
  else
    fail "tini is not installed (apt-get install tini), and cannot be installed here (needs apt-get as root)"
  fi
fi
TINI="$(command -v tini)"
AS_USER=()
if [[ "$(id -u)" == "0" ]]; then
  # nobody (65534), with no supplementary groups: the image's `node` user has no privileges either.
  AS_USER=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
  step "    $TINI as the init, the app as uid 65534 (nobody)"
else
  step "    $TINI as the init, the app as uid $(id -u)"
fi

step "5/8 throwaway RSA key and a free port"
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

step "6/8 start the app on $BASE (NODE_ENV=production, as in the image)"
# A clean environment (env -i): a developer's GHE_HOST, REDIS_URL or WEBHOOK_PROXY_URL must
# not leak in; the folder has no .env to read. tini -s: here tini is not PID 1, so it registers
# as the subreaper instead (in the image it is PID 1). LOG_LEVEL=info: the shutdown lines are checked.
(
  cd "$APP"
  exec env -i PATH="$PATH" HOME="$APP" \
    NODE_ENV=production LOG_FORMAT=json HOST=127.0.0.1 PORT="$PORT" LOG_LEVEL=info \
    APP_ID=1 PRIVATE_KEY="$PRIVATE_KEY" WEBHOOK_SECRET=smoke SHUTDOWN_GRACE_SECONDS=5 \
    "$TINI" -s -- "${AS_USER[@]}" node lib/server/main.js
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

get_status() {
  node -e 'fetch(process.argv[1]).then(async (r) => process.stdout.write(r.status + " " + (await r.text()).slice(0, 40)), (e) => { console.error(e.message); process.exit(1); })' "$1"
}

step "7/8 readiness, the schema, webhook signature checks"
ready="$(get_status "$BASE/ready")" || fail "GET /ready did not answer"
[[ "$ready" == "200 READY" ]] || fail "GET /ready answered \"$ready\"; expected 200 READY"
step "    GET /ready → $ready"
schema="$(get_status "$BASE/schema/countersign.schema.json")" || fail "GET /schema/countersign.schema.json did not answer"
[[ "$schema" == 200* && "$schema" == *'"$schema"'* ]] || fail "GET /schema/countersign.schema.json answered \"$schema\""
step "    GET /schema/countersign.schema.json → 200"
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

step "8/8 SIGTERM: a clean stop with exit status 0"
# owner of the node process: the unprivileged user, not root.
NODE_UID="$(ps -o uid= --ppid "$APP_PID" 2>/dev/null | tr -d ' ' | head -n 1)"
if [[ "$(id -u)" == "0" ]]; then
  [[ "$NODE_UID" == "65534" ]] || fail "the app runs as uid ${NODE_UID:-?}, not as the unprivileged user"
fi
kill -TERM "$APP_PID"
for _ in $(seq 1 100); do kill -0 "$APP_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$APP_PID" 2>/dev/null; then fail "the app did not stop within 10 s of SIGTERM"; fi
set +e
wait "$APP_PID"
code=$?
set -e
APP_PID=""
[[ "$code" == "0" ]] || fail "the app exited with status $code after SIGTERM; expected 0"
grep -q '"msg":"stopped"' "$LOG" || fail "the app did not log \"stopped\" (graceful shutdown) before exiting"
# Each JSON line holds every key once: re-serialising it (JSON.parse keeps one of duplicated keys) changes nothing.
node -e '
  const lines = require("node:fs").readFileSync(process.argv[1], "utf8").split("\n").filter((l) => l.startsWith("{"));
  const bad = lines.filter((l) => JSON.stringify(JSON.parse(l)) !== l);
  if (bad.length > 0) { console.error(bad[0]); process.exit(1); }
' "$LOG" || fail "a JSON log line has a duplicated key (see above)"
step "    exit status 0, \"stopped\" logged"
step "OK"
