#!/usr/bin/env bash
# Installs the Bicep CLI from NuGet (package Azure.Bicep.CommandLine.linux-x64, which carries the
# `bicep` executable in its tools/ folder) into .tools/bicep/ at the project root, then prints the
# executable's path. Idempotent: a matching version already there is reused.
#
#   infrastructure/tools/install-bicep.sh          # prints e.g. <project>/.tools/bicep/bicep
#   BICEP_VERSION=0.49.2 infrastructure/tools/install-bicep.sh
#
# Needs the .NET SDK (`dotnet restore` is NuGet's ordinary client). Exits non-zero with the restore's
# own error output when the package cannot be restored.
set -euo pipefail

version="${BICEP_VERSION:-0.49.2}"
package="Azure.Bicep.CommandLine.linux-x64"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="$root/.tools/bicep"
link="$tools/bicep"
packages="$tools/packages"
# Relative to $tools, so the link survives the folder being moved.
relative="packages/$(printf '%s' "$package" | tr '[:upper:]' '[:lower:]')/$version/tools/bicep"
executable="$tools/$relative"

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "install-bicep: $package is built for Linux x64; this machine is $(uname -s) $(uname -m)" >&2
  exit 1
fi

# Already installed at this version: only make sure the link points at it.
if [ -x "$executable" ] && "$executable" --version 2>/dev/null | grep -q "version $version "; then
  ln -sfn "$relative" "$link"
  echo "$link"
  exit 0
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "install-bicep: the .NET SDK (dotnet) is needed to restore $package $version from NuGet" >&2
  exit 1
fi

# A throwaway project whose only purpose is the PackageReference: the package has no framework
# assets, so any target framework the installed SDK knows restores it.
project="$tools/restore"
mkdir -p "$project"
framework="net$(dotnet --version | cut -d. -f1,2)"
cat >"$project/restore-bicep.csproj" <<PROJECT
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>$framework</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="$package" Version="$version" />
  </ItemGroup>
</Project>
PROJECT

log="$tools/restore.log"
if ! DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 \
  dotnet restore "$project/restore-bicep.csproj" --packages "$packages" >"$log" 2>&1; then
  echo "install-bicep: dotnet restore of $package $version failed:" >&2
  cat "$log" >&2
  exit 1
fi

if [ ! -f "$executable" ]; then
  echo "install-bicep: restored $package $version, but $executable is missing" >&2
  exit 1
fi
# NuGet does not always keep the executable bit.
chmod +x "$executable"
"$executable" --version >/dev/null
ln -sfn "$relative" "$link"
echo "$link"
