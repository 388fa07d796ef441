#!/usr/bin/env bash
# The blob-store servers the store test suite runs against, installed into ./.data/ (pinned):
#   moto in server mode (S3-compatible; PyPI `moto[server]`) and azure-storage-blob (to make
#   the test container) in .data/venv-stores; azurite (the Azure Blob emulator; npm) in
#   .data/azurite. The tests start and stop the servers themselves (crates/blob-store/tests).
#
#   scripts/stores.sh install   install what is missing (make test runs it first)
set -euo pipefail
cd "$(dirname "$0")/.."
moto_version=5.2.6
azure_blob_version=12.31.1
azurite_version=3.37.0
venv=.data/venv-stores
azurite=.data/azurite
mkdir -p .data

case "${1:-}" in
  install)
    if ! "$venv/bin/python" -c "import moto, azure.storage.blob, sys; sys.exit(moto.__version__ != '$moto_version')" 2>/dev/null; then
      python3 -m venv "$venv"
      "$venv/bin/pip" install -q "moto[server]==$moto_version" "azure-storage-blob==$azure_blob_version"
    fi
    if [ "$(cat "$azurite/node_modules/azurite/package.json" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])' 2>/dev/null)" != "$azurite_version" ]; then
      npm install --silent --no-audit --no-fund --prefix "$azurite" "azurite@$azurite_version" >/dev/null
    fi
    ;;
  *)
    echo "usage: scripts/stores.sh install" >&2
    exit 2
    ;;
esac
