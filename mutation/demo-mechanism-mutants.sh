#!/usr/bin/env bash
# Applies, one at a time, the edits that no behavioural test can see (issue 15), runs core's tests
# (all but the 30 s soak test) and reverts. Each edit must fail the mechanism tests
# (constant-time-compare.test.ts, code-randomness.test.ts) and nothing else.
# Usage: bash mutation/demo-mechanism-mutants.sh   (needs a clean packages/core/src/{engine,stores})
set -euo pipefail
cd "$(dirname "$0")/../packages/core"
if ! git diff --quiet -- src/engine/code.ts src/constant-time.ts src/stores/memory-store.ts; then
  echo "code.ts, constant-time.ts or memory-store.ts has local changes; commit or stash them first" >&2
  exit 2
fi
if compgen -G '../../mutation/.stryker-tmp/sandbox-*' >/dev/null; then
  # Stryker copies the sources when it starts: it must not copy an edited one.
  echo "a Stryker run is in progress (a sandbox in mutation/.stryker-tmp); run this after it" >&2
  exit 2
fi
trap 'git checkout -- src/engine/code.ts src/constant-time.ts src/stores/memory-store.ts' EXIT

STORE_LINE='    return timingSafeEqual(this.hashes.subarray(offset, offset + HASH_BYTES), bytes);'
EQUAL_LINE='  return x.length === y.length \&\& timingSafeEqual(x, y);'
CODE_LINE="  return String(randomInt(0, 10 \*\* length)).padStart(length, '0');"

# Every failing test by name, then vitest's totals.
run_tests() {
  pnpm exec vitest run --exclude test/soak.test.ts --reporter=dot 2>&1 |
    sed 's/\x1b\[[0-9;]*m//g' | grep -E '^ *(FAIL|Test Files|Tests) ' | uniq || true
}

# mutate NAME FILE FROM TO [SED-EXPRESSION]: replace the whole line FROM by TO (and apply the
# optional extra sed expression, e.g. to import what TO uses).
mutate() {
  local name="$1" file="$2" from="$3" to="$4"
  sed -i "s|^${from}\$|${to}|${5:+;$5}" "$file"
  if git diff --quiet -- "$file"; then echo "!! $name: the edit did not apply" >&2; exit 3; fi
  echo "=== $name"
  git diff -U0 -- "$file" | grep '^[-+] '
  run_tests
  git checkout -- "$file"
}

mutate 'MemoryStore: Buffer.compare(a, b) === 0' src/stores/memory-store.ts "$STORE_LINE" \
  '    return Buffer.compare(this.hashes.subarray(offset, offset + HASH_BYTES), bytes) === 0;'
mutate 'MemoryStore: === on the base64url strings' src/stores/memory-store.ts "$STORE_LINE" \
  "    return Buffer.from(this.hashes.subarray(offset, offset + HASH_BYTES)).toString('base64url') === hash;"
mutate 'constantTimeEqual: a === b' src/constant-time.ts "$EQUAL_LINE" '  return a === b;'
mutate 'constantTimeEqual: Buffer.compare(x, y) === 0' src/constant-time.ts "$EQUAL_LINE" \
  '  return x.length === y.length \&\& Buffer.compare(x, y) === 0;'
mutate 'generateCode: Math.random()' src/engine/code.ts "$CODE_LINE" \
  "  return String(Math.floor(Math.random() * 10 ** length)).padStart(length, '0');"
mutate 'generateCode: randomBytes % 10 ** n' src/engine/code.ts "$CODE_LINE" \
  "  return String(randomBytes(6).readUIntBE(0, 6) % 10 ** length).padStart(length, '0');" \
  "s|randomInt } from 'node:crypto';|randomBytes, randomInt } from 'node:crypto';|"
mutate 'generateCode: Web Crypto getRandomValues % 10 ** n' src/engine/code.ts "$CODE_LINE" \
  "  return String(crypto.getRandomValues(new Uint32Array(1))[0]! % 10 ** length).padStart(length, '0');"
echo "=== unmutated"
run_tests
