// One OpenTelemetry-instrumented "service" for the fan-in test and demos:
// the OTel JS SDK (sdk-metrics + the OTLP/gRPC metrics exporter, pinned in
// tools/package.json) recording gen_ai.client.operation.duration (seconds,
// exponential histogram, cumulative as the SDK defaults) and output tokens,
// exported to the console's --otlp-listen address.
//
//   node otel_service.mjs --endpoint 127.0.0.1:4317 --service checkout
//        --instance pod-1 --route chat --model atlas --count 3000 --seed 1
//   (--seconds N records for N seconds at --rate per second instead)
//
// Prints one JSON line when done: what was recorded.
// Packages resolve from tools/node_modules ($NODE_PATH; ES modules ignore it).
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.join(process.env.NODE_PATH ?? 'tools/node_modules', 'x.js'));
const { metrics } = require('@opentelemetry/api');
const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-grpc');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const {
  AggregationType,
  MeterProvider,
  PeriodicExportingMetricReader,
} = require('@opentelemetry/sdk-metrics');

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => {
    if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
    return acc;
  }, []),
);
const count = Number(args.count ?? 1000);
const seconds = Number(args.seconds ?? 0);
const rate = Number(args.rate ?? 200);
const median = Number(args.median ?? 0.3); // seconds
const errorShare = Number(args.errors ?? 0);
let seed = Number(args.seed ?? 1) >>> 0;

// A small deterministic PRNG (mulberry32) and a lognormal from it.
function random() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
function lognormal(m, sigma) {
  const u = Math.max(random(), 1e-12);
  const v = random();
  return m * Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
}

const exporter = new OTLPMetricExporter({ url: `http://${args.endpoint}` });
const reader = new PeriodicExportingMetricReader({
  exporter,
  exportIntervalMillis: Number(args.interval ?? 1000),
});
const provider = new MeterProvider({
  resource: resourceFromAttributes({
    'service.name': args.service ?? 'node-service',
    'service.instance.id': args.instance ?? `pid-${process.pid}`,
  }),
  readers: [reader],
  views: [
    {
      instrumentName: 'gen_ai.client.operation.duration',
      aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM },
    },
    {
      instrumentName: 'gen_ai.client.token.usage',
      aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM },
    },
  ],
});
metrics.setGlobalMeterProvider(provider);
const meter = metrics.getMeter('switchboard-fanin');
const duration = meter.createHistogram('gen_ai.client.operation.duration', { unit: 's' });
const tokens = meter.createHistogram('gen_ai.client.token.usage', { unit: '{token}' });
const attrs = {
  'gen_ai.operation.name': args.route ?? 'chat',
  'gen_ai.request.model': args.model ?? 'atlas',
};

let sent = 0;
let errors = 0;
let tokenSum = 0;
function one() {
  const v = lognormal(median, 0.6);
  if (random() < errorShare) {
    duration.record(v, { ...attrs, 'error.type': 'timeout' });
    ++errors;
  } else {
    duration.record(v, attrs);
  }
  const t = Math.round(20 + random() * 200);
  tokens.record(t, { ...attrs, 'gen_ai.token.type': 'output' });
  tokenSum += t;
  ++sent;
}

if (seconds > 0) {
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    for (let i = 0; i < rate / 10; ++i) one();
    await new Promise((r) => setTimeout(r, 100));
  }
} else {
  for (let i = 0; i < count; ++i) one();
}
await provider.forceFlush();
await provider.shutdown();
console.log(JSON.stringify({ sent, errors, tokens: tokenSum }));
