#!/usr/bin/env bash
# `pulumi up` with the policy pack for each stack in $STACKS (separated by spaces), one after
# another; a stack that fails does not stop the others, but fails the step at the end. Each
# stack's outcome goes to the job summary. A missing stack is created (fleet sites need no stack
# file: their settings are the inventory's; FLEET_SECRETS_PROVIDER, when set, is the new stack's
# secrets provider, e.g. azurekeyvault://<vault>.vault.azure.net/keys/<key>).
# Env: STACKS, PULUMI_BACKEND_URL and the ARM_* sign-in (the composite action sets them).
set -uo pipefail
: "${STACKS:?STACKS is not set: the stacks to deploy, separated by spaces}"
summary="${GITHUB_STEP_SUMMARY:-/dev/null}"
failed=()
{
  echo "| Stack | Result |"
  echo "|---|---|"
} >>"$summary"
read -r -a stacks <<<"$STACKS"
for stack in "${stacks[@]}"; do
  create=(--create)
  if [ -n "${FLEET_SECRETS_PROVIDER:-}" ]; then
    create+=(--secrets-provider "$FLEET_SECRETS_PROVIDER")
  fi
  echo "::group::pulumi up ($stack)"
  if pulumi stack select --non-interactive "${create[@]}" --stack "$stack" &&
    pulumi up --yes --non-interactive --policy-pack policy --stack "$stack"; then
    result="✅ deployed"
  else
    result="❌ failed (see the log)"
    failed+=("$stack")
  fi
  echo "::endgroup::"
  echo "| \`$stack\` | $result |" >>"$summary"
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "::error title=fleet::pulumi up failed for ${failed[*]}"
  exit 1
fi
