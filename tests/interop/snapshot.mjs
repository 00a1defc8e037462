// SPDX-License-Identifier: Apache-2.0
// Drives the official Hugging Face JS client (@huggingface/hub, pinned in package.json) against
// a hub cache, for tests/e2e/test_interop_hfjs.py. Two modes:
//
//   node snapshot.mjs download --hub-url URL --repo owner/name [--revision REV] [--cache-dir DIR]
//       snapshotDownload(): the library's own "fetch the repository into the cache"; a file it
//       finds at snapshots/<commit>/<path> is not fetched again.
//   node snapshot.mjs scan [--cache-dir DIR]
//       scanCacheDir(): how the library reads a cache without any network (the library has no
//       offline mode for snapshotDownload; this is its local-only view).
//
// Without --cache-dir the library finds the cache itself (HF_HUB_CACHE, HUGGINGFACE_HUB_CACHE,
// $HF_HOME/hub, ...), which is part of what the interoperability test checks.
// The access token, when needed, comes from HF_TOKEN. Prints one JSON object on stdout; the
// library's own log lines ("Downloading <path> to <blob>.incomplete") go to stderr, so a caller
// can count the files the library decided to fetch.
import { relative } from "node:path";
import { parseArgs } from "node:util";
import { scanCacheDir, snapshotDownload } from "@huggingface/hub";

// The library logs with console.debug (stdout); keep stdout for the result.
console.debug = (...args) => console.error(...args);
console.info = (...args) => console.error(...args);

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    "hub-url": { type: "string" },
    repo: { type: "string" },
    revision: { type: "string" },
    "cache-dir": { type: "string" },
  },
});

function usage(message) {
  console.error(`snapshot.mjs: ${message}`);
  process.exit(2);
}

async function download() {
  if (!values["hub-url"] || !values.repo) {
    usage("download needs --hub-url and --repo");
  }
  const snapshot = await snapshotDownload({
    repo: values.repo,
    revision: values.revision,
    cacheDir: values["cache-dir"],
    hubUrl: values["hub-url"],
    accessToken: process.env.HF_TOKEN || undefined,
  });
  return { snapshot };
}

async function scan() {
  const info = await scanCacheDir(values["cache-dir"]);
  return {
    warnings: info.warnings.map((w) => String(w.message ?? w)),
    repos: info.repos.map((repo) => ({
      id: repo.id.name,
      type: repo.id.type,
      path: repo.path,
      files_count: repo.filesCount,
      size: repo.size,
      revisions: repo.revisions.map((revision) => ({
        commit: revision.commitOid,
        refs: [...revision.refs].sort(),
        size: revision.size,
        // scanCacheDir lists the snapshot's top-level files with the blob each resolves to.
        files: revision.files
          .map((file) => ({ path: relative(revision.path, file.path), blob: file.blob.path, size: file.blob.size }))
          .sort((a, b) => a.path.localeCompare(b.path)),
      })),
    })),
  };
}

const modes = { download, scan };
const mode = modes[positionals[0]];
if (!mode || positionals.length !== 1) {
  usage("usage: snapshot.mjs download|scan [options]");
}
try {
  process.stdout.write(JSON.stringify(await mode()) + "\n");
} catch (error) {
  console.error(`snapshot.mjs: ${error?.stack ?? error}`);
  process.exit(1);
}
