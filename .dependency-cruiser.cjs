// The boundary check (`npm run lint`): the rules of the house on folders, checked on every import.
// A folder is a top-level directory of src/ or tools/, with its subdirectories; security/tls,
// security/pki and security/xmldsig are folders of their own.

/** A module's folder, captured as $1 for the `to` side of a rule. */
const FOLDER = '^(src/(?:security/[^/]+|[^/]+)|tools/[^/]+)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycles',
      severity: 'error',
      comment: 'No import cycles between folders: each folder depends on another in one direction only.',
      scope: 'folder',
      from: { path: '^(src|tools)/' },
      to: { circular: true },
    },
    {
      name: 'through-index-only',
      severity: 'error',
      comment:
        "A file imports another folder only through that folder's index.ts (its own folder's files directly).",
      from: { path: FOLDER },
      to: {
        path: '^(src|tools)/',
        pathNot: ['^$1/', '^(src/(?:security/[^/]+|[^/]+)|tools/[^/]+)/index\\.ts$'],
      },
    },
    {
      name: 'product-without-tools',
      severity: 'error',
      comment:
        'src/ is the product: it never imports the development tools (the CLI loads them at run time).',
      from: { path: '^src/' },
      to: { path: '^tools/' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve is a mistake (or a missing dependency).',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: they tie folders together as much as any other.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Tools import the product as `#src/…` (package.json "imports"): resolve to the sources.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['source', 'import', 'node', 'default'],
    },
  },
};
