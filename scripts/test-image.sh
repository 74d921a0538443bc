#!/usr/bin/env bash
# npm run test:image: builds Portico's image from the Containerfile and smoke-tests it.
#
#   1. a Debian base made from Debian packages (mmdebstrap into a tarball, then podman import),
#      reused when it exists (PORTICO_IMAGE_REBUILD_BASE=1 makes it again);
#   2. the build context: the committed sources (git archive HEAD), the production dependencies,
#      and Portico's own Node (the `node` devDependency) in .node/bin/node;
#   3. podman build, then a container started as a user would (read-only root file system, the
#      data folder on a volume), its docs following a bare repository, and checks: /healthz,
#      /readyz, a pushed change built and served inside the container, a docs page, security and cache
#      headers, the user it runs as, the read-only root, and the image's HEALTHCHECK.
#
# Needs podman and mmdebstrap (apt-get install podman mmdebstrap) and root (podman rootful).
# No container registry is used. Exit 0 when every check passed.
set -euo pipefail
cd "$(dirname "$0")/.."
project=$PWD
started=$(date +%s)
base_image=localhost/portico-base:bookworm
image=localhost/portico:test
suffix=$$
work=$(mktemp -d /tmp/portico-image.XXXXXX)
container=portico-smoke-$suffix
volume=portico-smoke-data-$suffix

say() { printf 'test-image: %s\n' "$*"; }
fail() {
  printf 'test-image: FAILED: %s\n' "$*" >&2
  rm -rf /tmp/portico-image-logs && mkdir -p /tmp/portico-image-logs && cp "$work"/*.log /tmp/portico-image-logs/ 2>/dev/null || true
  podman logs "$container" >/tmp/portico-image-logs/container.log 2>&1 || true
  printf 'test-image: logs kept in /tmp/portico-image-logs\n' >&2
  exit 1
}
cleanup() {
  podman rm -f "$container" >/dev/null 2>&1 || true
  podman volume rm -f "$volume" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

for tool in podman mmdebstrap git curl npm; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (apt-get install podman mmdebstrap curl git; npm comes with Node)"
done
[ "$(id -u)" = 0 ] || fail "run it as root: the smoke test uses rootful podman"

# Machines whose limits or cgroups crun cannot handle (a cgroup v1/v2 hybrid, rlimits that may not
# be raised) run with runc and the current limits; elsewhere podman's defaults are used.
run_flags=()
if [ -d /sys/fs/cgroup/unified ] && command -v runc >/dev/null; then
  run_flags+=(--runtime runc --ulimit "nofile=$(ulimit -Sn):$(ulimit -Hn)" --ulimit nproc=4096:4096)
elif [ -d /sys/fs/cgroup/unified ]; then
  fail "this machine mixes cgroup v1 and v2, which crun does not support: apt-get install runc"
fi

# 1. The base image, from Debian packages.
if [ "${PORTICO_IMAGE_REBUILD_BASE:-0}" = 1 ] || ! podman image exists "$base_image"; then
  say "making the Debian base with mmdebstrap"
  mmdebstrap --variant=minbase --include=ca-certificates,git,openssh-client bookworm "$work/base.tar" \
    "deb http://deb.debian.org/debian bookworm main" \
    "deb http://deb.debian.org/debian bookworm-updates main" \
    "deb http://deb.debian.org/debian-security bookworm-security main" >"$work/mmdebstrap.log" 2>&1 \
    || { tail -20 "$work/mmdebstrap.log" >&2; fail "mmdebstrap could not make the base"; }
  podman import "$work/base.tar" "$base_image" >/dev/null
  rm -f "$work/base.tar"
fi

# 2. The build context.
say "preparing the build context from HEAD ($(git rev-parse --short HEAD))"
context=$work/context
mkdir -p "$context"
git archive HEAD | tar -x -C "$context"
(cd "$context" && npm install --omit=dev --no-audit --no-fund --prefer-offline --loglevel=error >"$work/npm.log" 2>&1) \
  || { tail -20 "$work/npm.log" >&2; fail "npm install --omit=dev failed in the build context"; }
node_version=$(node -p "require('./package.json').devDependencies.node")
[ -x node_modules/node/bin/node ] || fail "Portico's own Node is missing: run npm install first"
[ "$(node_modules/node/bin/node --version)" = "v$node_version" ] || fail "node_modules/node is not the Node $node_version that package.json names: run npm install"
mkdir -p "$context/.node/bin"
cp node_modules/node/bin/node "$context/.node/bin/node"

# 3. The image.
say "building $image"
build_started=$(date +%s)
podman build --format docker "${run_flags[@]}" --network none --build-arg "BASE=$base_image" \
  -f "$project/Containerfile" -t "$image" "$context" >"$work/build.log" 2>&1 \
  || { tail -30 "$work/build.log" >&2; fail "podman build failed"; }
say "image built in $(( $(date +%s) - build_started )) s ($(podman image inspect "$image" --format '{{.Size}}' | awk '{printf "%d MB", $1/1000000}'))"

# 4. The smoke test: start it as a cluster would, read-only but for the data volume. Its docs
#    follow a branch (decision record 19): a bare repository holding the image's own content,
#    owned by the image's user as a Git host's would be by the host.
git init -q --bare -b main "$work/content.git"
git clone -q "$work/content.git" "$work/content-clone" 2>/dev/null
cp -r "$context/content/." "$work/content-clone/"
gitc() { git -C "$work/content-clone" -c user.name=Image -c user.email=image@example.test "$@"; }
gitc add -A && gitc commit -q -m "The image's content" && gitc push -q origin HEAD:main
chown -R 10001:10001 "$work/content.git"
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
base=http://127.0.0.1:$port
podman volume create "$volume" >/dev/null
run_started=$(date +%s%N)
podman run -d "${run_flags[@]}" --name "$container" --network host --read-only --cap-drop ALL \
  --security-opt no-new-privileges -e "PORT=$port" -e HOST=127.0.0.1 -v "$volume:/var/lib/portico" \
  -v "$work/content.git:/srv/content.git:ro" -e PORTICO_DOCS_GIT_URL=/srv/content.git -e PORTICO_DOCS_POLL_SECONDS=2 "$image" >/dev/null
ready=0
for _ in $(seq 1 600); do # up to 120 s, asking every 0.2 s
  if curl -fsS -o /dev/null "$base/readyz" 2>/dev/null; then ready=1; break; fi
  [ "$(podman inspect -f '{{.State.Running}}' "$container")" = true ] || break
  sleep 0.2
done
if [ $ready != 1 ]; then podman logs "$container" 2>&1 | tail -30 >&2; fail "the portal did not become ready"; fi
say "ready in $(( ($(date +%s%N) - run_started) / 1000000 )) ms after podman run"

check() { # name, then a command that must succeed
  local name=$1; shift
  if "$@"; then say "ok: $name"; else podman logs "$container" 2>&1 | tail -20 >&2; fail "$name"; fi
}
status() { curl -s -o /dev/null -w '%{http_code}' "$base$1"; }
headers() { curl -s -D - -o /dev/null "$base$1" | tr -d '\r' | tr 'A-Z' 'a-z'; }

check "/healthz answers 200" test "$(status /healthz)" = 200
check "/readyz answers 200" test "$(status /readyz)" = 200
page=$(curl -fsS "$base/guides/getting-started/")
check "a docs page is served" grep -q '<h1' <<<"$page"
page_headers=$(headers /guides/getting-started/)
for header in 'x-content-type-options: nosniff' 'x-frame-options: deny' 'referrer-policy: strict-origin-when-cross-origin' "content-security-policy: default-src 'self'" 'cache-control: public, max-age=0, must-revalidate'; do
  check "the page has $header" grep -qF "$header" <<<"$page_headers"
done
asset=$(grep -o '/_astro/[^"]*\.css' <<<"$page" | head -1)
check "a hashed asset is immutable" grep -qF 'cache-control: public, max-age=31536000, immutable' <<<"$(headers "$asset")"
check "it runs as user 10001, not root" test "$(podman exec "$container" /opt/portico/.node/bin/node -p 'process.getuid()')" = 10001
write_error=$(podman exec "$container" /opt/portico/.node/bin/node -e "try { require('fs').writeFileSync('/opt/portico/x', '') } catch (e) { console.log(e.code) }")
check "its root file system is read-only (EROFS, not only permissions)" test "$write_error" = EROFS
check "the data folder is writable and used" podman exec "$container" test -d /var/lib/portico/data
check "the image's HEALTHCHECK passes" podman healthcheck run "$container"
docs_commit() { curl -s "$base/api/v1/status" | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).docs.commit??''))"; }
check "the docs know they show the branch's commit, without a build" test "$(for _ in $(seq 1 100); do c=$(docs_commit); [ -n "$c" ] && echo "$c" && break; sleep 0.2; done)" = "$(gitc rev-parse HEAD)"
sed -i 's/^  title: Shipments$/  title: Freight Shipments/' "$work/content-clone/clusters/production/logistics/apis/shipments/api.yaml"
# git refuses a repository another user owns: the host takes it back for its push.
chown -R 0:0 "$work/content.git"
gitc commit -q -am "Rename the Shipments API" && gitc push -q origin HEAD:main
chown -R 10001:10001 "$work/content.git"
pushed=$(gitc rev-parse HEAD)
follow_started=$(date +%s)
for _ in $(seq 1 300); do [ "$(docs_commit)" = "$pushed" ] && break; sleep 1; done
say "a pushed change was built in the container and served after $(( $(date +%s) - follow_started )) s"
check "a pushed change is built inside the read-only container and served" grep -q 'Freight Shipments' <<<"$(curl -fsS "$base/apis/shipments/")"
podman stop -t 20 "$container" >/dev/null
check "it stops on SIGTERM, without being killed" test "$(podman inspect -f '{{.State.ExitCode}}' "$container")" != 137

say "passed in $(( $(date +%s) - started )) s"
echo "1 passed, 0 failed"
