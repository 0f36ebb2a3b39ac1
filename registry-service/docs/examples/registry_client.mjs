#!/usr/bin/env node
// A short walk through the registry API from Node.js, over TLS with a
// bearer token, with @grpc/grpc-js and @grpc/proto-loader (no generated
// code: the protos are loaded at run time).
//
// Install the three packages of package.json in a directory of your own
// (not in the checkout), copy this file there and run it:
//
//   mkdir -p /tmp/registry-node && cp registry-service/docs/examples/{package.json,registry_client.mjs} /tmp/registry-node/
//   (cd /tmp/registry-node && npm install)
//   MISSIONS_CA=$PWD/var/local/pki/ca.pem MISSIONS_TOKEN_FILE=$PWD/var/local/auth/reader.jwt \
//     node /tmp/registry-node/registry_client.mjs --proto_dir=$PWD/proto
//
// Settings:
//   --server=HOST:PORT     registry-server (default 127.0.0.1:50051)
//   --ca=FILE              PEM CA bundle of the server's certificate; default
//                          $MISSIONS_CA, else the checkout's
//                          var/local/pki/ca.pem (when run from
//                          registry-service/docs/examples), else the system's
//                          root certificates
//   $MISSIONS_TOKEN_FILE   file holding the bearer token (a JWT), readable by
//                          its owner only; read for every call, so a renewed
//                          token is picked up; never printed. The walk only
//                          reads: the reader role is enough.
//   --proto_dir=DIR        the repository's proto/ directory
//   --googleapis_dir=DIR   root of google/type and google/rpc protos (Debian:
//                          golang-github-gogo-googleapis-dev)
//   --mission=NAME         a mission active in 2020 in Afrika
//
// Node warns "DEP0123 Setting the TLS ServerName to an IP address is not
// permitted" when --server is an IP address (grpc-js passes the host on as
// the TLS server name). It is harmless: the certificate is still checked
// for that IP address. Connect by name (e.g. --server=localhost:50051) to
// avoid it.
//
// What it does, each step checked:
//   1. lists the missions active in 2020 in Afrika, page by page;
//   2. gets one mission;
//   3. sends a misspelt filter: INVALID_ARGUMENT, with the field violations
//      of the google.rpc.BadRequest in the grpc-status-details-bin trailer;
//   4. streams the 2020 dataset (RegistryService.StreamYearDataset).
// Exit status: 0 if all went as expected, 1 otherwise (UNAUTHENTICATED: no
// or a rejected token; PERMISSION_DENIED: the token lacks the role), 2 on
// wrong usage.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CHECKOUT = path.resolve(HERE, '..', '..', '..');

class Unexpected extends Error {}
function expect(condition, what) {
  if (!condition) throw new Unexpected(what);
}
function step(title) {
  console.log(`\n== ${title}`);
}

// --- settings --------------------------------------------------------------

function parseArgs(argv) {
  const args = {
    server: '127.0.0.1:50051',
    ca: '',
    proto_dir: path.join(CHECKOUT, 'proto'),
    googleapis_dir: '/usr/share/gocode/src/github.com/gogo/googleapis',
    mission: 'missions/minusma',
    timeout: 20,
  };
  for (const arg of argv) {
    const match = /^--([a-z_]+)=(.*)$/.exec(arg);
    if (!match || !(match[1] in args)) {
      console.error(`registry_client: unknown argument ${arg} (see the comment at the top)`);
      process.exit(2);
    }
    args[match[1]] = match[1] === 'timeout' ? Number(match[2]) : match[2];
  }
  return args;
}

// --ca, else $MISSIONS_CA, else the checkout's development CA, else the
// system's roots (null).
function findCa(caArgument) {
  if (caArgument) return caArgument;
  if (process.env.MISSIONS_CA) return process.env.MISSIONS_CA;
  const checkoutCa = path.join(CHECKOUT, 'var', 'local', 'pki', 'ca.pem');
  return fs.existsSync(checkoutCa) ? checkoutCa : null;
}

// The token in `file`. Refuses a file others may read; errors name the
// file, never its content.
function readToken(file) {
  const mode = fs.statSync(file).mode & 0o777;
  if (mode & 0o077) {
    throw new Unexpected(`token file ${file} has mode ${mode.toString(8)}: ` +
                         `it must be readable by its owner only (chmod 600 ${file})`);
  }
  const token = fs.readFileSync(file, 'ascii').trim();
  if (!token || /\s/.test(token)) throw new Unexpected(`token file ${file} does not hold one token`);
  return token;
}

// TLS that verifies the server against the CA (and its certificate's names
// against the host of --server), plus `authorization: Bearer <token>` on
// every call.
function credentials(args) {
  const caPath = findCa(args.ca);
  const tls = grpc.credentials.createSsl(caPath ? fs.readFileSync(caPath) : null);
  const tokenFile = process.env.MISSIONS_TOKEN_FILE;
  let description = `TLS (${caPath ? `CA ${caPath}` : "the system's root CAs"}), `;
  if (!tokenFile) {
    return { creds: tls, description: description + 'no token ($MISSIONS_TOKEN_FILE is not set)' };
  }
  readToken(tokenFile); // fail now, not at the first call
  const perCall = grpc.credentials.createFromMetadataGenerator((_params, callback) => {
    try {
      const metadata = new grpc.Metadata();
      metadata.add('authorization', `Bearer ${readToken(tokenFile)}`);
      callback(null, metadata);
    } catch (error) {
      callback(error);
    }
  });
  return {
    creds: grpc.credentials.combineChannelCredentials(tls, perCall),
    description: description + `token from $MISSIONS_TOKEN_FILE (${tokenFile})`,
  };
}

// --- protos ----------------------------------------------------------------

function loadServices(args) {
  if (!fs.existsSync(path.join(args.proto_dir, 'registry', 'v1', 'registry_api.proto'))) {
    throw new Unexpected(`no registry protos under ${args.proto_dir}: give --proto_dir`);
  }
  const definition = protoLoader.loadSync(
      ['registry/v1/registry_api.proto', 'registry/v1/registry_service.proto'], {
        includeDirs: [args.proto_dir, args.googleapis_dir],
        keepCase: true,   // proto field names, as in the API guide
        longs: String,    // int64 (revisions, ids) as strings
        enums: String,    // enums by name
        defaults: false,
        oneofs: true,
      });
  return grpc.loadPackageDefinition(definition).registry.v1;
}

// google.rpc.Status and its details, to read error details.
function loadRpcTypes(googleapisDir) {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    const candidate = path.join(googleapisDir, target);
    return fs.existsSync(candidate) ? candidate : target; // google/protobuf/*: built in
  };
  root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto'],
                { keepCase: true }); // type_url, field_violations, as in the protos
  return {
    Status: root.lookupType('google.rpc.Status'),
    BadRequest: root.lookupType('google.rpc.BadRequest'),
  };
}

// [{field, description}] of the google.rpc.BadRequest a failed call carries.
function fieldViolations(error, rpc) {
  const [bytes] = error.metadata?.get('grpc-status-details-bin') ?? [];
  if (!bytes) return [];
  const status = rpc.Status.decode(bytes);
  return status.details
      .filter((any) => any.type_url === 'type.googleapis.com/google.rpc.BadRequest')
      .flatMap((any) => rpc.BadRequest.decode(any.value).field_violations);
}

// --- calls -----------------------------------------------------------------

function deadline(args) {
  return new Date(Date.now() + args.timeout * 1000);
}

function unary(client, method, request, args) {
  return new Promise((resolve, reject) => {
    client[method](request, { deadline: deadline(args) }, (error, response) =>
      error ? reject(error) : resolve(response));
  });
}

async function expectError(code, promise) {
  try {
    await promise;
  } catch (error) {
    expect(error.code === code, `expected ${grpc.status[code]}, got ${grpc.status[error.code]}: ${error.details}`);
    return error;
  }
  throw new Unexpected(`expected ${grpc.status[code]}, but the call succeeded`);
}

async function run(api, bulk, rpc, args) {
  step('ListMissions: active in 2020 in Afrika');
  const request = {
    filter: 'active_in(2020) AND in_region("regions/africa")',
    order_by: 'cluster, report_order',
    page_size: 4,
  };
  const missions = [];
  let pages = 0;
  for (;;) {
    const page = await unary(api, 'ListMissions', request, args);
    pages += 1;
    missions.push(...page.missions);
    if (!page.next_page_token) break;
    request.page_token = page.next_page_token;
  }
  for (const m of missions) {
    console.log(`  ${m.short_name.padEnd(22)} ${m.name.padEnd(32)} ${m.cluster || '(no cluster)'}`);
  }
  const names = missions.map((m) => m.name);
  console.log(`  ${missions.length} missions in ${pages} pages`);
  expect(names.includes(args.mission), `${args.mission} is not among ${names}`);
  expect(!names.includes('missions/takuba'), 'Takuba (started 2021-03) must not be listed');
  expect(pages >= 2, 'expected more than one page of 4');

  step(`GetMission ${args.mission}`);
  const mission = await unary(api, 'GetMission', { name: args.mission }, args);
  console.log(`  ${mission.short_name}: ${mission.full_name?.en ?? ''}; ` +
              `lead ${mission.lead_organization}, etag ${mission.etag}`);
  expect(mission.name === args.mission && mission.etag.startsWith('r'), 'unexpected mission');

  step('ListMissions with a misspelt field in the filter');
  const error = await expectError(grpc.status.INVALID_ARGUMENT,
      unary(api, 'ListMissions', { filter: 'regoin = "regions/africa"' }, args));
  const violations = fieldViolations(error, rpc);
  for (const v of violations) console.log(`    ${v.field}: ${v.description.slice(0, 90)}...`);
  expect(violations.length > 0 && violations[0].field === 'filter' &&
         violations[0].description.includes('position 1'),
         `expected a filter violation at position 1, got ${JSON.stringify(violations)}`);

  step('StreamYearDataset 2020');
  const count = await new Promise((resolve, reject) => {
    let missionsSeen = 0;
    let revision = null;
    const stream = bulk.StreamYearDataset({ year: 2020, batch_size: 10 }, { deadline: deadline(args) });
    stream.on('data', (message) => {
      missionsSeen += message.records?.missions?.length ?? 0;
      revision ??= message.revision;
    });
    stream.on('error', reject);
    stream.on('end', () => {
      console.log(`  ${missionsSeen} missions at revision ${revision}`);
      resolve(missionsSeen);
    });
  });
  expect(count > missions.length, 'the year has more missions than those in Afrika');
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  let api;
  let bulk;
  try {
    const services = loadServices(args);
    const rpc = loadRpcTypes(args.googleapis_dir);
    const { creds, description } = credentials(args);
    console.log(`registry_client: ${args.server} over ${description}`);
    api = new services.RegistryApi(args.server, creds);
    bulk = new services.RegistryService(args.server, creds);
    await run(api, bulk, rpc, args);
  } catch (error) {
    if (error instanceof Unexpected || error.code === 'ENOENT' || error.code === 'EACCES') {
      console.error(`\nregistry_client: UNEXPECTED: ${error.message}`);
    } else if (typeof error.code === 'number') {
      const hint = {
        [grpc.status.UNAUTHENTICATED]: ' (set MISSIONS_TOKEN_FILE to a file with a valid token)',
        [grpc.status.PERMISSION_DENIED]: ' (the token lacks the role the call needs)',
        [grpc.status.UNAVAILABLE]: ' (server down, plaintext, or a certificate the CA does not verify?)',
      }[error.code] ?? '';
      console.error(`\nregistry_client: call failed unexpectedly: ${grpc.status[error.code]}: ` +
                    `${error.details}${hint}`);
    } else {
      throw error;
    }
    return 1;
  } finally {
    api?.close();
    bulk?.close();
  }
  console.log('\nregistry_client: all steps as expected');
  return 0;
}

process.exitCode = await main();
