#!/usr/bin/env bash
# Regenerate the committed gRPC/protobuf stubs under tfdrift_gitops/falco/_pb from the .proto
# files next to them. Needs grpcio-tools (pip install -e '.[dev]').
#
# The protos are copied into a scratch tree at their package path so that protoc writes
# package-absolute imports (from tfdrift_gitops.falco._pb import ...) instead of top-level
# ones that would only work with _pb on sys.path. No .pyi stubs: mypy would check them even
# with follow_imports = skip, and the code uses these modules as Any.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/tfdrift_gitops/falco"
out="$src/_pb"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

mkdir -p "$scratch/tfdrift_gitops/falco/_pb" "$scratch/out"
cp "$src/falco_outputs.proto" "$src/falco_version.proto" "$scratch/tfdrift_gitops/falco/_pb/"

python -m grpc_tools.protoc \
  -I "$scratch" \
  --python_out="$scratch/out" \
  --grpc_python_out="$scratch/out" \
  "$scratch/tfdrift_gitops/falco/_pb/falco_outputs.proto" \
  "$scratch/tfdrift_gitops/falco/_pb/falco_version.proto"

mkdir -p "$out"
cp "$scratch"/out/tfdrift_gitops/falco/_pb/*.py "$out/"
if [ ! -f "$out/__init__.py" ]; then
  printf '"""Generated protobuf/gRPC stubs (scripts/gen_proto.sh). Do not edit."""\n' > "$out/__init__.py"
fi
echo "generated: $(cd "$out" && ls *.py | tr '\n' ' ')"
