#!/usr/bin/env bash
# `npm run test:e2e`: the end-to-end tests in real VS Code for the browser (code-server),
# driven by Playwright in Debian's Chromium, with the built .vsix installed; and the mocha
# integration suite (out/test/integration), run with the checkout as the extension under
# development, which needs the dist/ that packaging builds.
set -euo pipefail
source "$(dirname "$0")/lib/code-server.sh"

build_vsix
quietly "$cache_dir/logs/compile.log" npm run --prefix "$repo_root" compile
install_code_server

export IOMMU_CODE_SERVER="$code_server" IOMMU_VSIX="$vsix"
exec node "$repo_root/scripts/run-tests.js" e2e
