#!/usr/bin/env bash
# `npm start`: builds the extension, installs (once) VS Code for the browser, and serves it on
# 127.0.0.1 with the extension installed and examples/ as the workspace.
set -euo pipefail
source "$(dirname "$0")/lib/code-server.sh"

port="${IOMMU_PORT:-8080}"
profile="$cache_dir/vscode-web"

build_vsix
install_code_server
write_profile "$profile/user-data"
install_vsix "$profile/extensions"

log="$cache_dir/logs/code-server.log"
"$code_server" --auth none --bind-addr "127.0.0.1:$port" \
  --config "$profile/config.yaml" --user-data-dir "$profile/user-data" --extensions-dir "$profile/extensions" \
  --disable-telemetry --disable-update-check --disable-workspace-trust \
  "$repo_root/examples" >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null' INT TERM EXIT

for _ in $(seq 1 100); do
  grep -q 'HTTP server listening' "$log" && break
  kill -0 "$server" 2>/dev/null || { echo "error: code-server exited; its log ($log):" >&2; cat "$log" >&2; exit 1; }
  sleep 0.2
done
echo "IOMMU Debugger in VS Code: http://127.0.0.1:$port/?folder=$repo_root/examples"
echo "(Ctrl+C stops it; IOMMU_PORT=N picks another port.)"
wait "$server"
