/**
 * Run an Express-based demo (this one or the Passport demo) as `pnpm demo` does: listen, print the
 * URL, and stop cleanly on Ctrl-C or SIGTERM.
 */

/**
 * @typedef {object} ServedDemo
 * @property {import('express').Express} app
 * @property {() => Promise<unknown>} close Stops what the demo started (the fake, Redis connections).
 */

/**
 * Listen on `port` (0: any free port) and print `[name] Open http://localhost:<port>`; when the
 * port cannot be had, say so and exit 1. On SIGINT or SIGTERM, close the server and the demo, then
 * exit.
 * @param {ServedDemo} demo
 * @param {{ name: string; port: number }} options
 * @returns {import('node:http').Server}
 */
export function serve(demo, { name, port }) {
  // Express 5 calls this with the error when listening fails (e.g. the port is taken).
  const server = demo.app.listen(port, (error) => {
    if (error) {
      console.error(`[${name}] Cannot listen on port ${port}: ${error.message}`);
      demo.close().finally(() => process.exit(1));
      return;
    }
    const address = server.address();
    const actual = typeof address === 'object' && address ? address.port : port;
    console.log(`[${name}] Open http://localhost:${actual}`);
  });

  let stopping = false;
  /** @param {NodeJS.Signals} signal */
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    console.log(`[${name}] ${signal}: stopping`);
    server.close();
    server.closeAllConnections();
    demo.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return server;
}
