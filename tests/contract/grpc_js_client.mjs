// A client in another language, built from the .proto files alone: proves the
// contract is usable without any of Switchboard's C++ code.
// Usage: node grpc_js_client.mjs <proto-dir> <host:port>
import { createRequire } from 'node:module';
const require = createRequire(process.env.SB_NODE_MODULES + '/');
const grpc = require('@grpc/grpc-js');
const loader = require('@grpc/proto-loader');

const [protoDir, address] = process.argv.slice(2);
const files = ['switchboard/v1/prompt_service.proto', 'switchboard/v1/routing_service.proto',
               'switchboard/v1/telemetry_service.proto', 'switchboard/v1/experiment_service.proto'];
const def = loader.loadSync(files, { includeDirs: [protoDir], longs: Number, enums: String,
                                     defaults: true });
const v1 = grpc.loadPackageDefinition(def).switchboard.v1;
const creds = grpc.credentials.createInsecure();
const deadline = () => new Date(Date.now() + 5000);
const fail = (msg) => { console.error('FAIL: ' + msg); process.exit(1); };
const call = (client, method, req) => new Promise((resolve, reject) =>
  client[method](req, { deadline: deadline() }, (err, res) => err ? reject(err) : resolve(res)));

const prompts = new v1.PromptService(address, creds);
const routing = new v1.RoutingService(address, creds);
const experiments = new v1.ExperimentService(address, creds);
const telemetry = new v1.TelemetryService(address, creds);

try {
  const lp = await call(prompts, 'ListPrompts', { pageSize: 10 });
  if (!lp.prompts.length) fail('no prompts');
  const p = lp.prompts[0];
  const vs = await call(prompts, 'ListPromptVersions', { promptName: p.name });
  if (vs.versions.length !== p.latestVersion) fail('version count mismatch');
  const table = await call(routing, 'GetRoutingTable', {});
  if (!table.routes.length) fail('no routes');
  const ex = await call(experiments, 'ListExperiments', {});
  if (!ex.experiments.length) fail('no experiments');
  // A write with a stale etag must fail with FAILED_PRECONDITION (9) and a conflict trailer.
  try {
    await call(prompts, 'MoveLabel', { promptName: p.name, label: 'staging', version: 1,
                                       expectedEtag: 'stale', requestId: 'js-1', reason: 'js' });
    fail('stale write succeeded');
  } catch (e) {
    if (e.code !== 9) fail('stale write: expected code 9, got ' + e.code + ' ' + e.details);
    if (!e.metadata.get('switchboard-conflict-bin').length) fail('no conflict trailer');
  }
  // Invalid argument names the field.
  try {
    await call(routing, 'SetFallbackEnabled', { route: table.routes[0].name, model: 'x',
                                                enabled: false, reason: '', requestId: 'js-2' });
    fail('empty reason accepted');
  } catch (e) {
    if (e.code !== 3 || !/reason|model/.test(e.details)) fail('invalid arg: ' + e.code + ' ' + e.details);
  }
  // Three batches of the latency stream, with columns of equal length.
  await new Promise((resolve, reject) => {
    const stream = telemetry.StreamLatency({}, { deadline: new Date(Date.now() + 15000) });
    let batches = 0;
    stream.on('data', (b) => {
      if (b.latencyMs.length !== b.routeIds.length) reject(new Error('ragged columns'));
      if (++batches === 3) { stream.cancel(); resolve(); }
    });
    stream.on('error', (e) => { if (e.code !== grpc.status.CANCELLED) reject(e); });
  });
  console.log(`OK: ${lp.prompts.length} prompts, ${table.routes.length} routes, ` +
              `${ex.experiments.length} experiments, stream batches read`);
  process.exit(0);
} catch (e) {
  fail(e.stack || String(e));
}
