# Shared by the benchmark scripts (sourced, not run): logging, clean-up of the processes they start, loopback ports,
# Tessera on a temporary data folder with an admin token, and one wrk run read into numbers.
# The caller sets `set -euo pipefail` and has cd'd to the repository root.

log() { printf '== %s\n' "$*" >&2; }
fail() { printf 'bench: %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need_package() { # command package: installs a Debian package when its command is missing
  command -v "$1" >/dev/null 2>&1 && return
  log "installing $2 (Debian)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

work=$(mktemp -d)
pids=()
cleanup() {
  # Each server was started in a session of its own (setsid): end exactly those process groups.
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { # a loopback port nobody listens on
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  fail "no free loopback port found"
}

wait_for() { # url seconds
  for _ in $(seq 1 $(($2 * 5))); do
    curl -fs -o /dev/null "$1" && return
    sleep 0.2
  done
  return 1
}

build_release() { # project...
  local project
  for project in "$@"; do
    dotnet build "$project" -c Release -v quiet -nologo >"$work/build.log" 2>&1 \
      || { cat "$work/build.log"; fail "build of $project failed"; }
  done
}

# Server on core 0, load tool on core 1, when there are two cores and BENCH_PIN is not 0.
server_cpu=(); load_cpu=(); placement="no pinning"
if [ "${BENCH_PIN:-1}" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  server_cpu=(taskset -c 0); load_cpu=(taskset -c 1); placement="server pinned to core 0, load tool to core 1"
fi

# start_tessera [settings...]: Tessera (Release build) on a free loopback port with a new data folder; sets base,
# tenant, issuer, boot (bootstrap.json), tessera_pid, admin_token. The server is the process itself (no `dotnet run`
# in between), so that its CPU time and memory can be read from /proc.
start_tessera() {
  local port data
  port=$(free_port)
  base="http://127.0.0.1:$port"
  data="$work/tessera-$port"
  (cd src/Tessera.Server && exec setsid "${server_cpu[@]}" dotnet bin/Release/net10.0/Tessera.Server.dll \
    "--Tessera:DataPath=$data" "--urls=$base" "$@") >"$work/tessera.log" 2>&1 &
  tessera_pid=$!
  pids+=("$tessera_pid")
  for _ in $(seq 1 150); do [ -s "$data/bootstrap.json" ] && break; sleep 0.2; done
  boot="$data/bootstrap.json"
  [ -s "$boot" ] || { cat "$work/tessera.log"; fail "Tessera wrote no bootstrap.json"; }
  tenant=$(jq -r .tenantId "$boot")
  issuer=$(jq -r .issuer "$boot")
  wait_for "$issuer/.well-known/openid-configuration" 30 || { cat "$work/tessera.log"; fail "Tessera did not answer"; }
  admin_token=$(client_token "$(jq -r .clientId "$boot")" "$(jq -r .clientSecret "$boot")" "$(jq -r .adminScope "$boot")") \
    || fail "no admin token from the bootstrap client"
}

client_token() { # client_id secret scope: an access token from Tessera's token endpoint (client credentials)
  curl -fs "$base/$tenant/oauth2/v2.0/token" -d grant_type=client_credentials -d "client_id=$1" \
    --data-urlencode "client_secret=$2" --data-urlencode "scope=$3" | jq -er .access_token
}

admin() { # method path [json]: Tessera's admin API with the admin token
  curl -fsS -X "$1" "$base/admin/v1/$2" -H "Authorization: Bearer $admin_token" -H 'Content-Type: application/json' \
    ${3:+-d "$3"}
}

# register_api_and_client: through the admin API, an API (scope Items.Read, app role Items.Read.All for applications),
# a client with a secret, and the role granted to the client. Sets api_uri, api_id, client_id, client_secret.
register_api_and_client() {
  local api_app client_app role_id
  api_uri="api://bench.$(jq -r .domain "$boot")"
  api_app=$(admin POST applications "$(jq -nc --arg uri "$api_uri" '{
    displayName: "Bench items API", identifierUris: [$uri],
    api: { oauth2PermissionScopes: [ { value: "Items.Read", type: "User",
      adminConsentDisplayName: "Read items", userConsentDisplayName: "Read your items" } ] },
    appRoles: [ { value: "Items.Read.All", allowedMemberTypes: ["Application"], displayName: "Read all items" } ] }')")
  api_id=$(jq -r .appId <<<"$api_app")
  role_id=$(jq -r '.appRoles[] | select(.value == "Items.Read.All") | .id' <<<"$api_app")
  client_app=$(admin POST applications '{"displayName":"Bench daemon"}')
  client_id=$(jq -r .appId <<<"$client_app")
  client_secret=$(admin POST "applications/$(jq -r .id <<<"$client_app")/addPassword" \
    '{"passwordCredential":{"displayName":"bench"}}' | jq -r .secretText)
  admin POST "servicePrincipals/$api_id/appRoleAssignedTo" \
    "$(jq -nc --arg p "$client_id" --arg r "$api_id" --arg role "$role_id" '{principalId: $p, resourceId: $r, appRoleId: $role}')" >/dev/null
}

process_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # pid: user + system time so far
peak_memory_mb() { awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; } # pid: resident set high-water mark

median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
meets() { awk -v a="$1" -v g="$2" 'BEGIN { print (a + 0 >= g + 0) ? "PASS" : "MISS" }'; }
