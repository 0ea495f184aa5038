// The contract with the xunit side: configuration comes as JSON in the TESSERA_INTEROP environment variable, the
// result goes to stdout as one JSON line, diagnostics go to stderr. A failed step still prints a result, naming
// the step, and exits 1.

export function readConfig() {
  const text = process.env.TESSERA_INTEROP;
  if (!text) {
    throw new Error('TESSERA_INTEROP is not set: these scripts are run by tests/Tessera.Server.Tests/Interop/JavaScriptClientTests.cs.');
  }
  return JSON.parse(text);
}

/** Runs the named steps in order, each given the results so far; stops at the first that throws. */
export async function runSteps(steps, cleanup = async () => {}) {
  const results = {};
  let failed;
  for (const [name, step] of Object.entries(steps)) {
    const started = Date.now();
    try {
      results[name] = await step(results);
      console.error(`${name}: ok (${Date.now() - started} ms)`);
    } catch (error) {
      console.error(`${name}: failed`, error);
      failed = { step: name, error: describe(error) };
      break;
    }
  }

  try {
    await cleanup();
  } catch (error) {
    console.error('cleanup failed', error);
  }

  process.stdout.write(JSON.stringify({ ok: !failed, ...(failed ?? {}), results }) + '\n');
  process.exitCode = failed ? 1 : 0;
}

/** An error as the test output should show it: OAuth error fields first, then the message and its cause. */
export function describe(error) {
  const parts = [error?.error, error?.error_description, error?.code, error?.message, error?.cause?.message]
    .filter((part) => typeof part === 'string' && part.length > 0);
  return [...new Set(parts)].join(' | ') || String(error);
}
