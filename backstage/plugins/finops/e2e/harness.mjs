// What the browser test needs around the page: processes, free ports, polling, a tally.
import { spawn } from 'node:child_process';
import net from 'node:net';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a command in its own process group (so that stop() ends its children too) and
 * resolves once its output matches `ready`. */
export function start(command, args, { ready, timeoutMs = 240_000, env = {}, cwd } = {}) {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  const started = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} not ready after ${timeoutMs} ms:\n${output.slice(-2000)}`)), timeoutMs);
    const onData = data => {
      output += data.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', code => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}:\n${output.slice(-2000)}`));
    });
  });
  return { started, stop, output: () => output };
}

/** Polls a locator's text until `check` accepts it; throws with the last text seen. */
export async function waitForText(locator, check, { timeoutMs = 20_000, what = 'text' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = (await locator.count()) > 0 ? (await locator.first().textContent())?.trim() : undefined;
    if (last !== undefined && check(last)) return last;
    await new Promise(resolve => setTimeout(resolve, 200));
  }
  throw new Error(`${what}: last seen ${JSON.stringify(last)}`);
}

export function equal(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

export class Tally {
  passed = 0;
  failed = 0;
  skipped = 0;

  async run(name, body) {
    const started = Date.now();
    try {
      const skip = await body();
      if (typeof skip === 'string') {
        this.skipped += 1;
        console.log(`SKIP ${name}: ${skip}`);
      } else {
        this.passed += 1;
        console.log(`PASS ${name} (${Date.now() - started} ms)`);
      }
    } catch (error) {
      this.failed += 1;
      console.log(`FAIL ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  summary() {
    return `${this.passed} passed, ${this.failed} failed${this.skipped ? `, ${this.skipped} skipped` : ''}`;
  }
}
