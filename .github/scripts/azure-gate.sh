#!/usr/bin/env bash
# Can this run reach Azure? Writes enabled=true|false to $GITHUB_OUTPUT and, when it cannot, a
# notice that says why. Pull requests from forks get no OpenID Connect token (GitHub withholds it),
# and without the repository variables there is nothing to sign in with.
# Env: SAME_REPO (false on a fork's pull request), AZURE_CLIENT_ID, AZURE_TENANT_ID,
# AZURE_SUBSCRIPTION_ID, PULUMI_BACKEND_URL (repository variables, never secrets).
set -euo pipefail
: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set: run this as a GitHub Actions step}"

missing=()
for name in AZURE_CLIENT_ID AZURE_TENANT_ID AZURE_SUBSCRIPTION_ID PULUMI_BACKEND_URL; do
  [ -n "${!name:-}" ] || missing+=("$name")
done

if [ "${SAME_REPO:-true}" != true ]; then
  echo "::notice title=Azure skipped::a pull request from a fork gets no OpenID Connect token; the offline gate and plan diff still ran"
  echo "enabled=false" >>"$GITHUB_OUTPUT"
elif [ "${#missing[@]}" -gt 0 ]; then
  echo "::notice title=Azure skipped::set the repository variables ${missing[*]} to run Pulumi against Azure (README, In CI)"
  echo "enabled=false" >>"$GITHUB_OUTPUT"
else
  echo "enabled=true" >>"$GITHUB_OUTPUT"
fi
