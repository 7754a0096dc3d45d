// Peer benchmark (issue 8, item 10): the TypeScript SD-JWT VC library issues
// and verifies an SD-JWT VC with key binding over the same claims as a typical
// leerpas microcredential, with Ed25519 from Node's built-in crypto, and prints
// one JSON object: median verification time and presentation size.
//
//   node sdjwt-peer.mjs [--template T] [--learner L] [--shown a,b] [--iterations N] [--warmup N] [--runs R] [--dump FILE]
//
// --template/--learner default to examples/templates/microcredential.json
// and examples/learner.json; --shown lists the
// redactable claims the presentation discloses (default fullName,grade).
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { StatusList, createHeaderAndPayload } from '@sd-jwt/jwt-status-list';
import crypto from 'node:crypto';
import fs from 'node:fs';

function arg(name, dflt) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

const iterations = Number(arg('--iterations', '2000'));
const warmup = Number(arg('--warmup', '300'));
const runs = Number(arg('--runs', '5'));
const templateFile = arg('--template', null);
const learnerFile = arg('--learner', null);
const shownArg = arg('--shown', 'fullName,grade');
const iss = arg('--iss', 'https://hogeschool-domstad.nl');
const dumpFile = arg('--dump', null);

// The same claims as the benchmark's typical microcredential: the template's
// claims are always shown, the learner's are selectively disclosable, and the
// presentation discloses --shown (leerpas-bench reads the same two files).
const here = new URL('.', import.meta.url);
const template = JSON.parse(fs.readFileSync(templateFile ?? new URL('../../examples/templates/microcredential.json', here), 'utf8'));
const learner = JSON.parse(fs.readFileSync(learnerFile ?? new URL('../../examples/learner.json', here), 'utf8'));
const redactableNames = new Set(template.redactable ?? []);
const spec = { always: { iss, vct: template.vct, ...template.claims }, redactable: {}, shown: shownArg.split(',') };
for (const [k, v] of Object.entries(learner)) {
  if (redactableNames.has(k)) spec.redactable[k] = v; else spec.always[k] = v;
}

const b64u = (buf) => Buffer.from(buf).toString('base64url');
// The verifier's challenge as leerpas-verifier issues it (and leerpas's
// benchmark presents it): 12 characters of Crockford base32.
const challengeCode = () => Array.from(crypto.randomBytes(12), (b) => '0123456789ABCDEFGHJKMNPQRSTVWXYZ'[b & 31]).join('');

// EdDSA signer and verifier over Node's crypto (the library's own crypto
// helper offers only ES256).
function edSigner(privateKey) {
  return (data) => b64u(crypto.sign(null, Buffer.from(data), privateKey));
}
function edVerifier(publicKey) {
  return (data, sig) => crypto.verify(null, Buffer.from(data), publicKey, Buffer.from(sig, 'base64url'));
}
// Key binding: the holder's key comes from the credential's cnf.jwk, imported
// on every verification as a real verifier must.
const kbVerifier = (data, sig, payload) => {
  const jwk = payload && payload.cnf && payload.cnf.jwk;
  if (!jwk) return false;
  const key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
  return crypto.verify(null, Buffer.from(data), key, Buffer.from(sig, 'base64url'));
};
const hasher = (data, alg) => {
  if (alg !== 'sha-256') throw new Error(`unsupported hash ${alg}`);
  return new Uint8Array(crypto.createHash('sha256').update(typeof data === 'string' ? data : Buffer.from(data)).digest());
};
const saltGenerator = (len) => b64u(crypto.randomBytes(len));

const issuerKeys = crypto.generateKeyPairSync('ed25519');
const holderKeys = crypto.generateKeyPairSync('ed25519');
const holderJwk = holderKeys.publicKey.export({ format: 'jwk' });

// Status: the credential carries a Token Status List reference like ours.
// A verifier caches the status list after checking its signature once; the
// statusVerifier below accepts exactly that cached, already verified token,
// so each verification pays for the lookup, not for a fetch.
const statusUri = 'https://hogeschool-domstad.nl/status/1';
let cachedStatusSig = null;

const now = Math.floor(Date.now() / 1000);
const sdjwt = new SDJwtVcInstance({
  signer: edSigner(issuerKeys.privateKey),
  signAlg: 'EdDSA',
  verifier: edVerifier(issuerKeys.publicKey),
  kbSigner: edSigner(holderKeys.privateKey),
  kbSignAlg: 'EdDSA',
  kbVerifier,
  hasher,
  hashAlg: 'sha-256',
  saltGenerator,
  statusListFetcher: async () => statusListJwt,
  statusVerifier: (_data, sig) => sig === cachedStatusSig,
});

// A small status list (1,000 entries, 2 bits each, all valid) as a signed JWT.
const list = new StatusList(new Array(1000).fill(0), 2);
const { header: slHeader, payload: slPayload } = createHeaderAndPayload(list, {
  iss: spec.always.iss, sub: statusUri, iat: now,
}, { alg: 'EdDSA', typ: 'statuslist+jwt' });
const slSigningInput = `${b64u(JSON.stringify(slHeader))}.${b64u(JSON.stringify(slPayload))}`;
const statusListJwt = `${slSigningInput}.${edSigner(issuerKeys.privateKey)(slSigningInput)}`;
cachedStatusSig = statusListJwt.split('.')[2];
if (!edVerifier(issuerKeys.publicKey)(slSigningInput, cachedStatusSig)) throw new Error('status list signature');

// leerpas keeps these descriptive claims in an achievement specification that
// the credential names by SHA-256 (docs/format/credential.md); the by-reference
// variant below gives the peer the same, so sizes also compare at that level.
const specified = ['learningOutcome', 'assessmentType', 'mode', 'accreditation', 'entryRequirement',
  'idVerification', 'stackability', 'additionalNote', 'description'];
function byReference(always) {
  const out = {}, moved = {};
  for (const [k, v] of Object.entries(always)) (specified.includes(k) ? moved : out)[k] = v;
  out.specifiedBy = crypto.createHash('sha256').update(JSON.stringify(moved)).digest('hex');
  return out;
}

async function issueAndPresent(withStatus, byRef = false) {
  const payload = {
    ...(byRef ? byReference(spec.always) : spec.always),
    ...spec.redactable,
    iat: now,
    cnf: { jwk: holderJwk },
    jti: b64u(crypto.randomBytes(16)),
  };
  if (withStatus) payload.status = { status_list: { idx: 42, uri: statusUri } };
  const disclosureFrame = { _sd: Object.keys(spec.redactable) };
  const credential = await sdjwt.issue(payload, disclosureFrame);
  const presentationFrame = Object.fromEntries(spec.shown.map((k) => [k, true]));
  const presentation = await sdjwt.present(credential, presentationFrame, {
    kb: { payload: { iat: now, aud: 'leerpas-verifier:7K3QM9XD', nonce: challengeCode() } },
  });
  return { credential, presentation };
}

function median(a) {
  const s = [...a].sort((x, y) => x - y);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

async function timeVerify(presentation, nonce) {
  const opts = { keyBindingNonce: nonce, currentDate: now };
  const check = await sdjwt.verify(presentation, opts);
  if (!check.kb || spec.shown.some((k) => check.payload[k] === undefined)) throw new Error('verification did not check key binding or disclose');
  for (let i = 0; i < warmup; i++) await sdjwt.verify(presentation, opts);
  const runMedians = [];
  const runCpu = [];
  for (let r = 0; r < runs; r++) {
    const t = new Array(iterations);
    const c0 = process.cpuUsage();
    for (let i = 0; i < iterations; i++) {
      const t0 = process.hrtime.bigint();
      await sdjwt.verify(presentation, opts);
      t[i] = Number(process.hrtime.bigint() - t0) / 1000;
    }
    const c = process.cpuUsage(c0);
    runCpu.push((c.user + c.system) / iterations);
    runMedians.push(median(t));
  }
  return { median_us: median(runMedians), min_run_us: Math.min(...runMedians), max_run_us: Math.max(...runMedians),
    cpu_us: median(runCpu) };
}

// Primitive reference inside Node: one Ed25519 verification.
function timeEd25519Verify() {
  const msg = Buffer.alloc(300, 7);
  const sig = crypto.sign(null, msg, issuerKeys.privateKey);
  for (let i = 0; i < warmup; i++) crypto.verify(null, msg, issuerKeys.publicKey, sig);
  const t = new Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    crypto.verify(null, msg, issuerKeys.publicKey, sig);
    t[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  return median(t);
}

const withStatus = await issueAndPresent(true);
const nonce = (await sdjwt.decode(withStatus.presentation)).kbJwt.payload.nonce;
const vs = await timeVerify(withStatus.presentation, nonce);
const noStatus = await issueAndPresent(false);
const nonce2 = (await sdjwt.decode(noStatus.presentation)).kbJwt.payload.nonce;
const vn = await timeVerify(noStatus.presentation, nonce2);

const byRef = await issueAndPresent(true, true);

const out = {
  library: '@sd-jwt/sd-jwt-vc',
  version: JSON.parse(fs.readFileSync(new URL('./node_modules/@sd-jwt/sd-jwt-vc/package.json', import.meta.url))).version,
  node: process.version,
  iterations, runs,
  shown: spec.shown,
  verify_median_us: vs.median_us,
  verify_min_run_us: vs.min_run_us,
  verify_max_run_us: vs.max_run_us,
  verify_cpu_us: vs.cpu_us,
  verify_nostatus_median_us: vn.median_us,
  verify_nostatus_cpu_us: vn.cpu_us,
  node_ed25519_verify_us: timeEd25519Verify(),
  presentation_chars: withStatus.presentation.length,
  presentation_bytes: Buffer.byteLength(withStatus.presentation, 'utf8'),
  presentation_nostatus_chars: noStatus.presentation.length,
  presentation_byref_chars: byRef.presentation.length,
  credential_chars: withStatus.credential.length,
};
if (dumpFile) fs.writeFileSync(dumpFile, withStatus.presentation);
process.stdout.write(JSON.stringify(out) + '\n');
